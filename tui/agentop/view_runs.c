/* The runs view: one line per run, live first; filter, sort, mark, act. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define TASK_MIN	8	/* a narrower task column is not worth showing */

struct columns {
	int mark, id, agent, state, step, tokens, cost, budget, waiting, age, task;
};

/* Fits 80 columns; wider terminals get a wider agent and the task;
 * narrower ones give up whole columns (0 wide: not shown). */
static struct columns
layout(int cols)
{
	struct columns c = { 1, 12, 12, 14, 4, 6, 7, 9, 14, 5, 0 };
	/* what a narrow terminal gives up, in this order, down to a floor */
	struct { int *w, floor; } squeeze[] = {
		{ &c.agent, 8 }, { &c.waiting, 11 }, { &c.state, 10 },
		{ &c.step, 3 }, { &c.tokens, 5 }, { &c.budget, 8 },
		/* then whole columns, the least needed first */
		{ &c.budget, 0 }, { &c.step, 0 }, { &c.tokens, 0 }, { &c.age, 0 },
		{ &c.cost, 0 },
	};
	int used = c.mark + c.id + c.agent + c.state + c.step + c.tokens +
	    c.cost + c.budget + c.waiting + c.age + 10;

	for (size_t i = 0; i < sizeof(squeeze) / sizeof(squeeze[0]) &&
	    used > cols; i++) {
		if (squeeze[i].floor == 0) {
			/* the last column needs no space after it */
			if (used - 1 <= cols)
				break;
			used -= *squeeze[i].w + 1;
			*squeeze[i].w = 0;
			continue;
		}
		int give = MIN_I(used - cols, *squeeze[i].w - squeeze[i].floor);
		*squeeze[i].w -= give;
		used -= give;
	}
	if (used + TASK_MIN < cols) {
		c.task = cols - used - 1;
		if (c.task > 20) {
			c.agent += 4;
			c.task -= 4;
		}
	} else if (used < cols && c.agent == 12) {
		/* too little for a task: the agent's name gets it */
		c.agent += MIN_I(cols - used, 4);
	}
	return c;
}

