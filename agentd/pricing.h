/*
 * The pricing table: a data file mapping models to US dollars per million
 * tokens in and out. {"models": {"sim:*": {"input_per_mtok": 3, "output_per_mtok": 15}}}
 * Lookup tries the exact "provider:name", then "provider:*". A model with no
 * entry has an unknown cost (never zero).
 */
#ifndef AGENTD_PRICING_H
#define AGENTD_PRICING_H

#include <stdbool.h>
#include <stddef.h>

struct pricing;

struct price {
	double input_per_mtok;
	double output_per_mtok;
};

/* Loads @path; errors name the file and the model. */
int pricing_load(const char *path, struct pricing **out, char *err,
    size_t errlen);
struct pricing *pricing_create_empty(void);
void pricing_destroy(struct pricing *p);
/* false when the model has no price. */
bool pricing_find(const struct pricing *p, const char *model, struct price *out);
/* True the first time @model is reported here: for a once-per-model
 * warning that its costs are unknown. After PRICING_MISSES_MAX models
 * have been reported, false for any new one. */
#define PRICING_MISSES_MAX 1000
bool pricing_first_miss(struct pricing *p, const char *model);
double price_cost(const struct price *price, double tokens_in, double tokens_out);

#endif
