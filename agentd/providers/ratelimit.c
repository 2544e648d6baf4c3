/*
 * Token buckets for requests and tokens per minute (ratelimit.h). Pure
 * state: every function takes the time, none reads a clock.
 */
#include <math.h>

#include "providers/ratelimit.h"

#define MS_PER_MIN 60000.0
/* Float refill sums may fall short of the need by rounding; a bucket of
 * @cap this close to it counts as enough. */
static double
slack(double cap)
{
	return 1e-9 + cap * 1e-15;
}

/* What a full bucket of @limit per minute holds: RATELIMIT_BURST_MS of it,
 * at least 1 (a call of one request, or one token, can always go). */
static double
capacity(double limit)
{
	return fmax(1, limit / (MS_PER_MIN / RATELIMIT_BURST_MS));
}

/* Adds what flowed in since refilled_at; a full bucket stays full. */
static void
refill(struct ratelimit *rl, int64_t now)
{
	double dt;

	if (now <= rl->refilled_at)
		return;		/* no time passed (or the clock went back) */
	dt = (double)(now - rl->refilled_at);
	if (rl->rpm > 0)
		rl->requests = fmin(rl->requests_cap,
		    rl->requests + dt * rl->rpm / MS_PER_MIN);
	if (rl->tpm > 0)
		rl->tokens = fmin(rl->tokens_cap,
		    rl->tokens + dt * rl->tpm / MS_PER_MIN);
	rl->refilled_at = now;
}

/* What a bucket of @cap must hold for a call of @want: a call larger than
 * the whole bucket waits for a full one. */
static double
need(double want, double cap)
{
	return want < cap ? want : cap;
}

static bool
fits(const struct ratelimit *rl, double tokens)
{
	if (rl->rpm > 0 && rl->requests + slack(rl->requests_cap) <
	    need(1, rl->requests_cap))
		return false;
	if (rl->tpm > 0 && rl->tokens + slack(rl->tokens_cap) <
	    need(tokens, rl->tokens_cap))
		return false;
	return true;
}

static void
take(struct ratelimit *rl, double tokens)
{
	if (rl->rpm > 0)
		rl->requests -= 1;
	if (rl->tpm > 0)
		rl->tokens -= tokens;	/* may go below 0: a call larger than the bucket */
}

void
ratelimit_init(struct ratelimit *rl, double rpm, double tpm, int64_t now)
{
	*rl = (struct ratelimit){
		.rpm = rpm > 0 ? rpm : 0,
		.tpm = tpm > 0 ? tpm : 0,
		.refilled_at = now,
	};
	rl->requests_cap = rl->rpm > 0 ? capacity(rl->rpm) : 0;
	rl->tokens_cap = rl->tpm > 0 ? capacity(rl->tpm) : 0;
	rl->requests = rl->requests_cap;
	rl->tokens = rl->tokens_cap;
}

bool
ratelimit_acquire(struct ratelimit *rl, struct rl_waiter *w, double tokens,
    int64_t now)
{
	if (!(tokens > 0))
		tokens = 0;	/* negative or NaN */
	refill(rl, now);
	if (rl->head == NULL && fits(rl, tokens)) {
		take(rl, tokens);
		return true;
	}
	w->next = NULL;
	w->tokens = tokens;
	w->queued = true;
	if (rl->tail != NULL)
		rl->tail->next = w;
	else
		rl->head = w;
	rl->tail = w;
	rl->n_waiting++;
	return false;
}

struct rl_waiter *
ratelimit_pop_ready(struct ratelimit *rl, int64_t now)
{
	struct rl_waiter *w = rl->head;

	refill(rl, now);
	if (w == NULL || !fits(rl, w->tokens))
		return NULL;
	take(rl, w->tokens);
	rl->head = w->next;
	if (rl->head == NULL)
		rl->tail = NULL;
	rl->n_waiting--;
	w->next = NULL;
	w->queued = false;
	return w;
}

/* Ms until a bucket of @cap refilling at @limit per minute and holding
 * @level has @want. */
static int64_t
wait_for(double level, double want, double cap, double limit)
{
	double ms;

	if (limit <= 0 || level + slack(cap) >= want)
		return 0;
	ms = ceil((want - level) * MS_PER_MIN / limit);
	return ms < 1 ? 1 : (int64_t)ms;
}

int64_t
ratelimit_wait_ms(struct ratelimit *rl, int64_t now)
{
	int64_t a, b;

	if (rl->head == NULL)
		return -1;
	refill(rl, now);
	a = wait_for(rl->requests, need(1, rl->requests_cap), rl->requests_cap,
	    rl->rpm);
	b = wait_for(rl->tokens, need(rl->head->tokens, rl->tokens_cap),
	    rl->tokens_cap, rl->tpm);
	if (a < b)
		a = b;
	/* the levels are as of refilled_at, which a clock that went back
	 * has not reached yet */
	if (a > 0 && now < rl->refilled_at)
		a += rl->refilled_at - now;
	return a;
}

void
ratelimit_cancel(struct ratelimit *rl, struct rl_waiter *w)
{
	struct rl_waiter **pp, *prev = NULL;

	if (!w->queued)
		return;
	for (pp = &rl->head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
		if (*pp != w)
			continue;
		*pp = w->next;
		if (rl->tail == w)
			rl->tail = prev;
		rl->n_waiting--;
		break;
	}
	w->next = NULL;
	w->queued = false;
}

void
ratelimit_adjust(struct ratelimit *rl, double delta, int64_t now)
{
	if (rl->tpm <= 0 || isnan(delta))
		return;
	refill(rl, now);
	/* more used than charged takes from the bucket, less gives back */
	rl->tokens = fmin(rl->tokens_cap, rl->tokens - delta);
}

void
ratelimit_refund(struct ratelimit *rl, double tokens, int64_t now)
{
	refill(rl, now);
	if (rl->rpm > 0)
		rl->requests = fmin(rl->requests_cap, rl->requests + 1);
	if (rl->tpm > 0 && !isnan(tokens))
		rl->tokens = fmin(rl->tokens_cap, rl->tokens + tokens);
}
