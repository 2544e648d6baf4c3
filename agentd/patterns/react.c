/*
 * ReAct: think → act → observe until a final answer. Each model turn
 * either calls tools (run one by one, their results go back to the model)
 * or answers with text, which ends the run.
 */
#include <stdlib.h>

#include <jansson.h>

#include "engine.h"
#include "providers/provider.h"
#include "util.h"

static void
react_advance(struct engine *e, struct run *run)
{
	const json_t *last, *calls;

	if (run->phase == RUN_PHASE_MODEL) {
		engine_call_model(e, run);
		return;
	}
	last = json_array_get(run->messages, json_array_size(run->messages) - 1);
	for (size_t i = json_array_size(run->messages); i > 0; i--) {
		last = json_array_get(run->messages, i - 1);
		if (json_object_get(last, "tool_calls") != NULL)
			break;
	}
	calls = json_object_get(last, "tool_calls");
	if (run->tool_index < json_array_size(calls)) {
		engine_call_tool(e, run, json_array_get(calls, run->tool_index));
		return;
	}
	/* every tool call of the turn has its result: ask the model again */
	run->phase = RUN_PHASE_MODEL;
	run->tool_index = 0;
	engine_mark_dirty(e, run);
	engine_call_model(e, run);
}

static void
react_on_reply(struct engine *e, struct run *run, struct llm_reply *reply)
{
	bool has_calls = json_array_size(reply->tool_calls) > 0;

	switch (truncation_handle(e, run, reply)) {
	case TRUNCATION_NONE:
		break;
	case TRUNCATION_CONTINUE:
		run->phase = RUN_PHASE_MODEL;
		run->tool_index = 0;
		engine_mark_dirty(e, run);
		engine_schedule(e, run, 0);
		return;
	case TRUNCATION_STOP:
		return;
	}
	engine_add_message(e, run, reply_message(reply));
	if (!has_calls) {
		/* with the parts cut by max_tokens before it, if any */
		free(run->output);
		run->output = truncation_answer_join(run);
		engine_finish(e, run, RUN_DONE, "final answer");
		return;
	}
	run->phase = RUN_PHASE_TOOLS;
	run->tool_index = 0;
	engine_schedule(e, run, 0);
}

static void
react_on_tool_done(struct engine *e, struct run *run)
{
	engine_schedule(e, run, 0);
}

const struct pattern_ops pattern_react = {
	.name = "react",
	.advance = react_advance,
	.on_reply = react_on_reply,
	.on_tool_done = react_on_tool_done,
};
