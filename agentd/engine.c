/*
 * The engine core: the runs table, the batch of events and writes that
 * before_sleep commits, state transitions, budgets and wall time.
 * Model and tool calls are in exec.c, operator actions in ops.c, the
 * protocol views in views.c, start-up and recovery in lifecycle.c.
 */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "checkpoint.h"
#include "engine_impl.h"
#include "cap.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* ---- runs table -------------------------------------------------------- */

static size_t
hash_id(const char *id, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return (size_t)(h % n);
}

static void
table_grow(struct engine *e)
{
	size_t n = e->n_buckets ? e->n_buckets * 2 : 256;
	struct run **b = xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < e->n_buckets; i++) {
		struct run *r = e->buckets[i], *next;
		for (; r != NULL; r = next) {
			size_t h = hash_id(r->id, n);
			next = r->hash_next;
			r->hash_next = b[h];
			b[h] = r;
		}
	}
	free(e->buckets);
	e->buckets = b;
	e->n_buckets = n;
}

void
engine_table_add(struct engine *e, struct run *run)
{
	size_t h;

	if (e->n_runs + 1 > e->n_buckets)
		table_grow(e);
	h = hash_id(run->id, e->n_buckets);
	run->hash_next = e->buckets[h];
	e->buckets[h] = run;
	e->n_runs++;
	if (run_state_live(run->state))
		e->n_live++;
}

void
engine_table_remove(struct engine *e, struct run *run)
{
	struct run **p;

	if (e->n_buckets == 0)
		return;
	for (p = &e->buckets[hash_id(run->id, e->n_buckets)]; *p != NULL;
	    p = &(*p)->hash_next) {
		if (*p == run) {
			*p = run->hash_next;
			e->n_runs--;
			if (run_state_live(run->state))
				e->n_live--;
			return;
		}
	}
}

