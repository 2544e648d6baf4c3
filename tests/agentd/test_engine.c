/* The engine end to end, in process: runs, budgets, escalations, operator
 * controls, durability. Driven through ctl_handle like the socket. */
#include <errno.h>
#include <math.h>

#include "t.h"
#include "fixture.h"
#include "run.h"
#include "store.h"
#include "patterns/registry.h"
#include "pattern_once.h"

static void
react_run_finishes(void)
{
	struct fixture fx;
	json_t *d, *usage, *spans;
	const char *id;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "quick", "what is 6*7?");
	ok(fx_wait_state(&fx, id, "done", 2000));
	d = fx_run(&fx, id);
	usage = json_object_get(d, "usage");
	is_int(json_integer_value(json_object_get(usage, "llm_calls")), 3);
	is_int(json_integer_value(json_object_get(usage, "tool_calls")), 2);
	is_int(json_integer_value(json_object_get(usage, "tokens_in")), 360);
	is_int(json_integer_value(json_object_get(usage, "tokens_out")), 36);
	ok(fabs(json_real_value(json_object_get(usage, "cost_usd")) -
	    (360 * 3.0 + 36 * 15.0) / 1e6) < 1e-9);
	is_str(json_string_value(json_object_get(d, "output")), "the answer is 42");
	is_str(json_string_value(json_object_get(d, "reason")), "final answer");
	spans = json_object_get(d, "spans");
	is_int(json_array_size(spans), 5);
	is_str(json_string_value(json_object_get(json_array_get(spans, 0), "kind")),
	    "llm");
	is_str(json_string_value(json_object_get(json_array_get(spans, 1), "name")),
	    "echo");
	is_str(json_string_value(json_object_get(json_array_get(spans, 1),
	    "status")), "ok");
	/* queued → executing → done, each with a reason and a seq */
	is_int(json_array_size(json_object_get(d, "transitions")), 2);
	/* every span event names its trace: the run (the root of its tree) */
	{
		json_t *reply = fx_call(&fx, "runs.events", json_pack("{s:s,"
		    " s:s}", "run", id, "type", "span."));
		json_t *evs = json_object_get(fx_body(reply), "events"), *ev;
		size_t i, with = 0;

		json_array_foreach(evs, i, ev)
			with += json_is_string(json_object_get(ev, "trace")) &&
			    strcmp(json_string_value(json_object_get(ev, "trace")),
			    id) == 0;
		is_int((int)json_array_size(evs), 10);
		is_int((int)with, 10);
		json_decref(reply);
	}
	/* calc's real output reached the model */
	has_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(d, "messages"), 4), "content")), "42");
	json_decref(d);
	fx_finish(&fx);
}

static void
reasoning_is_kept_capped(void)
{
	struct fixture fx;
	json_t *d, *msgs, *m, *spans, *ev;
	const char *id, *r;
	size_t full;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "thinks", "think");
	ok(fx_wait_state(&fx, id, "done", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "output")), "done");
	msgs = json_object_get(d, "messages");
	m = json_array_get(msgs, 1);
	is_str(json_string_value(json_object_get(m, "reasoning")),
	    "I should echo first.");
	is_int(json_integer_value(json_object_get(m, "reasoning_bytes")), 20);
	ok(json_is_false(json_object_get(m, "reasoning_truncated")));
	ok(json_object_get(m, "send_back") == NULL);	/* sim: nothing */
	/* more than 16 KiB: the start, cut on a character, and its size */
	m = json_array_get(msgs, 3);
	r = json_string_value(json_object_get(m, "reasoning"));
	full = (size_t)json_integer_value(json_object_get(m, "reasoning_bytes"));
	ok(full > REPLY_REASONING_KEEP);
	ok(r != NULL && strlen(r) <= REPLY_REASONING_KEEP &&
	    strlen(r) > REPLY_REASONING_KEEP - 4 &&
	    strncmp(r, "\xc3\xa9step by step, ", 16) == 0);
	ok(json_is_true(json_object_get(m, "reasoning_truncated")));
	spans = json_object_get(d, "spans");
	is_int(json_integer_value(json_object_get(json_array_get(spans, 2),
	    "reasoning_bytes")), (long long)full);
	ok(json_object_get(json_array_get(spans, 2), "reasoning_tokens") ==
	    NULL);
	json_decref(d);
	/* the run.message event carries a preview only */
	d = fx_call(&fx, "runs.events", json_pack("{s:s, s:s}", "run", id,
	    "type", "run.message"));
	ev = json_array_get(json_object_get(fx_body(d), "events"), 2);
	is_int(json_string_length(json_object_get(ev, "reasoning")), 400);
	is_int(json_integer_value(json_object_get(ev, "reasoning_bytes")),
	    (long long)full);
	json_decref(d);
	fx_finish(&fx);
}

static void
llm_call_budget_stops_run(void)
{
	struct fixture fx;
	json_t *d;
	const char *id;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "capped", "loop");
	ok(fx_wait_state(&fx, id, "failed", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "reason")), "budget:llm_calls");
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "llm_calls")), 3);
	json_decref(d);
	is_int(fx_count_events(&fx, id, "budget.warn"), 2);
	is_int(fx_count_events(&fx, id, "budget.exceeded"), 1);
	fx_finish(&fx);
}

