#include "t.h"
#include "providers/sse.h"
#include "providers/wire.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>

#include <jansson.h>

/* Test texts are written with ' for " : this turns them into JSON. */
static char *
q(const char *s)
{
	char *t = xstrdup(s);

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static json_t *
qjson(const char *s)
{
	char *t = q(s);
	json_error_t e;
	json_t *j = json_loads(t, 0, &e);

	if (j == NULL)
		printf("# bad test JSON: %s: %s\n", e.text, t);
	free(t);
	return j;
}

#define is_json(got, want) do { \
	json_t *t_w = qjson(want); \
	if (t_w == NULL || (got) == NULL || !json_equal((got), t_w)) { \
		char *t_gs = (got) ? json_dumps((got), JSON_COMPACT) : NULL; \
		char *t_ws = t_w ? json_dumps(t_w, JSON_COMPACT) : NULL; \
		T_DIAG("%s is\n#   %s\n# want\n#   %s", #got, \
		    t_gs ? t_gs : "(null)", t_ws ? t_ws : "(null)"); \
		free(t_gs); \
		free(t_ws); \
	} \
	json_decref(t_w); \
} while (0)

/* ---------------------------------------------------------------- */

static void
find_by_name(void)
{
	ok(wire_find("openai") == &wire_openai);
	ok(wire_find("anthropic") == &wire_anthropic);
	ok(wire_find("sim") == NULL);
	ok(wire_find(NULL) == NULL);
	is_str(wire_openai.path, "/chat/completions");
	is_str(wire_anthropic.path, "/v1/messages");
}

static void
arguments_table(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "{'arguments':{}}" },
		{ " \n", "{'arguments':{}}" },
		{ "{'city':'Paris','n':2}", "{'arguments':{'city':'Paris','n':2}}" },
		{ "[1,2]", "{'arguments_raw':'[1,2]',"
		    "'arguments_error':'arguments are not a JSON object'}" },
		{ "null", "{'arguments_raw':'null',"
		    "'arguments_error':'arguments are not a JSON object'}" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *text = q(cases[i].text);
		json_t *call = json_object();

		json_object_set_new(call, "arguments_raw", json_string("old"));
		wire_set_arguments(call, text, strlen(text));
		is_json(call, cases[i].want);
		json_decref(call);
		free(text);
	}
}

static void
arguments_invalid_json_kept_raw(void)
{
	json_t *call = json_object();
	const char *e;

	wire_set_arguments(call, "{\"a\":", 5);
	is_str(json_string_value(json_object_get(call, "arguments_raw")),
	    "{\"a\":");
	e = json_string_value(json_object_get(call, "arguments_error"));
	has_str(e, "arguments are not valid JSON");
	ok(json_object_get(call, "arguments") == NULL);
	/* bytes that are not UTF-8 are kept as well as can be */
	wire_set_arguments(call, "\xff{", 2);
	is_str(json_string_value(json_object_get(call, "arguments_raw")), "?{");
	json_decref(call);
}

/* ---------------------------------------------------------------- */

static const char conversation[] =
	"[{'role':'user','content':'Weather in Paris and the time?'},"
	" {'role':'assistant','content':'Let me look.','tool_calls':["
	"   {'id':'c1','name':'get_weather','arguments':{'city':'Paris'}},"
	"   {'id':'c2','name':'get_time','arguments_raw':'{tz:',"
	"    'arguments_error':'arguments are not valid JSON'}]},"
	" {'role':'tool','tool_call_id':'c1','name':'get_weather',"
	"  'content':'sunny','is_error':false},"
	" {'role':'tool','tool_call_id':'c2','name':'get_time',"
	"  'content':'bad arguments','is_error':true},"
	" {'role':'user','content':'Thanks, go on.'},"
	" {'role':'assistant','content':null,'tool_calls':["
	"   {'id':'c3','name':'get_time','arguments':{}}]},"
	" {'role':'tool','tool_call_id':'c3','name':'get_time',"
	"  'content':'12:00'}]";

static const char tools[] =
	"[{'name':'get_weather','description':'Weather of a city',"
	"  'input_schema':{'type':'object','properties':{'city':{'type':'string'}},"
	"  'required':['city']}},"
	" {'name':'get_time','description':'The time',"
	"  'input_schema':{'type':'object'}}]";

static void
openai_request_body(void)
{
	json_t *msgs = qjson(conversation), *defs = qjson(tools), *body;
	struct llm_request req = {
		.model = "gpt-4o", .system = "Be brief.", .messages = msgs,
		.tools = defs, .max_tokens = 1000,
	};

	body = wire_openai.build_request(&req, true);
	is_json(body, "{'model':'gpt-4o','max_tokens':1000,"
	    "'stream':true,'stream_options':{'include_usage':true},"
	    "'messages':["
	    " {'role':'system','content':'Be brief.'},"
	    " {'role':'user','content':'Weather in Paris and the time?'},"
	    " {'role':'assistant','content':'Let me look.','tool_calls':["
	    "  {'id':'c1','type':'function','function':{'name':'get_weather',"
	    "   'arguments':'{\\'city\\':\\'Paris\\'}'}},"
	    "  {'id':'c2','type':'function','function':{'name':'get_time',"
	    "   'arguments':'{}'}}]},"
	    " {'role':'tool','tool_call_id':'c1','content':'sunny'},"
	    " {'role':'tool','tool_call_id':'c2','content':'bad arguments'},"
	    " {'role':'user','content':'Thanks, go on.'},"
	    " {'role':'assistant','content':null,'tool_calls':["
	    "  {'id':'c3','type':'function','function':{'name':'get_time',"
	    "   'arguments':'{}'}}]},"
	    " {'role':'tool','tool_call_id':'c3','content':'12:00'}],"
	    "'tools':["
	    " {'type':'function','function':{'name':'get_weather',"
	    "  'description':'Weather of a city','parameters':{'type':'object',"
	    "  'properties':{'city':{'type':'string'}},'required':['city']}}},"
	    " {'type':'function','function':{'name':'get_time',"
	    "  'description':'The time','parameters':{'type':'object'}}}]}");
	json_decref(body);

	/* no system, no tools, not streamed: those keys are left out */
	req.system = NULL;
	req.tools = NULL;
	json_decref(msgs);
	msgs = qjson("[{'role':'user','content':'hi'}]");
	req.messages = msgs;
	body = wire_openai.build_request(&req, false);
	is_json(body, "{'model':'gpt-4o','max_tokens':1000,"
	    "'messages':[{'role':'user','content':'hi'}]}");
	json_decref(body);
	json_decref(msgs);
	json_decref(defs);
}

static void
anthropic_request_body_merges_tool_results(void)
{
	json_t *msgs = qjson(conversation), *defs = qjson(tools), *body;
	struct llm_request req = {
		.model = "claude-sonnet-4-20250514", .system = "Be brief.",
		.messages = msgs, .tools = defs, .max_tokens = 1000,
	};

	body = wire_anthropic.build_request(&req, true);
	is_json(body, "{'model':'claude-sonnet-4-20250514','max_tokens':1000,"
	    "'system':'Be brief.','stream':true,"
	    "'messages':["
	    " {'role':'user','content':'Weather in Paris and the time?'},"
	    " {'role':'assistant','content':["
	    "  {'type':'text','text':'Let me look.'},"
	    "  {'type':'tool_use','id':'c1','name':'get_weather',"
	    "   'input':{'city':'Paris'}},"
	    "  {'type':'tool_use','id':'c2','name':'get_time','input':{}}]},"
	    " {'role':'user','content':["
	    "  {'type':'tool_result','tool_use_id':'c1','content':'sunny'},"
	    "  {'type':'tool_result','tool_use_id':'c2','content':'bad arguments',"
	    "   'is_error':true},"
	    "  {'type':'text','text':'Thanks, go on.'}]},"
	    " {'role':'assistant','content':["
	    "  {'type':'tool_use','id':'c3','name':'get_time','input':{}}]},"
	    " {'role':'user','content':["
	    "  {'type':'tool_result','tool_use_id':'c3','content':'12:00'}]}],"
	    "'tools':["
	    " {'name':'get_weather','description':'Weather of a city',"
	    "  'input_schema':{'type':'object','properties':{'city':"
	    "  {'type':'string'}},'required':['city']}},"
	    " {'name':'get_time','description':'The time',"
	    "  'input_schema':{'type':'object'}}]}");
	json_decref(body);
	json_decref(msgs);
	json_decref(defs);
}

