#include "t.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

static int order[16], n_fired;

static void
record(struct timer *t, void *arg)
{
	order[n_fired++] = (int)(intptr_t)arg;
}

static void
timers_fire_in_due_order(void)
{
	struct loop *loop = loop_create();
	struct timer t[5] = { 0 };
	static const int delays[5] = { 40, 10, 30, 0, 20 };
	int64_t end = mono_ms() + 1000;

	n_fired = 0;
	for (int i = 0; i < 5; i++)
		loop_timer_arm(loop, &t[i], delays[i], record, (void *)(intptr_t)i);
	is_int(loop_timer_count(loop), 5);
	while (n_fired < 5 && mono_ms() < end)
		loop_run_once(loop, 100);
	is_int(n_fired, 5);
	is_int(order[0], 3);
	is_int(order[1], 1);
	is_int(order[2], 4);
	is_int(order[3], 2);
	is_int(order[4], 0);
	loop_destroy(loop);
}

/* Timers due at the same ms fire in the order they were armed, also after
 * the heap was reshuffled by cancels. */
static void
equal_dues_fire_in_arming_order(void)
{
	struct loop *loop = loop_create();
	struct timer t[12] = { 0 };
	int64_t end = mono_ms() + 1000;

	n_fired = 0;
	for (int i = 0; i < 12; i++)
		loop_timer_arm(loop, &t[i], 0, record, (void *)(intptr_t)i);
	loop_timer_cancel(loop, &t[0]);
	loop_timer_cancel(loop, &t[5]);
	loop_timer_arm(loop, &t[0], 0, record, (void *)(intptr_t)0);
	while (n_fired < 11 && mono_ms() < end)
		loop_run_once(loop, 10);
	is_int(n_fired, 11);
	for (int i = 0, want = 1; i < 10; i++, want++) {
		if (want == 5)
			want++;
		is_int(order[i], want);
	}
	is_int(order[10], 0);
	loop_destroy(loop);
}

static void
cancel_and_rearm(void)
{
	struct loop *loop = loop_create();
	struct timer a = { 0 }, b = { 0 };

	n_fired = 0;
	loop_timer_arm(loop, &a, 0, record, (void *)1);
	loop_timer_arm(loop, &b, 0, record, (void *)2);
	loop_timer_cancel(loop, &a);
	ok(!loop_timer_armed(&a));
	loop_timer_cancel(loop, &a);	/* twice is harmless */
	loop_timer_arm(loop, &b, 10000, record, (void *)2);	/* re-arm moves it */
	is_int(loop_timer_count(loop), 1);
	loop_run_once(loop, 20);
	is_int(n_fired, 0);
	loop_timer_cancel(loop, &b);
	is_int(loop_timer_count(loop), 0);
	loop_destroy(loop);
}

static int fd_calls;

static void
on_fd(int fd, unsigned events, void *arg)
{
	char c;

	fd_calls++;
	if (read(fd, &c, 1) != 1)
		fd_calls += 100;
}

static void
fds_wake_the_loop(void)
{
	struct loop *loop = loop_create();
	int p[2];
	int64_t start;

	t_bail_if(pipe(p) != 0);
	is_int(loop_add_fd(loop, p[0], LOOP_READ, on_fd, NULL), 0);
	is_int(loop_add_fd(loop, p[0], LOOP_READ, on_fd, NULL), -EEXIST);
	is_int(loop_add_fd(loop, p[1], 0, on_fd, NULL), -EINVAL);
	fd_calls = 0;
	t_bail_if(write(p[1], "x", 1) != 1);
	start = mono_ms();
	loop_run_once(loop, 5000);
	ok(mono_ms() - start < 2000);
	is_int(fd_calls, 1);
	loop_remove_fd(loop, p[0]);
	close(p[0]);
	close(p[1]);
	loop_destroy(loop);
}

/* What the fd handlers saw. */
struct seen {
	int calls;
	unsigned events;
	int removed;			/* fd the handler removed, or -1 */
	struct loop *loop;
};

static void
saw(int fd, unsigned events, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->events |= events;
	if (s->removed == fd)
		loop_remove_fd(s->loop, fd);
}

/* More descriptors than the old fixed table held (16), each reported. */
static void
any_number_of_fds(void)
{
	struct loop *loop = loop_create();
	enum { N = 200 };
	int p[N][2];
	struct seen s[N];

	for (int i = 0; i < N; i++) {
		t_bail_if(pipe(p[i]) != 0);
		s[i] = (struct seen){ .removed = -1, .loop = loop };
		t_bail_if(loop_add_fd(loop, p[i][0], LOOP_READ, saw,
		    &s[i]) != 0);
	}
	for (int i = 0; i < N; i += 7)
		t_bail_if(write(p[i][1], "x", 1) != 1);
	loop_run_once(loop, 1000);
	{
		int wrong = 0;

		for (int i = 0; i < N; i++)
			wrong += s[i].calls != (i % 7 == 0 ? 1 : 0);
		is_int(wrong, 0);	/* each written fd once, no other */
	}
	for (int i = 0; i < N; i++) {
		loop_remove_fd(loop, p[i][0]);
		close(p[i][0]);
		close(p[i][1]);
	}
	loop_destroy(loop);
}

