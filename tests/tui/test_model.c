/* agentop's model: events applied in order, gaps found, snapshots merged,
 * the runs view's filter and order. Pure: no terminal, no sockets. */
#include "t.h"
#include "ipc.h"
#include "model.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

static int
apply(struct model *m, const char *json)
{
	struct ipc_event ev;
	int r;

	if (ipc_decode_event(json, strlen(json), &ev, NULL) != 0)
		return -99;
	r = model_apply_event(m, &ev);
	ipc_event_finish(&ev);
	return r;
}

static void
events_build_a_run(void)
{
	struct model m;
	json_t *run;

	model_init(&m);
	m.seq = 10;
	is_int(apply(&m, "{\"v\":1,\"seq\":11,\"ts\":1000,\"type\":\"run.submitted\","
	    "\"run\":\"r-1\",\"agent\":\"deploy\",\"task\":\"ship\",\"model\":\"sim:d\","
	    "\"dry_run\":false,\"budget\":{\"llm_calls\":4,\"cost_usd\":1.0}}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":12,\"ts\":1001,\"type\":\"run.state\","
	    "\"run\":\"r-1\",\"from\":\"queued\",\"to\":\"executing\",\"reason\":"
	    "\"started\"}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":13,\"ts\":1500,\"type\":\"span.end\","
	    "\"run\":\"r-1\",\"kind\":\"llm\",\"status\":\"ok\",\"tokens_in\":100,"
	    "\"tokens_out\":20,\"cost_usd\":0.25,\"step\":1}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":14,\"ts\":1600,\"type\":\"span.end\","
	    "\"run\":\"r-1\",\"kind\":\"tool\",\"status\":\"cancelled\"}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":15,\"ts\":1700,\"type\":\"run.waiting\","
	    "\"run\":\"r-1\",\"on\":\"operator\",\"detail\":\"e-1\",\"since_ms\":1700}"), 0);
	run = model_run(&m, "r-1");
	t_bail_if(run == NULL);
	is_str(json_string_value(json_object_get(run, "state")), "executing");
	is_int(json_integer_value(json_object_get(json_object_get(run, "usage"),
	    "llm_calls")), 1);
	is_int(json_integer_value(json_object_get(json_object_get(run, "usage"),
	    "tokens_in")), 100);
	/* a cancelled tool call is not charged, as in the engine */
	is_int(json_integer_value(json_object_get(json_object_get(run, "usage"),
	    "tool_calls")), 0);
	is_str(json_string_value(json_object_get(json_object_get(run, "waiting"),
	    "on")), "operator");
	is_int(json_integer_value(json_object_get(run, "step")), 1);
	is_int(m.seq, 15);
	model_finish(&m);
}

static void
gaps_and_duplicates(void)
{
	struct model m;

	model_init(&m);
	m.seq = 5;
	is_int(apply(&m, "{\"v\":1,\"seq\":5,\"ts\":1,\"type\":\"killswitch\","
	    "\"engaged\":true}"), 1);	/* already applied */
	ok(!m.killswitch);
	is_int(apply(&m, "{\"v\":1,\"seq\":7,\"ts\":1,\"type\":\"killswitch\","
	    "\"engaged\":true}"), -1);	/* 6 is missing */
	is_int(m.seq, 5);
	is_int(apply(&m, "{\"v\":1,\"seq\":6,\"ts\":1,\"type\":\"killswitch\","
	    "\"engaged\":true}"), 0);
	ok(m.killswitch);
	/* types this build does not know are applied as no-ops, in order */
	is_int(apply(&m, "{\"v\":1,\"seq\":7,\"ts\":1,\"type\":\"future.thing\"}"), 0);
	is_int(m.seq, 7);
	model_finish(&m);
}

static void
escalations_come_and_go(void)
{
	struct model m;
	json_t *list[4];

	model_init(&m);
	apply(&m, "{\"v\":1,\"seq\":1,\"ts\":1,\"type\":\"escalation.open\",\"run\":"
	    "\"r-1\",\"escalation\":{\"id\":\"e-b\",\"run\":\"r-1\",\"deadline_ms\":900}}");
	apply(&m, "{\"v\":1,\"seq\":2,\"ts\":1,\"type\":\"escalation.open\",\"run\":"
	    "\"r-2\",\"escalation\":{\"id\":\"e-a\",\"run\":\"r-2\",\"deadline_ms\":500}}");
	is_int(model_escalation_count(&m), 2);
	is_int(model_escalations(&m, list, 4), 2);
	/* the most urgent first */
	is_str(json_string_value(json_object_get(list[0], "id")), "e-a");
	apply(&m, "{\"v\":1,\"seq\":3,\"ts\":1,\"type\":\"escalation.decided\","
	    "\"run\":\"r-2\",\"escalation\":\"e-a\",\"outcome\":\"approved\"}");
	is_int(model_escalation_count(&m), 1);
	model_finish(&m);
}