static void
cost_budget_warns_then_stops_before_overspending(void)
{
	struct fixture fx;
	json_t *d, *reply, *ev;
	const char *id;
	double used;
	size_t i;
	int levels = 0;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "pricey", "summarise");
	ok(fx_wait_state(&fx, id, "failed", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "reason")), "budget:cost_usd");
	used = json_real_value(json_object_get(json_object_get(d, "usage"),
	    "cost_usd"));
	/* $0.09 a turn, worst case $0.1214: stopped at 5 turns, never over */
	ok(used <= 0.5);
	ok(fabs(used - 0.45) < 1e-9);
	json_decref(d);
	reply = fx_call(&fx, "runs.events", json_pack("{s:s, s:s}", "run", id,
	    "type", "budget."));
	json_array_foreach(json_object_get(fx_body(reply), "events"), i, ev) {
		if (strcmp(json_string_value(json_object_get(ev, "kind")),
		    "cost_usd") == 0)
			levels = levels * 1000 +
			    (int)json_integer_value(json_object_get(ev, "level"));
	}
	is_int(levels, 50080100);	/* 50, then 80, then 100 */
	json_decref(reply);
	fx_finish(&fx);
}

static void
loop_guard_stops_runaway(void)
{
	struct fixture fx;
	const char *id;
	json_t *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "loopy", "poll");
	ok(fx_wait_state(&fx, id, "failed", 2000));
	d = fx_run(&fx, id);
	has_str(json_string_value(json_object_get(d, "reason")), "loop:echo");
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "tool_calls")), 3);
	json_decref(d);
	is_int(fx_count_events(&fx, id, "run.loop_detected"), 1);
	fx_finish(&fx);
}

static void
invalid_tool_args_fed_back(void)
{
	struct fixture fx;
	const char *id;
	json_t *d, *msgs;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "sloppy", "1+1");
	ok(fx_wait_state(&fx, id, "done", 2000));
	d = fx_run(&fx, id);
	msgs = json_object_get(d, "messages");
	/* the refused call comes back as an error naming the rule */
	ok(json_is_true(json_object_get(json_array_get(msgs, 2), "is_error")));
	has_str(json_string_value(json_object_get(json_array_get(msgs, 2),
	    "content")), "expression");
	has_str(json_string_value(json_object_get(json_array_get(msgs, 4),
	    "content")), "unknown tool");
	/* refused calls are never executed nor charged as tool calls */
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "tool_calls")), 1);
	json_decref(d);
	is_int(fx_count_events(&fx, id, "tool.invalid_args"), 2);
	is_int(fx_count_events(&fx, id, "span.start"), 4 + 1);
	fx_finish(&fx);
}

/* Answers cut by max_tokens are continued within the agent's policy and
 * joined; a cut tool call is not made; past the policy the run fails
 * "truncated", visibly, never "done". */
static void
truncated_answers_are_not_final(void)
{
	struct fixture fx;
	const char *id;
	json_t *d, *msgs, *m;
	char *text;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);

	/* continue (the default): the model is asked to go on */
	id = fx_submit(&fx, "wordy", "t");
	ok(fx_wait_state(&fx, id, "done", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "output")),
	    "The answer is forty-two.");
	msgs = json_object_get(d, "messages");
	is_int(json_array_size(msgs), 4);
	m = json_array_get(msgs, 1);
	is_str(json_string_value(json_object_get(m, "stop_reason")),
	    "max_tokens");
	m = json_array_get(msgs, 2);
	is_str(json_string_value(json_object_get(m, "role")), "user");
	ok(json_is_true(json_object_get(m, "continuation")));
	has_str(json_string_value(json_object_get(m, "content")),
	    "cut off at the output limit (max_tokens 50)");
	text = json_dumps(json_object_get(d, "transitions"), 0);
	has_str(text, "the answer was cut at max_tokens (50): asking the model "
	    "to go on (1 of 2)");
	free(text);
	json_decref(d);

	/* fail: the cut text is the output of a failed run */
	id = fx_submit(&fx, "terse", "t");
	ok(fx_wait_state(&fx, id, "failed", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "reason")),
	    "truncated: the answer was cut at max_tokens (50)");
	is_str(json_string_value(json_object_get(d, "output")), "The answer ");
	json_decref(d);

	/* a cut tool call is not made; cut again past max_continues: fail */
	id = fx_submit(&fx, "rambling", "t");
	ok(fx_wait_state(&fx, id, "failed", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "reason")),
	    "truncated: the answer was cut at max_tokens (50) again after 1 "
	    "continuations");
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "tool_calls")), 0);
	m = json_array_get(json_object_get(d, "messages"), 2);
	is_str(json_string_value(json_object_get(m, "role")), "tool");
	ok(json_is_true(json_object_get(m, "is_error")));
	has_str(json_string_value(json_object_get(m, "content")),
	    "the call was not made: your answer was cut off");
	is_str(json_string_value(json_object_get(d, "output")),
	    "and so on and so");
	json_decref(d);
	is_int(fx_count_events(&fx, id, "tool.invalid_args"), 0);
	fx_finish(&fx);
}

/* The count of cut turns in a row survives a crash: after two
 * continuations, the third cut turn (asked again after the restart) fails
 * the run instead of starting the count over. */
static void
truncations_survive_a_crash(void)
{
	struct fixture fx;
	char id[32];
	json_t *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(id, sizeof(id), fx_submit(&fx, "stubborn", "t"));
	fx_spin(&fx, 300);		/* turns 1 and 2 cut, turn 3 in flight */
	d = fx_run(&fx, id);
	is_int(json_array_size(json_object_get(d, "messages")), 5);
	json_decref(d);
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	ok(fx_wait_state(&fx, id, "failed", 3000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "reason")),
	    "truncated: the answer was cut at max_tokens (50) again after 2 "
	    "continuations");
	is_str(json_string_value(json_object_get(d, "output")), "one two three ");
	json_decref(d);
	fx_finish(&fx);
}

