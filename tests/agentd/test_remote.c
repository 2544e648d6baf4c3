/*
 * providers/remote.c against the fake provider (tests/fake_provider):
 * streams, retries, the circuit breaker, the rate-limit queue, the
 * response cache, cancel, and keys kept out of errors. Both wire formats
 * where the format matters.
 */
#include "t.h"
#include "canned_server.h"
#include "fake_server.h"
#include "http.h"
#include "loop.h"
#include "providers/breaker.h"
#include "providers/endpoints.h"
#include "providers/provider.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>

#define OPENAI_KEY "sk-unit-0123456789abcdefghij"
#define ANTHROPIC_KEY "sk-ant-unit-0123456789abcdefghij"
#define WRONG_KEY "sk-wrong-ZYXWVUTSRQPONMLKJIHGFEDCBA"
#define TURN0_TEXT "The customer asks for a refund; let me check the policy."

static const char *const formats[] = { "openai", "anthropic" };

/* ---- a call and what came back to it -------------------------------------- */

struct wait_rec {
	enum llm_wait what;
	int attempt;
	int64_t delay;
	char why[300];
	int64_t at;			/* mono ms */
};

struct rcall {
	struct llm_call call;		/* first: callbacks cast back */
	int dones;
	int status;
	char error[512];
	bool had_error;
	char *text;
	json_t *tool_calls;
	int64_t tokens_in, tokens_out;
	char stop_reason[32];
	int64_t done_at;
	char deltas[4096];
	size_t n_deltas;
	char reasoning_deltas[4096];
	char *reasoning;
	int64_t reasoning_tokens;
	json_t *send_back;
	struct wait_rec waits[16];
	int n_waits;
};

static void
on_done(struct llm_call *call, int status, struct llm_reply *reply,
    const char *error)
{
	struct rcall *rc = (struct rcall *)call;

	rc->dones++;
	rc->status = status;
	rc->had_error = error != NULL;
	copy_str(rc->error, sizeof(rc->error), error ? error : "");
	rc->done_at = mono_ms();
	if (reply != NULL) {
		rc->text = reply->text;		/* taken */
		reply->text = NULL;
		rc->tool_calls = reply->tool_calls;
		reply->tool_calls = NULL;
		rc->reasoning = reply->reasoning;
		reply->reasoning = NULL;
		rc->send_back = reply->send_back;
		reply->send_back = NULL;
		rc->reasoning_tokens = reply->reasoning_tokens;
		rc->tokens_in = reply->tokens_in;
		rc->tokens_out = reply->tokens_out;
		copy_str(rc->stop_reason, sizeof(rc->stop_reason),
		    reply->stop_reason);
	}
}

static void
on_delta(struct llm_call *call, const char *text, size_t len,
    bool reasoning)
{
	struct rcall *rc = (struct rcall *)call;
	char *buf = reasoning ? rc->reasoning_deltas : rc->deltas;
	size_t have = strlen(buf);

	if (!reasoning)
		rc->n_deltas++;
	if (have + len < sizeof(rc->deltas)) {
		memcpy(buf + have, text, len);
		buf[have + len] = '\0';
	}
}

static void
on_wait(struct llm_call *call, enum llm_wait what, int attempt,
    int64_t delay_ms, const char *why)
{
	struct rcall *rc = (struct rcall *)call;
	struct wait_rec *w;

	if (rc->n_waits == (int)(sizeof(rc->waits) / sizeof(rc->waits[0])))
		return;
	w = &rc->waits[rc->n_waits++];
	*w = (struct wait_rec){ .what = what, .attempt = attempt,
	    .delay = delay_ms, .at = mono_ms() };
	copy_str(w->why, sizeof(w->why), why ? why : "(null)");
}

static void
rcall_finish(struct rcall *rc)
{
	free(rc->text);
	free(rc->reasoning);
	json_decref(rc->tool_calls);
	json_decref(rc->send_back);
	memset(rc, 0, sizeof(*rc));
}

/* ---- one endpoint, its provider, and a host that records ------------------- */

struct change {
	int from, to;
	char why[300];
	int64_t at;
};

struct env {
	struct endpoints eps;
	struct endpoint_config *cfg;
	struct loop *loop;
	struct http_client *http;
	struct provider *p;
	json_t *messages, *tools;
	struct llm_request req;
	/* the host */
	struct change changes[8];
	int n_changes;
	char *cache_reply;		/* what cache_get hands out (a copy) */
	int gets, puts;
	char *get_key, *get_request;
	char *put_key, *put_request, *put_reply;
};

static struct env E;

static void
host_breaker_changed(void *arg, const char *endpoint, int from, int to,
    const char *why)
{
	struct env *e = arg;
	struct change *c;

	if (e->n_changes == (int)(sizeof(e->changes) / sizeof(e->changes[0])))
		return;
	c = &e->changes[e->n_changes++];
	*c = (struct change){ .from = from, .to = to, .at = mono_ms() };
	copy_str(c->why, sizeof(c->why), why ? why : "(null)");
	if (strcmp(endpoint, e->cfg->name) != 0)
		T_DIAG("breaker_changed for \"%s\"", endpoint);
}

static char *
host_cache_get(void *arg, const char *key, const char *request)
{
	struct env *e = arg;

	e->gets++;
	free(e->get_key);
	free(e->get_request);
	e->get_key = xstrdup(key);
	e->get_request = xstrdup(request);
	return e->cache_reply ? xstrdup(e->cache_reply) : NULL;
}

static void
host_cache_put(void *arg, const char *key, const char *request,
    const char *reply)
{
	struct env *e = arg;

	e->puts++;
	free(e->put_key);
	free(e->put_request);
	free(e->put_reply);
	e->put_key = xstrdup(key);
	e->put_request = xstrdup(request);
	e->put_reply = xstrdup(reply);
}

/* Sets up @format's endpoint against the fake with the settings in @extra
 * ("NAME=value" without the endpoint prefix, NULL-terminated; NULL: none).
 * @key NULL: the key the fake accepts. */
