/*
 * bench_console: figures for agentop, printed (never asserted).
 *
 *   follow    agentop under tmux (120x40) follows ~10,000 events/s from a
 *             real agentd for 20 s: its CPU time (and agentd's), the frame
 *             times measured around ui_draw(), how far behind it ended
 *   start-up  agentd with 10,000 finished runs in its database: time from
 *             agentop's main() to its first frame drawn live, and to the
 *             first frame that shows a finished run
 *
 * Everything runs on a temporary directory with private sockets (agentd's
 * and tmux's); nothing leaves the machine. Frame figures come from
 * agentop's AGENTOP_STATS hook (tui/agentop/main.c), CPU time from
 * /proc/PID/stat, event rates from agentd's health counters.
 *
 * usage: bench_console AGENTD AGENTOP [SECONDS [EVENTS_PER_S [HISTORY]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_proc.h"
#include "ipc.h"

#ifndef EXAMPLES_AGENTS
#error "EXAMPLES_AGENTS must name examples/agents"
#endif

#define STEP_MS		40	/* latency of one model turn of bench-steps */
#define STEPS		100	/* its turns: a run lasts about 4 s */
#define EVENTS_PER_TURN	8	/* what one turn commits (measured) */
#define WATCHDOG_S	150	/* the whole benchmark: SECONDS + this, at most */
#define AGENTOP_LIMIT_S	60	/* agentop under tmux: SECONDS + this, at most */
#define STARTUP_TRIALS	3
#define MIN_D(a, b)	((a) < (b) ? (a) : (b))

/* What the signal handlers must be able to stop: plain values only. */
static char tmp[64];			/* the temporary directory */
static volatile pid_t agentd_pid, tmux_pid;
static int agentop_limit_s;		/* timeout(1) around agentop */

struct sample {
	double at_s;			/* monotonic */
	long agentd_ticks, agentop_ticks;
	int64_t events;
};

