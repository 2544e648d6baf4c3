/* JSON <-> protocol messages. All outside input is checked strictly. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ipc.h"

static const char *const type_names[IPC_T__COUNT] = {
	[IPC_T_NONE] = NULL,
#define IPC_OP(id, name, mut) [IPC_T_##id] = name,
#include "ipc_msgs.def"
#undef IPC_OP
};

static const bool type_mutating[IPC_T__COUNT] = {
#define IPC_OP(id, name, mut) [IPC_T_##id] = mut,
#include "ipc_msgs.def"
#undef IPC_OP
};

static const char *const event_names[IPC_EV__COUNT] = {
	[IPC_EV_NONE] = NULL,
#define IPC_EVENT(id, name) [IPC_EV_##id] = name,
#include "ipc_msgs.def"
#undef IPC_EVENT
};

static const char *const error_names[IPC_E__COUNT] = {
#define X(id, name, text) [IPC_E_##id] = name,
	IPC_ERRORS(X)
#undef X
};

static const char *const error_texts[IPC_E__COUNT] = {
#define X(id, name, text) [IPC_E_##id] = text,
	IPC_ERRORS(X)
#undef X
};

const char *
ipc_type_name(enum ipc_type type)
{
	if ((int)type <= 0 || type >= IPC_T__COUNT)
		return NULL;
	return type_names[type];
}

enum ipc_type
ipc_type_from_name(const char *name)
{
	if (name == NULL)
		return IPC_T_NONE;
	for (int t = 1; t < IPC_T__COUNT; t++)
		if (strcmp(type_names[t], name) == 0)
			return (enum ipc_type)t;
	return IPC_T_NONE;
}

bool
ipc_type_mutating(enum ipc_type type)
{
	if ((int)type <= 0 || type >= IPC_T__COUNT)
		return false;
	return type_mutating[type];
}

const char *
ipc_event_name(enum ipc_event_type type)
{
	if ((int)type <= 0 || type >= IPC_EV__COUNT)
		return NULL;
	return event_names[type];
}

enum ipc_event_type
ipc_event_from_name(const char *name)
{
	if (name == NULL)
		return IPC_EV_NONE;
	for (int t = 1; t < IPC_EV__COUNT; t++)
		if (strcmp(event_names[t], name) == 0)
			return (enum ipc_event_type)t;
	return IPC_EV_NONE;
}

const char *
ipc_error_name(int code)
{
	if (code < 0)
		code = -code;
	if (code >= IPC_E__COUNT)
		return "internal";
	return error_names[code];
}

bool
ipc_run_state_ended(const char *state)
{
	return state != NULL && (strcmp(state, "done") == 0 ||
	    strcmp(state, "failed") == 0 || strcmp(state, "killed") == 0);
}

const char *
ipc_error_text(int code)
{
	if (code < 0)
		code = -code;
	if (code >= IPC_E__COUNT)
		return "internal error";
	return error_texts[code];
}

int
ipc_error_from_name(const char *name)
{
	for (int e = 1; e < IPC_E__COUNT && name != NULL; e++)
		if (strcmp(error_names[e], name) == 0)
			return e;
	return IPC_E_INTERNAL;
}

static void
say(struct ipc_error_detail *detail, const char *fmt, ...)
{
	va_list ap;

	if (detail == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(detail->text, sizeof(detail->text), fmt, ap);
	va_end(ap);
}

void
ipc_msg_finish(struct ipc_msg *msg)
{
	if (msg == NULL)
		return;
	json_decref(msg->body);
	free(msg->message);
	*msg = (struct ipc_msg){ 0 };
}

/* Loads one JSON object, bounded by IPC_MAX_MSG. Returns a new reference. */
static json_t *
load_object(const void *buf, size_t len, int *r, struct ipc_error_detail *detail)
{
	json_error_t err;
	json_t *root;

	if (len > IPC_MAX_MSG) {
		say(detail, "message of %zu bytes exceeds the limit of %u",
		    len, IPC_MAX_MSG);
		*r = -IPC_E_TOO_BIG;
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		/* not jansson's "... without JSON_ALLOW_NUL" */
		say(detail, "invalid JSON at line %d column %d: %s",
		    err.line, err.column,
		    json_error_code(&err) == json_error_null_character ?
		    "a string holds \\u0000, which is not accepted" :
		    json_error_code(&err) == json_error_null_byte_in_key ?
		    "an object key holds \\u0000, which is not accepted" :
		    err.text);
		*r = -IPC_E_PARSE;
		return NULL;
	}
	if (!json_is_object(root)) {
		say(detail, "message is not a JSON object");
		json_decref(root);
		*r = -IPC_E_SCHEMA;
		return NULL;
	}
	return root;
}