static int
env_open(const char *format, const char *const *extra, bool cache,
    const char *key)
{
	bool anthropic = strcmp(format, "anthropic") == 0;
	const char *upper = anthropic ? "ANTHROPIC" : "OPENAI";
	char vars[16][200], *envp[17], err[300];
	size_t n = 0;
	bool timeout_set = false, url_set = false;
	int r;

	memset(&E, 0, sizeof(E));
	if (fake_start(OPENAI_KEY, ANTHROPIC_KEY) != 0 || fake_reset() != 0) {
		T_DIAG("the fake provider is not running");
		return -1;
	}
	snprintf(vars[n++], sizeof(vars[0]), "%s_API_KEY=%s", upper,
	    key ? key : anthropic ? ANTHROPIC_KEY : OPENAI_KEY);
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 14; i++) {
		snprintf(vars[n++], sizeof(vars[0]), "%s_%s", upper, extra[i]);
		timeout_set |= strncmp(extra[i], "TIMEOUT_MS=", 11) == 0;
		url_set |= strncmp(extra[i], "BASE_URL=", 9) == 0;
	}
	if (!url_set)
		snprintf(vars[n++], sizeof(vars[0]), "%s_BASE_URL=%s%s", upper,
		    fake.url, anthropic ? "" : "/v1");
	/* a hang ends a call only in the test that wants it to */
	if (!timeout_set)
		snprintf(vars[n++], sizeof(vars[0]), "%s_TIMEOUT_MS=20000", upper);
	for (size_t i = 0; i < n; i++)
		envp[i] = vars[i];
	envp[n] = NULL;
	if ((r = endpoints_parse("", 0, "unit", envp, &E.eps, err,
	    sizeof(err))) != 0) {
		T_DIAG("endpoints_parse: %s", err);
		return -1;
	}
	E.cfg = (struct endpoint_config *)endpoints_find(&E.eps, format);
	E.loop = loop_create();
	E.http = http_client_create(E.loop, E.cfg->max_connections);
	{
		struct provider_host host = { .arg = &E,
		    .breaker_changed = host_breaker_changed,
		    .cache_get = cache ? host_cache_get : NULL,
		    .cache_put = cache ? host_cache_put : NULL };
		E.p = remote_provider_create(E.loop, E.http, E.cfg, &host);
	}
	if (E.p == NULL) {
		T_DIAG("remote_provider_create failed");
		return -1;
	}
	E.messages = json_pack("[{s:s, s:s}]", "role", "user", "content",
	    "I want a refund for order 1234");
	E.tools = json_pack("[{s:s, s:s, s:{s:s, s:{s:{s:s}, s:{s:s}}}}]",
	    "name", "kb_search", "description", "Search the knowledge base",
	    "input_schema", "type", "object", "properties", "query", "type",
	    "string", "limit", "type", "integer");
	E.req = (struct llm_request){ .model = "support-triage",
	    .system = "You triage support tickets.", .messages = E.messages,
	    .tools = E.tools, .max_tokens = 256 };
	return 0;
}

static void
env_close(void)
{
	if (E.p != NULL)
		E.p->ops->destroy(E.p);
	http_client_destroy(E.http);
	loop_destroy(E.loop);
	endpoints_finish(&E.eps);
	json_decref(E.messages);
	json_decref(E.tools);
	free(E.cache_reply);
	free(E.get_key);
	free(E.get_request);
	free(E.put_key);
	free(E.put_request);
	free(E.put_reply);
	memset(&E, 0, sizeof(E));
}

static int
call_start(struct rcall *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->call.provider = E.p;
	rc->call.done = on_done;
	rc->call.delta = on_delta;
	rc->call.wait = on_wait;
	rc->call.tokens_estimate = 100;
	return E.p->ops->start(E.p, &rc->call, &E.req);
}

/* One pass of the loop: the calls just started make their first attempt
 * (never from inside start()). */
static void
first_attempts(void)
{
	loop_run_once(E.loop, 0);
}

/* Runs the loop until @rc is done; false after the deadline. */
static bool
wait_done(struct rcall *rc)
{
	int64_t end = mono_ms() + FAKE_DEADLINE_MS;

	while (rc->dones == 0 && mono_ms() < end)
		loop_run_once(E.loop, 50);
	return rc->dones != 0;
}

static void
run_for(int64_t ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end)
		loop_run_once(E.loop, (int)MAX(end - mono_ms(), 0));
}

/* Runs the loop until the fake has seen @n API requests. */
static bool
wait_requests(long long n)
{
	int64_t end = mono_ms() + FAKE_DEADLINE_MS;

	while (mono_ms() < end) {
		if (fake_stat("requests") >= n)
			return true;
		run_for(20);
	}
	return false;
}

/* Turn 0 of support-triage as the reply's tool_calls. */
static json_t *
turn0_calls(const char *format)
{
	return json_pack("[{s:s, s:s, s:{s:s, s:i}}]", "id",
	    strcmp(format, "anthropic") == 0 ? "toolu_0_0" : "call_0_0",
	    "name", "kb_search", "arguments", "query", "refund policy",
	    "limit", 3);
}

static void
check_turn0(const struct rcall *rc, const char *format)
{
	json_t *want = turn0_calls(format);

	is_int(rc->dones, 1);
	is_int(rc->status, 0);
	ok(!rc->had_error);
	if (!json_equal(rc->tool_calls, want)) {
		char *got = rc->tool_calls ? json_dumps(rc->tool_calls,
		    JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		T_DIAG("tool_calls are %s", got ? got : "(null)");
		free(got);
	}
	is_str(rc->text, TURN0_TEXT);
	is_int(rc->tokens_in, 900);
	is_int(rc->tokens_out, 60);
	is_str(rc->stop_reason, "tool_use");
	json_decref(want);
}

/* A string value of the provider's health. */
static void
health_str(const char *name, char *out, size_t outlen)
{
	json_t *h = remote_provider_health(E.p);
	const char *v = json_string_value(json_object_get(h, name));

	copy_str(out, outlen, v ? v : "(null)");
	json_decref(h);
}

static long long
health_int(const char *name)
{
	json_t *h = remote_provider_health(E.p);
	long long v = json_integer_value(json_object_get(h, name));

	json_decref(h);
	return v;
}

static bool
is_wait(const struct wait_rec *w, enum llm_wait what, int attempt)
{
	if (w->what == what && w->attempt == attempt)
		return true;
	T_DIAG("wait is (%d, attempt %d), want (%d, attempt %d)", (int)w->what,
	    w->attempt, (int)what, attempt);
	return false;
}

/* ---- answers ---------------------------------------------------------------- */

static void
streamed_tool_call(void)
{
	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;
		json_t *log, *body, *h;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], NULL, false, NULL) != 0);
		is_int(call_start(&rc), 0);
		is_int(rc.dones, 0);		/* never from inside start() */
		ok(wait_done(&rc));
		check_turn0(&rc, formats[f]);
		ok(rc.call.streamed);
		is_int(rc.call.attempts, 1);
		is_str(rc.call.cache, NULL);
		/* the fake sends text 4 characters at a time */
		is_str(rc.deltas, TURN0_TEXT);
		ok(rc.n_deltas > 1);
		is_int(rc.n_waits, 1);
		is_wait(&rc.waits[0], LLM_WAIT_NONE, 1);
		ok(rc.call.impl == NULL);

		log = fake_requests();
		is_int(json_array_size(log), 1);
		body = json_object_get(json_array_get(log, 0), "body");
		h = json_object_get(json_array_get(log, 0), "headers");
		ok(json_is_true(json_object_get(body, "stream")));
		is_str(json_string_value(json_object_get(body, "model")),
		    "support-triage");
		if (f == 0) {
			ok(json_is_true(json_object_get(json_object_get(body,
			    "stream_options"), "include_usage")));
			is_str(json_string_value(json_object_get(h,
			    "authorization")), "Bearer " OPENAI_KEY);
		} else {
			is_str(json_string_value(json_object_get(h, "x-api-key")),
			    ANTHROPIC_KEY);
			is_str(json_string_value(json_object_get(h,
			    "anthropic-version")), "2023-06-01");
		}
		json_decref(log);
		is_int(health_int("requests"), 1);
		is_int(health_int("in_flight"), 0);
		{
			json_t *health = remote_provider_health(E.p);
			ok(json_is_null(json_object_get(health, "last_error")));
			ok(json_is_null(json_object_get(health,
			    "last_error_ms")));
			json_decref(health);
		}
		rcall_finish(&rc);
		env_close();
	}
}

