#include "t.h"
#include "loop.h"
#include "util.h"

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
on_fd(int fd, void *arg)
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
	loop_add_fd(loop, p[0], on_fd, NULL);
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
	X(before_sleep_runs_each_iteration) \
	X(many_timers_stay_ordered)
T_MAIN(TESTS)
