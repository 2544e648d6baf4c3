/*
 * A pattern for tests, to show that a pattern is one file plus one
 * registry line (here pattern_register() in the test, where agentd has its
 * line in agentd/patterns/registry.c): one model call, and its text is the
 * answer; tool calls are not made. Not shipped as an agent.
 */
#ifndef AGENTD_TEST_PATTERN_ONCE_H
#define AGENTD_TEST_PATTERN_ONCE_H

#include <stdlib.h>

#include <jansson.h>

#include "engine.h"
#include "providers/provider.h"
#include "run.h"
#include "util.h"

static void
once_advance(struct engine *e, struct run *run)
{
	engine_call_model(e, run);
}

static void
once_on_reply(struct engine *e, struct run *run, struct llm_reply *reply)
{
	switch (truncation_handle(e, run, reply)) {
	case TRUNCATION_NONE:
		break;
	case TRUNCATION_CONTINUE:
		engine_schedule(e, run, 0);
		return;
	case TRUNCATION_STOP:
		return;
	}
	engine_add_message(e, run, reply_message(reply));
	free(run->output);
	run->output = truncation_answer_join(run);
	engine_finish(e, run, RUN_DONE, "one model call: done");
}

static void
once_on_tool_done(struct engine *e, struct run *run)
{
	(void)e;
	(void)run;
}

static const struct pattern_ops pattern_once = {
	.name = "once",
	.advance = once_advance,
	.on_reply = once_on_reply,
	.on_tool_done = once_on_tool_done,
};

#endif
