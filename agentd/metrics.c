#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonin.h"
#include "metrics.h"

static const struct figure {
	const char *name;		/* as in thresholds.json and health */
	const char *unit;
	enum threshold_dir dir;
	double fallback;		/* threshold when the file says nothing */
} figures[5] = {
	{ "p95_step_latency_ms", "ms", ABOVE_IS_BAD, 10000 },
	{ "tool_success_rate", "ratio", BELOW_IS_BAD, 0.95 },
	{ "cost_per_run_usd", "usd", ABOVE_IS_BAD, 0.50 },
	{ "loop_rate", "ratio", ABOVE_IS_BAD, 0.05 },
	{ "p95_escalation_wait_ms", "ms", ABOVE_IS_BAD, 600000 },
};

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < 5; i++)
		m->threshold[i] = figures[i].fallback;
}

void
metrics_add(struct ring *r, double v)
{
	r->v[r->next] = v;
	r->next = (r->next + 1) % METRICS_WINDOW;
	if (r->n < METRICS_WINDOW)
		r->n++;
}

static int
compare_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

double
ring_quantile(const struct ring *r, double q)
{
	double sorted[METRICS_WINDOW];
	size_t i;

	if (r->n == 0)
		return -1;
	memcpy(sorted, r->v, r->n * sizeof(double));
	qsort(sorted, r->n, sizeof(double), compare_double);
	/* nearest rank */
	i = (size_t)(q * (double)r->n + 0.999999);
	return sorted[i == 0 ? 0 : (i > r->n ? r->n : i) - 1];
}

double
ring_mean(const struct ring *r)
{
	double sum = 0;

	if (r->n == 0)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		sum += r->v[i];
	return sum / (double)r->n;
}

int
metrics_load_thresholds(struct metrics *m, const char *path, char *err,
    size_t errlen)
{
	json_t *root, *v;
	const char *key;
	size_t i;
	int r;

	/* a regular file, never blocking, bounded (a FIFO must not hang) */
	if ((r = jsonin_load_file(path, 1024 * 1024, "a thresholds file", &root,
	    err, errlen)) != 0)
		return r == -ENOENT ? 0 : r;	/* no file: the defaults */
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: must be an object of thresholds", path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, key, v) {
		for (i = 0; i < 5 && strcmp(key, figures[i].name) != 0; i++)
			;
		if (i == 5 || !json_is_number(v) || json_number_value(v) < 0) {
			snprintf(err, errlen, "%s: \"%s\": %s", path, key, i == 5 ?
			    "unknown threshold (p95_step_latency_ms, tool_success_rate, "
			    "cost_per_run_usd, loop_rate, p95_escalation_wait_ms)" :
			    "must be a number >= 0");
			json_decref(root);
			return -EINVAL;
		}
		m->threshold[i] = json_number_value(v);
	}
	json_decref(root);
	return 0;
}

json_t *
metrics_to_json(const struct metrics *m)
{
	const struct ring *rings[5] = { &m->step_latency_ms, &m->tool_ok,
	    &m->run_cost_usd, &m->run_looped, &m->escalation_wait_ms };
	json_t *out = json_array();

	for (size_t i = 0; i < 5; i++) {
		bool quantile = figures[i].name[0] == 'p';
		double v = quantile ? ring_quantile(rings[i], 0.95) :
		    ring_mean(rings[i]);
		bool crossed = v >= 0 && (figures[i].dir == ABOVE_IS_BAD ?
		    v > m->threshold[i] : v < m->threshold[i]);

		json_array_append_new(out, json_pack("{s:s, s:o, s:f, s:s, s:s,"
		    " s:b, s:I}", "name", figures[i].name,
		    "value", v >= 0 ? json_real(v) : json_null(),
		    "threshold", m->threshold[i], "unit", figures[i].unit,
		    "bad_when", figures[i].dir == ABOVE_IS_BAD ? "above" : "below",
		    "crossed", crossed, "samples", (json_int_t)rings[i]->n));
	}
	return out;
}