static void
anthropic_request_edge_cases(void)
{
	json_t *msgs = qjson(
	    "[{'role':'user','content':'a'},"
	    " {'role':'user','content':'b'},"
	    " {'role':'assistant','content':''},"
	    " {'role':'user','content':'c'},"
	    " {'role':'tool','tool_call_id':'x','content':'late result'}]");
	struct llm_request req = { .model = "m", .messages = msgs };
	json_t *body = wire_anthropic.build_request(&req, false);

	/* consecutive user turns merge, tool results go before text, an
	 * empty assistant turn is not an empty content array, max_tokens
	 * is always sent, no system, no tools, no stream */
	is_json(body, "{'model':'m','max_tokens':4096,'messages':["
	    " {'role':'user','content':[{'type':'text','text':'a'},"
	    "   {'type':'text','text':'b'}]},"
	    " {'role':'assistant','content':[{'type':'text',"
	    "   'text':'(no content)'}]},"
	    " {'role':'user','content':["
	    "   {'type':'tool_result','tool_use_id':'x','content':'late result'},"
	    "   {'type':'text','text':'c'}]}]}");
	json_decref(body);
	json_decref(msgs);
}

/* ---------------------------------------------------------------- */

static int
parse(const struct wire_ops *ops, const char *text, struct llm_reply *out,
    char *err, size_t errlen)
{
	char *body = q(text);
	int r;

	err[0] = '\0';
	r = ops->parse_response(body, strlen(body), out, err, errlen);
	free(body);
	return r;
}

static void
openai_response_text_and_usage(void)
{
	struct llm_reply r = { 0 };
	char err[200];

	is_int(parse(&wire_openai, "{'id':'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',"
	    "'object':'chat.completion','created':1741569952,'model':'gpt-4.1',"
	    "'choices':[{'index':0,'message':{'role':'assistant',"
	    "'content':'Hello! How can I assist you today?','refusal':null,"
	    "'annotations':[]},'logprobs':null,'finish_reason':'stop'}],"
	    "'usage':{'prompt_tokens':19,'completion_tokens':10,'total_tokens':29,"
	    "'prompt_tokens_details':{'cached_tokens':6,'audio_tokens':0},"
	    "'completion_tokens_details':{'reasoning_tokens':0}},"
	    "'service_tier':'default'}", &r, err, sizeof err), 0);
	is_str(r.text, "Hello! How can I assist you today?");
	ok(r.tool_calls == NULL);
	is_str(r.stop_reason, "end_turn");
	is_int(r.tokens_in, 19);
	is_int(r.tokens_out, 10);
	/* OpenAI format's cached_tokens are its own figure, not Anthropic's
	 * priced cache reads */
	is_int(r.cached, 6);
	is_int(r.cache_read, -1);
	is_int(r.cache_write, -1);
	ok(!r.usage_estimated);
	llm_reply_finish(&r);
}

static void
openai_response_tool_calls(void)
{
	struct llm_reply r = { 0 };
	char err[200];

	is_int(parse(&wire_openai, "{'choices':[{'index':0,'message':{"
	    "'role':'assistant','content':null,'tool_calls':["
	    " {'id':'call_abc123','type':'function','function':{"
	    "  'name':'get_current_weather','arguments':'{\\n\\'location\\': \\'Boston, MA\\'\\n}'}},"
	    " {'type':'function','function':{'name':'ping','arguments':''}},"
	    " {'id':'call_x','type':'function','function':{'name':'bad',"
	    "  'arguments':'{\\'a\\':'}}]},"
	    "'finish_reason':'tool_calls'}],"
	    "'usage':{'prompt_tokens':82,'completion_tokens':17}}",
	    &r, err, sizeof err), 0);
	ok(r.text == NULL);
	is_str(r.stop_reason, "tool_use");
	is_int(r.cache_read, -1);
	is_int(r.cached, -1);
	is_int(json_array_size(r.tool_calls), 3);
	is_json(json_array_get(r.tool_calls, 0), "{'id':'call_abc123',"
	    "'name':'get_current_weather','arguments':{'location':'Boston, MA'}}");
	/* a compatible server left the id out: one is made up */
	is_json(json_array_get(r.tool_calls, 1),
	    "{'id':'call_1','name':'ping','arguments':{}}");
	is_str(json_string_value(json_object_get(json_array_get(r.tool_calls,
	    2), "arguments_raw")), "{\"a\":");
	llm_reply_finish(&r);
}

static void
openai_response_without_usage_is_estimated(void)
{
	struct llm_reply r = { 0 };
	char err[200];

	is_int(parse(&wire_openai, "{'choices':[{'message':{'content':"
	    "'0123456789abcdef','tool_calls':[{'id':'a','function':{"
	    "'name':'f','arguments':'{}'}}]},'finish_reason':'length'}]}",
	    &r, err, sizeof err), 0);
	ok(r.usage_estimated);
	is_int(r.tokens_in, 0);
	is_int(r.tokens_out, 16 / 4 + 20);
	is_int(r.cache_read, -1);
	is_int(r.cache_write, -1);
	is_str(r.stop_reason, "max_tokens");
	llm_reply_finish(&r);
}

static void
anthropic_response_text_tools_cache(void)
{
	struct llm_reply r = { 0 };
	char err[200];

	is_int(parse(&wire_anthropic, "{'id':'msg_01Aq9w938a90dw8q',"
	    "'type':'message','role':'assistant','model':'claude-sonnet-4',"
	    "'content':[{'type':'text','text':'I will check '},"
	    " {'type':'thinking','thinking':'hmm','signature':'x'},"
	    " {'type':'text','text':'the weather.'},"
	    " {'type':'tool_use','id':'toolu_01A09q90qw90lq917835lq9',"
	    "  'name':'get_weather','input':{'location':'San Francisco, CA'}},"
	    " {'type':'tool_use','name':'noid','input':{}}],"
	    "'stop_reason':'tool_use','stop_sequence':null,"
	    "'usage':{'input_tokens':472,'output_tokens':89,"
	    "'cache_creation_input_tokens':100,'cache_read_input_tokens':2048}}",
	    &r, err, sizeof err), 0);
	is_str(r.text, "I will check the weather.");
	is_str(r.stop_reason, "tool_use");
	is_int(r.tokens_in, 472);
	is_int(r.tokens_out, 89);
	is_int(r.cache_read, 2048);
	is_int(r.cache_write, 100);
	is_int(r.cached, -1);
	ok(!r.usage_estimated);
	is_json(r.tool_calls, "[{'id':'toolu_01A09q90qw90lq917835lq9',"
	    "'name':'get_weather','arguments':{'location':'San Francisco, CA'}},"
	    "{'id':'call_1','name':'noid','arguments':{}}]");
	llm_reply_finish(&r);
}

static void
anthropic_response_stop_reasons(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "end_turn", "end_turn" },
		{ "max_tokens", "max_tokens" },
		{ "stop_sequence", "stop_sequence" },
		{ "pause_turn", "pause_turn" },
		{ "a_very_long_stop_reason_that_does_not_fit_in_32",
		    "a_very_long_stop_reason_that_do" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		char body[300], err[200];

		snprintf(body, sizeof body, "{'content':[{'type':'text',"
		    "'text':'x'}],'stop_reason':'%s','usage':{"
		    "'input_tokens':1,'output_tokens':2}}", cases[i].in);
		is_int(parse(&wire_anthropic, body, &r, err, sizeof err), 0);
		is_str(r.stop_reason, cases[i].want);
		/* no cache fields: not reported */
		is_int(r.cache_read, -1);
		is_int(r.cache_write, -1);
		llm_reply_finish(&r);
	}
}

