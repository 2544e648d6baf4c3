/*
 * Operator actions: submit, pause, resume, kill, the kill switch and
 * escalation decisions. Each returns a negative IPC_E_* code with a
 * one-line message on failure; ctl.c audits and answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine_impl.h"
#include "log.h"
#include "store.h"
#include "tools/schema.h"
#include "util.h"

#define TASK_MAX	(64 * 1024)

/* The load error of the agent file that would have defined @name
 * (NAME.json, or a spec named @name refused for its model), or NULL.
 * Scenario files are not looked at: they share the agents' names. */
static const char *
rejected_spec(const struct engine *e, const char *name)
{
	const json_t *item;
	size_t i, n = strlen(name);

	json_array_foreach(e->agents.errors, i, item) {
		const char *file = json_string_value(json_object_get(item, "file"));
		const char *agent = json_string_value(json_object_get(item, "agent"));
		const char *base;

		if (agent != NULL && strcmp(agent, name) == 0)
			return json_string_value(json_object_get(item, "error"));
		if (file == NULL)
			continue;
		base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		if (strncmp(base, name, n) == 0 && strcmp(base + n, ".json") == 0)
			return json_string_value(json_object_get(item, "error"));
	}
	return NULL;
}

/* The submit's commit failed: the run never existed. */
static void
submit_undo(struct engine *e, void *arg)
{
	struct run *run = arg, **p;

	for (p = &e->dirty; *p != NULL; p = &(*p)->next_dirty) {
		if (*p == run) {
			*p = run->next_dirty;
			break;
		}
	}
	engine_table_remove(e, run);
	run_destroy(run);
}

static void
submit_committed(struct engine *e, void *arg)
{
	e->stats.runs_submitted++;
	engine_schedule(e, arg, 0);
}

int
engine_submit(struct engine *e, const char *agent_name, const char *task,
    const char *model, bool dry_run, json_t *budget_override, uint32_t uid,
    struct run **out, char *err, size_t errlen)
{
	struct agent *agent;
	struct run *run;
	char berr[200];

	if (e->killswitch) {
		snprintf(err, errlen, "the global kill switch is engaged: new runs "
		    "are refused until an operator releases it");
		return -IPC_E_KILLSWITCH;
	}
	/* with nothing queued, the run's own commit is the test */
	if (!e->storage_ok && engine_batch_pending(e)) {
		snprintf(err, errlen, "the database is not writable: new runs are "
		    "refused until it is");
		return -IPC_E_STORAGE;
	}
	if ((agent = agent_set_find(&e->agents, agent_name)) == NULL) {
		const char *why = rejected_spec(e, agent_name);
		if (why != NULL)
			snprintf(err, errlen, "agent \"%.64s\" was rejected at "
			    "start: %s", agent_name, why);
		else
			snprintf(err, errlen, "unknown agent \"%.64s\" (agentctl "
			    "agents lists them)", agent_name);
		return -IPC_E_NOT_FOUND;
	}
	if (task[0] == '\0' || strlen(task) > TASK_MAX) {
		snprintf(err, errlen, "task must be 1..%d bytes", TASK_MAX);
		return -IPC_E_BAD_REQUEST;
	}
	if (model == NULL)
		model = agent->model;
	if (strlen(model) >= sizeof(run->model) ||
	    engine_check_model(e, model, err, errlen) != 0) {
		if (strlen(model) >= sizeof(run->model))
			snprintf(err, errlen, "model name too long");
		return -IPC_E_BAD_REQUEST;
	}
	run = run_create();
	run->engine = e;
	make_id(run->id, sizeof(run->id), "r-");
	run->agent = agent_ref(agent);
	run->task = xstrdup(task);
	copy_str(run->model, sizeof(run->model), model);
	/* another model for this run replaces every tier of the agent's */
	if (agent->route_model != NULL && strcmp(model, agent->model) == 0)
		copy_str(run->route_model, sizeof(run->route_model),
		    agent->route_model);
	run->dry_run = dry_run;
	run->state = RUN_QUEUED;
	run->paused_from = RUN_QUEUED;
	run->created_ms = run->updated_ms = now_ms();
	run->budget.limit = agent->budget;
	if (budget_override != NULL && budget_amounts_from_json(budget_override,
	    &run->budget.limit, berr, sizeof(berr)) != 0) {
		snprintf(err, errlen, "budget: %s", berr);
		run_destroy(run);
		return -IPC_E_BAD_REQUEST;
	}
	run->reason = xstrdup("submitted");
	json_array_append_new(run->messages, json_pack("{s:s, s:s}", "role",
	    "user", "content", task));
	engine_table_add(e, run);
	engine_emit(e, IPC_EV_RUN_SUBMITTED, run->id, json_pack("{s:s, s:s, s:s,"
	    " s:b, s:o, s:I}", "agent", agent->name, "task", task, "model", model,
	    "dry_run", dry_run, "budget", budget_amounts_to_json(&run->budget.limit),
	    "uid", (json_int_t)uid));
	engine_set_wait(e, run, RUN_WAIT_QUEUE, "");
	engine_mark_dirty(e, run);
	/* the run exists durably before submit answers: it commits with the
	 * request's audit row and reply, or not at all */
	engine_action_hooks(e, submit_undo, submit_committed, run);
	*out = run;
	return 0;
}

