/* The run detail: trace tree, budget breakdown, transitions, messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define TASK_LINES	4	/* the task in the header; all of it under MESSAGES */
#define THINKING_LINES	6	/* of a message's reasoning under MESSAGES */

/* The doc being built (ui->detail_doc), for the helpers below. */
static struct doc *doc;

#define add(role, ...) doc_addf(doc, role, __VA_ARGS__)

static void
add_budget(const json_t *d)
{
	static const char *const kinds[] = { "llm_calls", "tool_calls",
	    "tokens_in", "tokens_out", "wall_ms", "cost_usd" };
	const json_t *u = json_object_get(d, "usage"), *b = json_object_get(d, "budget");

	add(ROLE_TITLE, "BUDGET          used        limit");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		double used = json_number_value(json_object_get(u, kinds[i]));
		double limit = json_number_value(json_object_get(b, kinds[i]));
		char su[32], sl[32];

		if (strcmp(kinds[i], "cost_usd") == 0) {
			char c[FMT_SHORT];
			snprintf(su, sizeof(su), "%s%s", json_is_true(json_object_get(d,
			    "cost_unknown")) ? "≥" : "", fmt_cost(c, sizeof(c), used));
			if (limit > 0)
				fmt_cost(sl, sizeof(sl), limit);
			else
				snprintf(sl, sizeof(sl), "-");
		} else if (strcmp(kinds[i], "wall_ms") == 0) {
			fmt_duration(su, sizeof(su), (int64_t)used);
			if (limit > 0)
				fmt_duration(sl, sizeof(sl), (int64_t)limit);
			else
				snprintf(sl, sizeof(sl), "-");
		} else {
			snprintf(su, sizeof(su), "%.0f", used);
			snprintf(sl, sizeof(sl), limit > 0 ? "%.0f" : "-", limit);
		}
		add(ROLE_NORMAL, "  %-11s %9s  %11s  ", kinds[i], su, sl);
		if (limit > 0) {
			doc_last(doc)->bar = true;
			doc_last(doc)->fraction = used / limit;
		}
	}
}

/* The answer (or the reasoning, "thinking:") streaming in for a running
 * model call: its last words. */
static void
add_streaming(struct ui *ui, const json_t *d, const json_t *span)
{
	const json_t *run = model_run(ui->m, str_or(json_string_value(
	    json_object_get(d, "id")), ""));
	const json_t *st = json_object_get(run, "streaming");
	const char *text = json_string_value(json_object_get(st, "text"));
	char tail[200];
	size_t n, cut = 0, j = 0;

	if (text == NULL || strcmp(str_or(json_string_value(json_object_get(st,
	    "span")), ""), str_or(json_string_value(json_object_get(span,
	    "span")), "")) != 0)
		return;
	n = strlen(text);
	cut = utf8_tail(text, n, 120);
	for (const char *p = text + cut; *p && j + 1 < sizeof(tail); p++)
		tail[j++] = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;
	tail[j] = '\0';
	add(ROLE_DIM, "%s      %s: %s%s", ui->ascii ? "|" : "│",
	    json_is_true(json_object_get(st, "reasoning")) ? " thinking" :
	    "streaming", cut > 0 ? "..." : "", tail);
}

/* "thinking 120 tok" (or "thinking 2.3 KB" when the provider did not
 * count) for a model call that reasoned, else "". */
static void
thinking_figure(char *out, size_t outlen, const json_t *span)
{
	const json_t *tok = json_object_get(span, "reasoning_tokens");
	json_int_t bytes = json_integer_value(json_object_get(span,
	    "reasoning_bytes"));

	out[0] = '\0';
	if (json_is_integer(tok) && json_integer_value(tok) > 0)
		snprintf(out, outlen, "thinking %lld tok",
		    (long long)json_integer_value(tok));
	else if (bytes >= 1024)
		snprintf(out, outlen, "thinking %.1f KB", (double)bytes / 1024);
	else if (bytes > 0)
		snprintf(out, outlen, "thinking %lld B", (long long)bytes);
}