static void
too_many_invalid_args_fail(void)
{
	struct fixture fx;
	const char *id;
	json_t *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "hopeless", "x");
	ok(fx_wait_state(&fx, id, "failed", 2000));
	d = fx_run(&fx, id);
	has_str(json_string_value(json_object_get(d, "reason")), "invalid_tool_args");
	json_decref(d);
	fx_finish(&fx);
}

static const char *
pending_escalation(struct fixture *fx, const char *run)
{
	static char id[32];
	json_t *reply = fx_call(fx, "escalations.list", NULL), *e;
	size_t i;

	id[0] = '\0';
	json_array_foreach(json_object_get(fx_body(reply), "escalations"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "run")), run) == 0)
			copy_str(id, sizeof(id), json_string_value(json_object_get(e,
			    "id")));
	}
	json_decref(reply);
	return id;
}

static json_t *
decide(struct fixture *fx, const char *esc, const char *decision,
    json_t *args, const char *reason)
{
	json_t *body = json_pack("{s:s, s:s}", "escalation", esc, "decision",
	    decision);

	if (args != NULL)
		json_object_set_new(body, "args", args);
	if (reason != NULL)
		json_object_set_new(body, "reason", json_string(reason));
	return fx_call(fx, "escalations.decide", body);
}

static void
escalation_approved_runs_tool(void)
{
	struct fixture fx;
	char run[32], esc[32];
	json_t *reply, *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "gated", "launch it"));
	ok(fx_wait_state(&fx, run, "awaiting_human", 2000));
	copy_str(esc, sizeof(esc), pending_escalation(&fx, run));
	t_bail_if(esc[0] == '\0');
	d = fx_run(&fx, run);
	is_str(json_string_value(json_object_get(json_object_get(d, "waiting"),
	    "on")), "operator");
	json_decref(d);
	reply = decide(&fx, esc, "approve", NULL, NULL);
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	/* a second decision on the same escalation is refused */
	reply = decide(&fx, esc, "reject", NULL, "too late");
	is_str(fx_error_code(reply), "conflict");
	has_str(json_string_value(json_object_get(json_object_get(reply, "error"),
	    "message")), "already decided");
	json_decref(reply);
	ok(fx_wait_state(&fx, run, "done", 2000));
	/* also once it has left memory */
	reply = decide(&fx, esc, "approve", NULL, NULL);
	is_str(fx_error_code(reply), "conflict");
	json_decref(reply);
	d = fx_run(&fx, run);
	is_str(json_string_value(json_object_get(d, "output")), "launched");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(d,
	    "escalations"), 0), "state")), "approved");
	json_decref(d);
	fx_finish(&fx);
}

static void
escalation_rejected_reason_reaches_agent(void)
{
	struct fixture fx;
	char run[32], esc[32];
	json_t *reply, *d, *msgs;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "gated", "launch it"));
	ok(fx_wait_state(&fx, run, "awaiting_human", 2000));
	copy_str(esc, sizeof(esc), pending_escalation(&fx, run));
	/* a rejection needs a reason */
	reply = decide(&fx, esc, "reject", NULL, NULL);
	is_str(fx_error_code(reply), "bad_request");
	json_decref(reply);
	reply = decide(&fx, esc, "reject", NULL, "change freeze until Monday");
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	ok(fx_wait_state(&fx, run, "done", 2000));
	d = fx_run(&fx, run);
	is_str(json_string_value(json_object_get(d, "output")), "not launched");
	msgs = json_object_get(d, "messages");
	has_str(json_string_value(json_object_get(json_array_get(msgs, 2),
	    "content")), "change freeze until Monday");
	/* the tool never ran: only the model's spans */
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "tool_calls")), 0);
	json_decref(d);
	fx_finish(&fx);
}

static void
escalation_approved_with_edited_args(void)
{
	struct fixture fx;
	char run[32], esc[32];
	json_t *reply, *d, *spans, *s;
	size_t i;
	bool seen = false;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "gated", "launch it"));
	ok(fx_wait_state(&fx, run, "awaiting_human", 2000));
	copy_str(esc, sizeof(esc), pending_escalation(&fx, run));
	/* edited arguments must fit the tool's schema */
	reply = decide(&fx, esc, "approve", json_pack("{s:s}", "target", "moon"),
	    NULL);
	is_str(fx_error_code(reply), "bad_request");
	has_str(json_string_value(json_object_get(json_object_get(reply, "error"),
	    "message")), "target");
	json_decref(reply);
	reply = decide(&fx, esc, "approve", json_pack("{s:s}", "target",
	    "staging"), NULL);
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	ok(fx_wait_state(&fx, run, "done", 2000));
	d = fx_run(&fx, run);
	spans = json_object_get(d, "spans");
	json_array_foreach(spans, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "kind")), "tool") == 0) {
			is_str(json_string_value(json_object_get(json_object_get(s,
			    "args"), "target")), "staging");
			seen = true;
		}
	}
	ok(seen);
	json_decref(d);
	fx_finish(&fx);
}

static void
escalation_deadline_times_out(void)
{
	struct fixture fx;
	char run[32];
	json_t *d, *esc;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "gated-fast", "launch"));
	ok(fx_wait_state(&fx, run, "awaiting_human", 2000));
	ok(fx_wait_state(&fx, run, "done", 3000));
	d = fx_run(&fx, run);
	esc = json_array_get(json_object_get(d, "escalations"), 0);
	is_str(json_string_value(json_object_get(esc, "state")), "timed_out");
	is_str(json_string_value(json_object_get(d, "output")), "not launched");
	json_decref(d);
	fx_finish(&fx);
}

