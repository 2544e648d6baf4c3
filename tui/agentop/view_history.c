/* History: search finished (and live) runs in the database through agentd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define HISTORY_PAGE	500	/* runs a page holds at most */

/* "deploy failed refund" → agent=, state= and text words, as history.search
 * takes them; "since=2h" limits the time range. */
static json_t *
parse_query(const char *text)
{
	json_t *q = json_pack("{s:i}", "limit", HISTORY_PAGE);
	char buf[128], words[128] = "", *save = NULL, *w;

	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');
		if (eq != NULL && (strncmp(w, "agent=", 6) == 0 ||
		    strncmp(w, "state=", 6) == 0)) {
			*eq = '\0';
			json_object_set_new(q, w, json_string(eq + 1));
		} else if (strncmp(w, "since=", 6) == 0) {
			char unit = 'm';
			long n = 0;
			if (sscanf(w + 6, "%ld%c", &n, &unit) >= 1) {
				long mult = unit == 'd' ? 86400000L : unit == 'h' ?
				    3600000L : unit == 's' ? 1000L : 60000L;
				json_object_set_new(q, "since_ms", json_integer(
				    (json_int_t)time(NULL) * 1000 - n * mult));
			}
		} else {
			snprintf(words + strlen(words), sizeof(words) - strlen(words),
			    "%s%s", words[0] ? " " : "", w);
		}
	}
	if (words[0] != '\0')
		json_object_set_new(q, "grep", json_string(words));
	return q;
}

void
view_history_search(struct ui *ui, const char *text)
{
	snprintf(ui->history_query, sizeof(ui->history_query), "%s", text);
	ui->sel[VIEW_HISTORY] = (struct list_sel){ 0 };	/* a new list */
	client_history(ui->c, parse_query(text));
}

static void
query_done(struct ui *ui, const char *text)
{
	view_history_search(ui, text);
}

/* The result's run ids, in its order: a new array of borrowed strings. */
static const char **
history_ids(struct ui *ui, size_t *n)
{
	const char **ids;
	json_t *run;
	size_t i;

	*n = json_array_size(ui->m->history);
	if ((ids = calloc(*n + 1, sizeof(*ids))) == NULL)
		abort();
	json_array_foreach(ui->m->history, i, run)
		ids[i] = str_or(json_string_value(json_object_get(run, "id")), "");
	return ids;
}

enum { C_ID, C_AGENT, C_STATE, C_STEP, C_COST, C_CREATED, C__COUNT };

/* The columns for the runs shown: each as wide as its content needs; the
 * reason and task get the rest, and at least a third of the width (the
 * step, the date, the cost give up their room first). */
static int
columns(json_t *runs, int cols, struct col *c)
{
	json_t *run;
	size_t i;
	struct col init[C__COUNT] = {
		[C_ID] = { 12, 12, 9, 0 },
		[C_AGENT] = { 5, 8, 2, 0 },
		[C_STATE] = { 5, 8, 3, 0 },
		[C_STEP] = { 4, 0, 0, 0 },
		[C_COST] = { 4, 0, 4, 0 },
		[C_CREATED] = { 14, 11, 1, 0 },
	};

	memcpy(c, init, sizeof(init));
	json_array_foreach(runs, i, run) {
		char cost[24];
		int w = utf8_width(str_or(json_string_value(json_object_get(run,
		    "agent")), ""));
		c[C_AGENT].want = MAX_I(c[C_AGENT].want, MIN_I(w, 16));
		w = utf8_width(str_or(json_string_value(json_object_get(run,
		    "state")), ""));
		c[C_STATE].want = MAX_I(c[C_STATE].want, MIN_I(w, 14));
		ui_run_cost(cost, sizeof(cost), run);
		c[C_COST].want = MAX_I(c[C_COST].want, utf8_width(cost));
	}
	c[C_AGENT].min = MIN_I(c[C_AGENT].min, c[C_AGENT].want);
	c[C_STATE].min = MIN_I(c[C_STATE].min, c[C_STATE].want);
	/* the rating mark before the id, a space before the text */
	return layout_columns(c, C__COUNT, cols - 2, 1, MAX_I(24, cols / 3));
}

