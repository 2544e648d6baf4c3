/*
 * Checkpoints: see checkpoint.h. The fields, all but "v", "step", "phase",
 * "messages" and "used" optional (checkpoints of older agentd lack the
 * later ones):
 *
 *   v               CHECKPOINT_VERSION
 *   step            model turns completed
 *   phase           run_phase_name()
 *   tool_index      next tool call of the last turn
 *   tool_started    that call was started (its outcome unknown after a crash)
 *   tool_span       its span while tool_started
 *   paused_from     the state a pause resumes into
 *   pause_requested a pause waits for the call in flight
 *   escalation      the pending escalation's id
 *   approved, approved_args   an approved escalation of tool_index
 *   loop_key, loop_repeats, invalid_args, attempt, truncations   guards
 *   messages        how many messages of the conversation are saved
 *   used, warned    the budget used and the warnings given
 *   wait, wait_since_ms       what the run waited on, since when
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "budget.h"
#include "checkpoint.h"
#include "jsonin.h"
#include "util.h"

json_t *
checkpoint_save(const struct run *run)
{
	json_t *warned = json_array();

	for (int k = 0; k < BUDGET__COUNT; k++)
		json_array_append_new(warned, json_integer(run->budget.warned[k]));
	return json_pack("{s:i, s:i, s:s, s:I, s:b, s:s, s:s, s:s, s:i, s:i,"
	    " s:I, s:o, s:o, s:i, s:b, s:s, s:O?, s:s, s:s, s:I, s:i}",
	    "v", CHECKPOINT_VERSION, "step", run->step,
	    "phase", run_phase_name(run->phase),
	    "tool_index", (json_int_t)run->tool_index,
	    "tool_started", run->tool_started,
	    "paused_from", run_state_name(run->paused_from),
	    "escalation", run->escalation, "loop_key", run->loop_key,
	    "loop_repeats", run->loop_repeats, "invalid_args", run->invalid_args,
	    "messages", (json_int_t)json_array_size(run->messages),
	    "used", budget_amounts_to_json(&run->budget.used), "warned", warned,
	    "attempt", run->attempt, "pause_requested", run->pause_requested,
	    "approved", run->approved, "approved_args", run->approved_args,
	    "tool_span", run->tool_span, "wait", run_wait_name(run->wait),
	    "wait_since_ms", (json_int_t)run->wait_since_ms,
	    "truncations", run->truncations);
}

/* A string field that must fit @size bytes (an id, a key). */
static int
fits(const char *s, size_t size, const char *field, char *err, size_t errlen)
{
	if (s == NULL || strlen(s) < size)
		return 0;
	snprintf(err, errlen, "field \"%s\" is longer than %zu bytes", field,
	    size - 1);
	return -EINVAL;
}

/* A count that must be 0..@max. */
static int
in_range(json_int_t v, json_int_t max, const char *field, char *err,
    size_t errlen)
{
	if (v >= 0 && v <= max)
		return 0;
	snprintf(err, errlen, "field \"%s\" is %lld, not 0..%lld", field,
	    (long long)v, (long long)max);
	return -EINVAL;
}

int
checkpoint_load(const json_t *cp, struct run *run,
    struct checkpoint_extra *extra, char *err, size_t errlen)
{
	const char *phase = NULL, *paused_from = NULL, *esc = "", *loop_key = "";
	const char *approved = "", *tool_span = "", *wait = NULL;
	json_t *used = NULL, *warned = NULL, *approved_args = NULL;
	json_int_t v = 0, step = 0, tool_index = 0, loop_repeats = 0;
	json_int_t invalid_args = 0, attempt = 0, truncations = 0;
	json_int_t messages = 0, wait_since = 0;
	int tool_started = 0, pause_requested = 0;
	struct budget_amounts used_amounts = run->budget.used;
	unsigned warned_marks[BUDGET__COUNT] = { 0 };
	enum run_phase ph;
	enum run_state from = run->paused_from;
	char msg[300];
	size_t k;