void
engine_enter_pause(struct engine *e, struct run *run, const char *reason)
{
	enum run_state from = run->state;

	run->pause_requested = false;
	if (engine_transition(e, run, RUN_PAUSED, "%s", reason) != 0)
		return;
	run->paused_from = from;
	loop_timer_cancel(e->loop, &run->step_timer);
	engine_set_wait(e, run, RUN_WAIT_PAUSE, "");
}

int
engine_pause(struct engine *e, struct run *run, uint32_t uid, char *err,
    size_t errlen)
{
	char reason[64];

	if (!run_state_live(run->state)) {
		snprintf(err, errlen, "run %s is %s: nothing to pause", run->id,
		    run_state_name(run->state));
		return -IPC_E_CONFLICT;
	}
	if (run->state == RUN_PAUSED || run->pause_requested) {
		snprintf(err, errlen, "run %s is already paused", run->id);
		return -IPC_E_CONFLICT;
	}
	snprintf(reason, sizeof(reason), "paused by uid %u", uid);
	if (run->llm != NULL) {
		/* a model call is only a question: stop it now and ask again
		 * on resume (a tool call may have side effects: it finishes) */
		engine_cancel_inflight(e, run, "paused");
		engine_enter_pause(e, run, reason);
		return 0;
	}
	if (run->tool != NULL) {
		/* the call in flight finishes; the run holds before the next */
		run->pause_requested = true;
		engine_mark_dirty(e, run);
		return 0;
	}
	engine_enter_pause(e, run, reason);
	return 0;
}

int
engine_resume(struct engine *e, struct run *run, uint32_t uid, char *err,
    size_t errlen)
{
	struct escalation *esc;
	enum run_state to = run->paused_from;

	if (run->pause_requested) {
		run->pause_requested = false;
		engine_mark_dirty(e, run);
		return 0;
	}
	if (run->state != RUN_PAUSED) {
		snprintf(err, errlen, "run %s is %s, not paused", run->id,
		    run_state_name(run->state));
		return -IPC_E_CONFLICT;
	}
	if (engine_transition(e, run, to, "resumed by uid %u", uid) != 0) {
		snprintf(err, errlen, "run %s cannot go back to %s", run->id,
		    run_state_name(to));
		return -IPC_E_CONFLICT;
	}
	if (to == RUN_AWAITING_HUMAN) {
		esc = engine_find_escalation(e, run->escalation);
		if (esc != NULL && esc->state != ESC_PENDING) {
			engine_apply_decision(e, run, esc);
		} else {
			engine_set_wait(e, run, RUN_WAIT_OPERATOR, run->escalation);
		}
		return 0;
	}
	engine_set_wait(e, run, to == RUN_QUEUED ? RUN_WAIT_QUEUE : RUN_WAIT_NONE,
	    "");
	engine_schedule(e, run, 0);
	return 0;
}

