/* The pattern registry: see registry.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "patterns/registry.h"

static const struct pattern_ops *patterns[PATTERNS_MAX] = {
	&pattern_react,
};
static size_t n_patterns = 1;

const struct pattern_ops *
pattern_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < n_patterns; i++)
		if (strcmp(patterns[i]->name, name) == 0)
			return patterns[i];
	return NULL;
}

void
pattern_names(char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n_patterns && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%s",
		    i > 0 ? ", " : "", patterns[i]->name);
}

int
pattern_register(const struct pattern_ops *ops)
{
	if (pattern_find(ops->name) != NULL)
		return -EEXIST;
	if (n_patterns == PATTERNS_MAX)
		return -ENOSPC;
	patterns[n_patterns++] = ops;
	return 0;
}
