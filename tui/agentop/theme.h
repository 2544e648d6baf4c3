/*
 * agentop themes: a colour-role enum (after htop's CRT.c) whose styles come
 * from data files (after tig), one `role = fg bg [attrs...]` per line:
 *
 *	# a comment
 *	inherit = default		(optional, first directive only)
 *	normal = default default
 *	state.failed = red default bold	# a comment after whitespace
 *
 * Colours: default, black red green yellow blue magenta cyan white, their
 * bright variants (brightblack .. brightwhite = 8..15), color0 .. color255.
 * Attributes: bold dim underline reverse standout italic blink, or none.
 * Names are matched case-insensitively. A role the file does not set takes
 * the style of "normal" (which defaults to "default default").
 *
 * The parsing and the colour degradation are pure and need no terminal;
 * only theme_apply(), theme_attr() and theme_mode_name() touch curses.
 */
#ifndef AGENTOP_THEME_H
#define AGENTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum theme_role {
	ROLE_NORMAL,		/* "normal": ordinary text */
	ROLE_DIM,		/* "dim": secondary text (ages, ids) */
	ROLE_TITLE,		/* "title": view titles */
	ROLE_HEADER,		/* "header": the top status bar */
	ROLE_FOOTER,		/* "footer": the key hints line */
	ROLE_KEY,		/* "key": a key name inside the footer/help */
	ROLE_BORDER,		/* "border": box and separator lines */
	ROLE_COLUMN,		/* "column": table column headings */
	ROLE_SELECTED,		/* "selected": the cursor line */
	ROLE_MARKED,		/* "marked": lines marked for a bulk action */
	ROLE_BANNER,		/* "banner": kill switch / frozen banners */
	ROLE_ERROR,		/* "error": error messages, disconnected status */
	ROLE_OK,		/* "ok": connected status, success messages */
	ROLE_WARN,		/* "warn": thresholds crossed */
	ROLE_ESCALATION,	/* "escalation": escalation count and rows */
	ROLE_STATE_QUEUED,	/* "state.queued" */
	ROLE_STATE_PLANNING,	/* "state.planning" */
	ROLE_STATE_EXECUTING,	/* "state.executing" */
	ROLE_STATE_REFLECTING,	/* "state.reflecting" */
	ROLE_STATE_AWAITING,	/* "state.awaiting_human" */
	ROLE_STATE_PAUSED,	/* "state.paused" */
	ROLE_STATE_DONE,	/* "state.done" */
	ROLE_STATE_FAILED,	/* "state.failed" */
	ROLE_STATE_KILLED,	/* "state.killed" */
	ROLE_BUDGET_LOW,	/* "budget.low": < 50% */
	ROLE_BUDGET_MID,	/* "budget.mid": 50-80% */
	ROLE_BUDGET_HIGH,	/* "budget.high": >= 80% */
	ROLE_SPAN_LLM,		/* "span.llm" */
	ROLE_SPAN_TOOL,		/* "span.tool" */
	ROLE_SPAN_RUNNING,	/* "span.running": in-flight spans */
	ROLE__COUNT
};

/* Attribute flags of struct theme_style (independent of curses' A_*). */
#define THEME_A_BOLD		0x01u
#define THEME_A_DIM		0x02u
#define THEME_A_UNDERLINE	0x04u
#define THEME_A_REVERSE		0x08u
#define THEME_A_STANDOUT	0x10u
#define THEME_A_ITALIC		0x20u
#define THEME_A_BLINK		0x40u
#define THEME_A_ALL		0x7fu

#define THEME_COLOR_DEFAULT	(-1)	/* the terminal's own fg or bg */

/* Bounds on a theme file; anything beyond is refused with an error. */
#define THEME_MAX_BYTES		65536	/* file size */
#define THEME_MAX_LINE		512	/* bytes per line, without the newline */
#define THEME_MAX_LINES		1000	/* lines per file */

struct theme_style {
	short fg;		/* THEME_COLOR_DEFAULT or 0..255 */
	short bg;		/* THEME_COLOR_DEFAULT or 0..255 */
	unsigned attrs;		/* THEME_A_* flags */
};

struct theme {
	char name[64];				/* e.g. "default"; always terminated */
	struct theme_style style[ROLE__COUNT];	/* every role resolved */
};

/* "normal", "state.awaiting_human", ...; "?" when @role is out of range.
 * The string is static. */
const char *theme_role_name(enum theme_role role);

/* The role for a run state name ("executing" -> ROLE_STATE_EXECUTING);
 * ROLE_NORMAL for NULL or an unknown name. */
int theme_role_for_state(const char *state_name);

/*
 * Parses @len bytes of @text (borrowed, need not be terminated) as if read
 * from @file, which is used in errors and, stripped of its directory and
 * ".theme", as the theme's name. Returns 0, or -EINVAL with "file:line:
 * what" in @err (always terminated, valid UTF-8, cut at a character).
 * An "inherit" directive is an error here: only theme_load() resolves it.
 * *out is written only on success.
 */
int theme_parse(const char *text, size_t len, const char *file,
    struct theme *out, char *err, size_t errlen);

/*
 * Loads @name from the first of @dirs (NULL-terminated, may be NULL) that
 * has NAME.theme, or from the path @name if it contains a '/'. A file may
 * start with "inherit = OTHER" to take the roles it does not set from
 * OTHER.theme in the same directory (one level only). Returns 0, -ENOENT
 * when no directory has the theme, -EINVAL for a bad file, or another
 * negative errno when it cannot be read; @err says which file and why.
 * *out is written only on success.
 */
int theme_load(const char *name, const char *const *dirs, struct theme *out,
    char *err, size_t errlen);

/* The built-in theme, the same as themes/default.theme; used when no file
 * is found. */
void theme_builtin_default(struct theme *out);

/*
 * Pure colour degradation, for a terminal with @colors colours:
 *  - @no_color or @colors < 8: mono. Colours become default; bold, dim,
 *    underline, reverse and standout stay; a role whose background differs
 *    from normal's becomes reverse; "selected" and "banner" are always
 *    reverse (or standout) so they stay visible.
 *  - @colors < 256: 8 colours. color16..255 go to the nearest of the 16
 *    ANSI colours, then a bright foreground becomes the same hue + bold and
 *    a bright background the same hue. A foreground that would equal its
 *    background becomes black or white, whichever contrasts.
 *  - otherwise the theme is copied unchanged.
 * @in and @out may be the same object.
 */
void theme_degrade(const struct theme *in, int colors, bool no_color,
    struct theme *out);

/*
 * The curses side; call after initscr()/newterm() (and start_color(),
 * which is called here when the terminal has colours and it was not).
 * Picks the mode from NO_COLOR (any non-empty value means mono),
 * has_colors() and COLORS, degrades @t (borrowed) accordingly and
 * allocates one colour pair per distinct (fg, bg). May be called again to
 * switch themes.
 */
void theme_apply(const struct theme *t);

/* The curses attributes, COLOR_PAIR included, of @role for attron() or
 * wattr_set(); A_NORMAL before theme_apply() or for a bad role. */
int theme_attr(enum theme_role role);

/* "mono", "8 colours" or "256 colours" (static), as decided by the last
 * theme_apply(); "mono" before it. */
const char *theme_mode_name(void);

#endif
