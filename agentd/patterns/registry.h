/*
 * The patterns this agentd runs, by the name an agent spec gives in
 * "pattern": the built-in ones (react), and any a program registers before
 * the agents are loaded (the tests' own). Adding a pattern is one file of
 * pattern_ops and one line in registry.c.
 */
#ifndef AGENTD_PATTERNS_REGISTRY_H
#define AGENTD_PATTERNS_REGISTRY_H

#include <stddef.h>

struct pattern_ops;

#define PATTERNS_MAX	16

/* The pattern named @name, or NULL. */
const struct pattern_ops *pattern_find(const char *name);
/* The names, comma separated ("react"), for error messages. */
void pattern_names(char *out, size_t outlen);
/* Adds @ops (borrowed for the program's life): 0, -EEXIST when its name
 * is taken, -ENOSPC past PATTERNS_MAX. */
int pattern_register(const struct pattern_ops *ops);

#endif