static void
whole_body_tool_call(void)
{
	static const char *const extra[] = { "STREAM=0", NULL };

	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;
		json_t *log;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], extra, false, NULL) != 0);
		is_int(call_start(&rc), 0);
		ok(wait_done(&rc));
		check_turn0(&rc, formats[f]);
		ok(!rc.call.streamed);
		is_int(rc.call.attempts, 1);
		is_int(rc.n_deltas, 0);
		log = fake_requests();
		is_int(json_array_size(log), 1);
		ok(!json_is_true(json_object_get(json_object_get(json_array_get(log,
		    0), "body"), "stream")));
		json_decref(log);
		rcall_finish(&rc);
		env_close();
	}
}

/* A stream cut in the middle is retried; the retry is announced before
 * the second attempt's text. */
static void
cut_stream_is_retried(void)
{
	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], NULL, false, NULL) != 0);
		t_bail_if(fake_faults("[{\"kind\":\"cut\",\"after_events\":3}]") != 0);
		is_int(call_start(&rc), 0);
		ok(wait_done(&rc));
		check_turn0(&rc, formats[f]);
		is_int(rc.call.attempts, 2);
		ok(rc.call.streamed);
		is_int(rc.n_waits, 3);
		is_wait(&rc.waits[0], LLM_WAIT_NONE, 1);
		is_wait(&rc.waits[1], LLM_WAIT_RETRY, 2);
		is_wait(&rc.waits[2], LLM_WAIT_NONE, 2);
		/* what attempt 1 streamed, then all of attempt 2's */
		ok(strlen(rc.deltas) >= strlen(TURN0_TEXT));
		ok(strlen(rc.deltas) >= strlen(TURN0_TEXT) && strcmp(rc.deltas +
		    strlen(rc.deltas) - strlen(TURN0_TEXT), TURN0_TEXT) == 0);
		is_int(fake_stat("requests"), 2);
		rcall_finish(&rc);
		env_close();
	}
}

/* ---- retries -------------------------------------------------------------- */

static void
retry_after_429(void)
{
	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], NULL, false, NULL) != 0);
		t_bail_if(fake_faults("[{\"status\":429,\"retry_after\":\"1\"}]") != 0);
		is_int(call_start(&rc), 0);
		ok(wait_done(&rc));
		check_turn0(&rc, formats[f]);
		is_int(rc.call.attempts, 2);
		is_int(rc.n_waits, 3);
		t_bail_if(rc.n_waits < 3);
		is_wait(&rc.waits[0], LLM_WAIT_NONE, 1);
		is_wait(&rc.waits[1], LLM_WAIT_RETRY, 2);
		is_int(rc.waits[1].delay, 1000);
		has_str(rc.waits[1].why, "HTTP 429");
		is_wait(&rc.waits[2], LLM_WAIT_NONE, 2);
		/* the pause is at least what the endpoint asked for */
		ok(rc.waits[2].at - rc.waits[1].at >= 900);
		is_int(fake_stat("requests"), 2);
		is_int(health_int("retries"), 1);
		/* rate limiting says nothing about the endpoint's health */
		is_int(E.n_changes, 0);
		is_int(health_int("consecutive_failures"), 0);
		rcall_finish(&rc);
		env_close();
	}
}

static void
retry_after_500(void)
{
	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], NULL, false, NULL) != 0);
		t_bail_if(fake_faults("[{\"status\":500}]") != 0);
		is_int(call_start(&rc), 0);
		ok(wait_done(&rc));
		check_turn0(&rc, formats[f]);
		is_int(rc.call.attempts, 2);
		t_bail_if(rc.n_waits != 3);
		is_wait(&rc.waits[1], LLM_WAIT_RETRY, 2);
		/* exponential backoff, attempt 1: 500 ms with jitter [d/2, d] */
		ok(rc.waits[1].delay >= 250 && rc.waits[1].delay <= 500);
		has_str(rc.waits[1].why, "HTTP 500");
		ok(rc.waits[2].at - rc.waits[1].at >= rc.waits[1].delay - 5);
		is_int(fake_stat("requests"), 2);
		is_int(E.n_changes, 0);		/* 1 failure of 5 */
		rcall_finish(&rc);
		env_close();
	}
}

static void
timeout_is_retried(void)
{
	static const char *const extra[] = { "TIMEOUT_MS=800", NULL };
	struct rcall rc;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"kind\":\"hang\"}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_int(rc.call.attempts, 2);
	t_bail_if(rc.n_waits != 3);
	is_wait(&rc.waits[1], LLM_WAIT_RETRY, 2);
	has_str(rc.waits[1].why, "no complete response within 800 ms");
	ok(rc.waits[1].at - rc.waits[0].at >= 750);
	rcall_finish(&rc);
	env_close();
}

/* A stream that goes silent: the run is told once (stalled, since the
 * last data), the attempt ends after the idle timeout as a server-health
 * failure (the breaker counts it) and the retry answers. */
