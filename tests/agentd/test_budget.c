#include "t.h"
#include "budget.h"

#include <jansson.h>

static void
precheck_refuses_worst_case_over_limit(void)
{
	struct budget b = { 0 };
	struct budget_amounts worst = { 0 };
	enum budget_kind kind;

	b.limit.v[BUDGET_COST_USD] = 1.0;
	b.used.v[BUDGET_COST_USD] = 0.7;
	worst.v[BUDGET_COST_USD] = 0.3;
	ok(!budget_would_exceed(&b, &worst, &kind));	/* exactly at the limit */
	worst.v[BUDGET_COST_USD] = 0.31;
	ok(budget_would_exceed(&b, &worst, &kind));
	is_int(kind, BUDGET_COST_USD);
}

static void
zero_limit_means_unlimited(void)
{
	struct budget b = { 0 };
	struct budget_amounts worst = { 0 };
	struct budget_crossing c[BUDGET__COUNT * 3];
	enum budget_kind kind;

	worst.v[BUDGET_TOKENS_IN] = 1e12;
	ok(!budget_would_exceed(&b, &worst, &kind));
	is_int(budget_charge(&b, &worst, c), 0);
	ok(budget_fraction(&b, BUDGET_TOKENS_IN) == 0);
}

static void
warnings_once_each_then_exceeded(void)
{
	struct budget b = { 0 };
	struct budget_amounts one = { 0 };
	struct budget_crossing c[BUDGET__COUNT * 3];
	int levels[4] = { 0 }, n;

	b.limit.v[BUDGET_LLM_CALLS] = 10;
	one.v[BUDGET_LLM_CALLS] = 1;
	for (int i = 1; i <= 11; i++) {
		n = budget_charge(&b, &one, c);
		if (i == 5) { is_int(n, 1); is_int(c[0].level, 50); levels[0]++; }
		else if (i == 8) { is_int(n, 1); is_int(c[0].level, 80); levels[1]++; }
		else if (i == 11) { is_int(n, 1); is_int(c[0].level, 100); levels[2]++; }
		else is_int(n, 0);
	}
	is_int(levels[0] + levels[1] + levels[2], 3);
}

static void
one_charge_can_cross_all_levels(void)
{
	struct budget b = { 0 };
	struct budget_amounts big = { 0 };
	struct budget_crossing c[BUDGET__COUNT * 3];

	b.limit.v[BUDGET_TOKENS_OUT] = 100;
	big.v[BUDGET_TOKENS_OUT] = 150;
	is_int(budget_charge(&b, &big, c), 3);
	is_int(c[0].level, 50);
	is_int(c[1].level, 80);
	is_int(c[2].level, 100);
	is_int(c[2].kind, BUDGET_TOKENS_OUT);
}

static void
json_round_trip_and_errors(void)
{
	struct budget_amounts a = { 0 }, back = { 0 };
	char err[200];
	json_t *j;

	a.v[BUDGET_LLM_CALLS] = 7;
	a.v[BUDGET_COST_USD] = 0.125;
	j = budget_amounts_to_json(&a);
	is_int(budget_amounts_from_json(j, &back, err, sizeof(err)), 0);
	ok(back.v[BUDGET_LLM_CALLS] == 7);
	ok(back.v[BUDGET_COST_USD] == 0.125);
	json_decref(j);
	j = json_pack("{s:i}", "dollars", 3);
	ok(budget_amounts_from_json(j, &back, err, sizeof(err)) != 0);
	has_str(err, "unknown budget kind \"dollars\"");
	json_decref(j);
	j = json_pack("{s:i}", "tool_calls", -1);
	ok(budget_amounts_from_json(j, &back, err, sizeof(err)) != 0);
	has_str(err, "tool_calls");
	json_decref(j);
}

/* The docs say counts are integers: 1.0 is not one. */
static void
counts_must_be_json_integers(void)
{
	static const struct {
		const char *json;
		const char *message;	/* NULL: accepted */
	} cases[] = {
		{ "{\"tokens_in\": 1.0}",
		  "field \"tokens_in\" must be an integer >= 0, not a decimal number" },
		{ "{\"llm_calls\": 2.5}",
		  "field \"llm_calls\" must be an integer >= 0, not a decimal number" },
		{ "{\"wall_ms\": \"60000\"}",
		  "field \"wall_ms\" must be an integer >= 0, not a string" },
		{ "{\"tool_calls\": true}",
		  "field \"tool_calls\" must be an integer >= 0, not true" },
		{ "{\"tokens_out\": -1}", "field \"tokens_out\" must be >= 0" },
		{ "{\"cost_usd\": \"0.5\"}",
		  "field \"cost_usd\" must be a number >= 0, not a string" },
		{ "{\"cost_usd\": -0.5}", "field \"cost_usd\" must be >= 0" },
		{ "[]", "must be an object, not an array" },
		{ "{\"tokens_in\": 100, \"cost_usd\": 0.5, \"wall_ms\": 0}", NULL },
		{ "{\"cost_usd\": 1}", NULL },
	};
	struct budget_amounts a = { 0 };
	char err[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		err[0] = '\0';
		printf("# case %zu\n", i);
		t_bail_if(j == NULL);
		if (cases[i].message == NULL) {
			is_int(budget_amounts_from_json(j, &a, err, sizeof(err)), 0);
		} else {
			ok(budget_amounts_from_json(j, &a, err, sizeof(err)) != 0);
			is_str(err, cases[i].message);
		}
		json_decref(j);
	}
	ok(a.v[BUDGET_TOKENS_IN] == 100);
	ok(a.v[BUDGET_COST_USD] == 1);
}

#define TESTS(X) \
	X(precheck_refuses_worst_case_over_limit) \
	X(zero_limit_means_unlimited) \
	X(warnings_once_each_then_exceeded) \
	X(one_charge_can_cross_all_levels) \
	X(json_round_trip_and_errors) \
	X(counts_must_be_json_integers)
T_MAIN(TESTS)
