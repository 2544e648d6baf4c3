/*
 * Model calls, tool calls and escalations of runs: the engine's side of
 * a step. Every call is a span (span.start when it is made, span.end when
 * it ends) and is checked against the budget before it is made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine_impl.h"
#include "log.h"
#include "pricing.h"
#include "span.h"
#include "providers/provider.h"
#include "tools/schema.h"
#include "util.h"

#define TOOL_OUTPUT_MAX	(16 * 1024)	/* bytes of tool output the model sees */

struct tool_call {
	struct run *run;
	const struct tool_def *def;
	json_t *args;
	char call_id[64];
	char span[24];
	struct timer timer;
	int64_t started;		/* mono ms */
	struct tool_result result;
	bool timed_out;
	bool edited;			/* an operator changed the arguments */
};

void
engine_schedule(struct engine *e, struct run *run, int64_t delay_ms)
{
	loop_timer_arm(e->loop, &run->step_timer, delay_ms, engine_advance, run);
}

/* The run's pattern: its agent's (a spec names one the registry has). */
static const struct pattern_ops *
pattern_of(const struct run *run)
{
	return run->agent->pattern;
}

void
engine_advance(struct timer *t, void *arg)
{
	struct run *run = arg;
	struct engine *e = run->engine;

	if (!run_state_live(run->state) || run->state == RUN_PAUSED ||
	    run->state == RUN_AWAITING_HUMAN || run->llm != NULL ||
	    run->tool != NULL)
		return;
	if (!e->storage_ok) {
		engine_set_wait(e, run, RUN_WAIT_BACKOFF, "database not writable");
		engine_schedule(e, run, 1000);
		return;
	}
	if (run->pause_requested) {
		engine_enter_pause(e, run, "operator pause (held before the next step)");
		return;
	}
	if (run->state == RUN_QUEUED &&
	    engine_transition(e, run, RUN_EXECUTING, "started") != 0)
		return;
	pattern_of(run)->advance(e, run);
}

/* ---- model calls -------------------------------------------------------- */

int
engine_check_model(struct engine *e, const char *model, char *err, size_t errlen)
{
	const char *name;
	struct provider *p = engine_provider_for(e, model, &name);
	char names[200];

	if (p == NULL) {
		engine_provider_names(e, names, sizeof(names));
		snprintf(err, errlen, "model \"%s\": unknown provider (this agentd "
		    "has: %s)", model, names);
		return -EINVAL;
	}
	return p->ops->check_model(p, name, err, errlen);
}

static void
exceeded(struct engine *e, struct run *run, enum budget_kind kind,
    const struct budget_amounts *worst, const char *what)
{
	engine_emit(e, IPC_EV_BUDGET_EXCEEDED, run->id,
	    json_pack("{s:s, s:i, s:f, s:f, s:f, s:s}", "kind",
	    budget_kind_name(kind), "level", 100, "used", run->budget.used.v[kind],
	    "limit", run->budget.limit.v[kind], "worst_case", worst->v[kind],
	    "refused", what));
	engine_finish(e, run, RUN_FAILED, "budget:%s", budget_kind_name(kind));
}

static void on_model_done(struct llm_call *call, int status,
    struct llm_reply *reply, const char *error);

/* The model of the run's next turn: the agent's cheap routing model for
 * its routing steps, else the run's model. */
static const char *
model_for_turn(const struct run *run, const char **tier)
{
	*tier = NULL;
	if (run->route_model[0] == '\0')
		return run->model;
	if (agent_routes_turn(run->agent, run->step + 1)) {
		*tier = "routing";
		return run->route_model;
	}
	*tier = "reasoning";
	return run->model;
}

static void
on_model_delta(struct llm_call *call, const char *text, size_t len,
    bool reasoning)
{
	struct run *run = call->owner;

	engine_stream_add(run->engine, run, text, len, reasoning);
}