static void
silent_stream_is_retried(void)
{
	static const char *const extra[] = { "IDLE_TIMEOUT_MS=800",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=100", NULL };
	struct rcall rc;
	char last[300];

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"kind\":\"stall\",\"after_events\":3}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_int(rc.call.attempts, 2);
	t_bail_if(rc.n_waits < 4);
	is_wait(&rc.waits[0], LLM_WAIT_NONE, 1);
	/* half the idle timeout: stalled, once, on the attempt in flight */
	is_wait(&rc.waits[1], LLM_WAIT_STALLED, 1);
	ok(rc.waits[1].delay >= 400);
	is_str(rc.waits[1].why, "openai");
	is_wait(&rc.waits[2], LLM_WAIT_RETRY, 2);
	is_str(rc.waits[2].why, "no data for 800 ms in the stream");
	is_wait(&rc.waits[rc.n_waits - 1], LLM_WAIT_NONE, 2);
	for (int i = 3; i < rc.n_waits - 1; i++)
		ok(rc.waits[i].what == LLM_WAIT_BREAKER);
	/* counted by the breaker as a timeout is */
	t_bail_if(E.n_changes < 1);
	is_int(E.changes[0].to, BREAKER_OPEN);
	is_str(E.changes[0].why, "no data for 800 ms in the stream");
	health_str("last_error", last, sizeof(last));
	is_str(last, "no data for 800 ms in the stream");
	rcall_finish(&rc);
	is_int(fake_stat("requests"), 2);
	env_close();
}

/* The first wait of @what on attempt 1 at or after @from; -1: none. */
static int
find_wait(const struct rcall *rc, int from, enum llm_wait what)
{
	for (int i = from; i < rc->n_waits; i++)
		if (rc->waits[i].what == what && rc->waits[i].attempt == 1)
			return i;
	return -1;
}

/* A pause shorter than the idle timeout: stalled, then back to the model
 * (since the attempt went out), and the answer is whole. The stall notice
 * comes after min(5 s, idle/2) of silence, so the pause is twice that and
 * half the idle timeout: a late wake-up on a busy machine neither misses
 * the notice nor ends the stream. The order of the waits is checked, not
 * their number. */
static void
stream_pause_shows_and_ends(void)
{
	static const char *const extra[] = { "IDLE_TIMEOUT_MS=20000", NULL };
	const int64_t pause_ms = 10000;
	struct rcall rc;
	char faults[100];
	int model, stalled, back;

	t_bail_if(env_open("anthropic", extra, false, NULL) != 0);
	snprintf(faults, sizeof(faults), "[{\"kind\":\"stall\","
	    "\"after_events\":4,\"stall_ms\":%lld}]", (long long)pause_ms);
	t_bail_if(fake_faults(faults) != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "anthropic");
	is_str(rc.deltas, TURN0_TEXT);
	is_int(rc.call.attempts, 1);
	/* one attempt: waits on the model or the stall, never a retry */
	for (int i = 0; i < rc.n_waits; i++) {
		const struct wait_rec *w = &rc.waits[i];

		if (w->attempt != 1 || (w->what != LLM_WAIT_NONE &&
		    w->what != LLM_WAIT_STALLED))
			T_DIAG("wait %d is (%d, attempt %d), want the model or "
			    "the stall on attempt 1", i, (int)w->what,
			    w->attempt);
	}
	/* model, then stalled, then the model again */
	model = find_wait(&rc, 0, LLM_WAIT_NONE);
	stalled = model < 0 ? -1 : find_wait(&rc, model + 1, LLM_WAIT_STALLED);
	back = stalled < 0 ? -1 : find_wait(&rc, stalled + 1, LLM_WAIT_NONE);
	if (model < 0 || stalled < 0 || back < 0)
		T_DIAG("waits: model at %d, stalled at %d, model again at %d "
		    "(of %d)", model, stalled, back, rc.n_waits);
	t_bail_if(back < 0);
	is_int(model, 0);
	/* the notice's delay is the silence so far: at least min(5 s, idle/2) */
	ok(rc.waits[stalled].delay >= 5000);
	is_str(rc.waits[stalled].why, "anthropic");
	/* back to the model: counted since the attempt went out, so it holds
	 * the whole pause, not the time since the notice or since the data
	 * came back */
	ok(rc.waits[back].delay >= pause_ms);
	ok(rc.waits[back].delay >= rc.waits[stalled].delay);
	is_int(health_int("retries"), 0);
	rcall_finish(&rc);
	env_close();
}

/* A stream that keeps sending is not cut by the per-attempt timeout: that
 * bounds the wait for its head. */
static void
slow_stream_outlives_timeout(void)
{
	static const char *const extra[] = { "TIMEOUT_MS=800",
	    "IDLE_TIMEOUT_MS=5000", NULL };
	struct rcall rc;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"kind\":\"slow\",\"latency_ms\":0,"
	    "\"stream_ms\":2000}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_int(rc.call.attempts, 1);
	ok(rc.done_at - rc.waits[0].at >= 1500);
	is_int(rc.n_waits, 1);
	rcall_finish(&rc);
	env_close();
}

/* Anthropic's base URL given with "/v1" (as OpenAI's is): the 404 says
 * which URL it was, and is not retried. */
static void
not_found_names_the_url(void)
{
	char url[200], want[300];
	const char *extra[] = { url, NULL };
	struct rcall rc;

	t_bail_if(fake_start(OPENAI_KEY, ANTHROPIC_KEY) != 0);
	snprintf(url, sizeof(url), "BASE_URL=%s/v1", fake.url);
	t_bail_if(env_open("anthropic", extra, false, NULL) != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_int(rc.status, -EINVAL);
	snprintf(want, sizeof(want), "HTTP 404 from %s/v1/v1/messages: Not Found",
	    fake.url);
	is_str(rc.error, want);
	is_int(rc.call.attempts, 1);
	rcall_finish(&rc);
	env_close();
}

static void
no_retry_on_400(void)
{
	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], NULL, false, NULL) != 0);
		t_bail_if(fake_faults("[{\"status\":400}]") != 0);
		is_int(call_start(&rc), 0);
		ok(wait_done(&rc));
		is_int(rc.dones, 1);
		is_int(rc.status, -EINVAL);
		has_str(rc.error, "HTTP 400");
		ok(rc.text == NULL && rc.tool_calls == NULL);
		is_int(rc.call.attempts, 1);
		is_int(rc.n_waits, 1);
		run_for(100);
		is_int(fake_stat("requests"), 1);
		is_int(rc.dones, 1);
		/* the endpoint answered: no mark against it */
		is_int(E.n_changes, 0);
		is_int(health_int("consecutive_failures"), 0);
		is_int(health_int("failures"), 1);
		rcall_finish(&rc);
		env_close();
	}
}

static void
gives_up_after_max_attempts(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=3", NULL };
	struct rcall rc;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":500},{\"status\":503},"
	    "{\"status\":500},{\"status\":500}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_int(rc.dones, 1);
	is_int(rc.status, -EAGAIN);
	has_str(rc.error, "openai: gave up after 3 attempts; last: HTTP 500");
	is_int(rc.call.attempts, 3);
	is_int(rc.n_waits, 5);		/* NONE RETRY NONE RETRY NONE */
	is_int(fake_stat("requests"), 3);
	rcall_finish(&rc);
	env_close();
}

/* ---- the circuit breaker ---------------------------------------------------- */

static void
breaker_opens_and_recovers(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=2",
	    "BREAKER_FAILURES=2", "BREAKER_COOLDOWN_MS=300", NULL };
	struct rcall rc;
	char state[32];

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":500},{\"status\":503}]") != 0);

	/* two failures in a row open it (two different answers: the same
	 * answer again would be evidence against the request) */
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_int(rc.status, -EAGAIN);
	has_str(rc.error, "gave up after 2 attempts");
	is_int(E.n_changes, 1);
	t_bail_if(E.n_changes != 1);
	is_int(E.changes[0].from, BREAKER_CLOSED);
	is_int(E.changes[0].to, BREAKER_OPEN);
	has_str(E.changes[0].why, "HTTP 503");
	health_str("breaker", state, sizeof(state));
	is_str(state, "open");
	rcall_finish(&rc);

	/* a call now waits for the cooldown, then goes as the probe: its
	 * first attempt, as waiting used none */
	is_int(call_start(&rc), 0);
	is_int(rc.n_waits, 0);		/* nothing from inside start() */
	first_attempts();
	t_bail_if(rc.n_waits < 1);
	is_wait(&rc.waits[0], LLM_WAIT_BREAKER, 1);
	is_str(rc.waits[0].why, "openai");
	ok(rc.waits[0].delay > 0 && rc.waits[0].delay <= 300);
	is_int(fake_stat("requests"), 2);	/* nothing went out */
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_int(rc.call.attempts, 1);
	is_int(rc.n_waits, 2);
	is_wait(&rc.waits[1], LLM_WAIT_NONE, 1);
	is_int(E.n_changes, 3);
	t_bail_if(E.n_changes != 3);
	is_int(E.changes[1].from, BREAKER_OPEN);
	is_int(E.changes[1].to, BREAKER_HALF_OPEN);
	is_str(E.changes[1].why, "cooldown over: one probe call");
	ok(E.changes[1].at - E.changes[0].at >= 290);
	is_int(E.changes[2].from, BREAKER_HALF_OPEN);
	is_int(E.changes[2].to, BREAKER_CLOSED);
	health_str("breaker", state, sizeof(state));
	is_str(state, "closed");
	is_int(fake_stat("requests"), 3);
	rcall_finish(&rc);
	env_close();
}

