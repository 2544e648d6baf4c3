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
#include "fmt.h"
#include "doc.h"
#include "layout.h"
#include "lineedit.h"
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
/* A prompt's own keys, before the line editor's: UI_UNHANDLED passes on. */
typedef int prompt_key_fn(struct ui *ui, int ch);

struct prompt {
	bool active;
	bool text;			/* a line of input, else y/n */
	char question[300];		/* '\n': where it breaks when narrow */
	struct lineedit edit;		/* the input */
	char expect[16];		/* typed confirmation: input must equal it */
	prompt_done_fn *done;
	prompt_key_fn *key;		/* or NULL */
	char keys[96];			/* its own keys for the footer ("^X $EDITOR") */
	char arg[64];			/* what it is about (run, escalation id) */
	char arg2[64];			/* and its run, for an escalation */
	struct json_t *targets;		/* the runs an action applies to: their
					 * ids when it was asked (owned array) */
};

struct view_ops {
	const char *name;		/* tab title */
	const char *keys;		/* footer hints */
	const char *keys_ro;		/* the same without actions (read-only) */
	/* @now: the wall ms the frame is drawn for (ui_draw's) */
	void (*draw)(struct ui *ui, int64_t now, int y, int rows, int cols);
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
	struct list_sel sel[VIEW__COUNT]; /* cursor per list view, by id */
	struct json_t *marks;		/* run id → true, for bulk actions */
	struct json_t *acted;		/* ids acted on lately (→ wall ms):
					 * their leaving a list is no news */
	struct doc detail_doc;		/* the run detail's lines */
	int detail_scroll;
	char detail_search[64];
	struct doc_match detail_match;	/* the match shown, if detail_matched */
	bool detail_matched;
	struct doc health_doc;		/* the health view's lines */
	int health_scroll;
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
/* Draws everything (curses does the diffing: only changes are sent) as
 * at wall time @now (ms since the epoch, client_now_ms()): ages and
 * countdowns are measured from it. */
void ui_draw(struct ui *ui, int64_t now);
/* Handles a key; returns UI_* flags. */
int ui_key(struct ui *ui, int ch);

/* For views. A question may hold a '\n' where it breaks on a narrow
 * terminal (see layout_question). */
void ui_ask(struct ui *ui, const char *question, const char *expect,
    bool text, const char *arg, prompt_done_fn *done);
/* A text prompt that starts with @initial in its input. */
void ui_ask_text(struct ui *ui, const char *question, const char *initial,
    const char *arg, prompt_done_fn *done);
void ui_say(struct ui *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool ui_can_act(struct ui *ui);
/* Sends an operator action (client_action; steals @body), remembering
 * the run or escalation it is about. */
void ui_act(struct ui *ui, enum ipc_type type, struct json_t *body,
    const char *label);
/* Moves a list cursor over @ids (@n rows, @page of them shown) for
 * up/down/j/k, PgUp/PgDn, g/G/Home/End; false if @ch is not one of those. */
bool ui_list_key(struct list_sel *sel, const char *const *ids, size_t n,
    int page, int ch);
/* Syncs a list cursor with @ids (model.h list_sel_sync); when its item
 * has left the list, says so on the prompt line: "@what ID left the list
 * (@why(ID))". */
void ui_list_sync(struct ui *ui, struct list_sel *sel, const char *const *ids,
    size_t n, const char *what, void (*why)(struct ui *ui, const char *id,
    char *out, size_t outlen));
/* The rows a list view shows in @rows screen rows, for PgUp/PgDn. */
int ui_page(struct ui *ui);
/* Scrolls *@top of a text view of @n lines for up/down/j/k, PgUp/PgDn,
 * space, g/G/Home/End; false if @ch is not one of those. */
bool ui_scroll_key(struct ui *ui, int *top, size_t n, int ch);
void ui_open_detail(struct ui *ui, const char *run);
/* Asks for "good|bad [note]" and rates @run. */
void ui_rate(struct ui *ui, const char *run);
/* Searches the history: words, agent=A, state=S, since=2h. */
void view_history_search(struct ui *ui, const char *text);
/* Writes the visible screen to a file for a postmortem. */
int ui_dump(struct ui *ui, char *path, size_t pathlen);
int ui_set_theme(struct ui *ui, const char *name);

/* Drawing helpers (draw.c). Control characters are drawn as spaces. */
void draw_text(int y, int x, int width, enum theme_role role, const char *s);
/* The same, ending with "…" ("..." in ASCII) when @s does not fit or
 * @cut says it was cut already (an excerpt). */
void draw_text_cut(struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *s, bool cut);
/* @text (with its own spaces) against the right edge of row @y. */
void draw_corner(int y, int cols, enum theme_role role, const char *text);
/* The lines of @d from @first in @rows rows, text matching @search
 * highlighted; budget lines get their bar. */
void draw_doc(struct ui *ui, const struct doc *d, int first, int y, int rows,
    int cols, const char *search);
void draw_fill(int y, int x, int width, enum theme_role role);
/* A bar of @width cells for @fraction (0..1+), coloured by level. */
void draw_bar(struct ui *ui, int y, int x, int width, double fraction);
/* A run's cost for a narrow column (fmt_cost_short()), "?" when agentd
 * could not price it. Returns @out. */
char *ui_run_cost(char *out, size_t outlen, const struct json_t *run);

#endif
