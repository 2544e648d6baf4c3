/*
 * Anthropic Messages (POST /v1/messages, anthropic-version 2023-06-01).
 * Roles must alternate, so tool results and the user text after them go
 * into one user message. Streams are named events: message_start, then
 * per content block content_block_start/_delta…/_stop, message_delta,
 * message_stop; ping is noise, error is an error, and names we do not
 * know are skipped (the API adds event types over time).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "providers/wire_impl.h"
#include "util.h"

#define DEFAULT_MAX_TOKENS	4096	/* the API requires max_tokens */
#define THINKING_MIN		1024	/* the API's least budget_tokens */
#define MAX_INDEX		(1L << 20)
/* An assistant turn with neither text nor tool calls still needs a
 * non-empty content block. */
#define EMPTY_TURN		"(no content)"

/* A text block; steals @text. */
static json_t *
text_block(json_t *text)
{
	json_t *b = json_object();

	json_object_set_new(b, "type", json_string("text"));
	json_object_set_new(b, "text", text);
	return b;
}

/* The content of @m as an array of blocks (borrowed), converting a
 * string content in place. */
static json_t *
as_blocks(json_t *m)
{
	json_t *c = json_object_get(m, "content"), *blocks;

	if (json_is_array(c))
		return c;
	blocks = json_array();
	if (json_is_string(c) && json_string_length(c) > 0)
		json_array_append_new(blocks, text_block(json_incref(c)));
	json_object_set_new(m, "content", blocks);
	return blocks;
}

static bool
has_role(const json_t *m, const char *role)
{
	return m != NULL &&
	    strcmp(wire_str(json_object_get(m, "role")), role) == 0;
}

static json_t *
new_message(json_t *msgs, const char *role, json_t *content)
{
	json_t *m = json_object();

	json_object_set_new(m, "role", json_string(role));
	json_object_set_new(m, "content", content);
	json_array_append_new(msgs, m);
	return m;
}

static json_t *
tool_use_block(const json_t *call)
{
	const json_t *args = json_object_get(call, "arguments");
	json_t *b = json_object();

	json_object_set_new(b, "type", json_string("tool_use"));
	json_object_set_new(b, "id",
	    json_string(wire_str(json_object_get(call, "id"))));
	json_object_set_new(b, "name",
	    json_string(wire_str(json_object_get(call, "name"))));
	/* arguments the model sent broken (arguments_raw) cannot be an
	 * input object: the tool result tells the model what went wrong */
	json_object_set_new(b, "input", json_is_object(args) ?
	    json_deep_copy(args) : json_object());
	return b;
}

/* Appends @msg (role user) to @msgs, merged into @last when that is a
 * user message too. Returns the message now last. */
static json_t *
add_user(json_t *msgs, json_t *last, const json_t *msg)
{
	json_t *text = wire_content_string(json_object_get(msg, "content"));

	if (!has_role(last, "user"))
		return new_message(msgs, "user", text);
	if (json_string_length(text) > 0)
		json_array_append_new(as_blocks(last), text_block(text));
	else
		json_decref(text);
	return last;
}

/* A tool result: merged into a user message @last, before its text
 * (the API wants tool results first). */
static json_t *
add_tool_result(json_t *msgs, json_t *last, const json_t *msg)
{
	json_t *b = json_object(), *blocks;
	size_t at;

	json_object_set_new(b, "type", json_string("tool_result"));
	json_object_set_new(b, "tool_use_id",
	    json_string(wire_str(json_object_get(msg, "tool_call_id"))));
	json_object_set_new(b, "content",
	    wire_content_string(json_object_get(msg, "content")));
	if (json_is_true(json_object_get(msg, "is_error")))
		json_object_set_new(b, "is_error", json_true());
	if (!has_role(last, "user")) {
		blocks = json_array();
		json_array_append_new(blocks, b);
		return new_message(msgs, "user", blocks);
	}
	blocks = as_blocks(last);
	for (at = 0; at < json_array_size(blocks); at++)
		if (strcmp(wire_str(json_object_get(json_array_get(blocks, at),
		    "type")), "tool_result") != 0)
			break;
	json_array_insert_new(blocks, at, b);
	return last;
}

static bool
is_thinking(const json_t *b)
{
	const char *type = wire_str(json_object_get(b, "type"));

	return strcmp(type, "thinking") == 0 ||
	    strcmp(type, "redacted_thinking") == 0;
}

