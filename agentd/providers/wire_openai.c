/*
 * OpenAI Chat Completions (POST /chat/completions), as OpenAI and the
 * servers compatible with it (vLLM, llama.cpp, Ollama…) speak it. Streams
 * are "data: {chunk}" events ending in "data: [DONE]"; tool-call arguments
 * arrive in pieces keyed by the call's index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "providers/wire_impl.h"
#include "util.h"

#define MAX_INDEX	(1L << 20)	/* a tool_calls index we believe */
#define NO_INDEX	(1L << 24)	/* keys of calls sent without index */

/* A tool call's arguments as JSON text. Arguments the model sent broken
 * (arguments_raw) go back as "{}": servers that render the history through
 * a chat template (llama.cpp, vLLM) parse every call's arguments and answer
 * HTTP 500 to the whole request when one does not parse. The tool result
 * tells the model what was wrong with what it sent. */
static json_t *
arguments_text(const json_t *call)
{
	const json_t *args = json_object_get(call, "arguments");
	char *s;
	json_t *v;

	if (!json_is_object(args))
		return json_string("{}");
	s = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
	v = json_string(s != NULL ? s : "{}");
	free(s);
	return v;
}

/* The reasoning an earlier reply of this format asked to send back
 * (wire.h): as the member it came in. */
static void
add_send_back(json_t *m, const json_t *msg)
{
	const json_t *sb = json_object_get(msg, "send_back");
	const json_t *text = json_object_get(sb, "text");
	const char *field = wire_str(json_object_get(sb, "field"));

	if (strcmp(wire_str(json_object_get(sb, "format")), "openai") != 0 ||
	    !json_is_string(text))
		return;
	if (strcmp(field, "reasoning") != 0)
		field = "reasoning_content";
	json_object_set_new(m, field, json_deep_copy(text));
}

static json_t *
assistant_message(const json_t *msg)
{
	const json_t *text = json_object_get(msg, "content");
	const json_t *calls = json_object_get(msg, "tool_calls"), *c;
	json_t *m = json_object(), *tcs, *fn, *tc;
	size_t i;

	json_object_set_new(m, "role", json_string("assistant"));
	if (json_is_string(text) && json_string_length(text) > 0)
		json_object_set_new(m, "content", json_deep_copy(text));
	else
		json_object_set_new(m, "content", json_array_size(calls) > 0 ?
		    json_null() : json_string(""));
	add_send_back(m, msg);
	if (json_array_size(calls) == 0)
		return m;
	tcs = json_array();
	json_array_foreach(calls, i, c) {
		fn = json_object();
		json_object_set_new(fn, "name",
		    json_string(wire_str(json_object_get(c, "name"))));
		json_object_set_new(fn, "arguments", arguments_text(c));
		tc = json_object();
		json_object_set_new(tc, "id",
		    json_string(wire_str(json_object_get(c, "id"))));
		json_object_set_new(tc, "type", json_string("function"));
		json_object_set_new(tc, "function", fn);
		json_array_append_new(tcs, tc);
	}
	json_object_set_new(m, "tool_calls", tcs);
	return m;
}

static json_t *
build_messages(const struct llm_request *req)
{
	json_t *msgs = json_array(), *m;
	const json_t *msg;
	const char *role;
	size_t i;

	if (req->system != NULL && req->system[0] != '\0')
		json_array_append_new(msgs, json_pack("{s:s, s:s}",
		    "role", "system", "content", req->system));
	json_array_foreach(req->messages, i, msg) {
		role = wire_str(json_object_get(msg, "role"));
		if (strcmp(role, "user") == 0) {
			m = json_object();
			json_object_set_new(m, "role", json_string("user"));
			json_object_set_new(m, "content",
			    wire_content_string(json_object_get(msg, "content")));
		} else if (strcmp(role, "assistant") == 0) {
			m = assistant_message(msg);
		} else if (strcmp(role, "tool") == 0) {
			m = json_object();
			json_object_set_new(m, "role", json_string("tool"));
			json_object_set_new(m, "tool_call_id", json_string(
			    wire_str(json_object_get(msg, "tool_call_id"))));
			json_object_set_new(m, "content",
			    wire_content_string(json_object_get(msg, "content")));
		} else {
			continue;	/* not a role of the conversation */
		}
		json_array_append_new(msgs, m);
	}
	return msgs;
}

