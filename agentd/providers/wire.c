/*
 * What both wire formats share: the format table, tool-call arguments,
 * strict member access with error paths, clean error text, and the
 * accumulator that becomes an llm_reply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "providers/wire_impl.h"
#include "util.h"

const struct wire_ops *
wire_find(const char *name)
{
	static const struct wire_ops *const all[] = {
		&wire_openai, &wire_anthropic,
	};

	for (size_t i = 0; name != NULL && i < ARRAY_LEN(all); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void
wire_clean(char *out, size_t outlen, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0, k;

	if (outlen == 0)
		return;
	while (i < n) {
		k = utf8_seq_len(s + i, n - i);
		if (k == 0 || k == 1) {
			if (o + 1 > outlen - 1)
				break;
			if (k == 0)
				out[o++] = '?';
			else if (u[i] < 0x20 || u[i] == 0x7F)
				out[o++] = ' ';
			else
				out[o++] = (char)u[i];
			i++;
			continue;
		}
		if (o + k > outlen - 1)
			break;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
}

void
wire_err(char *err, size_t errlen, const char *format, ...)
{
	va_list ap;
	size_t len, i;
	int n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, format);
	n = vsnprintf(err, errlen, format, ap);
	va_end(ap);
	if (n < 0) {
		err[0] = '\0';
		return;
	}
	if ((size_t)n < errlen)
		return;
	/* cut: drop a multi-byte sequence the cut left incomplete */
	len = strlen(err);
	for (i = len; i > 0 && len - i < 4; i--) {
		unsigned char c = (unsigned char)err[i - 1];

		if ((c & 0xC0) == 0x80)
			continue;		/* a continuation byte */
		if (c >= 0xC0 && utf8_seq_len(err + i - 1, len - i + 1) == 0)
			err[i - 1] = '\0';
		break;
	}
}

static const char *
type_name(json_type type)
{
	switch (type) {
	case JSON_STRING:	return "a string";
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_INTEGER:	return "an integer";
	case JSON_TRUE:		return "a boolean";
	default:		return "of the expected type";
	}
}

int
wire_get(const json_t *obj, const char *path, const char *key,
    json_type type, bool required, json_t **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	const char *dot = path[0] != '\0' ? "." : "";
	bool ok;

	if (v == NULL || json_is_null(v)) {
		if (required) {
			wire_err(err, errlen, "%s%s%s: missing", path, dot, key);
			return -EPROTO;
		}
		*out = NULL;
		return 0;
	}
	ok = type == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == type;
	if (!ok) {
		wire_err(err, errlen, "%s%s%s: not %s", path, dot, key,
		    type_name(type));
		return -EPROTO;
	}
	*out = v;
	return 0;
}

int
wire_get_count(const json_t *obj, const char *path, const char *key,
    int64_t *out, bool *seen, char *err, size_t errlen)
{
	json_t *v;
	int r;

	if ((r = wire_get(obj, path, key, JSON_INTEGER, false, &v, err,
	    errlen)) != 0)
		return r;
	if (v == NULL)
		return 0;
	if (json_integer_value(v) < 0) {
		wire_err(err, errlen, "%s%s%s: negative", path,
		    path[0] != '\0' ? "." : "", key);
		return -EPROTO;
	}
	*out = json_integer_value(v);
	if (seen != NULL)
		*seen = true;
	return 0;
}

json_t *
wire_load(const char *body, size_t len, const char *what, char *err,
    size_t errlen)
{
	json_error_t je;
	char text[sizeof je.text];
	json_t *root;

	if (len > WIRE_MAX_BODY) {
		wire_err(err, errlen, "%s: larger than %zu MiB", what,
		    WIRE_MAX_BODY >> 20);
		return NULL;
	}
	if ((root = json_loadb(body, len, WIRE_JSON_FLAGS, &je)) == NULL) {
		wire_clean(text, sizeof text, je.text, strlen(je.text));
		wire_err(err, errlen, "%s: invalid JSON: %s (at byte %d)",
		    what, text, je.position);
		return NULL;
	}
	if (!json_is_object(root)) {
		wire_err(err, errlen, "%s: not a JSON object", what);
		json_decref(root);
		return NULL;
	}
	return root;
}

