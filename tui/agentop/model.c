#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ipc.h"
#include "model.h"
#include "utf8.h"

static char *
dup_str(const char *s)
{
	char *p = strdup(s != NULL ? s : "");

	if (p == NULL)
		abort();
	return p;
}

void
model_init(struct model *m)
{
	*m = (struct model){ 0 };
	m->runs = json_object();
	m->escalations = json_object();
	m->esc_closed = json_object();
	m->order_stale = true;
	m->dirty = MODEL_DIRTY_ALL;
	snprintf(m->role, sizeof(m->role), "viewer");
}

static void
clear_order(struct model *m)
{
	for (size_t i = 0; i < m->n_order; i++)
		free(m->order[i]);
	m->n_order = 0;
}

void
model_finish(struct model *m)
{
	if (m == NULL)
		return;
	clear_order(m);
	free(m->order);
	json_decref(m->runs);
	json_decref(m->escalations);
	json_decref(m->esc_closed);
	json_decref(m->snap_seen);
	json_decref(m->health);
	json_decref(m->detail);
	json_decref(m->history);
	*m = (struct model){ 0 };
}

void
model_set_conn(struct model *m, enum conn_state conn, int64_t now)
{
	if (m->conn == conn)
		return;
	m->conn = conn;
	m->conn_since = now;
	m->dirty |= MODEL_DIRTY_STATUS;
}

static bool
state_live(const char *state)
{
	return state != NULL && !ipc_run_state_ended(state);
}

static void
runs_changed(struct model *m)
{
	m->order_stale = true;
	m->dirty |= MODEL_DIRTY_RUNS;
}

/*
 * Lists carry a run's task and output as excerpts (docs/protocol.md); runs
 * built from events have them whole. Either way the model keeps at most
 * MODEL_EXCERPT bytes, cut on a character, and says so in @flag.
 */
static void
excerpt(json_t *run, const char *field, const char *flag)
{
	const char *text = json_string_value(json_object_get(run, field));
	size_t cut;

	if (text == NULL || strlen(text) <= MODEL_EXCERPT)
		return;
	cut = utf8_prefix(text, strlen(text), MODEL_EXCERPT);
	json_object_set_new(run, field, json_stringn(text, cut));
	json_object_set_new(run, flag, json_true());
}

static void
keep_run(struct model *m, const char *id, json_t *run)
{
	excerpt(run, "task", "task_truncated");
	excerpt(run, "output", "output_truncated");
	json_object_set(m->runs, id, run);
}

void
model_apply_snapshot(struct model *m, const json_t *body)
{
	json_t *esc;
	size_t i;

	json_decref(m->snap_seen);
	m->snap_seen = json_object();
	model_merge_live(m, json_object_get(body, "runs"));
	json_object_clear(m->escalations);
	json_array_foreach(json_object_get(body, "escalations"), i, esc)
		json_object_set(m->escalations, json_string_value(json_object_get(
		    esc, "id")), esc);
	m->seq = json_integer_value(json_object_get(body, "seq"));
	m->killswitch = json_is_true(json_object_get(body, "killswitch"));
	/* the runs continue in pages (runs_next), or that was all of them */
	if (!json_is_string(json_object_get(body, "runs_next")))
		model_snapshot_done(m, true);
	runs_changed(m);
	m->dirty |= MODEL_DIRTY_ESC | MODEL_DIRTY_STATUS;
}

void
model_merge_live(struct model *m, const json_t *runs)
{
	const char *id;
	json_t *run;
	size_t i;

	/* the snapshot's summaries are the state after its seq: they replace
	 * what the model had, whatever their updated_ms */
	json_array_foreach(runs, i, run) {
		if ((id = json_string_value(json_object_get(run, "id"))) == NULL)
			continue;
		keep_run(m, id, run);
		if (m->snap_seen != NULL)
			json_object_set_new(m->snap_seen, id, json_true());
	}
	runs_changed(m);
}

void
model_snapshot_done(struct model *m, bool complete)
{
	const char *id;
	json_t *run;
	void *tmp;

	if (m->snap_seen == NULL)
		return;
	/* a run we thought live that no page listed has ended while we were
	 * away: its final state comes with the recent runs (runs.list) */
	json_object_foreach_safe(m->runs, tmp, id, run) {
		if (complete && state_live(json_string_value(json_object_get(run,
		    "state"))) && json_object_get(m->snap_seen, id) == NULL)
			json_object_del(m->runs, id);
	}
	json_decref(m->snap_seen);
	m->snap_seen = NULL;
	runs_changed(m);
}

