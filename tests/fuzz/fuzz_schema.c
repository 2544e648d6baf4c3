/*
 * libFuzzer target for the tool-argument schema validator. The input is a
 * schema and an instance, JSON texts split at the first NUL or newline.
 * Besides crashes, it aborts when an error breaks its contract: -EINVAL
 * with an empty message, or path and message that are not UTF-8.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tools/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless @err is a well-formed error. */
static void
check_error(const struct schema_error *err)
{
	char line[sizeof err->path + sizeof err->message + 64];
	json_t *s;

	if (memchr(err->path, '\0', sizeof err->path) == NULL ||
	    memchr(err->message, '\0', sizeof err->message) == NULL ||
	    err->message[0] == '\0')
		abort();
	if ((s = json_string(err->path)) == NULL)
		abort();
	json_decref(s);
	if ((s = json_string(err->message)) == NULL)
		abort();
	json_decref(s);
	schema_error_format(err, line, sizeof line);
	if ((s = json_string(line)) == NULL || strchr(line, '\n') != NULL)
		abort();
	json_decref(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *schema = NULL, *instance = NULL;
	struct schema_error err;
	size_t split;
	int r;

	for (split = 0; split < size; split++)
		if (data[split] == '\0' || data[split] == '\n')
			break;
	if (split == size)
		goto out;
	if ((schema = json_loadb((const char *)data, split, flags,
	    NULL)) == NULL)
		goto out;
	if ((instance = json_loadb((const char *)data + split + 1,
	    size - split - 1, flags, NULL)) == NULL)
		goto out;

	memset(&err, 0, sizeof err);
	if ((r = schema_check(schema, &err)) != 0) {
		if (r != -EINVAL)
			abort();
		check_error(&err);
	}
	/* Unchecked schemas must fail cleanly too. */
	memset(&err, 0, sizeof err);
	if ((r = schema_validate(schema, instance, &err)) != 0) {
		if (r != -EINVAL)
			abort();
		check_error(&err);
	}
out:
	json_decref(instance);
	json_decref(schema);
	return 0;
}
