/* Bounded record of refused requests (see refusals.h). */
#include <stdint.h>
#include <string.h>

#include "refusals.h"
#include "util.h"

static void
start_interval(struct refusals *r, int64_t now)
{
	r->interval_start = now;
	r->n_keys = 0;
	r->n_full = 0;
	r->overflow = 0;
}

/* How many of @uid's refusals were recorded in full this interval; the
 * slot is taken if there is room (else the uid is over its share). */
static int *
full_slot(struct refusals *r, uint32_t uid)
{
	for (int i = 0; i < r->n_full; i++)
		if (r->full[i].uid == uid)
			return &r->full[i].n;
	if (r->n_full == REFUSALS_KEYS)
		return NULL;
	r->full[r->n_full].uid = uid;
	r->full[r->n_full].n = 0;
	return &r->full[r->n_full++].n;
}

static void
count(struct refusals *r, uint32_t uid, const char *op, const char *error)
{
	for (int i = 0; i < r->n_keys; i++) {
		struct refusal_count *c = &r->keys[i];
		if (c->uid == uid && strcmp(c->op, op) == 0 &&
		    strcmp(c->error, error) == 0) {
			c->n++;
			return;
		}
	}
	if (r->n_keys == REFUSALS_KEYS) {
		r->overflow++;
		return;
	}
	r->keys[r->n_keys].uid = uid;
	copy_str(r->keys[r->n_keys].op, sizeof(r->keys[0].op), op);
	copy_str(r->keys[r->n_keys].error, sizeof(r->keys[0].error), error);
	r->keys[r->n_keys++].n = 1;
}

bool
refusals_note(struct refusals *r, uint32_t uid, const char *op,
    const char *error, bool may_store, int64_t now)
{
	int *full;

	/* a new interval once the last is over, unless counts of it still
	 * wait for their summary (refusals_drain starts the next one) */
	if (r->interval_start == 0 || now < r->interval_start ||
	    (now - r->interval_start >= REFUSALS_INTERVAL_MS &&
	    r->n_keys == 0 && r->overflow == 0))
		start_interval(r, now);
	full = full_slot(r, uid);
	if (may_store && full != NULL && *full < REFUSALS_FULL) {
		(*full)++;
		return true;
	}
	count(r, uid, op, error);
	return false;
}

void
refusals_drain(struct refusals *r, int64_t now,
    void (*fn)(void *arg, const struct refusal_count *c), void *arg)
{
	for (int i = 0; i < r->n_keys; i++)
		fn(arg, &r->keys[i]);
	if (r->overflow > 0) {
		struct refusal_count c = { .uid = UINT32_MAX, .op = "*",
		    .error = "*", .n = r->overflow };
		fn(arg, &c);
	}
	start_interval(r, now);
}
