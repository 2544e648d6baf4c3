/*
 * bench_providers: the engine against the fake OpenAI-compatible server
 * (tests/fake_provider) over real HTTP on 127.0.0.1, printed (never
 * asserted).
 *
 *   serial      runs one at a time: engine CPU per LLM call (HTTP, SSE
 *               parsing, events committed), without the server's CPU
 *   concurrent  2,000 runs at once (10 model calls each, 200 ms a
 *               response): wall time, engine CPU, peak RSS
 *
 * The server runs in its own process; each scenario runs the engine in a
 * child process (fork) so its CPU and peak RSS are its own.
 *
 *   ninja -C build bench-providers      (or: bench_providers FAKE.py [runs] [latency_ms])
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

#define CALLS_PER_RUN 10	/* bench-zero: nine tool turns and an answer */

struct figures {
	double wall_s, cpu_s;
	long peak_rss_kb;
	int64_t runs_done, runs_failed, events;
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
	char req[300], *reply;
	size_t len;
	int ok;

	snprintf(req, sizeof(req), "{\"v\":1,\"type\":\"runs.submit\",\"id\":%d,"
	    "\"body\":{\"agent\":\"bench-zero\",\"task\":\"bench %d\","
	    "\"model\":\"openai:bench-zero\"}}", i + 1, i);
	reply = ctl_handle(e, req, strlen(req), e->uid, &len);
	ok = strstr(reply, "\"ok\":true") != NULL;
	if (!ok)
		fprintf(stderr, "submit failed: %s\n", reply);
	free(reply);
	return ok ? 0 : -1;
}

static int64_t
count_failed(struct engine *e)
{
	json_t *runs = store_runs_query(e->store, NULL, "failed", NULL, 0, 0,
	    false, 100000);
	int64_t n = (int64_t)json_array_size(runs);

	json_decref(runs);
	return n;
}

/* Submits @total runs, at most @concurrent live, until all have ended. */
static int
drive(const char *dir, char **envp, int total, int concurrent,
    struct figures *out)
{
	struct engine_config cfg = { .data_dir = dir,
	    .agents_dir = EXAMPLES_AGENTS, .envp = envp };
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
	out->runs_failed = count_failed(e);
	engine_shutdown(e);
	engine_destroy(e);
	return 0;
}

static int
in_child(const char *name, char **envp, int total, int concurrent,
    struct figures *out)
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
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if (drive(dir, envp, total, concurrent, &f) != 0)
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

/* Starts the fake server; returns its pid and port. */
static pid_t
start_server(const char *script, int latency_ms, int *port)
{
	char portfile[] = "/tmp/agentd-bench-port-XXXXXX", latency[16];
	char scenarios[1024];
	pid_t pid;
	FILE *f;
	int fd;

	if ((fd = mkstemp(portfile)) < 0)
		return -1;
	close(fd);
	unlink(portfile);
	snprintf(latency, sizeof(latency), "%d", latency_ms);
	snprintf(scenarios, sizeof(scenarios), "%s/scenarios", EXAMPLES_AGENTS);
	if ((pid = fork()) == 0) {
		execlp("python3", "python3", script, "serve", "--port-file",
		    portfile, "--latency-ms", latency, "--scenarios", scenarios,
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		usleep(100 * 1000);
		if ((f = fopen(portfile, "r")) != NULL) {
			int ok = fscanf(f, "%d", port) == 1;
			fclose(f);
			if (ok) {
				unlink(portfile);
				return pid;
			}
		}
	}
	kill(pid, SIGTERM);
	return -1;
}

int
main(int argc, char **argv)
{
	const char *script = argc > 1 ? argv[1] : NULL;
	int runs = argc > 2 ? atoi(argv[2]) : 2000;
	int latency = argc > 3 ? atoi(argv[3]) : 200;
	char url[128], *envp[6];
	struct figures f;
	double calls;
	int port = 0, r = 1;
	pid_t server;

	if (script == NULL) {
		fprintf(stderr, "usage: bench_providers FAKE_PROVIDER.py [runs] "
		    "[latency_ms]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((server = start_server(script, latency, &port)) < 0) {
		fprintf(stderr, "the fake provider did not start\n");
		return 1;
	}
	snprintf(url, sizeof(url), "OPENAI_BASE_URL=http://127.0.0.1:%d/v1", port);
	envp[0] = url;
	envp[1] = (char *)"OPENAI_API_KEY=sk-bench";
	envp[2] = (char *)"OPENAI_MAX_CONNECTIONS=4096";
	envp[3] = (char *)"OPENAI_TIMEOUT_MS=60000";
	envp[4] = NULL;

	printf("agentd provider benchmark: fake OpenAI-compatible server on "
	    "127.0.0.1 (python, its own process), %d ms a response, SSE "
	    "streaming, %d model calls a run\n\n", latency, CALLS_PER_RUN);

	if (in_child("serial", envp, 20, 1, &f) != 0)
		goto out;
	calls = (double)f.runs_done * CALLS_PER_RUN;
	printf("serial      20 runs one at a time: %.2f s wall, %.3f s engine CPU"
	    "\n            engine CPU per LLM call (HTTP + SSE + events "
	    "committed + the echo tool call): %.0f us\n\n", f.wall_s, f.cpu_s,
	    f.cpu_s / calls * 1e6);

	if (in_child("concurrent", envp, runs, runs, &f) != 0)
		goto out;
	calls = (double)f.runs_done * CALLS_PER_RUN;
	printf("concurrent  %d runs at once: %.2f s wall, %.2f s engine CPU, "
	    "peak RSS %.1f MiB\n", runs, f.wall_s, f.cpu_s,
	    (double)f.peak_rss_kb / 1024);
	printf("            %.0f LLM calls (%.0f/s), %.0f us engine CPU per call,"
	    " %lld runs failed, %lld events committed\n", calls,
	    calls / f.wall_s, f.cpu_s / calls * 1e6, (long long)f.runs_failed,
	    (long long)f.events);
	r = 0;
out:
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	return r;
}
