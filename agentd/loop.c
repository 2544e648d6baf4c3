#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "loop.h"
#include "util.h"

#define MAX_FDS 16

struct watched_fd {
	int fd;
	fd_fn *fn;
	void *arg;
};

struct loop {
	CURLM *multi;			/* every HTTP transfer of the engine */
	struct timer **heap;		/* min-heap on due */
	size_t n_timers, cap_timers;
	struct watched_fd fds[MAX_FDS];
	size_t n_fds;
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

int
loop_add_fd(struct loop *loop, int fd, fd_fn *fn, void *arg)
{
	if (loop->n_fds == MAX_FDS)
		return -ENOSPC;
	loop->fds[loop->n_fds++] = (struct watched_fd){ fd, fn, arg };
	return 0;
}

void
loop_remove_fd(struct loop *loop, int fd)
{
	for (size_t i = 0; i < loop->n_fds; i++) {
		if (loop->fds[i].fd == fd) {
			loop->fds[i] = loop->fds[--loop->n_fds];
			return;
		}
	}
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

static bool
still_watched(const struct loop *loop, const struct watched_fd *w)
{
	for (size_t i = 0; i < loop->n_fds; i++)
		if (loop->fds[i].fd == w->fd && loop->fds[i].fn == w->fn &&
		    loop->fds[i].arg == w->arg)
			return true;
	return false;
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
	struct curl_waitfd waits[MAX_FDS];
	struct watched_fd polled[MAX_FDS];
	size_t n;
	int64_t wait = max_wait_ms < 0 ? 1000 : max_wait_ms;
	int running, ready = 0;
	CURLMcode mc;

	if (loop->before_sleep != NULL)
		loop->before_sleep(loop->before_sleep_arg);
	if (loop->n_timers > 0)
		wait = MIN(wait, MAX(loop->heap[0]->due - mono_ms(), 0));
	for (size_t i = 0; i < loop->n_fds; i++)
		waits[i] = (struct curl_waitfd){ .fd = loop->fds[i].fd,
		    .events = CURL_WAIT_POLLIN };
	mc = curl_multi_poll(loop->multi, waits, (unsigned)loop->n_fds,
	    (int)wait, &ready);
	if (mc != CURLM_OK) {
		log_error("curl_multi_poll: %s", curl_multi_strerror(mc));
		return -EIO;
	}
	/* handlers may add or remove descriptors: go by what was polled */
	n = loop->n_fds;
	memcpy(polled, loop->fds, n * sizeof(*polled));
	for (size_t i = 0; i < n; i++) {
		if (waits[i].revents != 0 && still_watched(loop, &polled[i]))
			polled[i].fn(polled[i].fd, polled[i].arg);
	}
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
