/*
 * Tests of agentctl's pure parts: value formatting and parsing (format.c),
 * tables (table.c), the command line (args.c) and the text views of replies
 * (view.c). No daemon, no sockets.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "t.h"
#include "t_json.h"
#include "args.h"
#include "format.h"
#include "page.h"
#include "table.h"
#include "view.h"

#define NOW	1795452560000LL		/* a fixed "now", ms since the epoch */

/* Every line of @text fits @width columns. */
static bool
fits(const char *text, size_t width)
{
	char *copy = strdup(text), *save = NULL;
	bool ok = true;

	for (char *line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (format_width(line) > width) {
			printf("# too wide (%zu): %s\n", format_width(line), line);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

/* ---- format.c ------------------------------------------------------------ */

static void
durations(void)
{
	static const struct { int64_t ms; const char *want; } cases[] = {
		{ -5, "0ms" }, { 0, "0ms" }, { 850, "850ms" }, { 999, "999ms" },
		{ 1000, "1.0s" }, { 1234, "1.2s" }, { 12345, "12.3s" },
		{ 59999, "59.9s" }, { 60000, "1m00s" }, { 245000, "4m05s" },
		{ 190000, "3m10s" }, { 3599999, "59m59s" }, { 3600000, "1h00m" },
		{ 7800000, "2h10m" }, { 86399999, "23h59m" }, { 86400000, "1d00h" },
		{ 273600000, "3d04h" },
	};
	char buf[FORMAT_SHORT];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(fmt_duration(buf, sizeof(buf), cases[i].ms), cases[i].want);
	/* a short buffer truncates, still terminated */
	is_str(fmt_duration(buf, 4, 245000), "4m0");
}

static void
tokens(void)
{
	static const struct { int64_t n; const char *want; } cases[] = {
		{ -1, "0" }, { 0, "0" }, { 999, "999" }, { 1000, "1.0k" },
		{ 1234, "1.2k" }, { 1250, "1.3k" }, { 5520, "5.5k" },
		{ 110000, "110.0k" }, { 999949, "999.9k" }, { 999950, "1.0M" },
		{ 12345678, "12.3M" }, { 2500000000LL, "2.5G" },
	};
	char buf[FORMAT_SHORT];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(fmt_tokens(buf, sizeof(buf), cases[i].n), cases[i].want);
}

static void
costs_and_amounts(void)
{
	char buf[FORMAT_SHORT];

	is_str(fmt_cost(buf, sizeof(buf), 0.0123), "$0.0123");
	is_str(fmt_cost(buf, sizeof(buf), 0), "$0.0000");
	is_str(fmt_cost(buf, sizeof(buf), 0.00495), "$0.0050");
	is_str(fmt_cost(buf, sizeof(buf), 12.3456), "$12.3456");
	is_str(fmt_cost(buf, sizeof(buf), -1), "$0.0000");
	is_str(fmt_cost(buf, sizeof(buf), 0.0 / 0.0), "$0.0000");
	is_str(format_amount(buf, sizeof(buf), "cost_usd", 0.5), "$0.5000");
	is_str(format_amount(buf, sizeof(buf), "wall_ms", 3109), "3.1s");
	is_str(format_amount(buf, sizeof(buf), "tokens_in", 5250), "5.3k");
	is_str(format_amount(buf, sizeof(buf), "tokens_out", 270), "270");
	is_str(format_amount(buf, sizeof(buf), "llm_calls", 4), "4");
}

static void
waiting_and_deadlines(void)
{
	char buf[64];

	is_str(format_waiting(buf, sizeof(buf), NULL, 0, NOW), "-");
	is_str(format_waiting(buf, sizeof(buf), "", 0, NOW), "-");
	is_str(format_waiting(buf, sizeof(buf), "none", NOW - 5, NOW), "-");
	is_str(format_waiting(buf, sizeof(buf), "model", NOW - 1200, NOW),
	    "model 1.2s");
	is_str(format_waiting(buf, sizeof(buf), "operator", NOW - 190000, NOW),
	    "operator 3m10s");
	is_str(format_waiting(buf, sizeof(buf), "queue", 0, NOW), "queue");
	/* a clock a little behind the daemon's */
	is_str(format_waiting(buf, sizeof(buf), "tool", NOW + 30, NOW), "tool 0ms");
	is_str(format_deadline(buf, sizeof(buf), NOW + 898000, NOW), "14m58s");
	is_str(format_deadline(buf, sizeof(buf), NOW, NOW), "expired");
	is_str(format_deadline(buf, sizeof(buf), NOW - 1, NOW), "expired");
}

static void
fitting_text(void)
{
	char buf[64];

	is_str(format_fit(buf, sizeof(buf), "hello", 10), "hello");
	is_str(format_fit(buf, sizeof(buf), "hello", 5), "hello");
	is_str(format_fit(buf, sizeof(buf), "hello world", 8), "hello w\xe2\x80\xa6");
	is_int(format_width(format_fit(buf, sizeof(buf), "hello world", 8)), 8);
	is_str(format_fit(buf, sizeof(buf), "hello", 1), "\xe2\x80\xa6");
	is_str(format_fit(buf, sizeof(buf), "hello", 0), "");
	is_str(format_fit(buf, sizeof(buf), "", 3), "");
	/* code points, not bytes */
	is_int(format_width("h\xc3\xa9llo \xe2\x80\xa6"), 7);
	is_str(format_fit(buf, sizeof(buf), "h\xc3\xa9llo w\xc3\xb6rld", 6),
	    "h\xc3\xa9llo\xe2\x80\xa6");
	is_str(format_fit(buf, sizeof(buf), "\xc3\xa9\xc3\xa9\xc3\xa9", 3),
	    "\xc3\xa9\xc3\xa9\xc3\xa9");
	/* a short buffer: cut at a code point, still with the ellipsis */
	is_str(format_fit(buf, 8, "abcdefghij", 20), "abcd\xe2\x80\xa6");
	is_str(format_fit(buf, 3, "abcdefghij", 20), "");
}

/* Nothing in @s that a terminal acts on: no C0 but newline and tab, no
 * DEL, no C1 (U+0080..U+009F, C2 80..C2 9F in UTF-8). */
static bool
terminal_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)) {
			printf("# raw byte 0x%02x at %zu: %s\n", *p,
			    (size_t)(p - (const unsigned char *)s), s);
			return false;
		}
	return true;
}