/* Runs argv, waits; stdout into @out (NUL-terminated, may be cut) if set. */
static int
run_cmd(char *out, size_t outlen, const char *const *argv)
{
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(out != NULL ? fds[1] : null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (out != NULL && len + 1 < outlen &&
	    (n = read(fds[0], out + len, outlen - 1 - len)) > 0)
		len += (size_t)n;
	if (out != NULL)
		out[len] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* tmux on our private socket; the arguments end with NULL. */
static int
tmux(char *out, size_t outlen, ...)
{
	char sock[128];
	const char *argv[16] = { "tmux", "-u", "-S", sock };
	size_t n = 4;
	va_list ap;

	snprintf(sock, sizeof(sock), "%s/tmux.sock", tmp);
	va_start(ap, outlen);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_cmd(out, outlen, argv);
}

static void
stop_tmux(void)
{
	if (tmux_pid > 0) {
		tmux(NULL, 0, "kill-server", (char *)NULL);
		kill(tmux_pid, SIGKILL);	/* if kill-server did not */
		tmux_pid = 0;
	}
}

static void
stop_agentd(void)
{
	kill_wait(&agentd_pid, SIGTERM);
}

static void
remove_tree(const char *path)
{
	const char *argv[] = { "rm", "-rf", path, NULL };

	if (path[0] != '\0')
		run_cmd(NULL, 0, argv);
}

static void
cleanup(void)
{
	stop_tmux();
	stop_agentd();
	remove_tree(tmp);
}

/* SIGINT, SIGTERM, the watchdog: only async-signal-safe calls. */
static void
on_signal(int sig)
{
	static const char msg[] = "bench_console: interrupted or over time; "
	    "stopping\n";

	/* tmux first: agentop gets SIGHUP */
	bail_out(sig, msg, sizeof(msg) - 1, tmux_pid, agentd_pid, tmp);
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	r = fputs(text, f) < 0;
	return fclose(f) != 0 || r ? -1 : 0;
}

static int
copy_file(const char *from, const char *dir, const char *name)
{
	char buf[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(from, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return write_file(dir, name, buf);
}

/* The bench agents: bench-steps makes STEPS echo calls STEP_MS apart and
 * answers (no budget, no loop guard); bench-once answers at once. */
static int
write_agents(const char *dir)
{
	char scen[256], *text = NULL;
	size_t len = 0;
	FILE *f;
	int r = -1;

	snprintf(scen, sizeof(scen), "%s/scenarios", dir);
	if (mkdir(dir, 0700) != 0 || mkdir(scen, 0700) != 0 ||
	    copy_file(EXAMPLES_AGENTS "/pricing.json", dir, "pricing.json") != 0 ||
	    (f = open_memstream(&text, &len)) == NULL)
		return -1;
	fprintf(f, "{\n  \"description\": \"bench_console: %d echo calls, then "
	    "an answer.\",\n  \"latency_ms\": %d,\n  \"turns\": [\n", STEPS,
	    STEP_MS);
	for (int i = 1; i <= STEPS; i++)
		fprintf(f, "    { \"tool_calls\": [ { \"name\": \"echo\", "
		    "\"arguments\": { \"text\": \"step %d\" } } ], \"tokens_in\": "
		    "100, \"tokens_out\": 10 },\n", i);
	fprintf(f, "    { \"text\": \"done\", \"tokens_in\": 100, "
	    "\"tokens_out\": 5 }\n  ]\n}\n");
	if (fclose(f) != 0)
		goto out;
	if (write_file(dir, "bench-steps.json", "{\n"
	    "  \"name\": \"bench-steps\",\n"
	    "  \"description\": \"bench_console: a steady stream of steps.\",\n"
	    "  \"model\": \"sim:bench-steps\",\n"
	    "  \"max_tokens\": 64,\n"
	    "  \"tools\": [ { \"builtin\": \"echo\" } ]\n}\n") != 0 ||
	    write_file(scen, "bench-steps.json", text) != 0 ||
	    write_file(dir, "bench-once.json", "{\n"
	    "  \"name\": \"bench-once\",\n"
	    "  \"description\": \"bench_console: answers at once.\",\n"
	    "  \"model\": \"sim:bench-once\",\n"
	    "  \"max_tokens\": 64\n}\n") != 0 ||
	    write_file(scen, "bench-once.json", "{\n"
	    "  \"description\": \"bench_console: one answer, no latency.\",\n"
	    "  \"latency_ms\": 0,\n"
	    "  \"turns\": [ { \"text\": \"done\", \"tokens_in\": 50, "
	    "\"tokens_out\": 5 } ]\n}\n") != 0)
		goto out;
	r = 0;
out:
	free(text);
	return r;
}

/* Starts agentd on @data and returns a client to it, or NULL. */
static struct ipc_client *
start_agentd(const char *agentd, const char *data)
{
	char agents[128], sock[128], log[128];

	snprintf(agents, sizeof(agents), "%s/agents", tmp);
	snprintf(sock, sizeof(sock), "%s/sock", tmp);
	snprintf(log, sizeof(log), "%s/agentd.log", tmp);
	return start_agentd_process(agentd, data, agents, sock, log, &agentd_pid);
}

/* A new run; a failure is said on stderr and tried again (twice). */
static int
submit(struct ipc_client *cl, const char *agent, int i)
{
	char task[64];
	json_t *r = NULL;

	snprintf(task, sizeof(task), "bench %d", i);
	for (int n = 0; n < 3 && r == NULL; n++)
		r = call(cl, IPC_T_RUNS_SUBMIT, json_pack("{s:s, s:s}", "agent",
		    agent, "task", task));
	json_decref(r);
	return r != NULL ? 0 : -1;
}

/* Is @pid there and not a zombie? */
static bool
running(pid_t pid)
{
	char path[64], buf[512], *p;
	bool r = false;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		r = p[2] != 'Z' && p[2] != 'X';
	return r;
}

/* The screen's first line, or "" */
static void
header_line(char *out, size_t outlen)
{
	char screen[16384];

	out[0] = '\0';
	if (tmux(screen, sizeof(screen), "capture-pane", "-p", "-t", "op",
	    (char *)NULL) == 0)
		snprintf(out, outlen, "%.*s", (int)strcspn(screen, "\n"), screen);
	for (size_t n = strlen(out); n > 0 && out[n - 1] == ' '; n--)
		out[n - 1] = '\0';
}

/* Does the header say "live" as the connection state (after "ESC n")? */
static bool
screen_live(void)
{
	char line[1024], *p;

	header_line(line, sizeof(line));
	if ((p = strstr(line, " ESC ")) == NULL)
		return false;
	p += strspn(p + 5, "0123456789") + 5;
	p += strspn(p, " ");
	return strncmp(p, "live", 4) == 0;
}


/*
 * Starts agentop in a new tmux server (120x40) with AGENTOP_STATS=@stats
 * and returns its pid: timeout(1) is the pane's process (so that agentop
 * ends even if we are killed) and agentop its only child.
 */
static pid_t
start_agentop(const char *agentop, const char *stats)
{
	char cmd[1024], out[64], path[128];
	int srv = 0, pane = 0, op = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "exec timeout --foreground -k 5 %d env "
	    "AGENTOP_STATS='%s' TERM=screen-256color LANG=C.UTF-8 "
	    "LC_ALL=C.UTF-8 '%s' --socket-dir '%s/sock'", agentop_limit_s, stats,
	    agentop, tmp);
	if (tmux(NULL, 0, "-f", "/dev/null", "new-session", "-d", "-s", "op",
	    "-x", "120", "-y", "40", cmd, (char *)NULL) != 0 ||
	    tmux(out, sizeof(out), "display-message", "-p", "-t", "op",
	    "#{pid} #{pane_pid}", (char *)NULL) != 0 ||
	    sscanf(out, "%d %d", &srv, &pane) != 2) {
		fprintf(stderr, "cannot start agentop under tmux\n");
		return -1;
	}
	tmux_pid = srv;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pane, pane);
	for (int i = 0; i < 200 && op <= 0; i++) {
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%d", &op) != 1)
				op = 0;
			fclose(f);
		}
		if (op <= 0)
			sleep_s(0.01);
	}
	if (op <= 0)
		fprintf(stderr, "cannot find agentop's pid\n");
	return op > 0 ? op : -1;
}

/* @key's value in agentop's stats file, or -1. */
static double
stat_of(const char *path, const char *key)
{
	char k[64];
	double v, out = -1;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fscanf(f, "%63s %lf", k, &v) == 2)
		if (strcmp(k, key) == 0)
			out = v;
	fclose(f);
	return out;
}