static json_t *
build_tools(const json_t *tools)
{
	json_t *out = json_array(), *fn, *t;
	const json_t *def, *v;
	size_t i;

	json_array_foreach(tools, i, def) {
		fn = json_object();
		json_object_set_new(fn, "name",
		    json_string(wire_str(json_object_get(def, "name"))));
		if ((v = json_object_get(def, "description")) != NULL)
			json_object_set_new(fn, "description",
			    json_deep_copy(v));
		if ((v = json_object_get(def, "input_schema")) != NULL)
			json_object_set_new(fn, "parameters", json_deep_copy(v));
		else
			json_object_set_new(fn, "parameters",
			    json_pack("{s:s, s:{}}", "type", "object",
			    "properties"));
		t = json_object();
		json_object_set_new(t, "type", json_string("function"));
		json_object_set_new(t, "function", fn);
		json_array_append_new(out, t);
	}
	return out;
}

static json_t *
openai_build_request(const struct llm_request *req, bool stream)
{
	json_t *body = json_object();

	json_object_set_new(body, "model",
	    json_string(req->model != NULL ? req->model : ""));
	json_object_set_new(body, "messages", build_messages(req));
	if (req->max_tokens > 0)
		json_object_set_new(body, "max_tokens",
		    json_integer(req->max_tokens));
	if (json_array_size(req->tools) > 0)
		json_object_set_new(body, "tools", build_tools(req->tools));
	if (stream) {
		json_object_set_new(body, "stream", json_true());
		json_object_set_new(body, "stream_options",
		    json_pack("{s:b}", "include_usage", 1));
	}
	return body;
}

/* An {"error": …} in a body or a chunk: its wire_error_class(). */
static int
error_object(const json_t *e, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(e, "type"));
	const json_t *code = json_object_get(e, "code");
	const json_t *m = json_is_string(e) ? e : json_object_get(e, "message");
	char msg[256];

	if (json_is_string(m))
		wire_clean(msg, sizeof msg, json_string_value(m),
		    json_string_length(m));
	else
		copy_str(msg, sizeof msg, "no message");
	wire_err(err, errlen, "the provider sent an error: %s", msg);
	return wire_error_class(type, json_string_value(code),
	    json_is_integer(code) ? (long)json_integer_value(code) : 0);
}

static int
parse_usage(struct wire_acc *acc, const json_t *root, char *err,
    size_t errlen)
{
	json_t *usage, *details, *out;
	int r;

	if ((r = wire_get(root, "", "usage", JSON_OBJECT, false, &usage, err,
	    errlen)) != 0 || usage == NULL)
		return r;
	acc->usage = true;
	if ((r = wire_get_count(usage, "usage", "prompt_tokens",
	    &acc->tokens_in, NULL, err, errlen)) != 0 ||
	    (r = wire_get_count(usage, "usage", "completion_tokens",
	    &acc->tokens_out, NULL, err, errlen)) != 0 ||
	    (r = wire_get(usage, "usage", "prompt_tokens_details", JSON_OBJECT,
	    false, &details, err, errlen)) != 0)
		return r;
	if (details != NULL && (r = wire_get_count(details,
	    "usage.prompt_tokens_details", "cached_tokens", &acc->cached,
	    NULL, err, errlen)) != 0)
		return r;
	if ((r = wire_get(usage, "usage", "completion_tokens_details",
	    JSON_OBJECT, false, &out, err, errlen)) != 0 || out == NULL)
		return r;
	return wire_get_count(out, "usage.completion_tokens_details",
	    "reasoning_tokens", &acc->reasoning_tokens, NULL, err, errlen);
}

/* The reasoning of a message or delta at @path: "reasoning_content"
 * (DeepSeek, llama.cpp, vLLM before 0.10), else "reasoning" (Ollama,
 * OpenRouter, newer vLLM); a server that sends both sends the same. */
static int
parse_reasoning(struct wire_acc *acc, const json_t *obj, const char *path,
    char *err, size_t errlen)
{
	static const char *const names[] = { "reasoning_content", "reasoning" };
	json_t *v;
	int r;

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if ((r = wire_get(obj, path, names[i], JSON_STRING, false, &v,
		    err, errlen)) != 0)
			return r;
		if (v == NULL)
			continue;
		if (acc->reasoning_field == NULL)
			acc->reasoning_field = names[i];
		return wire_acc_reasoning(acc, json_string_value(v),
		    json_string_length(v), err, errlen);
	}
	return 0;
}