/* A task that clears the screen, sets the window title and rings. */
#define HOSTILE	"x\x1b[2J\x1b]0;pwned\x07\xc2\x9b" "31m y"
#define HOSTILE_SHOWN "x\\x1b[2J\\x1b]0;pwned\\x07\\xc2\\x9b31m y"

static void
escapes_control_characters(void)
{
	static const struct {
		enum format_esc mode;
		const char *in, *want;
	} cases[] = {
		{ FORMAT_ESC_LINE, "", "" },
		{ FORMAT_ESC_LINE, "plain text, caf\xc3\xa9 \xe2\x86\x92 ok",
		    "plain text, caf\xc3\xa9 \xe2\x86\x92 ok" },
		{ FORMAT_ESC_LINE, HOSTILE, HOSTILE_SHOWN },
		{ FORMAT_ESC_LINE, "a\tb\nc\rd", "a\\x09b\\x0ac\\x0dd" },
		{ FORMAT_ESC_LINE, "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
		/* C1 at both ends of its range; U+00A0 and up are text */
		{ FORMAT_ESC_LINE, "\xc2\x80\xc2\x9f\xc2\xa0",
		    "\\xc2\\x80\\xc2\\x9f\xc2\xa0" },
		/* not UTF-8: a lone C1 byte, a cut sequence, an overlong, a
		 * surrogate */
		{ FORMAT_ESC_LINE, "a\x9b" "b", "a\\x9bb" },
		{ FORMAT_ESC_LINE, "\xe2\x86", "\\xe2\\x86" },
		{ FORMAT_ESC_LINE, "\xc0\xaf", "\\xc0\\xaf" },
		{ FORMAT_ESC_LINE, "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		/* a backslash stays: --json has the exact text */
		{ FORMAT_ESC_LINE, "C:\\x1b", "C:\\x1b" },
		{ FORMAT_ESC_TEXT, "one\n\ttwo\r\n\x1b[0m",
		    "one\n\ttwo\\x0d\n\\x1b[0m" },
		{ FORMAT_ESC_TEXT, HOSTILE, HOSTILE_SHOWN },
		/* JSON text: the same values, nothing raw */
		{ FORMAT_ESC_JSON, "{\"t\":\"x\\u001b[2J\xc2\x9b\x7f\xc3\xa9\"}",
		    "{\"t\":\"x\\u001b[2J\\u009b\\u007f\xc3\xa9\"}" },
		{ FORMAT_ESC_JSON, "{\n  \"a\": 1\n}", "{\n  \"a\": 1\n}" },
		{ FORMAT_ESC_JSON, "\"\x80\"", "\"\\ufffd\"" },
	};
	struct sbuf b;
	char *s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = format_escaped(cases[i].in, cases[i].mode);
		is_str(s, cases[i].want);
		ok(cases[i].mode == FORMAT_ESC_JSON || terminal_safe(s));
		/* escaping twice changes nothing */
		if (cases[i].mode != FORMAT_ESC_JSON) {
			char *again = format_escaped(s, cases[i].mode);
			is_str(again, s);
			free(again);
		}
		free(s);
	}
	/* the JSON form reads back as the same value */
	{
		json_t *v = json_pack("{s:s}", "t", HOSTILE "\x7f"), *back;
		char *text = json_dumps(v, JSON_COMPACT);

		s = format_escaped(text, FORMAT_ESC_JSON);
		ok(terminal_safe(s));
		back = json_loads(s, 0, NULL);
		ok(back != NULL && json_equal(back, v));
		json_decref(back);
		json_decref(v);
		free(text);
		free(s);
	}
	/* appends */
	sbuf_init(&b);
	sbuf_puts(&b, "> ");
	format_escape(&b, "\x1b", FORMAT_ESC_LINE);
	is_str(sbuf_str(&b), "> \\x1b");
	sbuf_finish(&b);
}

static void
parses_durations(void)
{
	static const struct { const char *s; int64_t ms; } good[] = {
		{ "30m", 1800000 }, { "2h", 7200000 }, { "7d", 604800000 },
		{ "1h30m", 5400000 }, { "500ms", 500 }, { "90s", 90000 },
		{ "1w", 604800000 }, { "0s", 0 },
	};
	static const char *const bad[] = {
		"", "30", "m", "5x", "1h30", "-1h", " 1h", "1h ", "1.5h", "h1",
		"99999999999999999999d",
	};
	char err[200];
	int64_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		is_int(format_parse_duration(good[i].s, &ms, err, sizeof(err)), 0);
		is_int(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ms = 42;
		ok(format_parse_duration(bad[i], &ms, err, sizeof(err)) < 0);
		is_int(ms, 42);		/* written only on success */
		ok(err[0] != '\0');
	}
	format_parse_duration("30", &ms, err, sizeof(err));
	has_str(err, "needs a unit");
}

static void
parses_integers(void)
{
	char err[200];
	int64_t v = 0;

	is_int(format_parse_int("10", 1, 100, &v, err, sizeof(err)), 0);
	is_int(v, 10);
	is_int(format_parse_int("0", 1, 100, &v, err, sizeof(err)), -ERANGE);
	has_str(err, "out of range");
	is_int(format_parse_int("101", 1, 100, &v, err, sizeof(err)), -ERANGE);
	is_int(format_parse_int("abc", 1, 100, &v, err, sizeof(err)), -EINVAL);
	is_int(format_parse_int("10x", 1, 100, &v, err, sizeof(err)), -EINVAL);
	has_str(err, "\"x\"");
	is_int(format_parse_int("", 1, 100, &v, err, sizeof(err)), -EINVAL);
	is_int(format_parse_int(" 5", 1, 100, &v, err, sizeof(err)), -EINVAL);
	is_int(format_parse_int("99999999999999999999", 0, INT64_MAX, &v, err,
	    sizeof(err)), -ERANGE);
	is_int(v, 10);
}

static void
parses_json_objects(void)
{
	char err[300];
	json_t *v = NULL;

	is_int(format_parse_json_object("{\"a\":1}", "--args", &v, err,
	    sizeof(err)), 0);
	ok(json_is_object(v));
	json_decref(v);
	v = NULL;
	is_int(format_parse_json_object("{\"a\":1,}", "--args", &v, err,
	    sizeof(err)), -EINVAL);
	ok(v == NULL);
	has_str(err, "--args is not valid JSON");
	has_str(err, "line 1, column 8");
	is_int(format_parse_json_object("{\n\"a\": tru}", "--args", &v, err,
	    sizeof(err)), -EINVAL);
	has_str(err, "line 2");
	is_int(format_parse_json_object("[1]", "--args", &v, err, sizeof(err)),
	    -EINVAL);
	has_str(err, "not an array");
	is_int(format_parse_json_object("\"x\"", "--budget", &v, err,
	    sizeof(err)), -EINVAL);
	has_str(err, "--budget must be a JSON object");
	is_int(format_parse_json_object("{\"a\":1,\"a\":2}", "--args", &v, err,
	    sizeof(err)), -EINVAL);
	is_int(format_parse_json_object("", "--args", &v, err, sizeof(err)),
	    -EINVAL);
}

static void
sbuf_grows(void)
{
	struct sbuf b;
	char *s;

	sbuf_init(&b);
	is_str(sbuf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%d,", i % 10);
	is_int(b.len, 2000);
	sbuf_puts(&b, "end");
	s = sbuf_steal(&b);
	is_int(strlen(s), 2003);
	ok(b.s == NULL && b.len == 0);
	free(s);
	s = sbuf_steal(&b);
	is_str(s, "");
	free(s);
	sbuf_finish(&b);
	sbuf_finish(NULL);
}

/* ---- table.c --------------------------------------------------------------- */

static void
table_aligns_and_fits(void)
{
	static const struct table_col cols[] = {
		{ "NAME", 0, 0 }, { "N", TABLE_RIGHT, 0 }, { "NOTE", TABLE_SHRINK, 4 },
	};
	struct table t;
	char *text;

	table_init(&t, cols, 3);
	table_add(&t, (const char *const []){ "a", "1", "short" });
	table_add(&t, (const char *const []){ "bbb", "100", NULL });
	text = table_render(&t, 80);
	is_str(text, "NAME    N  NOTE\na       1  short\nbbb   100\n");
	free(text);
	/* too wide: the gap narrows, then NOTE is cut with "…" */
	table_add(&t, (const char *const []){ "c", "2",
	    "a long note that cannot fit in the width asked for" });
	text = table_render(&t, 20);
	ok(fits(text, 20));
	has_str(text, "c      2 a long not\xe2\x80\xa6\n");
	free(text);
	table_finish(&t);
	table_finish(&t);		/* a zeroed table */
}

static void
table_keeps_minimum(void)
{
	static const struct table_col cols[] = {
		{ "A", TABLE_SHRINK, 6 }, { "B", TABLE_SHRINK, 6 },
	};
	struct table t;
	char *text;

	table_init(&t, cols, 2);
	table_add(&t, (const char *const []){ "aaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb" });
	/* the gap narrows, then the one furthest above its minimum gives
	 * up width first */
	text = table_render(&t, 25);
	is_str(text, "A            B\naaaaaaaaaaaa bbbbbbbbbbb\xe2\x80\xa6\n");
	free(text);
	/* never below the minimum, even if the table then overflows */
	text = table_render(&t, 5);
	is_str(text, "A      B\naaaaa\xe2\x80\xa6 bbbbb\xe2\x80\xa6\n");
	free(text);
	t.indent = "  ";
	text = table_render(&t, 80);
	has_str(text, "  A ");
	free(text);
	table_finish(&t);
}

/* ---- args.c ---------------------------------------------------------------------- */

static int
parse(struct args *a, char *err, const char *const *argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	err[0] = '\0';
	return args_parse(argc, (char *const *)argv, agentctl_commands, a, err, 512);
}

static void
args_globals_anywhere(void)
{
	struct args a;
	char err[512];

	is_int(parse(&a, err, (const char *[]){ "agentctl", "--json", "runs",
	    NULL }), 0);
	ok(a.json);
	is_str(a.cmd->name, "runs");
	is_int(a.timeout_ms, ARGS_TIMEOUT_MS);
	ok(a.socket_dir == NULL);
	is_int(parse(&a, err, (const char *[]){ "agentctl", "runs", "--json",
	    "--socket-dir", "/tmp/x", "--timeout=250", NULL }), 0);
	ok(a.json);
	is_str(a.socket_dir, "/tmp/x");
	is_int(a.timeout_ms, 250);
	is_int(parse(&a, err, (const char *[]){ "agentctl", "--timeout", "0",
	    "runs", NULL }), -EINVAL);
	has_str(err, "--timeout");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "--socket-dir=",
	    "runs", NULL }), -EINVAL);
	is_int(parse(&a, err, (const char *[]){ "agentctl", NULL }), 0);
	ok(a.cmd == NULL);
	is_int(parse(&a, err, (const char *[]){ "agentctl", "--version", NULL }), 0);
	ok(a.version);
}