/*
 * SIGTERM to agentop; waits until it has written its stats and exited
 * (5 s each). One that does not exit is killed, and *@hung says so.
 */
static int
stop_agentop(pid_t pid, const char *stats, bool *hung)
{
	int i;

	kill(pid, SIGTERM);
	for (i = 0; i < 500 && stat_of(stats, "alive_ms") < 0; i++)
		sleep_s(0.01);
	for (i = 0; i < 500 && running(pid); i++)
		sleep_s(0.01);
	*hung = running(pid);
	if (*hung)
		kill(pid, SIGKILL);
	stop_tmux();
	if (stat_of(stats, "alive_ms") < 0) {
		fprintf(stderr, "agentop wrote no stats to %s\n", stats);
		return -1;
	}
	return 0;
}

static int
wait_live(double secs)
{
	for (double t = mono_s() + secs; mono_s() < t; sleep_s(0.01))
		if (screen_live())
			return 0;
	fprintf(stderr, "agentop did not show \"live\" within %.0f s\n", secs);
	return -1;
}

static void
sample(struct ipc_client *cl, pid_t op, struct sample *s)
{
	json_t *h = call(cl, IPC_T_HEALTH, NULL);

	s->at_s = mono_s();
	s->agentd_ticks = cpu_ticks(agentd_pid);
	s->agentop_ticks = op > 0 ? cpu_ticks(op) : 0;
	s->events = h ? json_integer_value(json_object_get(h, "events_committed")) : 0;
	json_decref(h);
}

/* 10230 → "10,230" in one of four rotating buffers. */
static const char *
grouped(double v)
{
	static char bufs[4][32];
	static int next;
	char digits[32], *out = bufs[next++ % 4];
	size_t n, j = 0;

	snprintf(digits, sizeof(digits), "%.0f", v);
	n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return out;
}