static void
kill_aborts_pending_model_call(void)
{
	struct fixture fx;
	char run[32];
	json_t *reply, *d, *span;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "stuck", "wait"));
	fx_spin(&fx, 50);
	is_str(fx_state(&fx, run), "executing");
	reply = fx_call(&fx, "runs.kill", json_pack("{s:s, s:s}", "run", run,
	    "reason", "runaway"));
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	/* immediately: no loop iteration needed */
	is_str(fx_state(&fx, run), "killed");
	d = fx_run(&fx, run);
	span = json_array_get(json_object_get(d, "spans"), 0);
	is_str(json_string_value(json_object_get(span, "status")), "cancelled");
	has_str(json_string_value(json_object_get(d, "reason")), "runaway");
	json_decref(d);
	/* killing again is a clear conflict */
	reply = fx_call(&fx, "runs.kill", json_pack("{s:s}", "run", run));
	is_str(fx_error_code(reply), "conflict");
	json_decref(reply);
	fx_finish(&fx);
}

static void
pause_stops_model_call_at_once(void)
{
	struct fixture fx;
	char run[32];
	json_t *reply, *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "slow", "go"));
	fx_spin(&fx, 50);
	reply = fx_call(&fx, "runs.pause", json_pack("{s:s}", "run", run));
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	/* the model call in flight is stopped at once (it is only a question;
	 * it is asked again on resume) and the run holds */
	is_str(fx_state(&fx, run), "paused");
	d = fx_run(&fx, run);
	is_int(json_integer_value(json_object_get(d, "step")), 0);
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(d,
	    "spans"), 0), "status")), "cancelled");
	is_str(json_string_value(json_object_get(json_object_get(d, "waiting"),
	    "on")), "pause");
	json_decref(d);
	fx_spin(&fx, 600);
	is_str(fx_state(&fx, run), "paused");
	reply = fx_call(&fx, "runs.pause", json_pack("{s:s}", "run", run));
	is_str(fx_error_code(reply), "conflict");
	json_decref(reply);
	reply = fx_call(&fx, "runs.resume", json_pack("{s:s}", "run", run));
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	ok(fx_wait_state(&fx, run, "done", 3000));
	fx_finish(&fx);
}

static void
killswitch_kills_all_and_refuses_new(void)
{
	struct fixture fx;
	char a[32], b[32];
	json_t *reply;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(a, sizeof(a), fx_submit(&fx, "stuck", "1"));
	copy_str(b, sizeof(b), fx_submit(&fx, "gated", "2"));
	fx_spin(&fx, 50);
	reply = fx_call(&fx, "killswitch.engage", json_pack("{s:s}", "reason",
	    "incident 42"));
	is_int(json_integer_value(json_object_get(fx_body(reply), "killed")), 2);
	json_decref(reply);
	is_str(fx_state(&fx, a), "killed");
	is_str(fx_state(&fx, b), "killed");
	reply = fx_call(&fx, "runs.submit", json_pack("{s:s, s:s}", "agent",
	    "quick", "task", "x"));
	is_str(fx_error_code(reply), "killswitch");
	json_decref(reply);
	/* it survives a restart */
	fx_stop(&fx);
	t_bail_if(fx_start(&fx) != 0);
	ok(fx.e->killswitch);
	reply = fx_call(&fx, "killswitch.release", NULL);
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	a[0] = '\0';
	copy_str(a, sizeof(a), fx_submit(&fx, "quick", "x"));
	ok(a[0] != '\0');
	ok(fx_wait_state(&fx, a, "done", 2000));
	fx_finish(&fx);
}

static void
wall_budget_interrupts_tool(void)
{
	struct fixture fx;
	char run[32];
	json_t *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "walled", "sleep"));
	ok(fx_wait_state(&fx, run, "failed", 2000));
	d = fx_run(&fx, run);
	is_str(json_string_value(json_object_get(d, "reason")), "budget:wall_ms");
	ok(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "wall_ms")) < 1000);
	json_decref(d);
	fx_finish(&fx);
}

static void
dry_run_skips_side_effects(void)
{
	struct fixture fx;
	json_t *reply, *d;
	const char *id;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	reply = fx_call(&fx, "runs.submit", json_pack("{s:s, s:s, s:b}", "agent",
	    "dry", "task", "wipe", "dry_run", 1));
	id = json_string_value(json_object_get(json_object_get(fx_body(reply),
	    "run"), "id"));
	t_bail_if(id == NULL);
	ok(fx_wait_state(&fx, id, "done", 2000));
	d = fx_run(&fx, id);
	has_str(json_string_value(json_object_get(json_array_get(json_object_get(d,
	    "messages"), 2), "content")), "dry_run");
	ok(json_is_true(json_object_get(d, "dry_run")));
	json_decref(d);
	json_decref(reply);
	fx_finish(&fx);
}

static void
crash_recovery_resumes_runs(void)
{
	struct fixture fx;
	char run[32], gated[32];
	int64_t seq_before;
	json_t *reply;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "slow", "survive"));
	copy_str(gated, sizeof(gated), fx_submit(&fx, "gated", "wait for me"));
	fx_spin(&fx, 100);
	is_str(fx_state(&fx, gated), "awaiting_human");
	seq_before = fx.e->committed_seq;
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	/* seq goes on from where it was: no duplicates */
	ok(fx.e->seq > seq_before);
	ok(fx_wait_state(&fx, run, "done", 3000));
	/* the escalation is still pending: never silently approved */
	is_str(fx_state(&fx, gated), "awaiting_human");
	t_bail_if(pending_escalation(&fx, gated)[0] == '\0');
	reply = decide(&fx, pending_escalation(&fx, gated), "approve", NULL, NULL);
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	ok(fx_wait_state(&fx, gated, "done", 2000));
	fx_finish(&fx);
}