static void
args_command_options(void)
{
	struct args a;
	char err[512];

	is_int(parse(&a, err, (const char *[]){ "agentctl", "submit", "deploy",
	    "ship it", "--dry-run", "--model=sim:deploy", "--budget",
	    "{\"cost_usd\":0.1}", NULL }), 0);
	is_str(a.cmd->name, "submit");
	is_int(a.npos, 2);
	is_str(a.pos[0], "deploy");
	is_str(a.pos[1], "ship it");
	is_str(args_get(&a, "dry-run"), "");
	is_str(args_get(&a, "model"), "sim:deploy");
	is_str(args_get(&a, "budget"), "{\"cost_usd\":0.1}");
	ok(args_get(&a, "nonsense") == NULL);
	/* a value may start with a dash; "--" ends the options */
	is_int(parse(&a, err, (const char *[]){ "agentctl", "kill", "r-1",
	    "--reason", "--odd--", NULL }), 0);
	is_str(args_get(&a, "reason"), "--odd--");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "submit", "--",
	    "deploy", "--dry-run", NULL }), 0);
	is_str(a.pos[1], "--dry-run");
	ok(args_get(&a, "dry-run") == NULL);
	/* "version" is hello's other name */
	is_int(parse(&a, err, (const char *[]){ "agentctl", "version", NULL }), 0);
	is_str(a.cmd->name, "hello");
}

