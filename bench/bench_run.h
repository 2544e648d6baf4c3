/*
 * What the engine benchmarks share: an in-process engine (no sockets) on a
 * temporary data directory, fed runs of the bench-zero agent through the
 * same request handler as the socket, in a child process of its own so its
 * CPU time and peak RSS are its own. Static functions: include it once.
 */
#ifndef AGENTD_BENCH_RUN_H
#define AGENTD_BENCH_RUN_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl.h"
#include "engine.h"
#include "log.h"
#include "store.h"
#include "util.h"

#ifndef EXAMPLES_AGENTS
#error "EXAMPLES_AGENTS must name examples/agents"
#endif

struct bench_spec {
	const char *name;
	const char *model;		/* NULL: the agent's (sim:bench-zero) */
	char **envp;			/* agentd's environment (endpoints) */
	int total, concurrent;
	int task_bytes;			/* 0: "bench N"; else a task this long */
	bool watch_wal;			/* sample the WAL file's size */
};

struct figures {
	double wall_s, cpu_s;
	long peak_rss_kb;
	int64_t events, runs_done, runs_failed;
	int64_t wal_peak, wal_end;	/* bytes of agentd.db-wal (watch_wal) */
	int64_t db_bytes;		/* agentd.db at the end (watch_wal) */
};

/* A thread that stats the WAL file every millisecond: its size grows in
 * commits and shrinks in checkpoints, both inside one loop iteration. */
struct wal_watch {
	pthread_t thread;
	char path[300];
	volatile bool stop;
	int64_t peak;
};

static int64_t
file_bytes(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static void *
wal_watch_main(void *arg)
{
	struct wal_watch *w = arg;
	struct timespec ms = { 0, 1000000 };

	while (!w->stop) {
		int64_t n = file_bytes(w->path);
		if (n > w->peak)
			w->peak = n;
		nanosleep(&ms, NULL);
	}
	return NULL;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int
submit(struct engine *e, const struct bench_spec *spec, int i)
{
	char *task = xmalloc((size_t)spec->task_bytes + 32), *req, *reply;
	json_t *body;
	size_t len;
	int ok;

	snprintf(task, 32, "bench %d ", i);
	if (spec->task_bytes > 0) {
		len = strlen(task);
		for (size_t k = len; k < (size_t)spec->task_bytes; k++)
			task[k] = (char)('a' + (k * 7 + (size_t)i) % 26);
		task[MAX(len, (size_t)spec->task_bytes)] = '\0';
	}
	body = json_pack("{s:s, s:s}", "agent", "bench-zero", "task", task);
	if (spec->model != NULL)
		json_object_set_new(body, "model", json_string(spec->model));
	body = json_pack("{s:i, s:s, s:i, s:o}", "v", 1, "type", "runs.submit",
	    "id", i + 1, "body", body);
	req = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	reply = ctl_handle(e, req, strlen(req), e->uid, &len);
	ok = strstr(reply, "\"ok\":true") != NULL;
	if (!ok)
		fprintf(stderr, "submit failed: %.200s\n", reply);
	free(reply);
	free(req);
	free(task);
	return ok ? 0 : -1;
}

static int64_t
count_failed(struct engine *e)
{
	struct store_cursor after;
	int64_t n = 0;
	bool more = true;

	for (bool first = true; more; first = false) {
		json_t *runs = store_runs_query(e->store, NULL, "failed", NULL, 0,
		    0, false, first ? NULL : &after, 10000, 1 << 20, &more);
		size_t k = json_array_size(runs);
		n += (int64_t)k;
		if (k > 0) {
			json_t *last = json_array_get(runs, k - 1);
			after.ms = json_integer_value(json_object_get(last,
			    "created_ms"));
			snprintf(after.id, sizeof(after.id), "%s", json_string_value(
			    json_object_get(last, "id")));
		}
		json_decref(runs);
		more = more && k > 0;
	}
	return n;
}

/* Submits spec->total runs, at most spec->concurrent live, until all have
 * ended. Measures from the first submit to the last run's end. */
static int
drive(const char *dir, const struct bench_spec *spec, struct figures *out)
{
	struct engine_config cfg = { .data_dir = dir,
	    .agents_dir = EXAMPLES_AGENTS, .envp = spec->envp };
	struct wal_watch w = { .peak = 0 };
	struct engine *e;
	int64_t start, events0;
	double cpu0;
	int submitted = 0;

	if (engine_create(&cfg, &e) != 0)
		return -1;
	snprintf(w.path, sizeof(w.path), "%s/agentd.db-wal", dir);
	if (spec->watch_wal && pthread_create(&w.thread, NULL, wal_watch_main,
	    &w) != 0)
		return -1;
	events0 = e->stats.events_committed;
	start = mono_ms();
	cpu0 = cpu_seconds();
	while (e->stats.runs_finished < spec->total) {
		while (submitted < spec->total &&
		    submitted - e->stats.runs_finished < spec->concurrent) {
			if (submit(e, spec, submitted++) != 0)
				return -1;
		}
		loop_run_once(e->loop, 10);
	}
	engine_flush(e);
	if (spec->watch_wal) {
		w.stop = true;
		pthread_join(w.thread, NULL);
		out->wal_peak = w.peak;
		out->wal_end = file_bytes(w.path);
		snprintf(w.path, sizeof(w.path), "%s/agentd.db", dir);
		out->db_bytes = file_bytes(w.path);
	}
	out->wall_s = (double)(mono_ms() - start) / 1000;
	out->cpu_s = cpu_seconds() - cpu0;
	out->events = e->stats.events_committed - events0;
	out->runs_done = e->stats.runs_finished;
	out->runs_failed = count_failed(e);
	engine_shutdown(e);
	engine_destroy(e);
	return 0;
}

/* drive() in a child process; its figures come back through a pipe. */
static int
in_child(const struct bench_spec *spec, struct figures *out)
{
	char dir[] = "/tmp/agentd-bench-XXXXXX", cmd[64];
	int fds[2], status;
	pid_t pid;

	if (mkdtemp(dir) == NULL || pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		struct figures f = { 0 };
		struct rusage ru;
		struct rlimit rl;
		close(fds[0]);
		log_threshold = LOG_ERROR;
		/* a connection is a descriptor: as agentd's main() does */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if (drive(dir, spec, &f) != 0)
			_exit(1);
		getrusage(RUSAGE_SELF, &ru);
		f.peak_rss_kb = ru.ru_maxrss;
		if (write(fds[1], &f, sizeof(f)) != (ssize_t)sizeof(f))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], out, sizeof(*out)) != (ssize_t)sizeof(*out))
		memset(out, 0, sizeof(*out));
	close(fds[0]);
	waitpid(pid, &status, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: child failed\n", spec->name);
		return -1;
	}
	return 0;
}

#endif
