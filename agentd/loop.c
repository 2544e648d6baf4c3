#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "loop.h"
#include "util.h"

struct watched_fd {
	int fd;
	unsigned events;		/* LOOP_READ | LOOP_WRITE */
	fd_fn *fn;
	void *arg;
	uint64_t id;			/* tells a re-added fd from the old one */
};

/* A child process watched through its pidfd (a watched fd of its own), or
 * where pidfds are missing (kernels before 5.3, valgrind) by looking every
 * CHILD_POLL_MS. */
#define CHILD_POLL_MS	50

struct child {
	pid_t pid;
	int pidfd;			/* -1: looked at by the timer */
	child_fn *fn;			/* NULL: forgotten, reaped silently */
	void *arg;
	struct loop *fn_loop;		/* the loop that watches it */
	struct child *next;
};

struct loop {
	CURLM *multi;			/* every HTTP transfer of the engine */
	struct timer **heap;		/* min-heap on due */
	size_t n_timers, cap_timers;
	struct watched_fd *fds;		/* what is watched, any number */
	size_t n_fds, cap_fds;
	uint64_t fd_ids;		/* ids given so far */
	struct watched_fd *polled;	/* scratch: the fds one wait polled */
	struct curl_waitfd *waits;	/* scratch: the same for curl */
	struct pollfd *pfds;		/* scratch: for what came exactly */
	size_t cap_scratch;
	struct child *children;
	struct timer child_timer;	/* for children without a pidfd */
	hook_fn *before_sleep;
	void *before_sleep_arg;
	bool stop;
	uint64_t armed;			/* timers armed so far */
};

struct loop *
loop_create(void)
{
	struct loop *loop = xcalloc(1, sizeof(*loop));

	if ((loop->multi = curl_multi_init()) == NULL) {
		log_error("curl_multi_init failed");
		free(loop);
		return NULL;
	}
	return loop;
}

void
loop_destroy(struct loop *loop)
{
	if (loop == NULL)
		return;
	for (size_t i = 0; i < loop->n_timers; i++)
		loop->heap[i]->slot = 0;
	free(loop->heap);
	while (loop->children != NULL) {
		struct child *c = loop->children;
		loop->children = c->next;
		if (c->pidfd >= 0)
			close(c->pidfd);
		free(c);
	}
	free(loop->fds);
	free(loop->polled);
	free(loop->waits);
	free(loop->pfds);
	curl_multi_cleanup(loop->multi);
	free(loop);
}

void *
loop_curl_multi(struct loop *loop)
{
	return loop->multi;
}

static void
heap_set(struct loop *loop, size_t i, struct timer *t)
{
	loop->heap[i] = t;
	t->slot = i + 1;
}

/* Heap order: by due time, then by arming order, so timers due at the same
 * ms fire in the order they were armed (calls started in a row go in that
 * order). */