static void
args_usage_errors(void)
{
	struct args a;
	char err[512];

	is_int(parse(&a, err, (const char *[]){ "agentctl", "bogus", NULL }),
	    -EINVAL);
	has_str(err, "unknown command \"bogus\"");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "runs", "--bogus",
	    NULL }), -EINVAL);
	has_str(err, "runs: unknown option --bogus");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "--state", "done",
	    "runs", NULL }), -EINVAL);
	has_str(err, "after the command");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "runs", "--state",
	    NULL }), -EINVAL);
	has_str(err, "--state needs a value");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "runs", "--live=1",
	    NULL }), -EINVAL);
	has_str(err, "takes no value");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "show", NULL }),
	    -EINVAL);
	has_str(err, "usage: agentctl show RUN");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "show", "r-1", "r-2",
	    NULL }), -EINVAL);
	has_str(err, "unexpected argument \"r-2\"");
	is_int(parse(&a, err, (const char *[]){ "agentctl", "runs", "-x", NULL }),
	    -EINVAL);
	/* help does not need the arguments */
	is_int(parse(&a, err, (const char *[]){ "agentctl", "show", "--help",
	    NULL }), 0);
	ok(a.help);
	is_int(parse(&a, err, (const char *[]){ "agentctl", "-h", "submit",
	    NULL }), 0);
	ok(a.help);
}