/* "model 1.2s", "operator 3m05s", or "-" for finished runs. */
static void
fmt_waiting(char *out, size_t outlen, int width, const json_t *run, int64_t now)
{
	const json_t *w = json_object_get(run, "waiting");
	const char *on = json_string_value(json_object_get(w, "on"));
	char d[16];

	/* short names when the column is narrow */
	if (on != NULL && width < 13 && strcmp(on, "operator") == 0)
		on = "human";
	else if (on != NULL && width < 13 && strcmp(on, "backoff") == 0)
		on = "retry";
	else if (on != NULL && width < 13 && strcmp(on, "stalled") == 0)
		on = "stall";

	if (on == NULL || strcmp(on, "none") == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	fmt_duration(d, sizeof(d), now - json_integer_value(json_object_get(w,
	    "since_ms")));
	snprintf(out, outlen, "%s %s", on, d);
}

/* Draws a column of width @w at *x (nothing when 0) and moves past it. */
static void
cell(int y, int *x, int w, enum theme_role role, const char *text)
{
	if (w <= 0)
		return;
	draw_text(y, *x, w, role, text);
	*x += w + 1;
}

static void
draw_row(struct ui *ui, int y, const struct columns *c, const json_t *run,
    bool selected, int64_t now)
{
	const char *id = str_or(json_string_value(json_object_get(run, "id")), "?");
	const char *state = str_or(json_string_value(json_object_get(run, "state")), "?");
	const json_t *u = json_object_get(run, "usage");
	bool marked = json_is_true(json_object_get(ui->marks, id));
	enum theme_role base = selected ? ROLE_SELECTED :
	    marked ? ROLE_MARKED : ROLE_NORMAL;
	char buf[64];
	const char *kind;
	double frac, tok;
	int x = 0;

	draw_fill(y, 0, ui->cols, base);
	cell(y, &x, c->mark, base, marked ? "*" : " ");
	cell(y, &x, c->id, base, id);
	cell(y, &x, c->agent, base, json_string_value(json_object_get(run,
	    "agent")));
	cell(y, &x, c->state, selected ? ROLE_SELECTED :
	    (enum theme_role)theme_role_for_state(state),
	    c->state < 14 && strcmp(state, "awaiting_human") == 0 ? "awaiting" :
	    state);
	snprintf(buf, sizeof(buf), "%*lld", c->step, (long long)
	    json_integer_value(json_object_get(run, "step")));
	cell(y, &x, c->step, base, buf);
	tok = json_number_value(json_object_get(u, "tokens_in")) +
	    json_number_value(json_object_get(u, "tokens_out"));
	/* bounded before the cast: the figures come from agentd */
	fmt_tokens_short(buf, sizeof(buf), !(tok > 0) ? 0 : tok < 1e15 ?
	    (int64_t)(tok + 0.5) : (int64_t)1e15);
	cell(y, &x, c->tokens, base, buf);
	ui_run_cost(buf, sizeof(buf), run);
	cell(y, &x, c->cost, base, buf);
	if (c->budget > 0) {
		frac = model_top_budget(run, &kind);
		if (kind != NULL) {
			draw_bar(ui, y, x, 4, frac);
			snprintf(buf, sizeof(buf), "%3.0f%%", frac * 100);
			draw_text(y, x + 4, c->budget - 4, base, buf);
		} else {
			draw_text(y, x, c->budget, base, "-");
		}
		x += c->budget + 1;
	}
	fmt_waiting(buf, sizeof(buf), c->waiting, run, now);
	cell(y, &x, c->waiting, base, buf);
	fmt_duration(buf, sizeof(buf), now - json_integer_value(json_object_get(
	    run, "created_ms")));
	cell(y, &x, c->age, selected ? ROLE_SELECTED : ROLE_DIM, buf);
	if (c->task > 0)
		draw_text_cut(ui, y, x, c->task, base, json_string_value(
		    json_object_get(run, "task")), json_is_true(json_object_get(run,
		    "task_truncated")));
}

/* Why a run left the runs list: its state, or that it is gone. */
static void
why_run(struct ui *ui, const char *id, char *out, size_t outlen)
{
	const char *state = json_string_value(json_object_get(model_run(ui->m,
	    id), "state"));

	snprintf(out, outlen, "%s%s", state ? state : "no longer listed",
	    state && ui->m->filter[0] ? ", filtered out" : "");
}

/* The rows, with the cursor synced to its run. */
static size_t
rows_synced(struct ui *ui, const char *const **ids)
{
	size_t n = model_rows(ui->m, ids);

	ui_list_sync(ui, &ui->sel[VIEW_RUNS], *ids, n, "run", why_run);
	return n;
}

static void
runs_draw(struct ui *ui, int64_t now, int y, int rows, int cols)
{
	const char *const *ids;
	size_t n = rows_synced(ui, &ids);
	struct columns c = layout(cols);
	struct list_sel *sel = &ui->sel[VIEW_RUNS];
	char head[512], title[160];
	int body = rows - 1, x = 2;

	list_sel_scroll(sel, n, (size_t)MAX_I(body, 0));
	draw_fill(y, 0, cols, ROLE_COLUMN);
	{
		static const char *const names[] = { "ID", "AGENT", "STATE", "STEP",
		    "TOKENS", "COST", "BUDGET", "WAITING", "AGE", "TASK" };
		/* for a column narrower than its name */
		static const char *const short_names[] = { "ID", "AGNT", "STAT",
		    "STP", "TOK", "COST", "BUDG", "WAIT", "AGE", "TASK" };
		const int widths[] = { c.id, c.agent, c.state, c.step, c.tokens,
		    c.cost, c.budget, c.waiting, c.age, c.task };
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (widths[i] <= 0)
				continue;
			/* STEP is right-aligned over its numbers */
			snprintf(head, sizeof(head), i == 3 ? "%*s" : "%-*s", widths[i],
			    utf8_width(names[i]) <= widths[i] ? names[i] :
			    short_names[i]);
			draw_text(y, x, MIN_I(widths[i], cols - x), ROLE_COLUMN, head);
			x += widths[i] + 1;
			if (x >= cols)
				break;
		}
	}
	for (int i = 0; i < body; i++) {
		size_t row = sel->top + (size_t)i;
		if (row >= n) {
			draw_fill(y + 1 + i, 0, cols, ROLE_NORMAL);
			continue;
		}
		draw_row(ui, y + 1 + i, &c, model_run(ui->m, ids[row]),
		    row == sel->row, now);
	}
	if (n == 0) {
		snprintf(title, sizeof(title), ui->m->filter[0] ? "no run matches "
		    "\"%s\" (/ to change the filter)" : "no runs yet%s",
		    ui->m->filter[0] ? ui->m->filter : "");
		draw_text(y + 2, 2, cols - 4, ROLE_DIM, title);
	} else if (ui->m->filter[0] || json_object_size(ui->marks) > 0 ||
	    n > (size_t)MAX_I(body, 0)) {
		/* where the rows shown are in the list, when it does not fit */
		char where[64] = "";
		if (n > (size_t)MAX_I(body, 0))
			snprintf(where, sizeof(where), " rows %zu-%zu of %zu ",
			    sel->top + 1, MIN_I(sel->top + (size_t)MAX_I(body, 0), n), n);
		if (ui->m->filter[0] || json_object_size(ui->marks) > 0)
			snprintf(title, sizeof(title), "%s filter: %s  marked: %zu  "
			    "sort: %s ", where, ui->m->filter[0] ? ui->m->filter : "-",
			    json_object_size(ui->marks), model_sort_name(ui->m->sort));
		else
			snprintf(title, sizeof(title), "%s", where);
		draw_corner(y + rows - 1, cols, ROLE_DIM, title);
	}
}