/* The thinking blocks an earlier reply of this format asked to send back
 * (wire.h), unchanged: the API checks their signatures. */
static void
add_send_back(json_t *blocks, const json_t *msg)
{
	const json_t *sb = json_object_get(msg, "send_back"), *b;
	size_t i;

	if (strcmp(wire_str(json_object_get(sb, "format")), "anthropic") != 0)
		return;
	json_array_foreach(json_object_get(sb, "content"), i, b)
		if (json_is_object(b) && is_thinking(b))
			json_array_append_new(blocks, json_deep_copy(b));
}

static json_t *
add_assistant(json_t *msgs, json_t *last, const json_t *msg)
{
	const json_t *text = json_object_get(msg, "content"), *c;
	const json_t *calls = json_object_get(msg, "tool_calls");
	json_t *blocks, *b;
	bool said = false;
	size_t i;

	if (has_role(last, "assistant")) {
		blocks = as_blocks(last);
	} else {
		blocks = json_array();
		last = new_message(msgs, "assistant", blocks);
	}
	/* the turn's thinking first, as the model wrote it */
	add_send_back(blocks, msg);
	if (json_is_string(text) && json_string_length(text) > 0)
		json_array_append_new(blocks, text_block(json_deep_copy(text)));
	json_array_foreach(calls, i, c)
		json_array_append_new(blocks, tool_use_block(c));
	json_array_foreach(blocks, i, b)
		said = said || !is_thinking(b);
	/* thinking alone is not a turn */
	if (!said)
		json_array_append_new(blocks,
		    text_block(json_string(EMPTY_TURN)));
	return last;
}

static json_t *
build_messages(const json_t *messages)
{
	json_t *msgs = json_array(), *last = NULL;
	const json_t *msg;
	const char *role;
	size_t i;

	json_array_foreach(messages, i, msg) {
		role = wire_str(json_object_get(msg, "role"));
		if (strcmp(role, "user") == 0)
			last = add_user(msgs, last, msg);
		else if (strcmp(role, "tool") == 0)
			last = add_tool_result(msgs, last, msg);
		else if (strcmp(role, "assistant") == 0)
			last = add_assistant(msgs, last, msg);
	}
	return msgs;
}

static json_t *
build_tools(const json_t *tools)
{
	json_t *out = json_array(), *t;
	const json_t *def, *v;
	size_t i;

	json_array_foreach(tools, i, def) {
		t = json_object();
		json_object_set_new(t, "name",
		    json_string(wire_str(json_object_get(def, "name"))));
		if ((v = json_object_get(def, "description")) != NULL)
			json_object_set_new(t, "description", json_deep_copy(v));
		if ((v = json_object_get(def, "input_schema")) != NULL)
			json_object_set_new(t, "input_schema", json_deep_copy(v));
		else
			json_object_set_new(t, "input_schema",
			    json_pack("{s:s}", "type", "object"));
		json_array_append_new(out, t);
	}
	return out;
}

/* A tool loop that began without thinking cannot go on with it: the API
 * wants the last assistant turn, when it used tools, to start with its
 * thinking (a routing tier on another model, thinking turned on between
 * two starts). */
static bool
can_think(const json_t *messages)
{
	const json_t *m, *sb;

	for (size_t i = json_array_size(messages); i > 0; i--) {
		m = json_array_get(messages, i - 1);
		if (!has_role(m, "assistant"))
			continue;
		if (json_array_size(json_object_get(m, "tool_calls")) == 0)
			return true;
		sb = json_object_get(m, "send_back");
		return strcmp(wire_str(json_object_get(sb, "format")),
		    "anthropic") == 0 && json_array_size(json_object_get(sb,
		    "content")) > 0;
	}
	return true;
}

static json_t *
anthropic_build_request(const struct llm_request *req, bool stream)
{
	json_t *body = json_object();
	int64_t max = req->max_tokens > 0 ? req->max_tokens : DEFAULT_MAX_TOKENS;
	/* max_tokens caps thinking and answer together */
	int64_t budget = MIN(req->thinking_budget, max - 1);

	json_object_set_new(body, "model",
	    json_string(req->model != NULL ? req->model : ""));
	json_object_set_new(body, "max_tokens", json_integer(max));
	if (budget >= THINKING_MIN && can_think(req->messages))
		json_object_set_new(body, "thinking", json_pack("{s:s, s:I}",
		    "type", "enabled", "budget_tokens", (json_int_t)budget));
	if (req->system != NULL && req->system[0] != '\0')
		json_object_set_new(body, "system", json_string(req->system));
	json_object_set_new(body, "messages", build_messages(req->messages));
	if (json_array_size(req->tools) > 0)
		json_object_set_new(body, "tools", build_tools(req->tools));
	if (stream)
		json_object_set_new(body, "stream", json_true());
	return body;
}

