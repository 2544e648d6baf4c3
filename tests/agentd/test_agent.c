/* Agent specs, tool definitions, builtins and the pricing table; loading
 * the agents directory; the wording of JSON errors. */
#include "t.h"
#include "agent.h"
#include "jsonin.h"
#include "pricing.h"
#include "providers/provider.h"
#include "tools/tool.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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
		{ "{\"name\":\"a\",\"model\":\"sim:a\",\"pattern\":\"swarm\"}", "pattern \"swarm\" is not supported by this agentd (supported: react)" },
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


/* jansson's own words must never reach an operator */
static void
no_library_words(const char *err)
{
	static const char *const words[] = {
		"Expected ", "left unpacked", "JSON_", "Object item not found",
		"got string", "got integer", "got real",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(err, words[i]) != NULL)
			T_DIAG("\"%s\" has jansson's words \"%s\"", err, words[i]);
}

#define SPEC(rest) "{\"name\":\"a\",\"model\":\"sim:a\"" rest "}"

static void
spec_type_errors_name_the_field(void)
{
	static const struct {
		const char *spec;
		const char *message;
	} cases[] = {
		{ "{\"name\":1,\"model\":\"sim:a\"}",
		  "x.json: field \"name\" must be a string, not an integer" },
		{ "{\"name\":\"a\"}", "x.json: field \"model\" is required" },
		{ SPEC(",\"max_tokens\":\"5\""),
		  "x.json: field \"max_tokens\" must be an integer, not a string" },
		{ SPEC(",\"max_tokens\":5.0"),
		  "x.json: field \"max_tokens\" must be an integer, not a decimal number" },
		{ SPEC(",\"description\":null"),
		  "x.json: field \"description\" must be a string, not null" },
		{ SPEC(",\"colour\":1"),
		  "x.json: unknown field \"colour\" (known: name, description, "
		  "pattern, model, system, max_tokens, budget, tools, escalation, "
		  "loop_guard, max_invalid_args, routing, llm_timeout_ms, truncation)" },
		{ SPEC(",\"colour\":1,\"size\":2"),
		  "x.json: unknown fields \"colour\", \"size\" (known: " },
		{ SPEC(",\"tools\":[{\"builtin\":\"echo\",\"timeout_ms\":\"9\"}]"),
		  "x.json: tools[0]: field \"timeout_ms\" must be an integer, not a string" },
		{ SPEC(",\"tools\":[{\"builtin\":\"echo\"},{\"builtin\":\"calc\",\"idempotent\":1}]"),
		  "x.json: tools[1]: field \"idempotent\" must be true or false, not an integer" },
		{ SPEC(",\"tools\":[{\"name\":\"t\",\"kind\":\"sim\",\"input_schema\":{},\"sim\":{\"latency_ms\":\"1\"}}]"),
		  "x.json: tools[0].sim: field \"latency_ms\" must be an integer, not a string" },
		{ SPEC(",\"tools\":[{\"name\":\"t\",\"kind\":\"sim\",\"input_schema\":{},\"sim\":{\"delay\":1}}]"),
		  "x.json: tools[0].sim: unknown field \"delay\" (known: output, error, latency_ms)" },
		{ SPEC(",\"tools\":[\"echo\"]"),
		  "x.json: tools[0]: must be an object, not a string" },
		{ SPEC(",\"tools\":{}"),
		  "x.json: field \"tools\" must be an array, not an object" },
		{ SPEC(",\"routing\":{\"model\":5}"),
		  "x.json: routing: field \"model\" must be a string, not an integer" },
		{ SPEC(",\"loop_guard\":{\"max_repeats\":true}"),
		  "x.json: loop_guard: field \"max_repeats\" must be an integer, not true" },
		{ SPEC(",\"loop_guard\":{}"),
		  "x.json: loop_guard: field \"max_repeats\" is required" },
		{ SPEC(",\"escalation\":{\"deadline_s\":{\"high\":\"10\"}}"),
		  "x.json: escalation.deadline_s: field \"high\" must be an integer, not a string" },
		{ SPEC(",\"escalation\":{\"deadline\":1}"),
		  "x.json: escalation: unknown field \"deadline\" (known: deadline_s)" },
		{ SPEC(",\"budget\":{\"tokens_in\":1.0}"),
		  "x.json: budget: field \"tokens_in\" must be an integer >= 0, not a decimal number" },
		{ SPEC(",\"budget\":{\"llm_calls\":\"3\"}"),
		  "x.json: budget: field \"llm_calls\" must be an integer >= 0, not a string" },
		{ SPEC(",\"budget\":{\"cost_usd\":\"0.1\"}"),
		  "x.json: budget: field \"cost_usd\" must be a number >= 0, not a string" },
		{ SPEC(",\"budget\":[]"), "x.json: budget: must be an object, not an array" },
		{ SPEC(",\"model\":\"gpt\\u001b[2J\""),
		  "x.json: model \"gpt\\u001b[2J\" must be provider:name" },
		{ SPEC(",\"truncation\":{\"policy\":\"retry\"}"),
		  "x.json: truncation: policy \"retry\" is not one of \"continue\", \"fail\"" },
		{ SPEC(",\"truncation\":{\"max_continues\":0}"),
		  "x.json: truncation: max_continues must be 1..10 (policy \"fail\" continues none)" },
		{ SPEC(",\"truncation\":{\"max_continues\":-5}"),
		  "x.json: truncation: max_continues must be 1..10" },
		{ SPEC(",\"truncation\":{\"policy\":\"fail\",\"max_continues\":-3}"),
		  "x.json: truncation: max_continues is for policy \"continue\"" },
		{ SPEC(",\"truncation\":{\"max_continues\":11}"),
		  "x.json: truncation: max_continues must be 1..10" },
		{ SPEC(",\"truncation\":{\"policy\":\"fail\",\"max_continues\":2}"),
		  "x.json: truncation: max_continues is for policy \"continue\", not \"fail\"" },
		{ SPEC(",\"truncation\":{\"policy\":\"fail\",\"max\":2}"),
		  "x.json: truncation: unknown field \"max\" (known: policy, max_continues)" },
		{ SPEC(",\"truncation\":\"fail\""),
		  "x.json: truncation: must be an object, not a string" },
		{ "[1]", "x.json: must be an object, not an array" },
	};
	struct agent *a;
	char err[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *spec = json_loads(cases[i].spec, 0, NULL);
		a = NULL;
		err[0] = '\0';
		printf("# case %zu\n", i);
		t_bail_if(spec == NULL);
		ok(agent_parse(spec, "x.json", &a, err, sizeof(err)) != 0);
		ok(a == NULL);
		ok(strncmp(err, cases[i].message, strlen(cases[i].message)) == 0);
		if (strncmp(err, cases[i].message, strlen(cases[i].message)) != 0)
			T_DIAG("got  \"%s\"\n# want \"%s\"", err, cases[i].message);
		no_library_words(err);
		json_decref(spec);
	}
}

