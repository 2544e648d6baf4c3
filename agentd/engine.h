/*
 * The engine: owns every run, the store, the sockets and the loop. Runs
 * only on the loop's thread. Control handlers (ctl.c) and patterns
 * (patterns/) act through the functions here.
 */
#ifndef AGENTD_ENGINE_H
#define AGENTD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "escalation.h"
#include "ipc.h"
#include "loop.h"
#include "metrics.h"
#include "providers/endpoints.h"
#include "run.h"

struct json_t;
struct store;
struct provider;
struct pricing;
struct llm_reply;
struct ctl_cache;
struct http_client;

struct engine_config {
	const char *data_dir;		/* holds agentd.db */
	const char *agents_dir;		/* agent specs; scenarios/ below it */
	const char *socket_dir;		/* NULL: no sockets (in-process use) */
	const char *pricing_path;	/* NULL: <agents_dir>/pricing.json if present */
	const char *files_dir;		/* jail of file_read; NULL: <data_dir>/files */
	const char *config_path;	/* endpoints (docs/providers.md); NULL: none */
	bool config_optional;		/* a missing config_path is not an error */
	char *const *envp;		/* environment for endpoints; NULL: none */
	bool wipe_env_keys;		/* envp is environ: wipe the keys read from it */
	const struct engine_retention *retention;	/* NULL: the defaults */
};

/* What is kept (agentd(8)): 0 days or rows is no limit (replies_hours is
 * at least 1). */
struct engine_retention {
	int64_t audit_days;		/* audit rows older are deleted (90) */
	int64_t audit_rows;		/* only the newest this many (1,000,000) */
	int64_t events_days;		/* events of ended runs (0: forever) */
	int64_t replies_hours;		/* replies kept for resent requests (24):
					 * a client resends within seconds */
};

#define ENGINE_RETENTION_DEFAULT { .audit_days = 90, .audit_rows = 1000000, \
	.events_days = 0, .replies_hours = 24 }

struct engine_stats {
	int64_t events_committed;	/* since start */
	int64_t commits;
	int64_t commit_failures;
	int64_t runs_submitted;
	int64_t runs_finished;
	int64_t requests;
};

/*
 * One operator action, one transaction: ctl.c opens an action before its
 * handler runs, queues the audit row and the reply, and ends it. What the
 * action queued commits in one transaction; if that commit fails, an
 * action that registered an undo is taken back entirely (in memory and in
 * the batch), one that did not stays queued with its audit row and reply.
 */
struct engine_action {
	bool open;
	int64_t seq;			/* last seq assigned before the action */
	size_t n_audit, n_replies;	/* pending rows before the action */
	/* Takes back what the action did in memory (its events, audit row
	 * and reply are dropped from the batch by the engine). */
	void (*undo)(struct engine *e, void *arg);
	/* Runs once the action is committed (what must follow the commit). */
	void (*committed)(struct engine *e, void *arg);
	void *arg;
};

struct engine {
	struct loop *loop;
	struct store *store;
	struct ipc_server *srv;		/* NULL without sockets */
	struct agent_set agents;
	struct provider *sim;
	struct endpoints endpoints;	/* remote providers' configuration */
	struct provider *remote[ENDPOINTS_MAX];	/* one per endpoint */
	int64_t cache_trimmed_at;	/* wall ms: expired cache entries went */
	struct http_client *http;	/* every HTTP call of the engine */
	struct run *streaming;		/* runs with streamed text to publish */
	struct timer stream_timer;	/* publishes it, at most 10 times/s */
	struct pricing *pricing;
	struct json_t *load_errors;	/* rejected agent/scenario files */
	char *files_dir;

	struct run **buckets;		/* runs by id (live and not yet dropped) */
	size_t n_buckets, n_runs, n_live;
	struct escalation **escs;	/* escalations in memory (pending or unsaved) */
	size_t n_escs, cap_escs;

