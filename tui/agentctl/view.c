/* agentctl: human-readable output of replies (see view.h). Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "format.h"
#include "ipc.h"
#include "table.h"
#include "view.h"

#define ARROW	"\xe2\x86\x92"	/* U+2192 → */

/* ---- reading replies leniently: a missing member shows as "-" ---------- */

static const char *
str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

static int64_t
num_i(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

static double
num_d(const json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

static bool
has_num(const json_t *obj, const char *key)
{
	return json_is_number(json_object_get(obj, key));
}

static char *
copy(const char *s)
{
	char *c = strdup(s);

	if (c == NULL)
		abort();
	return c;
}

static char *
compact(const json_t *v)
{
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(12)) : NULL;

	if (s == NULL && (s = strdup("-")) == NULL)
		abort();
	return s;
}

static void
put_table(struct sbuf *b, struct table *t)
{
	char *text = table_render(t, TABLE_WIDTH);

	sbuf_puts(b, text);
	free(text);
}

/* One line of output: what @fmt makes of its arguments (text from agentd
 * among them), every control character escaped (format.h), then "\n". */
static void
line(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line(struct sbuf *b, const char *fmt, ...)
{
	struct sbuf text;
	va_list ap;

	sbuf_init(&text);
	va_start(ap, fmt);
	sbuf_vprintf(&text, fmt, ap);
	va_end(ap);
	format_escape(b, sbuf_str(&text), FORMAT_ESC_LINE);
	sbuf_puts(b, "\n");
	sbuf_finish(&text);
}

/* "key  value" with the keys of a block aligned at @keyw: one line(). */
static void
kv(struct sbuf *b, int keyw, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
kv(struct sbuf *b, int keyw, const char *key, const char *fmt, ...)
{
	struct sbuf value;
	va_list ap;

	sbuf_init(&value);
	va_start(ap, fmt);
	sbuf_vprintf(&value, fmt, ap);
	va_end(ap);
	line(b, "%-*s  %s", keyw, key, sbuf_str(&value));
	sbuf_finish(&value);
}

/* Text that may span lines (the output), each indented by two spaces; tabs
 * are kept, other control characters escaped. */
static void
indented(struct sbuf *b, const char *text)
{
	char *esc = format_escaped(text, FORMAT_ESC_TEXT);
	const char *p = esc, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		sbuf_puts(b, "  ");
		sbuf_putn(b, p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		sbuf_puts(b, "\n");
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(esc);
}

/* ---- runs ------------------------------------------------------------------- */

static const struct table_col run_cols[] = {
	{ "ID", 0, 0 },
	{ "AGENT", TABLE_SHRINK, 6 },
	{ "STATE", 0, 0 },
	{ "STEP", TABLE_RIGHT, 0 },
	{ "TOKENS", TABLE_RIGHT, 0 },
	{ "COST", TABLE_RIGHT, 0 },
	{ "WAITING", TABLE_SHRINK, 14 },
	{ "AGE", TABLE_RIGHT, 0 },
};

char *
view_runs(const json_t *runs, int64_t now_ms)
{
	struct table t;
	const json_t *run, *usage, *waiting;
	char step[FORMAT_SHORT], tokens[FORMAT_SHORT], cost[FORMAT_SHORT];
	char wait[64], age[FORMAT_SHORT];
	size_t i;
	char *text;

	if (json_array_size(runs) == 0)
		return copy("no runs\n");
	table_init(&t, run_cols, sizeof(run_cols) / sizeof(run_cols[0]));
	json_array_foreach(runs, i, run) {
		usage = json_object_get(run, "usage");
		waiting = json_object_get(run, "waiting");
		snprintf(step, sizeof(step), "%lld", (long long)num_i(run, "step"));
		fmt_tokens(tokens, sizeof(tokens), num_i(usage, "tokens_in") +
		    num_i(usage, "tokens_out"));
		if (json_is_true(json_object_get(run, "cost_unknown")))
			snprintf(cost, sizeof(cost), "?");	/* as agentop */
		else
			fmt_cost(cost, sizeof(cost), num_d(usage, "cost_usd"));
		format_waiting(wait, sizeof(wait), json_string_value(
		    json_object_get(waiting, "on")), num_i(waiting, "since_ms"), now_ms);
		fmt_duration(age, sizeof(age), now_ms - num_i(run, "created_ms"));
		table_add(&t, (const char *const []){ str(run, "id"),
		    str(run, "agent"), str(run, "state"), step, tokens, cost, wait,
		    age });
	}
	text = table_render(&t, TABLE_WIDTH);
	table_finish(&t);
	return text;
}

/* ---- one run ------------------------------------------------------------------ */

static const struct table_col budget_cols[] = {
	{ "BUDGET", 0, 0 },
	{ "USED", TABLE_RIGHT, 0 },
	{ "LIMIT", TABLE_RIGHT, 0 },
	{ "USE", TABLE_RIGHT, 0 },
};

static void
run_budget(struct sbuf *b, const json_t *run)
{
	const json_t *usage = json_object_get(run, "usage");
	const json_t *budget = json_object_get(run, "budget");
	const char *kind;
	const json_t *v;
	char used[FORMAT_SHORT], limit[FORMAT_SHORT], pct[FORMAT_SHORT];
	struct table t;

	if (!json_is_object(usage))
		return;
	table_init(&t, budget_cols, sizeof(budget_cols) / sizeof(budget_cols[0]));
	json_object_foreach((json_t *)usage, kind, v) {
		double lim = num_d(budget, kind);

		format_amount(used, sizeof(used), kind, json_number_value(v));
		if (lim > 0) {
			format_amount(limit, sizeof(limit), kind, lim);
			snprintf(pct, sizeof(pct), "%.0f%%",
			    100 * json_number_value(v) / lim);
		} else {
			snprintf(limit, sizeof(limit), "-");
			pct[0] = '\0';
		}
		table_add(&t, (const char *const []){ kind, used, limit, pct });
	}
	sbuf_puts(b, "\n");
	put_table(b, &t);
	table_finish(&t);
	if (json_is_true(json_object_get(run, "cost_unknown")))
		sbuf_puts(b, "(a call had no price: the cost is a lower bound)\n");
}

static const struct table_col transition_cols[] = {
	{ "SEQ", TABLE_RIGHT, 0 },
	{ "AT", TABLE_RIGHT, 0 },
	{ "TRANSITION", 0, 0 },
	{ "REASON", TABLE_SHRINK, 10 },
};

static void
run_transitions(struct sbuf *b, const json_t *run)
{
	const json_t *list = json_object_get(run, "transitions"), *tr;
	int64_t created = num_i(run, "created_ms");
	char seq[FORMAT_SHORT], at[FORMAT_SHORT + 1], d[FORMAT_SHORT], fromto[96];
	struct table t;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	table_init(&t, transition_cols,
	    sizeof(transition_cols) / sizeof(transition_cols[0]));
	json_array_foreach(list, i, tr) {
		snprintf(seq, sizeof(seq), "%lld", (long long)num_i(tr, "seq"));
		snprintf(at, sizeof(at), "+%s", fmt_duration(d, sizeof(d),
		    num_i(tr, "ts") - created));
		snprintf(fromto, sizeof(fromto), "%s " ARROW " %s", str(tr, "from"),
		    str(tr, "to"));
		table_add(&t, (const char *const []){ seq, at, fromto,
		    str(tr, "reason") });
	}
	sbuf_puts(b, "\n");
	put_table(b, &t);
	table_finish(&t);
}

static const struct table_col span_cols[] = {
	{ "STEP", TABLE_RIGHT, 0 },
	{ "KIND", 0, 0 },
	{ "NAME", TABLE_SHRINK, 10 },
	{ "STATUS", 0, 0 },
	{ "LATENCY", TABLE_RIGHT, 0 },
	{ "TOKENS", TABLE_RIGHT, 0 },
	{ "COST", TABLE_RIGHT, 0 },
	{ "DETAIL", TABLE_SHRINK, 8 },
};

/* Why a model stopped, and how much it thought: "end_turn, thinking
 * 120 tok" (tokens as the provider counted them, else the text's size). */
static char *
llm_detail(const json_t *sp)
{
	char out[128], size[FORMAT_SHORT];
	int64_t bytes = num_i(sp, "reasoning_bytes");

	if (has_num(sp, "reasoning_tokens") && num_i(sp, "reasoning_tokens") > 0)
		snprintf(out, sizeof(out), "%s, thinking %s tok",
		    str(sp, "stop_reason"), fmt_tokens(size, sizeof(size),
		    num_i(sp, "reasoning_tokens")));
	else if (bytes > 0)
		snprintf(out, sizeof(out), "%s, thinking %s bytes",
		    str(sp, "stop_reason"), fmt_tokens(size, sizeof(size),
		    bytes));
	else
		return copy(str(sp, "stop_reason"));
	return copy(out);
}

static void
run_spans(struct sbuf *b, const json_t *run)
{
	const json_t *list = json_object_get(run, "spans"), *sp;
	char step[FORMAT_SHORT], lat[FORMAT_SHORT], tin[FORMAT_SHORT];
	char tout[FORMAT_SHORT], tokens[2 * FORMAT_SHORT], cost[FORMAT_SHORT];
	struct table t;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	table_init(&t, span_cols, sizeof(span_cols) / sizeof(span_cols[0]));
	json_array_foreach(list, i, sp) {
		char *detail;

		snprintf(step, sizeof(step), "%lld", (long long)num_i(sp, "step"));
		if (has_num(sp, "latency_ms"))
			fmt_duration(lat, sizeof(lat), num_i(sp, "latency_ms"));
		else if (has_num(sp, "elapsed_ms"))
			fmt_duration(lat, sizeof(lat), num_i(sp, "elapsed_ms"));
		else
			snprintf(lat, sizeof(lat), "-");
		if (has_num(sp, "tokens_in") || has_num(sp, "tokens_out"))
			snprintf(tokens, sizeof(tokens), "%s+%s",
			    fmt_tokens(tin, sizeof(tin), num_i(sp, "tokens_in")),
			    fmt_tokens(tout, sizeof(tout), num_i(sp, "tokens_out")));
		else
			snprintf(tokens, sizeof(tokens), "-");
		if (has_num(sp, "cost_usd"))
			fmt_cost(cost, sizeof(cost), num_d(sp, "cost_usd"));
		else
			snprintf(cost, sizeof(cost), "-");
		/* what says most about it: an error, the arguments of a tool,
		 * why a model stopped */
		if (json_is_string(json_object_get(sp, "error")))
			detail = copy(str(sp, "error"));
		else if (json_object_get(sp, "args") != NULL)
			detail = compact(json_object_get(sp, "args"));
		else
			detail = llm_detail(sp);
		table_add(&t, (const char *const []){ step, str(sp, "kind"),
		    str(sp, "name"), str(sp, "status"), lat, tokens, cost, detail });
		free(detail);
	}
	sbuf_puts(b, "\n");
	put_table(b, &t);
	table_finish(&t);
}

static void
run_escalations(struct sbuf *b, const json_t *run, int64_t now_ms)
{
	const json_t *list = json_object_get(run, "escalations"), *e;
	char left[FORMAT_SHORT];
	size_t i;

	if (json_array_size(list) == 0)
		return;
	sbuf_puts(b, "\nescalations\n");
	json_array_foreach(list, i, e) {
		const char *state = str(e, "state");

		if (strcmp(state, "pending") == 0)
			snprintf(left, sizeof(left), "%s left", format_deadline(left,
			    sizeof(left), num_i(e, "deadline_ms"), now_ms));
		line(b, "  %s  %s (%s)  %s%s%s: %s", str(e, "id"),
		    str(e, "tool"), str(e, "risk"), state,
		    strcmp(state, "pending") == 0 ? ", " : "",
		    strcmp(state, "pending") == 0 ? left : "", str(e, "reason"));
	}
}

char *
view_run(const json_t *run, int64_t now_ms)
{
	const json_t *waiting = json_object_get(run, "waiting");
	const json_t *output = json_object_get(run, "output");
	int64_t created = num_i(run, "created_ms");
	int64_t ended = num_i(run, "ended_ms");
	char t1[64], d1[FORMAT_SHORT], d2[FORMAT_SHORT], wait[64];
	struct sbuf b;
	const int w = 9;

	sbuf_init(&b);
	kv(&b, w, "run", "%s%s", str(run, "id"),
	    json_is_true(json_object_get(run, "dry_run")) ? "  (dry run)" : "");
	kv(&b, w, "agent", "%s", str(run, "agent"));
	kv(&b, w, "model", "%s", str(run, "model"));
	kv(&b, w, "state", "%s%s", str(run, "state"),
	    json_is_true(json_object_get(run, "pause_requested")) ?
	    "  (pause requested: holds after the call in flight)" : "");
	kv(&b, w, "reason", "%s", str(run, "reason"));
	kv(&b, w, "task", "%s", str(run, "task"));
	if (json_is_string(json_object_get(run, "parent")))
		kv(&b, w, "parent", "%s", str(run, "parent"));
	if (ended > 0)
		kv(&b, w, "created", "%s (%s ago), ended after %s",
		    format_time(t1, sizeof(t1), created),
		    fmt_duration(d1, sizeof(d1), now_ms - created),
		    fmt_duration(d2, sizeof(d2), ended - created));
	else
		kv(&b, w, "created", "%s (%s ago)",
		    format_time(t1, sizeof(t1), created),
		    fmt_duration(d1, sizeof(d1), now_ms - created));
	format_waiting(wait, sizeof(wait), json_string_value(
	    json_object_get(waiting, "on")), num_i(waiting, "since_ms"), now_ms);
	if (strcmp(str(waiting, "on"), "stalled") == 0)
		/* since the stream's last data */
		kv(&b, w, "waiting", "no data for %s from %s (the stream stalled)",
		    fmt_duration(d1, sizeof(d1), now_ms - num_i(waiting,
		    "since_ms")), str(waiting, "detail"));
	else if (strcmp(wait, "-") != 0)
		kv(&b, w, "waiting", "%s%s%s", wait,
		    str(waiting, "detail")[0] ? " on " : "", str(waiting, "detail"));
	if (json_is_array(json_object_get(run, "messages")))
		kv(&b, w, "messages", "%zu (agentctl --json show %s | jq .messages)",
		    json_array_size(json_object_get(run, "messages")), str(run, "id"));
	run_budget(&b, run);
	run_transitions(&b, run);
	run_spans(&b, run);
	run_escalations(&b, run, now_ms);
	if (json_is_string(output)) {
		sbuf_puts(&b, "\noutput\n");
		indented(&b, json_string_value(output));
	}
	return sbuf_steal(&b);
}

/* ---- escalations ----------------------------------------------------------------- */

static const struct table_col esc_cols[] = {
	{ "ID", 0, 0 },
	{ "RUN", 0, 0 },
	{ "TOOL", TABLE_SHRINK, 8 },
	{ "RISK", 0, 0 },
	{ "DEADLINE", TABLE_RIGHT, 0 },
	{ "STATE", 0, 0 },
	{ "REASON", TABLE_SHRINK, 10 },
};

char *
view_escalations(const json_t *escs, int64_t now_ms)
{
	const json_t *e;
	struct table t;
	struct sbuf b;
	char left[2 * FORMAT_SHORT], d[FORMAT_SHORT];
	bool all_pending = true;
	size_t i, ncols = sizeof(esc_cols) / sizeof(esc_cols[0]);
	struct table_col cols[sizeof(esc_cols) / sizeof(esc_cols[0])];
	char *text;

	if (json_array_size(escs) == 0)
		return copy("no escalations\n");
	json_array_foreach(escs, i, e)
		all_pending &= strcmp(str(e, "state"), "pending") == 0;
	/* a STATE column only when some are decided */
	memcpy(cols, esc_cols, sizeof(esc_cols));
	if (all_pending) {
		cols[5] = cols[6];
		ncols--;
	}
	sbuf_init(&b);
	table_init(&t, cols, ncols);
	json_array_foreach(escs, i, e) {
		const char *state = str(e, "state");
		const char *row[7];

		if (strcmp(state, "pending") == 0)
			format_deadline(left, sizeof(left), num_i(e, "deadline_ms"),
			    now_ms);
		else
			snprintf(left, sizeof(left), "-");
		row[0] = str(e, "id");
		row[1] = str(e, "run");
		row[2] = str(e, "tool");
		row[3] = str(e, "risk");
		row[4] = left;
		row[5] = all_pending ? str(e, "reason") : state;
		row[6] = str(e, "reason");
		table_add(&t, row);
	}
	text = table_render(&t, TABLE_WIDTH);
	sbuf_puts(&b, text);
	free(text);
	table_finish(&t);
	json_array_foreach(escs, i, e) {
		const char *id = str(e, "id");
		char *args;

		if (strcmp(str(e, "state"), "pending") != 0)
			continue;
		args = compact(json_object_get(e, "args"));
		if (num_i(e, "deadline_ms") > now_ms)
			snprintf(left, sizeof(left), "decide within %s",
			    fmt_duration(d, sizeof(d), num_i(e, "deadline_ms") -
			    now_ms));
		else
			snprintf(left, sizeof(left), "deadline passed");
		sbuf_puts(&b, "\n");
		line(&b, "%s: %s (%s risk) on run %s, %s", id, str(e, "tool"),
		    str(e, "risk"), str(e, "run"), left);
		line(&b, "  why:      %s", str(e, "reason"));
		if (str(e, "context")[0] != '\0')
			line(&b, "  doing:    %s", str(e, "context"));
		line(&b, "  args:     %s", args);
		line(&b, "  decide:   %s", str(e, "decision"));
		line(&b, "  agentctl approve %s [--args JSON]  |  agentctl reject %s "
		    "--reason TEXT", id, id);
		free(args);
	}
	return sbuf_steal(&b);
}

/* ---- agents ---------------------------------------------------------------------- */

char *
view_budget_summary(char *out, size_t outlen, const json_t *budget)
{
	/* the most telling first: a table may cut the end */
	static const struct { const char *kind, *label; } labels[] = {
		{ "cost_usd", "" }, { "llm_calls", "llm" }, { "tool_calls", "tools" },
		{ "tokens_in", "in" }, { "tokens_out", "out" }, { "wall_ms", "wall" },
	};
	char amount[FORMAT_SHORT];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		const char *kind = labels[i].kind, *label = labels[i].label;
		const json_t *v = json_object_get(budget, kind);

		if (json_number_value(v) <= 0)
			continue;
		format_amount(amount, sizeof(amount), kind, json_number_value(v));
		n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s%s%s",
		    n > 0 ? ", " : "", label, label[0] ? " " : "", amount);
		if (n >= outlen)
			break;
	}
	if (out[0] == '\0')
		snprintf(out, outlen, "no limit");
	return out;
}

static const struct table_col agent_cols[] = {
	{ "NAME", TABLE_SHRINK, 10 },
	{ "PATTERN", 0, 0 },
	{ "MODEL", TABLE_SHRINK, 12 },
	{ "TOOLS", TABLE_SHRINK, 10 },
	{ "BUDGET", TABLE_SHRINK, 20 },
};

char *
view_agents(const json_t *body)
{
	const json_t *agents = json_object_get(body, "agents"), *a, *tool;
	struct table t;
	struct sbuf tools;
	char budget[256];
	size_t i, j;
	char *text;

	if (json_array_size(agents) == 0)
		return copy("no agents\n");
	table_init(&t, agent_cols, sizeof(agent_cols) / sizeof(agent_cols[0]));
	json_array_foreach(agents, i, a) {
		sbuf_init(&tools);
		json_array_foreach(json_object_get(a, "tools"), j, tool)
			sbuf_printf(&tools, "%s%s", j > 0 ? "," : "", str(tool, "name"));
		view_budget_summary(budget, sizeof(budget),
		    json_object_get(a, "budget"));
		table_add(&t, (const char *const []){ str(a, "name"),
		    str(a, "pattern"), str(a, "model"), sbuf_str(&tools), budget });
		sbuf_finish(&tools);
	}
	text = table_render(&t, TABLE_WIDTH);
	table_finish(&t);
	return text;
}

char *
view_agent_errors(const json_t *body)
{
	const json_t *errors = json_object_get(body, "errors"), *e;
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	json_array_foreach(errors, i, e) {
		const char *file = str(e, "file"), *error = str(e, "error");

		if (i == 0)
			sbuf_puts(&b, "agent specs that did not load:\n");
		/* the daemon's message usually starts with the file already */
		if (file[0] != '\0' && strncmp(error, file, strlen(file)) != 0)
			line(&b, "  %s: %s", file, error);
		else
			line(&b, "  %s", error);
	}
	return sbuf_steal(&b);
}

/* ---- health and hello ------------------------------------------------------------ */

/* "events_committed" → "events committed", "uptime_ms" → "uptime". */
static void
label_of(char *out, size_t outlen, const char *key)
{
	size_t n = strlen(key);

	if (n > 3 && strcmp(key + n - 3, "_ms") == 0)
		n -= 3;
	else if (n > 4 && strcmp(key + n - 4, "_usd") == 0)
		n -= 4;
	snprintf(out, outlen, "%.*s", (int)n, key);
	for (char *p = out; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
}

/* A metric's value or threshold in its unit: "701ms", "95.0%", "$0.2500". */
static const char *
metric_figure(char *out, size_t outlen, const char *unit, const json_t *v)
{
	double x = json_number_value(v);

	if (!json_is_number(v))
		snprintf(out, outlen, "-");
	else if (strcmp(unit, "ms") == 0)
		/* bounded before the cast: thresholds come from a file */
		fmt_duration(out, outlen, (int64_t)(x < 0 ? 0 :
		    x > 1e15 ? 1e15 : x));
	else if (strcmp(unit, "usd") == 0)
		fmt_cost(out, outlen, x);
	else if (strcmp(unit, "ratio") == 0)
		snprintf(out, outlen, "%.1f%%", x * 100);
	else
		snprintf(out, outlen, "%g", x);
	return out;
}

/* One line a metric: name, value, the alert threshold, samples. */
static void
health_metrics(struct sbuf *b, int indent, const json_t *metrics)
{
	const json_t *m;
	char val[32], thr[32], n[32];
	size_t i;

	json_array_foreach(metrics, i, m) {
		const char *unit = str(m, "unit");
		long long samples = (long long)num_i(m, "samples");

		if (samples == 0)
			snprintf(n, sizeof(n), "no samples yet");
		else
			snprintf(n, sizeof(n), "%lld sample%s", samples,
			    samples == 1 ? "" : "s");
		line(b, "%*s  %-24s %-7s %9s  alert %s %s, %s", indent, "",
		    str(m, "name"), json_is_true(json_object_get(m, "crossed")) ?
		    "CROSSED" : "", metric_figure(val, sizeof(val), unit,
		    json_object_get(m, "value")),
		    strcmp(str(m, "bad_when"), "below") == 0 ? "below" : "above",
		    metric_figure(thr, sizeof(thr), unit,
		    json_object_get(m, "threshold")), n);
	}
}

char *
view_health(const json_t *body, int64_t now_ms)
{
	const char *key;
	const json_t *v, *item;
	char label[64], a[64], d[FORMAT_SHORT];
	struct sbuf b;
	size_t i, n;
	const int w = 20;

	sbuf_init(&b);
	json_object_foreach((json_t *)body, key, v) {
		char *s;

		label_of(label, sizeof(label), key);
		n = strlen(key);
		if (json_is_number(v) && n > 3 && strcmp(key + n - 3, "_ms") == 0) {
			int64_t ms = (int64_t)json_number_value(v);
			/* a point in time, or an amount of time */
			if (ms > 1000000000000LL)
				kv(&b, w, label, "%s (%s ago)", format_time(a, sizeof(a), ms),
				    fmt_duration(d, sizeof(d), now_ms - ms));
			else
				kv(&b, w, label, "%s", fmt_duration(a, sizeof(a), ms));
		} else if (json_is_number(v) && n > 4 &&
		    strcmp(key + n - 4, "_usd") == 0) {
			kv(&b, w, label, "%s", fmt_cost(a, sizeof(a),
			    json_number_value(v)));
		} else if (json_is_boolean(v)) {
			kv(&b, w, label, "%s", strcmp(key, "killswitch") == 0 ?
			    (json_is_true(v) ? "ENGAGED" : "off") :
			    json_is_true(v) ? "yes" : "no");
		} else if (json_is_string(v)) {
			kv(&b, w, label, "%s", json_string_value(v));
		} else if (json_is_array(v) && strcmp(key, "providers") == 0) {
			kv(&b, w, label, "%zu", json_array_size(v));
			json_array_foreach(v, i, item) {
				const char *err = str(item, "last_error");
				char when[FORMAT_SHORT + 16] = "";
				/* when, so an old error reads as old */
				if (err[0] && num_i(item, "last_error_ms") > 0)
					snprintf(when, sizeof(when), " %s ago",
					    fmt_duration(d, sizeof(d), now_ms -
					    num_i(item, "last_error_ms")));
				line(&b, "%*s  %-10s breaker %-9s %lld in flight, "
				    "%lld waiting, %lld requests, %lld retries, %lld "
				    "failed%s%s%s%s", w, "", str(item, "name"),
				    str(item, "breaker"), (long long)num_i(item, "in_flight"),
				    (long long)num_i(item, "rate_waiting"),
				    (long long)num_i(item, "requests"),
				    (long long)num_i(item, "retries"),
				    (long long)num_i(item, "failures"),
				    err[0] ? "; last error" : "", when,
				    err[0] ? ": " : "", err);
			}
		} else if (json_is_array(v) && strcmp(key, "metrics") == 0) {
			kv(&b, w, label, "%zu", json_array_size(v));
			health_metrics(&b, w, v);
		} else if (json_is_array(v)) {
			kv(&b, w, label, "%zu", json_array_size(v));
			json_array_foreach(v, i, item) {
				s = compact(item);
				line(&b, "%*s  %s", w, "", s);
				free(s);
			}
		} else {
			s = compact(v);
			kv(&b, w, label, "%s", s);
			free(s);
		}
	}
	return sbuf_steal(&b);
}

char *
view_hello(const json_t *body, const char *agentctl_version)
{
	struct sbuf b;
	const int w = 10;

	sbuf_init(&b);
	kv(&b, w, "agentctl", "%s, protocol %d", agentctl_version, IPC_VERSION);
	kv(&b, w, str(body, "daemon")[0] ? str(body, "daemon") : "agentd",
	    "%s, pid %lld", str(body, "version"), (long long)num_i(body, "pid"));
	kv(&b, w, "protocol", "%lld", (long long)num_i(body, "protocol"));
	if (json_is_integer(json_object_get(body, "uid")))
		kv(&b, w, "role", "%s (uid %lld)", str(body, "role"),
		    (long long)num_i(body, "uid"));
	else
		kv(&b, w, "role", "%s", str(body, "role"));
	kv(&b, w, "seq", "%lld", (long long)num_i(body, "seq"));
	kv(&b, w, "killswitch", "%s", json_is_true(json_object_get(body,
	    "killswitch")) ? "ENGAGED" : "off");
	return sbuf_steal(&b);
}
