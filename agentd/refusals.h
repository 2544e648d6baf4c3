/*
 * Refused mutating requests, recorded within bounds: the first few of each
 * peer uid in an interval in full (audit row, event), the rest only
 * counted per (uid, op, error) and summed up once per interval. A viewer
 * sending refused requests in a loop costs a counter, not storage.
 * Pure state: the caller records and publishes.
 */
#ifndef AGENTD_REFUSALS_H
#define AGENTD_REFUSALS_H

#include <stdbool.h>
#include <stdint.h>

#define REFUSALS_INTERVAL_MS	60000	/* one summary per key per interval */
#define REFUSALS_FULL		5	/* recorded in full per uid per interval */
#define REFUSALS_KEYS		256	/* (uid, op, error) counted per interval */

struct refusal_count {
	uint32_t uid;
	char op[32];
	char error[24];
	int64_t n;			/* refused and not recorded in full */
};

struct refusals {
	int64_t interval_start;		/* ms; 0: nothing counted yet */
	struct refusal_count keys[REFUSALS_KEYS];
	int n_keys;
	int64_t overflow;		/* counted when every key was taken */
	struct { uint32_t uid; int n; } full[REFUSALS_KEYS];
	int n_full;
};

/* Counts one refusal at @now (ms). Returns true if it is to be recorded
 * in full (and @may_store: the database takes writes), false if it was
 * only counted. */
bool refusals_note(struct refusals *r, uint32_t uid, const char *op,
    const char *error, bool may_store, int64_t now);

/* Calls @fn for each count of the interval (the overflow as uid
 * UINT32_MAX, op "*", error "*"), then starts a new interval. */
void refusals_drain(struct refusals *r, int64_t now,
    void (*fn)(void *arg, const struct refusal_count *c), void *arg);

#endif
