/*
 * bench_subscribers: what an event subscriber costs agentd, printed (never
 * asserted). A real agentd (its own process, private sockets, a fresh
 * database each time) runs RUNS runs of the bench-zero agent (10 steps,
 * zero latency), submitted as fast as one client can, while one of these
 * is connected to events.sock:
 *
 *   none       nobody
 *   stopped    a SUB socket that connected and was then stopped, as
 *              `nngcat --sub --dial ipc://.../events.sock` then `kill -STOP`:
 *              its kernel socket buffer fills and it never reads again
 *   console    the same with a control connection too (hello, snapshot),
 *              as an agentop stopped with ^Z
 *   reading    a SUB socket that reads and decodes every event, as a live
 *              agentop or `agentctl events --follow` (for comparison)
 *
 * Figures: wall time from the first submit to the last run's end, agentd's
 * CPU time over that span (every thread, from /proc) and its peak RSS; the
 * median of ROUNDS rounds, modes interleaved so that load from other
 * programs spreads over all of them.
 *
 * A stopped program under tmux is not stopped: tmux sends SIGCONT to a
 * pane's process that stops. Measure a stopped agentop outside tmux.
 *
 *   ninja -C build bench-subscribers
 *   bench_subscribers [-n RUNS] [-r ROUNDS] [-m MODE]... AGENTD...
 *
 * Several AGENTD binaries (before and after a change) are measured in turn
 * in every round, so that both see the same load.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_proc.h"
#include "ipc.h"

#ifndef EXAMPLES_AGENTS
#error "EXAMPLES_AGENTS must name examples/agents"
#endif

#define MAX_ROUNDS	15
#define RUN_LIMIT_S	600	/* one measurement, at most */

enum mode { M_NONE, M_STOPPED, M_CONSOLE, M_READING, M__COUNT };

static const char *const mode_names[M__COUNT] = {
	"none", "stopped", "console", "reading",
};

static const char *const mode_text[M__COUNT] = {
	"no subscriber",
	"a stopped SUB socket (nngcat --sub, then kill -STOP)",
	"a stopped SUB + REQ client (agentop, then ^Z)",
	"a SUB socket reading every event (agentop, events --follow)",
};

struct figures {
	double wall_s, cpu_s;
	long hwm_kb;			/* agentd's peak RSS */
	long long received, lost;	/* by the reading subscriber */
};

/* What the signal handler must be able to stop: plain values only. */
static char tmp[64];
static volatile pid_t agentd_pid, helper_pid;
static int report_fd = -1;		/* the subscriber's reports */
static const char *self_path;

static volatile sig_atomic_t finish;

static void
on_finish(int sig)
{
	finish = 1;
}

/* The subscriber process: connects and says so on @out_fd; then stops
 * itself, or reads until SIGTERM and writes on @out_fd how many events
 * it received and how many it lost (gaps in seq). */
static int
subscriber_main(const char *mode, const char *dir, int out_fd)
{
	struct ipc_error_detail d = { "" };
	struct ipc_client *cl;
	struct ipc_sub *sub;
	struct ipc_msg reply;
	struct ipc_event ev;
	int64_t last = 0, received = 0, lost = 0;
	char line[64];
	int n, r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGTERM, on_finish);
	if (ipc_sub_open(dir, NULL, 0, &sub, &d) != 0) {
		fprintf(stderr, "subscriber: %s\n", d.text);
		return 1;
	}
	if (strcmp(mode, "console") == 0) {
		/* agentop's first requests */
		if (ipc_client_open(dir, &cl, &d) != 0 ||
		    ipc_client_call(cl, IPC_T_HELLO, NULL, 5000, &reply, &d) != 0) {
			fprintf(stderr, "subscriber: %s\n", d.text);
			return 1;
		}
		ipc_msg_finish(&reply);
		if (ipc_client_call(cl, IPC_T_SNAPSHOT, NULL, 5000, &reply, &d) == 0)
			ipc_msg_finish(&reply);
	}
	if (write(out_fd, "r", 1) != 1)
		return 1;
	if (strcmp(mode, "reading") != 0) {
		raise(SIGSTOP);
		pause();
	}
	/* after SIGTERM, what is still on its way (100 ms of quiet) */
	for (;;) {
		if ((r = ipc_sub_recv(sub, 100, &ev, NULL)) == -IPC_E_AGAIN &&
		    finish)
			break;
		if (r != 0)
			continue;
		received++;
		if (!ev.ephemeral && last > 0 && ev.seq > last + 1)
			lost += ev.seq - last - 1;
		if (!ev.ephemeral)
			last = ev.seq;
		ipc_event_finish(&ev);
	}
	n = snprintf(line, sizeof(line), "%lld %lld\n", (long long)received,
	    (long long)lost);
	return write(out_fd, line, (size_t)n) == n ? 0 : 1;
}