void
model_merge_runs(struct model *m, const json_t *runs)
{
	json_t *run, *have;
	size_t i;

	json_array_foreach(runs, i, run) {
		const char *id = json_string_value(json_object_get(run, "id"));
		if (id == NULL)
			continue;
		have = json_object_get(m->runs, id);
		/* what events told us about a live run is newer than a list */
		if (have != NULL && json_integer_value(json_object_get(have,
		    "updated_ms")) > json_integer_value(json_object_get(run,
		    "updated_ms")))
			continue;
		keep_run(m, id, run);
	}
	runs_changed(m);
}

void
model_set_health(struct model *m, const json_t *body)
{
	json_decref(m->health);
	m->health = json_deep_copy(body);
	m->killswitch = json_is_true(json_object_get(body, "killswitch"));
	m->dirty |= MODEL_DIRTY_HEALTH | MODEL_DIRTY_STATUS;
}

void
model_set_history(struct model *m, json_t *runs, bool append)
{
	json_t *run;
	size_t i;

	if (!json_is_array(runs))
		runs = json_array();	/* (a NULL steals nothing) */
	json_array_foreach(runs, i, run) {
		excerpt(run, "task", "task_truncated");
		excerpt(run, "output", "output_truncated");
	}
	if (append && m->history != NULL) {
		json_array_extend(m->history, runs);
		json_decref(runs);
	} else {
		json_decref(m->history);
		m->history = runs;
	}
	m->dirty |= MODEL_DIRTY_RUNS;
}

void
model_set_detail(struct model *m, const char *run, json_t *body)
{
	json_decref(m->detail);
	m->detail = body;
	snprintf(m->detail_run, sizeof(m->detail_run), "%s", run ? run : "");
	m->dirty |= MODEL_DIRTY_DETAIL;
}

static json_t *
usage_of(json_t *run)
{
	json_t *u = json_object_get(run, "usage");

	if (!json_is_object(u)) {
		u = json_pack("{s:i, s:i, s:i, s:i, s:i, s:f}", "llm_calls", 0,
		    "tool_calls", 0, "tokens_in", 0, "tokens_out", 0, "wall_ms", 0,
		    "cost_usd", 0.0);
		json_object_set_new(run, "usage", u);
	}
	return u;
}

static void
add_number(json_t *obj, const char *key, json_t *delta)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_number(delta))
		return;
	if (json_is_real(v) || json_is_real(delta))
		json_object_set_new(obj, key, json_real(json_number_value(v) +
		    json_number_value(delta)));
	else
		json_object_set_new(obj, key, json_integer(json_integer_value(v) +
		    json_integer_value(delta)));
}

static void
add_one(json_t *obj, const char *key)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(
	    json_object_get(obj, key)) + 1));
}

/* Mirrors the engine's charging (agentd/exec.c): a finished model call
 * counts with its tokens and cost; a tool call that ran counts once. */
static void
charge_span(json_t *run, const json_t *ev)
{
	const char *kind = json_string_value(json_object_get(ev, "kind"));
	const char *status = json_string_value(json_object_get(ev, "status"));
	json_t *u = usage_of(run);

	if (kind == NULL || status == NULL || strcmp(status, "cancelled") == 0)
		return;
	if (strcmp(kind, "llm") == 0 && strcmp(status, "ok") == 0) {
		add_one(u, "llm_calls");
		/* agentd charges a cached answer one call and nothing else */
		if (strcmp(str_or(json_string_value(json_object_get(ev, "cache")),
		    ""), "hit") != 0) {
			add_number(u, "tokens_in", json_object_get(ev, "tokens_in"));
			add_number(u, "tokens_out", json_object_get(ev, "tokens_out"));
		}
		if (json_is_number(json_object_get(ev, "cost_usd")))
			add_number(u, "cost_usd", json_object_get(ev, "cost_usd"));
		else
			json_object_set_new(run, "cost_unknown", json_true());
		if (json_is_integer(json_object_get(ev, "step")))
			json_object_set(run, "step", json_object_get(ev, "step"));
	} else if (strcmp(kind, "tool") == 0) {
		add_one(u, "tool_calls");
	}
}

