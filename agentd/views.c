/* What the protocol shows of the engine: run summaries and details, the
 * snapshot, health. All return new references. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine_impl.h"
#include "cap.h"
#include "page.h"
#include "store.h"
#include "util.h"

#define DETAIL_EVENTS_MAX	20000
#define DETAIL_EVENT_BYTES	(2 * 1024 * 1024)	/* read to build the trace */

json_t *
engine_run_summary(struct engine *e, const struct run *run)
{
	json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:b, s:i, s:I,"
	    " s:I, s:o, s:o, s:b, s:{s:s, s:I, s:s}, s:s?, s:b}",
	    "id", run->id, "agent", run->agent->name, "task", run->task,
	    "model", run->model, "state", run_state_name(run->state),
	    "reason", run->reason, "dry_run", run->dry_run, "step", run->step,
	    "created_ms", (json_int_t)run->created_ms,
	    "updated_ms", (json_int_t)run->updated_ms,
	    "usage", budget_amounts_to_json(&run->budget.used),
	    "budget", budget_amounts_to_json(&run->budget.limit),
	    "cost_unknown", run->budget.cost_unknown,
	    "waiting", "on", run_wait_name(run->wait),
	    "since_ms", (json_int_t)run->wait_since_ms,
	    "detail", run->wait_detail,
	    "escalation", run->escalation[0] ? run->escalation : NULL,
	    "pause_requested", run->pause_requested);

	json_object_set_new(obj, "ended_ms", run->ended_ms ?
	    json_integer(run->ended_ms) : json_null());
	json_object_set_new(obj, "output", run->output ?
	    json_string(run->output) : json_null());
	return obj;
}

/* Spans and transitions of a run, rebuilt from its events. */
static void
add_trace(json_t *detail, json_t *events)
{
	json_t *spans = json_array(), *transitions = json_array();
	json_t *by_id = json_object(), *ev;
	int64_t now = now_ms();
	size_t i;

	json_array_foreach(events, i, ev) {
		const char *type = json_string_value(json_object_get(ev, "type"));
		const char *span = json_string_value(json_object_get(ev, "span"));
		json_t *s;

		if (type == NULL)
			continue;
		if (strcmp(type, "run.state") == 0) {
			json_array_append_new(transitions, json_pack("{s:O, s:O, s:O,"
			    " s:O, s:O}", "from", json_object_get(ev, "from"),
			    "to", json_object_get(ev, "to"),
			    "reason", json_object_get(ev, "reason"),
			    "seq", json_object_get(ev, "seq"),
			    "ts", json_object_get(ev, "ts")));
		} else if (strcmp(type, "span.start") == 0 && span != NULL) {
			s = json_deep_copy(ev);
			json_object_del(s, "type");
			json_object_del(s, "v");
			json_object_del(s, "run");
			json_object_set(s, "start_ms", json_object_get(ev, "ts"));
			json_object_del(s, "ts");
			json_object_del(s, "seq");
			json_object_set_new(s, "status", json_string("running"));
			json_object_set(by_id, span, s);
			json_array_append_new(spans, s);
		} else if (strcmp(type, "llm.retry") == 0 && span != NULL &&
		    (s = json_object_get(by_id, span)) != NULL) {
			/* the HTTP attempt it is on, and why the last one failed */
			json_object_set(s, "attempts", json_object_get(ev, "attempt"));
			json_object_set(s, "retry_reason", json_object_get(ev, "reason"));
		} else if (strcmp(type, "span.end") == 0 && span != NULL &&
		    (s = json_object_get(by_id, span)) != NULL) {
			const char *key;
			json_t *value;
			json_object_foreach(ev, key, value) {
				if (strcmp(key, "type") && strcmp(key, "v") &&
				    strcmp(key, "run") && strcmp(key, "seq") &&
				    strcmp(key, "ts"))
					json_object_set(s, key, value);
			}
			json_object_set(s, "end_ms", json_object_get(ev, "ts"));
		}
	}
	json_array_foreach(spans, i, ev) {
		if (strcmp(json_string_value(json_object_get(ev, "status")),
		    "running") == 0)
			json_object_set_new(ev, "elapsed_ms", json_integer(now -
			    json_integer_value(json_object_get(ev, "start_ms"))));
	}
	json_object_set_new(detail, "transitions", transitions);
	json_object_set_new(detail, "spans", spans);
	json_decref(by_id);
}

/* @messages as runs.get shows them: without what goes back to the model
 * ("send_back": thinking blocks and signatures, up to 8 MiB each; their
 * text is in "reasoning", capped). A new reference; takes @messages. */
static json_t *
messages_view(json_t *messages)
{
	json_t *out, *m, *copy;
	size_t i;

	json_array_foreach(messages, i, m)
		if (json_object_get(m, "send_back") != NULL)
			break;
	if (i == json_array_size(messages))
		return messages;
	out = json_array();
	json_array_foreach(messages, i, m) {
		if (json_object_get(m, "send_back") == NULL) {
			json_array_append(out, m);
			continue;
		}
		copy = json_copy(m);
		json_object_del(copy, "send_back");
		json_array_append_new(out, copy);
	}
	json_decref(messages);
	return out;
}