/* A reply with reasoning keeps it whole to send back (wire.h). */
static void
keep_reasoning(struct llm_reply *out, const char *field)
{
	if (out->reasoning == NULL)
		return;
	out->send_back = json_pack("{s:s, s:s, s:s}", "format", "openai",
	    "field", field != NULL ? field : "reasoning_content",
	    "text", out->reasoning);
}

/* choices[0].message.tool_calls[@i] of a whole response. */
static int
parse_call(struct wire_acc *acc, const json_t *tc, size_t i, char *err,
    size_t errlen)
{
	char path[96], fpath[112];
	json_t *id, *type, *fn, *name, *args;
	struct wire_call *call;
	int r;

	snprintf(path, sizeof path, "choices[0].message.tool_calls[%zu]", i);
	snprintf(fpath, sizeof fpath, "%s.function", path);
	if (!json_is_object(tc)) {
		wire_err(err, errlen, "%s: not an object", path);
		return -EPROTO;
	}
	if ((r = wire_get(tc, path, "id", JSON_STRING, false, &id, err,
	    errlen)) != 0 ||
	    (r = wire_get(tc, path, "type", JSON_STRING, false, &type, err,
	    errlen)) != 0 ||
	    (r = wire_get(tc, path, "function", JSON_OBJECT, true, &fn, err,
	    errlen)) != 0 ||
	    (r = wire_get(fn, fpath, "name", JSON_STRING, true, &name, err,
	    errlen)) != 0 ||
	    (r = wire_get(fn, fpath, "arguments", JSON_STRING, false, &args,
	    err, errlen)) != 0)
		return r;
	if ((call = wire_acc_call(acc, (long)i, true, err, errlen)) == NULL)
		return -EPROTO;
	if (id != NULL)
		wire_call_set(&call->id, json_string_value(id),
		    json_string_length(id));
	wire_call_set(&call->name, json_string_value(name),
	    json_string_length(name));
	if (args != NULL)
		return wire_acc_args(acc, call, json_string_value(args),
		    json_string_length(args), err, errlen);
	return 0;
}

static int
openai_parse_response(const char *body, size_t len, struct llm_reply *out,
    char *err, size_t errlen)
{
	struct wire_acc acc;
	json_t *root, *choices, *choice, *msg, *v, *calls, *e, *tc;
	const char *field;
	size_t i;
	int r;

	wire_acc_init(&acc);
	if ((root = wire_load(body, len, "the response", err, errlen)) == NULL) {
		r = -EPROTO;
		goto out;
	}
	if ((e = json_object_get(root, "error")) != NULL && !json_is_null(e) &&
	    json_object_get(root, "choices") == NULL) {
		r = error_object(e, err, errlen);
		goto out;
	}
	if ((r = wire_get(root, "", "choices", JSON_ARRAY, true, &choices, err,
	    errlen)) != 0)
		goto out;
	if ((choice = json_array_get(choices, 0)) == NULL) {
		wire_err(err, errlen, "choices: empty");
		r = -EPROTO;
		goto out;
	}
	if (!json_is_object(choice)) {
		wire_err(err, errlen, "choices[0]: not an object");
		r = -EPROTO;
		goto out;
	}
	if ((r = wire_get(choice, "choices[0]", "message", JSON_OBJECT, true,
	    &msg, err, errlen)) != 0 ||
	    (r = wire_get(msg, "choices[0].message", "content", JSON_STRING,
	    false, &v, err, errlen)) != 0)
		goto out;
	if (v == NULL && (r = wire_get(msg, "choices[0].message", "refusal",
	    JSON_STRING, false, &v, err, errlen)) != 0)
		goto out;
	if (v != NULL && (r = wire_acc_text(&acc, json_string_value(v),
	    json_string_length(v), err, errlen)) != 0)
		goto out;
	if ((r = parse_reasoning(&acc, msg, "choices[0].message", err,
	    errlen)) != 0)
		goto out;
	if ((r = wire_get(msg, "choices[0].message", "tool_calls", JSON_ARRAY,
	    false, &calls, err, errlen)) != 0)
		goto out;
	json_array_foreach(calls, i, tc)
		if ((r = parse_call(&acc, tc, i, err, errlen)) != 0)
			goto out;
	if ((r = wire_get(choice, "choices[0]", "finish_reason", JSON_STRING,
	    false, &v, err, errlen)) != 0)
		goto out;
	if (v != NULL)
		wire_stop_reason(acc.stop_reason, sizeof acc.stop_reason,
		    json_string_value(v), json_string_length(v));
	if ((r = parse_usage(&acc, root, err, errlen)) != 0)
		goto out;
	field = acc.reasoning_field;
	if ((r = wire_acc_reply(&acc, out, err, errlen)) == 0)
		keep_reasoning(out, field);
out:
	wire_acc_finish(&acc);
	json_decref(root);
	return r;
}

