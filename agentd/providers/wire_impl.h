/*
 * What wire.c shares with wire_openai.c and wire_anthropic.c: strict JSON
 * member access with error paths, bounded text, and an accumulator that a
 * parsed response or a stream fills and that becomes the llm_reply.
 * Private to the three wire files.
 */
#ifndef AGENTD_WIRE_IMPL_H
#define AGENTD_WIRE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "providers/wire.h"

#define WIRE_MAX_TEXT	((size_t)8 << 20)	/* answer text, reasoning
						 * text, all tool arguments
						 * together, all thinking
						 * signatures together */
#define WIRE_MAX_BODY	((size_t)32 << 20)	/* a whole response body */
#define WIRE_MAX_CALLS	256			/* tool calls in one reply,
						 * and thinking blocks */
#define WIRE_JSON_FLAGS	JSON_REJECT_DUPLICATES	/* for provider envelopes */

/* A growing byte string that refuses to pass a bound; always
 * NUL-terminated once anything was added. */
struct wire_buf {
	char *p;		/* owned */
	size_t len, cap;
};

/* A tool call being assembled. */
struct wire_call {
	long key;		/* OpenAI: tool_calls index; Anthropic: content
				 * block index (streams), position (bodies) */
	char *id;		/* owned, NULL until known */
	char *name;		/* owned, NULL until known */
	struct wire_buf args;	/* arguments as JSON text, in pieces */
	json_t *input;		/* owned: arguments already parsed (Anthropic
				 * bodies); used instead of args when set */
};

/* An Anthropic thinking or redacted_thinking block being assembled: what
 * goes back unchanged on the next turn. */
struct wire_think {
	long key;		/* content block index (streams), position
				 * (bodies) */
	bool redacted;		/* redacted_thinking: only data, no text */
	bool has_sig;		/* a signature was sent (maybe "") */
	struct wire_buf text;	/* thinking: its text */
	struct wire_buf sig;	/* thinking: its signature; redacted: data */
};

/* Everything a reply is made of, as it comes in. */
struct wire_acc {
	struct wire_buf text;
	struct wire_buf reasoning;	/* all reasoning text, as shown (thinking
					 * blocks' texts joined by a blank line) */
	const char *reasoning_field;	/* OpenAI: the member it came in
					 * ("reasoning_content", "reasoning"),
					 * static; NULL: none yet */
	struct wire_call *calls;	/* owned array */
	size_t n_calls, cap_calls;
	size_t args_total;		/* bytes of all args, bounded */
	struct wire_think *thinks;	/* owned array, in the order they began */
	size_t n_thinks, cap_thinks;
	size_t sig_total;		/* bytes of all signatures and data */
	int64_t reasoning_tokens;	/* -1: not reported */
	char stop_reason[32];		/* normalised; "" until sent */
	int64_t tokens_in, tokens_out;
	int64_t cache_read, cache_write;	/* -1: not reported */
	int64_t cached;			/* OpenAI format's cached_tokens; -1: same */
	bool usage;			/* the provider reported usage */
};

/* One stream, the same shape for both formats. */
struct wire_stream {
	struct wire_acc acc;
	bool started;		/* Anthropic: message_start seen */
	bool done;		/* OpenAI: [DONE]; Anthropic: message_stop */
};

/* Formats into @err (may be NULL/0); never leaves a cut UTF-8 sequence. */
void wire_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies at most @outlen-1 bytes of @s (length @n) into @out as valid
 * UTF-8 on one line: control characters become spaces, invalid bytes '?'. */
void wire_clean(char *out, size_t outlen, const char *s, size_t n);

/* Member @key of the object @obj, which @path names in errors ("" for the
 * root). @type is JSON_STRING, JSON_OBJECT, JSON_ARRAY, JSON_INTEGER or
 * JSON_TRUE (a boolean). Absent or null: *out = NULL, and -EPROTO when
 * @required. A wrong type: -EPROTO "path.key: not a string". The member
 * is borrowed from @obj. */
int wire_get(const json_t *obj, const char *path, const char *key,
    json_type type, bool required, json_t **out, char *err, size_t errlen);