static void
snapshot_replaces_live_keeps_history(void)
{
	struct model m;
	json_t *snap, *old;

	model_init(&m);
	old = json_pack("[{s:s, s:s, s:I}, {s:s, s:s, s:I}]",
	    "id", "r-old", "state", "done", "updated_ms", (json_int_t)1,
	    "id", "r-gone", "state", "executing", "updated_ms", (json_int_t)1);
	model_merge_runs(&m, old);
	snap = json_pack("{s:I, s:b, s:[{s:s, s:s}], s:[]}", "seq", (json_int_t)42,
	    "killswitch", 1, "runs", "id", "r-new", "state", "executing",
	    "escalations");
	model_apply_snapshot(&m, snap);
	is_int(m.seq, 42);
	ok(m.killswitch);
	ok(model_run(&m, "r-old") != NULL);	/* finished: kept */
	ok(model_run(&m, "r-gone") == NULL);	/* live before, not now: dropped */
	ok(model_run(&m, "r-new") != NULL);
	is_int(model_live_count(&m), 1);
	json_decref(old);
	json_decref(snap);
	model_finish(&m);
}

static void
rows_live_first_filtered_sorted(void)
{
	struct model m;
	const char *const *ids;
	json_t *runs = json_pack("[{s:s, s:s, s:s, s:I, s:s, s:{s:f}},"
	    " {s:s, s:s, s:s, s:I, s:s, s:{s:f}},"
	    " {s:s, s:s, s:s, s:I, s:s, s:{s:f}}]",
	    "id", "r-a", "state", "done", "agent", "deploy", "created_ms",
	    (json_int_t)3, "task", "ship v1", "usage", "cost_usd", 0.9,
	    "id", "r-b", "state", "executing", "agent", "triage", "created_ms",
	    (json_int_t)1, "task", "refund", "usage", "cost_usd", 0.1,
	    "id", "r-c", "state", "failed", "agent", "deploy", "created_ms",
	    (json_int_t)2, "task", "ship v2", "usage", "cost_usd", 0.5);

	model_init(&m);
	model_merge_runs(&m, runs);
	is_int(model_rows(&m, &ids), 3);
	is_str(ids[0], "r-b");		/* live first */
	is_str(ids[1], "r-a");		/* then newest */
	is_str(ids[2], "r-c");
	model_set_sort(&m, SORT_COST);
	model_rows(&m, &ids);
	is_str(ids[0], "r-b");
	is_str(ids[1], "r-a");		/* $0.90 before $0.50 */
	model_set_filter(&m, "agent=deploy");
	is_int(model_rows(&m, &ids), 2);
	model_set_filter(&m, "ship state=failed");
	is_int(model_rows(&m, &ids), 1);
	is_str(ids[0], "r-c");
	model_set_filter(&m, "REFUND");	/* case does not matter */
	is_int(model_rows(&m, &ids), 1);
	json_decref(runs);
	model_finish(&m);
}

static void
top_budget_is_the_most_used(void)
{
	json_t *run = json_pack("{s:{s:i, s:f}, s:{s:i, s:f, s:i}}",
	    "usage", "llm_calls", 3, "cost_usd", 0.45,
	    "budget", "llm_calls", 10, "cost_usd", 0.5, "tool_calls", 0);
	const char *kind;

	ok(fabs(model_top_budget(run, &kind) - 0.9) < 1e-9);
	is_str(kind, "cost_usd");
	json_decref(run);
	run = json_pack("{s:{}, s:{}}", "usage", "budget");
	ok(model_top_budget(run, &kind) == 0);
	ok(kind == NULL);
	json_decref(run);
}

#define TESTS(X) \
	X(events_build_a_run) \
	X(gaps_and_duplicates) \
	X(escalations_come_and_go) \
	X(snapshot_replaces_live_keeps_history) \
	X(rows_live_first_filtered_sorted) \
	X(top_budget_is_the_most_used)
T_MAIN(TESTS)
