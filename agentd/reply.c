/*
 * A model's reply as a message of the run's conversation: the answer, the
 * tool calls, and a reasoning model's thinking, kept capped for people and
 * whole for what the wire format must send back.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "providers/provider.h"
#include "util.h"

/* Puts the reasoning of @reply into @msg: "reasoning" (its first
 * REPLY_REASONING_KEEP bytes), "reasoning_bytes", "reasoning_truncated",
 * "reasoning_redacted" (Anthropic blocks without text, when there are any)
 * and "send_back" (taken from @reply: what the wire format repeats in later
 * requests). Nothing when there is none. */
static void
add_reasoning(json_t *msg, struct llm_reply *reply)
{
	const json_t *b;
	size_t n = reply->reasoning != NULL ? strlen(reply->reasoning) : 0, i;
	int redacted = 0;

	if (n > 0) {
		json_object_set_new(msg, "reasoning", n <= REPLY_REASONING_KEEP ?
		    json_string(reply->reasoning) : json_stringn(reply->reasoning,
		    utf8_prefix(reply->reasoning, REPLY_REASONING_KEEP)));
		json_object_set_new(msg, "reasoning_bytes",
		    json_integer((json_int_t)n));
		json_object_set_new(msg, "reasoning_truncated",
		    json_boolean(n > REPLY_REASONING_KEEP));
	}
	json_array_foreach(json_object_get(reply->send_back, "content"), i, b) {
		const char *type = json_string_value(json_object_get(b, "type"));

		if (type != NULL && strcmp(type, "redacted_thinking") == 0)
			redacted++;
	}
	if (redacted > 0)
		json_object_set_new(msg, "reasoning_redacted",
		    json_integer(redacted));
	if (reply->send_back != NULL) {
		json_object_set_new(msg, "send_back", reply->send_back);
		reply->send_back = NULL;
	}
}

json_t *
reply_message(struct llm_reply *reply)
{
	json_t *msg = json_pack("{s:s}", "role", "assistant");

	json_object_set_new(msg, "content", reply->text ?
	    json_string(reply->text) : json_null());
	add_reasoning(msg, reply);
	if (json_array_size(reply->tool_calls) > 0) {
		json_object_set_new(msg, "tool_calls", reply->tool_calls);
		reply->tool_calls = NULL;
	}
	return msg;
}
