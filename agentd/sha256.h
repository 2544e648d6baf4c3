/* SHA-256 (FIPS 180-4), to name what was cut from stored text. */
#ifndef AGENTD_SHA256_H
#define AGENTD_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* Writes the digest of @len bytes at @data as 64 lower-case hex digits
 * and a NUL into @out. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

#endif