const char *
wire_str(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL ? s : "";
}

json_t *
wire_content_string(const json_t *c)
{
	char *s;
	json_t *v;

	if (json_is_string(c))
		return json_deep_copy(c);
	if (c == NULL || json_is_null(c))
		return json_string("");
	s = json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY);
	v = json_string(s != NULL ? s : "");
	free(s);
	return v;
}

static bool
contains_any(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcasestr(s, words[i]) != NULL)
			return true;
	return false;
}

bool
wire_status_retryable(long status)
{
	return status == 408 || status == 409 || status == 429 ||
	    (status >= 500 && status <= 599);
}

int
wire_error_class(const char *type, const char *code, long status)
{
	static const char *const transient[] = { "server_error", "rate_limit",
	    "overloaded", "api_error", "timeout" };
	static const char *const permanent[] = { "invalid_request",
	    "authentication", "permission", "not_found", "request_too_large",
	    "invalid_api_key", "insufficient_quota", "billing",
	    "context_length_exceeded" };

	if (contains_any(type, transient, ARRAY_LEN(transient)) ||
	    contains_any(code, transient, ARRAY_LEN(transient)))
		return -EAGAIN;
	if (contains_any(type, permanent, ARRAY_LEN(permanent)) ||
	    contains_any(code, permanent, ARRAY_LEN(permanent)))
		return -EINVAL;
	/* "400" as a string is a status too */
	if (status == 0 && code != NULL && strlen(code) == 3 &&
	    strspn(code, "0123456789") == 3)
		status = strtol(code, NULL, 10);
	if (wire_status_retryable(status))
		return -EAGAIN;
	if (status >= 400 && status <= 499)
		return -EINVAL;
	return -EPROTO;
}

void
wire_error_message(const char *body, size_t len, char *out, size_t outlen)
{
	const json_t *e, *msg = NULL;
	json_t *root = NULL;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (body == NULL)
		return;
	if (len <= WIRE_MAX_BODY)
		root = json_loadb(body, len, 0, NULL);
	if (json_is_object(root)) {
		e = json_object_get(root, "error");
		if (json_is_object(e))
			msg = json_object_get(e, "message");
		else if (json_is_string(e))
			msg = e;
		if (!json_is_string(msg))
			msg = json_object_get(root, "message");
		if (!json_is_string(msg))
			msg = json_object_get(root, "detail");
	}
	if (json_is_string(msg))
		wire_clean(out, outlen, json_string_value(msg),
		    json_string_length(msg));
	else
		wire_clean(out, MIN(outlen, 201), body, MIN(len, 200));
	json_decref(root);
}

void
wire_stop_reason(char *out, size_t outlen, const char *s, size_t n)
{
	static const struct { const char *from, *to; } map[] = {
		{ "stop", "end_turn" },
		{ "tool_calls", "tool_use" },
		{ "function_call", "tool_use" },
		{ "length", "max_tokens" },
	};

	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strlen(map[i].from) == n && memcmp(map[i].from, s, n) == 0) {
			copy_str(out, outlen, map[i].to);
			return;
		}
	wire_clean(out, outlen, s, n);
}