/* A call the open breaker holds back waits for the cooldown without using
 * an attempt: with one attempt each, calls started while it is open all
 * succeed once the probe has (they used to fail, "circuit breaker open"). */
static void
open_breaker_waits(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=1",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=600", NULL };
	struct rcall first, rc[3];
	int64_t end;
	int done;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":503}]") != 0);
	is_int(call_start(&first), 0);
	ok(wait_done(&first));
	is_str(first.error, "openai: gave up after 1 attempts; last: HTTP 503: "
	    "The server is overloaded or not ready yet.");
	t_bail_if(E.n_changes != 1);
	rcall_finish(&first);
	for (int i = 0; i < 3; i++)
		is_int(call_start(&rc[i]), 0);
	run_for(300);
	for (int i = 0; i < 3; i++) {
		is_int(rc[i].dones, 0);
		is_int(rc[i].n_waits, 1);	/* told once, however often it looks */
		is_wait(&rc[i].waits[0], LLM_WAIT_BREAKER, 1);
		is_str(rc[i].waits[0].why, "openai");
		ok(rc[i].waits[0].delay > 0 && rc[i].waits[0].delay <= 600);
	}
	is_int(fake_stat("requests"), 1);	/* nothing went out */
	end = mono_ms() + FAKE_DEADLINE_MS;
	do {
		loop_run_once(E.loop, 50);
		done = 0;
		for (int i = 0; i < 3; i++)
			done += rc[i].dones;
	} while (done < 3 && mono_ms() < end);
	for (int i = 0; i < 3; i++) {
		check_turn0(&rc[i], "openai");
		is_int(rc[i].call.attempts, 1);
		ok(rc[i].done_at - E.changes[0].at >= 590);
		is_wait(&rc[i].waits[rc[i].n_waits - 1], LLM_WAIT_NONE, 1);
		rcall_finish(&rc[i]);
	}
	is_int(fake_stat("requests"), 4);
	is_int(E.n_changes, 3);		/* open, half_open, closed */
	env_close();
}

/* A probe that fails opens the breaker again: the probe's call has used its
 * attempt, the others go on waiting for the next cooldown, with theirs. */
static void
failed_probe_others_wait(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=1",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=300", NULL };
	struct rcall first, b, c, *probe, *other;
	int64_t end;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":500},{\"status\":500}]") != 0);
	is_int(call_start(&first), 0);
	ok(wait_done(&first));
	rcall_finish(&first);
	is_int(call_start(&b), 0);
	is_int(call_start(&c), 0);
	end = mono_ms() + FAKE_DEADLINE_MS;
	while ((b.dones == 0 || c.dones == 0) && mono_ms() < end)
		loop_run_once(E.loop, 50);
	probe = b.status != 0 ? &b : &c;
	other = probe == &b ? &c : &b;
	is_str(probe->error, "openai: gave up after 1 attempts; last: HTTP 500: "
	    "The server had an error while processing your request. Sorry "
	    "about that!");
	check_turn0(other, "openai");
	is_int(other->call.attempts, 1);
	ok(other->done_at > probe->done_at);
	is_int(fake_stat("requests"), 3);
	is_int(E.n_changes, 5);		/* open, half_open, open, half_open, closed */
	rcall_finish(&b);
	rcall_finish(&c);
	env_close();
}

/* Cancelling a call that waits for the breaker (kill, pause, the run's
 * wall time) ends the wait at once: nothing goes out after the cooldown. */
static void
cancel_ends_breaker_wait(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=1",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=300", NULL };
	struct rcall rc;
	char state[32];

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":500}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	rcall_finish(&rc);
	is_int(call_start(&rc), 0);
	run_for(100);
	t_bail_if(rc.n_waits != 1);
	is_wait(&rc.waits[0], LLM_WAIT_BREAKER, 1);
	E.p->ops->cancel(E.p, &rc.call);
	ok(rc.call.impl == NULL);
	run_for(500);
	is_int(rc.dones, 0);
	is_int(rc.n_waits, 1);
	is_int(fake_stat("requests"), 1);
	health_str("breaker", state, sizeof(state));
	is_str(state, "open");		/* no probe went */
	rcall_finish(&rc);
	env_close();
}

/* A cooldown longer than a call may wait (10 min) ends the call at once,
 * saying how long the breaker stays open, not as if asked to wait. */
static void
long_cooldown_fails_at_once(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=3",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=3600000", NULL };
	struct rcall rc;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":503}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_int(rc.status, -EAGAIN);
	is_str(rc.error, "circuit breaker open for openai for 3600 s more (HTTP "
	    "503: The server is overloaded or not ready yet.)");
	is_int(rc.call.attempts, 1);	/* the one that went out */
	/* health's last error is the endpoint's, not the breaker's refusal,
	 * and says when */
	{
		char last[300];
		json_t *h = remote_provider_health(E.p);
		json_int_t when = json_integer_value(json_object_get(h,
		    "last_error_ms"));

		health_str("last_error", last, sizeof(last));
		is_str(last, "HTTP 503: The server is overloaded or not ready yet.");
		ok(when > now_ms() - 60000 && when <= now_ms());
		json_decref(h);
	}
	rcall_finish(&rc);
	is_int(fake_stat("requests"), 1);
	env_close();
}

/* While the half-open probe is out, other calls wait for its outcome: they
 * must not use up their attempts on the breaker meanwhile. */
static void
calls_wait_for_the_probe(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=3",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=300", NULL };
	struct rcall a, b;
	char state[32];
	int64_t end;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	/* a: its 500 opens the breaker, its retry is the (slow) probe */
	t_bail_if(fake_faults("[{\"status\":500},"
	    "{\"kind\":\"slow\",\"latency_ms\":1500}]") != 0);
	is_int(call_start(&a), 0);
	ok(wait_requests(2));
	health_str("breaker", state, sizeof(state));
	is_str(state, "half_open");
	is_int(a.dones, 0);
	/* b comes while the probe is out */
	is_int(call_start(&b), 0);
	end = mono_ms() + FAKE_DEADLINE_MS;
	while ((a.dones == 0 || b.dones == 0) && mono_ms() < end)
		loop_run_once(E.loop, 50);
	check_turn0(&a, "openai");
	check_turn0(&b, "openai");
	if (b.status != 0)
		T_DIAG("b: %s", b.error);
	is_int(b.call.attempts, 1);
	ok(b.done_at >= a.done_at);
	/* told once that it waits, then it went */
	is_int(b.n_waits, 2);
	is_wait(&b.waits[0], LLM_WAIT_BREAKER, 1);
	is_int(b.waits[0].delay, -1);
	is_str(b.waits[0].why, "openai");
	is_wait(&b.waits[1], LLM_WAIT_NONE, 1);
	is_int(E.n_changes, 3);
	health_str("breaker", state, sizeof(state));
	is_str(state, "closed");
	is_int(fake_stat("requests"), 3);
	rcall_finish(&a);
	rcall_finish(&b);
	env_close();
}