static void
remove_tree(const char *path)
{
	pid_t pid;

	if (path[0] == '\0')
		return;
	if ((pid = fork()) == 0) {
		execlp("rm", "rm", "-rf", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* SIGINT, SIGTERM, SIGALRM: only async-signal-safe calls. */
static void
on_signal(int sig)
{
	static const char msg[] = "bench_subscribers: interrupted or over "
	    "time; stopping\n";

	bail_out(sig, msg, sizeof(msg) - 1, helper_pid, agentd_pid, tmp);
}

/* Starts agentd on a fresh database and returns a client to it. */
static struct ipc_client *
start_agentd(const char *agentd, const char *data, const char *sock)
{
	char log[128];

	snprintf(log, sizeof(log), "%s/agentd.log", tmp);
	return start_agentd_process(agentd, data, EXAMPLES_AGENTS, sock, log,
	    &agentd_pid);
}

/* Starts the subscriber (this program again); waits until it is
 * connected, and for the stopped ones until it is stopped. Its reports
 * come on report_fd. */
static int
attach(enum mode mode, const char *sock)
{
	struct pollfd pfd = { .events = POLLIN };
	char fd_s[16], c;
	int fds[2], status;
	pid_t pid;

	if (mode == M_NONE)
		return 0;
	if (pipe(fds) != 0)
		return -1;
	snprintf(fd_s, sizeof(fd_s), "%d", fds[1]);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		execl(self_path, self_path, "--subscriber", mode_names[mode], sock,
		    fd_s, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	helper_pid = pid;
	pfd.fd = fds[0];
	report_fd = fds[0];
	if (pid < 0 || poll(&pfd, 1, 10000) != 1 || read(fds[0], &c, 1) != 1) {
		fprintf(stderr, "the subscriber did not connect\n");
		return -1;
	}
	if (mode != M_READING && (waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))) {
		fprintf(stderr, "the subscriber did not stop\n");
		return -1;
	}
	return 0;
}

/* The reading subscriber's count of events received and lost. */
static int
collect(struct figures *out)
{
	struct pollfd pfd = { .fd = report_fd, .events = POLLIN };
	char line[64];
	ssize_t n;

	kill(helper_pid, SIGTERM);
	if (poll(&pfd, 1, 10000) != 1 ||
	    (n = read(report_fd, line, sizeof(line) - 1)) <= 0) {
		fprintf(stderr, "the reading subscriber did not report\n");
		return -1;
	}
	line[n] = '\0';
	return sscanf(line, "%lld %lld", &out->received, &out->lost) == 2 ? 0 : -1;
}

/* One measurement: a fresh agentd, the subscriber, RUNS runs. */
static int
measure(const char *agentd, enum mode mode, int runs, int trial,
    struct figures *out)
{
	char data[128], sock[128], task[64];
	struct ipc_client *cl;
	long ticks0, ticks1;
	double t0, deadline;
	int64_t finished = 0;
	int r = -1;

	*out = (struct figures){ 0 };
	snprintf(data, sizeof(data), "%s/data%d", tmp, trial);
	snprintf(sock, sizeof(sock), "%s/sock", tmp);
	if ((cl = start_agentd(agentd, data, sock)) == NULL)
		goto out;
	if (attach(mode, sock) != 0)
		goto out;
	ticks0 = cpu_ticks(agentd_pid);
	t0 = mono_s();
	for (int i = 0; i < runs; i++) {
		json_t *reply;
		snprintf(task, sizeof(task), "bench %d", i);
		if ((reply = call(cl, IPC_T_RUNS_SUBMIT, json_pack("{s:s, s:s}",
		    "agent", "bench-zero", "task", task))) == NULL)
			goto out;
		json_decref(reply);
	}
	deadline = t0 + RUN_LIMIT_S;
	while ((finished = health_int(cl, "runs_finished")) < runs &&
	    finished >= 0 && mono_s() < deadline)
		sleep_s(0.02);
	if (finished != runs) {
		fprintf(stderr, "%s: %lld runs of %d ended\n", mode_names[mode],
		    (long long)finished, runs);
		goto out;
	}
	out->wall_s = mono_s() - t0;
	ticks1 = cpu_ticks(agentd_pid);
	out->cpu_s = (double)(ticks1 - ticks0) / (double)sysconf(_SC_CLK_TCK);
	out->hwm_kb = status_kb(agentd_pid, "VmHWM");
	if (mode == M_READING && collect(out) != 0)
		goto out;
	r = 0;
out:
	if (report_fd >= 0)
		close(report_fd);
	report_fd = -1;
	ipc_client_destroy(cl);
	kill_wait(&helper_pid, SIGKILL);
	kill_wait(&agentd_pid, SIGTERM);
	remove_tree(data);
	return r;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Every figure of one agentd binary. */
struct series {
	const char *agentd;
	double wall[M__COUNT][MAX_ROUNDS], cpu[M__COUNT][MAX_ROUNDS];
	double hwm[M__COUNT][MAX_ROUNDS];
	long long received, lost;	/* by the reading subscriber */
};

static void
print_series(struct series *s, const bool *on, int rounds)
{
	double w[M__COUNT], c[M__COUNT];

	for (int m = 0; m < M__COUNT; m++) {
		if (!on[m])
			continue;
		w[m] = median(s->wall[m], rounds);
		c[m] = median(s->cpu[m], rounds);
	}
	printf("%s\n%-9s %-22s %-22s %s\n", s->agentd, "", "wall",
	    "agentd CPU", "agentd peak RSS");
	for (int m = 0; m < M__COUNT; m++) {
		if (!on[m])
			continue;
		/* against no subscriber, if that was measured */
		printf("%-9s %6.2f s (%+6.1f %%)     %6.2f s (%+6.1f %%)     "
		    "%6.1f MiB   %s\n", mode_names[m], w[m],
		    on[M_NONE] ? (w[m] / w[M_NONE] - 1) * 100 : 0, c[m],
		    on[M_NONE] ? (c[m] / c[M_NONE] - 1) * 100 : 0,
		    median(s->hwm[m], rounds), mode_text[m]);
	}
	if (on[M_READING])
		printf("the reading subscriber received %lld events in all and "
		    "lost %lld (gaps in seq)\n", s->received, s->lost);
	printf("\n");
}

static int
usage(void)
{
	fprintf(stderr, "usage: bench_subscribers [-n RUNS] [-r ROUNDS (1-%d)] "
	    "[-m MODE]... AGENTD...\nmodes: none stopped console reading "
	    "(default: all)\nseveral AGENTD binaries (before/after a change) "
	    "are measured in turn in every round\n", MAX_ROUNDS);
	return 2;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct series *all = NULL;	/* one per AGENTD */
	bool on[M__COUNT] = { false }, any = false;
	struct figures f = { 0 };
	int runs = 1000, rounds = 3, n, opt, r = 1;

	if (argc == 5 && strcmp(argv[1], "--subscriber") == 0)
		return subscriber_main(argv[2], argv[3], atoi(argv[4]));
	while ((opt = getopt(argc, argv, "n:r:m:")) != -1) {
		int m = 0;
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'm':
			while (m < M__COUNT && strcmp(optarg, mode_names[m]) != 0)
				m++;
			if (m == M__COUNT)
				return usage();
			on[m] = any = true;
			break;
		default:
			return usage();
		}
	}
	n = argc - optind;
	if (n < 1 || runs <= 0 || rounds <= 0 || rounds > MAX_ROUNDS)
		return usage();
	for (int m = 0; m < M__COUNT && !any; m++)
		on[m] = true;
	if ((all = calloc((size_t)n, sizeof(*all))) == NULL)
		abort();
	self_path = "/proc/self/exe";
	snprintf(tmp, sizeof(tmp), "/tmp/agentd-bench-XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		tmp[0] = '\0';
		perror("mkdtemp");
		free(all);
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)(RUN_LIMIT_S * M__COUNT * rounds * n));

	printf("agentd subscriber benchmark: a real agentd, %d runs of bench-zero "
	    "(10 steps, zero latency) submitted at once; median of %d rounds\n\n",
	    runs, rounds);
	fflush(stdout);
	/* a first agentd, not measured: disk and page caches warm */
	if (measure(argv[optind], M_NONE, runs, 0, &f) != 0)
		goto out;
	/* each round starts with the next binary and mode, so that none of
	 * them is always the first after a pause */
	for (int i = 0; i < rounds; i++) {
		for (int k = 0; k < n * M__COUNT; k++) {
			int a = (k / M__COUNT + i) % n, m = (k + i) % M__COUNT;
			struct series *s = &all[a];
			if (!on[m])
				continue;
			s->agentd = argv[optind + a];
			if (measure(s->agentd, (enum mode)m, runs,
			    1 + i * n * M__COUNT + k, &f) != 0)
				goto out;
			s->wall[m][i] = f.wall_s;
			s->cpu[m][i] = f.cpu_s;
			s->hwm[m][i] = (double)f.hwm_kb / 1024;
			s->received += f.received;
			s->lost += f.lost;
		}
	}
	for (int a = 0; a < n; a++)
		print_series(&all[a], on, rounds);
	r = 0;
out:
	fflush(stdout);
	kill_wait(&helper_pid, SIGKILL);
	kill_wait(&agentd_pid, SIGTERM);
	remove_tree(tmp);
	free(all);
	ipc_shutdown();
	return r;
}