	if (jsonin_unpack((json_t *)cp, "", msg, sizeof(msg),
	    "{s:I, s:I, s:s, s?I, s?b, s?s, s?s, s?s, s?I, s?I, s:I, s:o, s?o,"
	    " s?I, s?b, s?s, s?o, s?s, s?s, s?I, s?I}",
	    "v", &v, "step", &step, "phase", &phase, "tool_index", &tool_index,
	    "tool_started", &tool_started, "paused_from", &paused_from,
	    "escalation", &esc, "loop_key", &loop_key,
	    "loop_repeats", &loop_repeats, "invalid_args", &invalid_args,
	    "messages", &messages, "used", &used, "warned", &warned,
	    "attempt", &attempt, "pause_requested", &pause_requested,
	    "approved", &approved, "approved_args", &approved_args,
	    "tool_span", &tool_span, "wait", &wait,
	    "wait_since_ms", &wait_since, "truncations", &truncations) != 0) {
		snprintf(err, errlen, "%s", msg);
		return -EINVAL;
	}
	if (v != CHECKPOINT_VERSION) {
		snprintf(err, errlen, "version %lld, not %d (written by another "
		    "agentd)", (long long)v, CHECKPOINT_VERSION);
		return -EINVAL;
	}
	if (run_phase_from_name(phase, &ph) != 0) {
		snprintf(err, errlen, "field \"phase\": unknown phase \"%.32s\"",
		    phase);
		return -EINVAL;
	}
	if (paused_from != NULL && run_state_from_name(paused_from, &from) != 0) {
		snprintf(err, errlen, "field \"paused_from\": unknown state "
		    "\"%.32s\"", paused_from);
		return -EINVAL;
	}
	if (in_range(step, INT32_MAX, "step", err, errlen) != 0 ||
	    in_range(tool_index, INT32_MAX, "tool_index", err, errlen) != 0 ||
	    in_range(loop_repeats, INT32_MAX, "loop_repeats", err, errlen) != 0 ||
	    in_range(invalid_args, INT32_MAX, "invalid_args", err, errlen) != 0 ||
	    in_range(attempt, INT32_MAX, "attempt", err, errlen) != 0 ||
	    in_range(truncations, INT32_MAX, "truncations", err, errlen) != 0 ||
	    in_range(messages, INT32_MAX, "messages", err, errlen) != 0 ||
	    in_range(wait_since, INT64_MAX, "wait_since_ms", err, errlen) != 0 ||
	    fits(esc, sizeof(run->escalation), "escalation", err, errlen) != 0 ||
	    fits(loop_key, sizeof(run->loop_key), "loop_key", err, errlen) != 0 ||
	    fits(approved, sizeof(run->approved), "approved", err, errlen) != 0 ||
	    fits(tool_span, sizeof(run->tool_span), "tool_span", err,
	    errlen) != 0)
		return -EINVAL;
	if (budget_amounts_from_json(used, &used_amounts, msg, sizeof(msg)) != 0) {
		snprintf(err, errlen, "field \"used\": %s", msg);
		return -EINVAL;
	}
	if (warned != NULL && (!json_is_array(warned) ||
	    json_array_size(warned) > BUDGET__COUNT)) {
		snprintf(err, errlen, "field \"warned\" must be an array of at "
		    "most %d integers", BUDGET__COUNT);
		return -EINVAL;
	}
	for (k = 0; k < json_array_size(warned); k++) {
		json_t *w = json_array_get(warned, k);
		if (!json_is_integer(w) || json_integer_value(w) < 0 ||
		    (json_integer_value(w) & ~(BUDGET_WARN_50 | BUDGET_WARN_80))) {
			snprintf(err, errlen, "field \"warned\"[%zu] must be an "
			    "integer 0..3", k);
			return -EINVAL;
		}
		warned_marks[k] = (unsigned)json_integer_value(w);
	}

	/* all of it is good: only now does the run change */
	run->step = (int)step;
	run->phase = ph;
	run->tool_index = (size_t)tool_index;
	run->tool_started = tool_started != 0;
	copy_str(run->tool_span, sizeof(run->tool_span), tool_span);
	run->paused_from = from;
	run->pause_requested = pause_requested != 0;
	copy_str(run->escalation, sizeof(run->escalation), esc);
	copy_str(run->approved, sizeof(run->approved), approved);
	json_decref(run->approved_args);
	run->approved_args = json_is_null(approved_args) ? NULL :
	    json_incref(approved_args);
	copy_str(run->loop_key, sizeof(run->loop_key), loop_key);
	run->loop_repeats = (int)loop_repeats;
	run->invalid_args = (int)invalid_args;
	run->attempt = (int)attempt;
	run->truncations = (int)truncations;
	run->budget.used = used_amounts;
	memcpy(run->budget.warned, warned_marks, sizeof(warned_marks));
	*extra = (struct checkpoint_extra){ .messages = (size_t)messages };
	if (wait != NULL && strcmp(wait, run_wait_name(RUN_WAIT_PAUSE)) == 0)
		extra->paused_since_ms = wait_since;
	return 0;
}