static void
add_trace(struct ui *ui, const json_t *d, int64_t now)
{
	const json_t *spans = json_object_get(d, "spans"), *s;
	long step = -1;
	size_t i;

	add(ROLE_TITLE, "TRACE  run %s", json_string_value(json_object_get(d, "id")));
	json_array_foreach(spans, i, s) {
		const char *kind = str_or(json_string_value(json_object_get(s, "kind")), "?");
		const char *status = str_or(json_string_value(json_object_get(s, "status")), "?");
		long st = (long)json_integer_value(json_object_get(s, "step"));
		bool running = strcmp(status, "running") == 0;
		bool last = i + 1 == json_array_size(spans) || json_integer_value(
		    json_object_get(json_array_get(spans, i + 1), "step")) != st;
		char lat[16], tok[48] = "", cost[24] = "", att[16] = "", extra[160] = "";

		if (st != step) {
			add(ROLE_DIM, "%s step %ld", ui->ascii ? "+" : "┬", st);
			step = st;
		}
		/* an in-flight span counts up on screen from its start */
		fmt_duration(lat, sizeof(lat), running ? now - json_integer_value(
		    json_object_get(s, "start_ms")) :
		    json_integer_value(json_object_get(s, "latency_ms")));
		if (strcmp(kind, "llm") == 0 && !running) {
			snprintf(tok, sizeof(tok), "%lld+%lld tok", (long long)
			    json_integer_value(json_object_get(s, "tokens_in")),
			    (long long)json_integer_value(json_object_get(s, "tokens_out")));
			if (json_is_number(json_object_get(s, "cost_usd")))
				fmt_cost(cost, sizeof(cost), json_number_value(
				    json_object_get(s, "cost_usd")));
			else
				snprintf(cost, sizeof(cost), "cost ?");
		}
		if (json_integer_value(json_object_get(s, "attempt")) > 1)
			snprintf(att, sizeof(att), "retry %lld", (long long)
			    json_integer_value(json_object_get(s, "attempt")) - 1);
		else if (json_integer_value(json_object_get(s, "attempts")) > 1)
			snprintf(att, sizeof(att), "try %lld", (long long)
			    json_integer_value(json_object_get(s, "attempts")));
		if (strcmp(str_or(json_string_value(json_object_get(s, "cache")),
		    ""), "hit") == 0)
			snprintf(att, sizeof(att), "cached");
		if (running && json_is_string(json_object_get(s, "retry_reason")))
			snprintf(extra, sizeof(extra), "%s", json_string_value(
			    json_object_get(s, "retry_reason")));
		if (strcmp(kind, "tool") == 0) {
			char *args = json_dumps(json_object_get(s, "args"), JSON_COMPACT);
			snprintf(extra, sizeof(extra), "%s", args ? args : "");
			free(args);
		}
		if (strcmp(kind, "llm") == 0 && !running)
			thinking_figure(extra, sizeof(extra), s);
		if (json_is_string(json_object_get(s, "error")))
			snprintf(extra, sizeof(extra), "%s", json_string_value(
			    json_object_get(s, "error")));
		add(running ? ROLE_SPAN_RUNNING : strcmp(kind, "llm") == 0 ?
		    ROLE_SPAN_LLM : ROLE_SPAN_TOOL,
		    "%s %-4s %-20.20s %-9s %8s %s%-14s %-8s %s %s",
		    ui->ascii ? (last ? "`-" : "|-") : (last ? "└─" : "├─"),
		    kind, str_or(json_string_value(json_object_get(s, "name")), "?"),
		    running ? "RUNNING" : status, lat, "", tok, cost, att, extra);
		if (running && strcmp(kind, "llm") == 0)
			add_streaming(ui, d, s);
	}
	if (json_array_size(spans) == 0)
		add(ROLE_DIM, "  (no calls yet)");
}

static void
add_transitions(const json_t *d)
{
	const json_t *t;
	int64_t t0 = json_integer_value(json_object_get(d, "created_ms"));
	size_t i;

	add(ROLE_TITLE, "TRANSITIONS");
	json_array_foreach(json_object_get(d, "transitions"), i, t) {
		char at[16];
		fmt_duration(at, sizeof(at), json_integer_value(json_object_get(t,
		    "ts")) - t0);
		add((enum theme_role)theme_role_for_state(json_string_value(
		    json_object_get(t, "to"))), "  seq %-6lld +%-7s %s -> %s: %s",
		    (long long)json_integer_value(json_object_get(t, "seq")), at,
		    json_string_value(json_object_get(t, "from")),
		    json_string_value(json_object_get(t, "to")),
		    json_string_value(json_object_get(t, "reason")));
	}
}

/* A message's reasoning, dim, after @prefix: its first THINKING_LINES
 * lines and how much there is. False when it has none. */