static void
draw_run(struct ui *ui, int y, int cols, const struct col *c, int text,
    json_t *run, bool selected)
{
	const char *rating = json_string_value(json_object_get(json_object_get(run,
	    "rating"), "rating"));
	const char *state = str_or(json_string_value(json_object_get(run, "state")), "");
	enum theme_role role = selected ? ROLE_SELECTED : (enum theme_role)
	    theme_role_for_state(state);
	time_t t = (time_t)(json_integer_value(json_object_get(run, "created_ms")) /
	    1000);
	char buf[600], when[32];
	struct tm tm;
	int x = 1;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), c[C_CREATED].w >= 14 ? "%m-%d %H:%M:%S" :
	    "%m-%d %H:%M", &tm);
	draw_fill(y, 0, cols, role);
	draw_text(y, 0, 1, role, rating == NULL ? " " : rating[0] == 'g' ? "+" : "-");
	for (int i = 0; i < C__COUNT; i++) {
		if (c[i].w == 0)
			continue;
		switch (i) {
		case C_ID:
			snprintf(buf, sizeof(buf), "%s", str_or(json_string_value(
			    json_object_get(run, "id")), ""));
			break;
		case C_AGENT:
			snprintf(buf, sizeof(buf), "%s", str_or(json_string_value(
			    json_object_get(run, "agent")), ""));
			break;
		case C_STATE:
			snprintf(buf, sizeof(buf), "%s", c[i].w < 14 && strcmp(state,
			    "awaiting_human") == 0 ? "awaiting" : state);
			break;
		case C_STEP:
			snprintf(buf, sizeof(buf), "%*lld", c[i].w, (long long)
			    json_integer_value(json_object_get(run, "step")));
			break;
		case C_COST: {
			char cost[24];
			ui_run_cost(cost, sizeof(cost), run);
			snprintf(buf, sizeof(buf), "%*s", c[i].w, cost);
			break;
		}
		case C_CREATED:
			snprintf(buf, sizeof(buf), "%s", when);
			break;
		}
		draw_text(y, x, MIN_I(c[i].w, cols - x), role, buf);
		x += c[i].w + 1;
	}
	if (text > 0) {
		snprintf(buf, sizeof(buf), "%s / %s", str_or(json_string_value(
		    json_object_get(run, "reason")), ""), str_or(json_string_value(
		    json_object_get(run, "task")), ""));
		draw_text_cut(ui, y, x + 1, MIN_I(text, cols - x - 1), role, buf,
		    json_is_true(json_object_get(run, "task_truncated")));
	}
}

static void
history_draw(struct ui *ui, int64_t now, int y, int rows, int cols)
{
	json_t *runs = ui->m->history;
	struct list_sel *sel = &ui->sel[VIEW_HISTORY];
	struct col c[C__COUNT];
	const char **ids;
	char line[600];
	int body = rows - 2, text, x = 1;
	size_t n;

	ids = history_ids(ui, &n);
	ui_list_sync(ui, sel, ids, n, "run", NULL);
	list_sel_scroll(sel, n, (size_t)MAX_I(body, 0));
	/* near the end of what came: the next page, if agentd has one */
	if (ui->m->history_more && sel->top + (size_t)MAX_I(body, 0) + 1 >= n)
		client_history_more(ui->c);
	snprintf(line, sizeof(line), " search: %s   (/ to search: words, agent=A, "
	    "state=S, since=2h)", ui->history_query[0] ? ui->history_query : "-");
	draw_text(y, 0, cols, ROLE_TITLE, line);
	if (n > 0) {
		snprintf(line, sizeof(line), " %zu runs%s ", n, ui->m->history_more ?
		    ", more below" : "");
		draw_corner(y, cols, ROLE_DIM, line);
	}
	text = columns(runs, cols, c);
	draw_fill(y + 1, 0, cols, ROLE_COLUMN);
	{
		static const char *const names[C__COUNT] = { "ID", "AGENT", "STATE",
		    "STEP", "COST", "CREATED" };
		for (int i = 0; i < C__COUNT; i++) {
			if (c[i].w == 0)
				continue;
			snprintf(line, sizeof(line), i == C_STEP || i == C_COST ? "%*s" :
			    "%-*s", c[i].w, names[i]);
			draw_text(y + 1, x, MIN_I(c[i].w, cols - x), ROLE_COLUMN, line);
			x += c[i].w + 1;
		}
		if (text > 0)
			draw_text(y + 1, x + 1, MIN_I(text, cols - x - 1), ROLE_COLUMN,
			    "REASON / TASK");
	}
	for (int i = 0; i < body; i++) {
		size_t r = sel->top + (size_t)i;
		if (r >= n) {
			draw_fill(y + 2 + i, 0, cols, ROLE_NORMAL);
			if (r == n && ui->m->history_more)
				draw_text(y + 2 + i, 2, cols - 4, ROLE_DIM, "loading more…");
			continue;
		}
		draw_run(ui, y + 2 + i, cols, c, text, json_array_get(runs, r),
		    r == sel->row);
	}
	if (runs == NULL)
		draw_text(y + 3, 2, cols - 4, ROLE_DIM, "press / to search the "
		    "history, or Enter on an empty search for the latest runs");
	else if (n == 0)
		draw_text(y + 3, 2, cols - 4, ROLE_DIM, "no run matches");
	free(ids);
}

static int
history_key(struct ui *ui, int ch)
{
	size_t n;
	const char **ids = history_ids(ui, &n);
	struct list_sel *sel = &ui->sel[VIEW_HISTORY];
	const char *id;

	ui_list_sync(ui, sel, ids, n, "run", NULL);
	id = n > 0 && sel->row < n ? ids[sel->row] : NULL;
	if (ui_list_key(sel, ids, n, ui_page(ui), ch)) {
		free(ids);
		return UI_REDRAW;
	}
	switch (ch) {
	case 'R':
		if (id != NULL)
			ui_rate(ui, id);
		break;
	case '/':
		ui_ask_text(ui, "search history:", ui->history_query, NULL,
		    query_done);
		break;
	case '\n': case '\r': case KEY_ENTER:
		if (ui->m->history == NULL)
			query_done(ui, "");
		else if (id != NULL)
			ui_open_detail(ui, id);
		break;
	default:
		free(ids);
		return UI_UNHANDLED;
	}
	free(ids);
	return UI_REDRAW;
}

const struct view_ops view_history = {
	.name = "history",
	.keys = "/ search  Enter open  R rate (+ good, - bad)",
	.keys_ro = "/ search  Enter open",
	.draw = history_draw,
	.key = history_key,
};