/* Streamed text (llm.delta): the tail is kept on the run as "streaming"
 * {span, text, reasoning} until its span ends; text of the other kind
 * (reasoning, answer) starts it over. Never a gap: these events are not
 * stored and carry the seq of the last stored one. */
static int
apply_ephemeral(struct model *m, const struct ipc_event *ev)
{
	json_t *run = ev->run[0] != '\0' ? json_object_get(m->runs, ev->run) : NULL;
	const char *span = json_string_value(json_object_get(ev->body, "span"));
	const char *text = json_string_value(json_object_get(ev->body, "text"));
	bool reasoning = json_is_true(json_object_get(ev->body, "reasoning"));
	json_t *cur;
	const char *old = "";
	char *joined;
	size_t n, cut = 0;

	if (run == NULL || span == NULL || text == NULL ||
	    strcmp(ev->type_name, "llm.delta") != 0)
		return 1;
	cur = json_object_get(run, "streaming");
	if (cur != NULL && strcmp(str_or(json_string_value(json_object_get(cur,
	    "span")), ""), span) == 0 &&
	    json_is_true(json_object_get(cur, "reasoning")) == reasoning)
		old = str_or(json_string_value(json_object_get(cur, "text")), "");
	n = strlen(old) + strlen(text);
	joined = malloc(n + 1);
	if (joined == NULL)
		return 1;
	snprintf(joined, n + 1, "%s%s", old, text);
	/* the last STREAM_TAIL bytes, starting on a character */
	cut = utf8_tail(joined, n, MODEL_STREAM_TAIL);
	json_object_set_new(run, "streaming", json_pack("{s:s, s:s, s:b}",
	    "span", span, "text", joined + cut, "reasoning", reasoning));
	free(joined);
	if (strcmp(m->detail_run, ev->run) == 0)
		m->dirty |= MODEL_DIRTY_DETAIL;
	return 0;
}

