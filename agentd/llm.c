/*
 * The engine's model providers: which provider serves "provider:model",
 * the remote endpoints and their HTTP client, circuit-breaker events, the
 * response cache in the database, and streamed answer and reasoning text
 * published live (llm.delta, at most 10 times a second per run and once
 * when the attempt ends, never stored).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine_impl.h"
#include "http.h"
#include "log.h"
#include "providers/breaker.h"
#include "providers/provider.h"
#include "secret.h"
#include "store.h"
#include "util.h"

#define STREAM_PUBLISH_MS	100
#define STREAM_TEXT_MAX		(64 * 1024)	/* per llm.delta event */
#define CACHE_TRIM_EVERY_MS	(10 * 60 * 1000)

/* ---- provider host callbacks -------------------------------------------- */

static void
breaker_changed(void *arg, const char *endpoint, int from, int to,
    const char *why)
{
	struct engine *e = arg;

	log_warn("%s: circuit breaker %s -> %s%s%s", endpoint,
	    breaker_state_name((enum breaker_state)from),
	    breaker_state_name((enum breaker_state)to), why ? ": " : "",
	    why ? why : "");
	engine_emit(e, IPC_EV_PROVIDER_BREAKER, NULL, json_pack("{s:s, s:s, s:s,"
	    " s:s?}", "endpoint", endpoint,
	    "from", breaker_state_name((enum breaker_state)from),
	    "to", breaker_state_name((enum breaker_state)to), "reason", why));
}

/* Expired entries go at start and then every CACHE_TRIM_EVERY_MS, with a
 * put (a cache nobody writes to does not grow). */
static void
cache_trim(struct engine *e)
{
	int64_t now = now_ms();

	if (now - e->cache_trimmed_at < CACHE_TRIM_EVERY_MS &&
	    now >= e->cache_trimmed_at)
		return;
	if (store_cache_trim(e->store, now - e->endpoints.cache_ttl_s * 1000) != 0)
		log_warn("response cache: expired entries could not be removed");
	e->cache_trimmed_at = now;
}

static char *
cache_get(void *arg, const char *key, const char *request)
{
	struct engine *e = arg;

	return store_cache_get(e->store, key, request,
	    now_ms() - e->endpoints.cache_ttl_s * 1000);
}

static void
cache_put(void *arg, const char *key, const char *request, const char *reply)
{
	struct engine *e = arg;

	/* into the batch: committed with the events of the same moment */
	if (store_begin(e->store) != 0)
		return;
	store_cache_put(e->store, key, request, now_ms(), reply);
	cache_trim(e);
}

/* ---- setup ------------------------------------------------------------------ */

int
engine_providers_init(struct engine *e, const struct engine_config *cfg,
    char *err, size_t errlen)
{
	struct provider_host host = { .arg = e, .breaker_changed = breaker_changed };
	long max_conns = 0;
	int r;

	if ((r = endpoints_load(cfg->config_path, cfg->config_optional,
	    cfg->envp, &e->endpoints, err, errlen)) != 0)
		return r;
	/* the keys are in their secrets now: the environment's copies go */
	for (size_t i = 0; cfg->wipe_env_keys && i < e->endpoints.n; i++)
		if (e->endpoints.items[i].key_env[0] != '\0')
			secret_wipe_env(cfg->envp, e->endpoints.items[i].key_env,
			    true);
	if (e->endpoints.ignored_env[0] != '\0')
		log_warn("environment: %s: not settings of agentd, ignored "
		    "(docs/providers.md#configuration lists them)",
		    e->endpoints.ignored_env);
	if (e->endpoints.file_read)
		log_info("provider settings: %s, then the environment",
		    cfg->config_path);
	else
		log_info("provider settings: the environment (no %s)",
		    cfg->config_path ? cfg->config_path : "config file");
	if (e->endpoints.cache_ttl_s > 0) {
		host.cache_get = cache_get;
		host.cache_put = cache_put;
		cache_trim(e);
	}
	for (size_t i = 0; i < e->endpoints.n; i++)
		max_conns = MAX(max_conns, e->endpoints.items[i].max_connections);
	e->http = http_client_create(e->loop, max_conns);
	for (size_t i = 0; i < e->endpoints.n; i++) {
		struct endpoint_config *c = &e->endpoints.items[i];
		if ((e->remote[i] = remote_provider_create(e->loop, e->http, c,
		    &host)) == NULL) {
			snprintf(err, errlen, "endpoint %s: cannot set up (format %s)",
			    c->name, c->format);
			return -EINVAL;
		}
		log_info("provider %s: %s (%s format), key %s%s", c->name,
		    c->base_url, c->format, c->key ? "from " : "not set",
		    c->key ? c->key_source : "");
		if (c->thinking_budget > 0)
			log_info("provider %s: extended thinking with up to %lld "
			    "tokens%s", c->name, (long long)c->thinking_budget,
			    strcmp(c->format, "anthropic") == 0 ? "" :
			    " (ignored: the anthropic format only)");
	}
	if (e->endpoints.cache_ttl_s > 0)
		log_info("response cache on: entries live %lld s",
		    (long long)e->endpoints.cache_ttl_s);
	return 0;
}

