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
	ok(rl.requests_cap == 6);		/* six seconds' worth */
	for (int i = 0; i < 6; i++)
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
		{ 60, 0, 6, 0, 0, 1000 },		/* bucket of 6 */
		{ 7, 0, 1, 0, 0, 8572 },		/* bucket of 1; 8571.43 rounds up */
		{ 15, 0, 1, 0, 0, 2000 },		/* bucket of 1.5: 0.5 left */
		{ 0, 6000, 1, 600, 1, 10 },		/* 0.1 token a ms */
		{ 0, 6000, 1, 500, 200, 1000 },
		{ 0, 6000, 1, 1, 10000, 10 },		/* larger: waits for full */
		{ 0, 6000, 1, 10000, 10, 94100 },	/* after one larger went */
		{ 0, 5, 1, 1, 1, 12000 },		/* bucket of 1 token */
		{ 60, 6000, 6, 600, 300, 3000 },	/* the longer of the two */
		{ 60, 6000, 6, 599, 1, 1000 },
		{ 1, 60000, 1, 0, 1, 60000 },		/* bucket of 1 request */
		{ 0, 1e9, 1, 1e9, 1e9, 60000 },		/* big numbers stay exact */
		{ 0, 1e12, 1, 1e11, 1, 1 },
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

/* A tenth of the minute's limit goes at once, the rest one by one at the
 * limit's rate; a quiet spell refills no more than the bucket. */
static void
burst_then_spread_evenly(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };
	int64_t t;

	ratelimit_init(&rl, 600, 60000, 0);
	ok(rl.requests_cap == 600.0 * RATELIMIT_BURST_MS / 60000);
	ok(rl.requests_cap == 60 && rl.tokens_cap == 6000);
	ok(rl.requests == 60 && rl.tokens == 6000);
	for (int i = 0; i < 60; i++)
		ok(ratelimit_acquire(&rl, &w, 10, 0));
	ok(!ratelimit_acquire(&rl, &w, 10, 0));
	/* one request every 100 ms from then on */
	for (t = 100; t <= 1000; t += 100) {
		is_int(ratelimit_wait_ms(&rl, t - 100), 100);
		ok(ratelimit_pop_ready(&rl, t - 1) == NULL);
		ok(ratelimit_pop_ready(&rl, t) == &w);
		ok(!ratelimit_acquire(&rl, &w, 10, t));
	}
	ratelimit_cancel(&rl, &w);
	/* a minute of quiet refills six seconds' worth, not a minute's */
	for (int i = 0; i < 60; i++)
		ok(ratelimit_acquire(&rl, &w, 0, 61000));
	ok(!ratelimit_acquire(&rl, &w, 0, 61000));
	is_int(ratelimit_wait_ms(&rl, 61000), 100);
}

/* Small limits still let one request, or one token, go. */
static void
small_limits_hold_one(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 3, 5, 0);
	ok(rl.requests_cap == 1 && rl.tokens_cap == 1);
	ok(rl.requests == 1 && rl.tokens == 1);
	ok(ratelimit_acquire(&rl, &w, 1, 0));
	ok(!ratelimit_acquire(&rl, &w, 1, 0));
	/* a request per 20 s is the longer wait than a token per 12 s */
	is_int(ratelimit_wait_ms(&rl, 0), 20000);
	ok(ratelimit_pop_ready(&rl, 19999) == NULL);
	ok(ratelimit_pop_ready(&rl, 20000) == &w);
	ok(rl.requests == 0 && rl.tokens == 0);	/* both were full at 1 */
}

static void
fifo_head_blocks_smaller_calls(void)
{
	struct ratelimit rl;
	struct rl_waiter a = { 0 }, w1 = { 0 }, w2 = { 0 };

	ratelimit_init(&rl, 0, 6000, 0);		/* bucket of 600 */
	ok(ratelimit_acquire(&rl, &a, 550, 0));	/* 50 left */
	ok(!ratelimit_acquire(&rl, &w1, 100, 0));
	ok(!ratelimit_acquire(&rl, &w2, 10, 0));	/* would fit: queues */
	is_int(rl.n_waiting, 2);
	ok(rl.head == &w1 && rl.tail == &w2 && w1.next == &w2);
	ok(ratelimit_pop_ready(&rl, 100) == NULL);	/* w2 is not let by */
	is_int(ratelimit_wait_ms(&rl, 0), 500);
	ok(ratelimit_pop_ready(&rl, 499) == NULL);
	ok(ratelimit_pop_ready(&rl, 500) == &w1);
	ok(ratelimit_pop_ready(&rl, 500) == NULL);	/* bucket empty again */
	is_int(ratelimit_wait_ms(&rl, 500), 100);
	ok(ratelimit_pop_ready(&rl, 600) == &w2);
	ok(ratelimit_pop_ready(&rl, 600) == NULL);
	is_int(rl.n_waiting, 0);
}

