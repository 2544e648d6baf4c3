#include "t.h"
#include "providers/ratelimit.h"

static void
no_limits_always_go(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 0, 0, 0);
	for (int i = 0; i < 1000; i++)
		ok(ratelimit_acquire(&rl, &w, 1e9, 0));
	is_int(rl.n_waiting, 0);
	is_int(ratelimit_wait_ms(&rl, 0), -1);
	ok(ratelimit_pop_ready(&rl, 0) == NULL);
	ratelimit_adjust(&rl, 1e6, 0);		/* no token bucket: no-op */
	ok(rl.tokens == 0);
}

static void
rpm_bucket_refills_one_a_second(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 60, 0, 0);
	for (int i = 0; i < 60; i++)
		ok(ratelimit_acquire(&rl, &w, 0, 0));
	ok(!ratelimit_acquire(&rl, &w, 0, 0));
	ok(w.queued);
	is_int(rl.n_waiting, 1);
	is_int(ratelimit_wait_ms(&rl, 0), 1000);
	is_int(ratelimit_wait_ms(&rl, 400), 600);
	ok(ratelimit_pop_ready(&rl, 999) == NULL);
	ok(ratelimit_pop_ready(&rl, 1000) == &w);
	ok(!w.queued);
	ok(w.next == NULL);
	is_int(rl.n_waiting, 0);
	ok(rl.head == NULL && rl.tail == NULL);
	is_int(ratelimit_wait_ms(&rl, 1000), -1);
}

/* How long the head waits after @calls calls (the first of them with
 * @used tokens) drained the buckets; and it goes then, not a ms before. */
static void
wait_ms_table(void)
{
	static const struct {
		double rpm, tpm;
		int calls;
		double used, head;
		int64_t want;
	} cases[] = {
		{ 60, 0, 60, 0, 0, 1000 },
		{ 7, 0, 7, 0, 0, 8572 },		/* 8571.43 rounds up */
		{ 0, 6000, 1, 6000, 1, 10 },		/* 0.1 token a ms */
		{ 0, 6000, 1, 5000, 2000, 10000 },
		{ 0, 6000, 1, 1, 10000, 10 },		/* larger: waits for full */
		{ 0, 6000, 1, 10000, 10, 40100 },	/* after one larger went */
		{ 60, 6000, 60, 6000, 3000, 30000 },	/* the longer of the two */
		{ 60, 6000, 60, 5999, 1, 1000 },
		{ 1, 60000, 1, 0, 1, 60000 },
		{ 0, 1e9, 1, 1e9, 1e9, 60000 },		/* big numbers stay exact */
		{ 0, 1e12, 1, 1e12, 1, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ratelimit rl;
		struct rl_waiter w = { 0 }, prior = { 0 };
		int64_t got;

		ratelimit_init(&rl, cases[i].rpm, cases[i].tpm, 0);
		for (int k = 0; k < cases[i].calls; k++)
			ok(ratelimit_acquire(&rl, &prior, k == 0 ? cases[i].used : 0, 0));
		ok(!ratelimit_acquire(&rl, &w, cases[i].head, 0));
		got = ratelimit_wait_ms(&rl, 0);
		if (got != cases[i].want)
			T_DIAG("case %zu: wait %lld, want %lld", i, (long long)got,
			    (long long)cases[i].want);
		if (cases[i].want > 1 &&
		    ratelimit_pop_ready(&rl, cases[i].want - 1) != NULL)
			T_DIAG("case %zu: head went early", i);
		if (ratelimit_pop_ready(&rl, cases[i].want) != &w)
			T_DIAG("case %zu: head did not go at %lld", i,
			    (long long)cases[i].want);
	}
}

static void
fifo_head_blocks_smaller_calls(void)
{
	struct ratelimit rl;
	struct rl_waiter a = { 0 }, w1 = { 0 }, w2 = { 0 };

	ratelimit_init(&rl, 0, 6000, 0);
	ok(ratelimit_acquire(&rl, &a, 5500, 0));	/* 500 left */
	ok(!ratelimit_acquire(&rl, &w1, 1000, 0));
	ok(!ratelimit_acquire(&rl, &w2, 100, 0));	/* would fit: queues */
	is_int(rl.n_waiting, 2);
	ok(rl.head == &w1 && rl.tail == &w2 && w1.next == &w2);
	ok(ratelimit_pop_ready(&rl, 100) == NULL);	/* w2 is not let by */
	is_int(ratelimit_wait_ms(&rl, 0), 5000);
	ok(ratelimit_pop_ready(&rl, 5000) == &w1);
	ok(ratelimit_pop_ready(&rl, 5000) == NULL);	/* bucket empty again */
	is_int(ratelimit_wait_ms(&rl, 5000), 1000);
	ok(ratelimit_pop_ready(&rl, 6000) == &w2);
	ok(ratelimit_pop_ready(&rl, 6000) == NULL);
	is_int(rl.n_waiting, 0);
}

static void
several_ready_pop_in_order(void)
{
	struct ratelimit rl;
	struct rl_waiter w[5] = { { 0 } };

	ratelimit_init(&rl, 60, 0, 0);
	for (int i = 0; i < 60; i++)
		ok(ratelimit_acquire(&rl, &w[0], 0, 0));
	for (int i = 0; i < 5; i++)
		ok(!ratelimit_acquire(&rl, &w[i], 0, 0));
	/* 3.5 s later three have refilled */
	ok(ratelimit_pop_ready(&rl, 3500) == &w[0]);
	ok(ratelimit_pop_ready(&rl, 3500) == &w[1]);
	ok(ratelimit_pop_ready(&rl, 3500) == &w[2]);
	ok(ratelimit_pop_ready(&rl, 3500) == NULL);
	is_int(ratelimit_wait_ms(&rl, 3500), 500);
	is_int(rl.n_waiting, 2);
}

static void
larger_than_bucket_goes_when_full(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 }, x = { 0 };

	ratelimit_init(&rl, 0, 6000, 0);
	ok(ratelimit_acquire(&rl, &w, 10000, 0));	/* full: goes */
	ok(rl.tokens == -4000);
	ok(!ratelimit_acquire(&rl, &x, 10000, 0));
	/* from -4000 to full 6000 at 0.1 a ms */
	is_int(ratelimit_wait_ms(&rl, 0), 100000);
	ok(ratelimit_pop_ready(&rl, 99999) == NULL);
	ok(ratelimit_pop_ready(&rl, 100000) == &x);
	ok(rl.tokens == -4000);
}

