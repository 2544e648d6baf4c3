/*
 * Wire formats of the remote providers: the engine's conversation turned
 * into a request body, and response bodies and SSE streams turned back into
 * an llm_reply. Pure functions of their input (no I/O), so they are unit
 * tested and fuzzed on their own (tests/agentd/test_wire.c, fuzz_wire).
 *
 * The engine's conversation (request->messages) is an array of:
 *   {"role":"user", "content":"…"}
 *   {"role":"assistant", "content":"…"|null,
 *    "tool_calls":[{"id":"…", "name":"…", "arguments":{…}}]}   (tool_calls optional)
 *   {"role":"tool", "tool_call_id":"…", "name":"…", "content":"…", "is_error":bool}
 * A tool call whose arguments the model sent as unparseable JSON has, instead
 * of "arguments", "arguments_raw" (the string as sent) and "arguments_error";
 * both formats send such a call back with the arguments {} (a history that
 * does not parse makes template-rendering servers fail every request), and
 * its tool result says what was wrong.
 * An assistant message may also carry "send_back", the reply's send_back
 * (provider.h): what its wire format must repeat in that turn on every
 * later request. Only the format it names reads it:
 *   {"format":"anthropic", "content":[thinking and redacted_thinking blocks]}
 *      go back first in the turn's content, unchanged (their signatures
 *      are checked; required when the turn used tools);
 *   {"format":"openai", "field":"reasoning_content"|"reasoning", "text":"…"}
 *      goes back as that field of the assistant message (DeepSeek's
 *      thinking mode requires it after tool calls; others ignore it).
 * request->tools is an array of {"name", "description", "input_schema"}.
 *
 * Replies use the same shapes: tool_calls [{id, name, arguments}] (or the
 * arguments_raw/arguments_error pair), reasoning as text (OpenAI-compatible
 * "reasoning_content" or "reasoning", Anthropic "thinking" blocks; all
 * bounded like the answer), stop_reason normalised to "end_turn",
 * "tool_use", "max_tokens", "stop_sequence", "content_filter" (anything else
 * is copied as sent, cut to fit).
 */
#ifndef AGENTD_WIRE_H
#define AGENTD_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "providers/provider.h"

struct json_t;
struct wire_stream;

/* Text that a stream event added to the answer and to the reasoning:
 * borrowed, valid until the next call on the stream; a length is 0 when
 * the event added no such text. Reasoning came first when both are set. */
struct wire_delta {
	const char *text;
	size_t len;
	const char *reasoning;
	size_t reasoning_len;
};

struct wire_ops {
	const char *name;		/* "openai", "anthropic" */
	const char *path;		/* appended to the base URL */
	/* The body of a request; a new reference. */
	struct json_t *(*build_request)(const struct llm_request *req,
	    bool stream);
	/* A whole (not streamed) 2xx body. 0; -EINVAL when it is an error
	 * object saying the request is wrong (wire_error_class); -EPROTO (or
	 * -EAGAIN) for anything else wrong, with @err saying what and where.
	 * On success *out is filled (llm_reply_finish). */
	int (*parse_response)(const char *body, size_t len,
	    struct llm_reply *out, char *err, size_t errlen);
	/* The provider's own message from an error body (4xx/5xx or an error
	 * event), at most @outlen-1 bytes, "" when there is none. */
	void (*error_message)(const char *body, size_t len, char *out,
	    size_t outlen);
	struct wire_stream *(*stream_create)(void);
	void (*stream_destroy)(struct wire_stream *s);
	/* One SSE event. 0; for an error event its class: -EAGAIN worth
	 * retrying (overloaded, rate limited, server error), -EINVAL the
	 * request is wrong; -EPROTO for anything else wrong; @err says what.
	 * *delta is set (len 0 when there is no new text). */
	int (*stream_event)(struct wire_stream *s, const char *event,
	    const char *data, size_t len, struct wire_delta *delta, char *err,
	    size_t errlen);
	/* The end of the HTTP body. 0 with *out filled when the stream was
	 * complete; -EPROTO ("the stream ended before …") when it was cut. */
	int (*stream_finish)(struct wire_stream *s, struct llm_reply *out,
	    char *err, size_t errlen);
};

extern const struct wire_ops wire_openai;	/* Chat Completions */
extern const struct wire_ops wire_anthropic;	/* Messages API */

/* By name ("openai", "anthropic"), or NULL. */
const struct wire_ops *wire_find(const char *name);

/* An HTTP status worth retrying: 408, 409, 429, 5xx. */
bool wire_status_retryable(long status);

/* Parses tool-call arguments as sent (a JSON text) into @call: sets
 * "arguments" (an object) or, when the text is not a JSON object,
 * "arguments_raw" and "arguments_error". Shared by both formats. */
void wire_set_arguments(struct json_t *call, const char *text, size_t len);

#endif
