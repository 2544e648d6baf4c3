/* Agent specs, tool definitions, builtins and the pricing table. */
#include "t.h"
#include "agent.h"
#include "pricing.h"
#include "tools/tool.h"

#include <jansson.h>
#include <stdlib.h>

static int
parse(const char *text, struct agent **out, char *err, size_t errlen)
{
	json_t *spec = json_loads(text, 0, NULL);
	int r;

	if (spec == NULL)
		return -1;
	r = agent_parse(spec, "x.json", out, err, errlen);
	json_decref(spec);
	return r;
}

static void
minimal_spec_gets_defaults(void)
{
	struct agent *a = NULL;
	char err[600];

	t_bail_if(parse("{\"name\":\"a\",\"model\":\"sim:a\"}", &a, err,
	    sizeof(err)) != 0);
	is_str(a->name, "a");
	is_int(a->max_tokens, 1024);
	is_int(a->n_tools, 0);
	is_int(a->deadline_ms[TOOL_RISK_CRITICAL], 15 * 60 * 1000);
	agent_unref(a);
}

static void
bad_specs_name_the_problem(void)
{
	static const struct {
		const char *spec;
		const char *message;
	} cases[] = {
		{ "{\"model\":\"sim:a\"}", "name" },
		{ "{\"name\":\"a\",\"model\":\"gpt\"}", "provider:name" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"pattern\":\"swarm\"}", "swarm" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"colour\":1}", "colour" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"budget\":{\"gold\":1}}", "budget: unknown budget kind \"gold\"" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"builtin\":\"rm_rf\"}]}", "tools[0]: unknown builtin tool \"rm_rf\"" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"name\":\"t\",\"kind\":\"sim\"}]}", "tools[0]: input_schema is required" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"name\":\"t\",\"kind\":\"sim\",\"input_schema\":{},\"risk\":\"spicy\"}]}", "risk \"spicy\"" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"builtin\":\"echo\"},{\"builtin\":\"echo\"}]}", "tools[1]: tool \"echo\" is defined twice" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"name\":\"bad name\",\"kind\":\"sim\",\"input_schema\":{}}]}", "\"name\" must be" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"escalation\":{\"deadline_s\":{\"urgent\":5}}}", "\"urgent\" is not a risk level" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"loop_guard\":{\"max_repeats\":1}}", "2..1000" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"name\":\"t\",\"kind\":\"sim\",\"input_schema\":{},\"timeout_ms\":-5}]}", "timeout_ms" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":[{\"builtin\":\"echo\",\"kind\":\"sim\"}]}", "contradict" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"loop_guard\":{\"max_repeats\":-1}}", "loop_guard" },
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"max_tokens\":0}", "max_tokens" },
	};
	struct agent *a;
	char err[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = NULL;
		err[0] = '\0';
		ok(parse(cases[i].spec, &a, err, sizeof(err)) != 0);
		ok(a == NULL);
		has_str(err, "x.json");
		has_str(err, cases[i].message);
	}
}

static void
tool_defs_from_builtins_and_sim(void)
{
	struct agent *a = NULL;
	const struct tool_def *t;
	char err[600];

	t_bail_if(parse("{\"name\":\"a\",\"model\":\"sim:a\",\"tools\":["
	    "{\"builtin\":\"calc\",\"risk\":\"medium\"},"
	    "{\"name\":\"pay\",\"kind\":\"sim\",\"risk\":\"critical\","
	    "\"side_effects\":true,\"timeout_ms\":500,\"input_schema\":{\"type\":"
	    "\"object\"},\"sim\":{\"error\":\"declined\",\"latency_ms\":5}}]}",
	    &a, err, sizeof(err)) != 0);
	t = agent_find_tool(a, "calc");
	t_bail_if(t == NULL);
	is_int(t->risk, TOOL_RISK_MEDIUM);
	ok(t->idempotent);
	ok(!t->side_effects);
	t = agent_find_tool(a, "pay");
	t_bail_if(t == NULL);
	ok(!t->idempotent);	/* side effects: not idempotent unless said */
	is_int(t->timeout_ms, 500);
	is_str(t->sim_error, "declined");
	is_int(json_array_size(a->tools_json), 2);
	agent_unref(a);
}