static void
on_model_wait(struct llm_call *call, enum llm_wait what, int attempt,
    int64_t delay_ms, const char *why)
{
	struct run *run = call->owner;
	struct engine *e = run->engine;

	switch (what) {
	case LLM_WAIT_NONE:
		/* after a stall: waiting on the model since the attempt went
		 * out, as before the stall */
		engine_set_wait_since(e, run, RUN_WAIT_MODEL, call->model,
		    now_ms() - MAX(delay_ms, 0));
		break;
	case LLM_WAIT_STALLED:
		/* since the stream's last data; one event per silence */
		engine_set_wait_since(e, run, RUN_WAIT_STALLED, call->model,
		    now_ms() - MAX(delay_ms, 0));
		break;
	case LLM_WAIT_RATE_LIMIT:
		engine_set_wait(e, run, RUN_WAIT_RATE_LIMIT, why);
		break;
	case LLM_WAIT_BREAKER:
		engine_set_wait(e, run, RUN_WAIT_BREAKER, why);
		break;
	case LLM_WAIT_RETRY:
		engine_stream_end(e, run);
		engine_emit(e, IPC_EV_LLM_RETRY, run->id, json_pack("{s:s, s:s,"
		    " s:i, s:I, s:s}", "span", call->span, "name", call->model,
		    "attempt", attempt, "delay_ms", (json_int_t)delay_ms,
		    "reason", why ? why : ""));
		engine_set_wait(e, run, RUN_WAIT_BACKOFF, call->model);
		break;
	}
}

void
engine_call_model(struct engine *e, struct run *run)
{
	struct budget_amounts worst = { 0 };
	struct llm_request req;
	struct llm_call *call;
	struct provider *p;
	struct price price;
	enum budget_kind kind;
	const char *name, *tier, *model = model_for_turn(run, &tier);
	int64_t tokens_in;
	int r;

	if ((p = engine_provider_for(e, model, &name)) == NULL) {
		engine_finish(e, run, RUN_FAILED, "model %s: unknown provider",
		    model);
		return;
	}
	req = (struct llm_request){ .model = name, .system = run->agent->system,
	    .messages = run->messages, .tools = run->agent->tools_json,
	    .max_tokens = run->agent->max_tokens, .turn = run->step };
	tokens_in = p->ops->estimate_tokens_in(p, &req);
	worst.v[BUDGET_LLM_CALLS] = 1;
	worst.v[BUDGET_TOKENS_IN] = (double)tokens_in;
	worst.v[BUDGET_TOKENS_OUT] = (double)req.max_tokens;
	if (pricing_find(e->pricing, model, &price))
		worst.v[BUDGET_COST_USD] = price_cost(&price, (double)tokens_in,
		    (double)req.max_tokens);
	if (budget_would_exceed(&run->budget, &worst, &kind)) {
		exceeded(e, run, kind, &worst, "model call");
		return;
	}
	if (run->state == RUN_REFLECTING &&
	    engine_transition(e, run, RUN_EXECUTING, "asking the model again") != 0)
		return;
	call = xcalloc(1, sizeof(*call));
	call->provider = p;
	call->owner = run;
	call->done = on_model_done;
	call->delta = on_model_delta;
	call->wait = on_model_wait;
	call->tokens_estimate = tokens_in;
	call->timeout_ms = run->agent->llm_timeout_ms;
	call->started = mono_ms();
	call->tier = tier;
	copy_str(call->model, sizeof(call->model), model);
	make_id(call->span, sizeof(call->span), "s-");
	span_start(e, run, call->span, "llm", model, json_pack("{s:i, s:i, s:I,"
	    " s:s?}", "step", run->step + 1, "attempt", run->attempt + 1,
	    "tokens_in_estimate", (json_int_t)tokens_in, "tier", tier));
	run->wait = RUN_WAIT_NONE;	/* a new call: waiting since now */
	engine_set_wait(e, run, RUN_WAIT_MODEL, model);
	run->llm = call;
	if ((r = p->ops->start(p, call, &req)) != 0) {
		const char *why = r == -ENOENT ? "the sim scenario has no turn left" :
		    strerror(-r);
		run->llm = NULL;
		span_end(e, run, call->span, "llm", model, "error", 0,
		    json_pack("{s:I, s:s, s:i}", "latency_ms", (json_int_t)0,
		    "error", why, "attempts", 0));
		free(call);
		engine_finish(e, run, RUN_FAILED, "model %s: %s", model, why);
	}
}