static void
responses_with_wrong_types(void)
{
	static const struct {
		const struct wire_ops *ops;
		const char *body, *err;
	} cases[] = {
		{ &wire_openai, "{'choices':[{'message':{'tool_calls':[{'id':'a',"
		    "'function':{'name':'f','arguments':'{}'}},{'id':'b',"
		    "'function':{'name':5}}]}}]}",
		    "choices[0].message.tool_calls[1].function.name: not a string" },
		{ &wire_openai, "{'choices':{}}", "choices: not an array" },
		{ &wire_openai, "{'choices':[]}", "choices: empty" },
		{ &wire_openai, "{'choices':[7]}", "choices[0]: not an object" },
		{ &wire_openai, "{'choices':[{'message':{'content':1}}]}",
		    "choices[0].message.content: not a string" },
		{ &wire_openai, "{'choices':[{}]}", "choices[0].message: missing" },
		{ &wire_openai, "{'choices':[{'message':{'tool_calls':[{'id':3,"
		    "'function':{'name':'f'}}]}}]}",
		    "choices[0].message.tool_calls[0].id: not a string" },
		{ &wire_openai, "{'choices':[{'message':{'tool_calls':[{'id':'a',"
		    "'function':{'name':'f','arguments':{}}}]}}]}",
		    "choices[0].message.tool_calls[0].function.arguments: not a string" },
		{ &wire_openai, "{'choices':[{'message':{},'finish_reason':1}]}",
		    "choices[0].finish_reason: not a string" },
		{ &wire_openai, "{'choices':[{'message':{}}],'usage':{"
		    "'prompt_tokens':'12'}}", "usage.prompt_tokens: not an integer" },
		{ &wire_openai, "{'choices':[{'message':{}}],'usage':{"
		    "'completion_tokens':-1}}", "usage.completion_tokens: negative" },
		{ &wire_openai, "{'choices':[{'message':{}}],'usage':{"
		    "'prompt_tokens_details':{'cached_tokens':1.5}}}",
		    "usage.prompt_tokens_details.cached_tokens: not an integer" },
		{ &wire_openai, "{'choices':[{'message':{}}],", "invalid JSON" },
		{ &wire_openai, "[]", "not a JSON object" },
		{ &wire_openai, "", "invalid JSON" },
		{ &wire_openai, "{'a':1,'a':2}", "invalid JSON" },
		{ &wire_anthropic, "{'content':[{'type':'text','text':5}]}",
		    "content[0].text: not a string" },
		{ &wire_anthropic, "{'content':[{'type':'tool_use','id':'x',"
		    "'name':'f','input':[1]}]}", "content[0].input: not an object" },
		{ &wire_anthropic, "{'content':[{'type':'tool_use','id':'x'}]}",
		    "content[0].name: missing" },
		{ &wire_anthropic, "{'content':[{'text':'a'}]}",
		    "content[0].type: missing" },
		{ &wire_anthropic, "{'content':'hi'}", "content: not an array" },
		{ &wire_anthropic, "{'type':'message'}", "content: missing" },
		{ &wire_anthropic, "{'content':[],'usage':{'input_tokens':true}}",
		    "usage.input_tokens: not an integer" },
		{ &wire_anthropic, "{'content':[],'stop_reason':[]}",
		    "stop_reason: not a string" },
		{ &wire_anthropic, "nonsense", "invalid JSON" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		char err[200];
		int rc = parse(cases[i].ops, cases[i].body, &r, err, sizeof err);

		if (rc != -EPROTO || strstr(err, cases[i].err) == NULL)
			T_DIAG("case %zu: %d \"%s\", want -EPROTO \"%s\"", i, rc,
			    err, cases[i].err);
		ok(r.text == NULL && r.tool_calls == NULL);
	}
}

/* An error object in a 2xx body: its type says whether to retry. */
static void
error_bodies(void)
{
	static const struct {
		const struct wire_ops *ops;
		const char *body;
		int want;
		const char *err;
	} cases[] = {
		{ &wire_openai, "{'error':{'message':'Invalid model','type':"
		    "'invalid_request_error'}}", -EINVAL, "Invalid model" },
		{ &wire_openai, "{'error':{'message':'Maximum "
		    "context length is 8192 tokens','type':null,'code':"
		    "'context_length_exceeded'}}", -EINVAL, "Maximum context" },
		{ &wire_openai, "{'error':{'message':'The server had an error',"
		    "'type':'server_error'}}", -EAGAIN, "The server had an error" },
		{ &wire_openai, "{'error':'something odd'}", -EPROTO,
		    "something odd" },
		/* vLLM: a class name and the HTTP status as the code */
		{ &wire_openai, "{'error':{'message':'max_tokens is too large',"
		    "'type':'BadRequestError','code':400}}", -EINVAL,
		    "max_tokens is too large" },
		{ &wire_openai, "{'error':{'message':'busy','type':'Busy',"
		    "'code':503}}", -EAGAIN, "busy" },
		{ &wire_openai, "{'error':{'message':'slow down','type':'X',"
		    "'code':429}}", -EAGAIN, "slow down" },
		{ &wire_openai, "{'error':{'message':'bad','type':'X',"
		    "'code':'422'}}", -EINVAL, "bad" },
		{ &wire_openai, "{'error':{'message':'odd','type':'X',"
		    "'code':'4000'}}", -EPROTO, "odd" },
		/* words in any case; the retryable ones first */
		{ &wire_openai, "{'error':{'message':'m','type':"
		    "'Invalid_Request_Error'}}", -EINVAL, "m" },
		{ &wire_openai, "{'error':{'message':'m','type':"
		    "'invalid_request_error','code':'server_error'}}", -EAGAIN,
		    "m" },
		{ &wire_anthropic, "{'type':'error','error':{'type':"
		    "'overloaded_error','message':'Overloaded'}}", -EAGAIN,
		    "Overloaded (overloaded_error)" },
		{ &wire_anthropic, "{'type':'error','error':{'type':"
		    "'authentication_error','message':'invalid x-api-key'}}",
		    -EINVAL, "invalid x-api-key (authentication_error)" },
		{ &wire_anthropic, "{'type':'error','error':{'type':"
		    "'teapot_error','message':'short and stout'}}", -EPROTO,
		    "short and stout (teapot_error)" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		char err[200];
		int rc = parse(cases[i].ops, cases[i].body, &r, err, sizeof err);

		if (rc != cases[i].want || strstr(err, cases[i].err) == NULL)
			T_DIAG("case %zu: %d \"%s\", want %d \"%s\"", i, rc,
			    err, cases[i].want, cases[i].err);
		ok(r.text == NULL && r.tool_calls == NULL);
	}
}

static void
bounded_text(void)
{
	size_t n = (8u << 20) + 1;
	char *body = xmalloc(n + 64), err[200];
	struct llm_reply r = { 0 };
	int len;

	len = snprintf(body, 64, "{\"content\":[{\"type\":\"text\",\"text\":\"");
	memset(body + len, 'a', n);
	strcpy(body + len + n, "\"}]}");
	is_int(wire_anthropic.parse_response(body, strlen(body), &r, err,
	    sizeof err), -EPROTO);
	has_str(err, "longer than 8 MiB");
	free(body);
}

static void
error_messages(void)
{
	static const struct {
		const char *body;
		size_t outlen;
		const char *want;
	} cases[] = {
		{ "{'error':{'message':'Incorrect API key provided: sk-...',"
		    "'type':'invalid_request_error','param':null,"
		    "'code':'invalid_api_key'}}", 100,
		    "Incorrect API key provided: sk-..." },
		{ "{'type':'error','error':{'type':'not_found_error',"
		    "'message':'model: claude-x'},'request_id':'req_1'}", 100,
		    "model: claude-x" },
		{ "{'error':'model not found'}", 100, "model not found" },
		{ "{'detail':'Not Found'}", 100, "Not Found" },
		{ "<html>\r\n<h1>502\tBad Gateway</h1>\n</html>", 100,
		    "<html>  <h1>502 Bad Gateway</h1> </html>" },
		{ "{'error':{'message':'multi\\nline'}}", 100, "multi line" },
		{ "{'error':{'message':'abcdefghij'}}", 5, "abcd" },
		/* é is two bytes: never cut in the middle */
		{ "{'error':{'message':'abcé'}}", 5, "abc" },
		{ "", 100, "" },
	};
	char out[100];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *body = q(cases[i].body);

		memset(out, 'x', sizeof out);
		wire_openai.error_message(body, strlen(body), out,
		    cases[i].outlen);
		is_str(out, cases[i].want);
		memset(out, 'x', sizeof out);
		wire_anthropic.error_message(body, strlen(body), out,
		    cases[i].outlen);
		is_str(out, cases[i].want);
		free(body);
	}
}

static void
error_message_fallback_is_bounded(void)
{
	char body[1000], out[1000];

	memset(body, 'z', sizeof body);
	body[3] = '\x01';
	body[4] = '\xff';
	wire_openai.error_message(body, sizeof body, out, sizeof out);
	is_int(strlen(out), 200);
	ok(strncmp(out, "zzz ?zz", 7) == 0);
	wire_openai.error_message(body, sizeof body, out, 1);
	is_str(out, "");
}

/* ---------------------------------------------------------------- */

struct feed {
	const struct wire_ops *ops;
	struct wire_stream *s;
	char deltas[4096];
	size_t dlen;
	char rdeltas[4096];		/* reasoning */
	size_t rlen;
	char kinds[256];		/* 'r' reasoning, 't' text: per event */
	size_t klen;
	char err[256];
};

static int
on_event(void *arg, const char *event, const char *data, size_t len)
{
	struct feed *f = arg;
	struct wire_delta d = { NULL, 99, NULL, 99 };
	int r;

	r = f->ops->stream_event(f->s, event, data, len, &d, f->err,
	    sizeof f->err);
	if (d.text == NULL || d.len > sizeof f->deltas - f->dlen - 1 ||
	    d.reasoning == NULL ||
	    d.reasoning_len > sizeof f->rdeltas - f->rlen - 1) {
		T_DIAG("bad delta");
		return -1;
	}
	memcpy(f->deltas + f->dlen, d.text, d.len);
	f->dlen += d.len;
	f->deltas[f->dlen] = '\0';
	memcpy(f->rdeltas + f->rlen, d.reasoning, d.reasoning_len);
	f->rlen += d.reasoning_len;
	f->rdeltas[f->rlen] = '\0';
	if (d.reasoning_len > 0 && f->klen + 1 < sizeof f->kinds)
		f->kinds[f->klen++] = 'r';
	if (d.len > 0 && f->klen + 1 < sizeof f->kinds)
		f->kinds[f->klen++] = 't';
	f->kinds[f->klen] = '\0';
	return r;
}

/* Runs the SSE @transcript (' for ") through a stream, @step bytes at a
 * time (0: at once). */
static int
run_stream(const struct wire_ops *ops, const char *transcript, size_t step,
    struct llm_reply *out, struct feed *f)
{
	char *text = q(transcript);
	size_t n = strlen(text), off = 0, piece;
	struct sse_parser p;
	int r = 0;

	*f = (struct feed){ .ops = ops, .s = ops->stream_create() };
	sse_init(&p, 1 << 20);
	while (off < n && r == 0) {
		piece = step == 0 ? n - off : MIN(step, n - off);
		r = sse_feed(&p, text + off, piece, on_event, f);
		off += piece;
	}
	if (r == 0)
		r = ops->stream_finish(f->s, out, f->err, sizeof f->err);
	sse_finish(&p);
	ops->stream_destroy(f->s);
	free(text);
	return r;
}

/* An OpenAI transcript with text and two parallel tool calls, as the API
 * reference shows chunks (stream_options.include_usage). */
static const char openai_tools_stream[] =
	"data: {'id':'chatcmpl-9','object':'chat.completion.chunk','created':1,"
	"'model':'gpt-4o-mini','system_fingerprint':'fp_1','choices':[{'index':0,"
	"'delta':{'role':'assistant','content':'','refusal':null},"
	"'logprobs':null,'finish_reason':null}],'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','object':'chat.completion.chunk','choices':[{"
	"'index':0,'delta':{'content':'Checking '},'finish_reason':null}],"
	"'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','object':'chat.completion.chunk','choices':[{"
	"'index':0,'delta':{'content':'both.'},'finish_reason':null}],"
	"'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[{'index':0,'delta':{'tool_calls':[{"
	"'index':0,'id':'call_DdmO9pD3xa9XTPNJ32zg2hcA','type':'function',"
	"'function':{'name':'get_weather','arguments':''}}]},"
	"'finish_reason':null}],'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[{'index':0,'delta':{'tool_calls':[{"
	"'index':0,'function':{'arguments':'{\\'ci'}}]},'finish_reason':null}],"
	"'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[{'index':0,'delta':{'tool_calls':[{"
	"'index':1,'id':'call_2','type':'function','function':{'name':'get_time',"
	"'arguments':''}}]},'finish_reason':null}],'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[{'index':0,'delta':{'tool_calls':[{"
	"'index':0,'function':{'arguments':'ty\\': \\'Paris\\'}'}}]},"
	"'finish_reason':null}],'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[{'index':0,'delta':{'tool_calls':[{"
	"'index':1,'function':{'arguments':'{}'}}]},'finish_reason':null}],"
	"'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[{'index':0,'delta':{},"
	"'logprobs':null,'finish_reason':'tool_calls'}],'usage':null}\n\n"
	"data: {'id':'chatcmpl-9','choices':[],'usage':{'prompt_tokens':120,"
	"'completion_tokens':40,'total_tokens':160,'prompt_tokens_details':{"
	"'cached_tokens':64,'audio_tokens':0}}}\n\n"
	"data: [DONE]\n\n";

static void
openai_stream_assembles_calls(void)
{
	size_t steps[] = { 0, 1, 5, 64 };

	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct llm_reply r = { 0 };
		struct feed f;

		is_int(run_stream(&wire_openai, openai_tools_stream, steps[i],
		    &r, &f), 0);
		is_str(f.deltas, "Checking both.");
		is_str(r.text, "Checking both.");
		is_str(r.stop_reason, "tool_use");
		is_int(r.tokens_in, 120);
		is_int(r.tokens_out, 40);
		is_int(r.cached, 64);
		is_int(r.cache_read, -1);
		is_int(r.cache_write, -1);
		ok(!r.usage_estimated);
		is_json(r.tool_calls, "[{'id':'call_DdmO9pD3xa9XTPNJ32zg2hcA',"
		    "'name':'get_weather','arguments':{'city':'Paris'}},"
		    "{'id':'call_2','name':'get_time','arguments':{}}]");
		llm_reply_finish(&r);
	}
}