static void
scenario_type_errors_name_the_field(void)
{
	static const struct {
		const char *scenario;
		const char *message;
	} cases[] = {
		{ "{\"turns\":[{\"text\":\"a\",\"tokens_in\":\"12\"}]}",
		  "s.json: turns[0]: field \"tokens_in\" must be an integer, not a string" },
		{ "{\"turns\":[{\"text\":\"a\",\"latency_ms\":1.5}]}",
		  "s.json: turns[0]: field \"latency_ms\" must be an integer, not a decimal number" },
		{ "{\"turns\":[{\"tool_calls\":[{\"name\":\"t\",\"arguments\":{}}]},"
		  "{\"text\":\"b\",\"after_error\":{\"text\":7}}]}",
		  "s.json: turns[1].after_error: field \"text\" must be a string, not an integer" },
		{ "{\"turns\":[{\"tool_calls\":[{\"name\":\"t\"}]}],\"repeat_from\":0}",
		  "s.json: turns[0].tool_calls[0]: field \"arguments\" is required" },
		{ "{\"turns\":[{\"text\":\"a\",\"txet\":\"b\"}]}",
		  "s.json: turns[0]: unknown field \"txet\" (known: text, reasoning, "
		  "tool_calls, latency_ms, tokens_in, tokens_out, after_error, cut)" },
		{ "{\"turns\":[],\"latency_ms\":\"fast\"}",
		  "s.json: field \"latency_ms\" must be an integer, not a string" },
		{ "{\"turn\":[]}", "s.json: field \"turns\" is required" },
	};
	char err[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *root = json_loads(cases[i].scenario, 0, NULL);
		err[0] = '\0';
		printf("# case %zu\n", i);
		t_bail_if(root == NULL);
		ok(sim_scenario_validate(root, "s.json", err, sizeof(err)) != 0);
		if (strncmp(err, cases[i].message, strlen(cases[i].message)) != 0)
			T_DIAG("got  \"%s\"\n# want \"%s\"", err, cases[i].message);
		no_library_words(err);
		json_decref(root);
	}
}