static bool
fires_before(const struct timer *a, const struct timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void
sift_up(struct loop *loop, size_t i)
{
	struct timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!fires_before(t, loop->heap[parent]))
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void
sift_down(struct loop *loop, size_t i)
{
	struct timer *t = loop->heap[i];
	size_t n = loop->n_timers;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && fires_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!fires_before(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void
loop_timer_cancel(struct loop *loop, struct timer *t)
{
	size_t i;
	struct timer *last;

	if (t == NULL || t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = loop->heap[--loop->n_timers];
	if (i == loop->n_timers)
		return;
	heap_set(loop, i, last);
	sift_down(loop, i);
	sift_up(loop, last->slot - 1);
}

void
loop_timer_arm(struct loop *loop, struct timer *t, int64_t delay_ms,
    timer_fn *fn, void *arg)
{
	loop_timer_cancel(loop, t);
	t->due = mono_ms() + MAX(delay_ms, 0);
	t->seq = loop->armed++;
	t->fn = fn;
	t->arg = arg;
	if (loop->n_timers == loop->cap_timers) {
		loop->cap_timers = loop->cap_timers ? 2 * loop->cap_timers : 64;
		loop->heap = xrealloc(loop->heap,
		    loop->cap_timers * sizeof(*loop->heap));
	}
	heap_set(loop, loop->n_timers, t);
	sift_up(loop, loop->n_timers++);
}

bool
loop_timer_armed(const struct timer *t)
{
	return t->slot != 0;
}

size_t
loop_timer_count(const struct loop *loop)
{
	return loop->n_timers;
}

static struct watched_fd *
find_fd(struct loop *loop, int fd)
{
	for (size_t i = 0; i < loop->n_fds; i++)
		if (loop->fds[i].fd == fd)
			return &loop->fds[i];
	return NULL;
}

int
loop_add_fd(struct loop *loop, int fd, unsigned events, fd_fn *fn, void *arg)
{
	if ((events & (LOOP_READ | LOOP_WRITE)) == 0 || fd < 0)
		return -EINVAL;
	if (find_fd(loop, fd) != NULL)
		return -EEXIST;
	if (loop->n_fds == loop->cap_fds) {
		loop->cap_fds = loop->cap_fds ? loop->cap_fds * 2 : 16;
		loop->fds = xrealloc(loop->fds, loop->cap_fds * sizeof(*loop->fds));
	}
	loop->fds[loop->n_fds++] = (struct watched_fd){ fd, events, fn, arg,
	    ++loop->fd_ids };
	return 0;
}

int
loop_set_fd_events(struct loop *loop, int fd, unsigned events)
{
	struct watched_fd *w = find_fd(loop, fd);

	if (w == NULL)
		return -ENOENT;
	if ((events & (LOOP_READ | LOOP_WRITE)) == 0)
		return -EINVAL;
	w->events = events;
	return 0;
}

void
loop_remove_fd(struct loop *loop, int fd)
{
	struct watched_fd *w = find_fd(loop, fd);

	if (w != NULL)
		*w = loop->fds[--loop->n_fds];
}

/* ---- child processes ------------------------------------------------------ */

static void
child_remove(struct loop *loop, struct child *c)
{
	for (struct child **p = &loop->children; *p != NULL; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	if (c->pidfd >= 0) {
		loop_remove_fd(loop, c->pidfd);
		close(c->pidfd);
	}
	free(c);
}

/* Reaps @c if it has ended (then it is gone): true when it was. */
static bool
child_check(struct child *c)
{
	struct loop *loop = c->fn_loop;
	child_fn *fn = c->fn;
	void *fn_arg = c->arg;
	pid_t pid = c->pid, r;
	int status = 0;

	while ((r = waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return false;		/* not yet */
	child_remove(loop, c);
	if (fn != NULL)
		fn(pid, r == pid ? status : -1, fn_arg);
	return true;
}

static void
child_ready(int fd, unsigned events, void *arg)
{
	(void)fd;
	(void)events;
	child_check(arg);
}

static void
children_poll(struct timer *t, void *arg)
{
	struct loop *loop = arg;
	struct child *c, *next;
	bool more = false;

	(void)t;
	for (c = loop->children; c != NULL; c = next) {
		next = c->next;
		if (c->pidfd < 0 && !child_check(c))
			more = true;
	}
	if (more && !loop_timer_armed(&loop->child_timer))
		loop_timer_arm(loop, &loop->child_timer, CHILD_POLL_MS,
		    children_poll, loop);
}

int
loop_add_child(struct loop *loop, pid_t pid, child_fn *fn, void *arg)
{
	struct child *c;
	int pidfd, r;

	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0 &&
	    errno != ENOSYS)
		return -errno;		/* not our child, or gone already */
	c = xcalloc(1, sizeof(*c));
	*c = (struct child){ .pid = pid, .pidfd = pidfd, .fn = fn, .arg = arg,
	    .fn_loop = loop, .next = loop->children };
	if (pidfd >= 0 &&
	    (r = loop_add_fd(loop, pidfd, LOOP_READ, child_ready, c)) != 0) {
		close(pidfd);
		free(c);
		return r;
	}
	loop->children = c;
	if (pidfd < 0 && !loop_timer_armed(&loop->child_timer))
		loop_timer_arm(loop, &loop->child_timer, CHILD_POLL_MS,
		    children_poll, loop);
	return 0;
}

void
loop_forget_child(struct loop *loop, pid_t pid)
{
	for (struct child *c = loop->children; c != NULL; c = c->next)
		if (c->pid == pid)
			c->fn = NULL;
}

size_t
loop_child_count(const struct loop *loop)
{
	size_t n = 0;

	for (const struct child *c = loop->children; c != NULL; c = c->next)
		n++;
	return n;
}

void
loop_set_before_sleep(struct loop *loop, hook_fn *fn, void *arg)
{
	loop->before_sleep = fn;
	loop->before_sleep_arg = arg;
}

static void
run_due_timers(struct loop *loop)
{
	int64_t now = mono_ms();

	/* timers armed by callbacks for "now" run in the next iteration, so a
	 * zero-delay chain cannot starve the sockets */
	for (size_t budget = loop->n_timers; budget > 0 && loop->n_timers > 0;
	    budget--) {
		struct timer *t = loop->heap[0];
		if (t->due > now)
			break;
		loop_timer_cancel(loop, t);
		t->fn(t, t->arg);
	}
}

/* @w (as it was polled) is still watched, and is the same watch. */
static bool
still_watched(const struct loop *loop, const struct watched_fd *w)
{
	for (size_t i = 0; i < loop->n_fds; i++)
		if (loop->fds[i].id == w->id)
			return true;
	return false;
}

static void
scratch_reserve(struct loop *loop, size_t n)
{
	if (n <= loop->cap_scratch)
		return;
	loop->cap_scratch = MAX(n, loop->cap_scratch * 2);
	loop->polled = xrealloc(loop->polled,
	    loop->cap_scratch * sizeof(*loop->polled));
	loop->waits = xrealloc(loop->waits,
	    loop->cap_scratch * sizeof(*loop->waits));
	loop->pfds = xrealloc(loop->pfds, loop->cap_scratch * sizeof(*loop->pfds));
}

/* What came on the polled fds, exactly: curl_multi_poll() woke for them but
 * reports no hangup or error, so a second poll() that does not wait says
 * (a pipe whose writer closed is POLLHUP alone). */
static void
run_fd_handlers(struct loop *loop, size_t n)
{
	unsigned got;

	for (size_t i = 0; i < n; i++)
		loop->pfds[i] = (struct pollfd){ .fd = loop->polled[i].fd,
		    .events = (short)(((loop->polled[i].events & LOOP_READ) ?
		    POLLIN : 0) | ((loop->polled[i].events & LOOP_WRITE) ?
		    POLLOUT : 0)) };
	if (poll(loop->pfds, (nfds_t)n, 0) <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		short re = loop->pfds[i].revents;

		got = 0;
		if (re & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			got |= LOOP_READ;
		if (re & (POLLOUT | POLLERR))
			got |= LOOP_WRITE;
		got &= loop->polled[i].events | LOOP_READ;
		/* handlers may add or remove descriptors: go by what was
		 * polled, and skip what a handler removed meanwhile */
		if (got != 0 && still_watched(loop, &loop->polled[i]))
			loop->polled[i].fn(loop->polled[i].fd, got,
			    loop->polled[i].arg);
	}
}

/* Finished transfers go back to their owners (http.c). */
static void
reap_transfers(struct loop *loop)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(loop->multi, &left)) != NULL) {
		struct loop_transfer *t = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t != NULL)
			t->done(t, (int)msg->data.result);
	}
}

int
loop_run_once(struct loop *loop, int max_wait_ms)
{
	size_t n;
	int64_t wait = max_wait_ms < 0 ? 1000 : max_wait_ms;
	int running, ready = 0;
	CURLMcode mc;

	if (loop->before_sleep != NULL)
		loop->before_sleep(loop->before_sleep_arg);
	if (loop->n_timers > 0)
		wait = MIN(wait, MAX(loop->heap[0]->due - mono_ms(), 0));
	n = loop->n_fds;
	scratch_reserve(loop, n);
	if (n > 0)		/* both may be NULL while nothing is watched */
		memcpy(loop->polled, loop->fds, n * sizeof(*loop->polled));
	for (size_t i = 0; i < n; i++)
		loop->waits[i] = (struct curl_waitfd){ .fd = loop->fds[i].fd,
		    .events = (short)(((loop->fds[i].events & LOOP_READ) ?
		    CURL_WAIT_POLLIN : 0) | ((loop->fds[i].events & LOOP_WRITE) ?
		    CURL_WAIT_POLLOUT : 0)) };
	mc = curl_multi_poll(loop->multi, loop->waits, (unsigned)n, (int)wait,
	    &ready);
	if (mc != CURLM_OK) {
		log_error("curl_multi_poll: %s", curl_multi_strerror(mc));
		return -EIO;
	}
	(void)ready;
	if (n > 0)
		run_fd_handlers(loop, n);
	curl_multi_perform(loop->multi, &running);
	reap_transfers(loop);
	run_due_timers(loop);
	return 0;
}

int
loop_run(struct loop *loop)
{
	int r = 0;

	while (!loop->stop && (r = loop_run_once(loop, -1)) == 0)
		;
	if (loop->before_sleep != NULL)
		loop->before_sleep(loop->before_sleep_arg);
	return r;
}

void
loop_stop(struct loop *loop)
{
	loop->stop = true;
}

bool
loop_stopping(const struct loop *loop)
{
	return loop->stop;
}