/* A call allowed while the breaker was closed and cancelled while another
 * call is the half-open probe must not free the probe's slot. */
static void
cancel_keeps_the_probe_slot(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=5",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=300", NULL };
	struct rcall a, b, c;
	char state[32];

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	/* a hangs; b's 500 opens the breaker, b's retry is the probe (hangs) */
	t_bail_if(fake_faults("[{\"kind\":\"hang\"},{\"status\":500},"
	    "{\"kind\":\"hang\"}]") != 0);
	is_int(call_start(&a), 0);
	ok(wait_requests(1));
	is_int(call_start(&b), 0);
	ok(wait_requests(3));
	health_str("breaker", state, sizeof(state));
	is_str(state, "half_open");
	E.p->ops->cancel(E.p, &a.call);
	/* c waits for b's probe instead of going as a second probe */
	is_int(call_start(&c), 0);
	run_for(200);
	t_bail_if(c.n_waits < 1);
	is_wait(&c.waits[0], LLM_WAIT_BREAKER, 1);
	is_int(c.waits[0].delay, -1);
	is_int(fake_stat("requests"), 3);
	E.p->ops->cancel(E.p, &b.call);
	E.p->ops->cancel(E.p, &c.call);
	rcall_finish(&a);
	rcall_finish(&b);
	rcall_finish(&c);
	env_close();
}

/* A call the open breaker holds back sends nothing and takes nothing from
 * the rate limit: it waits on the breaker, not in the rate-limit queue. */
static void
open_breaker_takes_no_rate_limit(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=1", "RPM=1",
	    "BREAKER_FAILURES=1", "BREAKER_COOLDOWN_MS=600000", NULL };
	struct rcall rc;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":503}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	rcall_finish(&rc);
	/* the bucket (one request) is empty now, the breaker open */
	is_int(call_start(&rc), 0);
	run_for(100);
	is_int(rc.dones, 0);
	t_bail_if(rc.n_waits != 1);
	is_wait(&rc.waits[0], LLM_WAIT_BREAKER, 1);
	is_int(health_int("rate_waiting"), 0);
	E.p->ops->cancel(E.p, &rc.call);
	rcall_finish(&rc);
	is_int(fake_stat("requests"), 1);
	env_close();
}

/* ---- the rate limit ------------------------------------------------------------ */

static void
rate_limit_queues(void)
{
	static const char *const extra[] = { "RPM=60", NULL };
	/* a full bucket holds RATELIMIT_BURST_MS of the limit: 6 requests,
	 * then one a second */
	struct rcall rc[7];
	int64_t end;
	int done;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	for (int i = 0; i < 7; i++)
		is_int(call_start(&rc[i]), 0);
	first_attempts();
	for (int i = 0; i < 6; i++) {
		is_int(rc[i].n_waits, 1);
		is_wait(&rc[i].waits[0], LLM_WAIT_NONE, 1);
	}
	is_int(rc[6].n_waits, 1);
	is_wait(&rc[6].waits[0], LLM_WAIT_RATE_LIMIT, 1);
	ok(rc[6].waits[0].delay > 0 && rc[6].waits[0].delay <= 1000);
	is_str(rc[6].waits[0].why, "openai");
	is_int(health_int("rate_waiting"), 1);
	is_int(health_int("in_flight"), 6);

	end = mono_ms() + FAKE_DEADLINE_MS;
	do {
		loop_run_once(E.loop, 50);
		done = 0;
		for (int i = 0; i < 7; i++)
			done += rc[i].dones;
	} while (done < 7 && mono_ms() < end);
	is_int(done, 7);
	for (int i = 0; i < 7; i++) {
		check_turn0(&rc[i], "openai");
		is_int(rc[i].call.attempts, 1);
	}
	is_int(rc[6].n_waits, 2);
	is_wait(&rc[6].waits[1], LLM_WAIT_NONE, 1);
	ok(rc[6].waits[1].at - rc[6].waits[0].at >= rc[6].waits[0].delay - 10);
	is_int(fake_stat("requests"), 7);
	is_int(health_int("rate_waiting"), 0);
	for (int i = 0; i < 7; i++)
		rcall_finish(&rc[i]);
	env_close();
}

/* A call of @tokens tokens in (and no max_tokens). */
static int
call_start_tokens(struct rcall *rc, int64_t tokens)
{
	int64_t max = E.req.max_tokens;
	int r;

	memset(rc, 0, sizeof(*rc));
	rc->call.provider = E.p;
	rc->call.done = on_done;
	rc->call.delta = on_delta;
	rc->call.wait = on_wait;
	rc->call.tokens_estimate = tokens;
	E.req.max_tokens = 0;
	r = E.p->ops->start(E.p, &rc->call, &E.req);
	E.req.max_tokens = max;
	return r;
}

/* When the head of the rate-limit queue is cancelled, the call behind it
 * goes as soon as it fits, not when the head would have. */
static void
cancelled_head_lets_the_next_go(void)
{
	/* a bucket of 600 tokens, refilled at 100 a second */
	static const char *const extra[] = { "TPM=6000", NULL };
	struct rcall a, b, c;

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	/* a stays in flight: its usage must not change the bucket */
	t_bail_if(fake_faults("[{\"kind\":\"hang\"}]") != 0);
	is_int(call_start_tokens(&a, 400), 0);		/* 200 left */
	is_int(call_start_tokens(&b, 600), 0);		/* waits ~4 s */
	is_int(call_start_tokens(&c, 10), 0);		/* fits, but behind b */
	first_attempts();
	t_bail_if(b.n_waits != 1 || c.n_waits != 1);
	is_wait(&b.waits[0], LLM_WAIT_RATE_LIMIT, 1);
	is_wait(&c.waits[0], LLM_WAIT_RATE_LIMIT, 1);
	E.p->ops->cancel(E.p, &b.call);
	run_for(500);
	is_int(c.n_waits, 2);
	if (c.n_waits >= 2)
		is_wait(&c.waits[1], LLM_WAIT_NONE, 1);
	ok(wait_done(&c));
	is_int(a.dones, 0);
	E.p->ops->cancel(E.p, &a.call);
	rcall_finish(&a);
	rcall_finish(&b);
	rcall_finish(&c);
	env_close();
}

/* ---- the response cache ------------------------------------------------------- */

