/* Themes: the file format, its errors and limits, loading with inherit,
 * colour degradation, and the curses side on headless terminals. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>

#include "t.h"
#include "theme.h"

#ifndef THEMES_DIR
#error "THEMES_DIR must name the source tree's themes/ directory"
#endif

#define F	"x.theme"	/* the file name every parse pretends to read */

static const char *const shipped[] = {
	"default", "light", "high-contrast", "mono",
};
#define N_SHIPPED	(sizeof(shipped) / sizeof(shipped[0]))

static int
parse(const char *text, struct theme *t, char *err, size_t errlen)
{
	return theme_parse(text, strlen(text), F, t, err, errlen);
}

/* Valid UTF-8 throughout (a stricter check lives in the fuzz target). */
static bool
is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
		    (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;

		if (n == 0)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static bool
style_eq(struct theme_style a, struct theme_style b)
{
	return a.fg == b.fg && a.bg == b.bg && a.attrs == b.attrs;
}

/* ---- names -------------------------------------------------------------- */

static void
role_names(void)
{
	char text[128], err[256];
	struct theme t;

	for (int i = 0; i < ROLE__COUNT; i++) {
		const char *name = theme_role_name((enum theme_role)i);

		ok(name != NULL && strcmp(name, "?") != 0);
		/* each name sets exactly its own role */
		snprintf(text, sizeof(text), "%s = red blue bold\n", name);
		is_int(parse(text, &t, err, sizeof(err)), 0);
		for (int j = 0; j < ROLE__COUNT; j++) {
			bool mine = i == j || (i == ROLE_NORMAL);

			if (mine != (t.style[j].fg == COLOR_RED))
				T_DIAG("\"%s\" set role %d: fg %d", name, j,
				    t.style[j].fg);
		}
	}
	is_str(theme_role_name(ROLE__COUNT), "?");
	is_str(theme_role_name((enum theme_role)-1), "?");
	is_str(theme_role_name(ROLE_STATE_AWAITING), "state.awaiting_human");
	is_str(theme_role_name(ROLE_SPAN_RUNNING), "span.running");
}

static void
state_roles(void)
{
	static const struct {
		const char *state;
		int role;
	} cases[] = {
		{ "queued", ROLE_STATE_QUEUED },
		{ "planning", ROLE_STATE_PLANNING },
		{ "executing", ROLE_STATE_EXECUTING },
		{ "reflecting", ROLE_STATE_REFLECTING },
		{ "awaiting_human", ROLE_STATE_AWAITING },
		{ "paused", ROLE_STATE_PAUSED },
		{ "done", ROLE_STATE_DONE },
		{ "failed", ROLE_STATE_FAILED },
		{ "killed", ROLE_STATE_KILLED },
		{ "running", ROLE_NORMAL },
		{ "", ROLE_NORMAL },
		{ "Executing", ROLE_NORMAL },
		{ "executing ", ROLE_NORMAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (theme_role_for_state(cases[i].state) != cases[i].role)
			T_DIAG("state \"%s\" -> %d, want %d", cases[i].state,
			    theme_role_for_state(cases[i].state),
			    cases[i].role);
	is_int(theme_role_for_state(NULL), ROLE_NORMAL);
	/* the state role's name is "state." + the state */
	for (int r = ROLE_STATE_QUEUED; r <= ROLE_STATE_KILLED; r++)
		is_int(theme_role_for_state(theme_role_name(
		    (enum theme_role)r) + 6), r);
}

/* ---- the format --------------------------------------------------------- */

static void
colours(void)
{
	static const struct {
		const char *word;
		int value;
	} cases[] = {
		{ "default", -1 }, { "black", 0 }, { "red", 1 }, { "green", 2 },
		{ "yellow", 3 }, { "blue", 4 }, { "magenta", 5 }, { "cyan", 6 },
		{ "white", 7 }, { "brightblack", 8 }, { "brightred", 9 },
		{ "brightgreen", 10 }, { "brightyellow", 11 },
		{ "brightblue", 12 }, { "brightmagenta", 13 },
		{ "brightcyan", 14 }, { "brightwhite", 15 },
		{ "color0", 0 }, { "color7", 7 }, { "color15", 15 },
		{ "color16", 16 }, { "color196", 196 }, { "color255", 255 },
		{ "color007", 7 }, { "RED", 1 }, { "BrightCyan", 14 },
		{ "Color42", 42 }, { "DEFAULT", -1 },
	};
	char text[128], err[256];
	struct theme t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "title = %s %s\n", cases[i].word,
		    cases[i].word);
		if (parse(text, &t, err, sizeof(err)) != 0) {
			T_DIAG("\"%s\": %s", cases[i].word, err);
			continue;
		}
		if (t.style[ROLE_TITLE].fg != cases[i].value ||
		    t.style[ROLE_TITLE].bg != cases[i].value)
			T_DIAG("\"%s\" -> %d/%d, want %d", cases[i].word,
			    t.style[ROLE_TITLE].fg, t.style[ROLE_TITLE].bg,
			    cases[i].value);
	}
}

static void
attributes(void)
{
	static const struct {
		const char *words;
		unsigned flags;
	} cases[] = {
		{ "bold", THEME_A_BOLD },
		{ "dim", THEME_A_DIM },
		{ "underline", THEME_A_UNDERLINE },
		{ "reverse", THEME_A_REVERSE },
		{ "standout", THEME_A_STANDOUT },
		{ "italic", THEME_A_ITALIC },
		{ "blink", THEME_A_BLINK },
		{ "none", 0 },
		{ "", 0 },
		{ "BOLD Underline", THEME_A_BOLD | THEME_A_UNDERLINE },
		{ "bold bold", THEME_A_BOLD },
		{ "bold dim underline reverse standout italic blink",
		    THEME_A_ALL },
	};
	char text[160], err[256];
	struct theme t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "key = default default %s",
		    cases[i].words);
		if (parse(text, &t, err, sizeof(err)) != 0) {
			T_DIAG("\"%s\": %s", cases[i].words, err);
			continue;
		}
		if (t.style[ROLE_KEY].attrs != cases[i].flags)
			T_DIAG("\"%s\" -> %#x, want %#x", cases[i].words,
			    t.style[ROLE_KEY].attrs, cases[i].flags);
	}
}