/* {"type":"error","error":{"type","message"}}: its wire_error_class(). */
static int
error_event(const json_t *root, char *err, size_t errlen)
{
	const json_t *e = json_object_get(root, "error");
	const char *type = json_string_value(json_object_get(e, "type"));
	const json_t *m = json_object_get(e, "message");
	char msg[256], t[64];

	if (json_is_string(m))
		wire_clean(msg, sizeof msg, json_string_value(m),
		    json_string_length(m));
	else
		copy_str(msg, sizeof msg, "no message");
	wire_clean(t, sizeof t, type ? type : "error",
	    strlen(type ? type : "error"));
	wire_err(err, errlen, "the provider sent an error: %s (%s)", msg, t);
	return wire_error_class(type, NULL, 0);
}

/* usage {input_tokens, output_tokens, cache_read_input_tokens,
 * cache_creation_input_tokens}; each one is kept when present. */
static int
parse_usage(struct wire_acc *acc, const json_t *obj, const char *path,
    char *err, size_t errlen)
{
	char upath[64];
	json_t *usage;
	int r;

	if ((r = wire_get(obj, path, "usage", JSON_OBJECT, false, &usage, err,
	    errlen)) != 0 || usage == NULL)
		return r;
	snprintf(upath, sizeof upath, "%s%susage", path, path[0] ? "." : "");
	acc->usage = true;
	if ((r = wire_get_count(usage, upath, "input_tokens", &acc->tokens_in,
	    NULL, err, errlen)) != 0 ||
	    (r = wire_get_count(usage, upath, "output_tokens",
	    &acc->tokens_out, NULL, err, errlen)) != 0 ||
	    (r = wire_get_count(usage, upath, "cache_read_input_tokens",
	    &acc->cache_read, NULL, err, errlen)) != 0)
		return r;
	return wire_get_count(usage, upath, "cache_creation_input_tokens",
	    &acc->cache_write, NULL, err, errlen);
}

/* A thinking block {thinking, signature} or a redacted_thinking block
 * {data} at @path: a whole block (@whole), or a stream's
 * content_block_start, where the text may be "" or absent with the rest in
 * deltas. */
static int
parse_thinking(struct wire_acc *acc, const json_t *b, const char *path,
    long key, bool redacted, bool whole, char *err, size_t errlen)
{
	struct wire_think *t;
	json_t *text = NULL, *sig = NULL;
	char msg[96];
	int r;

	if (redacted)
		r = wire_get(b, path, "data", JSON_STRING, true, &sig, err,
		    errlen);
	else if ((r = wire_get(b, path, "thinking", JSON_STRING, whole, &text,
	    err, errlen)) == 0)
		r = wire_get(b, path, "signature", JSON_STRING, false, &sig, err,
		    errlen);
	if (r != 0)
		return r;
	if ((t = wire_acc_think(acc, key, true, redacted, msg,
	    sizeof msg)) == NULL) {
		wire_err(err, errlen, "%s: %s", path, msg);
		return -EPROTO;
	}
	if (text != NULL && (r = wire_acc_think_text(acc, t,
	    json_string_value(text), json_string_length(text), err,
	    errlen)) != 0)
		return r;
	if (sig != NULL)
		return wire_acc_think_sig(acc, t, json_string_value(sig),
		    json_string_length(sig), err, errlen);
	return 0;
}