int
model_apply_event(struct model *m, const struct ipc_event *ev)
{
	const json_t *b = ev->body;
	json_t *run;
	const char *type = ev->type_name;

	if (ev->ephemeral)
		return apply_ephemeral(m, ev);
	if (ev->seq <= m->seq)
		return 1;
	if (m->seq > 0 && ev->seq != m->seq + 1)
		return -1;
	m->seq = ev->seq;
	m->events_applied++;
	run = ev->run[0] != '\0' ? json_object_get(m->runs, ev->run) : NULL;
	if (strcmp(type, "run.submitted") == 0) {
		run = json_pack("{s:s, s:O, s:O, s:O, s:s, s:s, s:b, s:i, s:I, s:I,"
		    " s:O, s:{s:s, s:I, s:s}, s:n, s:n}",
		    "id", ev->run, "agent", json_object_get(b, "agent"),
		    "task", json_object_get(b, "task"),
		    "model", json_object_get(b, "model"), "state", "queued",
		    "reason", "submitted", "dry_run",
		    json_is_true(json_object_get(b, "dry_run")), "step", 0,
		    "created_ms", (json_int_t)ev->ts, "updated_ms", (json_int_t)ev->ts,
		    "budget", json_object_get(b, "budget"),
		    "waiting", "on", "queue", "since_ms", (json_int_t)ev->ts,
		    "detail", "", "ended_ms", "output");
		if (run != NULL) {
			usage_of(run);
			keep_run(m, ev->run, run);
			json_decref(run);
			if (m->snap_seen != NULL)
				json_object_set_new(m->snap_seen, ev->run, json_true());
		}
		runs_changed(m);
	} else if (strcmp(type, "run.state") == 0 && run != NULL) {
		json_object_set(run, "state", json_object_get(b, "to"));
		json_object_set(run, "reason", json_object_get(b, "reason"));
		if (!state_live(json_string_value(json_object_get(b, "to"))))
			json_object_set_new(run, "ended_ms", json_integer(ev->ts));
		runs_changed(m);
	} else if (strcmp(type, "run.waiting") == 0 && run != NULL) {
		json_object_set_new(run, "waiting", json_pack("{s:O, s:O, s:O}",
		    "on", json_object_get(b, "on"), "since_ms",
		    json_object_get(b, "since_ms"), "detail", json_object_get(b,
		    "detail")));
		m->dirty |= MODEL_DIRTY_RUNS;
	} else if (strcmp(type, "llm.retry") == 0 && run != NULL) {
		/* the next attempt streams its answer from the start */
		json_object_del(run, "streaming");
	} else if (strcmp(type, "span.end") == 0 && run != NULL) {
		json_object_del(run, "streaming");
		charge_span(run, b);
		runs_changed(m);
	} else if (strcmp(type, "run.message") == 0 && run != NULL &&
	    strcmp(json_string_value(json_object_get(b, "role")) ?
	    json_string_value(json_object_get(b, "role")) : "", "assistant") == 0 &&
	    json_object_get(b, "tool_calls") == NULL) {
		json_object_set(run, "output", json_object_get(b, "content"));
		excerpt(run, "output", "output_truncated");
	} else if (strcmp(type, "escalation.open") == 0) {
		json_t *esc = json_object_get(b, "escalation");
		json_object_set(m->escalations, json_string_value(json_object_get(esc,
		    "id")), esc);
		if (run != NULL)
			json_object_set(run, "escalation", json_object_get(esc, "id"));
		m->dirty |= MODEL_DIRTY_ESC | MODEL_DIRTY_STATUS;
	} else if (strcmp(type, "escalation.decided") == 0) {
		const char *esc = str_or(json_string_value(json_object_get(b,
		    "escalation")), "");
		if (json_object_size(m->esc_closed) >= 512)
			json_object_clear(m->esc_closed);
		json_object_set_new(m->esc_closed, esc, json_pack("{s:s, s:s}", "run",
		    ev->run, "outcome", str_or(json_string_value(json_object_get(b,
		    "outcome")), "decided")));
		json_object_del(m->escalations, esc);
		if (run != NULL)
			json_object_set_new(run, "escalation", json_null());
		m->dirty |= MODEL_DIRTY_ESC | MODEL_DIRTY_STATUS;
	} else if (strcmp(type, "killswitch") == 0) {
		m->killswitch = json_is_true(json_object_get(b, "engaged"));
		m->dirty |= MODEL_DIRTY_STATUS;
	}
	if (run != NULL) {
		json_object_set_new(run, "updated_ms", json_integer(ev->ts));
		if (strcmp(m->detail_run, ev->run) == 0) {
			m->detail_stale = true;
			m->dirty |= MODEL_DIRTY_DETAIL;
		}
	}
	return 0;
}

json_t *
model_run(const struct model *m, const char *id)
{
	return json_object_get(m->runs, id);
}

static bool
contains_ci(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

bool
model_filter_match(const char *filter, const json_t *run)
{
	char buf[128], *save = NULL, *word;
	bool match = true;

	snprintf(buf, sizeof(buf), "%s", filter);
	for (word = strtok_r(buf, " ", &save); word != NULL && match;
	    word = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(word, '=');
		if (eq != NULL) {
			*eq = '\0';
			const char *v = json_string_value(json_object_get(run, word));
			match = v != NULL && strcasecmp(v, eq + 1) == 0;
			continue;
		}
		match = contains_ci(json_string_value(json_object_get(run, "id")),
		    word) || contains_ci(json_string_value(json_object_get(run,
		    "agent")), word) || contains_ci(json_string_value(
		    json_object_get(run, "state")), word) ||
		    contains_ci(json_string_value(json_object_get(run, "task")), word);
	}
	return match;
}

void
model_set_filter(struct model *m, const char *filter)
{
	snprintf(m->filter, sizeof(m->filter), "%s", filter ? filter : "");
	runs_changed(m);
}

static const char *const sort_names[SORT__COUNT] = {
	"age", "cost", "tokens", "state", "agent",
};

const char *
model_sort_name(enum sort_key key)
{
	return (unsigned)key < SORT__COUNT ? sort_names[key] : "age";
}

void
model_set_sort(struct model *m, enum sort_key key)
{
	m->sort = key;
	runs_changed(m);
}

static double
usage_value(const json_t *run, const char *kind)
{
	return json_number_value(json_object_get(json_object_get(run, "usage"),
	    kind));
}

double
model_top_budget(const json_t *run, const char **kind)
{
	static const char *const kinds[] = { "llm_calls", "tool_calls",
	    "tokens_in", "tokens_out", "wall_ms", "cost_usd" };
	const json_t *budget = json_object_get(run, "budget");
	double best = 0;

	*kind = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		double limit = json_number_value(json_object_get(budget, kinds[i]));
		double f = limit > 0 ? usage_value(run, kinds[i]) / limit : 0;
		if (limit > 0 && (*kind == NULL || f > best)) {
			best = f;
			*kind = kinds[i];
		}
	}
	return best;
}