/* A checkpoint that cannot be read fails its run at recovery, loudly and
 * with the field named; it is never resumed from a guess (a reset
 * tool_started would run a side effect again). Runs with good checkpoints
 * resume as usual. */
static void
bad_checkpoint_fails_its_run(void)
{
	static const char *const bad[] = {
		"{\"v\":1,\"step\":\"1\",\"phase\":\"model\",\"messages\":1,"
		    "\"used\":{},\"tool_started\":true}",
		"{\"v\":1,",
	};
	struct fixture fx;
	char ids[2][32], good[32], path[160];
	struct store *st;
	json_t *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	for (size_t i = 0; i < 2; i++)
		copy_str(ids[i], sizeof(ids[i]), fx_submit(&fx, "slow", "x"));
	copy_str(good, sizeof(good), fx_submit(&fx, "slow", "good"));
	fx_spin(&fx, 100);
	fx_crash(&fx);
	snprintf(path, sizeof(path), "%s/agentd.db", fx.data);
	t_bail_if(store_open(path, &st) != 0);
	is_int(store_begin(st), 0);
	for (size_t i = 0; i < 2; i++)
		is_int(store_put_checkpoint(st, ids[i], 99, now_ms(), bad[i]), 0);
	is_int(store_commit(st), 0);
	store_close(st);
	t_bail_if(fx_start(&fx) != 0);
	for (size_t i = 0; i < 2; i++) {
		is_str(fx_state(&fx, ids[i]), "failed");
		d = fx_run(&fx, ids[i]);
		has_str(json_string_value(json_object_get(d, "reason")),
		    "recovery: the checkpoint cannot be read: ");
		json_decref(d);
	}
	d = fx_run(&fx, ids[0]);
	has_str(json_string_value(json_object_get(d, "reason")),
	    "field \"step\" must be an integer, not a string");
	json_decref(d);
	d = fx_run(&fx, ids[1]);
	has_str(json_string_value(json_object_get(d, "reason")),
	    "it is not a JSON object");
	json_decref(d);
	ok(fx_wait_state(&fx, good, "done", 3000));
	fx_finish(&fx);
}

/* A pattern is one file plus one registry line: the test's "once" pattern
 * (pattern_once.h) runs agents whose spec names it, through the engine,
 * like ReAct does; a spec naming a pattern nobody registered is refused
 * with the ones there are. */
static void
a_pattern_is_one_file(void)
{
	struct fixture fx;
	const char *id;
	json_t *d, *reply, *errors;

	is_int(pattern_register(&pattern_once), 0);
	is_int(pattern_register(&pattern_once), -EEXIST);
	fx_init_with(&fx, "pattern-agents");
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "once", "t");
	ok(fx_wait_state(&fx, id, "done", 2000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "output")), "done in one");
	is_str(json_string_value(json_object_get(d, "reason")),
	    "one model call: done");
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "llm_calls")), 1);
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "tool_calls")), 0);
	json_decref(d);
	reply = fx_call(&fx, "agents.list", NULL);
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(
	    fx_body(reply), "agents"), 0), "pattern")), "once");
	errors = json_object_get(fx_body(reply), "errors");
	is_int(json_array_size(errors), 0);
	json_decref(reply);
	fx_finish(&fx);
}

static void
crash_during_side_effect_escalates(void)
{
	struct fixture fx;
	char run[32];
	json_t *reply, *list, *esc;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "sidefx", "charge"));
	fx_spin(&fx, 100);
	t_bail_if(engine_find_run(fx.e, run) == NULL);
	is_str(run_wait_name(engine_find_run(fx.e, run)->wait), "tool");
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	/* the outcome of charge_card is unknown: an operator decides */
	is_str(fx_state(&fx, run), "awaiting_human");
	reply = fx_call(&fx, "escalations.list", NULL);
	list = json_object_get(fx_body(reply), "escalations");
	is_int(json_array_size(list), 1);
	esc = json_array_get(list, 0);
	is_str(json_string_value(json_object_get(esc, "tool")), "charge_card");
	has_str(json_string_value(json_object_get(esc, "reason")), "unknown");
	json_decref(reply);
	reply = decide(&fx, pending_escalation(&fx, run), "reject", NULL,
	    "checked by hand: it was charged");
	json_decref(reply);
	ok(fx_wait_state(&fx, run, "done", 2000));
	fx_finish(&fx);
}

static void
submit_is_durable_before_reply(void)
{
	struct fixture fx;
	char run[32];
	struct store *st;
	json_t *row;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "stuck", "x"));
	/* a second connection to the database sees it at once */
	{
		char path[160];
		snprintf(path, sizeof(path), "%s/agentd.db", fx.data);
		t_bail_if(store_open(path, &st) != 0);
	}
	row = store_run_get(st, run);
	ok(row != NULL);
	json_decref(row);
	store_close(st);
	fx_finish(&fx);
}

