/* agentd's one UTF-8 decoder (util.c) and what uses it to keep text safe. */
#include <string.h>

#include "t.h"
#include "jsonin.h"
#include "util.h"

static void
sequences(void)
{
	static const struct {
		const char *s;
		size_t n, want;
	} cases[] = {
		{ "a", 1, 1 },
		{ "\xC3\xA9", 2, 2 },			/* é */
		{ "\xE2\x82\xAC", 3, 3 },		/* € */
		{ "\xF0\x9F\x98\x80", 4, 4 },		/* 😀 */
		{ "\x80", 1, 0 },			/* a stray continuation */
		{ "\xC0\x80", 2, 0 },			/* overlong NUL */
		{ "\xE0\x80\x80", 3, 0 },		/* overlong */
		{ "\xED\xA0\x80", 3, 0 },		/* a surrogate */
		{ "\xF4\x90\x80\x80", 4, 0 },		/* past U+10FFFF */
		{ "\xE2\x82", 2, 0 },			/* cut short */
		{ "\xE2\x41\x41", 3, 0 },		/* not a continuation */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		printf("# case %zu\n", i);
		is_int((int)utf8_seq_len(cases[i].s, cases[i].n),
		    (int)cases[i].want);
	}
}

static void
prefixes(void)
{
	is_int((int)utf8_prefix("abc", 10), 3);
	is_int((int)utf8_prefix("a\xE2\x82\xAC", 2), 1);	/* not into € */
	is_int((int)utf8_prefix("a\xE2\x82\xAC", 4), 4);
}

/* Quoted user text never carries a byte that is not UTF-8, a surrogate
 * included (it is no character). */
static void
quoting_replaces_what_is_not_utf8(void)
{
	char out[64];

	jsonin_quote("ok \xED\xA0\x80 \xC3\xA9", 32, out, sizeof(out));
	ok(strchr(out, '?') != NULL);
	ok(strstr(out, "\xED") == NULL);
	ok(strstr(out, "\xC3\xA9") != NULL);
}

#define TESTS(X) \
	X(sequences) \
	X(prefixes) \
	X(quoting_replaces_what_is_not_utf8)
T_MAIN(TESTS)