static bool
add_thinking(const json_t *msg, const char *prefix, int width)
{
	const json_t *r = json_object_get(msg, "reasoning");
	json_int_t bytes = json_integer_value(json_object_get(msg,
	    "reasoning_bytes"));
	json_int_t redacted = json_integer_value(json_object_get(msg,
	    "reasoning_redacted"));
	char label[24];
	size_t n;

	if (!json_is_string(r) && redacted <= 0)
		return false;
	snprintf(label, sizeof(label), "%sthinking: ", prefix);
	if (json_is_string(r)) {
		n = json_string_length(r);
		doc_add_wrapped(doc, ROLE_DIM, label, json_string_value(r), width,
		    THINKING_LINES);
		if ((doc_last(doc) != NULL && doc_last(doc)->end < n) ||
		    bytes > (json_int_t)n)
			add(ROLE_DIM, "%*s… %lld bytes of thinking in all", 22, "",
			    (long long)(bytes > (json_int_t)n ? bytes :
			    (json_int_t)n));
	}
	if (redacted > 0)
		add(ROLE_DIM, "%s(%lld redacted thinking block%s)",
		    json_is_string(r) ? "                      " : label,
		    (long long)redacted, redacted == 1 ? "" : "s");
	return true;
}

static void
add_messages(const json_t *d, int width)
{
	static const char pad[] = "            ";	/* as wide as prefix */
	const json_t *msg;
	size_t i;

	add(ROLE_TITLE, "MESSAGES");
	json_array_foreach(json_object_get(d, "messages"), i, msg) {
		const char *role = str_or(json_string_value(json_object_get(msg, "role")), "?");
		const json_t *content = json_object_get(msg, "content");
		char prefix[24];
		bool first = true;

		snprintf(prefix, sizeof(prefix), "  %-9s ", role);
		if (add_thinking(msg, prefix, width))
			first = false;
		if (json_is_string(content)) {
			doc_add_wrapped(doc, json_is_true(json_object_get(msg,
			    "is_error")) ? ROLE_ERROR : ROLE_NORMAL,
			    first ? prefix : pad, json_string_value(content),
			    width, 0);
			first = false;
		}
		if (json_object_get(msg, "tool_calls") != NULL) {
			char *calls = json_dumps(json_object_get(msg, "tool_calls"),
			    JSON_COMPACT);
			doc_add_wrapped(doc, ROLE_DIM, first ? prefix : pad,
			    calls ? calls : "", width, 0);
			free(calls);
		}
	}
}

static void
build(struct ui *ui, int64_t now, int width)
{
	const json_t *d = ui->m->detail;
	const json_t *w;
	const char *task;
	char since[16];

	doc = &ui->detail_doc;
	doc_clear(doc);
	if (d == NULL) {
		add(ROLE_DIM, "loading %s…", ui->m->detail_run);
		return;
	}
	w = json_object_get(d, "waiting");
	add((enum theme_role)theme_role_for_state(json_string_value(json_object_get(
	    d, "state"))), "%s  %s  %s: %s", json_string_value(json_object_get(d,
	    "id")), str_or(json_string_value(json_object_get(d, "agent")), ""),
	    str_or(json_string_value(json_object_get(d, "state")), "?"),
	    str_or(json_string_value(json_object_get(d, "reason")), ""));
	task = str_or(json_string_value(json_object_get(d, "task")), "");
	doc_add_wrapped(doc, ROLE_NORMAL, "task   ", task, width, TASK_LINES);
	if (doc_last(doc)->end < strlen(task))
		add(ROLE_DIM, "       … %zu more bytes: the whole task is the first "
		    "message (MESSAGES)", strlen(task) - doc_last(doc)->end);
	add(ROLE_NORMAL, "model  %s   step %lld%s",
	    str_or(json_string_value(json_object_get(d, "model")), ""),
	    (long long)json_integer_value(json_object_get(d, "step")),
	    json_is_true(json_object_get(d, "dry_run")) ? "   DRY RUN" : "");
	if (json_is_string(json_object_get(w, "on")) &&
	    strcmp(json_string_value(json_object_get(w, "on")), "none") != 0) {
		fmt_duration(since, sizeof(since), now - json_integer_value(
		    json_object_get(w, "since_ms")));
		if (strcmp(json_string_value(json_object_get(w, "on")),
		    "stalled") == 0)
			/* since the stream's last data */
			add(ROLE_WARN, "waits  on %s: no data for %s (the stream "
			    "stalled)", str_or(json_string_value(json_object_get(w,
			    "detail")), ""), since);
		else
			add(ROLE_WARN, "waits  on %s %s for %s",
			    json_string_value(json_object_get(w, "on")),
			    str_or(json_string_value(json_object_get(w, "detail")),
			    ""), since);
	}
	if (json_is_object(json_object_get(d, "rating")))
		add(strcmp(str_or(json_string_value(json_object_get(json_object_get(d,
		    "rating"), "rating")), ""), "good") == 0 ? ROLE_OK : ROLE_WARN,
		    "rated  %s %s", json_string_value(json_object_get(json_object_get(
		    d, "rating"), "rating")), str_or(json_string_value(json_object_get(
		    json_object_get(d, "rating"), "note")), ""));
	if (json_is_string(json_object_get(d, "output")))
		doc_add_wrapped(doc, ROLE_OK, "output ", json_string_value(
		    json_object_get(d, "output")), width, 0);
	add(ROLE_NORMAL, "%s", "");
	add_budget(d);
	add(ROLE_NORMAL, "%s", "");
	add_trace(ui, d, now);
	add(ROLE_NORMAL, "%s", "");
	add_transitions(d);
	add(ROLE_NORMAL, "%s", "");
	add_messages(d, width);
}

