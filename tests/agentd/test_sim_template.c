/*
 * Placeholders in sim scenarios (providers/sim_template.c): task fields
 * taken from the task, the arguments a tool call ran with (an operator's
 * edits included), and the checks made when a scenario is loaded. The demo
 * deploy scenario (examples/agents/scenarios/deploy.json) is read as it is.
 */
#include "t.h"
#include "t_json.h"
#include "providers/provider.h"
#include "providers/sim_template.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

#define DEPLOY_SCENARIO	TEST_DATA "/../../examples/agents/scenarios/deploy.json"

/* The task fields of the demo deploy scenario, or false. */
static bool
deploy_fields(struct sim_template *t)
{
	json_t *root = json_load_file(DEPLOY_SCENARIO, 0, NULL);
	char err[512];
	int r;

	if (root == NULL)
		return false;
	r = sim_template_parse(json_object_get(root, "task_fields"), "deploy.json",
	    t, err, sizeof(err));
	if (r != 0)
		printf("# %s\n", err);
	json_decref(root);
	return r == 0;
}

/* A conversation: the task, then the deploy call and the tool's @result
 * (NULL: not answered yet). */
static json_t *
conversation(const char *task, const char *result)
{
	json_t *m = json_pack("[{s:s, s:s}]", "role", "user", "content", task);

	if (result == NULL)
		return m;
	json_array_append_new(m, J("{'role':'assistant','content':'Rolling out',"
	    "'tool_calls':[{'id':'call_1_0','name':'deploy_service','arguments':"
	    "{'service':'cart-api','version':'v3.1.0','env':'staging',"
	    "'strategy':'canary','replicas':6}}]}"));
	json_array_append_new(m, json_pack("{s:s, s:s, s:s, s:s, s:b}", "role",
	    "tool", "tool_call_id", "call_1_0", "name", "deploy_service",
	    "content", result, "is_error", 0));
	return m;
}

/* @text expanded for @task and @result with the deploy scenario's fields. */
static char *
expand(const char *text, const char *task, const char *result)
{
	struct sim_template t;
	struct sim_template_vars v;
	json_t *m = conversation(task, result);
	char *s = NULL;

	if (deploy_fields(&t)) {
		sim_template_vars_init(&v, &t, m);
		s = sim_template_expand(&v, text);
		sim_template_vars_finish(&v);
		sim_template_finish(&t);
	}
	json_decref(m);
	return s;
}

static void
task_fields_come_from_the_task(void)
{
	static const struct { const char *task, *want; } cases[] = {
		{ "Roll out checkout-api v2.4.1 to production",
		    "checkout-api v2.4.1 production" },
		{ "Roll out cart-api v3.1.0 to staging", "cart-api v3.1.0 staging" },
		{ "please deploy payments.svc v10.0.12 on staging now",
		    "payments.svc v10.0.12 staging" },
		/* what the task does not say: the defaults */
		{ "Roll out checkout-api v2.4.1", "checkout-api v2.4.1 production" },
		{ "ship it", "checkout-api v2.4.1 production" },
		{ "Roll out, carefully, to staging", "checkout-api v2.4.1 staging" },
		{ "", "checkout-api v2.4.1 production" },
	};
	const char *text = "{{task.service}} {{task.version}} {{task.env}}";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = expand(text, cases[i].task, NULL);
		is_str(s, cases[i].want);
		free(s);
	}
}

