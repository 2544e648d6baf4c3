/*
 * One interface for every model provider (sim now; openai and anthropic
 * plug in here). Calls are asynchronous: start() returns at once and the
 * provider calls call->done exactly once later, unless the call was
 * cancelled first. Providers never block the engine loop.
 */
#ifndef AGENTD_PROVIDER_H
#define AGENTD_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
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
	int64_t thinking_budget;	/* the endpoint's (remote providers set
					 * it): Anthropic extended thinking with
					 * up to this many of max_tokens; 0: off */
};

/* A model turn: text (final answer when there are no tool calls) and/or
 * tool calls [{id, name, arguments}], and what a reasoning model thought
 * before them. */
struct llm_reply {
	char *text;			/* owned or NULL */
	struct json_t *tool_calls;	/* owned array or NULL */
	char *reasoning;		/* owned or NULL: the model's reasoning
					 * (reasoning_content, thinking blocks)
					 * as text to show, whole */
	int64_t reasoning_tokens;	/* of tokens_out, as the provider
					 * reported them; -1: not reported */
	struct json_t *send_back;	/* owned or NULL: what the wire format
					 * must send back in this turn on the
					 * next request, {"format": "openai" |
					 * "anthropic", …}; opaque to the engine
					 * (wire.h) */
	int64_t tokens_in, tokens_out;	/* as the provider reported them */
	int64_t cache_read;		/* prompt tokens read from the provider's
					 * prompt cache; -1: not reported */
	int64_t cache_write;		/* prompt tokens written to it; -1: same */
	int64_t cached;			/* prompt tokens an OpenAI-format server
					 * says it had cached (OpenAI: priced
					 * prompt caching; llama.cpp, vLLM:
					 * KV-cache reuse); -1: not reported */
	bool usage_estimated;		/* no usage was reported: tokens are our
					 * estimate (4 characters a token) */
	char stop_reason[32];		/* "end_turn", "tool_use", … */
};

void llm_reply_finish(struct llm_reply *reply);

/* status: 0, or a negative errno (-ETIMEDOUT, -EIO…) with @error set.
 * The callee may take reply's fields (set them to NULL). */
typedef void llm_done_fn(struct llm_call *call, int status,
    struct llm_reply *reply, const char *error);

/* What a call is waiting on before (or between) its HTTP attempts. */
enum llm_wait {
	LLM_WAIT_NONE,			/* in flight */
	LLM_WAIT_RATE_LIMIT,		/* queued for the endpoint's rate limit */
	LLM_WAIT_RETRY,			/* backing off before the next attempt */
	LLM_WAIT_BREAKER,		/* the endpoint's circuit breaker refuses
					 * calls (open, or half-open with its
					 * probe out): no attempt is used */
	LLM_WAIT_STALLED,		/* in flight, but its stream has sent
					 * nothing for a while */
};

/* Streamed text as it arrives (borrowed for the call): answer text, or
 * the model's reasoning when @reasoning. */
typedef void llm_delta_fn(struct llm_call *call, const char *text, size_t len,
    bool reasoning);
/* The call started waiting (@what), for @delay_ms if known (-1: unknown),
 * because of @why (e.g. "HTTP 429: rate limited"; the endpoint's name for
 * LLM_WAIT_RATE_LIMIT, LLM_WAIT_BREAKER and LLM_WAIT_STALLED); LLM_WAIT_NONE
 * when an attempt goes out. @attempt (the attempt to come) counts from 1.
 * A stream's silence: LLM_WAIT_STALLED once, @delay_ms the silence so far
 * (the silence began @delay_ms ago) and @attempt the one in flight; when
 * data comes again LLM_WAIT_NONE with @delay_ms how long ago the attempt
 * went out. */
typedef void llm_wait_fn(struct llm_call *call, enum llm_wait what,
    int attempt, int64_t delay_ms, const char *why);

struct llm_call {
	struct provider *provider;
	void *owner;			/* the engine's run */
	llm_done_fn *done;
	llm_delta_fn *delta;		/* may be NULL */
	llm_wait_fn *wait;		/* may be NULL */
	int64_t tokens_estimate;	/* the engine's estimate of tokens in */
	int64_t timeout_ms;		/* per attempt; 0: the endpoint's */
	struct timer timer;		/* for the provider's use */
	void *impl;			/* for the provider's use */
	int64_t started;		/* mono ms */
	char span[24];			/* the engine's span id */
	char model[96];			/* the engine's "provider:model" */
	const char *tier;		/* the engine's: "routing", "reasoning" or NULL */
	/* set by the provider before done(): */
	int attempts;			/* HTTP attempts made (0 for sim, cache) */
	const char *cache;		/* "hit", "miss" or NULL (no cache) */
	bool streamed;			/* the answer came as a stream */
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

/* Rough token count of a conversation (reasoning sent back included): 4
 * characters a token. */
int64_t provider_estimate_tokens(const struct json_t *messages,
    const char *system);

/*
 * The sim provider: scenario files in @dir script every turn.
 * Bad files are logged and listed in @errors (array of {file, error}).
 * Scenario files are the *.json files of @dir.
 */
struct provider *sim_provider_create(struct loop *loop, const char *dir,
    struct json_t *errors);

/* What remote providers need from the engine. */
struct provider_host {
	void *arg;
	/* An endpoint's circuit breaker changed state (@why: the last error). */
	void (*breaker_changed)(void *arg, const char *endpoint, int from, int to,
	    const char *why);
	/* The response cache; both NULL when it is off. cache_get returns the
	 * stored reply (JSON text, owned) for @key if its request text equals
	 * @request and it is fresh, else NULL. */
	char *(*cache_get)(void *arg, const char *key, const char *request);
	void (*cache_put)(void *arg, const char *key, const char *request,
	    const char *reply);
};

struct endpoint_config;
struct http_client;

/*
 * A provider that speaks to one HTTP endpoint (OpenAI-compatible or
 * Anthropic, after cfg->format) through @http: rate limits, retries with
 * backoff, a circuit breaker, streaming, the response cache. Borrows @cfg,
 * @http and @host for its whole life.
 */
struct provider *remote_provider_create(struct loop *loop,
    struct http_client *http, struct endpoint_config *cfg,
    const struct provider_host *host);
/* The endpoint's state for health: a new reference. */
struct json_t *remote_provider_health(struct provider *p);

/* Checks a scenario object as the sim provider would load it. */
int sim_scenario_validate(const struct json_t *root, const char *file,
    char *err, size_t errlen);

#endif
