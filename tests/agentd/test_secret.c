#include "t.h"
#include "secret.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define KEY "sk-abcdefghijklmnopqrstuvwxyz0123456789"

static void
create_copies_the_key(void)
{
	char buf[] = KEY "trailing";
	struct secret *s = secret_create(buf, strlen(KEY));

	t_bail_if(s == NULL);
	memset(buf, 'x', sizeof(buf) - 1);	/* a copy, not a reference */
	is_str(secret_value(s), KEY);
	is_int(secret_len(s), strlen(KEY));
	is_str(secret_header(s), "");
	secret_destroy(s);
}

static void
create_refuses_empty_long_and_nul(void)
{
	char big[4002];
	struct secret *s;

	ok(secret_create("", 0) == NULL);
	ok(secret_create(NULL, 5) == NULL);
	ok(secret_create("ab\0cd", 5) == NULL);
	memset(big, 'k', sizeof(big));
	ok(secret_create(big, 4001) == NULL);
	s = secret_create(big, 4000);		/* the longest */
	t_bail_if(s == NULL);
	is_int(secret_len(s), 4000);
	is_int(strlen(secret_value(s)), 4000);
	is_int(secret_set_header(s, "Authorization: Bearer "), 0);
	is_int(strlen(secret_header(s)), 4000 + 22);
	secret_destroy(s);
}

static void
header_is_prefix_and_key(void)
{
	struct secret *s = secret_create(KEY, strlen(KEY));
	char *huge;

	t_bail_if(s == NULL);
	is_int(secret_set_header(s, "Authorization: Bearer "), 0);
	is_str(secret_header(s), "Authorization: Bearer " KEY);
	is_int(secret_set_header(s, "x-api-key: "), 0);	/* replaced */
	is_str(secret_header(s), "x-api-key: " KEY);
	is_int(secret_set_header(s, ""), 0);
	is_str(secret_header(s), KEY);
	huge = malloc(100001);
	memset(huge, 'p', 100000);
	huge[100000] = '\0';
	is_int(secret_set_header(s, huge), -ENAMETOOLONG);
	is_str(secret_header(s), KEY);		/* unchanged */
	is_int(secret_set_header(s, NULL), -EINVAL);
	is_int(secret_set_header(NULL, "x"), -EINVAL);
	free(huge);
	secret_destroy(s);
}

static void
null_safe(void)
{
	char text[] = "nothing";

	secret_destroy(NULL);
	ok(secret_value(NULL) == NULL);
	ok(secret_header(NULL) == NULL);
	is_int(secret_len(NULL), 0);
	is_int(secret_redact(NULL, text), 0);
	is_str(text, "nothing");
}