static const struct model *sort_model;	/* qsort has no context argument */

static int
state_rank(const char *state)
{
	static const char *const order[] = { "awaiting_human", "executing",
	    "reflecting", "planning", "paused", "queued", "failed", "killed",
	    "done" };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (state != NULL && strcmp(state, order[i]) == 0)
			return (int)i;
	return 99;
}

static int
compare_rows(const void *x, const void *y)
{
	const json_t *a = json_object_get(sort_model->runs, *(char *const *)x);
	const json_t *b = json_object_get(sort_model->runs, *(char *const *)y);
	const char *sa = json_string_value(json_object_get(a, "state"));
	const char *sb = json_string_value(json_object_get(b, "state"));
	bool la = state_live(sa), lb = state_live(sb);
	double va = 0, vb = 0;
	int c;

	if (la != lb)
		return la ? -1 : 1;	/* live runs first */
	switch (sort_model->sort) {
	case SORT_COST:
		va = usage_value(a, "cost_usd");
		vb = usage_value(b, "cost_usd");
		break;
	case SORT_TOKENS:
		va = usage_value(a, "tokens_in") + usage_value(a, "tokens_out");
		vb = usage_value(b, "tokens_in") + usage_value(b, "tokens_out");
		break;
	case SORT_STATE:
		if ((c = state_rank(sa) - state_rank(sb)) != 0)
			return c;
		break;
	case SORT_AGENT:
		if ((c = strcmp(str_or(json_string_value(json_object_get(a, "agent")), ""),
		    str_or(json_string_value(json_object_get(b, "agent")), ""))) != 0)
			return c;
		break;
	default:
		break;
	}
	if (va != vb)
		return va > vb ? -1 : 1;
	/* then newest first, then by id for a stable order */
	va = json_number_value(json_object_get(a, "created_ms"));
	vb = json_number_value(json_object_get(b, "created_ms"));
	if (va != vb)
		return va > vb ? -1 : 1;
	return strcmp(*(char *const *)x, *(char *const *)y);
}

size_t
model_rows(struct model *m, const char *const **ids)
{
	const char *id;
	json_t *run;

	if (m->order_stale) {
		clear_order(m);
		json_object_foreach(m->runs, id, run) {
			if (m->filter[0] != '\0' && !model_filter_match(m->filter, run))
				continue;
			if (m->n_order == m->cap_order) {
				m->cap_order = m->cap_order ? 2 * m->cap_order : 256;
				m->order = realloc(m->order, m->cap_order * sizeof(*m->order));
				if (m->order == NULL)
					abort();
			}
			m->order[m->n_order++] = dup_str(id);
		}
		sort_model = m;
		if (m->n_order > 0)
			qsort(m->order, m->n_order, sizeof(*m->order), compare_rows);
		m->order_stale = false;
	}
	*ids = (const char *const *)m->order;
	return m->n_order;
}

static int
by_deadline(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x,
	    "deadline_ms"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y,
	    "deadline_ms"));

	return a < b ? -1 : a > b;
}

size_t
model_escalations(const struct model *m, json_t **out, size_t max)
{
	const char *id;
	json_t *esc;
	size_t n = 0;

	json_object_foreach(m->escalations, id, esc) {
		if (n < max)
			out[n++] = esc;
	}
	qsort(out, n, sizeof(*out), by_deadline);
	return n;
}

size_t
model_escalation_count(const struct model *m)
{
	return json_object_size(m->escalations);
}

size_t
model_live_count(const struct model *m)
{
	const char *id;
	json_t *run;
	size_t n = 0;

	json_object_foreach(m->runs, id, run)
		n += state_live(json_string_value(json_object_get(run, "state")));
	return n;
}

