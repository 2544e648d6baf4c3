/*
 * libFuzzer target for the provider wire formats. The first byte chooses
 * the format (bit 0: openai/anthropic), whole body or stream (bit 1) and,
 * for streams, how the rest is cut into pieces for the SSE parser (bits
 * 2-7). Besides crashes and leaks, it aborts when a result breaks its
 * contract: an error without a message, a reply that is not well formed,
 * text that is not UTF-8. Bodies that are JSON arrays are also built into
 * requests as a conversation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "providers/sse.h"
#include "providers/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const struct wire_ops *ops;
	struct wire_stream *s;
	char err[256];
};

/* Aborts unless @s (NUL-terminated within @len) is UTF-8 text. */
static void
check_text(const char *s, size_t len)
{
	json_t *j;

	if (memchr(s, '\0', len) == NULL)
		abort();
	if ((j = json_string(s)) == NULL)
		abort();
	json_decref(j);
}

static void
check_error(int r, const char *err, size_t len)
{
	if (r != -EPROTO && r != -EAGAIN && r != -EINVAL)
		abort();
	check_text(err, len);
	if (err[0] == '\0')
		abort();
}

static void
check_reply(struct llm_reply *reply)
{
	const json_t *c;
	size_t i;

	if (reply->text != NULL)
		check_text(reply->text, strlen(reply->text) + 1);
	if (reply->reasoning != NULL)
		check_text(reply->reasoning, strlen(reply->reasoning) + 1);
	if (reply->reasoning_tokens < -1 || (reply->send_back != NULL &&
	    (!json_is_object(reply->send_back) ||
	    json_object_get(reply->send_back, "format") == NULL)))
		abort();
	check_text(reply->stop_reason, sizeof reply->stop_reason);
	if (reply->stop_reason[0] == '\0' || reply->tokens_in < 0 ||
	    reply->tokens_out < 0 || reply->cache_read < -1 ||
	    reply->cache_write < -1 || reply->cached < -1)
		abort();
	if (reply->tool_calls != NULL && (!json_is_array(reply->tool_calls) ||
	    json_array_size(reply->tool_calls) == 0))
		abort();
	json_array_foreach(reply->tool_calls, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *name = json_string_value(json_object_get(c, "name"));

		if (id == NULL || id[0] == '\0' || name == NULL ||
		    name[0] == '\0')
			abort();
		if (!json_is_object(json_object_get(c, "arguments")) &&
		    (!json_is_string(json_object_get(c, "arguments_raw")) ||
		    !json_is_string(json_object_get(c, "arguments_error"))))
			abort();
	}
	llm_reply_finish(reply);
}

static int
on_event(void *arg, const char *event, const char *data, size_t len)
{
	struct ctx *ctx = arg;
	struct wire_delta delta = { NULL, 1, NULL, 1 };
	int r;

	ctx->err[0] = '\0';
	r = ctx->ops->stream_event(ctx->s, event, data, len, &delta, ctx->err,
	    sizeof ctx->err);
	if (delta.text == NULL || delta.len > (8u << 20) ||
	    delta.reasoning == NULL || delta.reasoning_len > (8u << 20))
		abort();
	if (r != 0)
		check_error(r, ctx->err, sizeof ctx->err);
	return r;
}

static void
stream(const struct wire_ops *ops, const uint8_t *data, size_t n,
    unsigned step)
{
	struct ctx ctx = { .ops = ops };
	struct llm_reply reply = { 0 };
	struct sse_parser p;
	size_t off = 0, piece;
	int r = 0;

	ctx.s = ops->stream_create();
	sse_init(&p, 1 << 16);
	while (off < n && r == 0) {
		piece = step == 0 ? n - off : 1 + (size_t)(data[off] % step);
		if (piece > n - off)
			piece = n - off;
		r = sse_feed(&p, (const char *)data + off, piece, on_event, &ctx);
		off += piece;
	}
	if (r != 0 && r != -EMSGSIZE && r != -EPROTO && r != -EAGAIN &&
	    r != -EINVAL)
		abort();
	(void)sse_partial(&p);
	if (r == 0) {
		ctx.err[0] = '\0';
		if ((r = ops->stream_finish(ctx.s, &reply, ctx.err,
		    sizeof ctx.err)) == 0)
			check_reply(&reply);
		else
			check_error(r, ctx.err, sizeof ctx.err);
	}
	sse_finish(&p);
	ops->stream_destroy(ctx.s);
}

static void
build(const uint8_t *data, size_t n)
{
	json_t *conv = json_loadb((const char *)data, n, 0, NULL);
	struct llm_request req = {
		.model = "m", .system = "s", .messages = conv, .tools = conv,
		.max_tokens = 100,
	};
	const struct wire_ops *all[] = { &wire_openai, &wire_anthropic };
	json_t *body;
	char *s;

	if (!json_is_array(conv))
		goto out;
	for (size_t i = 0; i < 4; i++) {
		if ((body = all[i % 2]->build_request(&req, i / 2)) == NULL)
			abort();
		if ((s = json_dumps(body, JSON_COMPACT)) == NULL)
			abort();
		free(s);
		json_decref(body);
	}
out:
	json_decref(conv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wire_ops *ops;
	struct llm_reply reply = { 0 };
	char err[200], msg[64];
	int r;

	if (size == 0)
		return 0;
	ops = data[0] & 1 ? &wire_anthropic : &wire_openai;
	if (data[0] & 2) {
		stream(ops, data + 1, size - 1, data[0] >> 2);
		return 0;
	}
	err[0] = '\0';
	if ((r = ops->parse_response((const char *)data + 1, size - 1, &reply,
	    err, sizeof err)) == 0)
		check_reply(&reply);
	else
		check_error(r, err, sizeof err);
	ops->error_message((const char *)data + 1, size - 1, msg, sizeof msg);
	check_text(msg, sizeof msg);
	if (strpbrk(msg, "\n\r\t") != NULL)
		abort();
	build(data + 1, size - 1);
	return 0;
}
