/* The runs view: one line per run, live first; filter, sort, mark, act. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

struct columns {
	int mark, id, agent, state, step, tokens, cost, budget, waiting, age, task;
};

/* Fits 80 columns; wider terminals get a wider agent and the task. */
static struct columns
layout(int cols)
{
	struct columns c = { 1, 12, 12, 14, 4, 6, 7, 9, 14, 5, 0 };
	/* what a narrow terminal gives up, in this order, down to a floor */
	struct { int *w, floor; } squeeze[] = {
		{ &c.agent, 8 }, { &c.waiting, 11 }, { &c.state, 10 },
		{ &c.step, 3 }, { &c.tokens, 5 }, { &c.budget, 8 },
	};
	int used = c.mark + c.id + c.agent + c.state + c.step + c.tokens +
	    c.cost + c.budget + c.waiting + c.age + 10;

	for (size_t i = 0; i < sizeof(squeeze) / sizeof(squeeze[0]) &&
	    used > cols; i++) {
		int give = MIN_I(used - cols, *squeeze[i].w - squeeze[i].floor);
		*squeeze[i].w -= give;
		used -= give;
	}
	if (used < cols) {
		c.task = cols - used - 1;
		if (c.task > 20) {
			c.agent += 4;
			c.task -= 4;
		}
	}
	return c;
}

static int64_t
now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

	if (on == NULL || strcmp(on, "none") == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	fmt_duration(d, sizeof(d), now - json_integer_value(json_object_get(w,
	    "since_ms")));
	snprintf(out, outlen, "%s %s", on, d);
}

static void
draw_row(struct ui *ui, int y, const struct columns *c, const json_t *run,
    bool selected, int64_t now)
{
	const char *id = str_or(json_string_value(json_object_get(run, "id")), "?");
	const char *state = str_or(json_string_value(json_object_get(run, "state")), "?");
	const json_t *u = json_object_get(run, "usage");
	enum theme_role base = selected ? ROLE_SELECTED :
	    json_is_true(json_object_get(ui->marks, id)) ? ROLE_MARKED : ROLE_NORMAL;
	char buf[64];
	const char *kind;
	double frac;
	int x = 0;

	draw_fill(y, 0, COLS, base);
	draw_text(y, x, c->mark, base, json_is_true(json_object_get(ui->marks, id)) ?
	    "*" : " ");
	x += c->mark + 1;
	draw_text(y, x - 1, 1, base, "");
	draw_text(y, x, c->id, base, id);
	x += c->id + 1;
	draw_text(y, x - 1, 1, base, "");
	draw_text(y, x, c->agent, base, json_string_value(json_object_get(run,
	    "agent")));
	x += c->agent + 1;
	draw_text(y, x - 1, 1, base, "");
	draw_text(y, x, c->state, selected ? ROLE_SELECTED :
	    (enum theme_role)theme_role_for_state(state),
	    c->state < 14 && strcmp(state, "awaiting_human") == 0 ? "awaiting" :
	    state);
	x += c->state + 1;
	draw_text(y, x - 1, 1, base, "");
	snprintf(buf, sizeof(buf), "%*lld", c->step, (long long)
	    json_integer_value(json_object_get(run, "step")));
	draw_text(y, x, c->step, base, buf);
	x += c->step + 1;
	draw_text(y, x - 1, 1, base, "");
	fmt_tokens(buf, sizeof(buf), json_number_value(json_object_get(u,
	    "tokens_in")) + json_number_value(json_object_get(u, "tokens_out")));
	draw_text(y, x, c->tokens, base, buf);
	x += c->tokens + 1;
	draw_text(y, x - 1, 1, base, "");
	fmt_cost(buf, sizeof(buf), run);
	draw_text(y, x, c->cost, base, buf);
	x += c->cost + 1;
	draw_text(y, x - 1, 1, base, "");
	frac = model_top_budget(run, &kind);
	if (kind != NULL) {
		draw_bar(ui, y, x, 4, frac);
		snprintf(buf, sizeof(buf), "%3.0f%%", frac * 100);
		draw_text(y, x + 4, c->budget - 4, base, buf);
	} else {
		draw_text(y, x, c->budget, base, "-");
	}
	x += c->budget + 1;
	draw_text(y, x - 1, 1, base, "");
	fmt_waiting(buf, sizeof(buf), c->waiting, run, now);
	draw_text(y, x, c->waiting, base, buf);
	x += c->waiting + 1;
	draw_text(y, x - 1, 1, base, "");
	fmt_duration(buf, sizeof(buf), now - json_integer_value(json_object_get(
	    run, "created_ms")));
	draw_text(y, x, c->age, ROLE_DIM, buf);
	x += c->age + 1;
	if (c->task > 0) {
		draw_text(y, x - 1, 1, base, "");
		draw_text(y, x, c->task, base, json_string_value(json_object_get(run,
		    "task")));
	}
}