	int64_t seq;			/* last seq assigned */
	int64_t committed_seq;		/* last seq durably stored */
	struct json_t *pending_events;	/* assigned, not yet committed */
	struct json_t *pending_audit;	/* audit rows not yet committed */
	struct json_t *pending_replies;	/* replies of mutating requests, same */
	struct run *dirty;		/* runs to write at the next flush */
	struct engine_action action;	/* the operator action in progress */
	size_t page_bytes;		/* of a list reply (CAP_PAGE_BYTES; tests set less) */
	/* test hook (AGENTD_FAULT_KILL_AT_COMMIT=OP:N): SIGKILL right after
	 * the Nth commit counted from the first OP action, before anything
	 * is published or answered; the window between two commits */
	struct {
		char op[32];		/* "" : off */
		int64_t at, count;
		bool counting;
	} fault;

	bool killswitch;		/* new runs refused */
	bool killswitch_dirty;		/* to be written to the store */
	bool storage_ok;		/* last flush succeeded */
	int64_t last_flush;		/* mono ms of the last commit */
	struct timer flush_timer;	/* wakes the loop for a delayed flush */
	int64_t storage_retry_at;	/* mono ms */
	int64_t started_ms;
	uint32_t uid;			/* our own uid (admin) */
	int signal_fd;
	int lock_fd;			/* holds the data directory's lock */
	struct ctl_cache *ctl_cache;	/* replies of mutating requests */
	struct engine_retention retention;
	struct timer retention_timer;	/* trims what is past retention */
	int64_t retention_from;		/* events trimmed up to this seq (0: start) */
	struct engine_stats stats;
	struct metrics metrics;		/* what operators alert on */
};

/* Progress is committed at most this often (ms); see engine_before_sleep. */
#define ENGINE_FLUSH_MS 10

int engine_create(const struct engine_config *cfg, struct engine **out);
void engine_destroy(struct engine *e);
/* Resumes live runs found in the store (after a restart). */
int engine_recover(struct engine *e);
/* Runs until SIGTERM/SIGINT or engine_stop(). */
int engine_run(struct engine *e);
void engine_stop(struct engine *e);
/* Stops live runs in an orderly way for a shutdown: checkpointed, resumed
 * at the next start. -EIO if the last batch could not be committed (what
 * was queued is lost; the runs resume from their last committed
 * checkpoints; the log says so). */
int engine_shutdown(struct engine *e);

/* Commits everything batched so far, then publishes the committed events.
 * Returns 0 or -EIO/-ENOSPC (everything stays queued for a retry). */
int engine_flush(struct engine *e);

/* Opens an action (after committing what was queued before it, so that
 * the action's commit holds only the action). */
void engine_action_begin(struct engine *e, const char *op);
/* Registers how to take the action back and what follows its commit
 * (either may be NULL): one of them runs, with @arg, when the action
 * ends; an action with a committed hook needs an undo. */
void engine_action_hooks(struct engine *e, void (*undo)(struct engine *, void *),
    void (*committed)(struct engine *, void *), void *arg);
/* Commits the action. 0: committed (the committed hook has run);
 * -EAGAIN: not committed, still queued (no undo: it commits with the next
 * successful flush); -EIO: not committed and taken back. */
int engine_action_end(struct engine *e);

/* Appends an event to the batch; steals @body (object or NULL). Returns
 * its seq. */
int64_t engine_emit(struct engine *e, enum ipc_event_type type,
    const char *run, struct json_t *body);
void engine_audit(struct engine *e, uint32_t uid, const char *op,
    const char *target, const char *detail, const char *result);
/* Queues the reply of a mutating request to be stored with its effects. */
void engine_remember_reply(struct engine *e, uint32_t uid, int64_t id,
    const char *type, const char *reply);

/* Lookups; borrowed. */
struct run *engine_find_run(struct engine *e, const char *id);
struct escalation *engine_find_escalation(struct engine *e, const char *id);