static void
command_table_is_sane(void)
{
	char *text;

	for (const struct cmd_entry *c = agentctl_commands; c->name != NULL; c++) {
		int nopts = 0;

		ok(c->exec != NULL);
		ok(c->help != NULL && c->usage != NULL);
		ok(c->min_args <= c->max_args && c->max_args <= ARGS_MAX_POS);
		for (const struct opt_def *o = c->opts; o != NULL && o->name; o++)
			nopts++;
		ok(nopts <= ARGS_MAX_OPTS);
		ok(args_find(agentctl_commands, c->name) == c);
		text = args_help(agentctl_commands, c);
		has_str(text, c->name);
		free(text);
	}
	text = args_help(agentctl_commands, NULL);
	has_str(text, "--socket-dir");
	has_str(text, "escalations");
	ok(fits(text, 80));
	free(text);
}

/* ---- view.c ----------------------------------------------------------------------- */

static const char runs_json[] =
    "[{'id':'r-f7pxxee9ss','agent':'deploy','state':'awaiting_human','step':2,"
    "'created_ms':1795452370000,'usage':{'tokens_in':1650,'tokens_out':110,"
    "'cost_usd':0.0066},'waiting':{'on':'operator','since_ms':1795452370000,"
    "'detail':'e-1'}},"
    "{'id':'r-t1k37mgv92','agent':'a-very-long-agent-name-indeed',"
    "'state':'done','step':4,'created_ms':1795452557675,'usage':{"
    "'tokens_in':5250,'tokens_out':270,'cost_usd':0.0198},'waiting':null}]";

static void
view_runs_table(void)
{
	json_t *runs = J(runs_json);
	char *text;

	t_bail_if(runs == NULL);
	text = view_runs(runs, NOW);
	ok(fits(text, TABLE_WIDTH));
	has_str(text, "ID");
	has_str(text, "WAITING");
	has_str(text, "r-f7pxxee9ss");
	has_str(text, "awaiting_human");
	has_str(text, "operator 3m10s");
	has_str(text, "$0.0066");
	has_str(text, "1.8k");
	has_str(text, "5.5k");
	has_str(text, "a-very-lon\xe2\x80\xa6");	/* cut to fit */
	free(text);
	json_decref(runs);
	runs = J("[{'id':'r-1','agent':'a','state':'done','step':1,"
	    "'created_ms':1795452557675,'usage':{'cost_usd':0.5},"
	    "'cost_unknown':true,'waiting':null}]");
	text = view_runs(runs, NOW);
	ok(strstr(text, "$0.5") == NULL);	/* a lower bound is not the cost */
	has_str(text, " ? ");
	free(text);
	json_decref(runs);
	runs = json_array();
	text = view_runs(runs, NOW);
	is_str(text, "no runs\n");
	free(text);
	json_decref(runs);
}

static void
view_run_detail(void)
{
	json_t *run = J("{'id':'r-1','agent':'support-triage','task':'customer "
	    "cannot log in','model':'sim:support-triage','state':'done',"
	    "'reason':'final answer','created_ms':1795452557675,"
	    "'ended_ms':1795452560787,'usage':{'llm_calls':4,'tokens_in':5250,"
	    "'wall_ms':3109,'cost_usd':0.0198},'budget':{'llm_calls':10,"
	    "'tokens_in':0,'wall_ms':120000,'cost_usd':0.5},"
	    "'waiting':{'on':'none','since_ms':null,'detail':''},"
	    "'transitions':[{'from':'queued','to':'executing','reason':'started',"
	    "'seq':11,'ts':1795452557678}],"
	    "'spans':[{'kind':'llm','name':'sim:support-triage','step':1,"
	    "'status':'ok','latency_ms':701,'tokens_in':900,'tokens_out':60,"
	    "'cost_usd':0.0036,'stop_reason':'tool_use'},{'kind':'tool',"
	    "'name':'kb_search','step':1,'status':'error','latency_ms':401,"
	    "'error':'no index'},{'kind':'llm','name':'m','step':2,"
	    "'status':'running','elapsed_ms':1500}],"
	    "'messages':[{},{}],'escalations':[],"
	    "'output':'line one\\nline two'}");
	json_t *runs_of_one = json_array();
	char *text;

	t_bail_if(run == NULL);
	text = view_run(run, NOW);
	ok(fits(text, TABLE_WIDTH));
	has_str(text, "run        r-1\n");
	has_str(text, "reason     final answer\n");
	has_str(text, "ended after 3.1s");
	has_str(text, "queued \xe2\x86\x92 executing");
	has_str(text, "40%");
	has_str(text, "$0.5000");
	has_str(text, "900+60");
	has_str(text, "no index");
	has_str(text, "running");
	has_str(text, "1.5s");
	has_str(text, "messages   2");
	has_str(text, "\noutput\n  line one\n  line two\n");
	ok(strstr(text, "waiting") == NULL);	/* it waits on nothing */
	free(text);
	json_decref(run);

	/* a stalled stream: how long it has sent nothing, and from where */
	run = J("{'id':'r-2','agent':'a','model':'openai:m','state':'executing',"
	    "'created_ms':1795452500000,'waiting':{'on':'stalled',"
	    "'since_ms':1795452548000,'detail':'openai:m'}}");
	t_bail_if(run == NULL);
	text = view_run(run, NOW);
	has_str(text, "waiting    no data for 12.0s from openai:m (the stream "
	    "stalled)\n");
	free(text);
	json_array_append_new(runs_of_one, run);
	text = view_runs(runs_of_one, NOW);
	has_str(text, "stalled 12.0s");
	free(text);
	json_decref(runs_of_one);
}