struct run *
engine_find_run(struct engine *e, const char *id)
{
	struct run *r;

	if (e->n_buckets == 0 || id == NULL)
		return NULL;
	for (r = e->buckets[hash_id(id, e->n_buckets)]; r != NULL; r = r->hash_next)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

void
engine_foreach_run(struct engine *e, void (*fn)(struct engine *, struct run *,
    void *), void *arg)
{
	for (size_t i = 0; i < e->n_buckets; i++) {
		struct run *r = e->buckets[i], *next;
		for (; r != NULL; r = next) {
			next = r->hash_next;
			fn(e, r, arg);
		}
	}
}

/* ---- escalations in memory --------------------------------------------- */

void
engine_esc_add(struct engine *e, struct escalation *esc)
{
	if (e->n_escs == e->cap_escs) {
		e->cap_escs = e->cap_escs ? 2 * e->cap_escs : 16;
		e->escs = xrealloc(e->escs, e->cap_escs * sizeof(*e->escs));
	}
	e->escs[e->n_escs++] = esc;
}

struct escalation *
engine_find_escalation(struct engine *e, const char *id)
{
	for (size_t i = 0; i < e->n_escs; i++)
		if (strcmp(e->escs[i]->id, id) == 0)
			return e->escs[i];
	return NULL;
}

/* ---- events and the batch ---------------------------------------------- */

int64_t
engine_emit(struct engine *e, enum ipc_event_type type, const char *run,
    json_t *body)
{
	json_t *ev = body != NULL ? body : json_object();

	json_object_set_new(ev, "v", json_integer(IPC_VERSION));
	json_object_set_new(ev, "seq", json_integer(++e->seq));
	json_object_set_new(ev, "ts", json_integer(now_ms()));
	json_object_set_new(ev, "type", json_string(ipc_event_name(type)));
	json_object_set_new(ev, "run", run != NULL && run[0] != '\0' ?
	    json_string(run) : json_null());
	json_array_append_new(e->pending_events, ev);
	return e->seq;
}

void
engine_publish_ephemeral(struct engine *e, enum ipc_event_type type,
    const char *run, json_t *body)
{
	/* after the events before it: they go out with their commit */
	if (json_array_size(e->pending_events) > 0)
		engine_flush(e);
	if (json_array_size(e->pending_events) > 0) {
		json_decref(body);
		return;
	}
	engine_publish_ephemeral_now(e, type, run, body);
}

void
engine_publish_ephemeral_now(struct engine *e, enum ipc_event_type type,
    const char *run, json_t *body)
{
	size_t len;
	char *msg;

	if (e->srv == NULL || e->committed_seq <= 0) {
		json_decref(body);
		return;
	}
	json_object_set_new(body, "v", json_integer(IPC_VERSION));
	json_object_set_new(body, "seq", json_integer(e->committed_seq));
	json_object_set_new(body, "ephemeral", json_true());
	json_object_set_new(body, "ts", json_integer(now_ms()));
	json_object_set_new(body, "type", json_string(ipc_event_name(type)));
	json_object_set_new(body, "run", run != NULL && run[0] != '\0' ?
	    json_string(run) : json_null());
	if ((msg = ipc_encode_event(body, &len)) != NULL &&
	    ipc_server_publish(e->srv, msg, len) != 0)
		log_warn("publishing a %s event failed", ipc_event_name(type));
	free(msg);
	json_decref(body);
}

void
engine_drop_events_after(struct engine *e, int64_t seq)
{
	size_t n;

	while ((n = json_array_size(e->pending_events)) > 0 && e->seq > seq) {
		json_array_remove(e->pending_events, n - 1);
		e->seq--;
	}
}

/* ---- operator actions: one action, one transaction ---------------------- */

void
engine_action_begin(struct engine *e, const char *op)
{
	assert(!e->action.open);
	if (e->fault.op[0] != '\0' && strcmp(e->fault.op, op) == 0)
		e->fault.counting = true;
	/* what was queued before must not be lost if the action's own
	 * commit fails and is taken back: commit it first (a failure here
	 * leaves it queued, and the action's commit fails the same way);
	 * while the disk is full, only once a second */
	if (e->storage_ok || mono_ms() >= e->storage_retry_at)
		engine_flush(e);
	e->action = (struct engine_action){ .open = true, .seq = e->seq,
	    .n_audit = json_array_size(e->pending_audit),
	    .n_replies = json_array_size(e->pending_replies) };
}

void
engine_action_hooks(struct engine *e, void (*undo)(struct engine *, void *),
    void (*committed)(struct engine *, void *), void *arg)
{
	assert(e->action.open);
	assert(committed == NULL || undo != NULL);
	e->action.undo = undo;
	e->action.committed = committed;
	e->action.arg = arg;
}

static void
truncate_array(json_t *arr, size_t n)
{
	while (json_array_size(arr) > n)
		json_array_remove(arr, json_array_size(arr) - 1);
}

int
engine_action_end(struct engine *e)
{
	struct engine_action a = e->action;

	assert(a.open);
	e->action = (struct engine_action){ 0 };
	/* an action that queued nothing (a refusal only counted) has
	 * nothing to commit: a refusal costs no write */
	if (e->seq == a.seq && a.undo == NULL &&
	    json_array_size(e->pending_audit) == a.n_audit &&
	    json_array_size(e->pending_replies) == a.n_replies &&
	    !store_in_transaction(e->store))
		return 0;
	if (engine_flush(e) == 0) {
		if (a.committed != NULL)
			a.committed(e, a.arg);
		return 0;
	}
	if (a.undo == NULL)
		return -EAGAIN;
	a.undo(e, a.arg);
	engine_drop_events_after(e, a.seq);
	truncate_array(e->pending_audit, a.n_audit);
	truncate_array(e->pending_replies, a.n_replies);
	return -EIO;
}

void
engine_audit(struct engine *e, uint32_t uid, const char *op, const char *target,
    const char *detail, const char *result)
{
	json_t *row = json_pack("{s:I, s:o, s:s, s:s?, s:s?, s:s}",
	    "ts", (json_int_t)now_ms(),
	    "uid", uid == UINT32_MAX ? json_null() : json_integer(uid),
	    "op", op, "target", target, "detail", detail, "result", result);

	json_array_append(e->pending_audit, row);
	json_object_set_new(row, "v", json_integer(IPC_VERSION));
	engine_emit(e, IPC_EV_OPERATOR_ACTION, NULL, json_deep_copy(row));
	json_decref(row);
}

void
engine_remember_reply(struct engine *e, uint32_t uid, int64_t id,
    const char *type, const char *reply)
{
	json_array_append_new(e->pending_replies, json_pack("{s:I, s:I, s:s, s:s}",
	    "uid", (json_int_t)uid, "id", (json_int_t)id, "type", type,
	    "reply", reply));
}

void
engine_mark_dirty(struct engine *e, struct run *run)
{
	run->updated_ms = now_ms();
	run->dirty = true;
	if (!run->in_dirty) {
		run->in_dirty = true;
		run->next_dirty = e->dirty;
		e->dirty = run;
	}
}

static int
write_run(struct engine *e, struct run *run)
{
	char *s;
	int r;

	if ((r = store_put_run(e->store, run)) != 0)
		return r;
	for (size_t i = run->messages_saved; i < json_array_size(run->messages);
	    i++) {
		s = json_dumps(json_array_get(run->messages, i), JSON_COMPACT | JSON_REAL_PRECISION(12));
		r = store_put_message(e->store, run->id, i, s);
		free(s);
		if (r != 0)
			return r;
	}
	if (run_state_live(run->state)) {
		json_t *cp = checkpoint_save(run);
		s = json_dumps(cp, JSON_COMPACT | JSON_REAL_PRECISION(12));
		r = store_put_checkpoint(e->store, run->id, run->step, now_ms(), s);
		free(s);
		json_decref(cp);
	}
	return r;
}

static int
write_batch(struct engine *e)
{
	size_t i;
	json_t *ev;
	int r;

	if ((r = store_begin(e->store)) != 0)
		return r;
	json_array_foreach(e->pending_events, i, ev) {
		/* no stored event may be larger than a reply can hold */
		char *s = cap_event_dump(ev);
		r = store_put_event(e->store,
		    json_integer_value(json_object_get(ev, "seq")),
		    json_integer_value(json_object_get(ev, "ts")),
		    json_string_value(json_object_get(ev, "run")),
		    json_string_value(json_object_get(ev, "type")), s);
		free(s);
		if (r != 0)
			return r;
	}
	json_array_foreach(e->pending_audit, i, ev) {
		r = store_put_audit(e->store,
		    json_integer_value(json_object_get(ev, "ts")),
		    json_is_integer(json_object_get(ev, "uid")) ?
		    (uint32_t)json_integer_value(json_object_get(ev, "uid")) :
		    UINT32_MAX,
		    json_string_value(json_object_get(ev, "op")),
		    json_string_value(json_object_get(ev, "target")),
		    json_string_value(json_object_get(ev, "detail")),
		    json_string_value(json_object_get(ev, "result")));
		if (r != 0)
			return r;
	}
	json_array_foreach(e->pending_replies, i, ev) {
		r = store_put_request(e->store,
		    (uint32_t)json_integer_value(json_object_get(ev, "uid")),
		    json_integer_value(json_object_get(ev, "id")),
		    json_string_value(json_object_get(ev, "type")), now_ms(),
		    json_string_value(json_object_get(ev, "reply")));
		if (r != 0)
			return r;
	}
	for (struct run *run = e->dirty; run != NULL; run = run->next_dirty)
		if (run->dirty && (r = write_run(e, run)) != 0)
			return r;
	for (i = 0; i < e->n_escs; i++)
		if (e->escs[i]->dirty &&
		    (r = store_put_escalation(e->store, e->escs[i])) != 0)
			return r;
	if (e->killswitch_dirty && (r = store_set_setting(e->store, "killswitch",
	    e->killswitch ? "on" : "off")) != 0)
		return r;
	return store_commit(e->store);
}

/* After a commit: forget what is stored, drop finished runs and decided
 * escalations from memory, publish the committed events in order. */
static void
after_commit(struct engine *e)
{
	struct run *run, *next;
	size_t i, kept = 0;
	json_t *ev;

	for (run = e->dirty, e->dirty = NULL; run != NULL; run = next) {
		next = run->next_dirty;
		run->in_dirty = false;
		run->dirty = false;
		run->next_dirty = NULL;
		run->messages_saved = json_array_size(run->messages);
		if (!run_state_live(run->state) && run->llm == NULL &&
		    run->tool == NULL) {
			engine_table_remove(e, run);
			run_destroy(run);
		}
	}
	for (i = 0; i < e->n_escs; i++) {
		struct escalation *esc = e->escs[i];
		struct run *owner = engine_find_run(e, esc->run);
		esc->dirty = false;
		/* a decided escalation leaves memory once no run waits on it */
		if (esc->state != ESC_PENDING && (owner == NULL ||
		    strcmp(owner->escalation, esc->id) != 0)) {
			loop_timer_cancel(e->loop, &esc->deadline_timer);
			escalation_destroy(esc);
		} else {
			e->escs[kept++] = esc;
		}
	}
	e->n_escs = kept;
	json_array_foreach(e->pending_events, i, ev) {
		size_t len;
		char *msg;
		e->committed_seq = json_integer_value(json_object_get(ev, "seq"));
		if (e->srv == NULL)
			continue;
		if ((msg = ipc_encode_event(ev, &len)) != NULL &&
		    ipc_server_publish(e->srv, msg, len) != 0)
			log_warn("publishing event %lld failed",
			    (long long)e->committed_seq);
		free(msg);
	}
	for (struct ipc_sub_cut cut; e->srv != NULL &&
	    ipc_server_next_cut(e->srv, &cut) == 0; )
		log_warn("closed the event connection of pid %d (uid %u): it took "
		    "no event for %.1f s while %llu were published (stopped or "
		    "stuck); it reconnects when it reads again%s", cut.pid,
		    cut.uid, (double)cut.stalled_ms / 1000,
		    (unsigned long long)cut.behind, cut.unreported > 0 ?
		    " (more were closed before it, unreported)" : "");
	e->killswitch_dirty = false;
	e->stats.events_committed += (int64_t)json_array_size(e->pending_events);
	e->stats.commits++;
	json_array_clear(e->pending_events);
	json_array_clear(e->pending_audit);
	json_array_clear(e->pending_replies);
}

bool
engine_batch_pending(const struct engine *e)
{
	if (json_array_size(e->pending_events) > 0 ||
	    store_in_transaction(e->store) ||
	    json_array_size(e->pending_audit) > 0 || e->dirty != NULL ||
	    json_array_size(e->pending_replies) > 0 || e->killswitch_dirty)
		return true;
	for (size_t i = 0; i < e->n_escs; i++)
		if (e->escs[i]->dirty)
			return true;
	return false;
}

int
engine_flush(struct engine *e)
{
	int r;

	/* an action commits whole, when it ends (engine_action_end): a
	 * commit in the middle would split it */
	if (e->action.open) {
		log_warn("internal: a commit was asked for in the middle of an "
		    "operator action; it waits for the action's end");
		return -EBUSY;
	}

	if (!engine_batch_pending(e))
		return 0;
	if ((r = write_batch(e)) != 0) {
		store_rollback(e->store);
		e->stats.commit_failures++;
		if (e->storage_ok)
			log_error("cannot commit %zu events to the database (%s); "
			    "they stay queued and new runs are refused until a "
			    "commit succeeds", json_array_size(e->pending_events),
			    strerror(-r));
		e->storage_ok = false;
		e->storage_retry_at = mono_ms() + 1000;
		return r;
	}
	if (!e->storage_ok)
		log_info("database writable again: %zu queued events committed",
		    json_array_size(e->pending_events));
	e->storage_ok = true;
	e->last_flush = mono_ms();
	if (e->fault.counting && ++e->fault.count == e->fault.at) {
		log_warn("AGENTD_FAULT_KILL_AT_COMMIT: killed after commit %lld "
		    "of %s", (long long)e->fault.at, e->fault.op);
		raise(SIGKILL);
	}
	after_commit(e);
	return 0;
}

static void
flush_due(struct timer *t, void *arg)
{
	/* nothing to do: waking the loop runs before_sleep, which flushes */
}

/*
 * Once per loop iteration, but at most every ENGINE_FLUSH_MS: under load
 * an iteration lasts well under a millisecond, and a commit per iteration
 * would rewrite the same hot pages hundreds of times a second. What must
 * be durable before an answer (submit, decisions, any mutating request,
 * the start of a side effect) flushes at once by itself.
 */
void
engine_before_sleep(void *arg)
{
	struct engine *e = arg;
	int64_t now = mono_ms(), wait;

	if (!e->storage_ok && now < e->storage_retry_at)
		return;
	if ((wait = e->last_flush + ENGINE_FLUSH_MS - now) > 0) {
		if (!loop_timer_armed(&e->flush_timer) &&
		    (json_array_size(e->pending_events) > 0 || e->dirty != NULL))
			loop_timer_arm(e->loop, &e->flush_timer, wait, flush_due, e);
		return;
	}
	engine_flush(e);
}

/* ---- wall time ---------------------------------------------------------- */

static bool
state_counts_wall(enum run_state s)
{
	return s == RUN_PLANNING || s == RUN_EXECUTING || s == RUN_REFLECTING;
}

/* Charges the wall time since the last charge; handles crossings. */
static void wall_tick(struct engine *e, struct run *run);

static void
wall_fire(struct timer *t, void *arg)
{
	struct run *run = arg;

	wall_tick(run->engine, run);
}

static void
wall_arm(struct engine *e, struct run *run)
{
	double limit = run->budget.limit.v[BUDGET_WALL_MS];
	double used = run->budget.used.v[BUDGET_WALL_MS], next;

	if (limit <= 0 || run->active_since == 0)
		return;
	if (!(run->budget.warned[BUDGET_WALL_MS] & BUDGET_WARN_50))
		next = 0.5 * limit;
	else if (!(run->budget.warned[BUDGET_WALL_MS] & BUDGET_WARN_80))
		next = 0.8 * limit;
	else
		next = limit + 1;
	loop_timer_arm(e->loop, &run->wall_timer, (int64_t)(next - used) + 1,
	    wall_fire, run);
}

static void
wall_tick(struct engine *e, struct run *run)
{
	struct budget_amounts delta = { 0 };
	int64_t now = mono_ms();

	if (run->active_since == 0)
		return;
	delta.v[BUDGET_WALL_MS] = (double)(now - run->active_since);
	run->active_since = now;
	if (engine_charge(e, run, &delta) == 0)
		wall_arm(e, run);
}

void
engine_wall_start(struct engine *e, struct run *run)
{
	if (!state_counts_wall(run->state) || run->active_since != 0)
		return;
	run->active_since = mono_ms();
	wall_arm(e, run);
}

/* Charges the wall time so far and stops the clock (no thresholds). */
void
engine_wall_stop(struct engine *e, struct run *run)
{
	struct budget_crossing cross[BUDGET__COUNT * 3];
	struct budget_amounts delta = { 0 };

	if (run->active_since == 0)
		return;
	delta.v[BUDGET_WALL_MS] = (double)(mono_ms() - run->active_since);
	budget_charge(&run->budget, &delta, cross);
	run->active_since = 0;
	loop_timer_cancel(e->loop, &run->wall_timer);
}

/* ---- budgets ------------------------------------------------------------ */

int
engine_charge(struct engine *e, struct run *run, const struct budget_amounts *delta)
{
	struct budget_crossing cross[BUDGET__COUNT * 3];
	int n = budget_charge(&run->budget, delta, cross);

	engine_mark_dirty(e, run);
	for (int i = 0; i < n; i++) {
		enum budget_kind k = cross[i].kind;
		json_t *body = json_pack("{s:s, s:i, s:f, s:f}",
		    "kind", budget_kind_name(k), "level", cross[i].level,
		    "used", run->budget.used.v[k], "limit", run->budget.limit.v[k]);
		if (cross[i].level < 100) {
			engine_emit(e, IPC_EV_BUDGET_WARN, run->id, body);
			continue;
		}
		engine_emit(e, IPC_EV_BUDGET_EXCEEDED, run->id, body);
		engine_finish(e, run, RUN_FAILED, "budget:%s", budget_kind_name(k));
		return -EDQUOT;
	}
	return 0;
}

/* ---- transitions -------------------------------------------------------- */

void
engine_set_wait(struct engine *e, struct run *run, enum run_wait wait,
    const char *detail)
{
	struct escalation *esc;

	/* an operator's decision is awaited since the escalation opened,
	 * however often the run was paused or agentd restarted meanwhile */
	if (wait == RUN_WAIT_OPERATOR && detail != NULL &&
	    (esc = engine_find_escalation(e, detail)) != NULL)
		engine_set_wait_since(e, run, wait, detail, esc->created_ms);
	else
		engine_set_wait_since(e, run, wait, detail, now_ms());
}

void
engine_set_wait_since(struct engine *e, struct run *run, enum run_wait wait,
    const char *detail, int64_t since_ms)
{
	if (run->wait == wait && strcmp(run->wait_detail, detail ? detail : "") == 0)
		return;
	run->wait = wait;
	run->wait_since_ms = since_ms;
	copy_str(run->wait_detail, sizeof(run->wait_detail), detail);
	engine_emit(e, IPC_EV_RUN_WAITING, run->id, json_pack("{s:s, s:s, s:I}",
	    "on", run_wait_name(wait), "detail", run->wait_detail,
	    "since_ms", (json_int_t)run->wait_since_ms));
	engine_mark_dirty(e, run);
}

static int
transition_v(struct engine *e, struct run *run, enum run_state to,
    const char *fmt, va_list ap)
{
	enum run_state from = run->state;
	char reason[256];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	if (!run_transition_allowed(from, to)) {
		log_warn("run %s: transition %s -> %s refused (%s)", run->id,
		    run_state_name(from), run_state_name(to), reason);
		return -EPERM;
	}
	/* the clock stops without threshold checks: this may be the end of
	 * the run already (a budget stop) */
	if (state_counts_wall(from) && !state_counts_wall(to))
		engine_wall_stop(e, run);
	run->state = to;
	free(run->reason);
	run->reason = xstrdup(reason);
	if (!run_state_live(to)) {
		e->n_live--;
		run->ended_ms = now_ms();
		e->stats.runs_finished++;
		if (!run->budget.cost_unknown)
			metrics_add(&e->metrics.run_cost_usd,
			    run->budget.used.v[BUDGET_COST_USD]);
		metrics_add(&e->metrics.run_looped,
		    strncmp(reason, "loop:", 5) == 0 ? 1 : 0);
	}
	engine_emit(e, IPC_EV_RUN_STATE, run->id, json_pack("{s:s, s:s, s:s}",
	    "from", run_state_name(from), "to", run_state_name(to),
	    "reason", reason));
	engine_mark_dirty(e, run);
	if (!state_counts_wall(from) && state_counts_wall(to)) {
		run->active_since = mono_ms();
		wall_arm(e, run);
	}
	log_debug("run %s: %s -> %s (%s)", run->id, run_state_name(from),
	    run_state_name(to), reason);
	return 0;
}

int
engine_transition(struct engine *e, struct run *run, enum run_state to,
    const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = transition_v(e, run, to, fmt, ap);
	va_end(ap);
	return r;
}

void
engine_finish(struct engine *e, struct run *run, enum run_state to,
    const char *fmt, ...)
{
	va_list ap;

	if (!run_state_live(run->state))
		return;
	engine_cancel_inflight(e, run, run_state_name(to));
	loop_timer_cancel(e->loop, &run->step_timer);
	va_start(ap, fmt);
	transition_v(e, run, to, fmt, ap);
	va_end(ap);
	loop_timer_cancel(e->loop, &run->wall_timer);
	run->active_since = 0;
	run->phase = RUN_PHASE_END;
	engine_set_wait(e, run, RUN_WAIT_NONE, "");
	engine_close_escalation(e, run, reason_or(run->reason));
}

const char *
reason_or(const char *reason)
{
	return reason != NULL ? reason : "";
}

void
engine_add_message(struct engine *e, struct run *run, json_t *msg)
{
	json_t *content = json_object_get(msg, "content");
	json_t *body = json_pack("{s:O, s:I}", "role", json_object_get(msg, "role"),
	    "index", (json_int_t)json_array_size(run->messages));

	/* the event carries a preview; the full message is in runs.get */
	if (json_is_string(content)) {
		const char *s = json_string_value(content);
		size_t n = json_string_length(content);
		json_object_set_new(body, "content", n > 400 ?
		    json_stringn(s, utf8_prefix(s, 400)) : json_string(s));
		json_object_set_new(body, "truncated", json_boolean(n > 400));
	}
	/* reasoning too, as a preview; never what goes back to the model */
	if (json_is_string(json_object_get(msg, "reasoning"))) {
		const json_t *r = json_object_get(msg, "reasoning");
		const char *s = json_string_value(r);
		json_object_set_new(body, "reasoning", json_string_length(r) > 400 ?
		    json_stringn(s, utf8_prefix(s, 400)) : json_string(s));
		json_object_set(body, "reasoning_bytes",
		    json_object_get(msg, "reasoning_bytes"));
	}
	if (json_object_get(msg, "tool_calls") != NULL)
		json_object_set(body, "tool_calls", json_object_get(msg, "tool_calls"));
	if (json_object_get(msg, "name") != NULL)
		json_object_set(body, "name", json_object_get(msg, "name"));
	if (json_is_true(json_object_get(msg, "is_error")))
		json_object_set_new(body, "is_error", json_true());
	if (json_object_get(msg, "stop_reason") != NULL)
		json_object_set(body, "stop_reason", json_object_get(msg,
		    "stop_reason"));
	if (json_is_true(json_object_get(msg, "continuation")))
		json_object_set_new(body, "continuation", json_true());
	json_array_append_new(run->messages, msg);
	engine_emit(e, IPC_EV_RUN_MESSAGE, run->id, body);
	engine_mark_dirty(e, run);
}