/* What the span.end of a model call that answered says of it. */
static json_t *
model_span_end(const struct llm_call *call, const struct llm_reply *reply,
    int64_t latency, int step)
{
	json_t *end = json_pack("{s:I, s:I, s:I, s:s, s:i, s:i}",
	    "latency_ms", (json_int_t)latency,
	    "tokens_in", (json_int_t)reply->tokens_in,
	    "tokens_out", (json_int_t)reply->tokens_out,
	    "stop_reason", reply->stop_reason, "step", step,
	    "attempts", call->attempts);

	if (reply->cache_read >= 0)
		json_object_set_new(end, "cache_read_tokens",
		    json_integer(reply->cache_read));
	if (reply->cache_write >= 0)
		json_object_set_new(end, "cache_write_tokens",
		    json_integer(reply->cache_write));
	/* an OpenAI-format server's figure, which may be KV-cache reuse
	 * (llama.cpp, vLLM) rather than priced prompt caching: its own name */
	if (reply->cached >= 0)
		json_object_set_new(end, "cached_tokens",
		    json_integer(reply->cached));
	if (reply->usage_estimated)
		json_object_set_new(end, "usage_estimated", json_true());
	if (call->cache != NULL)
		json_object_set_new(end, "cache", json_string(call->cache));
	if (call->streamed)
		json_object_set_new(end, "streamed", json_true());
	if (call->tier != NULL)
		json_object_set_new(end, "tier", json_string(call->tier));
	if (reply->reasoning_tokens >= 0)
		json_object_set_new(end, "reasoning_tokens",
		    json_integer(reply->reasoning_tokens));
	if (reply->reasoning != NULL && reply->reasoning[0] != '\0')
		json_object_set_new(end, "reasoning_bytes",
		    json_integer((json_int_t)strlen(reply->reasoning)));
	return end;
}

/* A call to a model with no price: the run's cost becomes a lower bound,
 * and the log says once per model how to fix it. */
static void
cost_unknown(struct engine *e, struct run *run, const char *model)
{
	run->budget.cost_unknown = true;
	if (pricing_first_miss(e->pricing, model))
		log_warn("model %s has no price in the pricing table: the cost of "
		    "runs that use it is unknown (add it to pricing.json, "
		    "docs/providers.md#pricing-and-usage)", model);
}

static void
on_model_done(struct llm_call *call, int status, struct llm_reply *reply,
    const char *error)
{
	struct run *run = call->owner;
	struct engine *e = run->engine;
	struct budget_amounts delta = { 0 };
	struct price price;
	bool priced = pricing_find(e->pricing, call->model, &price);
	bool hit = call->cache != NULL && strcmp(call->cache, "hit") == 0;
	int64_t latency = mono_ms() - call->started;
	json_t *end;

	engine_stream_end(e, run);
	run->llm = NULL;
	if (status != 0) {
		span_end(e, run, call->span, "llm", call->model, "error", 0,
		    json_pack("{s:I, s:s, s:i}", "latency_ms", (json_int_t)latency,
		    "error", error ? error : "?", "attempts", call->attempts));
		engine_finish(e, run, RUN_FAILED, "model %s: %s", call->model,
		    error ? error : "error");
		free(call);
		return;
	}
	/* a cached answer costs one call and nothing else */
	delta.v[BUDGET_LLM_CALLS] = 1;
	if (!hit) {
		delta.v[BUDGET_TOKENS_IN] = (double)reply->tokens_in;
		delta.v[BUDGET_TOKENS_OUT] = (double)reply->tokens_out;
		if (priced)
			delta.v[BUDGET_COST_USD] = price_cost(&price,
			    (double)reply->tokens_in, (double)reply->tokens_out);
		else
			cost_unknown(e, run, call->model);
	}
	end = model_span_end(call, reply, latency, run->step + 1);
	json_object_set_new(end, "cost_usd", priced || hit ?
	    json_real(delta.v[BUDGET_COST_USD]) : json_null());
	span_end(e, run, call->span, "llm", call->model, "ok", 0, end);
	metrics_add(&e->metrics.step_latency_ms, (double)latency);
	free(call);
	if (engine_charge(e, run, &delta) != 0)
		return;
	run->step++;
	run->attempt = 0;
	pattern_of(run)->on_reply(e, run, reply);
}