static void
bad_requests_get_clear_errors(void)
{
	struct fixture fx;
	static const struct {
		const char *request;
		const char *code;
		const char *message;
	} cases[] = {
		{ "not json", "parse", "invalid JSON" },
		{ "[1,2]", "schema", "not a JSON object" },
		{ "{\"v\":2,\"type\":\"hello\",\"id\":1}", "version", "version 2" },
		{ "{\"v\":1,\"type\":\"nope\",\"id\":1}", "unknown_op", "nope" },
		{ "{\"v\":1,\"type\":\"hello\"}", "schema", "id" },
		{ "{\"v\":1,\"type\":\"runs.get\",\"id\":1,\"body\":{}}", "bad_request", "run" },
		{ "{\"v\":1,\"type\":\"runs.get\",\"id\":1,\"body\":{\"run\":\"r-x\"}}", "not_found", "r-x" },
		{ "{\"v\":1,\"type\":\"runs.submit\",\"id\":1,\"body\":{\"agent\":\"ghost\",\"task\":\"t\"}}", "not_found", "ghost" },
		{ "{\"v\":1,\"type\":\"runs.submit\",\"id\":2,\"body\":{\"agent\":\"quick\",\"task\":\"t\",\"model\":\"sim:nope\"}}", "bad_request", "nope" },
		{ "{\"v\":1,\"type\":\"runs.submit\",\"id\":3,\"body\":{\"agent\":\"quick\",\"task\":\"t\",\"extra\":1}}", "bad_request", "extra" },
		{ "{\"v\":1,\"type\":\"runs.list\",\"id\":1,\"body\":{\"state\":\"sleeping\"}}", "bad_request", "sleeping" },
		{ "{\"v\":1,\"type\":\"escalations.decide\",\"id\":4,\"body\":{\"escalation\":\"e-x\",\"decision\":\"maybe\"}}", "bad_request", "maybe" },
		{ "{\"v\":1,\"type\":\"runs.kill\",\"id\":5,\"body\":{\"run\":\"r-none\"}}", "not_found", "r-none" },
	};
	char *reply;
	size_t len;
	json_t *obj;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		reply = ctl_handle(fx.e, cases[i].request, strlen(cases[i].request),
		    fx.e->uid, &len);
		obj = json_loadb(reply, len, 0, NULL);
		ok(json_is_false(json_object_get(obj, "ok")));
		is_str(fx_error_code(obj), cases[i].code);
		has_str(json_string_value(json_object_get(json_object_get(obj,
		    "error"), "message")), cases[i].message);
		json_decref(obj);
		free(reply);
	}
	/* and the daemon still works */
	ok(fx_wait_state(&fx, fx_submit(&fx, "quick", "x"), "done", 2000));
	fx_finish(&fx);
}

static void
mutating_requests_are_idempotent(void)
{
	struct fixture fx;
	const char *req = "{\"v\":1,\"type\":\"runs.submit\",\"id\":77,"
	    "\"body\":{\"agent\":\"stuck\",\"task\":\"once\"}}";
	char *r1, *r2;
	size_t l1, l2;
	json_t *list;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	r1 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l1);
	r2 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l2);
	is_str(r1, r2);
	list = fx_call(&fx, "runs.list", NULL);
	is_int(json_array_size(json_object_get(fx_body(list), "runs")), 1);
	json_decref(list);
	free(r1);
	free(r2);
	fx_finish(&fx);
}

static void
viewer_cannot_mutate(void)
{
	struct fixture fx;
	json_t *reply;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	reply = fx_call_as(&fx, 4242, "runs.submit", json_pack("{s:s, s:s}",
	    "agent", "quick", "task", "x"));
	is_str(fx_error_code(reply), "forbidden");
	json_decref(reply);
	reply = fx_call_as(&fx, 4242, "hello", NULL);
	is_str(json_string_value(json_object_get(fx_body(reply), "role")), "viewer");
	json_decref(reply);
	/* the refusal is audited */
	ok(fx_count_events(&fx, NULL, "operator.action") == 1);
	fx_finish(&fx);
}

/* Submits a task to @agent, which must be refused: the error's message
 * into @msg, its code returned (static, "" if none). */
static const char *
submit_refusal(struct fixture *fx, const char *agent, char *msg, size_t len)
{
	static char code[32];
	json_t *reply = fx_call(fx, "runs.submit", json_pack("{s:s, s:s}",
	    "agent", agent, "task", "t"));
	const char *m = json_string_value(json_object_get(json_object_get(reply,
	    "error"), "message")), *c = fx_error_code(reply);

	snprintf(msg, len, "%s", m != NULL ? m : "");
	snprintf(code, sizeof(code), "%s", c != NULL ? c : "");
	json_decref(reply);
	return code;
}

static void
bad_agent_files_are_named_and_skipped(void)
{
	struct fixture fx;
	json_t *reply, *errors, *err;
	size_t i;
	char all[4096] = "", msg[512];

	fx_init_with(&fx, "bad-agents");
	t_bail_if(fx_start(&fx) != 0);
	reply = fx_call(&fx, "agents.list", NULL);
	is_int(json_array_size(json_object_get(fx_body(reply), "agents")), 1);
	errors = json_object_get(fx_body(reply), "errors");
	json_array_foreach(errors, i, err) {
		strncat(all, json_string_value(json_object_get(err, "error")),
		    sizeof(all) - strlen(all) - 2);
		strcat(all, "\n");
	}
	has_str(all, "notjson.json:2");
	has_str(all, "badtool.json: tools[0]: input_schema");
	has_str(all, "noscenario.json: no sim scenario named \"does-not-exist\"");
	has_str(all, "badturn.json: turns[0].tool_calls[0]");
	has_str(all, "unserved.json: model \"gemini:x\": unknown provider");
	json_decref(reply);
	/* a submit to a rejected agent says why, not "unknown agent" */
	is_str(submit_refusal(&fx, "notjson", msg, sizeof(msg)), "not_found");
	has_str(msg, "agent \"notjson\" was rejected at start: ");
	has_str(msg, "notjson.json:2");
	submit_refusal(&fx, "elsewhere", msg, sizeof(msg));
	has_str(msg, "agent \"elsewhere\" was rejected at start: ");
	has_str(msg, "unserved.json: model \"gemini:x\": unknown provider");
	/* a broken scenario of that name is not the agent's error */
	submit_refusal(&fx, "badturn", msg, sizeof(msg));
	has_str(msg, "unknown agent \"badturn\"");
	submit_refusal(&fx, "ghost", msg, sizeof(msg));
	has_str(msg, "unknown agent \"ghost\"");
	fx_finish(&fx);
}