static void
openai_stream_crlf_and_comments(void)
{
	struct llm_reply r = { 0 };
	struct feed f;

	is_int(run_stream(&wire_openai, ": OPENROUTER PROCESSING\r\n\r\n"
	    "data: {'choices':[{'delta':{'content':'hi'}}]}\r\n\r\n"
	    "data: {'choices':[{'delta':{},'finish_reason':'stop'}]}\r\n\r\n"
	    "data: [DONE]\r\n\r\n", 1, &r, &f), 0);
	is_str(r.text, "hi");
	is_str(r.stop_reason, "end_turn");
	ok(r.usage_estimated);
	is_int(r.tokens_out, 0);
	llm_reply_finish(&r);
}

static void
openai_stream_cut_and_errors(void)
{
	static const struct {
		const char *transcript;
		int r;
		const char *err;
	} cases[] = {
		/* a finish_reason is not the end: [DONE] is */
		{ "data: {'choices':[{'delta':{'content':'hi'},"
		    "'finish_reason':'stop'}]}\n\n", -EPROTO,
		    "the stream ended before [DONE]" },
		{ "", -EPROTO, "the stream ended before [DONE]" },
		{ "data: {'choices':[{'delta':{'content':'hi'}}]}\n\n"
		    "data: {'error':{'message':'The server had an error',"
		    "'type':'server_error','param':null,'code':null}}\n\n",
		    -EAGAIN, "The server had an error" },
		{ "data: {'error':{'message':'Rate limit reached','type':"
		    "'requests','code':'rate_limit_exceeded'}}\n\n", -EAGAIN,
		    "Rate limit reached" },
		{ "data: {'error':{'message':'Bad request','type':"
		    "'invalid_request_error','code':null}}\n\n", -EINVAL,
		    "Bad request" },
		{ "data: {'choices':[{'delta':{'content':'hi'}\n\n", -EPROTO,
		    "stream chunk: invalid JSON" },
		{ "data: [1]\n\n", -EPROTO, "stream chunk: not a JSON object" },
		{ "data: {'choices':[{'delta':{'content':5}}]}\n\n", -EPROTO,
		    "choices[0].delta.content: not a string" },
		{ "data: {'choices':[{'delta':{'tool_calls':[{'index':0,"
		    "'function':{'name':'f','arguments':7}}]}}]}\n\n", -EPROTO,
		    "choices[0].delta.tool_calls[0].function.arguments: not a string" },
		{ "data: {'choices':[{'delta':{'tool_calls':[{'index':'0'}]}}]}\n\n",
		    -EPROTO, "choices[0].delta.tool_calls[0].index: not an integer" },
		{ "data: {'choices':[{'delta':{'tool_calls':[{'index':-1}]}}]}\n\n",
		    -EPROTO, "index: out of range" },
		{ "data: {'choices':[],'usage':{'prompt_tokens':'x'}}\n\n",
		    -EPROTO, "usage.prompt_tokens: not an integer" },
		/* arguments without a name ever */
		{ "data: {'choices':[{'delta':{'tool_calls':[{'index':0,"
		    "'function':{'arguments':'{}'}}]}}]}\n\ndata: [DONE]\n\n",
		    -EPROTO, "has no name" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		struct feed f;
		int rc = run_stream(&wire_openai, cases[i].transcript, 1, &r, &f);

		if (rc != cases[i].r || strstr(f.err, cases[i].err) == NULL)
			T_DIAG("case %zu: %d \"%s\", want %d \"%s\"", i, rc,
			    f.err, cases[i].r, cases[i].err);
		llm_reply_finish(&r);
	}
}

static void
openai_stream_without_ids_or_index(void)
{
	struct llm_reply r = { 0 };
	struct feed f;

	/* a compatible server sends each call whole, without index or id */
	is_int(run_stream(&wire_openai,
	    "data: {'choices':[{'delta':{'tool_calls':[{'function':{'name':"
	    "'a','arguments':'{\\'x\\':'}}]}}]}\n\n"
	    "data: {'choices':[{'delta':{'tool_calls':[{'function':{"
	    "'arguments':'1}'}}]}}]}\n\n"
	    "data: {'choices':[{'delta':{'tool_calls':[{'id':'call_1','function':"
	    "{'name':'b','arguments':''}}]}}]}\n\n"
	    "data: [DONE]\n\n", 3, &r, &f), 0);
	is_json(r.tool_calls, "[{'id':'call_2','name':'a','arguments':{'x':1}},"
	    "{'id':'call_1','name':'b','arguments':{}}]");
	is_str(r.stop_reason, "tool_use");
	ok(r.usage_estimated);
	is_int(r.tokens_out, 40);
	llm_reply_finish(&r);
}

static void
openai_stream_text_is_bounded(void)
{
	struct wire_stream *s = wire_openai.stream_create();
	size_t n = 1u << 20;
	char *chunk = xmalloc(n + 64), err[200];
	struct wire_delta d;
	int len, r = 0, i;

	len = snprintf(chunk, 64, "{\"choices\":[{\"delta\":{\"content\":\"");
	memset(chunk + len, 'a', n);
	strcpy(chunk + len + n, "\"}}]}");
	for (i = 0; i < 9 && r == 0; i++)
		r = wire_openai.stream_event(s, "message", chunk, strlen(chunk),
		    &d, err, sizeof err);
	is_int(r, -EPROTO);
	is_int(i, 9);
	has_str(err, "longer than 8 MiB");
	wire_openai.stream_destroy(s);
	free(chunk);
}

/* An Anthropic transcript as the streaming docs show it: text, then a
 * tool_use block whose input arrives as partial JSON. */
static const char anthropic_tools_stream[] =
	"event: message_start\n"
	"data: {'type':'message_start','message':{'id':'msg_014p7gG3wDgGV9EUtLvnow3U',"
	"'type':'message','role':'assistant','model':'claude-sonnet-4-20250514',"
	"'stop_sequence':null,'usage':{'input_tokens':472,'output_tokens':2,"
	"'cache_creation_input_tokens':0,'cache_read_input_tokens':300},"
	"'content':[],'stop_reason':null}}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':0,'content_block':{"
	"'type':'text','text':''}}\n\n"
	"event: ping\n"
	"data: {'type': 'ping'}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':0,'delta':{"
	"'type':'text_delta','text':'Okay, let me check'}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':0,'delta':{"
	"'type':'text_delta','text':' the weather.'}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':0}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':1,'content_block':{"
	"'type':'tool_use','id':'toolu_01T1x1fJ34qAmk2tNTrN7Up6',"
	"'name':'get_weather','input':{}}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':1,'delta':{"
	"'type':'input_json_delta','partial_json':''}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':1,'delta':{"
	"'type':'input_json_delta','partial_json':'{\\'location\\': \\'San Fra'}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':1,'delta':{"
	"'type':'input_json_delta','partial_json':'ncisco, CA\\', \\'unit\\': \\'fahrenheit\\'}'}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':1}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':2,'content_block':{"
	"'type':'tool_use','id':'toolu_2','name':'get_time','input':{}}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':2}\n\n"
	"event: message_delta\n"
	"data: {'type':'message_delta','delta':{'stop_reason':'tool_use',"
	"'stop_sequence':null},'usage':{'output_tokens':89}}\n\n"
	"event: message_stop\n"
	"data: {'type':'message_stop'}\n\n";

static void
anthropic_stream_assembles_calls(void)
{
	size_t steps[] = { 0, 1, 3, 100 };

	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct llm_reply r = { 0 };
		struct feed f;

		is_int(run_stream(&wire_anthropic, anthropic_tools_stream,
		    steps[i], &r, &f), 0);
		is_str(f.deltas, "Okay, let me check the weather.");
		is_str(r.text, "Okay, let me check the weather.");
		is_str(r.stop_reason, "tool_use");
		is_int(r.tokens_in, 472);
		is_int(r.tokens_out, 89);
		is_int(r.cache_read, 300);
		is_int(r.cache_write, 0);
		ok(!r.usage_estimated);
		is_json(r.tool_calls, "[{'id':'toolu_01T1x1fJ34qAmk2tNTrN7Up6',"
		    "'name':'get_weather','arguments':{'location':'San Francisco, CA',"
		    "'unit':'fahrenheit'}},"
		    "{'id':'toolu_2','name':'get_time','arguments':{}}]");
		llm_reply_finish(&r);
	}
}

