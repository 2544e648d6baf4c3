/* History: search finished (and live) runs in the database through agentd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

/* "deploy failed refund" → agent=, state= and text words, as history.search
 * takes them; "since=2h" limits the time range. */
static json_t *
parse_query(const char *text)
{
	json_t *q = json_pack("{s:i}", "limit", 500);
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
	ui->sel[VIEW_HISTORY] = 0;
	client_history(ui->c, parse_query(text));
}

static void
query_done(struct ui *ui, const char *text)
{
	view_history_search(ui, text);
}

static void
history_draw(struct ui *ui, int y, int rows, int cols)
{
	json_t *runs = ui->m->history, *run;
	size_t n = json_array_size(runs), *sel = &ui->sel[VIEW_HISTORY];
	size_t *top = &ui->top[VIEW_HISTORY];
	char line[600], cost[24], when[32];
	int body = rows - 2;

	snprintf(line, sizeof(line), " search: %s   (/ to search: words, agent=A, "
	    "state=S, since=2h)", ui->history_query[0] ? ui->history_query : "-");
	draw_text(y, 0, cols, ROLE_TITLE, line);
	draw_text(y + 1, 0, cols, ROLE_COLUMN, " ID           AGENT          STATE"
	    "          STEP     COST  CREATED          REASON / TASK");
	if (*sel >= n && n > 0)
		*sel = n - 1;
	if (*sel < *top)
		*top = *sel;
	if (body > 0 && *sel >= *top + (size_t)body)
		*top = *sel - (size_t)body + 1;
	for (int i = 0; i < body; i++) {
		size_t r = *top + (size_t)i;
		if (r >= n) {
			draw_fill(y + 2 + i, 0, cols, ROLE_NORMAL);
			continue;
		}
		run = json_array_get(runs, r);
		time_t t = (time_t)(json_integer_value(json_object_get(run,
		    "created_ms")) / 1000);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%m-%d %H:%M:%S", &tm);
		fmt_cost(cost, sizeof(cost), run);
		const char *rating = json_string_value(json_object_get(
		    json_object_get(run, "rating"), "rating"));
		snprintf(line, sizeof(line), "%s%-12s %-14.14s %-14s %4lld %8s  %-15s  "
		    "%s / %s", rating == NULL ? " " : rating[0] == 'g' ? "+" : "-",
		    str_or(json_string_value(json_object_get(run, "id")), ""),
		    str_or(json_string_value(json_object_get(run, "agent")), ""),
		    str_or(json_string_value(json_object_get(run, "state")), ""),
		    (long long)json_integer_value(json_object_get(run, "step")), cost,
		    when, str_or(json_string_value(json_object_get(run, "reason")), ""),
		    str_or(json_string_value(json_object_get(run, "task")), ""));
		draw_text(y + 2 + i, 0, cols, r == *sel ? ROLE_SELECTED :
		    (enum theme_role)theme_role_for_state(json_string_value(
		    json_object_get(run, "state"))), line);
	}
	if (runs == NULL)
		draw_text(y + 3, 2, cols - 4, ROLE_DIM, "press / to search the "
		    "history, or Enter on an empty search for the latest runs");
	else if (n == 0)
		draw_text(y + 3, 2, cols - 4, ROLE_DIM, "no run matches");
}

static int
history_key(struct ui *ui, int ch)
{
	size_t n = json_array_size(ui->m->history), *sel = &ui->sel[VIEW_HISTORY];

	if (ui_list_key(sel, n, ch))
		return UI_REDRAW;
	switch (ch) {
	case 'R':
		if (*sel < n)
			ui_rate(ui, json_string_value(json_object_get(
			    json_array_get(ui->m->history, *sel), "id")));
		break;
	case '/':
		ui_ask(ui, "search history:", NULL, true, NULL, query_done);
		snprintf(ui->prompt.input, sizeof(ui->prompt.input), "%s",
		    ui->history_query);
		ui->prompt.len = strlen(ui->prompt.input);
		break;
	case '\n': case '\r': case KEY_ENTER:
		if (ui->m->history == NULL)
			query_done(ui, "");
		else if (*sel < n)
			ui_open_detail(ui, json_string_value(json_object_get(
			    json_array_get(ui->m->history, *sel), "id")));
		break;
	default:
		return UI_UNHANDLED;
	}
	return UI_REDRAW;
}

const struct view_ops view_history = {
	.name = "history",
	.keys = "/ search  Enter open  R rate (+ good, - bad)",
	.keys_ro = "/ search  Enter open",
	.draw = history_draw,
	.key = history_key,
};
