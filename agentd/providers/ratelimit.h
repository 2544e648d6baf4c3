/*
 * Rate limits per provider endpoint: requests per minute and tokens per
 * minute, as token buckets that refill continuously at the limit's rate. A
 * bucket holds six seconds' allowance (RATELIMIT_BURST_MS; at least one
 * request or token), so a burst of a tenth of the minute's limit goes at
 * once, the rest is spread evenly: providers enforce per-minute limits over
 * shorter windows. Calls that cannot go now wait in a FIFO queue: the
 * head goes first even when a smaller call behind it would fit, so no call
 * waits forever. Pure state (time is an argument); the provider arms a
 * timer for ratelimit_wait_ms() and pops ready waiters.
 */
#ifndef AGENTD_RATELIMIT_H
#define AGENTD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a full bucket holds: this many ms of its limit. */
#define RATELIMIT_BURST_MS 6000

struct rl_waiter {
	struct rl_waiter *next;		/* queue link */
	double tokens;			/* tokens the call will use */
	bool queued;
	void *arg;			/* the caller's */
};

struct ratelimit {
	double rpm, tpm;		/* limits per minute; 0: none */
	double requests_cap, tokens_cap; /* what a full bucket holds */
	double requests, tokens;	/* what the buckets hold now */
	int64_t refilled_at;		/* ms */
	struct rl_waiter *head, *tail;
	size_t n_waiting;
};

/* Full buckets at @now; limits <= 0 (or NaN) mean none. */
void ratelimit_init(struct ratelimit *rl, double rpm, double tpm, int64_t now);
/* Takes one request and @tokens now and returns true, or queues @w (which
 * must stay valid until popped or cancelled) and returns false. A call that
 * finds others waiting queues behind them. A call larger than a whole
 * bucket goes when the bucket is full. */
bool ratelimit_acquire(struct ratelimit *rl, struct rl_waiter *w,
    double tokens, int64_t now);
/* The head of the queue if it may go at @now (its share is taken and it
 * leaves the queue), else NULL. Call until NULL. */
struct rl_waiter *ratelimit_pop_ready(struct ratelimit *rl, int64_t now);
/* Ms until the head may go; -1 when nobody waits. */
int64_t ratelimit_wait_ms(struct ratelimit *rl, int64_t now);
/* Takes @w out of the queue (no-op when it is not queued). */
void ratelimit_cancel(struct ratelimit *rl, struct rl_waiter *w);
/* Corrects a call's token charge once its real usage is known (@delta may
 * be negative: tokens given back). */
void ratelimit_adjust(struct ratelimit *rl, double delta, int64_t now);
/* Gives back the request and @tokens of a call that took its share but
 * sent nothing (cancelled, refused by the breaker). */
void ratelimit_refund(struct ratelimit *rl, double tokens, int64_t now);

#endif