static void
several_ready_pop_in_order(void)
{
	struct ratelimit rl;
	struct rl_waiter w[5] = { { 0 } };

	ratelimit_init(&rl, 60, 0, 0);
	for (int i = 0; i < 6; i++)
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

	ratelimit_init(&rl, 0, 6000, 0);		/* bucket of 600 */
	ok(ratelimit_acquire(&rl, &w, 10000, 0));	/* full: goes */
	ok(rl.tokens == -9400);
	ok(!ratelimit_acquire(&rl, &x, 10000, 0));
	/* from -9400 to full 600 at 0.1 a ms */
	is_int(ratelimit_wait_ms(&rl, 0), 100000);
	ok(ratelimit_pop_ready(&rl, 99999) == NULL);
	ok(ratelimit_pop_ready(&rl, 100000) == &x);
	ok(rl.tokens == -9400);
}

static void
refill_never_passes_capacity(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 10, 1000, 0);		/* buckets of 1 and 100 */
	ok(rl.requests_cap == 1 && rl.tokens_cap == 100);
	ok(ratelimit_acquire(&rl, &w, 50, 0));
	ok(!ratelimit_acquire(&rl, &w, 0, 1));	/* no second request */
	ratelimit_cancel(&rl, &w);
	ok(ratelimit_acquire(&rl, &w, 0, 10000000));
	ok(rl.requests <= 1);
	ok(rl.requests == 0);			/* refilled to 1, took 1 */
	ok(rl.tokens <= 100);
	ok(rl.tokens == 100);
	is_int(rl.refilled_at, 10000000);
}

static void
clock_going_back_changes_nothing(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 60, 0, 1000);
	for (int i = 0; i < 6; i++)
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

	ratelimit_init(&rl, 0, 6000, 0);		/* bucket of 600 */
	ok(ratelimit_acquire(&rl, &w, 100, 0));
	ratelimit_adjust(&rl, 200, 0);		/* used more than charged */
	ok(rl.tokens == 300);
	ratelimit_adjust(&rl, 1000, 0);		/* may go below zero */
	ok(rl.tokens == -700);
	ratelimit_adjust(&rl, -500, 0);		/* given back */
	ok(rl.tokens == -200);
	ratelimit_adjust(&rl, -1e9, 0);		/* no more than full */
	ok(rl.tokens == 600);
	ratelimit_adjust(&rl, 150, 0);
	ratelimit_adjust(&rl, 0, 1000);		/* refills first: +100 */
	ok(rl.tokens == 550);
}

/* A call that took its share and sent nothing gives back its request and
 * its tokens, no more than a full bucket; the next call may go at once. */
static void
refund_gives_back_an_unsent_share(void)
{
	struct ratelimit rl;
	struct rl_waiter a = { 0 }, b = { 0 };

	ratelimit_init(&rl, 10, 6000, 0);	/* 1 request, 600 tokens */
	ok(ratelimit_acquire(&rl, &a, 400, 0));
	ok(!ratelimit_acquire(&rl, &b, 100, 0));
	ratelimit_cancel(&rl, &b);
	ratelimit_refund(&rl, 400, 0);
	ok(rl.requests == 1);
	ok(rl.tokens == 600);
	ok(ratelimit_acquire(&rl, &b, 100, 0));
	ratelimit_refund(&rl, 1e9, 0);		/* no more than full */
	ok(rl.requests == 1);
	ok(rl.tokens == 600);
	ratelimit_init(&rl, 0, 0, 0);		/* no limits: no-op */
	ratelimit_refund(&rl, 10, 0);
	ok(rl.requests == 0 && rl.tokens == 0);
}

static void
negative_token_estimate_counts_as_zero(void)
{
	struct ratelimit rl;
	struct rl_waiter w = { 0 };

	ratelimit_init(&rl, 0, 100, 0);		/* bucket of 10 */
	ok(ratelimit_acquire(&rl, &w, -50, 0));
	ok(rl.tokens == 10);
	ratelimit_init(&rl, -5, -5, 0);		/* negative limits: none */
	ok(rl.rpm == 0 && rl.tpm == 0);
	ok(ratelimit_acquire(&rl, &w, 1e12, 0));
}

#define TESTS(X) \
	X(no_limits_always_go) \
	X(rpm_bucket_refills_one_a_second) \
	X(wait_ms_table) \
	X(burst_then_spread_evenly) \
	X(small_limits_hold_one) \
	X(fifo_head_blocks_smaller_calls) \
	X(several_ready_pop_in_order) \
	X(larger_than_bucket_goes_when_full) \
	X(refill_never_passes_capacity) \
	X(clock_going_back_changes_nothing) \
	X(cancel_head_middle_tail) \
	X(adjust_takes_and_gives_back) \
	X(refund_gives_back_an_unsent_share) \
	X(negative_token_estimate_counts_as_zero)
T_MAIN(TESTS)