static void
comments_and_whitespace(void)
{
	static const char text[] =
	    "# a comment\n"
	    "\n"
	    "   \t  \n"
	    "   # an indented comment\n"
	    "title = red default bold # after whitespace\n"
	    "header=black cyan\n"
	    "\tfooter\t=\tgreen\tdefault\tdim\t\n"
	    "border = blue default\r\n"
	    "key = cyan default#bold\n";	/* no space: part of the word */
	char err[256];
	struct theme t;

	/* all but the last line are fine */
	is_int(theme_parse(text, (size_t)(strstr(text, "key =") - text), F, &t,
	    err, sizeof(err)), 0);
	is_str(err, "");
	ok(style_eq(t.style[ROLE_TITLE],
	    (struct theme_style){ COLOR_RED, -1, THEME_A_BOLD }));
	ok(style_eq(t.style[ROLE_HEADER],
	    (struct theme_style){ COLOR_BLACK, COLOR_CYAN, 0 }));
	ok(style_eq(t.style[ROLE_FOOTER],
	    (struct theme_style){ COLOR_GREEN, -1, THEME_A_DIM }));
	ok(style_eq(t.style[ROLE_BORDER],
	    (struct theme_style){ COLOR_BLUE, -1, 0 }));
	is_str(t.name, "x");

	is_int(parse(text, &t, err, sizeof(err)), -EINVAL);
	is_str(err, F ":9: \"key\": unknown colour \"default#bold\"");

	/* no final newline, and an empty file */
	is_int(parse("title = red red", &t, err, sizeof(err)), 0);
	is_int(t.style[ROLE_TITLE].bg, COLOR_RED);
	is_int(theme_parse("", 0, F, &t, err, sizeof(err)), 0);
	is_int(theme_parse(NULL, 0, F, &t, err, sizeof(err)), 0);
	for (int i = 0; i < ROLE__COUNT; i++)
		ok(style_eq(t.style[i], (struct theme_style){ -1, -1, 0 }));
}

static void
inherits_normal(void)
{
	char err[256];
	struct theme t;

	is_int(parse("dim = default default dim\n"
	    "normal = white black bold\n", &t, err, sizeof(err)), 0);
	for (int i = 0; i < ROLE__COUNT; i++) {
		struct theme_style want = i == ROLE_DIM ?
		    (struct theme_style){ -1, -1, THEME_A_DIM } :
		    (struct theme_style){ COLOR_WHITE, COLOR_BLACK,
		    THEME_A_BOLD };

		if (!style_eq(t.style[i], want))
			T_DIAG("role %s: %d %d %#x", theme_role_name(
			    (enum theme_role)i), t.style[i].fg, t.style[i].bg,
			    t.style[i].attrs);
	}
	/* the name comes from the file */
	is_int(theme_parse("", 0, "some/dir/nice.theme", &t, err,
	    sizeof(err)), 0);
	is_str(t.name, "nice");
	is_int(theme_parse("", 0, "plain", &t, err, sizeof(err)), 0);
	is_str(t.name, "plain");
}

/* ---- errors ------------------------------------------------------------- */