/* ---- tool calls --------------------------------------------------------- */

/* The tool call at run->tool_index goes back to the model as an error. */
static void
feed_back_error(struct engine *e, struct run *run, const char *call_id,
    const char *tool, const char *text, const char *reason)
{
	engine_add_message(e, run, json_pack("{s:s, s:s, s:s, s:s, s:b}",
	    "role", "tool", "tool_call_id", call_id, "name", tool,
	    "content", text, "is_error", 1));
	run->tool_index++;
	run->attempt = 0;
	run->approved[0] = '\0';
	json_decref(run->approved_args);
	run->approved_args = NULL;
	if (run->state != RUN_REFLECTING &&
	    engine_transition(e, run, RUN_REFLECTING, "%s", reason) != 0)
		return;
	engine_schedule(e, run, 0);
}

static void
invalid_call(struct engine *e, struct run *run, const char *call_id,
    const char *tool, const char *problem)
{
	char text[600];		/* room for any @problem: it stays UTF-8 */

	run->invalid_args++;
	engine_emit(e, IPC_EV_TOOL_INVALID_ARGS, run->id, json_pack("{s:s, s:s,"
	    " s:i, s:i}", "tool", tool, "error", problem, "count",
	    run->invalid_args, "limit", run->agent->max_invalid_args));
	if (run->invalid_args > run->agent->max_invalid_args) {
		engine_finish(e, run, RUN_FAILED, "invalid_tool_args: %d invalid "
		    "tool calls (last: %s: %s)", run->invalid_args, tool, problem);
		return;
	}
	snprintf(text, sizeof(text), "error: the call was not made: %s", problem);
	feed_back_error(e, run, call_id, tool, text, "invalid tool call");
}

