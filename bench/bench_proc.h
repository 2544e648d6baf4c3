/*
 * What the benchmarks that start agentd (and its clients) as processes
 * share: clocks, what /proc says of a process, a request to agentd.
 * Static functions: include it once.
 */
#ifndef AGENTD_BENCH_PROC_H
#define AGENTD_BENCH_PROC_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ipc.h"

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* utime + stime in clock ticks, -1 if @pid is gone. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "(comm)": state is field 3, utime 14, stime 15 */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* A "Key:   N kB" line of /proc/PID/status (VmRSS, VmHWM), -1 if absent. */
static long
status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':' &&
		    sscanf(line + klen + 1, "%ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * For a signal handler (async-signal-safe calls only): says @msg, kills
 * @first then @second (0: none), removes @dir ("" : none) in a child and
 * exits 128 + @sig.
 */
static void
bail_out(int sig, const char *msg, size_t len, pid_t first, pid_t second,
    const char *dir)
{
	if (write(STDERR_FILENO, msg, len) < 0)
		_exit(1);
	if (first > 0)
		kill(first, SIGKILL);
	if (second > 0)
		kill(second, SIGKILL);
	if (dir[0] != '\0' && fork() == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	_exit(128 + sig);
}

/* Sends @sig to *pid and reaps it, SIGKILL after 10 s; *pid becomes 0. */
static void
kill_wait(volatile pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, sig);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(*pid, NULL, WNOHANG) == *pid)
			goto out;
		sleep_s(0.01);
	}
	fprintf(stderr, "pid %d did not stop in 10 s: killed\n", (int)*pid);
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
out:
	*pid = 0;
}

/* A round trip; returns the reply body (new reference) or NULL. Steals
 * @body. */
static json_t *
call(struct ipc_client *cl, enum ipc_type type, json_t *body)
{
	struct ipc_error_detail d = { "" };
	struct ipc_msg reply = { 0 };
	json_t *out = NULL;

	if (ipc_client_call(cl, type, body, 5000, &reply, &d) != 0)
		fprintf(stderr, "%s: %s\n", ipc_type_name(type), d.text);
	else if (!reply.ok)
		fprintf(stderr, "%s: %s\n", ipc_type_name(type),
		    reply.message ? reply.message : "refused");
	else
		out = json_incref(reply.body);
	ipc_msg_finish(&reply);
	json_decref(body);
	return out;
}

static int64_t
health_int(struct ipc_client *cl, const char *key)
{
	json_t *h = call(cl, IPC_T_HEALTH, NULL);
	int64_t v = h ? json_integer_value(json_object_get(h, key)) : -1;

	json_decref(h);
	return v;
}


/*
 * Starts @agentd (--foreground, its output appended to @log, killed if we
 * die) and returns a client to it once it answers, or NULL after 10 s.
 * *pid is set as soon as it is forked, for a signal handler to kill.
 */
static struct ipc_client *
start_agentd_process(const char *agentd, const char *data,
    const char *agents, const char *sock, const char *log,
    volatile pid_t *pid)
{
	struct ipc_error_detail d = { "" };
	struct ipc_client *cl = NULL;
	pid_t child;

	if ((child = fork()) == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlives us */
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(agentd, agentd, "--data-dir", data, "--agents", agents,
		    "--socket-dir", sock, "--foreground", (char *)NULL);
		_exit(127);
	}
	*pid = child;
	for (int i = 0; i < 100 && cl == NULL; i++) {
		sleep_s(0.1);
		if (ipc_client_open(sock, &cl, &d) != 0)
			continue;
		if (health_int(cl, "seq") < 0) {
			ipc_client_destroy(cl);
			cl = NULL;
		}
	}
	if (cl == NULL)
		fprintf(stderr, "agentd did not start (see %s)\n", log);
	return cl;
}

#endif