static int
parse_block(struct wire_acc *acc, const json_t *b, size_t i, char *err,
    size_t errlen)
{
	json_t *type, *text, *id, *name, *input;
	struct wire_call *call;
	char path[48];
	int r;

	snprintf(path, sizeof path, "content[%zu]", i);
	if (!json_is_object(b)) {
		wire_err(err, errlen, "%s: not an object", path);
		return -EPROTO;
	}
	if ((r = wire_get(b, path, "type", JSON_STRING, true, &type, err,
	    errlen)) != 0)
		return r;
	if (strcmp(json_string_value(type), "text") == 0) {
		if ((r = wire_get(b, path, "text", JSON_STRING, true, &text, err,
		    errlen)) != 0)
			return r;
		return wire_acc_text(acc, json_string_value(text),
		    json_string_length(text), err, errlen);
	}
	if (strcmp(json_string_value(type), "thinking") == 0 ||
	    strcmp(json_string_value(type), "redacted_thinking") == 0)
		return parse_thinking(acc, b, path, (long)i,
		    json_string_value(type)[0] == 'r', true, err, errlen);
	if (strcmp(json_string_value(type), "tool_use") != 0)
		return 0;		/* server tools… */
	if ((r = wire_get(b, path, "id", JSON_STRING, false, &id, err,
	    errlen)) != 0 ||
	    (r = wire_get(b, path, "name", JSON_STRING, true, &name, err,
	    errlen)) != 0 ||
	    (r = wire_get(b, path, "input", JSON_OBJECT, false, &input, err,
	    errlen)) != 0)
		return r;
	if ((call = wire_acc_call(acc, (long)i, true, err, errlen)) == NULL)
		return -EPROTO;
	if (id != NULL)
		wire_call_set(&call->id, json_string_value(id),
		    json_string_length(id));
	wire_call_set(&call->name, json_string_value(name),
	    json_string_length(name));
	call->input = input != NULL ? json_incref(input) : json_object();
	return 0;
}

static int
anthropic_parse_response(const char *body, size_t len,
    struct llm_reply *out, char *err, size_t errlen)
{
	struct wire_acc acc;
	json_t *root, *type, *content, *b, *stop;
	size_t i;
	int r;

	wire_acc_init(&acc);
	if ((root = wire_load(body, len, "the response", err, errlen)) == NULL) {
		r = -EPROTO;
		goto out;
	}
	if ((r = wire_get(root, "", "type", JSON_STRING, false, &type, err,
	    errlen)) != 0)
		goto out;
	if (type != NULL && strcmp(json_string_value(type), "error") == 0) {
		r = error_event(root, err, errlen);
		goto out;
	}
	if ((r = wire_get(root, "", "content", JSON_ARRAY, true, &content, err,
	    errlen)) != 0)
		goto out;
	json_array_foreach(content, i, b)
		if ((r = parse_block(&acc, b, i, err, errlen)) != 0)
			goto out;
	if ((r = wire_get(root, "", "stop_reason", JSON_STRING, false, &stop,
	    err, errlen)) != 0)
		goto out;
	if (stop != NULL)
		wire_stop_reason(acc.stop_reason, sizeof acc.stop_reason,
		    json_string_value(stop), json_string_length(stop));
	if ((r = parse_usage(&acc, root, "", err, errlen)) != 0)
		goto out;
	r = wire_acc_reply(&acc, out, err, errlen);
out:
	wire_acc_finish(&acc);
	json_decref(root);
	return r;
}

static struct wire_stream *
anthropic_stream_create(void)
{
	return wire_stream_new();
}

static void
anthropic_stream_destroy(struct wire_stream *s)
{
	wire_stream_free(s);
}

enum kind {
	K_UNKNOWN,
	K_MESSAGE_START,
	K_BLOCK_START,
	K_BLOCK_DELTA,
	K_BLOCK_STOP,
	K_MESSAGE_DELTA,
	K_MESSAGE_STOP,
	K_PING,
	K_ERROR,
};