/* bad_body()'s words: the format is not at hand, only the body and a list
 * of the fields that are not strings */
static void
explained_unpack_failures(void)
{
	static const struct jsonin_field typed[] = {
		{ "limit", 'I' }, { "live", 'b' }, { "budget", 'o' }, { NULL, 0 },
	};
	static const struct {
		const char *body;
		const char *fmt;
		const char *message;
	} cases[] = {
		{ "{\"limit\":\"5\"}", "{s?s, s?I, s?b}",
		  "field \"limit\" must be an integer, not a string" },
		{ "{\"run\":\"r-1\",\"limit\":\"5\"}", "{s?s, s?I, s?b}",
		  "field \"limit\" must be an integer, not a string" },
		{ "{\"limit\":5.0}", "{s?s, s?I, s?b}",
		  "field \"limit\" must be an integer, not a decimal number" },
		{ "{\"live\":\"yes\"}", "{s?s, s?I, s?b}",
		  "field \"live\" must be true or false, not a string" },
		{ "{\"run\":42}", "{s?s, s?I, s?b}",
		  "field \"run\" must be a string, not an integer" },
		{ "{\"run\":42,\"limit\":5}", "{s?s, s?I, s?b}",
		  "field \"run\" must be a string, not an integer" },
		{ "{\"run\":null}", "{s?s, s?I, s?b}",
		  "field \"run\" must be a string, not null" },
		{ "{}", "{s:s, s?I, s?b}", "field \"run\" is required" },
		{ "{\"run\":\"x\",\"colour\":1}", "{s?s, s?I, s?b}",
		  "unknown field \"colour\"" },
		{ "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}", "{s?s, s?I, s?b}",
		  "unknown fields \"a\", \"b\", \"c\" and 2 more" },
		{ "{\"\\u001b]0;owned\\u0007\":1}", "{s?s, s?I, s?b}",
		  "unknown field \"\\u001b]0;owned\\u0007\"" },
		/* two integers where strings go: either is wrong */
		{ "{\"run\":1,\"reason\":2}", "{s?s, s?s, s?I}",
		  "field \"run\" must be a string, not an integer" },
		/* an integer field the list does not know, among strings:
		 * which one jansson means cannot be known, so all are named */
		{ "{\"run\":\"x\",\"reason\":\"5\"}", "{s?s, s?I, s?I}",
		  "one of the fields \"run\", \"reason\" must be an integer, not a string" },
	};
	json_error_t jerr;
	char out[400];
	const char *s1, *s2;
	json_int_t i1, i2;
	int b1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *body = json_loads(cases[i].body, 0, NULL);
		printf("# case %zu\n", i);
		t_bail_if(body == NULL);
		if (strcmp(cases[i].fmt, "{s?s, s?s, s?I}") == 0)
			ok(json_unpack_ex(body, &jerr, JSON_STRICT, cases[i].fmt,
			    "run", &s1, "reason", &s2, "limit", &i1) != 0);
		else if (strcmp(cases[i].fmt, "{s?s, s?I, s?I}") == 0)
			ok(json_unpack_ex(body, &jerr, JSON_STRICT, cases[i].fmt,
			    "run", &s1, "reason", &i2, "limit", &i1) != 0);
		else
			ok(json_unpack_ex(body, &jerr, JSON_STRICT, cases[i].fmt,
			    "run", &s1, "limit", &i1, "live", &b1) != 0);
		jsonin_explain(body, &jerr, typed, out, sizeof(out));
		is_str(out, cases[i].message);
		no_library_words(out);
		json_decref(body);
	}
}

