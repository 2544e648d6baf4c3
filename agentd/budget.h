/*
 * Budgets: pure accounting, no I/O. A run has a limit and a usage for each
 * kind; a limit of 0 means "no limit". Calls are checked before they are
 * made against their worst case, so a run never overshoots a limit by more
 * than the one call in flight.
 */
#ifndef AGENTD_BUDGET_H
#define AGENTD_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct json_t;

enum budget_kind {
	BUDGET_LLM_CALLS,
	BUDGET_TOOL_CALLS,
	BUDGET_TOKENS_IN,
	BUDGET_TOKENS_OUT,
	BUDGET_WALL_MS,
	BUDGET_COST_USD,
	BUDGET__COUNT
};

/* One number per kind. Cost is in US dollars; the rest are counts. */
struct budget_amounts {
	double v[BUDGET__COUNT];
};

#define BUDGET_WARN_50	0x1
#define BUDGET_WARN_80	0x2

struct budget {
	struct budget_amounts limit;	/* 0: no limit */
	struct budget_amounts used;
	unsigned warned[BUDGET__COUNT];	/* BUDGET_WARN_* already reported */
	bool cost_unknown;		/* a call had no price: cost is a floor */
};

/* A threshold crossed by a charge. */
struct budget_crossing {
	enum budget_kind kind;
	int level;			/* 50, 80 or 100 (exceeded) */
};

const char *budget_kind_name(enum budget_kind kind);	/* "llm_calls"… */
int budget_kind_from_name(const char *name, enum budget_kind *out);

/*
 * Would a call whose worst case is @worst cross a limit? Returns true and
 * sets *kind to the first kind that would go over.
 */
bool budget_would_exceed(const struct budget *b,
    const struct budget_amounts *worst, enum budget_kind *kind);

/*
 * Adds @delta to the usage and reports thresholds crossed for the first time
 * (each 50/80 warning once per kind; 100 whenever usage is over a limit).
 * Writes at most BUDGET__COUNT * 3 crossings; returns how many.
 */
int budget_charge(struct budget *b, const struct budget_amounts *delta,
    struct budget_crossing *out);

/* Fraction of the limit used for @kind (0 when there is no limit). */
double budget_fraction(const struct budget *b, enum budget_kind kind);

/* JSON {"llm_calls":…, …} of @a; a new reference. Counts as integers. */
struct json_t *budget_amounts_to_json(const struct budget_amounts *a);
/*
 * Reads known kinds from a JSON object into @a (missing kinds unchanged).
 * Counts are JSON integers (5, not 5.0), cost_usd any number, all >= 0.
 * Unknown keys or other values are errors described in @errbuf, naming the
 * kind. Returns 0 or -EINVAL.
 */
int budget_amounts_from_json(const struct json_t *obj, struct budget_amounts *a,
    char *errbuf, size_t errlen);

#endif
