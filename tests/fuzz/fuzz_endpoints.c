/* libFuzzer target: the endpoints config parser on a file's text, with no
 * environment. Whatever it says, it must say it in a terminated error or
 * give back a set with the builtins first and every base URL set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/endpoints.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct endpoints eps;
	char err[256];

	memset(err, 'x', sizeof(err));
	if (endpoints_parse((const char *)data, size, "fuzz.conf", NULL, &eps,
	    err, sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (eps.n < 2 || eps.n > ENDPOINTS_MAX ||
	    strcmp(eps.items[0].name, "openai") != 0 ||
	    strcmp(eps.items[1].name, "anthropic") != 0)
		abort();
	for (size_t i = 0; i < eps.n; i++) {
		size_t len;

		if (eps.items[i].base_url == NULL)
			abort();
		len = strlen(eps.items[i].base_url);
		if (len == 0 || eps.items[i].base_url[len - 1] == '/')
			abort();
		if (endpoints_find(&eps, eps.items[i].name) != &eps.items[i])
			abort();
	}
	endpoints_finish(&eps);
	return 0;
}
