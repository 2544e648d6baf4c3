/*
 * Tests of tui/common: the formatter agentop and agentctl share (fmt.c)
 * and UTF-8 with display widths (utf8.c). Widths need a UTF-8 locale:
 * every test sets C.UTF-8, as agentop and agentctl take the terminal's.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "fmt.h"
#include "format.h"
#include "utf8.h"

#define CJK	"\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97"	/* 中文字: 3 × 2 columns */
#define EMOJI	"\xf0\x9f\x98\x80"			/* 😀 U+1F600: 2 columns */
#define E_ACUTE	"\xc3\xa9"				/* é: 1 column */
#define COMBINE	"e\xcc\x81"				/* e + U+0301: 1 column */
#define ELLIPSIS "\xe2\x80\xa6"

static void
utf8_locale(void)
{
	t_bail_if(setlocale(LC_CTYPE, "C.UTF-8") == NULL);
}

/* 59.99 s: the figure the issue names. agentop's views call fmt_duration()
 * directly; agentctl reaches it through format_amount(), format_waiting()
 * and format_deadline(). Both cut: 59.9s. */
static void
duration_59_99_is_the_same_in_both(void)
{
	char a[FMT_SHORT], b[64];

	is_str(fmt_duration(a, sizeof(a), 59990), "59.9s");
	is_str(fmt_duration(a, sizeof(a), 59999), "59.9s");
	is_str(format_amount(b, sizeof(b), "wall_ms", 59990), "59.9s");
	is_str(format_waiting(b, sizeof(b), "model", 1000, 60990), "model 59.9s");
	is_str(format_deadline(b, sizeof(b), 60990, 1000), "59.9s");
	is_str(fmt_age(a, sizeof(a), 1000, 60990), "59.9s");
	/* every unit is cut, none rounds up into the next */
	is_str(fmt_duration(a, sizeof(a), 3599999), "59m59s");
	is_str(fmt_duration(a, sizeof(a), 86399999), "23h59m");
	is_str(fmt_duration(a, sizeof(a), 1260), "1.2s");
	is_str(fmt_duration(a, sizeof(a), 273600000), "3d04h");
	is_str(fmt_duration(a, sizeof(a), -1), "0ms");
	is_str(fmt_age(a, sizeof(a), 2000, 1000), "0ms");	/* clock behind */
}

static void
tokens_long_and_short(void)
{
	static const struct { int64_t n; const char *lng, *shrt; } cases[] = {
		{ -1, "0", "0" }, { 999, "999", "999" }, { 1000, "1.0k", "1.0k" },
		{ 1250, "1.3k", "1.3k" },	/* half up in both */
		{ 9949, "9.9k", "9.9k" }, { 9950, "10.0k", "10k" },
		{ 12345, "12.3k", "12k" }, { 110000, "110.0k", "110k" },
		{ 999499, "999.5k", "999k" }, { 999500, "999.5k", "1.0M" },
		{ 999950, "1.0M", "1.0M" }, { 12345678, "12.3M", "12M" },
		{ 2500000000LL, "2.5G", "2.5G" }, { INT64_MAX, "9223372.0T",
		    "9223372T" },
	};
	char buf[FMT_SHORT];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_str(fmt_tokens(buf, sizeof(buf), cases[i].n), cases[i].lng);
		is_str(fmt_tokens_short(buf, sizeof(buf), cases[i].n), cases[i].shrt);
		/* the short form fits 4 columns below 10,000 T */
		if (cases[i].n < 1000000000000000LL)
			ok(strlen(buf) <= 4);
	}
}

static void
costs_long_and_short(void)
{
	char buf[FMT_SHORT];

	is_str(fmt_cost(buf, sizeof(buf), 0.0123), "$0.0123");
	is_str(fmt_cost_short(buf, sizeof(buf), 0.0123), "$0.0123");
	is_str(fmt_cost(buf, sizeof(buf), 12.3456), "$12.3456");
	is_str(fmt_cost_short(buf, sizeof(buf), 12.3456), "$12.35");
	is_str(fmt_cost_short(buf, sizeof(buf), 9.99996), "$10.0000");
	is_str(fmt_cost_short(buf, sizeof(buf), -3), "$0.0000");
	is_str(fmt_cost_short(buf, sizeof(buf), 0.0 / 0.0), "$0.0000");
	/* a short buffer: still terminated */
	is_str(fmt_cost(buf, 4, 1.5), "$1.");
}