static void
snapshot_then_events_since_is_consistent(void)
{
	struct fixture fx;
	json_t *snap, *reply;
	int64_t seq;
	char run[32];

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "slow", "x"));
	fx_spin(&fx, 50);
	snap = fx_call(&fx, "snapshot", NULL);
	seq = json_integer_value(json_object_get(fx_body(snap), "seq"));
	is_int(json_array_size(json_object_get(fx_body(snap), "runs")), 1);
	ok(fx_wait_state(&fx, run, "done", 3000));
	reply = fx_call(&fx, "runs.events", json_pack("{s:I}", "since",
	    (json_int_t)seq));
	/* the first event after the snapshot follows it exactly */
	is_int(json_integer_value(json_object_get(json_array_get(json_object_get(
	    fx_body(reply), "events"), 0), "seq")), seq + 1);
	json_decref(reply);
	json_decref(snap);
	fx_finish(&fx);
}

static void
full_disk_loses_nothing(void)
{
	struct fixture fx;
	char run[32];
	int64_t pages, seq_full;
	int accepted = 0, refused = 0;
	json_t *reply, *events;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "slow", "survive a full disk"));
	t_bail_if(store_page_count(fx.e->store, &pages) != 0);
	/* the disk fills up: no page can be added; work goes on until the
	 * free space left in the pages is used up */
	t_bail_if(store_limit_pages(fx.e->store, pages) != 0);
	for (int i = 0; i < 2000 && refused == 0; i++) {
		reply = fx_call(&fx, "runs.submit", json_pack("{s:s, s:s}", "agent",
		    "quick", "task", "fill the disk"));
		if (fx_body(reply) != NULL)
			accepted++;
		else if (strcmp(fx_error_code(reply), "storage") == 0)
			refused++;
		json_decref(reply);
		loop_run_once(fx.e->loop, 0);
	}
	is_int(refused, 1);	/* a clear error, not a silent loss */
	ok(!fx.e->storage_ok);
	seq_full = fx.e->seq;
	reply = fx_call(&fx, "health", NULL);
	ok(json_is_false(json_object_get(fx_body(reply), "storage_ok")));
	json_decref(reply);
	/* runs hold instead of piling up events they cannot store */
	fx_spin(&fx, 1500);
	ok(fx.e->seq - seq_full < 2 * (accepted + 1) + 10);
	is_str(fx_state(&fx, run), "executing");
	/* space comes back: everything queued is committed, the runs end */
	t_bail_if(store_limit_pages(fx.e->store, 1 << 30) != 0);
	ok(fx_wait_state(&fx, run, "done", 5000));
	fx_spin(&fx, 500);
	ok(fx.e->storage_ok);
	is_int(fx.e->n_live, 0);
	reply = fx_call(&fx, "runs.events", json_pack("{s:I, s:i}", "since",
	    (json_int_t)0, "limit", 10000));
	events = json_object_get(fx_body(reply), "events");
	/* every seq from 1 to the last: none lost, none twice */
	is_int(json_array_size(events), fx.e->committed_seq);
	is_int(json_integer_value(json_object_get(json_array_get(events,
	    json_array_size(events) - 1), "seq")), fx.e->committed_seq);
	json_decref(reply);
	/* the refused submission left no run behind */
	is_int(fx_count_events(&fx, NULL, "run.submitted"), accepted + 1);
	fx_finish(&fx);
}

static void
idempotent_across_a_crash(void)
{
	struct fixture fx;
	const char *req = "{\"v\":1,\"type\":\"runs.submit\",\"id\":4242,"
	    "\"body\":{\"agent\":\"stuck\",\"task\":\"exactly once\"}}";
	char *r1, *r2;
	size_t l1, l2;
	json_t *list;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	r1 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l1);
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	/* REQ resends to the restarted daemon: same answer, no second run */
	r2 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l2);
	is_str(r2, r1);
	list = fx_call(&fx, "runs.list", NULL);
	is_int(json_array_size(json_object_get(fx_body(list), "runs")), 1);
	json_decref(list);
	free(r1);
	free(r2);
	fx_finish(&fx);
}

static void
tool_retries_are_not_loops(void)
{
	struct fixture fx;
	const char *id;
	json_t *d;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	id = fx_submit(&fx, "flaky", "is it up?");
	ok(fx_wait_state(&fx, id, "done", 5000));
	d = fx_run(&fx, id);
	is_str(json_string_value(json_object_get(d, "output")),
	    "status page unreachable");
	/* one call and two retries, all failed, then the error went back */
	is_int(json_integer_value(json_object_get(json_object_get(d, "usage"),
	    "tool_calls")), 3);
	json_decref(d);
	fx_finish(&fx);
}

static void
dry_run_still_escalates_reads(void)
{
	struct fixture fx;
	json_t *reply;
	char id[32];

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	/* no side effects, so a dry run makes the call: it needs approval */
	reply = fx_call(&fx, "runs.submit", json_pack("{s:s, s:s, s:b}", "agent",
	    "peek", "task", "x", "dry_run", 1));
	copy_str(id, sizeof(id), json_string_value(json_object_get(
	    json_object_get(fx_body(reply), "run"), "id")));
	json_decref(reply);
	ok(fx_wait_state(&fx, id, "awaiting_human", 2000));
	/* side effects in a dry run are not made, so no approval is needed */
	reply = fx_call(&fx, "runs.submit", json_pack("{s:s, s:s, s:b}", "agent",
	    "gated", "task", "x", "dry_run", 1));
	copy_str(id, sizeof(id), json_string_value(json_object_get(
	    json_object_get(fx_body(reply), "run"), "id")));
	json_decref(reply);
	ok(fx_wait_state(&fx, id, "done", 2000));
	fx_finish(&fx);
}