static json_t *
run_builtin(const char *name, const char *args_text, char **error)
{
	const struct builtin_tool *b = builtin_find(name);
	json_t *args = json_loads(args_text, 0, NULL), *out;
	struct tool_env env = { .jail_dir = TEST_DATA };
	struct tool_result res = { 0 };

	b->run(args, &env, &res);
	out = json_incref(res.output);
	*error = res.error ? strdup(res.error) : NULL;
	tool_result_finish(&res);
	json_decref(args);
	return out;
}

static void
builtins_work(void)
{
	char *error;
	json_t *out;

	out = run_builtin("calc", "{\"expression\":\"(1+2)*3 - 4/2 ^ 1\"}", &error);
	ok(out != NULL && json_real_value(json_object_get(out, "value")) == 7);
	json_decref(out);
	out = run_builtin("calc", "{\"expression\":\"1/0\"}", &error);
	ok(out == NULL);
	has_str(error, "division by zero");
	free(error);
	out = run_builtin("calc", "{\"expression\":\"2 +\"}", &error);
	has_str(error, "calc:");
	free(error);
	json_decref(out);
	out = run_builtin("text_stats", "{\"text\":\"héllo wörld\\nbye\"}", &error);
	is_int(json_integer_value(json_object_get(out, "words")), 3);
	is_int(json_integer_value(json_object_get(out, "lines")), 2);
	is_int(json_integer_value(json_object_get(out, "chars")), 15);
	json_decref(out);
	out = run_builtin("file_read", "{\"path\":\"agents/quick.json\"}", &error);
	has_str(json_string_value(json_object_get(out, "content")), "\"quick\"");
	json_decref(out);
	out = run_builtin("file_read", "{\"path\":\"../meson.build\"}", &error);
	ok(out == NULL);
	has_str(error, "\"..\"");
	free(error);
	out = run_builtin("file_read", "{\"path\":\"/etc/passwd\"}", &error);
	ok(out == NULL);
	free(error);
	out = run_builtin("sleep", "{\"ms\":250}", &error);
	is_int(json_integer_value(json_object_get(out, "slept_ms")), 250);
	json_decref(out);
}

static void
pricing_lookup_and_unknown(void)
{
	struct pricing *p;
	struct price price;
	char err[300];

	t_bail_if(pricing_load(TEST_DATA "/agents/pricing.json", &p, err,
	    sizeof(err)) != 0);
	ok(pricing_find(p, "sim:anything", &price));
	ok(price.input_per_mtok == 3.0);
	ok(!pricing_find(p, "openai:gpt-4o", &price));
	ok(price_cost(&price, 1e6, 0) == price.input_per_mtok);
	ok(pricing_first_miss(p, "openai:gpt-4o"));
	ok(!pricing_first_miss(p, "openai:gpt-4o"));
	ok(pricing_first_miss(p, "anthropic:claude"));
	/* bounded: client-chosen names cannot grow it without end */
	{
		char name[32];
		int firsts = 0;
		for (int i = 0; i < PRICING_MISSES_MAX + 10; i++) {
			snprintf(name, sizeof(name), "x:m%d", i);
			firsts += pricing_first_miss(p, name);
		}
		is_int(firsts, PRICING_MISSES_MAX - 2);
	}
	pricing_destroy(p);
	ok(pricing_load(TEST_DATA "/agents/quick.json", &p, err, sizeof(err)) != 0);
	has_str(err, "quick.json");
}

#define TESTS(X) \
	X(minimal_spec_gets_defaults) \
	X(bad_specs_name_the_problem) \
	X(tool_defs_from_builtins_and_sim) \
	X(builtins_work) \
	X(pricing_lookup_and_unknown)
T_MAIN(TESTS)