static void
load_errors_hide_library_words(void)
{
	json_error_t jerr;
	char out[200];

	ok(json_loads("{\"a\":\"x\\u0000y\"}", 0, &jerr) == NULL);
	jsonin_parse_error(&jerr, out, sizeof(out));
	is_str(out, "a string holds \\u0000, which is not accepted");
	ok(json_loads("{\"a\\u0000\":1}", 0, &jerr) == NULL);
	jsonin_parse_error(&jerr, out, sizeof(out));
	is_str(out, "an object key holds \\u0000, which is not accepted");
	ok(json_loads("{\"a\":", 0, &jerr) == NULL);
	jsonin_parse_error(&jerr, out, sizeof(out));
	has_str(out, "near end of file");
	jsonin_quote("abcdefghij", 4, out, sizeof(out));
	is_str(out, "\"abcd…\"");
	jsonin_quote("h\xc3\xa9llo\xff", 64, out, sizeof(out));
	is_str(out, "\"h\xc3\xa9llo?\"");
	jsonin_quote("\xc3\xa9\xc3\xa9", 3, out, sizeof(out));
	is_str(out, "\"\xc3\xa9…\"");	/* never half a character */
	jsonin_size_words(200 * 1024 * 1024, out, sizeof(out));
	is_str(out, "200 MiB");
	jsonin_size_words(1536, out, sizeof(out));
	is_str(out, "1.5 KiB");
	jsonin_size_words(999, out, sizeof(out));
	is_str(out, "999 bytes");
}

/* A temporary directory for one test, removed with what it holds by
 * rm_dir. */
