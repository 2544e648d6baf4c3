/* Small helpers shared by all of agentd: allocation, time, ids, strings. */
#ifndef AGENTD_UTIL_H
#define AGENTD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Abort on out-of-memory, so ordinary code has no OOM paths. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds: wall clock since the epoch, and monotonic. */
int64_t now_ms(void);
int64_t mono_ms(void);

/* Writes a new random id "<prefix><10 base32 chars>" into @out (>= 16 bytes). */
void make_id(char *out, size_t outlen, const char *prefix);

/* snprintf that reports truncation as -1. */
int fmt(char *out, size_t outlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies @s into @out, truncating; always NUL-terminates. */
void copy_str(char *out, size_t outlen, const char *s);

/* Bytes of @s to keep for at most @max bytes without cutting a character. */
size_t utf8_prefix(const char *s, size_t max);
/* Length of the valid UTF-8 sequence at @s (@n bytes left, n >= 1): 1 to
 * 4, or 0 when it is not one (a stray continuation byte, an overlong form,
 * a surrogate, past U+10FFFF, or cut short). agentd's one UTF-8 decoder. */
size_t utf8_seq_len(const char *s, size_t n);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