static void
anthropic_stream_unknown_events_and_unnamed(void)
{
	struct llm_reply r = { 0 };
	struct feed f;

	/* unknown names are skipped whatever their data; without an
	 * "event:" line the data's type names the event */
	is_int(run_stream(&wire_anthropic,
	    "event: something_new\ndata: not json at all\n\n"
	    "data: {'type':'message_start','message':{'usage':{"
	    "'input_tokens':5,'output_tokens':1}}}\n\n"
	    "data: {'type':'content_block_delta','index':0,'delta':{"
	    "'type':'text_delta','text':'hi'}}\n\n"
	    "event: content_block_delta\ndata: {'type':'content_block_delta',"
	    "'index':0,'delta':{'type':'citations_delta','citation':{}}}\n\n"
	    "data: {'type':'future_thing'}\n\n"
	    "event: message_stop\ndata: {'type':'message_stop'}\n\n",
	    2, &r, &f), 0);
	is_str(r.text, "hi");
	is_str(r.stop_reason, "end_turn");
	is_int(r.tokens_in, 5);
	is_int(r.tokens_out, 1);
	is_int(r.cache_read, -1);
	is_int(r.cache_write, -1);
	llm_reply_finish(&r);
}

static void
anthropic_stream_cut_and_errors(void)
{
	static const char start[] =
	    "event: message_start\ndata: {'type':'message_start','message':"
	    "{'usage':{'input_tokens':5,'output_tokens':1}}}\n\n";
	static const struct {
		const char *transcript;
		int r;
		const char *err;
	} cases[] = {
		{ "event: message_delta\ndata: {'type':'message_delta','delta':{"
		    "'stop_reason':'end_turn'},'usage':{'output_tokens':3}}\n\n",
		    -EPROTO, "the stream ended before message_stop" },
		/* cut in the middle of the message_stop event */
		{ "event: message_stop\ndata: {'type':'message_stop'}\n", -EPROTO,
		    "the stream ended before message_stop" },
		{ "event: error\ndata: {'type':'error','error':{'type':"
		    "'overloaded_error','message':'Overloaded'}}\n\n", -EAGAIN,
		    "Overloaded" },
		{ "event: error\ndata: {'type':'error','error':{'type':"
		    "'api_error','message':'Internal server error'}}\n\n",
		    -EAGAIN, "Internal server error" },
		{ "event: error\ndata: {'type':'error','error':{'type':"
		    "'rate_limit_error','message':'Slow down'}}\n\n", -EAGAIN,
		    "Slow down" },
		{ "event: error\ndata: {'type':'error','error':{'type':"
		    "'invalid_request_error','message':'prompt is too long'}}\n\n",
		    -EINVAL, "prompt is too long" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'text','text':''}}\n\n"
		    "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'input_json_delta','partial_json':"
		    "'{}'}}\n\n", -EPROTO, "which is not a tool_use block" },
		{ "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'text_delta','text':1}}\n\n",
		    -EPROTO, "content_block_delta.delta.text: not a string" },
		{ "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'delta':{'type':'text_delta','text':'a'}}\n\n",
		    -EPROTO, "content_block_delta.index: missing" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'tool_use','id':'a'}}\n\n",
		    -EPROTO, "content_block_start.content_block.name: missing" },
		{ "event: message_delta\ndata: {'type':'message_delta',"
		    "'usage':{'output_tokens':'3'}}\n\n", -EPROTO,
		    "message_delta.usage.output_tokens: not an integer" },
		{ "event: content_block_stop\ndata: {oops\n\n", -EPROTO,
		    "content_block_stop event: invalid JSON" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		struct feed f;
		char *t = xasprintf("%s%s", start, cases[i].transcript);
		int rc = run_stream(&wire_anthropic, t, 1, &r, &f);

		if (rc != cases[i].r || strstr(f.err, cases[i].err) == NULL)
			T_DIAG("case %zu: %d \"%s\", want %d \"%s\"", i, rc,
			    f.err, cases[i].r, cases[i].err);
		llm_reply_finish(&r);
		free(t);
	}
}

static void
anthropic_stream_without_usage_is_estimated(void)
{
	struct llm_reply r = { 0 };
	struct feed f;

	is_int(run_stream(&wire_anthropic,
	    "event: content_block_start\ndata: {'type':'content_block_start',"
	    "'index':0,'content_block':{'type':'text','text':'12345678'}}\n\n"
	    "event: message_stop\ndata: {'type':'message_stop'}\n\n",
	    0, &r, &f), 0);
	is_str(f.deltas, "12345678");
	ok(r.usage_estimated);
	is_int(r.tokens_in, 0);
	is_int(r.tokens_out, 2);
	is_int(r.cache_read, -1);
	llm_reply_finish(&r);
}

/* ---- reasoning ---------------------------------------------------------- */

/* A tool loop of a reasoning model: each assistant turn carries what its
 * format sends back, and one from another format. */