static void
detail_draw(struct ui *ui, int64_t now, int y, int rows, int cols)
{
	int n;

	build(ui, now, cols);
	n = (int)ui->detail_doc.n;
	if (ui->detail_scroll > n - rows)
		ui->detail_scroll = MAX_I(n - rows, 0);
	draw_doc(ui, &ui->detail_doc, ui->detail_scroll, y, rows, cols,
	    ui->detail_search);
}

/*
 * The next (@dir 1) or previous (-1) match of the search, in the run's
 * text as written, not in its wrapped lines: a word split by the wrap is
 * found. The first search starts at the top line shown.
 */
static void
search(struct ui *ui, int dir)
{
	struct doc_match m;
	size_t total;

	if (doc_search(&ui->detail_doc, ui->detail_search, ui->detail_matched ?
	    &ui->detail_match : NULL, (size_t)ui->detail_scroll, dir, &m) != 0) {
		ui->detail_matched = false;
		ui_say(ui, "\"%s\" not found in run %s", ui->detail_search,
		    ui->m->detail_run);
		return;
	}
	ui->detail_match = m;
	ui->detail_matched = true;
	/* the match on the second line shown, the line before it as context */
	ui->detail_scroll = m.line > 0 ? (int)m.line - 1 : 0;
	total = doc_count(&ui->detail_doc, ui->detail_search);
	ui_say(ui, "\"%s\": %zu match%s in run %s (n next, N previous)",
	    ui->detail_search, total, total == 1 ? "" : "es", ui->m->detail_run);
}

static void
search_done(struct ui *ui, const char *input)
{
	snprintf(ui->detail_search, sizeof(ui->detail_search), "%s", input);
	ui->detail_matched = false;
	if (input[0] != '\0')
		search(ui, 1);
}

static void
run_action(struct ui *ui, enum ipc_type type)
{
	char label[96];

	if (!ui_can_act(ui))
		return;
	snprintf(label, sizeof(label), "%s %s", ipc_type_name(type) + 5,
	    ui->m->detail_run);
	ui_act(ui, type, json_pack("{s:s}", "run", ui->m->detail_run),
	    label);
	ui_say(ui, "%s: sent", label);
}

static void
kill_done(struct ui *ui, const char *in)
{
	run_action(ui, IPC_T_RUNS_KILL);
}

static int
detail_key(struct ui *ui, int ch)
{
	char q[96];

	if (ui_scroll_key(ui, &ui->detail_scroll, ui->detail_doc.n, ch))
		return UI_REDRAW;
	switch (ch) {
	case '/':
		snprintf(q, sizeof(q), "search in run %s:", ui->m->detail_run);
		ui_ask_text(ui, q, ui->detail_search, NULL, search_done);
		break;
	case 'n':
		if (ui->detail_search[0])
			search(ui, 1);
		break;
	case 'N':
		if (ui->detail_search[0])
			search(ui, -1);
		break;
	case 'p':
		run_action(ui, IPC_T_RUNS_PAUSE);
		break;
	case 'r':
		run_action(ui, IPC_T_RUNS_RESUME);
		break;
	case 'R':
		ui_rate(ui, ui->m->detail_run);
		break;
	case 'x':
		if (!ui_can_act(ui))
			break;
		snprintf(q, sizeof(q), "kill %s? (y/n)", ui->m->detail_run);
		ui_ask(ui, q, NULL, false, ui->m->detail_run, kill_done);
		break;
	default:
		return UI_UNHANDLED;
	}
	return UI_REDRAW;
}

const struct view_ops view_detail = {
	.name = "run",
	.keys = "j/k scroll  / search  n/N next  p pause  r resume  x kill  R rate",
	.keys_ro = "j/k scroll  / search  n/N next",
	.draw = detail_draw,
	.key = detail_key,
};