static struct wire_stream *
openai_stream_create(void)
{
	return wire_stream_new();
}

static void
openai_stream_destroy(struct wire_stream *s)
{
	wire_stream_free(s);
}

/* The call a streamed tool_calls[] element continues or starts. */
static struct wire_call *
stream_call(struct wire_acc *acc, const json_t *tc, const char *path,
    char *err, size_t errlen)
{
	json_t *index, *id;
	json_int_t n;

	if (wire_get(tc, path, "index", JSON_INTEGER, false, &index, err,
	    errlen) != 0 ||
	    wire_get(tc, path, "id", JSON_STRING, false, &id, err, errlen) != 0)
		return NULL;
	if (index != NULL) {
		n = json_integer_value(index);
		if (n < 0 || n > MAX_INDEX) {
			wire_err(err, errlen, "%s.index: out of range", path);
			return NULL;
		}
		return wire_acc_call(acc, (long)n, true, err, errlen);
	}
	/* Without an index (some compatible servers): a new id starts a
	 * new call, anything else continues the last one. */
	if (id != NULL && json_string_length(id) > 0) {
		for (size_t i = 0; i < acc->n_calls; i++)
			if (acc->calls[i].id != NULL &&
			    strcmp(acc->calls[i].id, json_string_value(id)) == 0)
				return &acc->calls[i];
	} else if (acc->n_calls > 0) {
		return &acc->calls[acc->n_calls - 1];
	}
	return wire_acc_call(acc, NO_INDEX + (long)acc->n_calls, true, err,
	    errlen);
}

static int
stream_tool_call(struct wire_acc *acc, const json_t *tc, const char *path,
    char *err, size_t errlen)
{
	char fpath[160];
	json_t *id, *type, *fn, *name = NULL, *args = NULL;
	struct wire_call *call;
	int r;

	snprintf(fpath, sizeof fpath, "%s.function", path);
	if (!json_is_object(tc)) {
		wire_err(err, errlen, "%s: not an object", path);
		return -EPROTO;
	}
	if ((r = wire_get(tc, path, "id", JSON_STRING, false, &id, err,
	    errlen)) != 0 ||
	    (r = wire_get(tc, path, "type", JSON_STRING, false, &type, err,
	    errlen)) != 0 ||
	    (r = wire_get(tc, path, "function", JSON_OBJECT, false, &fn, err,
	    errlen)) != 0)
		return r;
	if (fn != NULL &&
	    ((r = wire_get(fn, fpath, "name", JSON_STRING, false, &name, err,
	    errlen)) != 0 ||
	    (r = wire_get(fn, fpath, "arguments", JSON_STRING, false, &args,
	    err, errlen)) != 0))
		return r;
	if ((call = stream_call(acc, tc, path, err, errlen)) == NULL)
		return -EPROTO;
	if (id != NULL && json_string_length(id) > 0)
		wire_call_set(&call->id, json_string_value(id),
		    json_string_length(id));
	if (name != NULL && json_string_length(name) > 0)
		wire_call_set(&call->name, json_string_value(name),
		    json_string_length(name));
	if (args != NULL)
		return wire_acc_args(acc, call, json_string_value(args),
		    json_string_length(args), err, errlen);
	return 0;
}