static void
errors(void)
{
	static const struct {
		const char *text;
		const char *want;	/* the whole message */
	} cases[] = {
		{ "normal = default default\n\nspan.runing = green default\n",
		    F ":3: \"span.runing\": unknown role (did you mean "
		    "\"span.running\"?)" },
		{ "state.executin = green default", F ":1: \"state.executin\": "
		    "unknown role (did you mean \"state.executing\"?)" },
		{ "state.running = green default", F ":1: \"state.running\": "
		    "unknown role" },
		{ "tilte = red default", F ":1: \"tilte\": unknown role "
		    "(did you mean \"title\"?)" },
		{ "frobnicate = red default", F ":1: \"frobnicate\": "
		    "unknown role" },
		{ "# x\n\n header = purpel default\n", F ":3: \"header\": "
		    "unknown colour \"purpel\"" },
		{ "header = default gren\n", F ":1: \"header\": unknown colour "
		    "\"gren\" (did you mean \"green\"?)" },
		{ "header = brigthred default\n", F ":1: \"header\": unknown "
		    "colour \"brigthred\" (did you mean \"brightred\"?)" },
		{ "ok = color256 default", F ":1: \"ok\": colour \"color256\" "
		    "out of range (color0 to color255)" },
		{ "ok = color99999999999 default", F ":1: \"ok\": colour "
		    "\"color99999999999\" out of range (color0 to color255)" },
		{ "ok = color default", F ":1: \"ok\": unknown colour "
		    "\"color\"" },
		{ "ok = color-1 default", F ":1: \"ok\": unknown colour "
		    "\"color-1\"" },
		{ "ok = #red default", F ":1: \"ok\": expected \"role = fg bg "
		    "[attrs]\"" },
		{ "\n\n\n\n\n\n\n\ntitle = red default blod", F ":9: \"title\": "
		    "unknown attribute \"blod\" (did you mean \"bold\"?)" },
		{ "title = red default bold none", F ":1: \"title\": \"none\" "
		    "cannot be combined with other attributes" },
		{ "\n\n\ngarbage\n", F ":4: \"garbage\": expected "
		    "\"role = fg bg [attrs]\"" },
		{ "title red default", F ":1: \"title\": expected "
		    "\"role = fg bg [attrs]\"" },
		{ "= red default", F ":1: expected \"role = fg bg [attrs]\"" },
		{ "title =", F ":1: \"title\": expected \"role = fg bg "
		    "[attrs]\"" },
		{ "title = red", F ":1: \"title\": expected \"role = fg bg "
		    "[attrs]\"" },
		{ "title = red default\nok = green default\n"
		    "TITLE = blue default\n", F ":3: \"TITLE\": set twice "
		    "(first on line 1)" },
		{ "inherit = default\n", F ":1: \"inherit\": only allowed in "
		    "a theme loaded from a directory" },
		{ "ok = green default\ninherit = default\n", F ":2: "
		    "\"inherit\": must come before any role" },
		{ "inherit = a\ninherit = b\n", F ":2: \"inherit\": given "
		    "twice (first on line 1)" },
		{ "inherit = a b\n", F ":1: \"inherit\": expected "
		    "\"inherit = NAME\"" },
		{ "inherit = ../x\n", F ":1: \"inherit\": bad theme name "
		    "\"../x\"" },
		/* outside bytes are quoted safely */
		{ "\xff\xfe\"\\\x01 = red red", F ":1: \"\\xff\\xfe\\\"\\\\"
		    "\\x01\": unknown role" },
		{ "caf\xc3\xa9 = red red", F ":1: \"caf\xc3\xa9\": unknown "
		    "role" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = x",
		    F ":1: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\": "
		    "unknown role" },
	};
	char err[512];
	struct theme t, before;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&t, 0xab, sizeof(t));
		before = t;
		if (parse(cases[i].text, &t, err, sizeof(err)) != -EINVAL) {
			T_DIAG("case %zu parsed", i);
			continue;
		}
		if (strcmp(err, cases[i].want) != 0)
			T_DIAG("case %zu:\n#   got  %s\n#   want %s", i, err,
			    cases[i].want);
		ok(is_utf8(err));
		ok(memcmp(&t, &before, sizeof(t)) == 0);  /* untouched */
	}
}