static void
cache_hit_makes_no_request(void)
{
	struct rcall rc;
	json_t *req;

	t_bail_if(env_open("openai", NULL, true, NULL) != 0);
	E.cache_reply = xstrdup("{\"text\":\"from the cache\",\"tokens_in\":5,"
	    "\"tokens_out\":7,\"stop_reason\":\"end_turn\"}");
	is_int(call_start(&rc), 0);
	is_int(rc.dones, 0);		/* never from inside start() */
	ok(wait_done(&rc));
	is_int(rc.status, 0);
	is_str(rc.call.cache, "hit");
	is_int(rc.call.attempts, 0);
	ok(!rc.call.streamed);
	is_str(rc.text, "from the cache");
	ok(rc.tool_calls == NULL);
	is_int(rc.tokens_in, 5);
	is_int(rc.tokens_out, 7);
	is_str(rc.stop_reason, "end_turn");
	is_int(rc.n_waits, 0);
	is_int(E.gets, 1);
	is_int(E.puts, 0);
	ok(E.get_key != NULL && strlen(E.get_key) == 32);
	req = E.get_request ? json_loads(E.get_request, 0, NULL) : NULL;
	is_str(json_string_value(json_object_get(req, "model")),
	    "support-triage");
	json_decref(req);
	is_int(fake_stat("requests"), 0);
	is_int(health_int("requests"), 0);
	rcall_finish(&rc);
	env_close();
}

static void
cache_miss_stores_the_reply(void)
{
	struct rcall rc;
	json_t *log, *sent, *stored, *want;
	char *key;

	t_bail_if(env_open("openai", NULL, true, NULL) != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_str(rc.call.cache, "miss");
	is_int(rc.call.attempts, 1);
	is_int(E.gets, 1);
	is_int(E.puts, 1);
	t_bail_if(E.puts != 1 || E.gets != 1);
	is_str(E.put_key, E.get_key);
	is_str(E.put_request, E.get_request);
	/* the request text is what went to the endpoint */
	log = fake_requests();
	sent = E.put_request ? json_loads(E.put_request, 0, NULL) : NULL;
	ok(sent != NULL && json_equal(json_object_get(json_array_get(log, 0),
	    "body"), sent));
	json_decref(sent);
	json_decref(log);
	stored = json_loads(E.put_reply, 0, NULL);
	want = turn0_calls("openai");
	ok(json_equal(json_object_get(stored, "tool_calls"), want));
	is_str(json_string_value(json_object_get(stored, "text")), TURN0_TEXT);
	is_int(json_integer_value(json_object_get(stored, "tokens_in")), 900);
	is_int(json_integer_value(json_object_get(stored, "tokens_out")), 60);
	json_decref(stored);
	json_decref(want);
	rcall_finish(&rc);

	/* the same request again, served from what was stored */
	E.cache_reply = xstrdup(E.put_reply);
	key = xstrdup(E.put_key);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_str(rc.call.cache, "hit");
	is_int(rc.call.attempts, 0);
	is_str(E.get_key, key);
	is_int(E.gets, 2);
	is_int(E.puts, 1);
	is_int(fake_stat("requests"), 1);
	free(key);
	rcall_finish(&rc);
	env_close();
}

static void
cache_keeps_reasoning(void)
{
	struct rcall rc;

	t_bail_if(env_open("anthropic", NULL, true, NULL) != 0);
	E.cache_reply = xstrdup("{\"text\":\"ok\",\"reasoning\":\"hmm\","
	    "\"reasoning_tokens\":12,\"send_back\":{\"format\":\"anthropic\","
	    "\"content\":[{\"type\":\"thinking\",\"thinking\":\"hmm\","
	    "\"signature\":\"sig\"}]},\"tokens_in\":5,\"tokens_out\":7,"
	    "\"stop_reason\":\"end_turn\"}");
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_str(rc.call.cache, "hit");
	is_str(rc.text, "ok");
	is_str(rc.reasoning, "hmm");
	is_int(rc.reasoning_tokens, 12);
	is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(rc.send_back, "content"), 0), "signature")), "sig");
	rcall_finish(&rc);
	/* an entry stored before reasoning was kept */
	free(E.cache_reply);
	E.cache_reply = xstrdup("{\"text\":\"ok\",\"tokens_in\":5,"
	    "\"tokens_out\":7}");
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_str(rc.call.cache, "hit");
	ok(rc.reasoning == NULL && rc.send_back == NULL);
	is_int(rc.reasoning_tokens, -1);
	rcall_finish(&rc);
	env_close();
}

static void
unreadable_cache_entry_is_a_miss(void)
{
	struct rcall rc;

	t_bail_if(env_open("openai", NULL, true, NULL) != 0);
	E.cache_reply = xstrdup("{\"text\": 3}");
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	check_turn0(&rc, "openai");
	is_str(rc.call.cache, "miss");
	is_int(rc.call.attempts, 1);
	is_int(E.puts, 1);
	is_int(fake_stat("requests"), 1);
	rcall_finish(&rc);
	env_close();
}

/*
 * One call whose request keeps failing with the same answer (a history the
 * server cannot render) is one failure of the endpoint, not five: the
 * breaker stays closed and says so in health, and the call's error names
 * the request. Two calls failing the same way are two failures.
 */
static void
same_failing_request_counts_once(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=4",
	    "BREAKER_FAILURES=2", "BREAKER_COOLDOWN_MS=300", NULL };
	struct rcall rc;
	char state[32];

	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":500},{\"status\":500},"
	    "{\"status\":500},{\"status\":500}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));
	is_int(rc.status, -EAGAIN);
	is_int(rc.call.attempts, 4);
	has_str(rc.error, "gave up after 4 attempts with the same answer each "
	    "time (this request fails, not the endpoint)");
	is_int(E.n_changes, 0);
	health_str("breaker", state, sizeof(state));
	is_str(state, "closed");
	is_int(health_int("consecutive_failures"), 1);
	rcall_finish(&rc);

	/* another call failing the same way is independent evidence */
	t_bail_if(fake_faults("[{\"status\":500}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));		/* after the cooldown, as the probe */
	is_int(rc.status, 0);
	t_bail_if(E.n_changes < 1);
	is_int(E.changes[0].to, BREAKER_OPEN);
	rcall_finish(&rc);
	health_str("breaker", state, sizeof(state));
	is_str(state, "closed");	/* the probe succeeded */

	/* a 503 repeated word for word is the endpoint's (loading, overloaded):
	 * each counts */
	E.n_changes = 0;
	t_bail_if(fake_faults("[{\"status\":503},{\"status\":503}]") != 0);
	is_int(call_start(&rc), 0);
	ok(wait_done(&rc));		/* after the cooldown, as the probe */
	is_int(rc.status, 0);
	t_bail_if(E.n_changes < 1);
	is_int(E.changes[0].to, BREAKER_OPEN);
	has_str(E.changes[0].why, "HTTP 503");
	rcall_finish(&rc);
	env_close();
}

/* ---- cancel ------------------------------------------------------------------ */

static void
cancel_during_hang(void)
{
	struct rcall rc;

	t_bail_if(env_open("openai", NULL, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"kind\":\"hang\"}]") != 0);
	is_int(call_start(&rc), 0);
	first_attempts();
	ok(wait_requests(1));
	is_int(health_int("in_flight"), 1);
	ok(fake_wait_stat("open_connections", 2));	/* ours and the stats one */
	E.p->ops->cancel(E.p, &rc.call);
	ok(rc.call.impl == NULL);
	is_int(health_int("in_flight"), 0);
	is_int(http_client_active(E.http), 0);
	run_for(300);
	is_int(rc.dones, 0);
	ok(fake_wait_stat("open_connections", 1));
	E.p->ops->cancel(E.p, &rc.call);	/* twice is harmless */
	rcall_finish(&rc);
	env_close();
}

static void
cancel_during_backoff(void)
{
	struct rcall rc;

	t_bail_if(env_open("openai", NULL, false, NULL) != 0);
	t_bail_if(fake_faults("[{\"status\":429,\"retry_after\":\"1\"}]") != 0);
	is_int(call_start(&rc), 0);
	{
		int64_t end = mono_ms() + FAKE_DEADLINE_MS;
		while (rc.n_waits < 2 && mono_ms() < end)
			loop_run_once(E.loop, 50);
	}
	t_bail_if(rc.n_waits != 2);
	is_wait(&rc.waits[1], LLM_WAIT_RETRY, 2);
	is_int(loop_timer_count(E.loop), 1);
	E.p->ops->cancel(E.p, &rc.call);
	is_int(loop_timer_count(E.loop), 0);
	run_for(1300);
	is_int(rc.dones, 0);
	is_int(rc.n_waits, 2);
	is_int(fake_stat("requests"), 1);
	rcall_finish(&rc);
	env_close();
}

static void
cancel_in_rate_limit_queue(void)
{
	static const char *const extra[] = { "RPM=1", NULL };
	struct rcall a, b;

	/* a bucket of one request: the second call queues */
	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	is_int(call_start(&a), 0);
	is_int(call_start(&b), 0);
	first_attempts();
	t_bail_if(b.n_waits != 1);
	is_wait(&b.waits[0], LLM_WAIT_RATE_LIMIT, 1);
	is_int(health_int("rate_waiting"), 1);
	E.p->ops->cancel(E.p, &b.call);
	is_int(health_int("rate_waiting"), 0);
	ok(wait_done(&a));
	check_turn0(&a, "openai");
	run_for(100);
	is_int(b.dones, 0);
	is_int(fake_stat("requests"), 1);
	rcall_finish(&a);
	rcall_finish(&b);
	env_close();
}

/* ---- keys stay out of errors ----------------------------------------------------- */

/* No 8-byte run of @key in @text. */
static void
check_no_key(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i + 8 <= n; i++) {
		char part[9];
		memcpy(part, key + i, 8);
		part[8] = '\0';
		if (strstr(text, part) != NULL) {
			T_DIAG("\"%s\" holds \"%s\" of the key", text, part);
			return;
		}
	}
}

