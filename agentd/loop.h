/*
 * The engine's one wait point: curl_multi_poll() on the curl multi handle
 * plus any number of descriptors (for reading, writing or both) and child
 * processes, with a timeout from the earliest timer. After each wake the
 * loop runs fd handlers, curl, due timers, then the before_sleep hook
 * (which commits the batch and publishes).
 */
#ifndef AGENTD_LOOP_H
#define AGENTD_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct timer;

typedef void timer_fn(struct timer *t, void *arg);
/* What a descriptor is watched for, and what came. */
#define LOOP_READ	0x1u	/* readable; also on hangup and errors */
#define LOOP_WRITE	0x2u	/* writable */
typedef void fd_fn(int fd, unsigned events, void *arg);
/* A child process ended: @status as waitpid() gives it. */
typedef void child_fn(pid_t pid, int status, void *arg);
typedef void hook_fn(void *arg);

/* A timer lives in its owner's storage; zero it before first use. */
struct timer {
	int64_t due;		/* monotonic ms; valid while armed */
	uint64_t seq;		/* arming order: equal dues fire first-armed first */
	size_t slot;		/* index in the heap + 1; 0 when not armed */
	timer_fn *fn;
	void *arg;
};

struct loop *loop_create(void);
void loop_destroy(struct loop *loop);

/* The curl multi handle the loop polls (borrowed, lives as long as loop). */
void *loop_curl_multi(struct loop *loop);

/* What CURLOPT_PRIVATE of every easy handle on the multi handle points to:
 * the loop calls done() when curl reports the transfer finished (with the
 * CURLcode as an int), after which the owner removes the handle. */
struct loop_transfer {
	void (*done)(struct loop_transfer *t, int curl_result);
};

/* Arms (or re-arms) @t to fire @delay_ms from now. */
void loop_timer_arm(struct loop *loop, struct timer *t, int64_t delay_ms,
    timer_fn *fn, void *arg);
void loop_timer_cancel(struct loop *loop, struct timer *t);
bool loop_timer_armed(const struct timer *t);
size_t loop_timer_count(const struct loop *loop);

/* Watches @fd for @events (LOOP_READ, LOOP_WRITE or both): @fn gets the
 * ones that came. Any number of descriptors; -EEXIST when @fd is watched
 * already, -EINVAL for no events. Handlers may add and remove descriptors
 * (their own included). */
int loop_add_fd(struct loop *loop, int fd, unsigned events, fd_fn *fn,
    void *arg);
/* Changes what @fd is watched for (e.g. LOOP_WRITE while output waits):
 * 0, or -ENOENT when it is not watched. */
int loop_set_fd_events(struct loop *loop, int fd, unsigned events);
void loop_remove_fd(struct loop *loop, int fd);

/* Calls @fn once @pid (a child of this process) has ended, after reaping
 * it (through a pidfd: no SIGCHLD handler). 0, or a negative errno when
 * the pidfd cannot be had. */
int loop_add_child(struct loop *loop, pid_t pid, child_fn *fn, void *arg);
/* @fn is no longer called for @pid; the loop still reaps it when it ends
 * (no zombie is left). */
void loop_forget_child(struct loop *loop, pid_t pid);
/* Children watched or still to be reaped. */
size_t loop_child_count(const struct loop *loop);

void loop_set_before_sleep(struct loop *loop, hook_fn *fn, void *arg);

/* Runs one iteration, waiting at most @max_wait_ms (-1: until something
 * happens). Returns 0 or a negative errno. */
int loop_run_once(struct loop *loop, int max_wait_ms);
/* Runs until loop_stop(). */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);
bool loop_stopping(const struct loop *loop);

#endif