/* The first top-level field of @root that a @what does not have, in
 * words (not jansson's "object item(s) left unpacked"). */
static void
say_unknown(struct ipc_error_detail *detail, json_t *root, const char *what)
{
	static const char *const fields[] = {
		"v", "type", "id", "body", "ok", "error", NULL,
	};
	const char *key;
	json_t *value;
	char name[68];
	size_t i, n;

	json_object_foreach(root, key, value) {
		for (i = 0; fields[i] != NULL && strcmp(fields[i], key) != 0; i++)
			;
		/* ok and error belong to replies only */
		if (fields[i] != NULL && (strcmp(what, "reply") == 0 || i < 4))
			continue;
		/* printable ASCII only: the name came from anyone */
		for (n = 0; key[n] != '\0' && n < sizeof(name) - 4; n++)
			name[n] = key[n] >= 0x20 && key[n] < 0x7f ? key[n] : '?';
		snprintf(name + n, sizeof(name) - n, "%s", key[n] ? "..." : "");
		say(detail, "%s: unknown top-level field \"%s\" (a %s has v, "
		    "type, id%s)", what, name, what, strcmp(what, "reply") == 0 ?
		    ", ok, body and error" : " and body");
		return;
	}
	say(detail, "%s: does not have the expected fields", what);
}

/* Reads v, type and id leniently first so that an error reply can echo
 * them, then checks them. */
static int
read_header(json_t *root, struct ipc_msg *out, struct ipc_error_detail *detail)
{
	json_t *v = json_object_get(root, "v");
	json_t *type = json_object_get(root, "type");
	json_t *id = json_object_get(root, "id");

	if (json_is_integer(id))
		out->id = json_integer_value(id);
	if (json_is_string(type))
		out->type = ipc_type_from_name(json_string_value(type));
	if (!json_is_integer(v)) {
		say(detail, "field \"v\" (protocol version) is missing or not an integer");
		return -IPC_E_SCHEMA;
	}
	if (json_integer_value(v) != IPC_VERSION) {
		say(detail, "protocol version %lld is not supported (this side speaks %d)",
		    (long long)json_integer_value(v), IPC_VERSION);
		return -IPC_E_VERSION;
	}
	if (!json_is_string(type)) {
		say(detail, "field \"type\" is missing or not a string");
		return -IPC_E_SCHEMA;
	}
	if (!json_is_integer(id)) {
		say(detail, "field \"id\" is missing or not an integer");
		return -IPC_E_SCHEMA;
	}
	if (out->type == IPC_T_NONE) {
		say(detail, "unknown request type \"%.64s\"", json_string_value(type));
		return -IPC_E_UNKNOWN_OP;
	}
	return 0;
}

int
ipc_decode_request(const void *buf, size_t len, struct ipc_msg *out,
    struct ipc_error_detail *detail)
{
	json_error_t err;
	json_t *root, *body = NULL;
	struct ipc_msg msg = { 0 };
	int r = 0;

	*out = (struct ipc_msg){ 0 };
	if ((root = load_object(buf, len, &r, detail)) == NULL)
		return r;
	if ((r = read_header(root, &msg, detail)) < 0)
		goto out;
	if (json_unpack_ex(root, &err, JSON_STRICT, "{s:i, s:s, s:I, s?O}",
	    "v", &(int){ 0 }, "type", &(const char *){ NULL },
	    "id", &(json_int_t){ 0 }, "body", &body) != 0) {
		/* v, type and id are checked: another field is there */
		say_unknown(detail, root, "request");
		r = -IPC_E_SCHEMA;
		goto out;
	}
	if (body != NULL && !json_is_object(body)) {
		say(detail, "field \"body\" must be an object");
		r = -IPC_E_SCHEMA;
		goto out;
	}
	msg.body = body;
	body = NULL;		/* moved into msg */
out:
	if (r < 0) {
		out->type = msg.type;
		out->id = msg.id;
	} else {
		*out = msg;
	}
	json_decref(body);
	json_decref(root);
	return r;
}