static void
nul_and_small_buffers(void)
{
	static const char text[] = "title = red\0 default\n";
	char err[256], small[12];
	struct theme t;

	is_int(theme_parse(text, sizeof(text) - 1, F, &t, err, sizeof(err)),
	    -EINVAL);
	is_str(err, F ":1: NUL byte in line");

	/* cut to the buffer, terminated, never inside a character */
	is_int(theme_parse("\xc3\xa9\xc3\xa9\xc3\xa9 = red red", 16, "\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &t, small, sizeof(small)),
	    -EINVAL);
	is_str(small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9:");
	is_int(theme_parse("\xc3\xa9\xc3\xa9\xc3\xa9 = red red", 16, "\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &t, small, sizeof(small)),
	    -EINVAL);
	is_str(small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	memset(small, 'x', sizeof(small));
	is_int(parse("zz = red red", &t, small, 5), -EINVAL);
	is_str(small, "x.th");
	is_int(parse("zz = red red", &t, small, 1), -EINVAL);
	is_str(small, "");
	is_int(parse("zz = red red", &t, NULL, 0), -EINVAL);
	/* a file name that is not UTF-8 is mended */
	is_int(theme_parse("zz", 2, "a\xffz", &t, err, sizeof(err)), -EINVAL);
	is_str(err, "a?z:1: \"zz\": expected \"role = fg bg [attrs]\"");
	is_int(theme_parse("zz", 2, NULL, &t, err, sizeof(err)), -EINVAL);
	has_str(err, "(theme):1:");
}

static void
limits(void)
{
	char *buf = malloc(THEME_MAX_BYTES + 2);
	char err[256];
	struct theme t;
	size_t n;

	t_bail_if(buf == NULL);

	/* THEME_MAX_BYTES of comments is fine; one more byte is not */
	memset(buf, '\n', THEME_MAX_BYTES + 1);
	for (n = 0; n + 400 <= THEME_MAX_BYTES; n += 400)
		memset(buf + n, '#', 399);
	buf[n] = '#';
	is_int(theme_parse(buf, THEME_MAX_BYTES, F, &t, err, sizeof(err)),
	    0);
	is_int(theme_parse(buf, THEME_MAX_BYTES + 1, F, &t, err,
	    sizeof(err)), -EINVAL);
	is_str(err, F ": larger than 65536 bytes");

	/* a line of THEME_MAX_LINE bytes is fine, one more is not */
	memset(buf, ' ', THEME_MAX_LINE + 1);
	memcpy(buf, "title = red red", 15);
	is_int(theme_parse(buf, THEME_MAX_LINE, F, &t, err, sizeof(err)), 0);
	memcpy(buf + THEME_MAX_LINE, "\n", 1);
	is_int(theme_parse(buf, THEME_MAX_LINE + 1, F, &t, err, sizeof(err)),
	    0);
	memcpy(buf + THEME_MAX_LINE, " ", 1);
	is_int(theme_parse(buf, THEME_MAX_LINE + 1, F, &t, err, sizeof(err)),
	    -EINVAL);
	is_str(err, F ":1: line longer than 512 bytes");
	memcpy(buf, "\n\n", 2);
	is_int(theme_parse(buf, THEME_MAX_LINE + 3, F, &t, err, sizeof(err)),
	    -EINVAL);
	is_str(err, F ":3: line longer than 512 bytes");

	/* THEME_MAX_LINES lines, even blank, and no more */
	memset(buf, '\n', THEME_MAX_LINES + 1);
	is_int(theme_parse(buf, THEME_MAX_LINES, F, &t, err, sizeof(err)), 0);
	buf[THEME_MAX_LINES] = '#';
	is_int(theme_parse(buf, THEME_MAX_LINES + 1, F, &t, err,
	    sizeof(err)), -EINVAL);
	is_str(err, F ":1001: more than 1000 lines");
	/* a line holding the most words there can be */
	for (n = 0; n + 2 <= THEME_MAX_LINE; n += 2)
		memcpy(buf + n, "x ", 2);
	buf[1] = '=';
	is_int(theme_parse(buf, THEME_MAX_LINE, F, &t, err, sizeof(err)),
	    -EINVAL);
	free(buf);
}

/* ---- degradation -------------------------------------------------------- */

static void
degrade_8(void)
{
	static const struct {
		const char *line;	/* a "title" style */
		struct theme_style want;
	} cases[] = {
		{ "red blue bold", { COLOR_RED, COLOR_BLUE, THEME_A_BOLD } },
		{ "default default", { -1, -1, 0 } },
		{ "brightred default", { COLOR_RED, -1, THEME_A_BOLD } },
		{ "brightgreen brightblue", { COLOR_GREEN, COLOR_BLUE,
		    THEME_A_BOLD } },
		{ "default brightcyan", { -1, COLOR_CYAN, 0 } },
		{ "color196 default", { COLOR_RED, -1, THEME_A_BOLD } },
		{ "color160 default", { COLOR_RED, -1, 0 } },
		{ "color28 default italic", { COLOR_GREEN, -1,
		    THEME_A_ITALIC } },
		{ "color16 color231", { COLOR_BLACK, COLOR_WHITE, 0 } },
		{ "color231 color16", { COLOR_WHITE, COLOR_BLACK,
		    THEME_A_BOLD } },
		{ "color244 default", { COLOR_BLACK, -1, THEME_A_BOLD } },
		{ "color250 default", { COLOR_WHITE, -1, 0 } },
		{ "color21 default", { COLOR_BLUE, -1, 0 } },
		{ "color63 default", { COLOR_BLUE, -1, THEME_A_BOLD } },
		{ "color130 default", { COLOR_RED, -1, 0 } },
		/* distinct colours that fall together stay readable */
		{ "color28 color34", { COLOR_BLACK, COLOR_GREEN, 0 } },
		{ "color88 color124", { COLOR_WHITE, COLOR_RED, 0 } },
		{ "brightred red", { COLOR_WHITE, COLOR_RED, THEME_A_BOLD } },
		/* the same colour twice was asked for */
		{ "red red", { COLOR_RED, COLOR_RED, 0 } },
	};
	char text[128], err[256];
	struct theme t, d;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "title = %s\n", cases[i].line);
		if (parse(text, &t, err, sizeof(err)) != 0) {
			T_DIAG("%s", err);
			continue;
		}
		for (int colors = 8; colors <= 88; colors += 80) {
			theme_degrade(&t, colors, false, &d);
			if (!style_eq(d.style[ROLE_TITLE], cases[i].want))
				T_DIAG("\"%s\" in %d colours: %d %d %#x", cases[i].line,
				    colors, d.style[ROLE_TITLE].fg,
				    d.style[ROLE_TITLE].bg,
				    d.style[ROLE_TITLE].attrs);
		}
		/* 256 colours: unchanged; in place works */
		theme_degrade(&t, 256, false, &d);
		ok(memcmp(&t, &d, sizeof(t)) == 0);
		d = t;
		theme_degrade(&d, 8, false, &d);
		ok(style_eq(d.style[ROLE_TITLE], cases[i].want));
	}
	/* every colour lands in 0..7 */
	for (int c = 0; c < 256; c++) {
		snprintf(text, sizeof(text), "normal = color%d color%d", c,
		    255 - c);
		t_bail_if(parse(text, &t, err, sizeof(err)) != 0);
		theme_degrade(&t, 8, false, &d);
		ok(d.style[ROLE_NORMAL].fg >= 0 && d.style[ROLE_NORMAL].fg < 8);
		ok(d.style[ROLE_NORMAL].bg >= 0 && d.style[ROLE_NORMAL].bg < 8);
	}
}

static void
degrade_mono(void)
{
	static const char text[] =
	    "normal = white black\n"
	    "title = red black bold italic blink\n"
	    "header = black cyan\n"
	    "selected = brightwhite blue\n"
	    "banner = white red underline\n"
	    "column = default black dim standout\n"
	    "marked = default black\n";
	char err[256];
	struct theme t, d;

	t_bail_if(parse(text, &t, err, sizeof(err)) != 0);
	/* NO_COLOR wins over any number of colours; < 8 colours is mono */
	for (int colors = 0; colors <= 256; colors += 256) {
		for (int nc = 0; nc < 2; nc++) {
			if (colors == 256 && !nc)
				continue;
			theme_degrade(&t, colors, nc, &d);
			for (int i = 0; i < ROLE__COUNT; i++)
				ok(d.style[i].fg == -1 && d.style[i].bg == -1);
			is_int(d.style[ROLE_NORMAL].attrs, 0);
			is_int(d.style[ROLE_TITLE].attrs, THEME_A_BOLD);
			is_int(d.style[ROLE_HEADER].attrs, THEME_A_REVERSE);
			is_int(d.style[ROLE_SELECTED].attrs, THEME_A_REVERSE);
			is_int(d.style[ROLE_BANNER].attrs, THEME_A_REVERSE |
			    THEME_A_UNDERLINE);
			is_int(d.style[ROLE_COLUMN].attrs, THEME_A_DIM |
			    THEME_A_STANDOUT);
			is_int(d.style[ROLE_MARKED].attrs, 0);
			is_int(d.style[ROLE_DIM].attrs, 0);
		}
	}
	/* selected and banner stay visible even with no colour or attribute */
	t_bail_if(parse("selected = default default\nbanner = default default "
	    "standout\n", &t, err, sizeof(err)) != 0);
	theme_degrade(&t, 8, true, &d);
	is_int(d.style[ROLE_SELECTED].attrs, THEME_A_REVERSE);
	is_int(d.style[ROLE_BANNER].attrs, THEME_A_STANDOUT);
	/* the default theme in mono */
	theme_builtin_default(&t);
	theme_degrade(&t, 2, false, &d);
	is_int(d.style[ROLE_SELECTED].attrs, THEME_A_REVERSE);
	is_int(d.style[ROLE_BANNER].attrs, THEME_A_REVERSE | THEME_A_BOLD);
	is_int(d.style[ROLE_HEADER].attrs, THEME_A_REVERSE);
	is_int(d.style[ROLE_STATE_EXECUTING].attrs, 0);
	is_int(d.style[ROLE_STATE_KILLED].attrs, THEME_A_BOLD);
	is_str(d.name, "default");
}

/* ---- files -------------------------------------------------------------- */

static void
shipped_themes(void)
{
	const char *dirs[] = { THEMES_DIR, NULL };
	char err[512], path[512], *text;
	struct theme t, builtin;
	FILE *f;
	long n;

	for (size_t i = 0; i < N_SHIPPED; i++) {
		if (theme_load(shipped[i], dirs, &t, err, sizeof(err)) != 0) {
			T_DIAG("%s", err);
			continue;
		}
		is_str(t.name, shipped[i]);
		/* each file names every role and starts with a comment */
		snprintf(path, sizeof(path), "%s/%s.theme", THEMES_DIR,
		    shipped[i]);
		t_bail_if((f = fopen(path, "r")) == NULL);
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)n + 2);
		text[0] = '\n';
		ok(fread(text + 1, 1, (size_t)n, f) == (size_t)n);
		fclose(f);
		ok(text[1] == '#');
		for (int r = 0; r < ROLE__COUNT; r++) {
			char needle[64];

			snprintf(needle, sizeof(needle), "\n%s ",
			    theme_role_name((enum theme_role)r));
			if (strstr(text, needle) == NULL)
				T_DIAG("%s does not set %s", shipped[i],
				    needle + 1);
		}
		free(text);
		/* the cursor line and banners must stand out everywhere */
		for (int nc = 0; nc < 2; nc++) {
			struct theme d;

			theme_degrade(&t, nc ? 8 : 0, false, &d);
			ok((d.style[ROLE_SELECTED].attrs & (THEME_A_REVERSE |
			    THEME_A_STANDOUT)) != 0 || d.style[ROLE_SELECTED].bg >= 0);
			ok((d.style[ROLE_BANNER].attrs & (THEME_A_REVERSE |
			    THEME_A_STANDOUT)) != 0 || d.style[ROLE_BANNER].bg >= 0);
		}
	}

	theme_builtin_default(&builtin);
	t_bail_if(theme_load("default", dirs, &t, err, sizeof(err)) != 0);
	ok(memcmp(&t, &builtin, sizeof(t)) == 0);
	is_int(t.style[ROLE_STATE_EXECUTING].fg, COLOR_GREEN);
	is_int(t.style[ROLE_STATE_AWAITING].attrs, THEME_A_BOLD);
	is_int(t.style[ROLE_BANNER].bg, COLOR_RED);

	/* light: no yellow or white text on the terminal's background */
	t_bail_if(theme_load("light", dirs, &t, err, sizeof(err)) != 0);
	for (int r = 0; r < ROLE__COUNT; r++) {
		struct theme d;
		int fg;

		for (int colors = 8; colors <= 256; colors += 248) {
			theme_degrade(&t, colors, false, &d);
			fg = d.style[r].fg;
			if (d.style[r].bg == -1 && (fg == COLOR_YELLOW ||
			    fg == COLOR_WHITE || fg == 11 || fg == 15))
				T_DIAG("light: %s has fg %d",
				    theme_role_name((enum theme_role)r), fg);
		}
	}

	/* high-contrast: nothing dim; banner in reverse */
	t_bail_if(theme_load("high-contrast", dirs, &t, err, sizeof(err)) != 0);
	for (int r = 0; r < ROLE__COUNT; r++)
		ok((t.style[r].attrs & THEME_A_DIM) == 0);
	ok(t.style[ROLE_BANNER].attrs & THEME_A_REVERSE);
	ok(t.style[ROLE_ERROR].attrs & THEME_A_BOLD);

	/* mono: no colours at all */
	t_bail_if(theme_load("mono", dirs, &t, err, sizeof(err)) != 0);
	for (int r = 0; r < ROLE__COUNT; r++)
		ok(t.style[r].fg == -1 && t.style[r].bg == -1);
	ok(t.style[ROLE_SELECTED].attrs & THEME_A_REVERSE);
}

