/*
 * bench_engine: figures for the engine, printed (never asserted).
 *
 *   overhead   engine CPU per step with a zero-latency sim model
 *              (a step = one model call + one tool call)
 *   events     events committed per second while runs execute
 *   concurrent 1,000 runs of 10 steps at once: wall time, CPU, peak RSS
 *
 * Each scenario runs in its own child process (fork) so that its peak RSS
 * is its own. The engine runs in process, without sockets, on a temporary
 * data directory; requests go through the same handler as the socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "engine.h"
#include "log.h"
#include "util.h"

#ifndef EXAMPLES_AGENTS
#error "EXAMPLES_AGENTS must name examples/agents"
#endif

#define STEPS_PER_RUN 10

struct figures {
	double wall_s, cpu_s;
	long peak_rss_kb;
	int64_t events, runs_done;
};

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int
submit(struct engine *e, int i)
{
	char req[256], *reply;
	size_t len;
	int ok;

	snprintf(req, sizeof(req), "{\"v\":1,\"type\":\"runs.submit\",\"id\":%d,"
	    "\"body\":{\"agent\":\"bench-zero\",\"task\":\"bench %d\"}}", i + 1, i);
	reply = ctl_handle(e, req, strlen(req), e->uid, &len);
	ok = strstr(reply, "\"ok\":true") != NULL;
	if (!ok)
		fprintf(stderr, "submit failed: %s\n", reply);
	free(reply);
	return ok ? 0 : -1;
}

/* Submits @total runs, keeping at most @concurrent live, until all are
 * done. Measures from the first submit to the last run's end. */
static int
drive(const char *dir, int total, int concurrent, struct figures *out)
{
	struct engine_config cfg = { .data_dir = dir,
	    .agents_dir = EXAMPLES_AGENTS };
	struct engine *e;
	int64_t start, events0;
	double cpu0;
	int submitted = 0;

	if (engine_create(&cfg, &e) != 0)
		return -1;
	events0 = e->stats.events_committed;
	start = mono_ms();
	cpu0 = cpu_seconds();
	while (e->stats.runs_finished < total) {
		while (submitted < total &&
		    submitted - e->stats.runs_finished < concurrent) {
			if (submit(e, submitted++) != 0)
				return -1;
		}
		loop_run_once(e->loop, 10);
	}
	engine_flush(e);
	out->wall_s = (double)(mono_ms() - start) / 1000;
	out->cpu_s = cpu_seconds() - cpu0;
	out->events = e->stats.events_committed - events0;
	out->runs_done = e->stats.runs_finished;
	engine_shutdown(e);
	engine_destroy(e);
	return 0;
}

/* Runs @fn in a child; the child writes its figures into a pipe. */
static int
in_child(const char *name, int total, int concurrent, struct figures *out)
{
	char dir[] = "/tmp/agentd-bench-XXXXXX", cmd[64];
	int fds[2], status;
	pid_t pid;

	if (mkdtemp(dir) == NULL || pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		struct figures f = { 0 };
		struct rusage ru;
		close(fds[0]);
		log_threshold = LOG_WARN;
		if (drive(dir, total, concurrent, &f) != 0)
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
		fprintf(stderr, "%s: child failed\n", name);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct figures f;
	int runs = argc > 1 ? atoi(argv[1]) : 1000;
	double steps;

	printf("agentd engine benchmark (sim provider, zero latency, %d steps a "
	    "run, SQLite WAL, synchronous=NORMAL)\n\n", STEPS_PER_RUN);

	if (in_child("overhead", 200, 1, &f) != 0)
		return 1;
	steps = (double)f.runs_done * STEPS_PER_RUN;
	printf("overhead    200 runs one at a time: %.2f s wall, %.2f s CPU\n"
	    "            engine CPU per step (model call + tool call, events "
	    "committed): %.1f us\n", f.wall_s, f.cpu_s, f.cpu_s / steps * 1e6);
	printf("            events committed: %lld (%.0f events/s)\n\n",
	    (long long)f.events, (double)f.events / f.wall_s);

	if (in_child("concurrent", runs, runs, &f) != 0)
		return 1;
	steps = (double)f.runs_done * STEPS_PER_RUN;
	printf("concurrent  %d runs at once, %d steps each: %.2f s wall, %.2f s "
	    "CPU, peak RSS %.1f MiB\n", runs, STEPS_PER_RUN, f.wall_s, f.cpu_s,
	    (double)f.peak_rss_kb / 1024);
	printf("            %.1f us CPU per step; events committed: %lld "
	    "(%.0f events/s)\n", f.cpu_s / steps * 1e6, (long long)f.events,
	    (double)f.events / f.wall_s);
	return 0;
}