static void
view_escalation_queue(void)
{
	json_t *escs = J("[{'id':'e-1','run':'r-1','tool':'deploy_service',"
	    "'risk':'critical','reason':'tool deploy_service has risk critical',"
	    "'context':'agent deploy, step 2','args':{'env':'production'},"
	    "'decision':'allow deploy_service?','deadline_ms':1795453458000,"
	    "'state':'pending'},{'id':'e-2','run':'r-2','tool':'t','risk':'high',"
	    "'reason':'r','args':{},'decision':'d','deadline_ms':1,"
	    "'state':'pending'}]");
	char *text;

	t_bail_if(escs == NULL);
	text = view_escalations(escs, NOW);
	has_str(text, "DEADLINE");
	ok(strstr(text, "STATE") == NULL);	/* all pending */
	has_str(text, "14m58s");
	has_str(text, "expired");
	has_str(text, "args:     {\"env\":\"production\"}");
	has_str(text, "decide within 14m58s");
	has_str(text, "deadline passed");
	has_str(text, "agentctl approve e-1 [--args JSON]");
	has_str(text, "agentctl reject e-2 --reason TEXT");
	free(text);
	/* a decided one: a STATE column, no decision block */
	json_object_set_new(json_array_get(escs, 1), "state",
	    json_string("approved"));
	text = view_escalations(escs, NOW);
	has_str(text, "STATE");
	has_str(text, "approved");
	ok(strstr(text, "reject e-2") == NULL);
	free(text);
	json_decref(escs);
}

static void
view_agents_and_health(void)
{
	json_t *body = J("{'agents':[{'name':'deploy','pattern':'react',"
	    "'model':'sim:deploy','tools':[{'name':'check_health'},"
	    "{'name':'deploy_service'}],'budget':{'llm_calls':8,'tool_calls':8,"
	    "'tokens_in':0,'cost_usd':0.2}}],'errors':[{'file':'x.json',"
	    "'error':'x.json: bad'},{'file':'y.json','error':'worse'}]}");
	json_t *health = J("{'version':'0.1.0','started_ms':1795452556598,"
	    "'uptime_ms':6519,'killswitch':false,'storage_ok':true,"
	    "'spend_today_usd':0.0264,'load_errors':[],'metrics':["
	    "{'name':'p95_step_latency_ms','value':701.0,'threshold':2000.0,"
	    "'unit':'ms','bad_when':'above','crossed':false,'samples':12},"
	    "{'name':'tool_success_rate','value':0.5,'threshold':0.95,"
	    "'unit':'ratio','bad_when':'below','crossed':true,'samples':1},"
	    "{'name':'cost_per_run_usd','value':null,'threshold':0.25,"
	    "'unit':'usd','bad_when':'above','crossed':false,'samples':0}],"
	    "'providers':[{'name':'openai','breaker':'closed','in_flight':0,"
	    "'rate_waiting':0,'requests':9,'retries':2,'failures':1,"
	    "'last_error':'HTTP 500: boom','last_error_ms':1795452375000},"
	    "{'name':'local','breaker':'closed','in_flight':0,'rate_waiting':0,"
	    "'requests':1,'retries':0,'failures':0,'last_error':null,"
	    "'last_error_ms':null}]}");
	char buf[128], *text;

	t_bail_if(body == NULL || health == NULL);
	is_str(view_budget_summary(buf, sizeof(buf), json_object_get(
	    json_array_get(json_object_get(body, "agents"), 0), "budget")),
	    "$0.2000, llm 8, tools 8");
	is_str(view_budget_summary(buf, sizeof(buf), NULL), "no limit");
	text = view_agents(body);
	ok(fits(text, TABLE_WIDTH));
	has_str(text, "check_health,deploy_service");
	free(text);
	text = view_agent_errors(body);
	has_str(text, "  x.json: bad\n");
	has_str(text, "  y.json: worse\n");
	free(text);
	text = view_health(health, NOW);
	has_str(text, "uptime");
	has_str(text, "6.5s");
	has_str(text, "killswitch            off");
	has_str(text, "spend today           $0.0264");
	has_str(text, "storage ok            yes");
	has_str(text, "metrics               3\n");
	has_str(text, "  p95_step_latency_ms                  701ms  alert above "
	    "2.0s, 12 samples\n");
	has_str(text, "  tool_success_rate        CROSSED     50.0%  alert below "
	    "95.0%, 1 sample\n");
	has_str(text, "  cost_per_run_usd                         -  alert above "
	    "$0.2500, no samples yet\n");
	/* a provider's last error says how long ago it was */
	has_str(text, "1 failed; last error 3m05s ago: HTTP 500: boom\n");
	has_str(text, "0 failed\n");
	ok(strchr(text, '{') == NULL);
	free(text);
	json_decref(body);
	json_decref(health);
}