static const char *
selected_id(struct ui *ui)
{
	const char *const *ids;
	size_t n = rows_synced(ui, &ids);

	return n > 0 && ui->sel[VIEW_RUNS].row < n ? ids[ui->sel[VIEW_RUNS].row] :
	    NULL;
}

/* The marked runs, or the selected one: a new array of ids. */
static json_t *
targets(struct ui *ui)
{
	json_t *out = json_array();
	const char *id;
	json_t *v;

	json_object_foreach(ui->marks, id, v)
		json_array_append_new(out, json_string(id));
	if (json_array_size(out) == 0 && (id = selected_id(ui)) != NULL)
		json_array_append_new(out, json_string(id));
	return out;
}

/* Sends @type for each run of @ids (the targets named when it was asked:
 * never the rows under the cursor by then). */
static void
act(struct ui *ui, enum ipc_type type, const json_t *ids)
{
	const char *verb = ipc_type_name(type) + 5;	/* "runs.pause" */
	json_t *id;
	char label[96];
	size_t i;

	json_array_foreach(ids, i, id) {
		snprintf(label, sizeof(label), "%s %s", verb, json_string_value(id));
		ui_act(ui, type, json_pack("{s:O}", "run", id), label);
	}
	if (json_array_size(ids) == 1)
		ui_say(ui, "%s %s: sent", verb, json_string_value(json_array_get(ids,
		    0)));
	else if (json_array_size(ids) > 1)
		ui_say(ui, "%s sent for %zu runs", verb, json_array_size(ids));
	json_object_clear(ui->marks);
}