static char tmp[64];

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	if ((f = fopen(path, "w")) == NULL) {
		T_DIAG("cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void
loading(void)
{
	char err[512], path[256], other[128], *big;
	const char *dirs[] = { NULL, NULL, NULL };
	struct theme t, before;

	snprintf(tmp, sizeof(tmp), "/tmp/test_theme.XXXXXX");
	t_bail_if(mkdtemp(tmp) == NULL);
	snprintf(other, sizeof(other), "%s/other", tmp);
	t_bail_if(mkdir(other, 0700) != 0);
	dirs[0] = other;
	dirs[1] = tmp;

	put("base.theme", "# base\nnormal = white black\ntitle = red black "
	    "bold\nkey = cyan black\n");
	put("child.theme", "# child\n  inherit = base  # the base\n"
	    "normal = green default\nkey = blue default\n");
	put("chain.theme", "inherit = child\n");
	put("self.theme", "inherit = self\n");
	put("orphan.theme", "\n\ninherit = nowhere\n");
	put("bad.theme", "title = red default\n\n\ntitle = red default\n");
	put("badbase.theme", "inherit = bad\n");
	put("other/base.theme", "normal = blue blue\n");

	/* inherit: the child's roles, then the parent's, then normal */
	is_int(theme_load("child", dirs, &t, err, sizeof(err)), 0);
	is_str(err, "");
	is_str(t.name, "child");
	ok(style_eq(t.style[ROLE_NORMAL], (struct theme_style){ COLOR_GREEN,
	    -1, 0 }));
	ok(style_eq(t.style[ROLE_KEY], (struct theme_style){ COLOR_BLUE,
	    -1, 0 }));
	ok(style_eq(t.style[ROLE_TITLE], (struct theme_style){ COLOR_RED,
	    COLOR_BLACK, THEME_A_BOLD }));
	ok(style_eq(t.style[ROLE_DIM], (struct theme_style){ COLOR_GREEN,
	    -1, 0 }));

	/* the first directory wins; a path is used as it is */
	is_int(theme_load("base", dirs, &t, err, sizeof(err)), 0);
	is_int(t.style[ROLE_NORMAL].fg, COLOR_BLUE);
	snprintf(path, sizeof(path), "%s/base.theme", tmp);
	is_int(theme_load(path, dirs, &t, err, sizeof(err)), 0);
	is_int(t.style[ROLE_NORMAL].fg, COLOR_WHITE);
	is_str(t.name, "base");
	/* a path's parent is looked up next to it, not in @dirs */
	snprintf(path, sizeof(path), "%s/child.theme", tmp);
	is_int(theme_load(path, NULL, &t, err, sizeof(err)), 0);
	is_int(t.style[ROLE_TITLE].fg, COLOR_RED);

	/* one level only; errors name the file and line at fault */
	is_int(theme_load("chain", dirs, &t, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/child.theme:2: \"inherit\": this "
	    "theme is inherited by %s/chain.theme and cannot inherit in turn "
	    "(one level only)", tmp, tmp);
	is_str(err, path);
	is_int(theme_load("self", dirs, &t, err, sizeof(err)), -EINVAL);
	has_str(err, "self.theme:1: \"inherit\"");
	is_int(theme_load("orphan", dirs, &t, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/orphan.theme:3: \"inherit\": no "
	    "theme \"nowhere\" next to this one", tmp);
	is_str(err, path);
	is_int(theme_load("bad", dirs, &t, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/bad.theme:4: \"title\": set twice "
	    "(first on line 1)", tmp);
	is_str(err, path);
	is_int(theme_load("badbase", dirs, &t, err, sizeof(err)), -EINVAL);
	has_str(err, "/bad.theme:4: \"title\": set twice");

	/* not found, bad names, not files, too big; *out untouched */
	memset(&t, 0x5a, sizeof(t));
	before = t;
	is_int(theme_load("nope", dirs, &t, err, sizeof(err)), -ENOENT);
	snprintf(path, sizeof(path), "theme: \"nope\" not found (looked in "
	    "%s, %s)", other, tmp);
	is_str(err, path);
	is_int(theme_load("nope", NULL, &t, err, sizeof(err)), -ENOENT);
	is_str(err, "theme: \"nope\" not found (looked in no directories)");
	is_int(theme_load("..", dirs, &t, err, sizeof(err)), -EINVAL);
	is_str(err, "theme: bad theme name \"..\"");
	is_int(theme_load("", dirs, &t, err, sizeof(err)), -EINVAL);
	is_int(theme_load(NULL, dirs, &t, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/missing.theme", tmp);
	is_int(theme_load(path, dirs, &t, err, sizeof(err)), -ENOENT);
	has_str(err, "missing.theme: No such file or directory");
	snprintf(path, sizeof(path), "%s/other", tmp);
	is_int(theme_load(path, dirs, &t, err, sizeof(err)), -EINVAL);
	has_str(err, "/other: not a regular file");
	snprintf(path, sizeof(path), "%s/fifo.theme", tmp);
	ok(mkfifo(path, 0600) == 0);
	is_int(theme_load("fifo", dirs, &t, err, sizeof(err)), -EINVAL);
	has_str(err, "fifo.theme: not a regular file");
	unlink(path);
	big = malloc(THEME_MAX_BYTES + 2);
	memset(big, '\n', THEME_MAX_BYTES + 1);
	big[THEME_MAX_BYTES + 1] = '\0';
	put("big.theme", big);
	free(big);
	is_int(theme_load("big", dirs, &t, err, sizeof(err)), -EINVAL);
	has_str(err, "big.theme: larger than 65536 bytes");
	ok(memcmp(&t, &before, sizeof(t)) == 0);

	static const char *const names[] = {
		"base.theme", "child.theme", "chain.theme", "self.theme",
		"orphan.theme", "bad.theme", "badbase.theme", "big.theme",
		"other/base.theme",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, names[i]);
		unlink(path);
	}
	rmdir(other);
	rmdir(tmp);
}

/* ---- curses ------------------------------------------------------------- */

/* Applies @t on a headless terminal of type @term and checks it with
 * @check. */
static void
on_terminal(const char *term, const char *no_color, const struct theme *t,
    void (*check)(void))
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr;

	if (out == NULL || in == NULL) {
		T_DIAG("cannot open /dev/null");
		goto out;
	}
	setenv("TERM", term, 1);
	if (no_color != NULL)
		setenv("NO_COLOR", no_color, 1);
	else
		unsetenv("NO_COLOR");
	if ((scr = newterm(NULL, out, in)) == NULL) {
		T_DIAG("no terminal %s", term);
		goto out;
	}
	if (has_colors())
		start_color();
	theme_apply(t);
	check();
	endwin();
	delscreen(scr);
out:
	if (out != NULL)
		fclose(out);
	if (in != NULL)
		fclose(in);
	unsetenv("NO_COLOR");
}

static void
pair_is(enum theme_role role, short fg, short bg)
{
	short f = -2, b = -2;
	int pair = PAIR_NUMBER(theme_attr(role));

	if (pair == 0 || pair_content((short)pair, &f, &b) != OK ||
	    f != fg || b != bg)
		T_DIAG("%s: pair %d is %d/%d, want %d/%d", theme_role_name(role),
		    pair, f, b, fg, bg);
}

static bool
has_attr(enum theme_role role, attr_t a)
{
	return ((attr_t)theme_attr(role) & a) == a;
}

static void
check_256_default(void)
{
	is_str(theme_mode_name(), "256 colours");
	is_int(PAIR_NUMBER(theme_attr(ROLE_NORMAL)), 0);
	pair_is(ROLE_HEADER, COLOR_BLACK, COLOR_CYAN);
	pair_is(ROLE_BANNER, COLOR_WHITE, COLOR_RED);
	pair_is(ROLE_STATE_EXECUTING, COLOR_GREEN, -1);
	/* one pair per distinct (fg, bg) */
	is_int(PAIR_NUMBER(theme_attr(ROLE_STATE_EXECUTING)),
	    PAIR_NUMBER(theme_attr(ROLE_BUDGET_LOW)));
	ok(PAIR_NUMBER(theme_attr(ROLE_STATE_FAILED)) !=
	    PAIR_NUMBER(theme_attr(ROLE_STATE_EXECUTING)));
	ok(has_attr(ROLE_BANNER, A_BOLD));
	ok(has_attr(ROLE_SELECTED, A_REVERSE));
	ok(has_attr(ROLE_COLUMN, A_BOLD | A_UNDERLINE));
	ok(!has_attr(ROLE_NORMAL, A_BOLD));
	is_int(theme_attr(ROLE__COUNT), A_NORMAL);
	is_int(theme_attr((enum theme_role)-3), A_NORMAL);
}

static void
check_256_bright(void)
{
	is_str(theme_mode_name(), "256 colours");
	pair_is(ROLE_ERROR, 9, -1);		/* brightred as it is */
	pair_is(ROLE_TITLE, 15, -1);
}

static void
check_8_bright(void)
{
	is_str(theme_mode_name(), "8 colours");
	pair_is(ROLE_ERROR, COLOR_RED, -1);	/* brightred -> red + bold */
	ok(has_attr(ROLE_ERROR, A_BOLD));
	pair_is(ROLE_STATE_EXECUTING, COLOR_GREEN, -1);
	ok(has_attr(ROLE_BANNER, A_REVERSE | A_BOLD));
}

static void
check_8_light(void)
{
	is_str(theme_mode_name(), "8 colours");
	pair_is(ROLE_OK, COLOR_GREEN, -1);	/* color28 */
	pair_is(ROLE_HEADER, COLOR_WHITE, COLOR_BLUE);
}

static void
check_mono(void)
{
	is_str(theme_mode_name(), "mono");
	for (int r = 0; r < ROLE__COUNT; r++)
		is_int(PAIR_NUMBER(theme_attr((enum theme_role)r)), 0);
	ok(has_attr(ROLE_SELECTED, A_REVERSE));
	ok(has_attr(ROLE_BANNER, A_REVERSE | A_BOLD));
	ok(has_attr(ROLE_HEADER, A_REVERSE));
	ok(has_attr(ROLE_STATE_KILLED, A_BOLD));
	ok(has_attr(ROLE_DIM, A_DIM));
	ok(!has_attr(ROLE_STATE_EXECUTING, A_REVERSE));
}

static void
curses_modes(void)
{
	const char *dirs[] = { THEMES_DIR, NULL };
	struct theme def, hc, light;
	char err[256];

	is_str(theme_mode_name(), "mono");	/* before any theme_apply */
	is_int(theme_attr(ROLE_BANNER), A_NORMAL);
	theme_builtin_default(&def);
	t_bail_if(theme_load("high-contrast", dirs, &hc, err, sizeof(err)) != 0);
	t_bail_if(theme_load("light", dirs, &light, err, sizeof(err)) != 0);

	on_terminal("xterm-256color", NULL, &def, check_256_default);
	on_terminal("xterm-256color", "", &def, check_256_default);
	on_terminal("xterm-256color", NULL, &hc, check_256_bright);
	on_terminal("xterm", NULL, &hc, check_8_bright);
	on_terminal("xterm", NULL, &light, check_8_light);
	on_terminal("vt100", NULL, &def, check_mono);
	on_terminal("xterm-256color", "1", &def, check_mono);
	on_terminal("xterm", "yes", &def, check_mono);
	/* and back again: a later theme_apply() replaces the first */
	on_terminal("xterm-256color", NULL, &def, check_256_default);
}

#define TESTS(X) \
	X(role_names) \
	X(state_roles) \
	X(colours) \
	X(attributes) \
	X(comments_and_whitespace) \
	X(inherits_normal) \
	X(errors) \
	X(nul_and_small_buffers) \
	X(limits) \
	X(degrade_8) \
	X(degrade_mono) \
	X(shipped_themes) \
	X(loading) \
	X(curses_modes)
T_MAIN(TESTS)
