/*
 * One interface for every model provider (sim now; openai and anthropic
 * plug in here). Calls are asynchronous: start() returns at once and the
 * provider calls call->done exactly once later, unless the call was
 * cancelled first. Providers never block the engine loop.
 */
#ifndef AGENTD_PROVIDER_H
#define AGENTD_PROVIDER_H

#include <stdint.h>

#include "loop.h"

struct json_t;
struct provider;
struct llm_call;

struct llm_request {
	const char *model;		/* the part after "provider:" */
	const char *system;		/* system prompt */
	const struct json_t *messages;	/* borrowed: the conversation */
	const struct json_t *tools;	/* borrowed: array of tool definitions */
	int64_t max_tokens;
	int turn;			/* model turns completed in this run */
};

/* A model turn: text (final answer when there are no tool calls) and/or
 * tool calls [{id, name, arguments}]. */
struct llm_reply {
	char *text;			/* owned or NULL */
	struct json_t *tool_calls;	/* owned array or NULL */
	int64_t tokens_in, tokens_out;
	char stop_reason[32];		/* "end_turn", "tool_use", … */
};

void llm_reply_finish(struct llm_reply *reply);

/* status: 0, or a negative errno (-ETIMEDOUT, -EIO…) with @error set.
 * The callee may take reply's fields (set them to NULL). */
typedef void llm_done_fn(struct llm_call *call, int status,
    struct llm_reply *reply, const char *error);

struct llm_call {
	struct provider *provider;
	void *owner;			/* the engine's run */
	llm_done_fn *done;
	struct timer timer;		/* for the provider's use */
	void *impl;			/* for the provider's use */
	int64_t started;		/* mono ms */
	char span[24];			/* the engine's span id */
};

struct provider_ops {
	const char *name;		/* "sim", "openai"… */
	/* 0 if @model can be served, else -EINVAL with a reason in @err. */
	int (*check_model)(struct provider *p, const char *model, char *err,
	    size_t errlen);
	/* Tokens the request will cost, for the budget pre-check. */
	int64_t (*estimate_tokens_in)(struct provider *p,
	    const struct llm_request *req);
	int (*start)(struct provider *p, struct llm_call *call,
	    const struct llm_request *req);
	/* Stops a started call at once; done is not called. */
	void (*cancel)(struct provider *p, struct llm_call *call);
	void (*destroy)(struct provider *p);
};

struct provider {
	const struct provider_ops *ops;
	void *state;
};

/* Rough token count of a conversation: 4 characters a token. */
int64_t provider_estimate_tokens(const struct json_t *messages,
    const char *system);

/*
 * The sim provider: scenario files in @dir script every turn.
 * Bad files are logged and listed in @errors (array of {file, error}).
 * Scenario files are the *.json files of @dir.
 */
struct provider *sim_provider_create(struct loop *loop, const char *dir,
    struct json_t *errors);

/* Checks a scenario object as the sim provider would load it. */
int sim_scenario_validate(const struct json_t *root, const char *file,
    char *err, size_t errlen);

#endif