json_t *
engine_run_detail(struct engine *e, const char *id)
{
	struct run *run;
	json_t *detail, *events;
	bool more;

	/* what the store answers includes everything that happened so far;
	 * the flush may drop finished runs from memory, so look up after it */
	engine_flush(e);
	run = engine_find_run(e, id);
	detail = run != NULL ? engine_run_summary(e, run) : store_run_get(e->store, id);
	if (detail == NULL)
		return NULL;
	if (run == NULL)
		json_object_set_new(detail, "waiting", json_pack("{s:s, s:n, s:s}",
		    "on", "none", "since_ms", "detail", ""));
	/* spans and transitions only: a run's messages and tool results
	 * (the bulk of its events) are in "messages" */
	events = store_trace_events(e->store, id, DETAIL_EVENTS_MAX,
	    DETAIL_EVENT_BYTES, &more);
	add_trace(detail, events);
	json_object_set_new(detail, "events_total",
	    json_integer((json_int_t)json_array_size(events)));
	json_object_set_new(detail, "trace_truncated", json_boolean(more));
	json_decref(events);
	json_object_set_new(detail, "messages", messages_view(run != NULL ?
	    json_incref(run->messages) :
	    store_messages(e->store, id, (size_t)1 << 30)));
	json_object_set_new(detail, "escalations",
	    store_escalations(e->store, id, NULL, NULL, 100, e->page_bytes,
	    &more));
	return detail;
}

static void
add_live(struct engine *e, struct run *run, void *arg)
{
	if (run_state_live(run->state))
		json_array_append_new(arg, engine_run_summary(e, run));
}

static int
by_created(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t ca = json_integer_value(json_object_get(a, "created_ms"));
	json_int_t cb = json_integer_value(json_object_get(b, "created_ms"));

	/* newest first, then by id: the order of runs.list */
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return strcmp(json_string_value(json_object_get(a, "id")),
	    json_string_value(json_object_get(b, "id")));
}

json_t *
engine_live_runs(struct engine *e)
{
	json_t *runs = json_array(), *sorted = json_array();
	json_t **items;
	size_t n;

	engine_foreach_run(e, add_live, runs);
	n = json_array_size(runs);
	items = xcalloc(n + 1, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(runs, i);
	qsort(items, n, sizeof(*items), by_created);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, items[i]);
	free(items);
	json_decref(runs);
	return sorted;
}

static int
esc_by_created(const void *x, const void *y)
{
	const struct escalation *a = *(struct escalation *const *)x;
	const struct escalation *b = *(struct escalation *const *)y;

	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Oldest first, then by id: the order escalations.list pages in. */
json_t *
engine_pending_escalations(struct engine *e)
{
	struct escalation **pending = xcalloc(e->n_escs + 1, sizeof(*pending));
	json_t *arr = json_array();
	size_t n = 0;

	for (size_t i = 0; i < e->n_escs; i++)
		if (e->escs[i]->state == ESC_PENDING)
			pending[n++] = e->escs[i];
	qsort(pending, n, sizeof(*pending), esc_by_created);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, escalation_to_json(pending[i]));
	free(pending);
	return arr;
}

json_t *
engine_snapshot(struct engine *e)
{
	/* commit first, so that the snapshot is exactly the state after
	 * event "seq" and a client can follow on from there */
	struct page runs, escs;
	json_t *all, *item;
	size_t i;

	engine_flush(e);
	/* a page of each: the live runs (newest first, excerpts) go on with
	 * runs.list {"live": true, "cursor": runs_next}, the pending
	 * escalations (oldest first) with escalations.list {"cursor":
	 * escalations_next} */
	page_init(&runs, INT32_MAX, e->page_bytes);
	all = engine_live_runs(e);
	json_array_foreach(all, i, item) {
		cap_run_excerpts(item);
		if (!page_add(&runs, json_incref(item)))
			break;
	}
	json_decref(all);
	page_init(&escs, INT32_MAX, e->page_bytes);
	all = engine_pending_escalations(e);
	json_array_foreach(all, i, item) {
		if (!page_add(&escs, json_incref(item)))
			break;
	}
	json_decref(all);
	return json_pack("{s:I, s:b, s:o, s:o, s:o, s:o}", "seq",
	    (json_int_t)e->committed_seq, "killswitch", e->killswitch,
	    "runs", runs.items, "runs_next", page_next(&runs),
	    "escalations", escs.items, "escalations_next", page_next(&escs));
}

json_t *
engine_health(struct engine *e)
{
	int64_t now = now_ms();
	time_t midnight = (time_t)(now / 1000);
	struct tm tm;
	double spend = 0;
	size_t pending = 0;

	gmtime_r(&midnight, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	midnight = timegm(&tm);
	store_spend_since(e->store, (int64_t)midnight * 1000, &spend);
	for (size_t i = 0; i < e->n_escs; i++)
		pending += e->escs[i]->state == ESC_PENDING;
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:b, s:I, s:I, s:I,"
	    " s:I, s:I, s:f, s:I, s:o, s:o, s:o}",
	    "version", AGENTD_VERSION_STRING,
	    "started_ms", (json_int_t)e->started_ms,
	    "uptime_ms", (json_int_t)(now - e->started_ms),
	    "live_runs", (json_int_t)e->n_live,
	    "pending_escalations", (json_int_t)pending,
	    "killswitch", e->killswitch, "storage_ok", e->storage_ok,
	    "seq", (json_int_t)e->committed_seq,
	    "events_committed", (json_int_t)e->stats.events_committed,
	    "commits", (json_int_t)e->stats.commits,
	    "runs_submitted", (json_int_t)e->stats.runs_submitted,
	    "runs_finished", (json_int_t)e->stats.runs_finished,
	    "spend_today_usd", spend,
	    "requests", (json_int_t)e->stats.requests,
	    "load_errors", json_incref(e->load_errors),
	    "metrics", metrics_to_json(&e->metrics),
	    "providers", engine_providers_health(e));
}
