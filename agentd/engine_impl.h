/* What the engine's own files (engine.c, exec.c, ops.c, views.c,
 * lifecycle.c) and its request handlers (ctl.c) share. Not for patterns. */
#ifndef AGENTD_ENGINE_IMPL_H
#define AGENTD_ENGINE_IMPL_H

#include "engine.h"

void engine_table_add(struct engine *e, struct run *run);
void engine_table_remove(struct engine *e, struct run *run);
void engine_foreach_run(struct engine *e,
    void (*fn)(struct engine *, struct run *, void *), void *arg);
void engine_esc_add(struct engine *e, struct escalation *esc);
void engine_before_sleep(void *arg);
/* retention.c: trims at once, then every 10 minutes. */
void engine_retention_start(struct engine *e);
/* Whether anything waits to be committed. */
bool engine_batch_pending(const struct engine *e);
/* Takes back the events after @seq from the batch (not yet committed):
 * an action whose commit failed leaves no trace. */
void engine_drop_events_after(struct engine *e, int64_t seq);

/* Charges usage; emits warnings; fails the run past a limit (-EDQUOT). */
int engine_charge(struct engine *e, struct run *run,
    const struct budget_amounts *delta);
/* Starts / stops the run's wall clock (budget wall_ms). */
void engine_wall_start(struct engine *e, struct run *run);
void engine_wall_stop(struct engine *e, struct run *run);
/* The tool call at run->tool_index of the last model turn, or NULL. */
const struct json_t *engine_current_tool_call(const struct run *run);
void engine_set_wait(struct engine *e, struct run *run, enum run_wait wait,
    const char *detail);
/* The same, waiting since @since_ms (wall clock) rather than now. */
void engine_set_wait_since(struct engine *e, struct run *run,
    enum run_wait wait, const char *detail, int64_t since_ms);

/* exec.c */
/* Aborts the model or tool call in flight (span ends with @status). */
void engine_cancel_inflight(struct engine *e, struct run *run,
    const char *status);
/* A pending escalation of a finished run is closed as rejected. */
void engine_close_escalation(struct engine *e, struct run *run,
    const char *why);
/* Applies a decided escalation to its waiting run. */
void engine_apply_decision(struct engine *e, struct run *run,
    struct escalation *esc);
/* Re-arms the deadline of a pending escalation (after a restart). */
void engine_arm_deadline(struct engine *e, struct escalation *esc);
/* Opens an escalation for the current tool call of @run. */
void engine_escalate(struct engine *e, struct run *run, const char *tool,
    const char *call_id, const struct json_t *args, enum tool_risk risk,
    const char *reason, const char *decision);
/* 0 if a provider can serve @model ("provider:name"). */
int engine_check_model(struct engine *e, const char *model, char *err,
    size_t errlen);
/* ops.c: holds @run now (no call may be in flight). */
void engine_enter_pause(struct engine *e, struct run *run, const char *reason);
/* The step timer's callback: does the run's next thing. */
void engine_advance(struct timer *t, void *arg);

/* llm.c: the model providers. */
int engine_providers_init(struct engine *e, const struct engine_config *cfg,
    char *err, size_t errlen);
void engine_providers_finish(struct engine *e);
/* The provider of "provider:model" (@name: the model part), or NULL. */
struct provider *engine_provider_for(struct engine *e, const char *model,
    const char **name);
/* "sim, openai, anthropic…" into @out. */
void engine_provider_names(struct engine *e, char *out, size_t outlen);
/* Health of every provider: a new array. */
struct json_t *engine_providers_health(struct engine *e);
/* Streamed text of the run's call in flight (answer text, or reasoning
 * when @reasoning), published live. */
void engine_stream_add(struct engine *e, struct run *run, const char *text,
    size_t len, bool reasoning);
/* The attempt in flight ended (answer, failure, retry or cancel): what was
 * not published yet is, then forgotten. Call it while run->llm is set and
 * before the events that say how the attempt ended. */
void engine_stream_end(struct engine *e, struct run *run);
/* Publishes an event that is never stored (after everything committed so
 * far; its seq is the last committed one). Takes @body. */
void engine_publish_ephemeral(struct engine *e, enum ipc_event_type type,
    const char *run, struct json_t *body);
/* The same at once, without committing first: for what happened before
 * the events not yet committed (its seq is the last published one). */
void engine_publish_ephemeral_now(struct engine *e, enum ipc_event_type type,
    const char *run, struct json_t *body);

/* ctl.c: "admin" or "viewer". */
const char *ctl_role(const struct engine *e, uint32_t uid);

/* views.c */
struct json_t *engine_live_runs(struct engine *e);
struct json_t *engine_pending_escalations(struct engine *e);

#include "config.h"
#define AGENTD_VERSION_STRING AGENTD_VERSION

const char *reason_or(const char *reason);

#endif