/* One element of a chunk's choices. Only choice 0 is ours. */
static int
stream_choice(struct wire_acc *acc, const json_t *ch, size_t i, char *err,
    size_t errlen)
{
	char path[48], dpath[64], tpath[96];
	json_t *index, *delta, *v, *calls, *tc;
	size_t k;
	int r;

	snprintf(path, sizeof path, "choices[%zu]", i);
	snprintf(dpath, sizeof dpath, "%s.delta", path);
	if (!json_is_object(ch)) {
		wire_err(err, errlen, "%s: not an object", path);
		return -EPROTO;
	}
	if ((r = wire_get(ch, path, "index", JSON_INTEGER, false, &index, err,
	    errlen)) != 0)
		return r;
	if (index != NULL ? json_integer_value(index) != 0 : i != 0)
		return 0;
	if ((r = wire_get(ch, path, "delta", JSON_OBJECT, false, &delta, err,
	    errlen)) != 0)
		return r;
	if (delta != NULL) {
		if ((r = wire_get(delta, dpath, "content", JSON_STRING, false,
		    &v, err, errlen)) != 0)
			return r;
		if (v == NULL && (r = wire_get(delta, dpath, "refusal",
		    JSON_STRING, false, &v, err, errlen)) != 0)
			return r;
		if (v != NULL && (r = wire_acc_text(acc, json_string_value(v),
		    json_string_length(v), err, errlen)) != 0)
			return r;
		if ((r = parse_reasoning(acc, delta, dpath, err, errlen)) != 0)
			return r;
		if ((r = wire_get(delta, dpath, "tool_calls", JSON_ARRAY, false,
		    &calls, err, errlen)) != 0)
			return r;
		json_array_foreach(calls, k, tc) {
			snprintf(tpath, sizeof tpath, "%s.tool_calls[%zu]",
			    dpath, k);
			if ((r = stream_tool_call(acc, tc, tpath, err,
			    errlen)) != 0)
				return r;
		}
	}
	if ((r = wire_get(ch, path, "finish_reason", JSON_STRING, false, &v,
	    err, errlen)) != 0)
		return r;
	if (v != NULL)
		wire_stop_reason(acc->stop_reason, sizeof acc->stop_reason,
		    json_string_value(v), json_string_length(v));
	return 0;
}

static int
openai_stream_event(struct wire_stream *s, const char *event,
    const char *data, size_t len, struct wire_delta *delta, char *err,
    size_t errlen)
{
	size_t before = s->acc.text.len, rbefore = s->acc.reasoning.len, i;
	json_t *root, *choices, *e, *ch;
	int r;

	*delta = (struct wire_delta){ "", 0, "", 0 };
	if (s->done)
		return 0;		/* nothing follows [DONE] */
	while (len > 0 && strchr(" \t\r\n", data[len - 1]) != NULL &&
	    data[len - 1] != '\0')
		len--;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		s->done = true;
		return 0;
	}
	if ((root = wire_load(data, len, "stream chunk", err, errlen)) == NULL)
		return -EPROTO;
	if ((e = json_object_get(root, "error")) != NULL && !json_is_null(e)) {
		r = error_object(e, err, errlen);
		goto out;
	}
	if ((r = wire_get(root, "", "choices", JSON_ARRAY, false, &choices,
	    err, errlen)) != 0)
		goto out;
	json_array_foreach(choices, i, ch)
		if ((r = stream_choice(&s->acc, ch, i, err, errlen)) != 0)
			goto out;
	if ((r = parse_usage(&s->acc, root, err, errlen)) != 0)
		goto out;
	if (s->acc.text.len > before) {
		delta->text = s->acc.text.p + before;
		delta->len = s->acc.text.len - before;
	}
	if (s->acc.reasoning.len > rbefore) {
		delta->reasoning = s->acc.reasoning.p + rbefore;
		delta->reasoning_len = s->acc.reasoning.len - rbefore;
	}
out:
	json_decref(root);
	return r;
}

static int
openai_stream_finish(struct wire_stream *s, struct llm_reply *out,
    char *err, size_t errlen)
{
	const char *field = s->acc.reasoning_field;
	int r;

	if (!s->done) {
		wire_err(err, errlen, "the stream ended before [DONE]");
		return -EPROTO;
	}
	if ((r = wire_acc_reply(&s->acc, out, err, errlen)) == 0)
		keep_reasoning(out, field);
	return r;
}

const struct wire_ops wire_openai = {
	.name = "openai",
	.path = "/chat/completions",
	.build_request = openai_build_request,
	.parse_response = openai_parse_response,
	.error_message = wire_error_message,
	.stream_create = openai_stream_create,
	.stream_destroy = openai_stream_destroy,
	.stream_event = openai_stream_event,
	.stream_finish = openai_stream_finish,
};
