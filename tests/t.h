/*
 * A tiny TAP harness. A test file lists its tests once:
 *
 *	#define TESTS(X) X(parses_empty) X(rejects_garbage)
 *	T_MAIN(TESTS)
 *
 * Each test is `static void name(void)`; it fails when any check in it
 * fails. Checks print a diagnostic with file and line and go on.
 */
#ifndef AGENTD_T_H
#define AGENTD_T_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures;	/* failed checks in the current test */

#define T_DIAG(...) do { \
	fprintf(stdout, "# %s:%d: ", __FILE__, __LINE__); \
	fprintf(stdout, __VA_ARGS__); \
	fputc('\n', stdout); \
	t_failures++; \
} while (0)

#define ok(cond) do { \
	if (!(cond)) T_DIAG("check failed: %s", #cond); \
} while (0)

#define is_int(got, want) do { \
	long long t_g_ = (long long)(got), t_w_ = (long long)(want); \
	if (t_g_ != t_w_) \
		T_DIAG("%s is %lld, want %lld", #got, t_g_, t_w_); \
} while (0)

#define is_str(got, want) do { \
	const char *t_g_ = (got), *t_w_ = (want); \
	if (t_g_ == NULL || t_w_ == NULL ? t_g_ != t_w_ : strcmp(t_g_, t_w_) != 0) \
		T_DIAG("%s is \"%s\", want \"%s\"", #got, \
		    t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)"); \
} while (0)

#define has_str(hay, needle) do { \
	const char *t_h_ = (hay), *t_n_ = (needle); \
	if (t_h_ == NULL || strstr(t_h_, t_n_) == NULL) \
		T_DIAG("%s (\"%s\") does not contain \"%s\"", #hay, \
		    t_h_ ? t_h_ : "(null)", t_n_); \
} while (0)

/* Stop the current test (e.g. a precondition failed). */
#define t_bail_if(cond) do { \
	if (cond) { T_DIAG("precondition failed: %s", #cond); return; } \
} while (0)

#define T_DECL(name) static void name(void);
#define T_ENTRY(name) { #name, name },
#define T_MAIN(LIST) \
	LIST(T_DECL) \
	int main(void) { \
		static const struct { const char *name; void (*fn)(void); } \
		    t_list[] = { LIST(T_ENTRY) }; \
		size_t n = sizeof(t_list) / sizeof(t_list[0]); \
		int failed = 0; \
		setvbuf(stdout, NULL, _IONBF, 0); \
		printf("1..%zu\n", n); \
		for (size_t i = 0; i < n; i++) { \
			t_failures = 0; \
			t_list[i].fn(); \
			printf("%sok %zu - %s\n", t_failures ? "not " : "", \
			    i + 1, t_list[i].name); \
			failed += t_failures != 0; \
		} \
		return failed != 0; \
	}

#endif