static void
decoding(void)
{
	uint32_t cp = 0;

	is_int(utf8_decode("A", 1, &cp), 1);
	is_int(cp, 'A');
	is_int(utf8_decode(E_ACUTE, 2, &cp), 2);
	is_int(cp, 0xe9);
	is_int(utf8_decode(CJK, 9, &cp), 3);
	is_int(cp, 0x4e2d);
	is_int(utf8_decode(EMOJI, 4, &cp), 4);
	is_int(cp, 0x1f600);
	/* what is not UTF-8 */
	is_int(utf8_decode("\x80", 1, NULL), 0);		/* stray */
	is_int(utf8_decode("\xc0\xaf", 2, NULL), 0);		/* overlong */
	is_int(utf8_decode("\xe0\x80\xaf", 3, NULL), 0);	/* overlong */
	is_int(utf8_decode("\xed\xa0\x80", 3, NULL), 0);	/* surrogate */
	is_int(utf8_decode("\xf4\x90\x80\x80", 4, NULL), 0);	/* > U+10FFFF */
	is_int(utf8_decode("\xff", 1, NULL), 0);
	is_int(utf8_decode(EMOJI, 3, NULL), 0);			/* cut short */
	is_int(utf8_decode("", 0, NULL), 0);
}

static void
prefixes_and_tails(void)
{
	char buf[8];

	/* never inside a character */
	is_int(utf8_prefix(CJK, 9, 9), 9);
	is_int(utf8_prefix(CJK, 9, 8), 6);
	is_int(utf8_prefix(CJK, 9, 4), 3);
	is_int(utf8_prefix(CJK, 9, 2), 0);
	is_int(utf8_prefix("ab" EMOJI, 6, 5), 2);
	is_int(utf8_tail(CJK, 9, 9), 0);
	is_int(utf8_tail(CJK, 9, 7), 3);
	is_int(utf8_tail(CJK, 9, 1), 9);
	/* a copy as valid UTF-8: bad bytes become '?', a character that
	 * does not fit is left out whole */
	utf8_copy(buf, sizeof(buf), "a\xff" "b\xc0\xaf");
	is_str(buf, "a?b??");
	utf8_copy(buf, sizeof(buf), "ab" EMOJI "c");
	is_str(buf, "ab" EMOJI "c");
	utf8_copy(buf, 6, "ab" EMOJI "c");
	is_str(buf, "ab");
}

static void
widths(void)
{
	utf8_locale();
	is_int(utf8_width("hello"), 5);
	is_int(utf8_width(E_ACUTE), 1);
	is_int(utf8_width(COMBINE), 1);
	is_int(utf8_width(CJK), 6);
	is_int(utf8_width(EMOJI), 2);
	is_int(utf8_width("\xef\xbc\xa1"), 2);		/* fullwidth A */
	is_int(utf8_width(ELLIPSIS), 1);
	/* drawn as a space or '?': one column each */
	is_int(utf8_width("a\tb"), 3);
	is_int(utf8_width("\xc2\x9b"), 1);		/* C1 CSI */
	is_int(utf8_width("a\xff\x80z"), 4);
	is_int(utf8_width_n(CJK, 6), 4);
}

static void
fitting_wide_characters(void)
{
	utf8_locale();
	/* whole characters only: a wide one that would cross the edge is
	 * left out */
	is_int(utf8_fit(CJK, 6), 9);
	is_int(utf8_fit(CJK, 5), 6);
	is_int(utf8_fit(CJK, 4), 6);
	is_int(utf8_fit(CJK, 1), 0);
	is_int(utf8_fit("a" EMOJI "b", 2), 1);
	is_int(utf8_fit("a" EMOJI "b", 3), 5);
	is_int(utf8_fit(COMBINE "x", 1), 3);	/* the mark stays with its e */
	is_int(utf8_fit("a\xff" "b", 2), 2);
	is_int(utf8_fit("abc", 0), 0);
}

/* agentctl's cells: cut with "…" and padded to the width in columns. */
static void
agentctl_cells_of_wide_text(void)
{
	char buf[64];

	utf8_locale();
	is_str(format_fit(buf, sizeof(buf), CJK, 6), CJK);
	/* 5 columns: 中 (2) + "…" (1) and one column of padding, as 文 would
	 * cross the edge */
	is_str(format_fit(buf, sizeof(buf), CJK, 5), "\xe4\xb8\xad\xe6\x96\x87"
	    ELLIPSIS);
	is_int(format_width(buf), 5);
	is_str(format_fit(buf, sizeof(buf), CJK, 4), "\xe4\xb8\xad" ELLIPSIS);
	is_int(format_width(buf), 3);
	is_str(format_fit(buf, sizeof(buf), "ok " EMOJI " done", 5),
	    "ok " ELLIPSIS);
	is_str(format_fit(buf, sizeof(buf), "ok " EMOJI " done", 6),
	    "ok " EMOJI ELLIPSIS);
	is_int(format_width(buf), 6);
}

#define TESTS(X) \
	X(duration_59_99_is_the_same_in_both) \
	X(tokens_long_and_short) \
	X(costs_long_and_short) \
	X(decoding) \
	X(prefixes_and_tails) \
	X(widths) \
	X(fitting_wide_characters) \
	X(agentctl_cells_of_wide_text)
T_MAIN(TESTS)
