/* Start-up, recovery after a restart or crash, the main loop, shutdown. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "checkpoint.h"
#include "engine_impl.h"
#include "span.h"
#include "cap.h"
#include "jsonin.h"
#include "log.h"
#include "pricing.h"
#include "providers/provider.h"
#include "store.h"
#include "util.h"

static const char *
signal_name(int signo)
{
	return signo == SIGTERM ? "SIGTERM" : signo == SIGINT ? "SIGINT" :
	    "a signal";
}

static void
on_signal(int fd, unsigned events, void *arg)
{
	struct engine *e = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("received %s: shutting down",
		    signal_name((int)si.ssi_signo));
		loop_stop(e->loop);
	}
}

/* The signals were blocked in main() before any thread started, so that
 * they reach only this descriptor; it exists from the start of
 * engine_create (a signal sent earlier waits in it). */
static int
open_signals(struct engine *e)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if ((e->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Signals during start-up, before the loop reads the signalfd: a thread
 * waits on it. engine_create checks for a signal between its steps and
 * stops there; a step that has not ended STARTUP_GRACE_MS after the signal
 * (a stuck file system, a locked database) is cut short by the signal's
 * default action, as if agentd had been killed (nothing is lost that a
 * kill -9 would not lose).
 */
#define STARTUP_GRACE_MS	1000

struct startup {
	int signal_fd;			/* borrowed: the engine's; -1: none */
	int wake_fd;			/* eventfd: start-up is over */
	pthread_t thread;
	bool watching;			/* the thread runs */
	atomic_int signo;		/* the signal received, 0: none */
	_Atomic(const char *) step;	/* what start-up is doing, for the log */
};

static _Noreturn void
die_by(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signo);
	signal(signo, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(signo);
	_exit(128 + signo);
}

static void *
startup_watch(void *arg)
{
	struct startup *s = arg;
	struct pollfd fds[2] = {
		{ .fd = s->wake_fd, .events = POLLIN },
		{ .fd = s->signal_fd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int timeout = -1, n;

	for (;;) {
		if ((n = poll(fds, 2, timeout)) < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (fds[0].revents & POLLIN))
			break;
		if (!(fds[1].revents & POLLIN) ||
		    read(s->signal_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (atomic_load(&s->signo) != 0)
			die_by(atomic_load(&s->signo));	/* asked twice */
		atomic_store(&s->signo, (int)si.ssi_signo);
		log_info("received %s during start-up (%s): stopping",
		    signal_name((int)si.ssi_signo), atomic_load(&s->step));
		timeout = STARTUP_GRACE_MS;
	}
	if (n == 0) {
		log_error("start-up is still %s %d ms after %s: exiting now",
		    atomic_load(&s->step), STARTUP_GRACE_MS,
		    signal_name(atomic_load(&s->signo)));
		die_by(atomic_load(&s->signo));
	}
	return NULL;
}

/* Without a signalfd (in-process use) nothing is watched. */
static void
startup_begin(struct startup *s, int signal_fd)
{
	*s = (struct startup){ .signal_fd = signal_fd, .wake_fd = -1 };
	atomic_init(&s->signo, 0);
	atomic_init(&s->step, "starting");
	if (signal_fd < 0)
		return;
	if ((s->wake_fd = eventfd(0, EFD_CLOEXEC)) < 0 ||
	    pthread_create(&s->thread, NULL, startup_watch, s) != 0) {
		/* then signals wait for the loop, as they did before */
		log_warn("cannot watch for signals during start-up: %s",
		    strerror(errno));
		return;
	}
	s->watching = true;
}

/* Enters the step @what; -EINTR when a signal asked to stop. */
static int
startup_step(struct startup *s, const char *what)
{
	atomic_store(&s->step, what);
	return atomic_load(&s->signo) != 0 ? -EINTR : 0;
}

/* Stops the thread; -EINTR when a signal asked to stop meanwhile. */
static int
startup_end(struct startup *s)
{
	if (s->watching) {
		uint64_t one = 1;
		if (write(s->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			log_warn("start-up watch: %s", strerror(errno));
		pthread_join(s->thread, NULL);
		s->watching = false;
	}
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	s->wake_fd = -1;
	return atomic_load(&s->signo) != 0 ? -EINTR : 0;
}

/* mkdir -p with mode 0700 for what it creates. */
static int
ensure_dir(const char *path, const char *what)
{
	char *p = xstrdup(path), *slash;
	int r = 0;

	for (slash = p + 1; r == 0 && (slash = strchr(slash, '/')) != NULL;
	    slash++) {
		*slash = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			r = -errno;
		*slash = '/';
	}
	if (r == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
		r = -errno;
	if (r != 0)
		log_error("cannot create %s %s: %s", what, path, strerror(-r));
	free(p);
	return r;
}

/* One agentd per data directory: a second one would write the same seqs. */
static int
lock_data_dir(struct engine *e, const char *dir)
{
	char *path = xasprintf("%s/agentd.lock", dir), pid[32];
	int r = 0;

	e->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (e->lock_fd < 0) {
		log_error("cannot open %s: %s", path, strerror(errno));
		r = -errno;
	} else if (flock(e->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = pread(e->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_error("another agentd (pid %s) uses the data directory %s",
		    n > 0 ? pid : "?", dir);
		r = -EBUSY;
	} else {
		int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (ftruncate(e->lock_fd, 0) != 0 ||
		    pwrite(e->lock_fd, pid, (size_t)len, 0) != len)
			log_warn("cannot write the pid into %s", path);
	}
	free(path);
	return r;
}

/* Agents whose model no provider serves are rejected like bad specs. */
static void
check_agent_models(struct engine *e)
{
	size_t kept = 0;
	char err[300], msg[600];

	for (size_t i = 0; i < e->agents.n; i++) {
		struct agent *a = e->agents.items[i];
		if (engine_check_model(e, a->model, err, sizeof(err)) == 0 &&
		    (a->route_model == NULL || engine_check_model(e,
		    a->route_model, err, sizeof(err)) == 0)) {
			e->agents.items[kept++] = a;
			continue;
		}
		snprintf(msg, sizeof(msg), "%s: %s", a->file, err);
		log_error("agent spec rejected: %s", msg);
		/* with the agent files' errors, where a submit looks for it */
		jsonin_error_add(e->agents.errors, a->file, a->name, msg);
		jsonin_error_add(e->load_errors, a->file, a->name, msg);
		agent_unref(a);
	}
	e->agents.n = kept;
}

/* AGENTD_FAULT_KILL_AT_COMMIT=OP:N, a test hook (docs/architecture.md). */
static void
fault_from_env(struct engine *e)
{
	const char *v = getenv("AGENTD_FAULT_KILL_AT_COMMIT"), *colon;
	long long n;
	char *end;

	if (!AGENTD_TEST_HOOKS) {
		if (v != NULL)
			log_warn("AGENTD_FAULT_KILL_AT_COMMIT is ignored: this "
			    "agentd was built without test hooks");
		return;
	}
	if (v == NULL || (colon = strchr(v, ':')) == NULL ||
	    (size_t)(colon - v) >= sizeof(e->fault.op))
		return;
	n = strtoll(colon + 1, &end, 10);
	if (*end != '\0' || n <= 0)
		return;
	memcpy(e->fault.op, v, (size_t)(colon - v));
	e->fault.op[colon - v] = '\0';
	e->fault.at = n;
	log_warn("AGENTD_FAULT_KILL_AT_COMMIT: agentd will kill itself after "
	    "commit %lld of its first %s (a test hook)", n, e->fault.op);
}

int
engine_create(const struct engine_config *cfg, struct engine **out)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	struct ipc_error_detail detail;
	struct startup st;
	char *path = NULL, *setting = NULL, err[600];
	struct stat st_pricing;
	int r;

	e->signal_fd = -1;
	e->lock_fd = -1;
	e->storage_ok = true;
	e->started_ms = now_ms();
	e->uid = (uint32_t)getuid();
	e->pending_events = json_array();
	e->pending_audit = json_array();
	e->pending_replies = json_array();
	e->load_errors = json_array();
	e->ctl_cache = ctl_cache_create();
	e->page_bytes = CAP_PAGE_BYTES;
	fault_from_env(e);
	/* a daemon handles SIGTERM and SIGINT from here on */
	if (cfg->socket_dir != NULL && (r = open_signals(e)) < 0) {
		startup_begin(&st, -1);
		goto fail;
	}
	startup_begin(&st, e->signal_fd);
#define STEP(what) do { \
	if ((r = startup_step(&st, (what))) < 0) \
		goto fail; \
} while (0)
	r = -EIO;
	if ((e->loop = loop_create()) == NULL)
		goto fail;
	STEP("creating the data directory");
	if ((r = ensure_dir(cfg->data_dir, "data directory")) < 0)
		goto fail;
	STEP("locking the data directory");
	if ((r = lock_data_dir(e, cfg->data_dir)) < 0)
		goto fail;
	STEP("opening the database");
	path = xasprintf("%s/agentd.db", cfg->data_dir);
	if ((r = store_open(path, &e->store)) < 0)
		goto fail;
	STEP("creating the file jail");
	e->files_dir = cfg->files_dir ? xstrdup(cfg->files_dir) :
	    xasprintf("%s/files", cfg->data_dir);
	if (cfg->files_dir == NULL &&
	    (r = ensure_dir(e->files_dir, "file jail")) < 0)
		goto fail;
	STEP("loading the agent specs");
	if ((r = agent_set_load(cfg->agents_dir, &e->agents)) < 0) {
		log_error("cannot read agents directory %s: %s", cfg->agents_dir,
		    strerror(-r));
		goto fail;
	}
	json_array_extend(e->load_errors, e->agents.errors);
	STEP("loading the sim scenarios");
	free(path);
	path = xasprintf("%s/scenarios", cfg->agents_dir);
	e->sim = sim_provider_create(e->loop, path, e->load_errors);
	STEP("configuring the providers");
	if ((r = engine_providers_init(e, cfg, err, sizeof(err))) < 0) {
		log_error("provider configuration rejected: %s", err);
		goto fail;
	}
	check_agent_models(e);
	STEP("loading the pricing table");
	free(path);
	path = cfg->pricing_path ? xstrdup(cfg->pricing_path) :
	    xasprintf("%s/pricing.json", cfg->agents_dir);
	if (cfg->pricing_path != NULL || stat(path, &st_pricing) == 0) {
		if ((r = pricing_load(path, &e->pricing, err, sizeof(err))) < 0) {
			log_error("pricing table rejected: %s", err);
			goto fail;
		}
	} else {
		log_warn("no pricing table (%s): every cost is unknown", path);
		e->pricing = pricing_create_empty();
	}
	STEP("loading the alert thresholds");
	metrics_init(&e->metrics);
	free(path);
	path = xasprintf("%s/thresholds.json", cfg->agents_dir);
	if ((r = metrics_load_thresholds(&e->metrics, path, err,
	    sizeof(err))) < 0) {
		log_error("thresholds rejected: %s", err);
		goto fail;
	}
	STEP("reading the database");
	if ((r = store_max_seq(e->store, &e->seq)) < 0)
		goto fail;
	if (cfg->retention != NULL)
		e->retention = *cfg->retention;
	else
		e->retention = (struct engine_retention)ENGINE_RETENTION_DEFAULT;
	engine_retention_start(e);
	e->committed_seq = e->seq;
	setting = store_get_setting(e->store, "killswitch");
	e->killswitch = setting != NULL && strcmp(setting, "on") == 0;
	if (e->killswitch)
		log_warn("the kill switch is engaged (from before the restart): new "
		    "runs are refused until it is released");
	if (cfg->socket_dir != NULL) {
		STEP("opening the sockets");
		if (ipc_server_open(cfg->socket_dir, &e->srv, &detail) < 0) {
			log_error("%s", detail.text);
			r = -EADDRINUSE;
			goto fail;
		}
		if ((r = loop_add_fd(e->loop, ipc_server_ctl_fd(e->srv),
		    LOOP_READ, ctl_on_readable, e)) < 0)
			goto fail;
		ctl_watch_sockets(e);
	}
#undef STEP
	/* from here the loop reads the signals */
	if ((r = startup_end(&st)) < 0)
		goto fail;
	if (e->signal_fd >= 0 &&
	    (r = loop_add_fd(e->loop, e->signal_fd, LOOP_READ, on_signal,
	    e)) < 0)
		goto fail;
	loop_set_before_sleep(e->loop, engine_before_sleep, e);
	log_info("agentd %s: %zu agents from %s, database %s/agentd.db, seq %lld",
	    AGENTD_VERSION, e->agents.n, cfg->agents_dir, cfg->data_dir,
	    (long long)e->seq);
	engine_emit(e, IPC_EV_DAEMON_START, NULL, json_pack("{s:s, s:i, s:i}",
	    "version", AGENTD_VERSION, "pid", (int)getpid(),
	    "agents", (int)e->agents.n));
	free(setting);
	free(path);
	*out = e;
	return 0;
fail:
	if (startup_end(&st) < 0)
		r = -EINTR;
	free(setting);
	free(path);
	engine_destroy(e);
	return r < 0 ? r : -EIO;
}

static void
free_run(struct engine *e, struct run *run, void *arg)
{
	engine_cancel_inflight(e, run, "shutdown");
	loop_timer_cancel(e->loop, &run->step_timer);
	loop_timer_cancel(e->loop, &run->wall_timer);
	engine_table_remove(e, run);
	run_destroy(run);
}

void
engine_destroy(struct engine *e)
{
	if (e == NULL)
		return;
	engine_foreach_run(e, free_run, NULL);
	if (e->loop != NULL)
		loop_timer_cancel(e->loop, &e->flush_timer);
	for (size_t i = 0; i < e->n_escs; i++) {
		if (e->loop != NULL)
			loop_timer_cancel(e->loop, &e->escs[i]->deadline_timer);
		escalation_destroy(e->escs[i]);
	}
	free(e->escs);
	free(e->buckets);
	ipc_server_destroy(e->srv);
	if (e->signal_fd >= 0)
		close(e->signal_fd);
	if (e->lock_fd >= 0)
		close(e->lock_fd);	/* releases the lock */
	store_close(e->store);
	if (e->sim != NULL)
		e->sim->ops->destroy(e->sim);
	engine_providers_finish(e);
	pricing_destroy(e->pricing);
	agent_set_finish(&e->agents);
	json_decref(e->load_errors);
	json_decref(e->pending_events);
	json_decref(e->pending_audit);
	json_decref(e->pending_replies);
	ctl_cache_destroy(e->ctl_cache);
	free(e->files_dir);
	loop_destroy(e->loop);
	free(e);
}

/* The tool call at run->tool_index of the last model turn, or NULL. */
const json_t *
engine_current_tool_call(const struct run *run)
{
	for (size_t i = json_array_size(run->messages); i > 0; i--) {
		json_t *m = json_array_get(run->messages, i - 1);
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role != NULL && strcmp(role, "assistant") == 0)
			return json_array_get(json_object_get(m, "tool_calls"),
			    run->tool_index);
	}
	return NULL;
}

/* An agent that is gone still needs a spec to finish its runs. */
static struct agent *
placeholder_agent(const char *name, const char *model)
{
	json_t *spec = json_pack("{s:s, s:s}", "name", name, "model", model);
	struct agent *a = NULL;
	char err[200];

	agent_parse(spec, "(removed)", &a, err, sizeof(err));
	json_decref(spec);
	return a;
}

/* The tool of the call that was running at the crash, or NULL. */
static const struct tool_def *
unfinished_tool(const struct run *run, const json_t **call)
{
	*call = engine_current_tool_call(run);
	if (*call == NULL)
		return NULL;
	return agent_find_tool(run->agent,
	    json_string_value(json_object_get(*call, "name")));
}

static void
resume_escalation(struct engine *e, struct run *run)
{
	struct escalation *esc = NULL;
	json_t *obj = store_escalation_get(e->store, run->escalation);

	if (obj == NULL || strcmp(json_string_value(json_object_get(obj, "run")),
	    run->id) != 0 || escalation_from_json(obj, &esc) != 0)
		esc = NULL;
	json_decref(obj);
	if (esc == NULL) {
		engine_finish(e, run, RUN_FAILED, "escalation %s is missing from "
		    "the database", run->escalation);
		return;
	}
	engine_esc_add(e, esc);
	if (esc->state == ESC_PENDING)
		engine_arm_deadline(e, esc);
	else if (run->state == RUN_AWAITING_HUMAN)
		engine_apply_decision(e, run, esc);
}

static int
restore_run(struct engine *e, const char *id)
{
	json_t *row = store_run_get(e->store, id), *cp = NULL;
	struct run *run = NULL;
	struct agent *agent;
	const struct tool_def *def;
	const json_t *call;
	enum run_state state;
	struct checkpoint_extra extra;
	char err[200], cp_err[300] = "";
	int64_t paused_since = 0;

	if (row == NULL ||
	    run_state_from_name(json_string_value(json_object_get(row, "state")),
	    &state) != 0) {
		json_decref(row);
		return -EINVAL;
	}
	run = run_create();
	run->engine = e;
	copy_str(run->id, sizeof(run->id), id);
	agent = agent_set_find(&e->agents,
	    json_string_value(json_object_get(row, "agent")));
	run->agent = agent != NULL ? agent_ref(agent) : placeholder_agent(
	    json_string_value(json_object_get(row, "agent")),
	    json_string_value(json_object_get(row, "model")));
	run->task = xstrdup(json_string_value(json_object_get(row, "task")));
	copy_str(run->model, sizeof(run->model),
	    json_string_value(json_object_get(row, "model")));
	if (run->agent->route_model != NULL &&
	    strcmp(run->model, run->agent->model) == 0)
		copy_str(run->route_model, sizeof(run->route_model),
		    run->agent->route_model);
	run->state = state;
	run->paused_from = state;
	run->reason = xstrdup(json_string_value(json_object_get(row, "reason")));
	run->dry_run = json_is_true(json_object_get(row, "dry_run"));
	run->created_ms = json_integer_value(json_object_get(row, "created_ms"));
	run->updated_ms = json_integer_value(json_object_get(row, "updated_ms"));
	run->budget.cost_unknown = json_is_true(json_object_get(row, "cost_unknown"));
	budget_amounts_from_json(json_object_get(row, "budget"),
	    &run->budget.limit, err, sizeof(err));
	budget_amounts_from_json(json_object_get(row, "usage"),
	    &run->budget.used, err, sizeof(err));
	if (store_checkpoint_latest(e->store, id, &cp) != 0)
		snprintf(cp_err, sizeof(cp_err), "it is not a JSON object");
	if ((cp == NULL && cp_err[0] != '\0') || (cp != NULL &&
	    checkpoint_load(cp, run, &extra, cp_err, sizeof(cp_err)) != 0)) {
		/* never resumed from a guess: a reset tool_started could run
		 * a side effect again */
		log_error("run %s: its checkpoint cannot be read (%s): the run "
		    "fails instead of resuming", id, cp_err);
		if (run->agent == NULL)	/* its agent is gone too */
			run->agent = placeholder_agent("unknown", "sim:unknown");
		engine_table_add(e, run);
		engine_finish(e, run, RUN_FAILED, "recovery: the checkpoint "
		    "cannot be read: %s", cp_err);
		goto out;
	}
	if (cp != NULL) {
		/* a pause goes on after a restart: since it began */
		paused_since = extra.paused_since_ms;
		json_decref(run->messages);
		run->messages = store_messages(e->store, id, extra.messages);
		run->messages_saved = json_array_size(run->messages);
	}
	engine_table_add(e, run);
	if (run->agent == NULL || agent == NULL) {
		if (run->agent == NULL)
			run->agent = placeholder_agent("unknown", "sim:unknown");
		engine_finish(e, run, RUN_FAILED, "agent %s is no longer defined",
		    json_string_value(json_object_get(row, "agent")));
		goto out;
	}
	engine_set_wait(e, run, RUN_WAIT_NONE, "resumed after restart");
	if (run->escalation[0] != '\0')
		resume_escalation(e, run);
	if (!run_state_live(run->state))
		goto out;
	if (run->state == RUN_PAUSED) {
		engine_set_wait_since(e, run, RUN_WAIT_PAUSE, "",
		    paused_since > 0 ? paused_since : now_ms());
	} else if (run->state == RUN_AWAITING_HUMAN) {
		engine_set_wait(e, run, RUN_WAIT_OPERATOR, run->escalation);
	} else if (run->tool_started && (def = unfinished_tool(run, &call)) &&
	    !def->idempotent) {
		/* never re-run a side effect blindly: ask an operator */
		run->tool_started = false;
		if (run->tool_span[0] != '\0')
			span_end(e, run, run->tool_span, "tool", def->name,
			    "unknown", 0, json_pack("{s:s}", "error", "agentd "
			    "stopped during the call: its outcome is unknown"));
		run->tool_span[0] = '\0';
		engine_escalate(e, run, def->name, json_string_value(
		    json_object_get(call, "id")), json_object_get(call, "arguments"),
		    def->risk, "agentd restarted while this non-idempotent tool "
		    "call was running: its outcome is unknown",
		    "approve to run it again, or reject to tell the agent it may "
		    "or may not have happened");
	} else {
		run->tool_started = false;
		engine_wall_start(e, run);
		engine_schedule(e, run, 0);
	}
out:
	json_decref(cp);
	json_decref(row);
	return 0;
}

int
engine_recover(struct engine *e)
{
	json_t *ids = store_live_run_ids(e->store), *id;
	size_t i, n = 0;

	json_array_foreach(ids, i, id) {
		if (restore_run(e, json_string_value(id)) == 0)
			n++;
		else
			log_error("run %s: cannot be restored from the database",
			    json_string_value(id));
	}
	json_decref(ids);
	if (n > 0)
		log_info("resumed %zu live runs from their checkpoints", n);
	return engine_flush(e);
}

int
engine_run(struct engine *e)
{
	return loop_run(e->loop);
}

void
engine_stop(struct engine *e)
{
	loop_stop(e->loop);
}

static void
hold_run(struct engine *e, struct run *run, void *arg)
{
	if (!run_state_live(run->state))
		return;
	/* calls in flight are abandoned; the run resumes from its
	 * checkpoint at the next start */
	engine_cancel_inflight(e, run, "shutdown");
	loop_timer_cancel(e->loop, &run->step_timer);
	engine_wall_stop(e, run);
	engine_mark_dirty(e, run);
	(*(int *)arg)++;
}

int
engine_shutdown(struct engine *e)
{
	int held = 0;

	engine_foreach_run(e, hold_run, &held);
	engine_emit(e, IPC_EV_DAEMON_STOP, NULL, json_pack("{s:i}", "live_runs",
	    held));
	if (engine_flush(e) != 0) {
		/* say what is true: what was not committed is lost; the runs
		 * resume from their last committed checkpoints */
		log_error("stopped: the last batch (%zu events, the checkpoints "
		    "of %d live runs) could not be committed and is lost; the "
		    "runs resume from their last committed checkpoints at the "
		    "next start", json_array_size(e->pending_events), held);
		return -EIO;
	}
	log_info("stopped: %d live runs checkpointed for the next start", held);
	return 0;
}