int
ipc_decode_reply(const void *buf, size_t len, struct ipc_msg *out,
    struct ipc_error_detail *detail)
{
	json_error_t err;
	json_t *root, *body = NULL, *error = NULL;
	struct ipc_msg msg = { .is_reply = true };
	const char *code = NULL, *message = NULL;
	int ok = 0, r = 0;

	*out = (struct ipc_msg){ 0 };
	if ((root = load_object(buf, len, &r, detail)) == NULL)
		return r;
	if ((r = read_header(root, &msg, detail)) < 0)
		goto out;
	if (json_unpack_ex(root, &err, JSON_STRICT, "{s:i, s:s, s:I, s:b, s?O, s?O}",
	    "v", &(int){ 0 }, "type", &(const char *){ NULL },
	    "id", &(json_int_t){ 0 }, "ok", &ok, "body", &body,
	    "error", &error) != 0) {
		if (!json_is_boolean(json_object_get(root, "ok")))
			say(detail, "field \"ok\" is missing or not true or false");
		else
			say_unknown(detail, root, "reply");
		r = -IPC_E_SCHEMA;
		goto out;
	}
	msg.ok = ok != 0;
	if (!msg.ok) {
		if (error == NULL || json_unpack_ex(error, &err, JSON_STRICT,
		    "{s:s, s:s}", "code", &code, "message", &message) != 0) {
			say(detail, "error reply without {code, message}");
			r = -IPC_E_SCHEMA;
			goto out;
		}
		msg.error = ipc_error_from_name(code);
		msg.message = strdup(message);
	}
	msg.body = body;
	body = NULL;
	*out = msg;
	msg = (struct ipc_msg){ 0 };
out:
	if (r < 0) {
		out->type = msg.type;
		out->id = msg.id;
	}
	ipc_msg_finish(&msg);
	json_decref(error);
	json_decref(body);
	json_decref(root);
	return r;
}

static char *
dump(json_t *root, size_t *len)
{
	char *s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(12));

	if (s != NULL && len != NULL)
		*len = strlen(s);
	json_decref(root);
	return s;
}

char *
ipc_encode_request(enum ipc_type type, int64_t id, const json_t *body,
    size_t *len)
{
	json_t *root = json_pack("{s:i, s:s, s:I}", "v", IPC_VERSION,
	    "type", ipc_type_name(type), "id", (json_int_t)id);

	if (body != NULL)
		json_object_set(root, "body", (json_t *)body);
	return dump(root, len);
}

char *
ipc_encode_reply_ok(enum ipc_type type, int64_t id, const json_t *body,
    size_t *len)
{
	json_t *root = json_pack("{s:i, s:s?, s:I, s:b}", "v", IPC_VERSION,
	    "type", ipc_type_name(type), "id", (json_int_t)id, "ok", 1);

	if (json_object_get(root, "type") == NULL)
		json_object_set_new(root, "type", json_string("unknown"));
	json_object_set_new(root, "body",
	    body != NULL ? json_deep_copy(body) : json_object());
	return dump(root, len);
}

/* Length of the valid UTF-8 sequence at @s (1-4), or 0 if it is not. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A copy of @s where every byte that is not valid UTF-8 is a '?': error
 * messages quote what clients sent, cut to a length, possibly mid-character. */
static char *
utf8_sanitize(const char *s)
{
	size_t len = strlen(s), i = 0, n;
	char *out = malloc(len + 1);

	if (out == NULL)
		abort();
	while (i < len) {
		if ((n = utf8_seq((const unsigned char *)s + i)) == 0) {
			out[i++] = '?';
			continue;
		}
		memcpy(out + i, s + i, n);
		i += n;
	}
	out[len] = '\0';
	return out;
}