static void
show_agentd_log(void)
{
	char path[128];
	const char *argv[] = { "tail", "-n", "20", path, NULL };

	snprintf(path, sizeof(path), "%s/agentd.log", tmp);
	fflush(stdout);
	if (fork() == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	wait(NULL);
}

/* The load: runs of bench-steps, topped up to @want live ones; @want
 * follows the measured event rate towards @target. */
struct load {
	struct ipc_client *cl;
	int target;			/* events/s wanted */
	int want;			/* live runs to keep */
	int max_want;			/* at most this many */
	int submitted;			/* since the start */
	double mark_s;			/* last rate check */
	int64_t mark_events;		/* events_committed then */
};

#define RATE_CHECK_S	2.0

/* Keeps the load up for @secs: tops up every 50 ms, and corrects @want
 * every RATE_CHECK_S from the rate agentd reached (its own work and
 * agentop's, on shared cores, stretch turns past STEP_MS). */
static int
keep_load(struct load *l, double secs)
{
	double end = mono_s() + secs, now, rate;
	int64_t live, events;
	json_t *h;

	do {
		if ((h = call(l->cl, IPC_T_HEALTH, NULL)) == NULL)
			return -1;
		live = json_integer_value(json_object_get(h, "live_runs"));
		events = json_integer_value(json_object_get(h, "events_committed"));
		json_decref(h);
		now = mono_s();
		if (l->mark_s == 0) {
			l->mark_s = now;
			l->mark_events = events;
		} else if (now - l->mark_s >= RATE_CHECK_S) {
			rate = (double)(events - l->mark_events) / (now - l->mark_s);
			if (rate > 0 && (rate < 0.98 * l->target ||
			    rate > 1.05 * l->target))
				l->want = (int)(l->want * (l->target / rate) + 0.5);
			l->want = l->want > l->max_want ? l->max_want : l->want;
			l->mark_s = now;
			l->mark_events = events;
		}
		for (; live < l->want; live++)
			if (submit(l->cl, "bench-steps", l->submitted++) != 0)
				return -1;
		sleep_s(0.05);
	} while (mono_s() < end);
	return 0;
}

/* agentop follows @target events/s for @secs seconds. */
static int
follow(const char *agentd, const char *agentop, double secs, int target)
{
	char data[128], stats[128], header[1024];
	double per_run = EVENTS_PER_TURN * 1000.0 / STEP_MS, run_s;
	struct load l = { .target = target,
	    .want = (int)(target / per_run + 0.999) };
	struct sample a, b;
	double rate = 0, wall, cpu_op, cpu_d, tick = (double)sysconf(_SC_CLK_TCK);
	double frames, alive_s;
	int64_t seq_stop;
	bool hung = false;
	long rss;
	pid_t op;
	int r = -1, want_min, want_max;

	snprintf(data, sizeof(data), "%s/follow", tmp);
	snprintf(stats, sizeof(stats), "%s/follow.stats", tmp);
	if ((l.cl = start_agentd(agentd, data)) == NULL)
		return -1;
	l.max_want = 3 * l.want;
	/* a ramp as long as a run, so that runs end and start evenly */
	run_s = STEPS * STEP_MS / 1000.0;
	for (; l.submitted < l.want; sleep_s(run_s / l.want))
		if (submit(l.cl, "bench-steps", l.submitted++) != 0)
			goto out;
	/* agentop joins; the load settles with it following */
	if ((op = start_agentop(agentop, stats)) < 0 || keep_load(&l, 1.0) != 0 ||
	    wait_live(5) != 0 || keep_load(&l, 3 * RATE_CHECK_S) != 0)
		goto out;
	want_min = want_max = l.want;
	sample(l.cl, op, &a);
	for (double end = a.at_s + secs; mono_s() < end; ) {
		if (keep_load(&l, MIN_D(RATE_CHECK_S, end - mono_s())) != 0)
			goto out;
		want_min = l.want < want_min ? l.want : want_min;
		want_max = l.want > want_max ? l.want : want_max;
	}
	sample(l.cl, op, &b);
	header_line(header, sizeof(header));
	rss = status_kb(op, "VmRSS");
	seq_stop = health_int(l.cl, "seq");
	if (stop_agentop(op, stats, &hung) != 0)
		goto out;

	wall = b.at_s - a.at_s;
	rate = (double)(b.events - a.events) / wall;
	cpu_op = (double)(b.agentop_ticks - a.agentop_ticks) / tick;
	cpu_d = (double)(b.agentd_ticks - a.agentd_ticks) / tick;
	frames = stat_of(stats, "frames");
	alive_s = stat_of(stats, "alive_ms") / 1000;
	printf("  event rate from agentd: %s events/s (measured over %.1f s; "
	    "%d-%d live runs of %d steps, %d ms a turn; %d runs in all)\n",
	    grouped(rate), wall, want_min, want_max, STEPS, STEP_MS, l.submitted);
	printf("  agentop CPU: %.2f s over %.1f s (%.1f%% of a core); agentd CPU: "
	    "%.2f s (%.0f%%)\n", cpu_op, wall, 100 * cpu_op / wall, cpu_d,
	    100 * cpu_d / wall);
	printf("  frames: %s drawn in %.1f s (%.1f/s, cap 20/s), frame time p50 "
	    "%.2f ms, p95 %.2f ms, max %.2f ms\n", grouped(frames), alive_s,
	    frames / alive_s, stat_of(stats, "frame_p50_ms"),
	    stat_of(stats, "frame_p95_ms"), stat_of(stats, "frame_max_ms"));
	printf("  kept up: %s events applied; last seq %s vs agentd's %s when "
	    "stopped; %s frames not live; RSS %.1f MiB\n",
	    grouped(stat_of(stats, "events_applied")),
	    grouped(stat_of(stats, "seq")), grouped((double)seq_stop),
	    grouped(stat_of(stats, "not_live_frames")), (double)rss / 1024);
	printf("  header at the end: %s\n", header);
	if (hung)
		printf("  WARNING: agentop wrote its stats but had not exited 5 s "
		    "after SIGTERM: killed\n");
	r = 0;
out:
	ipc_client_destroy(l.cl);
	stop_agentd();
	remove_tree(data);
	return r;
}

/* agentop starts against @history finished runs. */
static int
startup(const char *agentd, const char *agentop, int history)
{
	char data[128], stats[128];
	double live[STARTUP_TRIALS], hist[STARTUP_TRIALS], seen[STARTUP_TRIALS];
	double t0, fill_s;
	struct ipc_client *cl;
	int64_t done = 0;
	bool hung = false;
	int r = -1, hangs = 0;
	pid_t op;

	snprintf(data, sizeof(data), "%s/history", tmp);
	if ((cl = start_agentd(agentd, data)) == NULL)
		return -1;
	t0 = mono_s();
	for (int i = 0; i < history; i++)
		if (submit(cl, "bench-once", i) != 0)
			goto out;
	for (int i = 0; i < 600 && (done = health_int(cl, "runs_finished")) <
	    history; i++)
		sleep_s(0.1);
	fill_s = mono_s() - t0;
	if (done < history) {
		fprintf(stderr, "only %lld of %d runs finished\n", (long long)done,
		    history);
		goto out;
	}
	for (int i = 0; i < STARTUP_TRIALS; i++) {
		snprintf(stats, sizeof(stats), "%s/start-%d.stats", tmp, i);
		t0 = mono_s();
		if ((op = start_agentop(agentop, stats)) < 0 || wait_live(10) != 0)
			goto out;
		seen[i] = (mono_s() - t0) * 1000;
		sleep_s(0.5);	/* the history list arrives after the snapshot */
		if (stop_agentop(op, stats, &hung) != 0)
			goto out;
		hangs += hung;
		live[i] = stat_of(stats, "first_live_ms");
		hist[i] = stat_of(stats, "history_ms");
	}
	printf("  start-up with %s runs in history (filled in %.1f s), from "
	    "agentop's main(), %d starts:\n", grouped(history), fill_s,
	    STARTUP_TRIALS);
	printf("    first live frame:");
	for (int i = 0; i < STARTUP_TRIALS; i++)
		printf(" %.0f ms", live[i]);
	printf("; first frame showing history:");
	for (int i = 0; i < STARTUP_TRIALS; i++)
		printf(" %.0f ms", hist[i]);
	printf("\n    (\"live\" seen in tmux");
	for (int i = 0; i < STARTUP_TRIALS; i++)
		printf(" %.0f ms", seen[i]);
	printf(" after new-session; agentop loads only the newest 500 finished "
	    "runs)\n");
	if (hangs > 0)
		printf("  WARNING: %d of %d agentops had not exited 5 s after "
		    "SIGTERM: killed\n", hangs, STARTUP_TRIALS);
	r = 0;
out:
	ipc_client_destroy(cl);
	stop_agentd();
	return r;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	double secs = argc > 3 ? atof(argv[3]) : 20;
	int target = argc > 4 ? atoi(argv[4]) : 10000;
	int history = argc > 5 ? atoi(argv[5]) : 10000;
	char agents[128];
	int r = 1;

	if (argc < 3 || secs <= 0 || target <= 0 || history <= 0) {
		fprintf(stderr, "usage: bench_console AGENTD AGENTOP [SECONDS "
		    "[EVENTS_PER_S [HISTORY]]]\n");
		return 2;
	}
	unsetenv("TMUX");
	snprintf(tmp, sizeof(tmp), "/tmp/agentop-bench-XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		tmp[0] = '\0';
		perror("mkdtemp");
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	agentop_limit_s = (int)secs + AGENTOP_LIMIT_S;
	alarm((unsigned)secs + WATCHDOG_S);
	snprintf(agents, sizeof(agents), "%s/agents", tmp);
	if (write_agents(agents) != 0) {
		fprintf(stderr, "cannot write the bench agents in %s\n", agents);
		goto out;
	}
	printf("agentop console benchmark (agentop in tmux 120x40, a real agentd, "
	    "sim agents, private sockets)\n");
	fflush(stdout);
	if (follow(argv[1], argv[2], secs, target) != 0 ||
	    startup(argv[1], argv[2], history) != 0) {
		show_agentd_log();
		goto out;
	}
	r = 0;
out:
	fflush(stdout);
	cleanup();
	ipc_shutdown();
	return r;
}
