/*
 * JSON in tests, written with ' for " so that it reads in C strings:
 * J("{'a':[1,'x']}"). Include after t.h, with jansson.
 */
#ifndef AGENTD_T_JSON_H
#define AGENTD_T_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* @text with ' turned into ", parsed (any JSON value): a new reference,
 * or NULL with a diagnostic line. */
static json_t *
J(const char *text)
{
	json_error_t jerr;
	char *s = strdup(text);
	json_t *v;

	if (s == NULL)
		abort();
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if ((v = json_loads(s, JSON_DECODE_ANY, &jerr)) == NULL)
		printf("# bad test JSON: %s: %s\n", jerr.text, text);
	free(s);
	return v;
}

#endif