static char *
make_dir(void)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir = malloc(strlen(tmp) + 32);

	if (dir == NULL)
		return NULL;
	sprintf(dir, "%s/test_agent.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	return dir;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
rm_dir(char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(dir);
}

static const json_t *
error_of(const struct agent_set *set, const char *name)
{
	const json_t *item;
	size_t i, n = strlen(name);

	json_array_foreach(set->errors, i, item) {
		const char *file = json_string_value(json_object_get(item, "file"));
		if (file != NULL && strlen(file) >= n &&
		    strcmp(file + strlen(file) - n, name) == 0)
			return item;
	}
	return NULL;
}

static const char *
error_text(const struct agent_set *set, const char *name)
{
	return json_string_value(json_object_get(error_of(set, name), "error"));
}

/* A FIFO, a directory or a device named *.json: refused at once, never
 * opened for reading (a FIFO would block start-up forever). */
static void
non_regular_files_are_refused_without_blocking(void)
{
	struct agent_set set;
	char *dir = make_dir(), path[4200];

	t_bail_if(dir == NULL);
	write_file(dir, "good.json", SPEC(""));
	snprintf(path, sizeof(path), "%s/fifo.json", dir);
	ok(mkfifo(path, 0600) == 0);
	snprintf(path, sizeof(path), "%s/dir.json", dir);
	ok(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/zero.json", dir);
	ok(symlink("/dev/zero", path) == 0);
	alarm(20);	/* before the fix this blocked in open() */
	is_int(agent_set_load(dir, &set), 0);
	alarm(0);
	is_int(set.n, 1);
	has_str(error_text(&set, "fifo.json"), "fifo.json: not a regular file "
	    "(a FIFO); only regular files are read");
	has_str(error_text(&set, "dir.json"), "not a regular file (a directory)");
	has_str(error_text(&set, "zero.json"), "not a regular file (a device)");
	agent_set_finish(&set);
	rm_dir(dir);
}

static void
oversized_files_are_refused_unread(void)
{
	struct agent_set set;
	char *dir = make_dir(), path[4200], *text;
	json_t *root = NULL;
	char err[600];
	int fd;

	t_bail_if(dir == NULL);
	/* sparse: 200 MiB that take no disk and must not be read */
	snprintf(path, sizeof(path), "%s/huge.json", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ok(fd >= 0 && ftruncate(fd, 200 * 1024 * 1024) == 0);
	close(fd);
	/* just over the cap: said in bytes */
	text = malloc(AGENT_SPEC_MAX + 2);
	t_bail_if(text == NULL);
	memset(text, ' ', AGENT_SPEC_MAX + 1);
	text[AGENT_SPEC_MAX + 1] = '\0';
	memcpy(text, SPEC(""), strlen(SPEC("")));
	write_file(dir, "big.json", text);
	text[AGENT_SPEC_MAX] = '\0';	/* exactly the cap: accepted */
	write_file(dir, "cap.json", text);
	/* agents.list returns descriptions: bounded too */
	snprintf(text, AGENT_SPEC_MAX, "{\"name\":\"d\",\"model\":\"sim:x\","
	    "\"description\":\"%*s\"}", AGENT_DESCRIPTION_MAX + 1, "");
	write_file(dir, "long.json", text);
	/* and its tools: every one is listed */
	{
		size_t o = (size_t)sprintf(text, "{\"name\":\"t\",\"model\":"
		    "\"sim:x\",\"tools\":[");
		for (int i = 0; i <= AGENT_TOOLS_MAX; i++)
			o += (size_t)sprintf(text + o, "%s{\"builtin\":\"echo\"}",
			    i > 0 ? "," : "");
		sprintf(text + o, "]}");
		write_file(dir, "tools.json", text);
	}
	free(text);
	is_int(agent_set_load(dir, &set), 0);
	has_str(error_text(&set, "long.json"), "long.json: description is "
	    "4097 bytes, more than the 4096 it may be");
	has_str(error_text(&set, "tools.json"), "tools.json: 129 tools, more "
	    "than the 128 an agent may have");
	is_int(set.n, 1);
	is_str(set.n > 0 ? set.items[0]->file + strlen(dir) : "", "/cap.json");
	has_str(error_text(&set, "huge.json"), "huge.json: file is 200 MiB, "
	    "more than the 1 MiB a spec may be");
	has_str(error_text(&set, "big.json"), "big.json: file is 1048577 "
	    "bytes, more than the 1048576 bytes a spec may be");
	agent_set_finish(&set);
	ok(jsonin_load_file(path, 4 * 1024 * 1024, "a scenario", &root, err,
	    sizeof(err)) != 0);
	has_str(err, "file is 200 MiB, more than the 4 MiB a scenario may be");
	ok(root == NULL);
	rm_dir(dir);
}

/* Two files, one name: which one was meant cannot be known. */
static void
duplicate_names_reject_every_file(void)
{
	struct agent_set set;
	char *dir = make_dir();
	const json_t *e;

	t_bail_if(dir == NULL);
	write_file(dir, "a-deploy.json", "{\"name\":\"support-triage\","
	    "\"model\":\"sim:deploy\"}");
	write_file(dir, "support-triage.json", "{\"name\":\"support-triage\","
	    "\"model\":\"sim:support-triage\"}");
	write_file(dir, "other.json", "{\"name\":\"other\",\"model\":\"sim:o\"}");
	write_file(dir, "t1.json", "{\"name\":\"three\",\"model\":\"sim:o\"}");
	write_file(dir, "t2.json", "{\"name\":\"three\",\"model\":\"sim:o\"}");
	write_file(dir, "t3.json", "{\"name\":\"three\",\"model\":\"sim:o\"}");
	is_int(agent_set_load(dir, &set), 0);
	is_int(set.n, 1);
	ok(agent_set_find(&set, "support-triage") == NULL);
	ok(agent_set_find(&set, "three") == NULL);
	ok(agent_set_find(&set, "other") != NULL);
	is_int(json_array_size(set.errors), 5);
	e = error_of(&set, "/a-deploy.json");
	is_str(json_string_value(json_object_get(e, "agent")), "support-triage");
	has_str(error_text(&set, "/a-deploy.json"), "a-deploy.json: agent "
	    "\"support-triage\" is also defined by ");
	has_str(error_text(&set, "/a-deploy.json"), "/support-triage.json: "
	    "neither file is loaded");
	e = error_of(&set, "/support-triage.json");
	is_str(json_string_value(json_object_get(e, "agent")), "support-triage");
	has_str(error_text(&set, "/support-triage.json"), "support-triage.json: "
	    "agent \"support-triage\" is also defined by ");
	has_str(error_text(&set, "/support-triage.json"), "/a-deploy.json: "
	    "neither file is loaded");
	has_str(error_text(&set, "/t2.json"), "t1.json and ");
	has_str(error_text(&set, "/t2.json"), "t3.json: none of these files");
	agent_set_finish(&set);
	rm_dir(dir);
}

/* agents.list must stay pageable whatever the directory holds */
static void
loading_is_bounded(void)
{
	struct agent_set set;
	char *dir = make_dir(), name[64], text[200];
	const json_t *last;

	t_bail_if(dir == NULL);
	for (int i = 0; i < AGENT_FILES_MAX + 5; i++) {
		snprintf(name, sizeof(name), "a%04d.json", i);
		/* every tenth is broken, more errors than are kept */
		snprintf(text, sizeof(text), i % 10 == 0 ? "{\"name\": " :
		    "{\"name\":\"a%04d\",\"model\":\"sim:x\"}", i);
		write_file(dir, name, text);
	}
	is_int(agent_set_load(dir, &set), 0);
	/* the first AGENT_FILES_MAX in name order, whatever readdir does */
	is_int(set.n, AGENT_FILES_MAX - AGENT_FILES_MAX / 10);
	ok(agent_set_find(&set, "a0998") != NULL);
	ok(agent_set_find(&set, "a0999") != NULL);
	ok(agent_set_find(&set, "a1001") == NULL);
	has_str(error_text(&set, dir), "5 more *.json files were not read: "
	    "at most 1000 agent specs are loaded");
	is_int(json_array_size(set.errors), JSONIN_ERRORS_MAX);
	last = json_array_get(set.errors, JSONIN_ERRORS_MAX - 1);
	/* 1 + 100 errors: 99 listed, the last entry counts the 2 others */
	is_int(json_integer_value(json_object_get(last, "more")), 2);
	has_str(json_string_value(json_object_get(last, "error")),
	    "2 more files were rejected; agentd's log names each one");
	agent_set_finish(&set);
	rm_dir(dir);
}

static void
error_texts_are_bounded(void)
{
	json_t *errors = json_array();
	char text[2000];
	const char *got;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text + JSONIN_ERROR_TEXT_MAX - 4, "\xc3\xa9\xc3\xa9", 4);
	jsonin_error_add(errors, "/d/a.json", "a", text);
	got = json_string_value(json_object_get(json_array_get(errors, 0),
	    "error"));
	t_bail_if(got == NULL);
	ok(strlen(got) <= JSONIN_ERROR_TEXT_MAX);
	ok(json_string_value(json_object_get(json_array_get(errors, 0),
	    "error")) != NULL);	/* valid UTF-8, or jansson refuses it */
	has_str(got, "…");
	is_str(json_string_value(json_object_get(json_array_get(errors, 0),
	    "agent")), "a");
	json_decref(errors);
}

#define TESTS(X) \
	X(minimal_spec_gets_defaults) \
	X(bad_specs_name_the_problem) \
	X(tool_defs_from_builtins_and_sim) \
	X(builtins_work) \
	X(pricing_lookup_and_unknown) \
	X(spec_type_errors_name_the_field) \
	X(scenario_type_errors_name_the_field) \
	X(explained_unpack_failures) \
	X(load_errors_hide_library_words) \
	X(non_regular_files_are_refused_without_blocking) \
	X(oversized_files_are_refused_unread) \
	X(duplicate_names_reject_every_file) \
	X(loading_is_bounded) \
	X(error_texts_are_bounded)
T_MAIN(TESTS)