int
engine_kill(struct engine *e, struct run *run, uint32_t uid, const char *reason,
    char *err, size_t errlen)
{
	if (!run_state_live(run->state)) {
		snprintf(err, errlen, "run %s is already %s", run->id,
		    run_state_name(run->state));
		return -IPC_E_CONFLICT;
	}
	if (reason != NULL && reason[0] != '\0')
		engine_finish(e, run, RUN_KILLED, "killed by uid %u: %s", uid, reason);
	else
		engine_finish(e, run, RUN_KILLED, "killed by uid %u", uid);
	return 0;
}

struct kill_all {
	uint32_t uid;
	const char *reason;
	int killed;
};

static void
kill_one(struct engine *e, struct run *run, void *arg)
{
	struct kill_all *k = arg;

	if (!run_state_live(run->state))
		return;
	engine_finish(e, run, RUN_KILLED, "kill switch engaged by uid %u%s%s",
	    k->uid, k->reason[0] ? ": " : "", k->reason);
	k->killed++;
}

int
engine_killswitch(struct engine *e, bool engage, uint32_t uid,
    const char *reason, int *killed, char *err, size_t errlen)
{
	struct kill_all k = { uid, reason ? reason : "", 0 };

	if (engage == e->killswitch) {
		snprintf(err, errlen, "the kill switch is already %s",
		    engage ? "engaged" : "released");
		return -IPC_E_CONFLICT;
	}
	e->killswitch = engage;
	if (engage)
		engine_foreach_run(e, kill_one, &k);
	engine_emit(e, IPC_EV_KILLSWITCH, NULL, json_pack("{s:b, s:I, s:s, s:i}",
	    "engaged", engage, "uid", (json_int_t)uid, "reason", k.reason,
	    "killed", k.killed));
	e->killswitch_dirty = true;
	*killed = k.killed;
	log_warn("kill switch %s by uid %u (%d runs killed)",
	    engage ? "engaged" : "released", uid, k.killed);
	return 0;
}

/* The hooks get the escalation's id (a copy they free): after the commit
 * a decided escalation may have left memory. */
static void
decide_undo(struct engine *e, void *arg)
{
	struct escalation *esc = engine_find_escalation(e, arg);

	free(arg);
	if (esc == NULL)
		return;
	esc->state = ESC_PENDING;
	esc->decided_ms = 0;
	json_decref(esc->decided_args);
	esc->decided_args = NULL;
	free(esc->decision_reason);
	esc->decision_reason = NULL;
	engine_arm_deadline(e, esc);
}

static void
decide_committed(struct engine *e, void *arg)
{
	struct escalation *esc = engine_find_escalation(e, arg);
	struct run *run;

	free(arg);
	if (esc == NULL)
		return;
	run = engine_find_run(e, esc->run);

	metrics_add(&e->metrics.escalation_wait_ms,
	    (double)(esc->decided_ms - esc->created_ms));
	if (run != NULL && run->state == RUN_AWAITING_HUMAN &&
	    strcmp(run->escalation, esc->id) == 0)
		engine_apply_decision(e, run, esc);
}

