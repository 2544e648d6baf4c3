/* Checkpoints: what is saved comes back whole, and a checkpoint that is
 * not exactly one of ours is refused with the field named, the run left
 * untouched (never half restored with the fields after a bad one reset). */
#include <errno.h>
#include <string.h>

#include "t.h"
#include "t_json.h"
#include "budget.h"
#include "checkpoint.h"
#include "run.h"
#include "util.h"

static struct run *
busy_run(void)
{
	struct run *run = run_create();

	run->step = 7;
	run->phase = RUN_PHASE_TOOLS;
	run->tool_index = 2;
	run->tool_started = true;
	copy_str(run->tool_span, sizeof(run->tool_span), "s-abc");
	run->paused_from = RUN_REFLECTING;
	run->pause_requested = true;
	copy_str(run->escalation, sizeof(run->escalation), "e-123");
	copy_str(run->approved, sizeof(run->approved), "e-122");
	run->approved_args = J("{'text':'edited'}");
	copy_str(run->loop_key, sizeof(run->loop_key), "echo:0011");
	run->loop_repeats = 2;
	run->invalid_args = 1;
	run->attempt = 3;
	run->truncations = 1;
	run->budget.used.v[BUDGET_LLM_CALLS] = 7;
	run->budget.used.v[BUDGET_COST_USD] = 0.25;
	run->budget.warned[BUDGET_COST_USD] = BUDGET_WARN_50;
	run->wait = RUN_WAIT_PAUSE;
	run->wait_since_ms = 1795452560000;
	json_array_append_new(run->messages, J("{'role':'user','content':'t'}"));
	json_array_append_new(run->messages, J("{'role':'assistant','content':'a'}"));
	return run;
}

static void
round_trip(void)
{
	struct run *a = busy_run(), *b = run_create();
	struct checkpoint_extra extra;
	json_t *cp = checkpoint_save(a);
	char err[300] = "";

	is_int(checkpoint_load(cp, b, &extra, err, sizeof(err)), 0);
	is_str(err, "");
	is_int(b->step, 7);
	is_int(b->phase, RUN_PHASE_TOOLS);
	is_int((int)b->tool_index, 2);
	ok(b->tool_started);
	is_str(b->tool_span, "s-abc");
	is_int(b->paused_from, RUN_REFLECTING);
	ok(b->pause_requested);
	is_str(b->escalation, "e-123");
	is_str(b->approved, "e-122");
	ok(json_equal(b->approved_args, a->approved_args));
	is_str(b->loop_key, "echo:0011");
	is_int(b->loop_repeats, 2);
	is_int(b->invalid_args, 1);
	is_int(b->attempt, 3);
	is_int(b->truncations, 1);
	ok(b->budget.used.v[BUDGET_LLM_CALLS] == 7);
	ok(b->budget.used.v[BUDGET_COST_USD] == 0.25);
	is_int((int)b->budget.warned[BUDGET_COST_USD], BUDGET_WARN_50);
	is_int((int)extra.messages, 2);
	ok(extra.paused_since_ms == 1795452560000);
	json_decref(cp);
	run_destroy(a);
	run_destroy(b);
}

/* One field of a good checkpoint replaced (or removed, @value NULL). */
static json_t *
with(const char *field, json_t *value)
{
	struct run *a = busy_run();
	json_t *cp = checkpoint_save(a);

	run_destroy(a);
	if (value == NULL)
		json_object_del(cp, field);
	else
		json_object_set_new(cp, field, value);
	return cp;
}

static void
corrupt_is_refused_and_changes_nothing(void)
{
	static const struct {
		const char *field, *value, *error;
	} cases[] = {
		{ "v", "2", "version 2, not 1 (written by another agentd)" },
		{ "v", NULL, "field \"v\" is required" },
		{ "step", "'7'", "field \"step\" must be an integer, not a string" },
		{ "tool_started", "1", "field \"tool_started\" must be" },
		{ "phase", "'dreaming'", "field \"phase\": unknown phase \"dreaming\"" },
		{ "paused_from", "'asleep'", "field \"paused_from\": unknown state" },
		{ "tool_index", "-1", "field \"tool_index\" is -1, not 0.." },
		{ "used", "{'tokens_in':'x'}", "field \"used\": field \"tokens_in\" must be an integer" },
		{ "used", "{'lives':1}", "field \"used\": unknown budget kind" },
		{ "warned", "[1,2,99]", "field \"warned\"[2] must be an integer 0..3" },
		{ "escalation", "'e-0123456789012345678901234567890'", "field \"escalation\" is longer than" },
		{ "colour", "'red'", "unknown field \"colour\"" },
	};
	char err[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run *run = run_create();
		struct checkpoint_extra extra = { .messages = 99 };
		json_t *cp = with(cases[i].field, cases[i].value ?
		    J(cases[i].value) : NULL);

		printf("# %s = %s\n", cases[i].field, cases[i].value ?
		    cases[i].value : "(absent)");
		run->tool_started = false;
		run->step = 0;
		err[0] = '\0';
		is_int(checkpoint_load(cp, run, &extra, err, sizeof(err)), -EINVAL);
		has_str(err, cases[i].error);
		/* nothing of the run changed, tool_started least of all */
		ok(!run->tool_started);
		is_int(run->step, 0);
		is_int(run->truncations, 0);
		is_int((int)extra.messages, 99);
		json_decref(cp);
		run_destroy(run);
	}
}

/* Checkpoints of an agentd before the later fields still load. */
static void
older_checkpoint_loads(void)
{
	struct run *run = run_create();
	struct checkpoint_extra extra;
	json_t *cp = J("{'v':1,'step':3,'phase':'model','tool_index':0,"
	    "'tool_started':false,'paused_from':'executing','escalation':'',"
	    "'loop_key':'','loop_repeats':0,'invalid_args':0,'messages':5,"
	    "'used':{'llm_calls':3},'warned':[0,0,0,0,0,0],'attempt':0,"
	    "'pause_requested':false,'approved':'','approved_args':null}");
	char err[300] = "";

	is_int(checkpoint_load(cp, run, &extra, err, sizeof(err)), 0);
	is_str(err, "");
	is_int(run->step, 3);
	is_int((int)extra.messages, 5);
	ok(run->approved_args == NULL);
	ok(extra.paused_since_ms == 0);
	json_decref(cp);
	run_destroy(run);
}

#define TESTS(X) \
	X(round_trip) \
	X(corrupt_is_refused_and_changes_nothing) \
	X(older_checkpoint_loads)
T_MAIN(TESTS)