/* Appends to @b; the callers check the bounds. */
static void
buf_add(struct wire_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
wire_acc_init(struct wire_acc *acc)
{
	*acc = (struct wire_acc){ .cache_read = -1, .cache_write = -1,
	    .cached = -1, .reasoning_tokens = -1 };
}

void
wire_acc_finish(struct wire_acc *acc)
{
	if (acc == NULL)
		return;
	free(acc->text.p);
	for (size_t i = 0; i < acc->n_calls; i++) {
		free(acc->calls[i].id);
		free(acc->calls[i].name);
		free(acc->calls[i].args.p);
		json_decref(acc->calls[i].input);
	}
	free(acc->calls);
	free(acc->reasoning.p);
	for (size_t i = 0; i < acc->n_thinks; i++) {
		free(acc->thinks[i].text.p);
		free(acc->thinks[i].sig.p);
	}
	free(acc->thinks);
	wire_acc_init(acc);
}

int
wire_acc_text(struct wire_acc *acc, const char *s, size_t n, char *err,
    size_t errlen)
{
	if (n > WIRE_MAX_TEXT - acc->text.len) {
		wire_err(err, errlen, "the answer is longer than %zu MiB",
		    WIRE_MAX_TEXT >> 20);
		return -EPROTO;
	}
	buf_add(&acc->text, s, n);
	return 0;
}

int
wire_acc_reasoning(struct wire_acc *acc, const char *s, size_t n, char *err,
    size_t errlen)
{
	if (n > WIRE_MAX_TEXT - acc->reasoning.len) {
		wire_err(err, errlen, "the reasoning is longer than %zu MiB",
		    WIRE_MAX_TEXT >> 20);
		return -EPROTO;
	}
	buf_add(&acc->reasoning, s, n);
	return 0;
}

struct wire_think *
wire_acc_think(struct wire_acc *acc, long key, bool create, bool redacted,
    char *err, size_t errlen)
{
	struct wire_think *t;

	for (size_t i = 0; i < acc->n_thinks; i++) {
		if (acc->thinks[i].key != key)
			continue;
		if (create) {
			wire_err(err, errlen, "block %ld started twice", key);
			return NULL;
		}
		return &acc->thinks[i];
	}
	if (!create) {
		wire_err(err, errlen, "no thinking block %ld", key);
		return NULL;
	}
	if (acc->n_thinks == WIRE_MAX_CALLS) {
		wire_err(err, errlen, "more than %d thinking blocks",
		    WIRE_MAX_CALLS);
		return NULL;
	}
	if (acc->n_thinks == acc->cap_thinks) {
		acc->cap_thinks = acc->cap_thinks ? acc->cap_thinks * 2 : 2;
		acc->thinks = xrealloc(acc->thinks,
		    acc->cap_thinks * sizeof(*acc->thinks));
	}
	t = &acc->thinks[acc->n_thinks++];
	*t = (struct wire_think){ .key = key, .redacted = redacted };
	return t;
}

int
wire_acc_think_text(struct wire_acc *acc, struct wire_think *think,
    const char *s, size_t n, char *err, size_t errlen)
{
	size_t sep = think->text.len == 0 && n > 0 && acc->reasoning.len > 0 ?
	    2 : 0;

	/* both or neither: the shown reasoning is the blocks' texts */
	if (n > WIRE_MAX_TEXT - sep || n + sep > WIRE_MAX_TEXT -
	    acc->reasoning.len) {
		wire_err(err, errlen, "the reasoning is longer than %zu MiB",
		    WIRE_MAX_TEXT >> 20);
		return -EPROTO;
	}
	buf_add(&acc->reasoning, "\n\n", sep);
	buf_add(&acc->reasoning, s, n);
	buf_add(&think->text, s, n);
	return 0;
}

int
wire_acc_think_sig(struct wire_acc *acc, struct wire_think *think,
    const char *s, size_t n, char *err, size_t errlen)
{
	if (n > WIRE_MAX_TEXT - acc->sig_total) {
		wire_err(err, errlen, "thinking signatures are longer than "
		    "%zu MiB", WIRE_MAX_TEXT >> 20);
		return -EPROTO;
	}
	buf_add(&think->sig, s, n);
	acc->sig_total += n;
	think->has_sig = true;
	return 0;
}

struct wire_call *
wire_acc_call(struct wire_acc *acc, long key, bool create, char *err,
    size_t errlen)
{
	struct wire_call *c;

	for (size_t i = 0; i < acc->n_calls; i++)
		if (acc->calls[i].key == key)
			return &acc->calls[i];
	if (!create) {
		wire_err(err, errlen, "no tool call %ld", key);
		return NULL;
	}
	if (acc->n_calls == WIRE_MAX_CALLS) {
		wire_err(err, errlen, "more than %d tool calls", WIRE_MAX_CALLS);
		return NULL;
	}
	if (acc->n_calls == acc->cap_calls) {
		acc->cap_calls = acc->cap_calls ? acc->cap_calls * 2 : 4;
		acc->calls = xrealloc(acc->calls,
		    acc->cap_calls * sizeof(*acc->calls));
	}
	c = &acc->calls[acc->n_calls++];
	*c = (struct wire_call){ .key = key };
	return c;
}

int
wire_acc_args(struct wire_acc *acc, struct wire_call *call, const char *s,
    size_t n, char *err, size_t errlen)
{
	if (n > WIRE_MAX_TEXT - acc->args_total) {
		wire_err(err, errlen, "tool arguments are longer than %zu MiB",
		    WIRE_MAX_TEXT >> 20);
		return -EPROTO;
	}
	buf_add(&call->args, s, n);
	acc->args_total += n;
	return 0;
}

void
wire_call_set(char **field, const char *s, size_t n)
{
	if (*field != NULL && (*field)[0] != '\0')
		return;
	free(*field);
	*field = xstrndup(s, n);
}

void
wire_set_arguments(json_t *call, const char *text, size_t len)
{
	json_error_t je;
	char msg[sizeof je.text + 64], clean[sizeof je.text];
	json_t *v = NULL, *raw;
	size_t i;

	json_object_del(call, "arguments");
	json_object_del(call, "arguments_raw");
	json_object_del(call, "arguments_error");
	for (i = 0; i < len && strchr(" \t\r\n", text[i]) != NULL &&
	    text[i] != '\0'; i++)
		;
	if (i == len) {
		/* some servers send "" for a tool without parameters */
		json_object_set_new(call, "arguments", json_object());
		return;
	}
	if ((v = json_loadb(text, len, JSON_DECODE_ANY, &je)) == NULL) {
		wire_clean(clean, sizeof clean, je.text, strlen(je.text));
		snprintf(msg, sizeof msg,
		    "arguments are not valid JSON: %s (at byte %d)", clean,
		    je.position);
	} else if (!json_is_object(v)) {
		copy_str(msg, sizeof msg, "arguments are not a JSON object");
	} else {
		json_object_set_new(call, "arguments", v);
		return;
	}
	json_decref(v);
	if ((raw = json_stringn(text, len)) == NULL) {
		/* not UTF-8: keep what can be kept */
		char *s = xmalloc(len + 1);

		wire_clean(s, len + 1, text, len);
		raw = json_string(s);
		free(s);
	}
	json_object_set_new(call, "arguments_raw", raw);
	json_object_set_new(call, "arguments_error", json_string(msg));
}

/* A wire_buf's text as a JSON string ("" when empty); NULL when it is not
 * UTF-8 (it is made of JSON strings, so it is). */
static json_t *
buf_string(const struct wire_buf *b)
{
	return json_stringn(b->p != NULL ? b->p : "", b->len);
}

/* The thinking blocks of @acc, as they go back: {"format":"anthropic",
 * "content":[…]}, or NULL when there are none. */
static json_t *
thinking_blocks(const struct wire_acc *acc)
{
	json_t *blocks, *b, *v;

	if (acc->n_thinks == 0)
		return NULL;
	blocks = json_array();
	for (size_t i = 0; i < acc->n_thinks; i++) {
		const struct wire_think *t = &acc->thinks[i];

		b = json_object();
		if (t->redacted) {
			json_object_set_new(b, "type",
			    json_string("redacted_thinking"));
			if ((v = buf_string(&t->sig)) != NULL)
				json_object_set_new(b, "data", v);
		} else {
			json_object_set_new(b, "type", json_string("thinking"));
			if ((v = buf_string(&t->text)) != NULL)
				json_object_set_new(b, "thinking", v);
			if (t->has_sig && (v = buf_string(&t->sig)) != NULL)
				json_object_set_new(b, "signature", v);
		}
		json_array_append_new(blocks, b);
	}
	return json_pack("{s:s, s:o}", "format", "anthropic", "content",
	    blocks);
}

/* True when some call of @acc already has the id @id. */
static bool
id_taken(const struct wire_acc *acc, const char *id)
{
	for (size_t i = 0; i < acc->n_calls; i++)
		if (acc->calls[i].id != NULL && strcmp(acc->calls[i].id, id) == 0)
			return true;
	return false;
}

int
wire_acc_reply(struct wire_acc *acc, struct llm_reply *out, char *err,
    size_t errlen)
{
	struct llm_reply reply = { 0 };
	json_t *calls = NULL, *call;
	unsigned next = 1;
	char id[32];
	int r;

	for (size_t i = 0; i < acc->n_calls; i++) {
		struct wire_call *c = &acc->calls[i];

		if (c->name == NULL || c->name[0] == '\0') {
			wire_err(err, errlen, "tool call %zu has no name", i);
			r = -EPROTO;
			goto out;
		}
		if (c->id == NULL || c->id[0] == '\0') {
			do
				snprintf(id, sizeof id, "call_%u", next++);
			while (id_taken(acc, id));
			free(c->id);
			c->id = xstrdup(id);
		}
		if (calls == NULL)
			calls = json_array();
		call = json_object();
		json_object_set_new(call, "id", json_string(c->id));
		json_object_set_new(call, "name", json_string(c->name));
		if (c->args.len == 0 && c->input != NULL)
			json_object_set(call, "arguments", c->input);
		else
			wire_set_arguments(call, c->args.p ? c->args.p : "",
			    c->args.len);
		json_array_append_new(calls, call);
	}
	if (acc->text.len > 0) {
		reply.text = acc->text.p;
		acc->text = (struct wire_buf){ 0 };
	}
	if (acc->reasoning.len > 0) {
		reply.reasoning = acc->reasoning.p;
		acc->reasoning = (struct wire_buf){ 0 };
	}
	reply.reasoning_tokens = acc->reasoning_tokens;
	reply.send_back = thinking_blocks(acc);
	reply.tool_calls = calls;
	calls = NULL;
	if (acc->stop_reason[0] != '\0')
		copy_str(reply.stop_reason, sizeof reply.stop_reason,
		    acc->stop_reason);
	else
		copy_str(reply.stop_reason, sizeof reply.stop_reason,
		    acc->n_calls > 0 ? "tool_use" : "end_turn");
	reply.cache_read = acc->cache_read;
	reply.cache_write = acc->cache_write;
	reply.cached = acc->cached;
	if (acc->usage) {
		reply.tokens_in = acc->tokens_in;
		reply.tokens_out = acc->tokens_out;
	} else {
		reply.usage_estimated = true;
		reply.tokens_out = (int64_t)(reply.text ? strlen(reply.text) / 4
		    : 0) + (int64_t)(reply.reasoning ? strlen(reply.reasoning) /
		    4 : 0) + 20 * (int64_t)acc->n_calls;
	}
	*out = reply;
	r = 0;
out:
	json_decref(calls);
	wire_acc_finish(acc);
	return r;
}

struct wire_stream *
wire_stream_new(void)
{
	struct wire_stream *s = xcalloc(1, sizeof(*s));

	wire_acc_init(&s->acc);
	return s;
}

void
wire_stream_free(struct wire_stream *s)
{
	if (s == NULL)
		return;
	wire_acc_finish(&s->acc);
	free(s);
}