/* Writable is reported when asked for; a pipe whose writer closed is a
 * hangup, reported as readable (curl_multi_poll alone says nothing). */
static void
write_events_and_hangups(void)
{
	struct loop *loop = loop_create();
	struct seen w = { .removed = -1 }, r = { .removed = -1 };
	int p[2];

	t_bail_if(pipe(p) != 0);
	w.loop = r.loop = loop;
	is_int(loop_add_fd(loop, p[1], LOOP_WRITE, saw, &w), 0);
	loop_run_once(loop, 1000);
	is_int(w.calls, 1);
	is_int((int)w.events, (int)LOOP_WRITE);
	w.removed = p[1];		/* the handler removes itself */
	loop_run_once(loop, 1000);
	is_int(w.calls, 2);
	is_int(loop_set_fd_events(loop, p[1], LOOP_WRITE), -ENOENT);
	is_int(loop_add_fd(loop, p[0], LOOP_READ, saw, &r), 0);
	close(p[1]);
	loop_run_once(loop, 1000);
	is_int(r.calls, 1);
	is_int((int)r.events, (int)LOOP_READ);
	loop_remove_fd(loop, p[0]);
	close(p[0]);
	loop_destroy(loop);
}

static int child_calls;
static int child_status;
static pid_t child_pid;

static void
on_child(pid_t pid, int status, void *arg)
{
	(void)arg;
	child_calls++;
	child_pid = pid;
	child_status = status;
}

/* A child's end is reported once, reaped; a forgotten one is reaped with
 * nothing called. */
static void
children_are_reaped(void)
{
	struct loop *loop = loop_create();
	int64_t end;
	pid_t a, b;

	if ((a = fork()) == 0)
		_exit(7);
	t_bail_if(a < 0);
	is_int(loop_add_child(loop, a, on_child, NULL), 0);
	is_int((int)loop_child_count(loop), 1);
	end = mono_ms() + 5000;
	while (child_calls == 0 && mono_ms() < end)
		loop_run_once(loop, 100);
	is_int(child_calls, 1);
	ok(child_pid == a);
	ok(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 7);
	is_int((int)loop_child_count(loop), 0);
	ok(waitpid(a, NULL, WNOHANG) < 0);	/* already reaped */

	if ((b = fork()) == 0) {
		usleep(100 * 1000);
		_exit(0);
	}
	t_bail_if(b < 0);
	is_int(loop_add_child(loop, b, on_child, NULL), 0);
	loop_forget_child(loop, b);
	end = mono_ms() + 5000;
	while (loop_child_count(loop) > 0 && mono_ms() < end)
		loop_run_once(loop, 100);
	is_int((int)loop_child_count(loop), 0);
	is_int(child_calls, 1);		/* nothing called for it */
	ok(waitpid(b, NULL, WNOHANG) < 0);	/* and no zombie left */
	loop_destroy(loop);
}

static int hook_calls;

static void
hook(void *arg)
{
	hook_calls++;
}

static void
before_sleep_runs_each_iteration(void)
{
	struct loop *loop = loop_create();

	hook_calls = 0;
	loop_set_before_sleep(loop, hook, NULL);
	loop_run_once(loop, 0);
	loop_run_once(loop, 0);
	is_int(hook_calls, 2);
	loop_destroy(loop);
}

static int64_t last_due;
static int out_of_order;

static void
check_order(struct timer *t, void *arg)
{
	if (t->due < last_due)
		out_of_order++;
	last_due = t->due;
}

static void
many_timers_stay_ordered(void)
{
	struct loop *loop = loop_create();
	static struct timer t[2000];
	int64_t end = mono_ms() + 3000;

	memset(t, 0, sizeof(t));
	last_due = 0;
	out_of_order = 0;
	for (int i = 0; i < 2000; i++)
		loop_timer_arm(loop, &t[i], (i * 7919) % 50, check_order, NULL);
	for (int i = 0; i < 2000; i += 3)
		loop_timer_cancel(loop, &t[i]);
	is_int(loop_timer_count(loop), 2000 - 667);
	while (loop_timer_count(loop) > 0 && mono_ms() < end)
		loop_run_once(loop, 10);
	is_int(loop_timer_count(loop), 0);
	is_int(out_of_order, 0);
	loop_destroy(loop);
}

#define TESTS(X) \
	X(timers_fire_in_due_order) \
	X(equal_dues_fire_in_arming_order) \
	X(cancel_and_rearm) \
	X(fds_wake_the_loop) \
	X(any_number_of_fds) \
	X(write_events_and_hangups) \
	X(children_are_reaped) \
	X(before_sleep_runs_each_iteration) \
	X(many_timers_stay_ordered)
T_MAIN(TESTS)