void
engine_providers_finish(struct engine *e)
{
	for (size_t i = 0; i < ENDPOINTS_MAX; i++) {
		if (e->remote[i] != NULL)
			e->remote[i]->ops->destroy(e->remote[i]);
		e->remote[i] = NULL;
	}
	http_client_destroy(e->http);
	e->http = NULL;
	endpoints_finish(&e->endpoints);
	if (e->loop != NULL)
		loop_timer_cancel(e->loop, &e->stream_timer);
}

struct provider *
engine_provider_for(struct engine *e, const char *model, const char **name)
{
	const char *colon = strchr(model, ':');
	size_t n;

	if (colon == NULL)
		return NULL;
	*name = colon + 1;
	n = (size_t)(colon - model);
	if (n == 3 && strncmp(model, "sim", 3) == 0)
		return e->sim;
	for (size_t i = 0; i < e->endpoints.n; i++) {
		const char *ep = e->endpoints.items[i].name;
		if (strlen(ep) == n && strncmp(model, ep, n) == 0)
			return e->remote[i];
	}
	return NULL;
}

/* "sim, openai, anthropic" */
void
engine_provider_names(struct engine *e, char *out, size_t outlen)
{
	size_t used = (size_t)snprintf(out, outlen, "sim");

	for (size_t i = 0; i < e->endpoints.n && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, ", %s",
		    e->endpoints.items[i].name);
}

json_t *
engine_providers_health(struct engine *e)
{
	json_t *list = json_array();

	json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name", "sim",
	    "format", "sim", "breaker", "closed"));
	for (size_t i = 0; i < e->endpoints.n; i++)
		json_array_append_new(list, remote_provider_health(e->remote[i]));
	return list;
}

/* ---- streamed text ---------------------------------------------------------- */

static void
unlist(struct engine *e, struct run *run)
{
	if (!run->in_streaming)
		return;
	if (run->prev_streaming != NULL)
		run->prev_streaming->next_streaming = run->next_streaming;
	else
		e->streaming = run->next_streaming;
	if (run->next_streaming != NULL)
		run->next_streaming->prev_streaming = run->prev_streaming;
	run->prev_streaming = run->next_streaming = NULL;
	run->in_streaming = false;
}

/* Publishes the run's pending text as one llm.delta (all of one kind).
 * @now: at once, before the events not yet committed (the text arrived
 * before them); else after them, as engine_publish_ephemeral does. */
static void
publish_one(struct engine *e, struct run *run, bool now)
{
	json_t *body;

	if (run->streamed_len == 0 || run->llm == NULL)
		return;
	body = json_pack("{s:s, s:s%, s:I}", "span", run->llm->span,
	    "text", run->streamed, run->streamed_len,
	    "total_bytes", (json_int_t)(run->streamed_reasoning ?
	    run->streamed_reasoning_total : run->streamed_total));
	if (body != NULL && run->streamed_reasoning)
		json_object_set_new(body, "reasoning", json_true());
	if (body != NULL && now)
		engine_publish_ephemeral_now(e, IPC_EV_LLM_DELTA, run->id, body);
	else if (body != NULL)
		engine_publish_ephemeral(e, IPC_EV_LLM_DELTA, run->id, body);
	run->streamed_len = 0;
}

static void
publish_streamed(struct timer *t, void *arg)
{
	struct engine *e = arg;
	struct run *run;

	(void)t;
	while ((run = e->streaming) != NULL) {
		unlist(e, run);
		publish_one(e, run, false);
	}
}

void
engine_stream_add(struct engine *e, struct run *run, const char *text,
    size_t len, bool reasoning)
{
	size_t room;

	/* one event holds one kind: what is pending goes first */
	if (run->streamed_len > 0 && run->streamed_reasoning != reasoning)
		publish_one(e, run, true);
	run->streamed_reasoning = reasoning;
	if (reasoning)
		run->streamed_reasoning_total += len;
	else
		run->streamed_total += len;
	room = STREAM_TEXT_MAX - run->streamed_len;
	if (len > room) {
		/* not in the middle of a character */
		len = room;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	if (len > 0) {
		run->streamed = xrealloc(run->streamed, run->streamed_len + len + 1);
		memcpy(run->streamed + run->streamed_len, text, len);
		run->streamed_len += len;
		run->streamed[run->streamed_len] = '\0';
	}
	if (!run->in_streaming) {
		run->in_streaming = true;
		run->prev_streaming = NULL;
		run->next_streaming = e->streaming;
		if (e->streaming != NULL)
			e->streaming->prev_streaming = run;
		e->streaming = run;
	}
	if (!loop_timer_armed(&e->stream_timer))
		loop_timer_arm(e->loop, &e->stream_timer, STREAM_PUBLISH_MS,
		    publish_streamed, e);
}

void
engine_stream_end(struct engine *e, struct run *run)
{
	/* the last text that arrived (up to 100 ms of it) is published
	 * before the span.end, llm.retry or run.state that ends the attempt */
	publish_one(e, run, true);
	unlist(e, run);
	free(run->streamed);
	run->streamed = NULL;
	run->streamed_len = 0;
	run->streamed_reasoning = false;
	run->streamed_total = 0;
	run->streamed_reasoning_total = 0;
}
