/*
 * The console: views, prompts, keys. Each view is a draw + key pair
 * (view_*.c); ui.c owns the screen layout, the prompt line, global keys
 * and the frame rate. Key handlers return UI_* flags saying what to redraw.
 */
#ifndef AGENTOP_UI_H
#define AGENTOP_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "model.h"
#include "theme.h"

#define MIN_I(a, b) ((a) < (b) ? (a) : (b))
#define MAX_I(a, b) ((a) > (b) ? (a) : (b))

struct json_t;

enum view_id {
	VIEW_RUNS,
	VIEW_ESCALATIONS,
	VIEW_HISTORY,
	VIEW_HEALTH,
	VIEW_DETAIL,		/* opened from the others with Enter */
	VIEW__COUNT
};

#define UI_REDRAW	0x1	/* the screen must be drawn again */
#define UI_UNHANDLED	0x2	/* the view did not use the key */

struct ui;
typedef void prompt_done_fn(struct ui *ui, const char *input);

struct prompt {
	bool active;
	bool text;			/* a line of input, else y/n */
	char question[200];
	char input[1024];
	size_t len;
	char expect[16];		/* typed confirmation: input must equal it */
	prompt_done_fn *done;
	char arg[64];			/* what it is about (run, escalation id) */
};

struct view_ops {
	const char *name;		/* tab title */
	const char *keys;		/* footer hints */
	const char *keys_ro;		/* the same without actions (read-only) */
	void (*draw)(struct ui *ui, int y, int rows, int cols);
	int (*key)(struct ui *ui, int ch);
};

struct ui {
	struct model *m;
	struct client *c;
	enum view_id view, back;	/* current, and where q returns from detail */
	bool read_only;			/* --read-only or a viewer role */
	bool help;			/* the ? overlay */
	bool ascii;			/* no UTF-8 box/bar characters */
	bool quit;
	struct prompt prompt;
	size_t sel[VIEW__COUNT];	/* cursor per view */
	size_t top[VIEW__COUNT];	/* first row shown per view */
	struct json_t *marks;		/* run id → true, for bulk actions */
	int detail_scroll;
	char detail_search[64];
	char history_query[128];
	char theme_name[64];
	const char *const *theme_dirs;
	char notice_local[200];		/* a message from the UI itself */
	int64_t notice_local_at;
	int rows, cols;
};

extern const struct view_ops view_runs, view_escalations, view_history,
    view_health, view_detail;

void ui_init(struct ui *ui, struct model *m, struct client *c);
void ui_finish(struct ui *ui);
/* Draws everything (curses does the diffing: only changes are sent). */
void ui_draw(struct ui *ui);
/* Handles a key; returns UI_* flags. */
int ui_key(struct ui *ui, int ch);

/* For views. */
void ui_ask(struct ui *ui, const char *question, const char *expect,
    bool text, const char *arg, prompt_done_fn *done);
void ui_say(struct ui *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool ui_can_act(struct ui *ui);
/* Moves a list cursor (@sel over @n rows) for up/down/j/k, PgUp/PgDn,
 * g/G/Home/End; false if @ch is not one of those. */
bool ui_list_key(size_t *sel, size_t n, int ch);
void ui_open_detail(struct ui *ui, const char *run);
/* Asks for "good|bad [note]" and rates @run. */
void ui_rate(struct ui *ui, const char *run);
/* Searches the history: words, agent=A, state=S, since=2h. */
void view_history_search(struct ui *ui, const char *text);
/* Writes the visible screen to a file for a postmortem. */
int ui_dump(struct ui *ui, char *path, size_t pathlen);
int ui_set_theme(struct ui *ui, const char *name);

/* Drawing helpers (draw.c). */
void draw_text(int y, int x, int width, enum theme_role role, const char *s);
void draw_fill(int y, int x, int width, enum theme_role role);
/* A bar of @width cells for @fraction (0..1+), coloured by level. */
void draw_bar(struct ui *ui, int y, int x, int width, double fraction);
void fmt_duration(char *out, size_t outlen, int64_t ms);
void fmt_tokens(char *out, size_t outlen, double n);
void fmt_cost(char *out, size_t outlen, const struct json_t *run);
/* Display width of a UTF-8 string (one column per character). */
int text_width(const char *s);

#endif
