/*
 * The production figures operators alert on, over rolling windows of the
 * most recent samples (kept in memory, reset at a restart): P95 step
 * latency, tool-call success rate, cost per run, loop rate, escalation
 * wait. Each is reported against a threshold from thresholds.json in the
 * agents directory. Pure: no I/O but loading that file.
 */
#ifndef AGENTD_METRICS_H
#define AGENTD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;

#define METRICS_WINDOW	1000	/* samples kept per figure */

struct ring {
	double v[METRICS_WINDOW];
	size_t n, next;
};

enum threshold_dir { ABOVE_IS_BAD, BELOW_IS_BAD };

struct metrics {
	struct ring step_latency_ms;	/* model calls that succeeded */
	struct ring tool_ok;		/* 1 ok, 0 error/timeout */
	struct ring run_cost_usd;	/* finished runs with a known cost */
	struct ring run_looped;		/* finished runs: 1 stopped by the loop guard */
	struct ring escalation_wait_ms;	/* decided escalations */
	double threshold[5];		/* per figure, in the order above */
};

void metrics_init(struct metrics *m);
void metrics_add(struct ring *r, double v);
/*
 * Reads thresholds from @path (missing file: the defaults). Errors name
 * the file and key. Returns 0 or -EINVAL.
 */
int metrics_load_thresholds(struct metrics *m, const char *path, char *err,
    size_t errlen);
/* [{name, value|null, threshold, unit, bad_when, crossed, samples}]: new. */
struct json_t *metrics_to_json(const struct metrics *m);
/* The @q quantile (0..1) of a ring, or -1 if empty. */
double ring_quantile(const struct ring *r, double q);
double ring_mean(const struct ring *r);

#endif