/* Same tool with the same arguments again and again: a runaway loop. */
static bool
loop_detected(struct engine *e, struct run *run, const char *tool,
    const json_t *args)
{
	char *canon = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = 1469598103934665603ULL;
	char key[80];

	for (const char *p = tool; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (const char *p = canon ? canon : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	free(canon);
	snprintf(key, sizeof(key), "%s:%016llx", tool, (unsigned long long)h);
	if (strcmp(key, run->loop_key) == 0) {
		run->loop_repeats++;
	} else {
		copy_str(run->loop_key, sizeof(run->loop_key), key);
		run->loop_repeats = 1;
	}
	if (run->agent->loop_max_repeats <= 0 ||
	    run->loop_repeats < run->agent->loop_max_repeats)
		return false;
	engine_emit(e, IPC_EV_RUN_LOOP, run->id, json_pack("{s:s, s:i, s:O}",
	    "tool", tool, "repeats", run->loop_repeats, "args", args));
	engine_finish(e, run, RUN_FAILED, "loop:%s repeated %d times with the "
	    "same arguments", tool, run->loop_repeats);
	return true;
}

static void tool_fire(struct timer *t, void *arg);

static void
start_tool(struct engine *e, struct run *run, const struct tool_def *def,
    const json_t *args, const char *call_id)
{
	struct tool_env env = { .jail_dir = e->files_dir };
	struct tool_call *tc;
	const json_t *call;
	int64_t delay, seq_before = e->seq;
	char span[24];

	make_id(span, sizeof(span), "s-");
	span_start(e, run, span, "tool", def->name, json_pack("{s:i, s:i, s:O,"
	    " s:s}", "step", run->step, "attempt", run->attempt + 1,
	    "args", args, "risk", tool_risk_name(def->risk)));
	if (!def->idempotent && !run->dry_run) {
		/* the intent (with the call's span) is durable before the side
		 * effect can happen, so a crash in between is never a blind
		 * re-run and the trace shows the call */
		run->tool_started = true;
		copy_str(run->tool_span, sizeof(run->tool_span), span);
		engine_mark_dirty(e, run);
		if (engine_flush(e) != 0) {
			run->tool_started = false;
			run->tool_span[0] = '\0';
			engine_drop_events_after(e, seq_before);
			engine_set_wait(e, run, RUN_WAIT_BACKOFF,
			    "database not writable");
			engine_schedule(e, run, 1000);
			return;
		}
	}
	tc = xcalloc(1, sizeof(*tc));
	tc->run = run;
	tc->def = def;
	tc->args = json_deep_copy(args);
	copy_str(tc->call_id, sizeof(tc->call_id), call_id);
	tc->edited = run->approved_args != NULL && args == run->approved_args &&
	    (call = engine_current_tool_call(run)) != NULL &&
	    !json_equal(json_object_get(call, "arguments"), args);
	copy_str(tc->span, sizeof(tc->span), span);
	tc->started = mono_ms();
	run->wait = RUN_WAIT_NONE;
	engine_set_wait(e, run, RUN_WAIT_TOOL, def->name);
	if (run->dry_run && def->side_effects) {
		tc->result.output = json_pack("{s:b, s:s}", "dry_run", 1, "note",
		    "not executed: this is a dry run");
	} else if (def->kind == TOOL_KIND_BUILTIN) {
		def->builtin->run(args, &env, &tc->result);
	} else {
		tc->result.output = json_incref(def->sim_output);
		tc->result.error = def->sim_error ? xstrdup(def->sim_error) : NULL;
		tc->result.delay_ms = def->sim_latency_ms;
	}
	delay = tc->result.delay_ms;
	if (delay > def->timeout_ms) {
		delay = def->timeout_ms;
		tc->timed_out = true;
	}
	run->tool = tc;
	loop_timer_arm(e->loop, &tc->timer, delay, tool_fire, tc);
}

static char *
tool_content(const struct tool_call *tc)
{
	char *s, *capped;
	size_t n;

	if (tc->timed_out)
		return xasprintf("error: %s timed out after %lld ms", tc->def->name,
		    (long long)tc->def->timeout_ms);
	if (tc->result.error != NULL)
		return xasprintf("error: %s", tc->result.error);
	s = json_dumps(tc->result.output, JSON_COMPACT | JSON_REAL_PRECISION(12) | JSON_ENCODE_ANY);
	if (s == NULL)
		return xstrdup("null");
	if (tc->edited) {
		/* the model must know what actually ran */
		char *args = json_dumps(tc->args, JSON_COMPACT);
		char *noted = xasprintf("note: an operator changed the arguments "
		    "to %s before the call; result: %s", args ? args : "?", s);
		free(args);
		free(s);
		s = noted;
	}
	if ((n = strlen(s)) <= TOOL_OUTPUT_MAX)
		return s;
	capped = xasprintf("%.*s… [truncated: %zu bytes in all]",
	    (int)utf8_prefix(s, TOOL_OUTPUT_MAX), s, n);
	free(s);
	return capped;
}

static void
tool_fire(struct timer *t, void *arg)
{
	struct tool_call *tc = arg;
	struct run *run = tc->run;
	struct engine *e = run->engine;
	struct budget_amounts delta = { 0 };
	bool failed = tc->timed_out || tc->result.error != NULL;
	int64_t latency = mono_ms() - tc->started;
	char *content = tool_content(tc);
	json_t *end;

	run->tool = NULL;
	run->tool_started = false;
	run->tool_span[0] = '\0';
	end = json_pack("{s:I}", "latency_ms", (json_int_t)latency);
	if (failed)
		json_object_set_new(end, "error", json_string(content));
	span_end(e, run, tc->span, "tool", tc->def->name, tc->timed_out ?
	    "timeout" : failed ? "error" : "ok", 0, end);
	metrics_add(&e->metrics.tool_ok, failed ? 0 : 1);
	delta.v[BUDGET_TOOL_CALLS] = 1;
	if (engine_charge(e, run, &delta) != 0)
		goto out;
	if (failed && run->attempt < tc->def->retries) {
		run->attempt++;
		engine_set_wait(e, run, RUN_WAIT_BACKOFF, tc->def->name);
		engine_schedule(e, run, 200LL << MIN(run->attempt, 8));
		goto out;
	}
	engine_add_message(e, run, json_pack("{s:s, s:s, s:s, s:s, s:b}",
	    "role", "tool", "tool_call_id", tc->call_id, "name", tc->def->name,
	    "content", content, "is_error", failed));
	run->tool_index++;
	run->attempt = 0;
	run->approved[0] = '\0';
	json_decref(run->approved_args);
	run->approved_args = NULL;
	if (failed && run->state == RUN_EXECUTING &&
	    engine_transition(e, run, RUN_REFLECTING, "tool %s failed",
	    tc->def->name) != 0)
		goto out;
	pattern_of(run)->on_tool_done(e, run);
out:
	free(content);
	json_decref(tc->args);
	tool_result_finish(&tc->result);
	free(tc);
}

void
engine_call_tool(struct engine *e, struct run *run, const json_t *call)
{
	const char *name = json_string_value(json_object_get(call, "name"));
	const char *call_id = json_string_value(json_object_get(call, "id"));
	const json_t *args = json_object_get(call, "arguments");
	const struct tool_def *def;
	struct budget_amounts worst = { 0 };
	struct schema_error serr;
	enum budget_kind kind;
	char problem[512];
	bool approved;

	name = name ? name : "";
	call_id = call_id ? call_id : "";
	approved = run->approved[0] != '\0';
	if ((def = agent_find_tool(run->agent, name)) == NULL) {
		snprintf(problem, sizeof(problem), "unknown tool \"%.64s\"", name);
		invalid_call(e, run, call_id, name, problem);
		return;
	}
	if (!approved && json_object_get(call, "arguments_error") != NULL) {
		/* the model sent arguments that are not JSON: it tries again,
		 * told what it sent (the call itself goes back as {}) */
		const char *raw = json_string_value(json_object_get(call,
		    "arguments_raw"));
		const char *why = json_string_value(json_object_get(call,
		    "arguments_error"));
		raw = raw != NULL ? raw : "";
		why = why != NULL ? why : "";
		/* both cut on a character: the result must stay UTF-8 */
		snprintf(problem, sizeof(problem), "the arguments for %s are not "
		    "valid JSON: %.*s; they began: %.*s", def->name,
		    (int)utf8_prefix(why, 160), why, (int)utf8_prefix(raw, 80),
		    raw);
		invalid_call(e, run, call_id, def->name, problem);
		return;
	}
	if (approved && run->approved_args != NULL)
		args = run->approved_args;
	if (!approved) {
		if (schema_validate(def->schema, args, &serr) != 0) {
			char where[256];
			schema_error_format(&serr, where, sizeof(where));
			snprintf(problem, sizeof(problem), "invalid arguments for %s: %s",
			    def->name, where);
			invalid_call(e, run, call_id, def->name, problem);
			return;
		}
		/* a retry of the same call is not the agent repeating itself */
		if (run->attempt == 0 && loop_detected(e, run, def->name, args))
			return;
		/* a dry run skips the approval only of calls it will not make */
		if (def->risk >= TOOL_RISK_HIGH &&
		    !(run->dry_run && def->side_effects)) {
			char reason[128], decision[256];
			snprintf(reason, sizeof(reason), "tool %s has risk %s",
			    def->name, tool_risk_name(def->risk));
			snprintf(decision, sizeof(decision), "allow %s to run with "
			    "these arguments? approve, approve with edited "
			    "arguments, or reject with a reason", def->name);
			engine_escalate(e, run, def->name, call_id, args, def->risk,
			    reason, decision);
			return;
		}
	}
	worst.v[BUDGET_TOOL_CALLS] = 1;
	if (budget_would_exceed(&run->budget, &worst, &kind)) {
		exceeded(e, run, kind, &worst, "tool call");
		return;
	}
	if (def->risk == TOOL_RISK_MEDIUM && run->attempt == 0)
		engine_emit(e, IPC_EV_TOOL_NOTICE, run->id, json_pack("{s:s, s:s,"
		    " s:O}", "tool", def->name, "risk", "medium", "args", args));
	if (run->state == RUN_REFLECTING &&
	    engine_transition(e, run, RUN_EXECUTING, "calling %s", def->name) != 0)
		return;
	start_tool(e, run, def, args, call_id);
}

void
engine_cancel_inflight(struct engine *e, struct run *run, const char *status)
{
	if (run->llm != NULL) {
		struct llm_call *call = run->llm;
		call->provider->ops->cancel(call->provider, call);
		engine_stream_end(e, run);
		span_end(e, run, call->span, "llm", call->model, "cancelled",
		    call->started, json_pack("{s:s}", "reason", status));
		free(call);
		run->llm = NULL;
	}
	if (run->tool != NULL) {
		struct tool_call *tc = run->tool;
		loop_timer_cancel(e->loop, &tc->timer);
		span_end(e, run, tc->span, "tool", tc->def->name, "cancelled",
		    tc->started, NULL);
		json_decref(tc->args);
		tool_result_finish(&tc->result);
		free(tc);
		run->tool = NULL;
	}
	(void)status;
}

/* ---- escalations -------------------------------------------------------- */

static void
deadline_fire(struct timer *t, void *arg)
{
	struct escalation *esc = arg;
	struct engine *e = esc->engine;
	struct run *run;

	if (esc->state != ESC_PENDING)
		return;
	esc->state = ESC_TIMED_OUT;
	esc->decided_ms = now_ms();
	metrics_add(&e->metrics.escalation_wait_ms,
	    (double)(esc->decided_ms - esc->created_ms));
	esc->decided_by = UINT32_MAX;
	esc->decision_reason = xstrdup("no operator decision before the deadline");
	esc->dirty = true;
	engine_emit(e, IPC_EV_ESCALATION_DECIDED, esc->run, json_pack("{s:s, s:s,"
	    " s:n, s:s}", "escalation", esc->id, "outcome", "timed_out",
	    "by_uid", "reason", esc->decision_reason));
	run = engine_find_run(e, esc->run);
	if (run != NULL && run->state == RUN_AWAITING_HUMAN &&
	    strcmp(run->escalation, esc->id) == 0)
		engine_apply_decision(e, run, esc);
}

void
engine_arm_deadline(struct engine *e, struct escalation *esc)
{
	esc->engine = e;
	loop_timer_arm(e->loop, &esc->deadline_timer,
	    MAX(esc->deadline_ms - now_ms(), 0), deadline_fire, esc);
}

static char *
describe_context(const struct run *run)
{
	json_t *last = NULL, *m;
	size_t i;

	json_array_foreach(run->messages, i, m) {
		if (json_is_string(json_object_get(m, "content")) &&
		    strcmp(json_string_value(json_object_get(m, "role")),
		    "assistant") == 0)
			last = m;
	}
	if (last != NULL) {
		const char *s = json_string_value(json_object_get(last, "content"));
		return xasprintf("agent %s, step %d, on \"%.*s\"; it said: \"%.*s\"",
		    run->agent->name, run->step, (int)utf8_prefix(run->task, 120),
		    run->task, (int)utf8_prefix(s, 200), s);
	}
	return xasprintf("agent %s, step %d, on \"%.*s\"", run->agent->name,
	    run->step, (int)utf8_prefix(run->task, 120), run->task);
}

void
engine_escalate(struct engine *e, struct run *run, const char *tool,
    const char *call_id, const json_t *args, enum tool_risk risk,
    const char *reason, const char *decision)
{
	struct escalation *esc = escalation_create();

	make_id(esc->id, sizeof(esc->id), "e-");
	copy_str(esc->run, sizeof(esc->run), run->id);
	esc->tool = xstrdup(tool);
	esc->call_id = xstrdup(call_id);
	esc->args = json_deep_copy(args);
	esc->risk = risk;
	esc->reason = xstrdup(reason);
	esc->context = describe_context(run);
	esc->decision = xstrdup(decision);
	esc->created_ms = now_ms();
	esc->deadline_ms = esc->created_ms + run->agent->deadline_ms[risk];
	esc->state = ESC_PENDING;
	esc->dirty = true;
	engine_esc_add(e, esc);
	copy_str(run->escalation, sizeof(run->escalation), esc->id);
	engine_arm_deadline(e, esc);
	engine_emit(e, IPC_EV_ESCALATION_OPEN, run->id,
	    json_pack("{s:o}", "escalation", escalation_to_json(esc)));
	if (engine_transition(e, run, RUN_AWAITING_HUMAN, "%s", reason) == 0)
		engine_set_wait(e, run, RUN_WAIT_OPERATOR, esc->id);
}

void
engine_apply_decision(struct engine *e, struct run *run, struct escalation *esc)
{
	char text[400];

	run->escalation[0] = '\0';
	if (esc->state == ESC_APPROVED) {
		copy_str(run->approved, sizeof(run->approved), esc->id);
		json_decref(run->approved_args);
		run->approved_args = json_incref(esc->decided_args != NULL ?
		    esc->decided_args : esc->args);
		if (engine_transition(e, run, RUN_EXECUTING, "escalation %s approved"
		    " by uid %u%s", esc->id, esc->decided_by,
		    esc->decided_args ? " with edited arguments" : "") == 0)
			engine_schedule(e, run, 0);
		return;
	}
	if (esc->state == ESC_TIMED_OUT)
		snprintf(text, sizeof(text), "error: the call was not made: no "
		    "operator decided before the deadline (escalation %s)", esc->id);
	else
		snprintf(text, sizeof(text), "error: the call was not made: an "
		    "operator rejected it: %s", esc->decision_reason ?
		    esc->decision_reason : "no reason given");
	if (engine_transition(e, run, RUN_REFLECTING, "escalation %s %s", esc->id,
	    esc->state == ESC_TIMED_OUT ? "timed out" : "rejected") != 0)
		return;
	feed_back_error(e, run, esc->call_id, esc->tool, text, "rejected");
}

void
engine_close_escalation(struct engine *e, struct run *run, const char *why)
{
	struct escalation *esc;

	if (run->escalation[0] == '\0')
		return;
	esc = engine_find_escalation(e, run->escalation);
	run->escalation[0] = '\0';
	if (esc == NULL || esc->state != ESC_PENDING)
		return;
	esc->state = ESC_REJECTED;
	esc->decided_ms = now_ms();
	esc->decided_by = UINT32_MAX;
	esc->decision_reason = xasprintf("the run ended: %s", why);
	esc->dirty = true;
	loop_timer_cancel(e->loop, &esc->deadline_timer);
	engine_emit(e, IPC_EV_ESCALATION_DECIDED, esc->run, json_pack("{s:s, s:s,"
	    " s:n, s:s}", "escalation", esc->id, "outcome", "rejected",
	    "by_uid", "reason", esc->decision_reason));
}