/* Every view shows text from agentd escaped: HOSTILE in every string. */
static void
views_escape_agentd_text(void)
{
	json_t *run = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I,"
	    " s:{s:s, s:I, s:s}, s:[{s:s, s:s, s:s, s:I}],"
	    " s:[{s:s, s:s, s:s, s:s, s:s, s:I, s:o}],"
	    " s:[{s:s, s:s, s:s, s:s, s:s, s:I}], s:s}",
	    "id", "r-1" HOSTILE, "agent", HOSTILE, "model", HOSTILE,
	    "state", "done", "reason", HOSTILE "\nstate  done", "task", HOSTILE,
	    "created_ms", (json_int_t)NOW - 5000, "ended_ms", (json_int_t)NOW,
	    "waiting", "on", "tool", "since_ms", (json_int_t)NOW - 10, "detail",
	    HOSTILE,
	    "transitions", "from", "queued", "to", HOSTILE, "reason", HOSTILE,
	    "seq", (json_int_t)1,
	    "spans", "kind", "tool", "name", HOSTILE, "status", "error",
	    "error", HOSTILE, "detail", HOSTILE, "step", (json_int_t)1, "args",
	    json_pack("{s:s}", "a", HOSTILE),
	    "escalations", "id", "e-1", "tool", HOSTILE, "risk", "high",
	    "state", "pending", "reason", HOSTILE, "deadline_ms",
	    (json_int_t)NOW + 1000,
	    "output", "first\n\t" HOSTILE "\nlast");
	json_t *runs = json_pack("[O]", run);
	json_t *escs = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s},"
	    " s:s, s:I}]", "id", "e-1" HOSTILE, "run", "r-1", "tool", HOSTILE,
	    "risk", "critical", "state", "pending", "reason", HOSTILE,
	    "context", HOSTILE, "args", "env", HOSTILE, "decision", HOSTILE,
	    "deadline_ms", (json_int_t)NOW + 1000);
	json_t *agents = json_pack("{s:[{s:s, s:s, s:s, s:[{s:s}]}],"
	    " s:[{s:s, s:s}]}", "agents", "name", HOSTILE, "pattern", "react",
	    "model", HOSTILE, "tools", "name", HOSTILE, "errors", "file",
	    HOSTILE, "error", "worse " HOSTILE);
	json_t *health = json_pack("{s:s, s:[{s:s, s:s, s:s}], s:[s], s:s}",
	    "version", HOSTILE, "providers", "name", HOSTILE, "breaker", "open",
	    "last_error", HOSTILE, "load_errors", HOSTILE, HOSTILE, HOSTILE);
	char *text;

	t_bail_if(run == NULL || runs == NULL || escs == NULL ||
	    agents == NULL || health == NULL);
	text = view_run(run, NOW);
	ok(terminal_safe(text));
	has_str(text, "task       " HOSTILE_SHOWN "\n");
	/* a field cannot fake a line of its own */
	has_str(text, "reason     " HOSTILE_SHOWN "\\x0astate  done\n");
	/* the output keeps its lines and tabs */
	has_str(text, "\noutput\n  first\n  \t" HOSTILE_SHOWN "\n  last\n");
	free(text);
	text = view_runs(runs, NOW);
	ok(terminal_safe(text));
	has_str(text, "\\x1b");
	free(text);
	text = view_escalations(escs, NOW);
	ok(terminal_safe(text));
	has_str(text, "  doing:    " HOSTILE_SHOWN "\n");
	free(text);
	text = view_agents(agents);
	ok(terminal_safe(text));
	free(text);
	text = view_agent_errors(agents);
	ok(terminal_safe(text));
	has_str(text, "  " HOSTILE_SHOWN ": worse " HOSTILE_SHOWN "\n");
	free(text);
	text = view_health(health, NOW);
	ok(terminal_safe(text));
	has_str(text, "last error: " HOSTILE_SHOWN "\n");
	free(text);
	text = view_hello(health, "0.1.0");
	ok(terminal_safe(text));
	free(text);
	json_decref(run);
	json_decref(runs);
	json_decref(escs);
	json_decref(agents);
	json_decref(health);
}

/* ---- page.c ------------------------------------------------------------------------ */

/* agentd played by canned replies; what it was asked is kept. */
struct canned {
	const char *const *replies;	/* one a request, ' for " */
	size_t n;			/* replies */
	size_t asked;			/* requests so far */
	json_t *bodies;			/* every request body, in order */
	int fail_at;			/* request number that fails (1-based), 0 */
};

static int
canned_call(void *arg, json_t *body, json_t **reply)
{
	struct canned *cn = arg;

	json_array_append_new(cn->bodies, body);
	cn->asked++;
	if ((int)cn->asked == cn->fail_at || cn->asked > cn->n)
		return 3;	/* as CTL_EXIT_UNREACHABLE */
	*reply = J(cn->replies[cn->asked - 1]);
	return *reply != NULL ? 0 : 1;
}

/* Runs page_collect over @replies for a body; returns what it returns. */
static int
collect(const char *const *replies, size_t n, size_t want, int fail_at,
    json_t **bodies, json_t **out, char *err)
{
	struct canned cn = { replies, n, 0, json_array(), fail_at };
	struct page_query q = { "runs.list", "runs", want };
	json_t *body = J("{'agent':'deploy','limit':500}");
	int r;

	*out = NULL;
	err[0] = '\0';
	r = page_collect(&q, body, canned_call, &cn, out, err, 200);
	json_decref(body);
	*bodies = cn.bodies;
	return r;
}