int
engine_decide(struct engine *e, const char *esc_id, bool approve,
    const json_t *args, const char *reason, uint32_t uid, json_t **out,
    char *err, size_t errlen)
{
	struct escalation *esc = engine_find_escalation(e, esc_id);
	const struct tool_def *def;
	struct schema_error serr;
	struct run *run;
	char where[256];

	if (esc == NULL) {
		json_t *stored = store_escalation_get(e->store, esc_id);
		const char *state = json_string_value(json_object_get(stored,
		    "state"));
		int rc = stored != NULL ? -IPC_E_CONFLICT : -IPC_E_NOT_FOUND;

		if (stored != NULL)
			snprintf(err, errlen, "escalation %.32s was already decided: "
			    "%s", esc_id, state ? state : "?");
		else
			snprintf(err, errlen, "no escalation \"%.32s\"", esc_id);
		json_decref(stored);
		return rc;
	}
	if (esc->state != ESC_PENDING) {
		snprintf(err, errlen, "escalation %s was already decided: %s",
		    esc->id, esc_state_name(esc->state));
		return -IPC_E_CONFLICT;
	}
	run = engine_find_run(e, esc->run);
	if (!approve && (reason == NULL || reason[0] == '\0')) {
		snprintf(err, errlen, "a rejection needs a reason (the agent reads it)");
		return -IPC_E_BAD_REQUEST;
	}
	if (approve && args != NULL) {
		if (run == NULL || (def = agent_find_tool(run->agent, esc->tool)) == NULL) {
			snprintf(err, errlen, "cannot check edited arguments: tool %s "
			    "is gone", esc->tool);
			return -IPC_E_CONFLICT;
		}
		if (schema_validate(def->schema, args, &serr) != 0) {
			schema_error_format(&serr, where, sizeof(where));
			snprintf(err, errlen, "edited arguments do not fit %s's "
			    "schema: %s", esc->tool, where);
			return -IPC_E_BAD_REQUEST;
		}
	}
	esc->state = approve ? ESC_APPROVED : ESC_REJECTED;
	esc->decided_ms = now_ms();
	esc->decided_by = uid;
	esc->decided_args = args != NULL ? json_deep_copy(args) : NULL;
	esc->decision_reason = reason != NULL && reason[0] ? xstrdup(reason) : NULL;
	esc->dirty = true;
	loop_timer_cancel(e->loop, &esc->deadline_timer);
	engine_emit(e, IPC_EV_ESCALATION_DECIDED, esc->run, json_pack("{s:s, s:s,"
	    " s:I, s:s?, s:O?}", "escalation", esc->id, "outcome",
	    approve ? "approved" : "rejected", "by_uid", (json_int_t)uid,
	    "reason", esc->decision_reason, "args", esc->decided_args));
	/* the decision is durable (with its audit row and reply) before
	 * anything acts on it; if it cannot be stored it is taken back and
	 * the escalation stays pending */
	engine_action_hooks(e, decide_undo, decide_committed, xstrdup(esc->id));
	*out = escalation_to_json(esc);
	return 0;
}

/* The rating is written in the action's transaction: a failed commit
 * rolled it back, there is nothing in memory to take back. It is needed
 * all the same: without an undo the action would stay queued and be
 * answered "ok" while its rating is gone. */
static void
rate_undo(struct engine *e, void *arg)
{
}

int
engine_rate(struct engine *e, const char *id, bool good, const char *note,
    uint32_t uid, json_t **out, char *err, size_t errlen)
{
	struct run *run = engine_find_run(e, id);
	json_t *row;

	if (run != NULL && run_state_live(run->state)) {
		snprintf(err, errlen, "run %s is still %s: rate it when it has "
		    "finished", id, run_state_name(run->state));
		return -IPC_E_CONFLICT;
	}
	if (note != NULL && strlen(note) > 2000) {
		snprintf(err, errlen, "the note is longer than 2000 bytes");
		return -IPC_E_BAD_REQUEST;
	}
	/* a run that just ended is in the store: engine_action_begin
	 * committed what was queued */
	if ((row = store_run_get(e->store, id)) == NULL) {
		snprintf(err, errlen, "no run \"%.32s\"", id);
		return -IPC_E_NOT_FOUND;
	}
	json_decref(row);
	if (store_rate_run(e->store, id, good ? "good" : "bad", note, uid,
	    now_ms()) != 0) {
		store_rollback(e->store);
		snprintf(err, errlen, "the database is not writable: the rating "
		    "was not recorded");
		return -IPC_E_STORAGE;
	}
	engine_emit(e, IPC_EV_RUN_RATED, id, json_pack("{s:s, s:s?, s:I}",
	    "rating", good ? "good" : "bad", "note", note, "uid",
	    (json_int_t)uid));
	engine_action_hooks(e, rate_undo, NULL, NULL);
	*out = store_run_get(e->store, id);
	return 0;
}