static const char reasoning_conversation[] =
	"[{'role':'user','content':'Weather?'},"
	" {'role':'assistant','content':null,'reasoning':'shown only',"
	"  'reasoning_bytes':10,'reasoning_truncated':false,"
	"  'send_back':{'format':'openai','field':'reasoning_content',"
	"   'text':'I should call get_weather.'},"
	"  'tool_calls':[{'id':'c1','name':'get_weather',"
	"   'arguments':{'city':'Paris'}}]},"
	" {'role':'tool','tool_call_id':'c1','name':'get_weather',"
	"  'content':'sunny'},"
	" {'role':'assistant','content':'Sunny.','send_back':{"
	"  'format':'openai','field':'reasoning','text':'Done.'}},"
	" {'role':'user','content':'And now?'},"
	" {'role':'assistant','content':'Let me see.','send_back':{"
	"  'format':'anthropic','content':["
	"   {'type':'thinking','thinking':'Call it again.','signature':'sig=='},"
	"   {'type':'redacted_thinking','data':'EmwKAhgB'},"
	"   {'type':'text','text':'not a thinking block'}, 7]},"
	"  'tool_calls':[{'id':'c2','name':'get_weather',"
	"   'arguments':{'city':'Paris'}}]},"
	" {'role':'tool','tool_call_id':'c2','name':'get_weather',"
	"  'content':'rain'},"
	" {'role':'assistant','content':null,'send_back':{"
	"  'format':'anthropic','content':[{'type':'thinking',"
	"  'thinking':'cut','signature':''}]}}]";

static void
openai_request_sends_reasoning_back(void)
{
	json_t *msgs = qjson(reasoning_conversation), *body;
	struct llm_request req = { .model = "deepseek-reasoner",
	    .messages = msgs };

	body = wire_openai.build_request(&req, false);
	/* as the field it came in; never what is only shown, never the
	 * other format's blocks */
	is_json(json_object_get(body, "messages"), "["
	    " {'role':'user','content':'Weather?'},"
	    " {'role':'assistant','content':null,"
	    "  'reasoning_content':'I should call get_weather.','tool_calls':["
	    "  {'id':'c1','type':'function','function':{'name':'get_weather',"
	    "   'arguments':'{\\'city\\':\\'Paris\\'}'}}]},"
	    " {'role':'tool','tool_call_id':'c1','content':'sunny'},"
	    " {'role':'assistant','content':'Sunny.','reasoning':'Done.'},"
	    " {'role':'user','content':'And now?'},"
	    " {'role':'assistant','content':'Let me see.','tool_calls':["
	    "  {'id':'c2','type':'function','function':{'name':'get_weather',"
	    "   'arguments':'{\\'city\\':\\'Paris\\'}'}}]},"
	    " {'role':'tool','tool_call_id':'c2','content':'rain'},"
	    " {'role':'assistant','content':''}]");
	json_decref(body);
	json_decref(msgs);
}

static void
anthropic_request_sends_thinking_back(void)
{
	json_t *msgs = qjson(reasoning_conversation), *body;
	struct llm_request req = { .model = "claude-sonnet-4-5",
	    .messages = msgs };

	body = wire_anthropic.build_request(&req, false);
	/* thinking first in its turn, unchanged (signature, data); what is
	 * not a thinking block is not sent; thinking alone is no turn */
	is_json(json_object_get(body, "messages"), "["
	    " {'role':'user','content':'Weather?'},"
	    " {'role':'assistant','content':[{'type':'tool_use','id':'c1',"
	    "  'name':'get_weather','input':{'city':'Paris'}}]},"
	    " {'role':'user','content':[{'type':'tool_result',"
	    "  'tool_use_id':'c1','content':'sunny'}]},"
	    " {'role':'assistant','content':[{'type':'text','text':'Sunny.'}]},"
	    " {'role':'user','content':'And now?'},"
	    " {'role':'assistant','content':["
	    "  {'type':'thinking','thinking':'Call it again.','signature':'sig=='},"
	    "  {'type':'redacted_thinking','data':'EmwKAhgB'},"
	    "  {'type':'text','text':'Let me see.'},"
	    "  {'type':'tool_use','id':'c2','name':'get_weather',"
	    "   'input':{'city':'Paris'}}]},"
	    " {'role':'user','content':[{'type':'tool_result',"
	    "  'tool_use_id':'c2','content':'rain'}]},"
	    " {'role':'assistant','content':["
	    "  {'type':'thinking','thinking':'cut','signature':''},"
	    "  {'type':'text','text':'(no content)'}]}]");
	json_decref(body);
	json_decref(msgs);
}

static void
anthropic_request_thinking_budget(void)
{
	json_t *msgs = qjson("[{'role':'user','content':'q'}]"), *body;
	json_t *loop = qjson("[{'role':'user','content':'q'},"
	    " {'role':'assistant','content':null,'tool_calls':[{'id':'c',"
	    "  'name':'f','arguments':{}}]},"
	    " {'role':'tool','tool_call_id':'c','content':'x'}]");
	json_t *thought = qjson("[{'role':'user','content':'q'},"
	    " {'role':'assistant','content':null,'send_back':{'format':"
	    "  'anthropic','content':[{'type':'thinking','thinking':'t',"
	    "  'signature':'s'}]},'tool_calls':[{'id':'c','name':'f',"
	    "  'arguments':{}}]},"
	    " {'role':'tool','tool_call_id':'c','content':'x'}]");
	struct llm_request req = { .model = "m", .messages = msgs,
	    .max_tokens = 4000, .thinking_budget = 2048 };

	body = wire_anthropic.build_request(&req, false);
	is_json(json_object_get(body, "thinking"),
	    "{'type':'enabled','budget_tokens':2048}");
	is_int(json_integer_value(json_object_get(body, "max_tokens")), 4000);
	json_decref(body);
	/* max_tokens caps thinking and answer together */
	req.max_tokens = 1500;
	body = wire_anthropic.build_request(&req, false);
	is_json(json_object_get(body, "thinking"),
	    "{'type':'enabled','budget_tokens':1499}");
	json_decref(body);
	/* under the API's least budget: not asked for */
	req.max_tokens = 1024;
	body = wire_anthropic.build_request(&req, false);
	ok(json_object_get(body, "thinking") == NULL);
	json_decref(body);
	/* a tool loop that began without thinking goes on without */
	req.max_tokens = 4000;
	req.messages = loop;
	body = wire_anthropic.build_request(&req, false);
	ok(json_object_get(body, "thinking") == NULL);
	json_decref(body);
	req.messages = thought;
	body = wire_anthropic.build_request(&req, false);
	ok(json_object_get(body, "thinking") != NULL);
	json_decref(body);
	/* the OpenAI format has no such field */
	body = wire_openai.build_request(&req, false);
	ok(json_object_get(body, "thinking") == NULL);
	json_decref(body);
	req.thinking_budget = 0;
	body = wire_anthropic.build_request(&req, false);
	ok(json_object_get(body, "thinking") == NULL);
	json_decref(body);
	json_decref(msgs);
	json_decref(loop);
	json_decref(thought);
}

static void
openai_response_reasoning(void)
{
	struct llm_reply r = { 0 };
	char err[200];

	/* DeepSeek / llama.cpp / vLLM: reasoning_content */
	is_int(parse(&wire_openai, "{'id':'x','object':'chat.completion',"
	    "'choices':[{'index':0,'message':{'role':'assistant',"
	    "'content':'42.','reasoning_content':'6 times 7.'},"
	    "'finish_reason':'stop'}],'usage':{'prompt_tokens':10,"
	    "'completion_tokens':30,'completion_tokens_details':{"
	    "'reasoning_tokens':25}}}", &r, err, sizeof err), 0);
	is_str(r.text, "42.");
	is_str(r.reasoning, "6 times 7.");
	is_int(r.reasoning_tokens, 25);
	is_int(r.tokens_out, 30);
	is_json(r.send_back, "{'format':'openai','field':'reasoning_content',"
	    "'text':'6 times 7.'}");
	llm_reply_finish(&r);

	/* Ollama, OpenRouter, newer vLLM: reasoning; no count reported */
	is_int(parse(&wire_openai, "{'choices':[{'message':{'content':'ok',"
	    "'reasoning':'hm'},'finish_reason':'stop'}],'usage':{"
	    "'prompt_tokens':1,'completion_tokens':2}}", &r, err, sizeof err), 0);
	is_str(r.reasoning, "hm");
	is_int(r.reasoning_tokens, -1);
	is_json(r.send_back, "{'format':'openai','field':'reasoning',"
	    "'text':'hm'}");
	llm_reply_finish(&r);

	/* both: the same text, kept once; null is none */
	is_int(parse(&wire_openai, "{'choices':[{'message':{'content':'ok',"
	    "'reasoning_content':'a','reasoning':'a'}}]}", &r, err,
	    sizeof err), 0);
	is_str(r.reasoning, "a");
	llm_reply_finish(&r);
	is_int(parse(&wire_openai, "{'choices':[{'message':{'content':'ok',"
	    "'reasoning':null}}],'usage':{'completion_tokens_details':{"
	    "'reasoning_tokens':0}}}", &r, err, sizeof err), 0);
	ok(r.reasoning == NULL && r.send_back == NULL);
	is_int(r.reasoning_tokens, 0);
	llm_reply_finish(&r);

	/* every token spent thinking: no answer, cut by max_tokens */
	is_int(parse(&wire_openai, "{'choices':[{'message':{'content':null,"
	    "'reasoning_content':'Let me think about this very care'},"
	    "'finish_reason':'length'}],'usage':{'prompt_tokens':10,"
	    "'completion_tokens':8,'completion_tokens_details':{"
	    "'reasoning_tokens':8}}}", &r, err, sizeof err), 0);
	ok(r.text == NULL);
	ok(r.tool_calls == NULL);
	is_str(r.stop_reason, "max_tokens");
	is_str(r.reasoning, "Let me think about this very care");
	is_int(r.reasoning_tokens, 8);
	llm_reply_finish(&r);

	/* without usage the estimate counts the reasoning too */
	is_int(parse(&wire_openai, "{'choices':[{'message':{'content':'abcd',"
	    "'reasoning_content':'0123456789ab'}}]}", &r, err, sizeof err), 0);
	ok(r.usage_estimated);
	is_int(r.tokens_out, 1 + 3);
	llm_reply_finish(&r);
}