static void
args_are_those_that_ran(void)
{
	const char *text = "{{args.service}} {{args.version}} is deployed to "
	    "{{args.env}} ({{args.strategy|default strategy}}, "
	    "{{args.replicas}} replicas).";
	char *s;

	/* the model's own arguments, once the call was answered */
	s = expand(text, "x", "{\"deployed\":true}");
	is_str(s, "cart-api v3.1.0 is deployed to staging (canary, 6 replicas).");
	free(s);
	/* an operator edited them: the tool result says so, as exec.c
	 * writes it */
	s = expand(text, "x", SIM_TEMPLATE_EDIT_NOTE "{\"env\":\"production\","
	    "\"service\":\"cart-api\",\"version\":\"v3.1.1\"} before the call; "
	    "result: {\"deployed\":true,\"replicas\":6}");
	is_str(s, "cart-api v3.1.1 is deployed to production (default strategy, "
	    "{{args.replicas}} replicas).");
	free(s);
	/* rejected: the call was not made, the arguments are the model's */
	s = expand(text, "x", "error: the call was not made: an operator "
	    "rejected it: freeze");
	is_str(s, "cart-api v3.1.0 is deployed to staging (canary, 6 replicas).");
	free(s);
	/* no call yet: left as written, or the fallback */
	s = expand("{{args.version}} / {{args.version|none}} / {{task.version}}",
	    "Roll out a v1.2.3", NULL);
	is_str(s, "{{args.version}} / none / v1.2.3");
	free(s);
	/* a note whose object cannot be read: the model's arguments */
	s = expand("{{args.version}}", "x", SIM_TEMPLATE_EDIT_NOTE "{oops");
	is_str(s, "v3.1.0");
	free(s);
	/* text without placeholders, and braces that are no placeholder
	 * pass through only when checked first (see below) */
	s = expand("plain { text }", "x", NULL);
	is_str(s, "plain { text }");
	free(s);
}

static void
tool_call_arguments_are_expanded(void)
{
	struct sim_template t;
	struct sim_template_vars v;
	json_t *m = conversation("Roll out cart-api v3.1.0 to staging", NULL);
	json_t *args = J("{'service':'{{task.service}}','env':'{{task.env}}',"
	    "'n':3,'tags':['{{task.version}}','fixed'],"
	    "'{{task.env}}':'a key stays'}");
	json_t *got, *want = J("{'service':'cart-api','env':'staging','n':3,"
	    "'tags':['v3.1.0','fixed'],'{{task.env}}':'a key stays'}");

	t_bail_if(!deploy_fields(&t) || args == NULL || want == NULL);
	sim_template_vars_init(&v, &t, m);
	got = sim_template_expand_json(&v, args);
	ok(json_equal(got, want));
	json_decref(got);
	sim_template_vars_finish(&v);
	sim_template_finish(&t);
	json_decref(args);
	json_decref(want);
	json_decref(m);
}

static void
bad_task_fields_are_named(void)
{
	static const struct { const char *fields, *err; } bad[] = {
		{ "[]", "f.json: task_fields must be an object" },
		{ "{'Service':{'pattern':'x'}}",
		    "f.json: task_fields: \"Service\" is not a field name" },
		{ "{'a':'x'}", "f.json: task_fields.a: must be an object, not a string" },
		{ "{'a':{}}", "f.json: task_fields.a: field \"pattern\" is required" },
		{ "{'a':{'pattern':1}}", "f.json: task_fields.a: field \"pattern\" must be a string" },
		{ "{'a':{'pattern':'x','colour':1}}", "f.json: task_fields.a: unknown field \"colour\"" },
		{ "{'a':{'pattern':'x','dflt':'y'}}", "dflt" },
		{ "{'a':{'pattern':'(x'}}",
		    "f.json: task_fields.a.pattern \"(x\" is not a POSIX extended regex" },
		{ "{'a':{'pattern':'x','default':5}}", "f.json: task_fields.a" },
		/* what would make regcomp take gigabytes (fuzz_spec) */
		{ "{'a':{'pattern':'v[0-9]+++++++++++++++++++++++++++++'}}",
		    "f.json: task_fields.a.pattern \"v[0-9]+++++++++++++++++++++++++++++\" "
		    "is refused: a quantifier right after another (\"+\" at byte 7)" },
		{ "{'a':{'pattern':'((a{255}){255}){255}'}}",
		    "is refused: repetition counts {n,m} are not allowed here" },
		{ "{'a':{'pattern':'(((((((((a+)+)+)+)+)+)+)+)+)'}}",
		    "is refused: groups nested deeper than 8" },
	};
	struct sim_template t;
	json_t *many = json_object();
	char err[512], name[8];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *f = J(bad[i].fields);

		err[0] = '\0';
		ok(f != NULL);
		is_int(sim_template_parse(f, "f.json", &t, err, sizeof(err)),
		    -EINVAL);
		has_str(err, bad[i].err);
		json_decref(f);
	}
	for (int i = 0; i <= SIM_TEMPLATE_MAX_FIELDS; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		json_object_set_new(many, name, json_pack("{s:s}", "pattern", "x"));
	}
	is_int(sim_template_parse(many, "f.json", &t, err, sizeof(err)), -EINVAL);
	has_str(err, "at most 16");
	json_decref(many);
	/* none is fine */
	is_int(sim_template_parse(NULL, "f.json", &t, err, sizeof(err)), 0);
	is_int(t.n_fields, 0);
	sim_template_finish(&t);
}