char *
ipc_encode_reply_error(enum ipc_type type, int64_t id, int code,
    const char *message, size_t *len)
{
	const char *name = ipc_type_name(type);
	char *clean = utf8_sanitize(message != NULL ? message :
	    ipc_error_text(code));
	json_t *root = json_pack("{s:i, s:s, s:I, s:b, s:{s:s, s:s}}",
	    "v", IPC_VERSION, "type", name != NULL ? name : "unknown",
	    "id", (json_int_t)id, "ok", 0,
	    "error", "code", ipc_error_name(code), "message", clean);

	free(clean);
	return dump(root, len);
}

void
ipc_event_finish(struct ipc_event *ev)
{
	if (ev == NULL)
		return;
	json_decref(ev->body);
	*ev = (struct ipc_event){ 0 };
}

char *
ipc_encode_event(const json_t *event, size_t *len)
{
	const char *type = json_string_value(json_object_get(event, "type"));
	char *js = json_dumps(event, JSON_COMPACT | JSON_REAL_PRECISION(12)), *out;
	size_t n;

	if (type == NULL || js == NULL) {
		free(js);
		return NULL;
	}
	n = strlen(type) + 1 + strlen(js);
	if ((out = malloc(n + 1)) == NULL)
		abort();
	snprintf(out, n + 1, "%s %s", type, js);
	free(js);
	if (len != NULL)
		*len = n;
	return out;
}

int
ipc_event_from_json(json_t *obj, struct ipc_event *out,
    struct ipc_error_detail *detail)
{
	json_t *seq, *ts, *type, *run, *v;
	struct ipc_event ev = { 0 };

	*out = (struct ipc_event){ 0 };
	if (!json_is_object(obj)) {
		say(detail, "event is not a JSON object");
		return -IPC_E_SCHEMA;
	}
	v = json_object_get(obj, "v");
	seq = json_object_get(obj, "seq");
	ts = json_object_get(obj, "ts");
	type = json_object_get(obj, "type");
	run = json_object_get(obj, "run");
	if (!json_is_integer(v) || json_integer_value(v) != IPC_VERSION) {
		say(detail, "event without protocol version %d", IPC_VERSION);
		return -IPC_E_VERSION;
	}
	if (!json_is_integer(seq) || json_integer_value(seq) <= 0) {
		say(detail, "event field \"seq\" missing or not a positive integer");
		return -IPC_E_SCHEMA;
	}
	if (!json_is_integer(ts)) {
		say(detail, "event field \"ts\" missing or not an integer");
		return -IPC_E_SCHEMA;
	}
	if (!json_is_string(type) || json_string_length(type) == 0 ||
	    json_string_length(type) >= sizeof(ev.type_name)) {
		say(detail, "event field \"type\" missing or not a short string");
		return -IPC_E_SCHEMA;
	}
	if (run != NULL && !json_is_null(run) && (!json_is_string(run) ||
	    json_string_length(run) >= sizeof(ev.run))) {
		say(detail, "event field \"run\" must be a short string or null");
		return -IPC_E_SCHEMA;
	}
	ev.seq = json_integer_value(seq);
	ev.ts = json_integer_value(ts);
	ev.ephemeral = json_is_true(json_object_get(obj, "ephemeral"));
	snprintf(ev.type_name, sizeof(ev.type_name), "%s", json_string_value(type));
	ev.type = ipc_event_from_name(ev.type_name);
	if (json_is_string(run))
		snprintf(ev.run, sizeof(ev.run), "%s", json_string_value(run));
	ev.body = json_incref(obj);
	*out = ev;
	return 0;
}

int
ipc_decode_event(const void *buf, size_t len, struct ipc_event *out,
    struct ipc_error_detail *detail)
{
	const char *p = buf, *sp;
	json_t *obj;
	int r = 0;

	*out = (struct ipc_event){ 0 };
	if (len > 0 && p[0] != '{') {
		/* "<topic> <json>": the topic is the event type, repeated
		 * inside the object, which is what we read */
		if ((sp = memchr(p, ' ', len)) == NULL) {
			say(detail, "event message has no space after its topic");
			return -IPC_E_SCHEMA;
		}
		len -= (size_t)(sp + 1 - p);
		p = sp + 1;
	}
	if ((obj = load_object(p, len, &r, detail)) == NULL)
		return r;
	r = ipc_event_from_json(obj, out, detail);
	json_decref(obj);
	return r;
}