/* A token count: leaves *out alone when absent or null; -EPROTO when it is
 * not a non-negative integer. Sets *seen when present. */
int wire_get_count(const json_t *obj, const char *path, const char *key,
    int64_t *out, bool *seen, char *err, size_t errlen);
/* Parses @body as a JSON object (duplicates rejected): NULL and @err
 * ("@what: …") when it is not one. A new reference. */
json_t *wire_load(const char *body, size_t len, const char *what, char *err,
    size_t errlen);

/* The string value of @v, "" when it is not a string (borrowed). */
const char *wire_str(const json_t *v);
/* Engine message content as one JSON string (a new reference): a string
 * as it is, other JSON as its compact text, "" for none. */
json_t *wire_content_string(const json_t *c);

/* What an error object's type and code (strings, either may be NULL;
 * words matched anywhere, in any case) or numeric code (an HTTP status
 * some servers put there, 0 if none; a code "400" counts too) say: -EAGAIN worth retrying
 * (overloaded, rate limited, server error, 408/409/429/5xx), -EINVAL the
 * request is wrong and will stay wrong (invalid request, authentication,
 * permission, unknown model, context too long, quota, other 4xx), -EPROTO
 * nothing known (retried like any garbled answer). The retryable words
 * are looked for first. */
int wire_error_class(const char *type, const char *code, long status);

/* Both formats: the provider's message from an error body. */
void wire_error_message(const char *body, size_t len, char *out,
    size_t outlen);

/* Sets @out to the normalised stop reason @s (length @n). */
void wire_stop_reason(char *out, size_t outlen, const char *s, size_t n);

void wire_acc_init(struct wire_acc *acc);
void wire_acc_finish(struct wire_acc *acc);
/* Appends answer text; -EPROTO past WIRE_MAX_TEXT. */
int wire_acc_text(struct wire_acc *acc, const char *s, size_t n, char *err,
    size_t errlen);
/* Appends reasoning text; -EPROTO past WIRE_MAX_TEXT. */
int wire_acc_reasoning(struct wire_acc *acc, const char *s, size_t n,
    char *err, size_t errlen);
/* The thinking block with @key, created (thinking, or redacted_thinking
 * when @redacted) when @create; NULL with @err when there are too many,
 * when @create and it exists already ("started twice"), or when it is
 * absent and !@create. */
struct wire_think *wire_acc_think(struct wire_acc *acc, long key, bool create,
    bool redacted, char *err, size_t errlen);
/* Appends thinking text to @think and to the reasoning (after a blank
 * line when it is the block's first text and other reasoning came
 * before); -EPROTO past WIRE_MAX_TEXT. */
int wire_acc_think_text(struct wire_acc *acc, struct wire_think *think,
    const char *s, size_t n, char *err, size_t errlen);
/* Appends to @think's signature (redacted: its data); -EPROTO past
 * WIRE_MAX_TEXT in all. */
int wire_acc_think_sig(struct wire_acc *acc, struct wire_think *think,
    const char *s, size_t n, char *err, size_t errlen);
/* The call with @key, created when @create (and absent); NULL with @err
 * when there are too many calls, or when it is absent and !@create. */
struct wire_call *wire_acc_call(struct wire_acc *acc, long key, bool create,
    char *err, size_t errlen);
/* Appends argument text to @call; -EPROTO past WIRE_MAX_TEXT in all. */
int wire_acc_args(struct wire_acc *acc, struct wire_call *call,
    const char *s, size_t n, char *err, size_t errlen);
/* Sets a string field of a call (id or name) when it is not set yet. */
void wire_call_set(char **field, const char *s, size_t n);
/* Turns @acc into *out (written only on success): text, tool calls with
 * ids (generated "call_<n>" when missing), arguments parsed, reasoning,
 * thinking blocks as send_back {"format":"anthropic","content":[…]}, the
 * stop reason (defaulted from the calls), usage or its estimate. -EPROTO
 * when a call has no name. @acc is emptied either way. */
int wire_acc_reply(struct wire_acc *acc, struct llm_reply *out, char *err,
    size_t errlen);

struct wire_stream *wire_stream_new(void);
void wire_stream_free(struct wire_stream *s);

#endif
