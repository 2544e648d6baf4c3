/*
 * Answers cut by the output limit (stop_reason "max_tokens": OpenAI's
 * finish_reason "length", Anthropic's "max_tokens"). A cut answer is not a
 * final answer and a cut tool call is not a call. A pattern hands every
 * reply to truncation_handle() first: a cut turn goes into the
 * conversation marked "stop_reason": "max_tokens", and the agent's
 * truncation policy says what follows:
 *
 *   continue (default, at most max_continues times in a row): a cut text
 *     is followed by a user message asking the model to go on where it
 *     stopped ("continuation": true), and the final answer is the cut parts
 *     joined; a cut tool-call turn runs none of its calls, each gets an
 *     error result saying why, and the model is asked again.
 *   fail: the run ends failed, reason "truncated: …", with the cut text as
 *     its output.
 *
 * A continuation is the pattern's to make (it knows its phases): it asks
 * the model again, an ordinary model call that the budget checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "engine.h"
#include "run.h"
#include "providers/provider.h"
#include "util.h"

#define CONTINUE_TEXT	"Your answer was cut off at the output limit " \
	"(max_tokens %lld). Continue exactly where it stopped, without " \
	"repeating anything."
#define NOTHING_TEXT	"The output limit (max_tokens %lld) was used up " \
	"before you gave any answer. Answer now, briefly."
#define CALL_TEXT	"error: the call was not made: your answer was cut " \
	"off at the output limit (max_tokens %lld) before it was complete. " \
	"Make the call again, with shorter arguments if they were long."

/* A string member of @obj, "" when it is absent or not a string. */
static const char *
member_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

static bool
is_continuation(const json_t *msg)
{
	return json_is_true(json_object_get(msg, "continuation"));
}

char *
truncation_answer_join(const struct run *run)
{
	const json_t *msgs = run->messages, *m;
	size_t n = json_array_size(msgs), first = n, len = 0, at;
	const char *s;
	char *out;

	if (n == 0)
		return xstrdup("");
	/* back from the last assistant turn over "cut text, go on" pairs */
	first = n - 1;
	while (first >= 2 && is_continuation(json_array_get(msgs, first - 1)) &&
	    strcmp(member_str(json_array_get(msgs, first - 2), "stop_reason"),
	    "max_tokens") == 0)
		first -= 2;
	for (at = first; at < n; at += 2)
		if ((s = json_string_value(json_object_get(json_array_get(msgs,
		    at), "content"))) != NULL)
			len += strlen(s);
	out = xmalloc(len + 1);
	len = 0;
	for (at = first; at < n; at += 2) {
		m = json_array_get(msgs, at);
		if ((s = json_string_value(json_object_get(m, "content"))) != NULL) {
			memcpy(out + len, s, strlen(s));
			len += strlen(s);
		}
	}
	out[len] = '\0';
	return out;
}

/* What was cut, for reasons and the transcript. */
static const char *
cut_what(const struct llm_reply *reply)
{
	if (json_array_size(reply->tool_calls) > 0)
		return "a tool call";
	if (reply->text != NULL && reply->text[0] != '\0')
		return "the answer";
	return "the turn before any answer";
}

enum truncation_outcome
truncation_handle(struct engine *e, struct run *run, struct llm_reply *reply)
{
	const struct agent *a = run->agent;
	long long limit = (long long)a->max_tokens;
	const char *what = cut_what(reply);
	bool calls = json_array_size(reply->tool_calls) > 0;
	bool nothing = !calls && (reply->text == NULL || reply->text[0] == '\0');
	json_t *msg, *c;
	char text[400];
	size_t i;

	if (strcmp(reply->stop_reason, "max_tokens") != 0) {
		run->truncations = 0;
		return TRUNCATION_NONE;
	}
	msg = reply_message(reply);
	json_object_set_new(msg, "stop_reason", json_string("max_tokens"));
	engine_add_message(e, run, msg);	/* msg stays valid: the run holds it */
	if (a->truncation_continues == 0 ||
	    run->truncations >= a->truncation_continues) {
		free(run->output);
		run->output = truncation_answer_join(run);
		if (run->truncations == 0)
			engine_finish(e, run, RUN_FAILED, "truncated: %s was cut at "
			    "max_tokens (%lld)", what, limit);
		else
			engine_finish(e, run, RUN_FAILED, "truncated: %s was cut at "
			    "max_tokens (%lld) again after %d continuations",
			    what, limit, run->truncations);
		return TRUNCATION_STOP;
	}
	run->truncations++;
	if (calls) {
		snprintf(text, sizeof(text), CALL_TEXT, limit);
		json_array_foreach(json_object_get(msg, "tool_calls"), i, c)
			engine_add_message(e, run, json_pack("{s:s, s:s, s:s, s:s,"
			    " s:b}", "role", "tool", "tool_call_id",
			    member_str(c, "id"), "name", member_str(c, "name"),
			    "content", text, "is_error", 1));
	} else {
		snprintf(text, sizeof(text), nothing ? NOTHING_TEXT :
		    CONTINUE_TEXT, limit);
		engine_add_message(e, run, json_pack("{s:s, s:s, s:b}", "role",
		    "user", "content", text, "continuation", 1));
	}
	engine_mark_dirty(e, run);
	if (engine_transition(e, run, RUN_REFLECTING, "%s was cut at max_tokens "
	    "(%lld): asking the model to go on (%d of %d)", what, limit,
	    run->truncations, a->truncation_continues) != 0)
		return TRUNCATION_STOP;	/* refused (and logged) */
	return TRUNCATION_CONTINUE;
}