static void
runs_draw(struct ui *ui, int y, int rows, int cols)
{
	const char *const *ids;
	size_t n = model_rows(ui->m, &ids);
	struct columns c = layout(cols);
	int64_t now = now_wall();
	size_t *sel = &ui->sel[VIEW_RUNS], *top = &ui->top[VIEW_RUNS];
	char head[512], title[160];
	int body = rows - 1;

	if (*sel >= n && n > 0)
		*sel = n - 1;
	if (*sel < *top)
		*top = *sel;
	if (body > 0 && *sel >= *top + (size_t)body)
		*top = *sel - (size_t)body + 1;
	snprintf(head, sizeof(head), "  %-*s %-*s %-*s %*s %-*s %-*s %-*s %-*s %-*s %s",
	    c.id, "ID", c.agent, "AGENT", c.state, "STATE", c.step, "STEP",
	    c.tokens, "TOKENS", c.cost, "COST", c.budget, "BUDGET", c.waiting,
	    "WAITING", c.age, "AGE", c.task > 0 ? "TASK" : "");
	draw_text(y, 0, cols, ROLE_COLUMN, head);
	for (int i = 0; i < body; i++) {
		size_t row = *top + (size_t)i;
		if (row >= n) {
			draw_fill(y + 1 + i, 0, cols, ROLE_NORMAL);
			continue;
		}
		draw_row(ui, y + 1 + i, &c, model_run(ui->m, ids[row]), row == *sel,
		    now);
	}
	if (n == 0) {
		snprintf(title, sizeof(title), ui->m->filter[0] ? "no run matches "
		    "\"%s\" (/ to change the filter)" : "no runs yet%s",
		    ui->m->filter[0] ? ui->m->filter : "");
		draw_text(y + 2, 2, cols - 4, ROLE_DIM, title);
	} else if (ui->m->filter[0] || json_object_size(ui->marks) > 0) {
		snprintf(title, sizeof(title), " filter: %s  marked: %zu  sort: %s ",
		    ui->m->filter[0] ? ui->m->filter : "-",
		    json_object_size(ui->marks), model_sort_name(ui->m->sort));
		draw_text(y + rows - 1, cols - text_width(title) - 1,
		    text_width(title), ROLE_DIM, title);
	}
}

static const char *
selected_id(struct ui *ui)
{
	const char *const *ids;
	size_t n = model_rows(ui->m, &ids);

	return ui->sel[VIEW_RUNS] < n ? ids[ui->sel[VIEW_RUNS]] : NULL;
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

static void
act(struct ui *ui, enum ipc_type type)
{
	json_t *ids = targets(ui), *id;
	char label[64];
	size_t i;

	json_array_foreach(ids, i, id) {
		snprintf(label, sizeof(label), "%s %s", ipc_type_name(type) + 5,
		    json_string_value(id));
		client_action(ui->c, type, json_pack("{s:O}", "run", id), label);
	}
	if (json_array_size(ids) > 1)
		ui_say(ui, "%s sent for %zu runs", ipc_type_name(type) + 5,
		    json_array_size(ids));
	json_object_clear(ui->marks);
	json_decref(ids);
}

static void done_kill(struct ui *ui, const char *in) { act(ui, IPC_T_RUNS_KILL); }
static void done_pause(struct ui *ui, const char *in) { act(ui, IPC_T_RUNS_PAUSE); }
static void done_resume(struct ui *ui, const char *in) { act(ui, IPC_T_RUNS_RESUME); }

static void
ask_act(struct ui *ui, const char *verb, prompt_done_fn *done, bool confirm_one)
{
	json_t *ids;
	char q[200];
	size_t n;

	if (!ui_can_act(ui))
		return;
	ids = targets(ui);
	n = json_array_size(ids);
	if (n == 1 && !confirm_one)
		done(ui, "y");
	else if (n == 1)
		snprintf(q, sizeof(q), "%s %s? (y/n)", verb,
		    json_string_value(json_array_get(ids, 0)));
	else
		snprintf(q, sizeof(q), "%s %zu marked runs? (y/n)", verb, n);
	if (n > 1 || (n == 1 && confirm_one))
		ui_ask(ui, q, NULL, false, NULL, done);
	json_decref(ids);
}

static void
filter_done(struct ui *ui, const char *input)
{
	model_set_filter(ui->m, input);
	ui->sel[VIEW_RUNS] = 0;
}

static int
runs_key(struct ui *ui, int ch)
{
	const char *const *ids;
	size_t n = model_rows(ui->m, &ids), *sel = &ui->sel[VIEW_RUNS];
	const char *id;

	if (ui_list_key(sel, n, ch))
		return UI_REDRAW;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		if ((id = selected_id(ui)) != NULL)
			ui_open_detail(ui, id);
		break;
	case '/':
		ui_ask(ui, "filter (words, state=S, agent=A; empty clears):", NULL,
		    true, NULL, filter_done);
		snprintf(ui->prompt.input, sizeof(ui->prompt.input), "%s",
		    ui->m->filter);
		ui->prompt.len = strlen(ui->prompt.input);
		break;
	case 's':
		model_set_sort(ui->m, (enum sort_key)((ui->m->sort + 1) % SORT__COUNT));
		ui_say(ui, "sorted by %s (live runs first)",
		    model_sort_name(ui->m->sort));
		break;
	case ' ':
		if ((id = selected_id(ui)) == NULL)
			break;
		if (json_object_get(ui->marks, id) != NULL)
			json_object_del(ui->marks, id);
		else
			json_object_set_new(ui->marks, id, json_true());
		if (*sel + 1 < n)
			(*sel)++;
		break;
	case 'A':
		for (size_t i = 0; i < n; i++)
			json_object_set_new(ui->marks, ids[i], json_true());
		ui_say(ui, "%zu runs marked", n);
		break;
	case 'u':
		json_object_clear(ui->marks);
		break;
	case 'x':
		ask_act(ui, "kill", done_kill, true);
		break;
	case 'p':
		ask_act(ui, "pause", done_pause, false);
		break;
	case 'r':
		ask_act(ui, "resume", done_resume, false);
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
