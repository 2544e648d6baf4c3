#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "run.h"
#include "util.h"

static const char *const state_names[RUN_STATE__COUNT] = {
	[RUN_QUEUED] = "queued",
	[RUN_PLANNING] = "planning",
	[RUN_EXECUTING] = "executing",
	[RUN_REFLECTING] = "reflecting",
	[RUN_AWAITING_HUMAN] = "awaiting_human",
	[RUN_PAUSED] = "paused",
	[RUN_DONE] = "done",
	[RUN_FAILED] = "failed",
	[RUN_KILLED] = "killed",
};

#define L(s) (1u << (s))
#define TERMINAL (L(RUN_DONE) | L(RUN_FAILED) | L(RUN_KILLED))
#define ANY_END (L(RUN_PAUSED) | L(RUN_KILLED) | L(RUN_FAILED))

/*
 * The transition table: allowed[from] is the set of states a run may move
 * to. Any live state may be paused, killed or failed; "done" is reached
 * only from work states; a paused run returns to the state it left.
 */
static const unsigned allowed[RUN_STATE__COUNT] = {
	[RUN_QUEUED] = L(RUN_PLANNING) | L(RUN_EXECUTING) | ANY_END,
	[RUN_PLANNING] = L(RUN_EXECUTING) | L(RUN_AWAITING_HUMAN) | L(RUN_DONE) |
	    ANY_END,
	[RUN_EXECUTING] = L(RUN_REFLECTING) | L(RUN_AWAITING_HUMAN) |
	    L(RUN_PLANNING) | L(RUN_DONE) | ANY_END,
	[RUN_REFLECTING] = L(RUN_EXECUTING) | L(RUN_AWAITING_HUMAN) |
	    L(RUN_DONE) | ANY_END,
	[RUN_AWAITING_HUMAN] = L(RUN_EXECUTING) | L(RUN_REFLECTING) |
	    L(RUN_PLANNING) | ANY_END,
	[RUN_PAUSED] = L(RUN_QUEUED) | L(RUN_PLANNING) | L(RUN_EXECUTING) |
	    L(RUN_REFLECTING) | L(RUN_AWAITING_HUMAN) | L(RUN_KILLED) |
	    L(RUN_FAILED),
	[RUN_DONE] = 0,
	[RUN_FAILED] = 0,
	[RUN_KILLED] = 0,
};

static const char *const wait_names[RUN_WAIT__COUNT] = {
	[RUN_WAIT_NONE] = "none",
	[RUN_WAIT_QUEUE] = "queue",
	[RUN_WAIT_MODEL] = "model",
	[RUN_WAIT_TOOL] = "tool",
	[RUN_WAIT_OPERATOR] = "operator",
	[RUN_WAIT_PAUSE] = "pause",
	[RUN_WAIT_BACKOFF] = "backoff",
	[RUN_WAIT_RATE_LIMIT] = "rate_limit",
	[RUN_WAIT_BREAKER] = "breaker",
	[RUN_WAIT_STALLED] = "stalled",
};

static const char *const phase_names[] = {
	[RUN_PHASE_MODEL] = "model",
	[RUN_PHASE_TOOLS] = "tools",
	[RUN_PHASE_END] = "end",
};

const char *
run_state_name(enum run_state state)
{
	return (unsigned)state < RUN_STATE__COUNT ? state_names[state] : "unknown";
}

int
run_state_from_name(const char *name, enum run_state *out)
{
	for (int s = 0; s < RUN_STATE__COUNT && name != NULL; s++) {
		if (strcmp(state_names[s], name) == 0) {
			*out = (enum run_state)s;
			return 0;
		}
	}
	return -EINVAL;
}

bool
run_state_live(enum run_state state)
{
	return (unsigned)state < RUN_STATE__COUNT && !(TERMINAL & L(state));
}

bool
run_transition_allowed(enum run_state from, enum run_state to)
{
	if ((unsigned)from >= RUN_STATE__COUNT || (unsigned)to >= RUN_STATE__COUNT)
		return false;
	return (allowed[from] & L(to)) != 0;
}

const char *
run_wait_name(enum run_wait wait)
{
	return (unsigned)wait < RUN_WAIT__COUNT ? wait_names[wait] : "unknown";
}

const char *
run_phase_name(enum run_phase phase)
{
	return (unsigned)phase < ARRAY_LEN(phase_names) ? phase_names[phase] :
	    "unknown";
}

int
run_phase_from_name(const char *name, enum run_phase *out)
{
	for (size_t p = 0; p < ARRAY_LEN(phase_names) && name != NULL; p++) {
		if (strcmp(phase_names[p], name) == 0) {
			*out = (enum run_phase)p;
			return 0;
		}
	}
	return -EINVAL;
}

struct run *
run_create(void)
{
	struct run *run = xcalloc(1, sizeof(*run));

	run->messages = json_array();
	return run;
}

void
run_destroy(struct run *run)
{
	if (run == NULL)
		return;
	agent_unref(run->agent);
	json_decref(run->messages);
	json_decref(run->approved_args);
	free(run->task);
	free(run->reason);
	free(run->output);
	free(run->streamed);
	free(run);
}