void
model_tick_rate(struct model *m, int64_t now)
{
	double dt = (double)(now - m->rate_mark_ms) / 1000;

	if (m->rate_mark_ms == 0 || dt < 1) {
		if (m->rate_mark_ms == 0) {
			m->rate_mark_ms = now;
			m->rate_mark_count = m->events_applied;
		}
		return;
	}
	m->events_rate = (double)(m->events_applied - m->rate_mark_count) / dt;
	m->rate_mark_ms = now;
	m->rate_mark_count = m->events_applied;
}

const char *
model_esc_outcome(const struct model *m, const char *id, const char **run)
{
	const json_t *c = json_object_get(m->esc_closed, id);

	*run = json_string_value(json_object_get(c, "run"));
	return json_string_value(json_object_get(c, "outcome"));
}

/* ---- list cursors ------------------------------------------------------- */

static void
remember(struct list_sel *s, const char *const *ids, size_t n, size_t row)
{
	s->row = row;
	snprintf(s->id, sizeof(s->id), "%s", row < n ? ids[row] : "");
	snprintf(s->before, sizeof(s->before), "%s", row > 0 && row <= n ?
	    ids[row - 1] : "");
	snprintf(s->after, sizeof(s->after), "%s", row + 1 < n ? ids[row + 1] : "");
}

static size_t
find_row(const char *const *ids, size_t n, const char *id, size_t hint)
{
	if (id[0] == '\0')
		return SIZE_MAX;
	/* where it was is the likely place: look there first */
	if (hint < n && strcmp(ids[hint], id) == 0)
		return hint;
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return i;
	return SIZE_MAX;
}

bool
list_sel_sync(struct list_sel *s, const char *const *ids, size_t n,
    char *gone, size_t gonelen)
{
	size_t row;

	if (s->id[0] == '\0') {
		remember(s, ids, n, 0);
		return false;
	}
	if ((row = find_row(ids, n, s->id, s->row)) != SIZE_MAX) {
		remember(s, ids, n, row);
		return false;
	}
	snprintf(gone, gonelen, "%s", s->id);
	if ((row = find_row(ids, n, s->after, s->row)) == SIZE_MAX &&
	    (row = find_row(ids, n, s->before, s->row)) == SIZE_MAX)
		row = s->row < n ? s->row : n > 0 ? n - 1 : 0;
	remember(s, ids, n, row);
	return true;
}

void
list_sel_set(struct list_sel *s, const char *const *ids, size_t n, size_t row)
{
	remember(s, ids, n, n == 0 ? 0 : row < n ? row : n - 1);
}

void
list_sel_scroll(struct list_sel *s, size_t n, size_t rows)
{
	if (rows == 0)
		return;
	if (s->row < s->top)
		s->top = s->row;
	if (s->row >= s->top + rows)
		s->top = s->row - rows + 1;
	/* no empty rows below the list while it has rows above */
	if (n >= rows && s->top > n - rows)
		s->top = n - rows;
	if (n < rows)
		s->top = 0;
}

/* ---- paging ------------------------------------------------------------- */

void
pager_start(struct pager *p, json_t *query, size_t want)
{
	unsigned gen = p->gen + 1;

	pager_finish(p);
	*p = (struct pager){ .query = query != NULL ? query : json_object(),
	    .want = want, .gen = gen };
}

json_t *
pager_request(const struct pager *p)
{
	json_t *body = json_deep_copy(p->query);

	/* agentd refuses fields it does not know: a cursor goes only with
	 * a page after the first, and only one agentd handed out */
	if (p->next != NULL)
		json_object_set_new(body, "cursor", json_string(p->next));
	return body;
}

bool
pager_reply(struct pager *p, const json_t *body, const char *field,
    size_t items)
{
	const char *next = json_string_value(json_object_get(body, field));

	free(p->next);
	p->next = NULL;
	p->got += items;
	/* no cursor (null, or an agentd without paging): that was the last */
	if (next == NULL || next[0] == '\0' || (p->want > 0 && p->got >= p->want))
		return false;
	p->next = dup_str(next);
	return true;
}

void
pager_finish(struct pager *p)
{
	if (p == NULL)
		return;
	json_decref(p->query);
	free(p->next);
	p->query = NULL;
	p->next = NULL;
}
