/*
 * The circuit breaker (breaker.h). Pure state: every function takes the
 * time, none reads a clock.
 */
#include <stddef.h>

#include "providers/breaker.h"

/* While a half-open probe is in flight nothing else may start and no time
 * is known at which that changes: callers look again after this long (the
 * probe's outcome normally wakes them first). */
#define PROBE_RECHECK_MS 100

static void
set_state(struct breaker *b, enum breaker_state state, int64_t now)
{
	b->state = state;
	b->changed_at = now;
	b->failures = 0;
	b->successes = 0;
	b->probing = false;
	if (state == BREAKER_OPEN)
		b->opened_at = now;
}

void
breaker_init(struct breaker *b, const struct breaker_config *cfg, int64_t now)
{
	*b = (struct breaker){
		.cfg = *cfg,
		.state = BREAKER_CLOSED,
		.changed_at = now,
	};
	if (b->cfg.failures < 1)
		b->cfg.failures = 1;
	if (b->cfg.probes < 1)
		b->cfg.probes = 1;
	if (b->cfg.cooldown_ms < 0)
		b->cfg.cooldown_ms = 0;
}

bool
breaker_allow(struct breaker *b, int64_t now, bool *changed,
    enum breaker_state *from)
{
	if (changed != NULL)
		*changed = false;
	switch (b->state) {
	case BREAKER_CLOSED:
		return true;
	case BREAKER_OPEN:
		if (now - b->opened_at < b->cfg.cooldown_ms)
			return false;
		set_state(b, BREAKER_HALF_OPEN, now);
		b->probing = true;
		if (changed != NULL)
			*changed = true;
		if (from != NULL)
			*from = BREAKER_OPEN;
		return true;
	case BREAKER_HALF_OPEN:
		if (b->probing)
			return false;
		b->probing = true;
		return true;
	}
	return false;
}

int64_t
breaker_wait_ms(const struct breaker *b, int64_t now)
{
	int64_t left;

	switch (b->state) {
	case BREAKER_CLOSED:
		return 0;
	case BREAKER_OPEN:
		left = b->opened_at + b->cfg.cooldown_ms - now;
		return left > 0 ? left : 0;
	case BREAKER_HALF_OPEN:
		/* one probe at a time: while it runs, look again soon */
		return b->probing ? PROBE_RECHECK_MS : 0;
	}
	return 0;
}

/*
 * In half-open any outcome counts as the probe's, even one of a call that
 * started before the breaker opened: it is news about the endpoint all the
 * same. Outcomes that arrive while open only count in the totals.
 */
bool
breaker_record(struct breaker *b, bool ok, int64_t now,
    enum breaker_state *from)
{
	enum breaker_state old = b->state;

	if (ok)
		b->total_successes++;
	else
		b->total_failures++;
	switch (b->state) {
	case BREAKER_CLOSED:
		if (ok)
			b->failures = 0;
		else if (++b->failures >= b->cfg.failures)
			set_state(b, BREAKER_OPEN, now);
		break;
	case BREAKER_OPEN:
		break;
	case BREAKER_HALF_OPEN:
		b->probing = false;
		if (!ok)
			set_state(b, BREAKER_OPEN, now);
		else if (++b->successes >= b->cfg.probes)
			set_state(b, BREAKER_CLOSED, now);
		break;
	}
	if (b->state == old)
		return false;
	if (from != NULL)
		*from = old;
	return true;
}

void
breaker_release(struct breaker *b)
{
	if (b->state == BREAKER_HALF_OPEN)
		b->probing = false;
}

const char *
breaker_state_name(enum breaker_state state)
{
	switch (state) {
	case BREAKER_CLOSED:
		return "closed";
	case BREAKER_OPEN:
		return "open";
	case BREAKER_HALF_OPEN:
		return "half_open";
	}
	return "unknown";
}
