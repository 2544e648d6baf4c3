/*
 * A run: one execution of an agent on a task, as an explicit state machine.
 * The transition table is data (run.c); run_transition() refuses and logs
 * anything not in it, and every accepted transition is an event with a
 * reason.
 */
#ifndef AGENTD_RUN_H
#define AGENTD_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "loop.h"

struct json_t;
struct engine;
struct agent;
struct llm_call;
struct tool_call;

enum run_state {
	RUN_QUEUED,
	RUN_PLANNING,
	RUN_EXECUTING,
	RUN_REFLECTING,
	RUN_AWAITING_HUMAN,
	RUN_PAUSED,
	RUN_DONE,
	RUN_FAILED,
	RUN_KILLED,
	RUN_STATE__COUNT
};

/* What a live run is waiting on, shown to operators with the time since. */
enum run_wait {
	RUN_WAIT_NONE,
	RUN_WAIT_QUEUE,		/* queued, not started yet */
	RUN_WAIT_MODEL,		/* an LLM call is in flight */
	RUN_WAIT_TOOL,		/* a tool call is in flight */
	RUN_WAIT_OPERATOR,	/* an escalation is pending */
	RUN_WAIT_PAUSE,		/* paused by an operator */
	RUN_WAIT_BACKOFF,	/* waiting to retry */
	RUN_WAIT_RATE_LIMIT,	/* a model call queued for the endpoint's rate limit */
	RUN_WAIT_BREAKER,	/* a model call held by its endpoint's circuit breaker */
	RUN_WAIT_STALLED,	/* a model call's stream has sent nothing for a while */
	RUN_WAIT__COUNT
};

/* Where a run resumes: the next thing its pattern has to do. */
enum run_phase {
	RUN_PHASE_MODEL,	/* ask the model for the next turn */
	RUN_PHASE_TOOLS,	/* run the tool calls of the last model turn */
	RUN_PHASE_END,		/* nothing left (terminal) */
};

struct run {
	char id[24];			/* "r-" + 10 base32 chars */
	struct engine *engine;		/* owner (borrowed) */
	struct agent *agent;		/* reference held (agent_unref) */
	char *task;			/* the operator's task text */
	char model[96];			/* provider:name actually used */
	char route_model[96];		/* cheap model of routing steps, or "" */
	bool dry_run;			/* side-effecting tools are not run */
	char parent[24];		/* parent run id or "" */

	enum run_state state;
	enum run_state paused_from;	/* state to resume into when paused */
	char *reason;			/* reason of the last transition */
	int64_t created_ms;		/* wall clock */
	int64_t updated_ms;
	int64_t ended_ms;		/* 0 while live */

	enum run_wait wait;
	int64_t wait_since_ms;		/* wall clock */
	char wait_detail[64];		/* e.g. model name, tool name, esc id */

	struct budget budget;
	int64_t active_since;		/* mono ms the wall clock runs since, 0 if stopped */

	struct json_t *messages;	/* array; the conversation so far */
	size_t messages_saved;		/* how many are in the store */
	enum run_phase phase;
	size_t tool_index;		/* next tool call of the last turn */
	bool tool_started;		/* tool_index was started (unknown outcome on crash) */
	char tool_span[24];		/* its span id while tool_started, else "" */
	int step;			/* model turns completed */
	int attempt;			/* retries of the current call */
	char loop_key[80];		/* hash of the last tool call (name + args) */
	int loop_repeats;		/* consecutive repeats of loop_key */
	int invalid_args;		/* tool calls refused by schema validation */
	int truncations;		/* model turns in a row cut by max_tokens */
	char escalation[24];		/* pending escalation id or "" */
	char *output;			/* final answer when done */
	bool pause_requested;		/* pause when the call in flight returns */

	struct llm_call *llm;		/* in flight or NULL */
	char *streamed;			/* text streamed and not yet published */
	size_t streamed_len;
	bool streamed_reasoning;	/* that text is reasoning, not answer */
	size_t streamed_total;		/* answer bytes streamed by the attempt
					 * in flight */
	size_t streamed_reasoning_total;	/* reasoning bytes, same */
	bool in_streaming;		/* on the engine's streaming list */
	struct run *prev_streaming, *next_streaming;
	struct tool_call *tool;		/* in flight or NULL */
	struct timer step_timer;	/* next step / backoff */
	struct timer wall_timer;	/* next wall-time budget mark */

	bool dirty;			/* checkpoint/run row to be written */
	bool finished_flushed;		/* terminal and stored: may be dropped */
	struct run *next_dirty;		/* engine's dirty list */
	bool in_dirty;
	struct run *hash_next;		/* engine's table by id */
	char approved[24];		/* escalation approved for tool_index */
	struct json_t *approved_args;	/* arguments to use for it (owned) */
};

const char *run_state_name(enum run_state state);
int run_state_from_name(const char *name, enum run_state *out);
bool run_state_live(enum run_state state);
bool run_transition_allowed(enum run_state from, enum run_state to);
const char *run_wait_name(enum run_wait wait);
const char *run_phase_name(enum run_phase phase);
int run_phase_from_name(const char *name, enum run_phase *out);

struct run *run_create(void);
void run_destroy(struct run *run);

#endif