static void
anthropic_response_thinking(void)
{
	struct llm_reply r = { 0 };
	char err[200];

	is_int(parse(&wire_anthropic, "{'id':'msg_01','type':'message',"
	    "'role':'assistant','model':'claude-sonnet-4-5','content':["
	    " {'type':'thinking','thinking':'The user wants the weather.',"
	    "  'signature':'WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve'},"
	    " {'type':'redacted_thinking','data':'EmwKAhgBEgy3va3pzix'},"
	    " {'type':'thinking','thinking':'Paris, then.','signature':'s2'},"
	    " {'type':'text','text':'Checking.'},"
	    " {'type':'tool_use','id':'toolu_1','name':'get_weather',"
	    "  'input':{'city':'Paris'}}],"
	    "'stop_reason':'tool_use','usage':{'input_tokens':50,"
	    "'output_tokens':90}}", &r, err, sizeof err), 0);
	is_str(r.text, "Checking.");
	is_str(r.reasoning, "The user wants the weather.\n\nParis, then.");
	is_int(r.reasoning_tokens, -1);
	is_json(r.send_back, "{'format':'anthropic','content':["
	    " {'type':'thinking','thinking':'The user wants the weather.',"
	    "  'signature':'WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve'},"
	    " {'type':'redacted_thinking','data':'EmwKAhgBEgy3va3pzix'},"
	    " {'type':'thinking','thinking':'Paris, then.','signature':'s2'}]}");
	is_int(json_array_size(r.tool_calls), 1);
	llm_reply_finish(&r);

	/* every token spent thinking */
	is_int(parse(&wire_anthropic, "{'content':[{'type':'thinking',"
	    "'thinking':'Hmm, so','signature':'x'}],'stop_reason':'max_tokens',"
	    "'usage':{'input_tokens':5,'output_tokens':64}}", &r, err,
	    sizeof err), 0);
	ok(r.text == NULL && r.tool_calls == NULL);
	is_str(r.stop_reason, "max_tokens");
	is_str(r.reasoning, "Hmm, so");
	llm_reply_finish(&r);

	/* only redacted thinking: nothing to show, all to send back */
	is_int(parse(&wire_anthropic, "{'content':[{'type':'redacted_thinking',"
	    "'data':'abc'},{'type':'text','text':'ok'}],'usage':{"
	    "'input_tokens':5,'output_tokens':6}}", &r, err, sizeof err), 0);
	ok(r.reasoning == NULL);
	is_json(r.send_back, "{'format':'anthropic','content':[{'type':"
	    "'redacted_thinking','data':'abc'}]}");
	llm_reply_finish(&r);
}

static void
reasoning_with_wrong_types(void)
{
	static const struct {
		const struct wire_ops *ops;
		const char *body, *err;
	} cases[] = {
		{ &wire_openai, "{'choices':[{'message':{'content':'a',"
		    "'reasoning_content':5}}]}",
		    "choices[0].message.reasoning_content: not a string" },
		{ &wire_openai, "{'choices':[{'message':{'content':'a',"
		    "'reasoning':{'text':'x'}}}]}",
		    "choices[0].message.reasoning: not a string" },
		{ &wire_openai, "{'choices':[{'message':{'content':'a'}}],"
		    "'usage':{'completion_tokens_details':[]}}",
		    "usage.completion_tokens_details: not an object" },
		{ &wire_openai, "{'choices':[{'message':{'content':'a'}}],"
		    "'usage':{'completion_tokens_details':{'reasoning_tokens':-3}}}",
		    "usage.completion_tokens_details.reasoning_tokens: negative" },
		{ &wire_anthropic, "{'content':[{'type':'thinking','thinking':3}]}",
		    "content[0].thinking: not a string" },
		{ &wire_anthropic, "{'content':[{'type':'thinking'}]}",
		    "content[0].thinking: missing" },
		{ &wire_anthropic, "{'content':[{'type':'thinking','thinking':'a',"
		    "'signature':{}}]}", "content[0].signature: not a string" },
		{ &wire_anthropic, "{'content':[{'type':'redacted_thinking'}]}",
		    "content[0].data: missing" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		char err[200];
		int rc = parse(cases[i].ops, cases[i].body, &r, err, sizeof err);

		if (rc != -EPROTO || strstr(err, cases[i].err) == NULL)
			T_DIAG("case %zu: %d \"%s\", want \"%s\"", i, rc, err,
			    cases[i].err);
		llm_reply_finish(&r);
	}
}

static void
reasoning_is_bounded(void)
{
	size_t n = (8u << 20) + 1;
	char *body = xmalloc(n + 128), err[200];
	struct llm_reply r = { 0 };
	int len;

	len = snprintf(body, 128, "{\"choices\":[{\"message\":{"
	    "\"reasoning_content\":\"");
	memset(body + len, 'a', n);
	strcpy(body + len + n, "\"}}]}");
	is_int(wire_openai.parse_response(body, strlen(body), &r, err,
	    sizeof err), -EPROTO);
	has_str(err, "the reasoning is longer than 8 MiB");
	len = snprintf(body, 128, "{\"content\":[{\"type\":\"thinking\","
	    "\"thinking\":\"\",\"signature\":\"");
	memset(body + len, 'a', n);
	strcpy(body + len + n, "\"}]}");
	is_int(wire_anthropic.parse_response(body, strlen(body), &r, err,
	    sizeof err), -EPROTO);
	has_str(err, "thinking signatures are longer than 8 MiB");
	free(body);
}

/* llama.cpp / DeepSeek: the reasoning streams first, then the answer. */
static const char openai_reasoning_stream[] =
	"data: {'id':'c','object':'chat.completion.chunk','choices':[{"
	"'index':0,'delta':{'role':'assistant','content':null,"
	"'reasoning_content':''},'finish_reason':null}]}\n\n"
	"data: {'choices':[{'index':0,'delta':{'content':null,"
	"'reasoning_content':'The user '}}]}\n\n"
	"data: {'choices':[{'index':0,'delta':{'reasoning_content':"
	"'asks for 6*7.'}}]}\n\n"
	"data: {'choices':[{'index':0,'delta':{'content':'42','reasoning_content':"
	"null}}]}\n\n"
	"data: {'choices':[{'index':0,'delta':{'content':'.'},"
	"'finish_reason':'stop'}]}\n\n"
	"data: {'choices':[],'usage':{'prompt_tokens':9,'completion_tokens':12,"
	"'completion_tokens_details':{'reasoning_tokens':10}}}\n\n"
	"data: [DONE]\n\n";

static void
openai_stream_reasoning(void)
{
	size_t steps[] = { 0, 1, 7 };

	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct llm_reply r = { 0 };
		struct feed f;

		is_int(run_stream(&wire_openai, openai_reasoning_stream,
		    steps[i], &r, &f), 0);
		is_str(f.rdeltas, "The user asks for 6*7.");
		is_str(f.deltas, "42.");
		is_str(f.kinds, "rrtt");
		is_str(r.reasoning, "The user asks for 6*7.");
		is_str(r.text, "42.");
		is_int(r.reasoning_tokens, 10);
		is_json(r.send_back, "{'format':'openai','field':"
		    "'reasoning_content','text':'The user asks for 6*7.'}");
		llm_reply_finish(&r);
	}
}