static void
redact_table(void)
{
	static const struct {
		const char *key, *text, *want;
		int n;
	} cases[] = {
		{ KEY, "Incorrect API key provided: " KEY ".",
		    "Incorrect API key provided: ***.", 1 },
		{ KEY, "no key here", "no key here", 0 },
		{ KEY, "", "", 0 },
		{ KEY, KEY, "***", 1 },
		{ KEY, KEY KEY, "******", 2 },
		{ KEY, "a " KEY " b " KEY " c", "a *** b *** c", 2 },
		/* pieces of 8 or more, anywhere in the key */
		{ KEY, "key sk-abcde...789", "key ***...789", 1 },
		{ KEY, "key sk-abcd...", "key sk-abcd...", 0 },	/* 7 bytes */
		{ KEY, "mid: ghijklmn!", "mid: ***!", 1 },
		{ KEY, "end: 23456789", "end: ***", 1 },
		{ KEY, "ghijklmnXXXXqrstuvwx", "***XXXX***", 2 },
		/* the run is as long as it goes */
		{ KEY, "sk-abcdefghij-not", "***-not", 1 },
		{ KEY, "zzsk-abcdefghij", "zz***", 1 },
		{ KEY, "sk-abcdefg", "***", 1 },	/* exactly 8+ at the end */
		/* repeats in the key */
		{ "aaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaa", "******a", 2 },
		{ "abababababab", "xababababababx", "x***x", 1 },
		{ "abababababab", "ababababababababab", "***ababab", 1 },
		{ "abababababab", "abababababababababab", "******", 2 },
		/* keys shorter than 8: whole occurrences only */
		{ "abc12", "x abc12 y abc1 z", "x *** y abc1 z", 1 },
		{ "abc12", "abc12abc12", "******", 2 },
		{ "ab", "xaby ab", "x**y **", 2 },
		{ "q", "qq", "**", 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct secret *s = secret_create(cases[i].key,
		    strlen(cases[i].key));
		char *text = strdup(cases[i].text);
		int n;

		t_bail_if(s == NULL);
		n = secret_redact(s, text);
		if (n != cases[i].n || strcmp(text, cases[i].want) != 0)
			T_DIAG("case %zu: \"%s\" (%d), want \"%s\" (%d)", i, text, n,
			    cases[i].want, cases[i].n);
		free(text);
		secret_destroy(s);
	}
}

static void
redact_long_text(void)
{
	struct secret *s = secret_create(KEY, strlen(KEY));
	size_t len = 100000;
	char *text = malloc(len + 1);

	t_bail_if(s == NULL);
	memset(text, 's', len);		/* "s" is in the key, "ss" is not */
	memcpy(text + 50000, KEY, strlen(KEY));
	text[len] = '\0';
	is_int(secret_redact(s, text), 1);
	is_int(strlen(text), len - strlen(KEY) + 3);
	ok(strstr(text, "***") == text + 50000);
	free(text);
	secret_destroy(s);
}

/* The key's page is marked "dd" (no dump) in /proc/self/smaps. */
static void
page_is_excluded_from_dumps(void)
{
	struct secret *s = secret_create(KEY, strlen(KEY));
	unsigned long addr = (unsigned long)(uintptr_t)secret_value(s), lo, hi;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, found = false, dd = false;

	t_bail_if(s == NULL);
	if (f == NULL) {
		printf("# no /proc/self/smaps: skipped\n");
		secret_destroy(s);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = addr >= lo && addr < hi;
			found |= in;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			dd = strstr(line, " dd") != NULL;
		}
	}
	fclose(f);
	ok(found);
	ok(dd);
	/* the header lives in the same mapping */
	ok((unsigned long)(uintptr_t)secret_header(s) > addr);
	secret_destroy(s);
}

/* The environment's copy of a key is wiped in place: the bytes the
 * process started with (what /proc/PID/environ shows) hold no key. */
static void
env_copy_is_wiped(void)
{
	char a[] = "OPENAI_API_KEY=" KEY, b[] = "OPENAI_API_KEY_FILE=/k",
	    c[] = "OPENAI_API_KEYS=x", d[] = "OPENAI_API_KEY=second";
	char *envp[] = { a, b, c, d, NULL };

	secret_wipe_env(envp, "OPENAI_API_KEY", false);
	is_str(a, "OPENAI_API_KEY=");
	for (size_t i = strlen("OPENAI_API_KEY="); i < sizeof(a); i++)
		if (a[i] != '\0')
			T_DIAG("byte %zu of the entry is not wiped", i);
	is_str(d, "OPENAI_API_KEY=");
	is_str(b, "OPENAI_API_KEY_FILE=/k");	/* other names stay */
	is_str(c, "OPENAI_API_KEYS=x");
	secret_wipe_env(NULL, "X", false);	/* NULL-safe */

	/* with unset, the process's environment loses the name */
	t_bail_if(setenv("AGENTD_TEST_KEY", KEY, 1) != 0);
	secret_wipe_env(environ, "AGENTD_TEST_KEY", true);
	ok(getenv("AGENTD_TEST_KEY") == NULL);
}

#define TESTS(X) \
	X(create_copies_the_key) \
	X(create_refuses_empty_long_and_nul) \
	X(header_is_prefix_and_key) \
	X(null_safe) \
	X(redact_table) \
	X(redact_long_text) \
	X(page_is_excluded_from_dumps) \
	X(env_copy_is_wiped)
T_MAIN(TESTS)
