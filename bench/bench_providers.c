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
#include <signal.h>

#include "bench_run.h"

#define CALLS_PER_RUN 10	/* bench-zero: nine tool turns and an answer */

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

	if (in_child(&(struct bench_spec){ .name = "serial",
	    .model = "openai:bench-zero", .envp = envp, .total = 20,
	    .concurrent = 1 }, &f) != 0)
		goto out;
	calls = (double)f.runs_done * CALLS_PER_RUN;
	printf("serial      20 runs one at a time: %.2f s wall, %.3f s engine CPU"
	    "\n            engine CPU per LLM call (HTTP + SSE + events "
	    "committed + the echo tool call): %.0f us\n\n", f.wall_s, f.cpu_s,
	    f.cpu_s / calls * 1e6);

	if (in_child(&(struct bench_spec){ .name = "concurrent",
	    .model = "openai:bench-zero", .envp = envp, .total = runs,
	    .concurrent = runs }, &f) != 0)
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
