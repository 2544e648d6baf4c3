#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "budget.h"
#include "jsonin.h"

static const char *const kind_names[BUDGET__COUNT] = {
	[BUDGET_LLM_CALLS] = "llm_calls",
	[BUDGET_TOOL_CALLS] = "tool_calls",
	[BUDGET_TOKENS_IN] = "tokens_in",
	[BUDGET_TOKENS_OUT] = "tokens_out",
	[BUDGET_WALL_MS] = "wall_ms",
	[BUDGET_COST_USD] = "cost_usd",
};

const char *
budget_kind_name(enum budget_kind kind)
{
	return (unsigned)kind < BUDGET__COUNT ? kind_names[kind] : "unknown";
}

int
budget_kind_from_name(const char *name, enum budget_kind *out)
{
	for (int k = 0; k < BUDGET__COUNT; k++) {
		if (strcmp(name, kind_names[k]) == 0) {
			*out = (enum budget_kind)k;
			return 0;
		}
	}
	return -EINVAL;
}

bool
budget_would_exceed(const struct budget *b, const struct budget_amounts *worst,
    enum budget_kind *kind)
{
	for (int k = 0; k < BUDGET__COUNT; k++) {
		double limit = b->limit.v[k];
		/* a tiny epsilon so that float sums of cost compare sanely */
		if (limit > 0 && b->used.v[k] + worst->v[k] > limit * (1 + 1e-12)) {
			*kind = (enum budget_kind)k;
			return true;
		}
	}
	return false;
}

int
budget_charge(struct budget *b, const struct budget_amounts *delta,
    struct budget_crossing *out)
{
	int n = 0;

	for (int k = 0; k < BUDGET__COUNT; k++) {
		double limit = b->limit.v[k], used;

		b->used.v[k] += delta->v[k];
		used = b->used.v[k];
		if (limit <= 0)
			continue;
		if (used >= 0.5 * limit && !(b->warned[k] & BUDGET_WARN_50)) {
			b->warned[k] |= BUDGET_WARN_50;
			out[n++] = (struct budget_crossing){ (enum budget_kind)k, 50 };
		}
		if (used >= 0.8 * limit && !(b->warned[k] & BUDGET_WARN_80)) {
			b->warned[k] |= BUDGET_WARN_80;
			out[n++] = (struct budget_crossing){ (enum budget_kind)k, 80 };
		}
		if (used > limit * (1 + 1e-12))
			out[n++] = (struct budget_crossing){ (enum budget_kind)k, 100 };
	}
	return n;
}

double
budget_fraction(const struct budget *b, enum budget_kind kind)
{
	double limit = b->limit.v[kind];

	return limit > 0 ? b->used.v[kind] / limit : 0;
}

json_t *
budget_amounts_to_json(const struct budget_amounts *a)
{
	json_t *obj = json_object();

	for (int k = 0; k < BUDGET__COUNT; k++) {
		if (k == BUDGET_COST_USD)
			json_object_set_new(obj, kind_names[k],
			    json_real(round(a->v[k] * 1e6) / 1e6));
		else
			json_object_set_new(obj, kind_names[k],
			    json_integer((json_int_t)llround(a->v[k])));
	}
	return obj;
}

int
budget_amounts_from_json(const json_t *obj, struct budget_amounts *a,
    char *errbuf, size_t errlen)
{
	const char *key;
	json_t *value;
	enum budget_kind kind;

	char quoted[100];

	if (!json_is_object(obj)) {
		snprintf(errbuf, errlen, "must be an object, not %s",
		    jsonin_type_name(obj));
		return -EINVAL;
	}
	json_object_foreach((json_t *)obj, key, value) {
		if (budget_kind_from_name(key, &kind) != 0) {
			jsonin_quote(key, 64, quoted, sizeof(quoted));
			snprintf(errbuf, errlen, "unknown budget kind %s (known: "
			    "llm_calls, tool_calls, tokens_in, tokens_out, wall_ms, "
			    "cost_usd)", quoted);
			return -EINVAL;
		}
		/* counts are integers as the docs say; only dollars have
		 * fractions */
		if (kind != BUDGET_COST_USD && !json_is_integer(value)) {
			snprintf(errbuf, errlen, "field \"%s\" must be an integer "
			    ">= 0, not %s", key, jsonin_type_name(value));
			return -EINVAL;
		}
		if (!json_is_number(value)) {
			snprintf(errbuf, errlen, "field \"%s\" must be a number >= 0, "
			    "not %s", key, jsonin_type_name(value));
			return -EINVAL;
		}
		if (json_number_value(value) < 0 ||
		    !isfinite(json_number_value(value))) {
			snprintf(errbuf, errlen, "field \"%s\" must be >= 0", key);
			return -EINVAL;
		}
		a->v[kind] = json_number_value(value);
	}
	return 0;
}