static json_t *
metric(json_t *health, const char *name)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(health, "metrics"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "name")), name) == 0)
			return m;
	return NULL;
}

static void
health_metrics_against_thresholds(void)
{
	struct fixture fx;
	json_t *reply, *h, *m;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	ok(fx_wait_state(&fx, fx_submit(&fx, "quick", "a"), "done", 2000));
	ok(fx_wait_state(&fx, fx_submit(&fx, "loopy", "b"), "failed", 2000));
	ok(fx_wait_state(&fx, fx_submit(&fx, "flaky", "c"), "done", 5000));
	reply = fx_call(&fx, "health", NULL);
	h = fx_body(reply);
	is_int(json_array_size(json_object_get(h, "metrics")), 5);
	/* half the runs were stopped by the loop guard: over 5% */
	m = metric(h, "loop_rate");
	ok(fabs(json_real_value(json_object_get(m, "value")) - 1.0 / 3) < 1e-9);
	ok(json_is_true(json_object_get(m, "crossed")));
	/* 3 failed tool calls of 2 + 3 + 3: below the 0.99 of thresholds.json */
	m = metric(h, "tool_success_rate");
	ok(json_real_value(json_object_get(m, "threshold")) == 0.99);
	ok(json_is_true(json_object_get(m, "crossed")));
	is_str(json_string_value(json_object_get(m, "bad_when")), "below");
	/* zero-latency sims are far below 100 ms */
	m = metric(h, "p95_step_latency_ms");
	ok(json_is_false(json_object_get(m, "crossed")));
	/* no escalation decided yet: no value, not crossed */
	m = metric(h, "p95_escalation_wait_ms");
	ok(json_is_null(json_object_get(m, "value")));
	ok(json_is_false(json_object_get(m, "crossed")));
	json_decref(reply);
	fx_finish(&fx);
}

static void
bad_thresholds_stop_the_start(void)
{
	struct fixture fx;

	fx_init_with(&fx, "bad-thresholds");
	ok(fx_start(&fx) != 0);
	fx_finish(&fx);
}

static void
rate_finished_runs(void)
{
	struct fixture fx;
	char done[32], live[32];
	json_t *reply;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(done, sizeof(done), fx_submit(&fx, "quick", "rate me"));
	copy_str(live, sizeof(live), fx_submit(&fx, "stuck", "still going"));
	ok(fx_wait_state(&fx, done, "done", 2000));
	reply = fx_call(&fx, "runs.rate", json_pack("{s:s, s:s}", "run", live,
	    "rating", "good"));
	is_str(fx_error_code(reply), "conflict");
	json_decref(reply);
	reply = fx_call(&fx, "runs.rate", json_pack("{s:s, s:s}", "run", done,
	    "rating", "meh"));
	is_str(fx_error_code(reply), "bad_request");
	json_decref(reply);
	reply = fx_call(&fx, "runs.rate", json_pack("{s:s, s:s, s:s}", "run", done,
	    "rating", "bad", "note", "answered the wrong ticket"));
	is_str(json_string_value(json_object_get(json_object_get(json_object_get(
	    fx_body(reply), "run"), "rating"), "rating")), "bad");
	json_decref(reply);
	/* history shows it */
	reply = fx_call(&fx, "history.search", json_pack("{s:s}", "grep",
	    "rate me"));
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(fx_body(reply), "runs"), 0), "rating"), "note")),
	    "answered the wrong ticket");
	json_decref(reply);
	is_int(fx_count_events(&fx, done, "run.rated"), 1);
	fx_finish(&fx);
}

#define TESTS(X) \
	X(react_run_finishes) \
	X(reasoning_is_kept_capped) \
	X(llm_call_budget_stops_run) \
	X(cost_budget_warns_then_stops_before_overspending) \
	X(loop_guard_stops_runaway) \
	X(invalid_tool_args_fed_back) \
	X(truncated_answers_are_not_final) \
	X(truncations_survive_a_crash) \
	X(bad_checkpoint_fails_its_run) \
	X(a_pattern_is_one_file) \
	X(too_many_invalid_args_fail) \
	X(escalation_approved_runs_tool) \
	X(escalation_rejected_reason_reaches_agent) \
	X(escalation_approved_with_edited_args) \
	X(escalation_deadline_times_out) \
	X(kill_aborts_pending_model_call) \
	X(pause_stops_model_call_at_once) \
	X(killswitch_kills_all_and_refuses_new) \
	X(wall_budget_interrupts_tool) \
	X(dry_run_skips_side_effects) \
	X(crash_recovery_resumes_runs) \
	X(crash_during_side_effect_escalates) \
	X(submit_is_durable_before_reply) \
	X(bad_requests_get_clear_errors) \
	X(mutating_requests_are_idempotent) \
	X(viewer_cannot_mutate) \
	X(bad_agent_files_are_named_and_skipped) \
	X(snapshot_then_events_since_is_consistent) \
	X(full_disk_loses_nothing) \
	X(idempotent_across_a_crash) \
	X(tool_retries_are_not_loops) \
	X(dry_run_still_escalates_reads) \
	X(health_metrics_against_thresholds) \
	X(bad_thresholds_stop_the_start) \
	X(rate_finished_runs)
T_MAIN(TESTS)