static void
bad_placeholders_are_named(void)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "hi {{task.nope}}", "here: {{task.nope}}: task_fields has no "
		    "field \"nope\"" },
		{ "{{tsak.env}}", "here: \"{{tsak.env}}\": a placeholder is" },
		{ "{{args.}}", "a placeholder is" },
		{ "{{args.version", "a placeholder is" },
		{ "{{task.env|x}}", "a placeholder is" },
		{ "{{ task.env }}", "a placeholder is" },
		{ "{{}}", "a placeholder is" },
	};
	static const char *const good[] = {
		"", "no placeholder", "{ one brace }", "{{task.env}}",
		"{{args.any-Name_1}} {{args.x|}} {{args.x|some text}}",
	};
	struct sim_template t;
	json_t *args;
	char err[512];

	t_bail_if(!deploy_fields(&t));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		is_int(sim_template_check(&t, bad[i].text, "here", err, sizeof(err)),
		    -EINVAL);
		has_str(err, bad[i].err);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		is_int(sim_template_check(&t, good[i], "here", err, sizeof(err)), 0);
	args = J("{'a':['ok','{{task.oops}}']}");
	is_int(sim_template_check_json(&t, args, "here", err, sizeof(err)),
	    -EINVAL);
	has_str(err, "{{task.oops}}");
	json_decref(args);
	sim_template_finish(&t);
}

static void
scenarios_are_checked_at_load(void)
{
	json_t *ok_s = json_load_file(DEPLOY_SCENARIO, 0, NULL);
	json_t *bad_s = J("{'task_fields':{'env':{'pattern':'(a|b)'}},'turns':["
	    "{'text':'x','tool_calls':[{'name':'t','arguments':"
	    "{'e':'{{task.envv}}'}}]},{'text':'done'}]}");
	json_t *bad_text = J("{'turns':[{'text':'{{task.env}}'}]}");
	char err[512];

	t_bail_if(ok_s == NULL || bad_s == NULL || bad_text == NULL);
	is_int(sim_scenario_validate(ok_s, "deploy.json", err, sizeof(err)), 0);
	is_int(sim_scenario_validate(bad_s, "s.json", err, sizeof(err)), -EINVAL);
	has_str(err, "s.json: turns[0].tool_calls[0]: {{task.envv}}: task_fields "
	    "has no field \"envv\"");
	is_int(sim_scenario_validate(bad_text, "s.json", err, sizeof(err)),
	    -EINVAL);
	has_str(err, "s.json: turns[0]: {{task.env}}");
	json_decref(ok_s);
	json_decref(bad_s);
	json_decref(bad_text);
}

#define TESTS(X) \
	X(task_fields_come_from_the_task) X(args_are_those_that_ran) \
	X(tool_call_arguments_are_expanded) X(bad_task_fields_are_named) \
	X(bad_placeholders_are_named) X(scenarios_are_checked_at_load)
T_MAIN(TESTS)