static void done_kill(struct ui *ui, const char *in)
{
	act(ui, IPC_T_RUNS_KILL, ui->prompt.targets);
}
static void done_pause(struct ui *ui, const char *in)
{
	act(ui, IPC_T_RUNS_PAUSE, ui->prompt.targets);
}
static void done_resume(struct ui *ui, const char *in)
{
	act(ui, IPC_T_RUNS_RESUME, ui->prompt.targets);
}

static void
ask_act(struct ui *ui, const char *verb, enum ipc_type type,
    prompt_done_fn *done, bool confirm_one)
{
	json_t *ids;
	char q[200];
	size_t n;

	if (!ui_can_act(ui))
		return;
	ids = targets(ui);
	n = json_array_size(ids);
	if (n == 0) {
		ui_say(ui, "no run selected");
	} else if (n == 1 && !confirm_one) {
		act(ui, type, ids);
	} else {
		if (n == 1)
			snprintf(q, sizeof(q), "%s %s? (y/n)", verb,
			    json_string_value(json_array_get(ids, 0)));
		else
			snprintf(q, sizeof(q), "%s %zu marked runs? (y/n)", verb, n);
		ui_ask(ui, q, NULL, false, n == 1 ? json_string_value(
		    json_array_get(ids, 0)) : NULL, done);
		ui->prompt.targets = json_incref(ids);
	}
	json_decref(ids);
}

static void
filter_done(struct ui *ui, const char *input)
{
	model_set_filter(ui->m, input);
	ui->sel[VIEW_RUNS] = (struct list_sel){ 0 };	/* from the top */
}

static int
runs_key(struct ui *ui, int ch)
{
	const char *const *ids;
	size_t n = rows_synced(ui, &ids);
	struct list_sel *sel = &ui->sel[VIEW_RUNS];
	const char *id;

	if (ui_list_key(sel, ids, n, ui_page(ui), ch))
		return UI_REDRAW;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		if ((id = selected_id(ui)) != NULL)
			ui_open_detail(ui, id);
		break;
	case '/':
		ui_ask_text(ui, "filter (words, state=S, agent=A; empty clears):",
		    ui->m->filter, NULL, filter_done);
		break;
	case 's':
		model_set_sort(ui->m, (enum sort_key)((ui->m->sort + 1) % SORT__COUNT));
		ui_say(ui, "sorted by %s (live runs first)",
		    model_sort_name(ui->m->sort));
		break;
	case ' ':
		if ((id = selected_id(ui)) == NULL)
			break;
		if (json_object_get(ui->marks, id) != NULL) {
			json_object_del(ui->marks, id);
			ui_say(ui, "unmarked %s (%zu marked)", id,
			    json_object_size(ui->marks));
		} else {
			json_object_set_new(ui->marks, id, json_true());
			ui_say(ui, "marked %s (%zu marked)", id,
			    json_object_size(ui->marks));
		}
		list_sel_set(sel, ids, n, sel->row + 1);
		break;
	case 'A':
		for (size_t i = 0; i < n; i++)
			json_object_set_new(ui->marks, ids[i], json_true());
		ui_say(ui, "%zu runs marked", n);
		break;
	case 'u':
		ui_say(ui, "%zu runs unmarked", json_object_size(ui->marks));
		json_object_clear(ui->marks);
		break;
	case 'x':
		ask_act(ui, "kill", IPC_T_RUNS_KILL, done_kill, true);
		break;
	case 'p':
		ask_act(ui, "pause", IPC_T_RUNS_PAUSE, done_pause, false);
		break;
	case 'r':
		ask_act(ui, "resume", IPC_T_RUNS_RESUME, done_resume, false);
		break;
	default:
		return UI_UNHANDLED;
	}
	return UI_REDRAW;
}

const struct view_ops view_runs = {
	.name = "runs",
	.keys = "Enter open  / filter  s sort  space mark  p pause  r resume  x kill",
	.keys_ro = "Enter open  / filter  s sort",
	.draw = runs_draw,
	.key = runs_key,
};