/* The ids of the runs in @reply, "a,b,c". */
static const char *
ids(const json_t *reply, char *buf, size_t len)
{
	const json_t *run;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(reply, "runs"), i, run)
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s",
		    i > 0 ? "," : "", json_string_value(json_object_get(run, "id")));
	return buf;
}

/* @got equals the JSON text @want (' for "). */
static bool
same_json(const json_t *got, const char *want)
{
	json_t *w = J(want);
	bool same = w != NULL && json_equal(got, w);

	json_decref(w);
	return same;
}

static void
pages_are_followed(void)
{
	static const char *const three[] = {
		"{'runs':[{'id':'a'},{'id':'b'}],'next':'c1','extra':1}",
		"{'runs':[{'id':'c'}],'next':'c2'}",
		"{'runs':[{'id':'d'},{'id':'e'}],'next':null}",
	};
	static const char *const old_agentd[] = {
		"{'runs':[{'id':'a'},{'id':'b'}]}",
	};
	json_t *bodies, *out;
	char err[200], buf[64];

	/* every page until next is null; the cursor only once a reply gave
	 * one, the other fields as on the first page */
	is_int(collect(three, 3, 0, 0, &bodies, &out, err), 0);
	is_str(ids(out, buf, sizeof(buf)), "a,b,c,d,e");
	ok(json_object_get(out, "next") == NULL);
	is_int(json_integer_value(json_object_get(out, "extra")), 1);
	is_int(json_array_size(bodies), 3);
	ok(same_json(json_array_get(bodies, 0), "{'agent':'deploy','limit':500}"));
	ok(same_json(json_array_get(bodies, 1),
	    "{'agent':'deploy','limit':500,'cursor':'c1'}"));
	ok(same_json(json_array_get(bodies, 2),
	    "{'agent':'deploy','limit':500,'cursor':'c2'}"));
	json_decref(bodies);
	json_decref(out);
	/* enough items: no further page, the list cut to what was wanted */
	is_int(collect(three, 3, 3, 0, &bodies, &out, err), 0);
	is_str(ids(out, buf, sizeof(buf)), "a,b,c");
	is_int(json_array_size(bodies), 2);
	json_decref(bodies);
	json_decref(out);
	is_int(collect(three, 3, 1, 0, &bodies, &out, err), 0);
	is_str(ids(out, buf, sizeof(buf)), "a");
	is_int(json_array_size(bodies), 1);
	json_decref(bodies);
	json_decref(out);
	/* an agentd without paging: no next, one page */
	is_int(collect(old_agentd, 1, 100, 0, &bodies, &out, err), 0);
	is_str(ids(out, buf, sizeof(buf)), "a,b");
	is_int(json_array_size(bodies), 1);
	ok(json_object_get(json_array_get(bodies, 0), "cursor") == NULL);
	json_decref(bodies);
	json_decref(out);
	/* a failed call on page 2: its status, nothing out */
	is_int(collect(three, 3, 0, 2, &bodies, &out, err), 3);
	ok(out == NULL);
	json_decref(bodies);
}

static void
pages_that_make_no_sense(void)
{
	static const struct { const char *replies[2]; const char *err; } bad[] = {
		{ { "{'items':[]}", NULL }, "page 1 has no \"runs\" array" },
		{ { "{'runs':[{'id':'a'}],'next':5}", NULL },
		    "\"next\" of page 1 is neither a string nor null" },
		{ { "{'runs':[],'next':'c1'}", NULL },
		    "page 1 is empty but says more follow" },
		{ { "{'runs':[{'id':'a'}],'next':'c1'}",
		    "{'runs':[{'id':'b'}],'next':'c1'}" },
		    "page 2 gives the same cursor as the page before" },
		{ { "{'runs':[{'id':'a'}],'next':'c1'}", "{'runs':{}}" },
		    "page 2 has no \"runs\" array" },
	};
	json_t *bodies, *out;
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = bad[i].replies[1] != NULL ? 2 : 1;

		is_int(collect(bad[i].replies, n, 0, 0, &bodies, &out, err),
		    -EPROTO);
		ok(out == NULL);
		has_str(err, "unexpected reply from agentd to runs.list: ");
		has_str(err, bad[i].err);
		json_decref(bodies);
	}
}

#define TESTS(X) \
	X(durations) X(tokens) X(costs_and_amounts) X(waiting_and_deadlines) \
	X(fitting_text) X(parses_durations) X(parses_integers) \
	X(parses_json_objects) X(sbuf_grows) X(table_aligns_and_fits) \
	X(table_keeps_minimum) X(args_globals_anywhere) X(args_command_options) \
	X(args_usage_errors) X(command_table_is_sane) X(view_runs_table) \
	X(view_run_detail) X(view_escalation_queue) X(view_agents_and_health) \
	X(escapes_control_characters) X(views_escape_agentd_text) \
	X(pages_are_followed) X(pages_that_make_no_sense)
T_MAIN(TESTS)
