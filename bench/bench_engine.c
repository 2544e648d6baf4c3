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
#include "bench_run.h"

#define STEPS_PER_RUN 10

int
main(int argc, char **argv)
{
	struct figures f;
	int runs = argc > 1 ? atoi(argv[1]) : 1000;
	double steps;

	printf("agentd engine benchmark (sim provider, zero latency, %d steps a "
	    "run, SQLite WAL, synchronous=NORMAL)\n\n", STEPS_PER_RUN);

	if (in_child(&(struct bench_spec){ .name = "overhead", .total = 200,
	    .concurrent = 1 }, &f) != 0)
		return 1;
	steps = (double)f.runs_done * STEPS_PER_RUN;
	printf("overhead    200 runs one at a time: %.2f s wall, %.2f s CPU\n"
	    "            engine CPU per step (model call + tool call, events "
	    "committed): %.1f us\n", f.wall_s, f.cpu_s, f.cpu_s / steps * 1e6);
	printf("            events committed: %lld (%.0f events/s)\n\n",
	    (long long)f.events, (double)f.events / f.wall_s);

	if (in_child(&(struct bench_spec){ .name = "concurrent", .total = runs,
	    .concurrent = runs }, &f) != 0)
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