static void
refill_never_passes_capacity(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 10, 1000, 0);
	ok(ratelimit_acquire(&rl, &w, 500, 0));
	ok(ratelimit_acquire(&rl, &w, 0, 10000000));
	ok(rl.requests <= 10);
	ok(rl.tokens <= 1000);
	ok(rl.tokens == 1000);
	is_int(rl.refilled_at, 10000000);
}

static void
clock_going_back_changes_nothing(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 60, 0, 1000);
	for (int i = 0; i < 60; i++)
		ok(ratelimit_acquire(&rl, &w, 0, 1000));
	ok(!ratelimit_acquire(&rl, &w, 0, 500));
	is_int(rl.refilled_at, 1000);
	/* from its own time: it may go at 2000 */
	is_int(ratelimit_wait_ms(&rl, 500), 1500);
	ok(ratelimit_pop_ready(&rl, 2000) == &w);
}

static void
cancel_head_middle_tail(void)
{
	struct ratelimit rl;
	struct rl_waiter a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, free_w = { 0 };

	ratelimit_init(&rl, 1, 0, 0);
	ok(ratelimit_acquire(&rl, &free_w, 0, 0));
	ok(!ratelimit_acquire(&rl, &a, 0, 0));
	ok(!ratelimit_acquire(&rl, &b, 0, 0));
	ok(!ratelimit_acquire(&rl, &c, 0, 0));
	ratelimit_cancel(&rl, &b);		/* middle */
	ok(!b.queued && b.next == NULL);
	ok(a.next == &c);
	is_int(rl.n_waiting, 2);
	ratelimit_cancel(&rl, &c);		/* tail */
	ok(rl.tail == &a && a.next == NULL);
	ok(!ratelimit_acquire(&rl, &d, 0, 0));	/* appends after the new tail */
	ok(a.next == &d && rl.tail == &d);
	ratelimit_cancel(&rl, &a);		/* head */
	ok(rl.head == &d);
	ratelimit_cancel(&rl, &a);		/* not queued: no-op */
	ratelimit_cancel(&rl, &free_w);
	is_int(rl.n_waiting, 1);
	ratelimit_cancel(&rl, &d);
	ok(rl.head == NULL && rl.tail == NULL);
	is_int(rl.n_waiting, 0);
	is_int(ratelimit_wait_ms(&rl, 0), -1);
	/* empty queue: a new call goes at once when it fits */
	ok(ratelimit_acquire(&rl, &a, 0, 60000));
}

static void
adjust_takes_and_gives_back(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 0, 6000, 0);
	ok(ratelimit_acquire(&rl, &w, 1000, 0));
	ratelimit_adjust(&rl, 2000, 0);		/* used more than charged */
	ok(rl.tokens == 3000);
	ratelimit_adjust(&rl, 10000, 0);		/* may go below zero */
	ok(rl.tokens == -7000);
	ratelimit_adjust(&rl, -5000, 0);		/* given back */
	ok(rl.tokens == -2000);
	ratelimit_adjust(&rl, -1e9, 0);		/* no more than full */
	ok(rl.tokens == 6000);
	ratelimit_adjust(&rl, 600, 0);
	ratelimit_adjust(&rl, 0, 1000);		/* refills first: +100 */
	ok(rl.tokens == 5500);
}

static void
negative_token_estimate_counts_as_zero(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 0, 100, 0);
	ok(ratelimit_acquire(&rl, &w, -50, 0));
	ok(rl.tokens == 100);
	ratelimit_init(&rl, -5, -5, 0);		/* negative limits: none */
	ok(rl.rpm == 0 && rl.tpm == 0);
	ok(ratelimit_acquire(&rl, &w, 1e12, 0));
}

#define TESTS(X) \
	X(no_limits_always_go) \
	X(rpm_bucket_refills_one_a_second) \
	X(wait_ms_table) \
	X(fifo_head_blocks_smaller_calls) \
	X(several_ready_pop_in_order) \
	X(larger_than_bucket_goes_when_full) \
	X(refill_never_passes_capacity) \
	X(clock_going_back_changes_nothing) \
	X(cancel_head_middle_tail) \
	X(adjust_takes_and_gives_back) \
	X(negative_token_estimate_counts_as_zero)
T_MAIN(TESTS)