/* Operator actions. On failure they return a negative IPC_E_* code and
 * write a one-line message into @err. */
int engine_submit(struct engine *e, const char *agent, const char *task,
    const char *model, bool dry_run, struct json_t *budget_override,
    uint32_t uid, struct run **out, char *err, size_t errlen);
int engine_pause(struct engine *e, struct run *run, uint32_t uid, char *err,
    size_t errlen);
int engine_resume(struct engine *e, struct run *run, uint32_t uid, char *err,
    size_t errlen);
int engine_kill(struct engine *e, struct run *run, uint32_t uid,
    const char *reason, char *err, size_t errlen);
int engine_killswitch(struct engine *e, bool engage, uint32_t uid,
    const char *reason, int *killed, char *err, size_t errlen);
/* On success *out is the decided escalation (new reference). */
/* Rates a finished run good or bad, with an optional note. */
int engine_rate(struct engine *e, const char *run, bool good, const char *note,
    uint32_t uid, struct json_t **out, char *err, size_t errlen);
int engine_decide(struct engine *e, const char *esc_id, bool approve,
    const struct json_t *args, const char *reason, uint32_t uid,
    struct json_t **out, char *err, size_t errlen);

/* Services for patterns. */
void engine_schedule(struct engine *e, struct run *run, int64_t delay_ms);
void engine_call_model(struct engine *e, struct run *run);
void engine_call_tool(struct engine *e, struct run *run,
    const struct json_t *call);
/* Moves @run to @to; refused (and logged) if the table forbids it. */
int engine_transition(struct engine *e, struct run *run, enum run_state to,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void engine_finish(struct engine *e, struct run *run, enum run_state to,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void engine_add_message(struct engine *e, struct run *run,
    struct json_t *msg);
void engine_mark_dirty(struct engine *e, struct run *run);

/* The assistant message of a model turn for the conversation (reply.c): a
 * new reference that takes reply->tool_calls and reply->send_back. A
 * reasoning model's thinking goes in as "reasoning" (its first
 * REPLY_REASONING_KEEP bytes), "reasoning_bytes", "reasoning_truncated",
 * "reasoning_redacted" (Anthropic blocks without text) and "send_back"
 * (what the wire format repeats in later requests). */
struct json_t *reply_message(struct llm_reply *reply);
#define REPLY_REASONING_KEEP	(16 * 1024)

/* What a pattern does with a reply after truncation_handle() (truncation.c),
 * which it calls first with every reply. */
enum truncation_outcome {
	TRUNCATION_NONE,	/* not cut by max_tokens: the pattern's reply */
	TRUNCATION_CONTINUE,	/* cut: the turn and what asks the model to go
				 * on are in the conversation, the run is
				 * reflecting: ask the model again */
	TRUNCATION_STOP,	/* cut: the run ended after the agent's policy
				 * (or its transition was refused): nothing */
};
enum truncation_outcome truncation_handle(struct engine *e, struct run *run,
    struct llm_reply *reply);
/* The run's answer (owned): the last assistant turn's text joined to the
 * parts of it that were cut by max_tokens and continued before it. */
char *truncation_answer_join(const struct run *run);

/* Protocol views; new references. */
struct json_t *engine_run_summary(struct engine *e, const struct run *run);
struct json_t *engine_run_detail(struct engine *e, const char *id);
struct json_t *engine_snapshot(struct engine *e);
struct json_t *engine_health(struct engine *e);

/* The pattern interface: what makes a run ReAct, plan-execute… */
struct pattern_ops {
	const char *name;
	/* Do the next thing for run->phase. */
	void (*advance)(struct engine *e, struct run *run);
	/* A model turn arrived (usage already charged). Takes what it keeps. */
	void (*on_reply)(struct engine *e, struct run *run,
	    struct llm_reply *reply);
	/* The current tool call finished; its message is in the conversation. */
	void (*on_tool_done)(struct engine *e, struct run *run);
};

extern const struct pattern_ops pattern_react;

#endif