static enum kind
kind_of(const char *name)
{
	static const struct { const char *name; enum kind kind; } kinds[] = {
		{ "message_start", K_MESSAGE_START },
		{ "content_block_start", K_BLOCK_START },
		{ "content_block_delta", K_BLOCK_DELTA },
		{ "content_block_stop", K_BLOCK_STOP },
		{ "message_delta", K_MESSAGE_DELTA },
		{ "message_stop", K_MESSAGE_STOP },
		{ "ping", K_PING },
		{ "error", K_ERROR },
	};

	for (size_t i = 0; name != NULL && i < ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return kinds[i].kind;
	return K_UNKNOWN;
}

/* The "index" of a content block event. */
static int
block_index(const json_t *root, const char *path, long *out, char *err,
    size_t errlen)
{
	int64_t n = -1;
	int r;

	if ((r = wire_get_count(root, path, "index", &n, NULL, err,
	    errlen)) != 0)
		return r;
	if (n < 0 || n > MAX_INDEX) {
		wire_err(err, errlen, "%s.index: %s", path,
		    n < 0 ? "missing" : "out of range");
		return -EPROTO;
	}
	*out = (long)n;
	return 0;
}

static int
block_start(struct wire_acc *acc, const json_t *root, char *err,
    size_t errlen)
{
	const char *path = "content_block_start";
	const char *bpath = "content_block_start.content_block";
	json_t *b, *type, *text, *id, *name, *input;
	struct wire_call *call;
	long index;
	int r;

	if ((r = block_index(root, path, &index, err, errlen)) != 0 ||
	    (r = wire_get(root, path, "content_block", JSON_OBJECT, true, &b,
	    err, errlen)) != 0 ||
	    (r = wire_get(b, bpath, "type", JSON_STRING, true, &type, err,
	    errlen)) != 0)
		return r;
	if (strcmp(json_string_value(type), "text") == 0) {
		if ((r = wire_get(b, bpath, "text", JSON_STRING, false, &text,
		    err, errlen)) != 0 || text == NULL)
			return r;
		return wire_acc_text(acc, json_string_value(text),
		    json_string_length(text), err, errlen);
	}
	if (strcmp(json_string_value(type), "thinking") == 0 ||
	    strcmp(json_string_value(type), "redacted_thinking") == 0) {
		if (wire_acc_call(acc, index, false, NULL, 0) != NULL) {
			wire_err(err, errlen, "%s: block %ld started twice",
			    path, index);
			return -EPROTO;
		}
		return parse_thinking(acc, b, bpath, index,
		    json_string_value(type)[0] == 'r', false, err, errlen);
	}
	if (strcmp(json_string_value(type), "tool_use") != 0)
		return 0;
	if (wire_acc_think(acc, index, false, false, NULL, 0) != NULL) {
		wire_err(err, errlen, "%s: block %ld started twice", path, index);
		return -EPROTO;
	}
	if ((r = wire_get(b, bpath, "id", JSON_STRING, false, &id, err,
	    errlen)) != 0 ||
	    (r = wire_get(b, bpath, "name", JSON_STRING, true, &name, err,
	    errlen)) != 0 ||
	    (r = wire_get(b, bpath, "input", JSON_OBJECT, false, &input, err,
	    errlen)) != 0)
		return r;
	if ((call = wire_acc_call(acc, index, true, err, errlen)) == NULL)
		return -EPROTO;
	if (call->name != NULL) {
		wire_err(err, errlen, "%s: block %ld started twice", path, index);
		return -EPROTO;
	}
	if (id != NULL)
		wire_call_set(&call->id, json_string_value(id),
		    json_string_length(id));
	wire_call_set(&call->name, json_string_value(name),
	    json_string_length(name));
	/* the input is normally {} with the real one in deltas; a non-empty
	 * one is used when no delta comes */
	if (json_object_size(input) > 0)
		call->input = json_incref(input);
	return 0;
}

static int
block_delta(struct wire_acc *acc, const json_t *root, char *err,
    size_t errlen)
{
	const char *path = "content_block_delta";
	const char *dpath = "content_block_delta.delta";
	json_t *d, *type, *v;
	struct wire_call *call;
	const char *t;
	long index;
	int r;

	if ((r = block_index(root, path, &index, err, errlen)) != 0 ||
	    (r = wire_get(root, path, "delta", JSON_OBJECT, true, &d, err,
	    errlen)) != 0 ||
	    (r = wire_get(d, dpath, "type", JSON_STRING, true, &type, err,
	    errlen)) != 0)
		return r;
	t = json_string_value(type);
	if (strcmp(t, "text_delta") == 0) {
		if ((r = wire_get(d, dpath, "text", JSON_STRING, true, &v, err,
		    errlen)) != 0)
			return r;
		return wire_acc_text(acc, json_string_value(v),
		    json_string_length(v), err, errlen);
	}
	if (strcmp(t, "thinking_delta") == 0 ||
	    strcmp(t, "signature_delta") == 0) {
		bool text = t[0] == 't';
		struct wire_think *think;

		if ((r = wire_get(d, dpath, text ? "thinking" : "signature",
		    JSON_STRING, true, &v, err, errlen)) != 0)
			return r;
		if ((think = wire_acc_think(acc, index, false, false, NULL,
		    0)) == NULL || think->redacted) {
			wire_err(err, errlen, "%s: %s for block %ld, which is "
			    "not a thinking block", path, t, index);
			return -EPROTO;
		}
		return (text ? wire_acc_think_text : wire_acc_think_sig)(acc,
		    think, json_string_value(v), json_string_length(v), err,
		    errlen);
	}
	if (strcmp(t, "input_json_delta") != 0)
		return 0;		/* citations_delta… */
	if ((r = wire_get(d, dpath, "partial_json", JSON_STRING, true, &v, err,
	    errlen)) != 0)
		return r;
	if ((call = wire_acc_call(acc, index, false, NULL, 0)) == NULL) {
		wire_err(err, errlen, "%s: input_json_delta for block %ld, "
		    "which is not a tool_use block", path, index);
		return -EPROTO;
	}
	return wire_acc_args(acc, call, json_string_value(v),
	    json_string_length(v), err, errlen);
}

static int
message_delta(struct wire_acc *acc, const json_t *root, char *err,
    size_t errlen)
{
	const char *path = "message_delta";
	json_t *d, *stop;
	int r;

	if ((r = wire_get(root, path, "delta", JSON_OBJECT, false, &d, err,
	    errlen)) != 0)
		return r;
	if (d != NULL && (r = wire_get(d, "message_delta.delta",
	    "stop_reason", JSON_STRING, false, &stop, err, errlen)) != 0)
		return r;
	if (d != NULL && stop != NULL)
		wire_stop_reason(acc->stop_reason, sizeof acc->stop_reason,
		    json_string_value(stop), json_string_length(stop));
	return parse_usage(acc, root, path, err, errlen);
}

static int
anthropic_stream_event(struct wire_stream *s, const char *event,
    const char *data, size_t len, struct wire_delta *delta, char *err,
    size_t errlen)
{
	size_t before = s->acc.text.len, rbefore = s->acc.reasoning.len;
	enum kind kind = kind_of(event);
	bool unnamed = event == NULL || event[0] == '\0' ||
	    strcmp(event, "message") == 0;
	json_t *root, *message;
	char what[96];
	int r = 0;

	*delta = (struct wire_delta){ "", 0, "", 0 };
	if (kind == K_PING || (kind == K_UNKNOWN && !unnamed))
		return 0;
	if (s->done && kind != K_ERROR)
		return 0;		/* nothing follows message_stop */
	snprintf(what, sizeof what, "%s event", unnamed ? "message" : event);
	if ((root = wire_load(data, len, what, err, errlen)) == NULL)
		return -EPROTO;
	if (unnamed)	/* no "event:" line: the data's type names it */
		kind = kind_of(json_string_value(json_object_get(root, "type")));
	switch (kind) {
	case K_MESSAGE_START:
		if ((r = wire_get(root, "message_start", "message", JSON_OBJECT,
		    true, &message, err, errlen)) != 0 ||
		    (r = parse_usage(&s->acc, message, "message_start.message",
		    err, errlen)) != 0)
			break;
		s->started = true;
		break;
	case K_BLOCK_START:
		r = block_start(&s->acc, root, err, errlen);
		break;
	case K_BLOCK_DELTA:
		r = block_delta(&s->acc, root, err, errlen);
		break;
	case K_MESSAGE_DELTA:
		r = message_delta(&s->acc, root, err, errlen);
		break;
	case K_MESSAGE_STOP:
		s->done = true;
		break;
	case K_ERROR:
		r = error_event(root, err, errlen);
		break;
	case K_BLOCK_STOP:
	case K_PING:
	case K_UNKNOWN:
		break;
	}
	if (r == 0 && s->acc.text.len > before) {
		delta->text = s->acc.text.p + before;
		delta->len = s->acc.text.len - before;
	}
	if (r == 0 && s->acc.reasoning.len > rbefore) {
		delta->reasoning = s->acc.reasoning.p + rbefore;
		delta->reasoning_len = s->acc.reasoning.len - rbefore;
	}
	json_decref(root);
	return r;
}

static int
anthropic_stream_finish(struct wire_stream *s, struct llm_reply *out,
    char *err, size_t errlen)
{
	if (!s->done) {
		wire_err(err, errlen, "the stream ended before message_stop");
		return -EPROTO;
	}
	return wire_acc_reply(&s->acc, out, err, errlen);
}

const struct wire_ops wire_anthropic = {
	.name = "anthropic",
	.path = "/v1/messages",
	.build_request = anthropic_build_request,
	.parse_response = anthropic_parse_response,
	.error_message = wire_error_message,
	.stream_create = anthropic_stream_create,
	.stream_destroy = anthropic_stream_destroy,
	.stream_event = anthropic_stream_event,
	.stream_finish = anthropic_stream_finish,
};