static void
openai_stream_reasoning_only_and_cut(void)
{
	struct llm_reply r = { 0 };
	struct feed f;

	/* Ollama's name; all the budget spent thinking */
	is_int(run_stream(&wire_openai,
	    "data: {'choices':[{'delta':{'reasoning':'Step one, '}}]}\n\n"
	    "data: {'choices':[{'delta':{'reasoning':'step two'},"
	    "'finish_reason':'length'}]}\n\n"
	    "data: [DONE]\n\n", 3, &r, &f), 0);
	ok(r.text == NULL && r.tool_calls == NULL);
	is_str(r.stop_reason, "max_tokens");
	is_str(r.reasoning, "Step one, step two");
	is_str(f.deltas, "");
	is_json(r.send_back, "{'format':'openai','field':'reasoning',"
	    "'text':'Step one, step two'}");
	llm_reply_finish(&r);

	/* cut while thinking: an error, as a cut answer is */
	is_int(run_stream(&wire_openai,
	    "data: {'choices':[{'delta':{'reasoning_content':'Step'}}]}\n\n",
	    1, &r, &f), -EPROTO);
	has_str(f.err, "the stream ended before [DONE]");
	is_str(f.rdeltas, "Step");
	llm_reply_finish(&r);

	is_int(run_stream(&wire_openai,
	    "data: {'choices':[{'delta':{'reasoning_content':['x']}}]}\n\n",
	    1, &r, &f), -EPROTO);
	has_str(f.err, "choices[0].delta.reasoning_content: not a string");
	llm_reply_finish(&r);
}

/* Anthropic extended thinking with a tool call, as the streaming docs
 * show it (signature_delta just before the block stops). */
static const char anthropic_thinking_stream[] =
	"event: message_start\n"
	"data: {'type':'message_start','message':{'id':'msg_01','type':"
	"'message','role':'assistant','content':[],'model':'claude-sonnet-4-5',"
	"'stop_reason':null,'usage':{'input_tokens':40,'output_tokens':1}}}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':0,'content_block':{"
	"'type':'thinking','thinking':'','signature':''}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':0,'delta':{"
	"'type':'thinking_delta','thinking':'I need '}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':0,'delta':{"
	"'type':'thinking_delta','thinking':'the weather.'}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':0,'delta':{"
	"'type':'signature_delta','signature':'EqQBCgIYAhIM1gbcDa9GJwZA2b3h'}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':0}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':1,'content_block':{"
	"'type':'redacted_thinking','data':'EmwKAhgBEgy3va3pzix'}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':1}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':2,'content_block':{"
	"'type':'text','text':''}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':2,'delta':{"
	"'type':'text_delta','text':'Checking.'}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':2}\n\n"
	"event: content_block_start\n"
	"data: {'type':'content_block_start','index':3,'content_block':{"
	"'type':'tool_use','id':'toolu_1','name':'get_weather','input':{}}}\n\n"
	"event: content_block_delta\n"
	"data: {'type':'content_block_delta','index':3,'delta':{"
	"'type':'input_json_delta','partial_json':'{\\'city\\':\\'Paris\\'}'}}\n\n"
	"event: content_block_stop\n"
	"data: {'type':'content_block_stop','index':3}\n\n"
	"event: message_delta\n"
	"data: {'type':'message_delta','delta':{'stop_reason':'tool_use',"
	"'stop_sequence':null},'usage':{'output_tokens':80}}\n\n"
	"event: message_stop\n"
	"data: {'type':'message_stop'}\n\n";

static void
anthropic_stream_thinking(void)
{
	size_t steps[] = { 0, 1, 13 };

	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct llm_reply r = { 0 };
		struct feed f;

		is_int(run_stream(&wire_anthropic, anthropic_thinking_stream,
		    steps[i], &r, &f), 0);
		is_str(f.rdeltas, "I need the weather.");
		is_str(f.deltas, "Checking.");
		is_str(f.kinds, "rrt");
		is_str(r.reasoning, "I need the weather.");
		is_str(r.text, "Checking.");
		is_str(r.stop_reason, "tool_use");
		is_json(r.send_back, "{'format':'anthropic','content':["
		    " {'type':'thinking','thinking':'I need the weather.',"
		    "  'signature':'EqQBCgIYAhIM1gbcDa9GJwZA2b3h'},"
		    " {'type':'redacted_thinking','data':'EmwKAhgBEgy3va3pzix'}]}");
		is_json(r.tool_calls, "[{'id':'toolu_1','name':'get_weather',"
		    "'arguments':{'city':'Paris'}}]");
		llm_reply_finish(&r);
	}
}

static void
anthropic_stream_thinking_errors(void)
{
	static const char start[] =
	    "event: message_start\ndata: {'type':'message_start','message':{"
	    "'usage':{'input_tokens':1,'output_tokens':1}}}\n\n";
	static const struct {
		const char *events;
		int r;
		const char *err;
	} cases[] = {
		/* cut while thinking */
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':''}}\n\n"
		    "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'thinking_delta','thinking':'a'}}\n\n",
		    -EPROTO, "the stream ended before message_stop" },
		{ "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'thinking_delta','thinking':'a'}}\n\n",
		    -EPROTO, "thinking_delta for block 0, which is not a thinking" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'redacted_thinking',"
		    "'data':'x'}}\n\n"
		    "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'signature_delta','signature':'a'}}\n\n",
		    -EPROTO, "signature_delta for block 0, which is not a thinking" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'tool_use','id':'t',"
		    "'name':'f','input':{}}}\n\n"
		    "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'thinking_delta','thinking':'a'}}\n\n",
		    -EPROTO, "which is not a thinking block" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':''}}\n\n"
		    "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'input_json_delta',"
		    "'partial_json':'{'}}\n\n",
		    -EPROTO, "which is not a tool_use block" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':''}}\n\n"
		    "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'tool_use','name':'f'}}\n\n",
		    -EPROTO, "block 0 started twice" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':''}}\n\n"
		    "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':''}}\n\n",
		    -EPROTO, "block 0 started twice" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':7}}\n\n",
		    -EPROTO, "content_block_start.content_block.thinking: not a string" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'redacted_thinking'}}\n\n",
		    -EPROTO, "content_block_start.content_block.data: missing" },
		{ "event: content_block_start\ndata: {'type':'content_block_start',"
		    "'index':0,'content_block':{'type':'thinking','thinking':''}}\n\n"
		    "event: content_block_delta\ndata: {'type':'content_block_delta',"
		    "'index':0,'delta':{'type':'signature_delta'}}\n\n",
		    -EPROTO, "content_block_delta.delta.signature: missing" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct llm_reply r = { 0 };
		struct feed f;
		char *t = xasprintf("%s%s", start, cases[i].events);
		int rc = run_stream(&wire_anthropic, t, 1, &r, &f);

		if (rc != cases[i].r || strstr(f.err, cases[i].err) == NULL)
			T_DIAG("case %zu: %d \"%s\", want %d \"%s\"", i, rc,
			    f.err, cases[i].r, cases[i].err);
		free(t);
		llm_reply_finish(&r);
	}
}

#define TESTS(X) \
	X(find_by_name) \
	X(arguments_table) \
	X(arguments_invalid_json_kept_raw) \
	X(openai_request_body) \
	X(anthropic_request_body_merges_tool_results) \
	X(anthropic_request_edge_cases) \
	X(openai_response_text_and_usage) \
	X(openai_response_tool_calls) \
	X(openai_response_without_usage_is_estimated) \
	X(anthropic_response_text_tools_cache) \
	X(anthropic_response_stop_reasons) \
	X(responses_with_wrong_types) \
	X(error_bodies) \
	X(bounded_text) \
	X(error_messages) \
	X(error_message_fallback_is_bounded) \
	X(openai_stream_assembles_calls) \
	X(openai_stream_crlf_and_comments) \
	X(openai_stream_cut_and_errors) \
	X(openai_stream_without_ids_or_index) \
	X(openai_stream_text_is_bounded) \
	X(anthropic_stream_assembles_calls) \
	X(anthropic_stream_unknown_events_and_unnamed) \
	X(anthropic_stream_cut_and_errors) \
	X(anthropic_stream_without_usage_is_estimated) \
	X(openai_request_sends_reasoning_back) \
	X(anthropic_request_sends_thinking_back) \
	X(anthropic_request_thinking_budget) \
	X(openai_response_reasoning) \
	X(anthropic_response_thinking) \
	X(reasoning_with_wrong_types) \
	X(reasoning_is_bounded) \
	X(openai_stream_reasoning) \
	X(openai_stream_reasoning_only_and_cut) \
	X(anthropic_stream_thinking) \
	X(anthropic_stream_thinking_errors)
T_MAIN(TESTS)