static void
key_not_in_401_error(void)
{
	for (size_t f = 0; f < 2; f++) {
		struct rcall rc;
		char last[300];
		json_t *log;

		printf("# %s\n", formats[f]);
		t_bail_if(env_open(formats[f], NULL, false, WRONG_KEY) != 0);
		is_int(call_start(&rc), 0);
		ok(wait_done(&rc));
		is_int(rc.status, -EACCES);
		has_str(rc.error, "HTTP 401");
		is_int(rc.call.attempts, 1);
		check_no_key(rc.error, WRONG_KEY);
		health_str("last_error", last, sizeof(last));
		has_str(last, "HTTP 401");
		check_no_key(last, WRONG_KEY);
		/* the fake did get it (and echoed it in its body) */
		log = fake_requests();
		is_str(json_string_value(json_object_get(json_object_get(
		    json_array_get(log, 0), "headers"), f == 0 ? "authorization" :
		    "x-api-key")), f == 0 ? "Bearer " WRONG_KEY : WRONG_KEY);
		json_decref(log);
		rcall_finish(&rc);
		env_close();
	}
}

/* Provider text that reaches the host's breaker_changed (published as an
 * event, logged) is cleaned as in errors: no key, no control characters. */
static void
key_not_in_breaker_reason(void)
{
	static const char *const extra[] = { "MAX_ATTEMPTS=1",
	    "BREAKER_FAILURES=1", NULL };
	static const char body[] = "{\"error\":{\"message\":\"upstream "
	    "rejected " OPENAI_KEY "\\nX-Injected: 1\",\"type\":"
	    "\"server_error\"}}";
	static char response[512];
	struct canned s;
	struct rcall rc;
	char url[64];
	int64_t end;

	snprintf(response, sizeof(response), "HTTP/1.1 500 Internal Server "
	    "Error\r\nContent-Type: application/json\r\nContent-Length: %zu"
	    "\r\n\r\n%s", strlen(body), body);
	t_bail_if(env_open("openai", extra, false, NULL) != 0);
	/* the endpoint moves to the canned server: a new provider for it */
	t_bail_if(canned_open(&s, E.loop, response) != 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1", s.port);
	free(E.cfg->base_url);
	E.cfg->base_url = xstrdup(url);
	E.p->ops->destroy(E.p);
	{
		struct provider_host host = { .arg = &E,
		    .breaker_changed = host_breaker_changed };
		E.p = remote_provider_create(E.loop, E.http, E.cfg, &host);
	}
	t_bail_if(E.p == NULL);
	is_int(call_start(&rc), 0);
	end = mono_ms() + FAKE_DEADLINE_MS;
	while (rc.dones == 0 && mono_ms() < end) {
		loop_run_once(E.loop, 50);
		canned_tick(&s);
	}
	is_int(rc.dones, 1);
	is_int(rc.status, -EAGAIN);
	has_str(rc.error, "HTTP 500: upstream rejected ***");
	check_no_key(rc.error, OPENAI_KEY);
	ok(strchr(rc.error, '\n') == NULL);
	is_int(E.n_changes, 1);
	t_bail_if(E.n_changes != 1);
	is_int(E.changes[0].to, BREAKER_OPEN);
	has_str(E.changes[0].why, "HTTP 500: upstream rejected ***");
	check_no_key(E.changes[0].why, OPENAI_KEY);
	ok(strchr(E.changes[0].why, '\n') == NULL);
	rcall_finish(&rc);
	canned_close(&s);
	env_close();
}

#define TESTS(X) \
	X(streamed_tool_call) \
	X(whole_body_tool_call) \
	X(cut_stream_is_retried) \
	X(retry_after_429) \
	X(retry_after_500) \
	X(timeout_is_retried) \
	X(silent_stream_is_retried) \
	X(stream_pause_shows_and_ends) \
	X(slow_stream_outlives_timeout) \
	X(no_retry_on_400) \
	X(not_found_names_the_url) \
	X(gives_up_after_max_attempts) \
	X(breaker_opens_and_recovers) \
	X(same_failing_request_counts_once) \
	X(calls_wait_for_the_probe) \
	X(cancel_keeps_the_probe_slot) \
	X(open_breaker_takes_no_rate_limit) \
	X(open_breaker_waits) \
	X(failed_probe_others_wait) \
	X(cancel_ends_breaker_wait) \
	X(long_cooldown_fails_at_once) \
	X(rate_limit_queues) \
	X(cancelled_head_lets_the_next_go) \
	X(cache_hit_makes_no_request) \
	X(cache_miss_stores_the_reply) \
	X(cache_keeps_reasoning) \
	X(unreadable_cache_entry_is_a_miss) \
	X(cancel_during_hang) \
	X(cancel_during_backoff) \
	X(cancel_in_rate_limit_queue) \
	X(key_not_in_401_error) \
	X(key_not_in_breaker_reason)
T_MAIN(TESTS)
