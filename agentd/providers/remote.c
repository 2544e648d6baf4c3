/*
 * Remote providers: one per HTTP endpoint (openai, anthropic, or another
 * OpenAI-compatible server named in the config). A call goes:
 *
 *   cache? → rate-limit queue → breaker → HTTP attempt → reply
 *                 ↑                 │          │ 429 / 5xx / network / cut stream
 *                 │       wait while open      │
 *                 └──── backoff (Retry-After or exponential + jitter) ◄┘
 *
 * Only HTTP attempts count against max_attempts: a call the breaker holds
 * back waits (the engine's wall-time budget bounds it) unless the cooldown
 * is longer than a call may wait.
 *
 * The breaker hears about the endpoint's health, not about one request: an
 * HTTP 500 that repeats the previous attempt's of the same call word for
 * word is that request's failure (a history the server cannot render), so
 * it is not counted again. Everything else that fails counts every time:
 * 502/503/504 and the like say the endpoint is down or overloaded.
 *
 * 4xx answers other than 408/409/429 cannot succeed on a retry and end the
 * call at once. The wire format (wire_openai, wire_anthropic) turns the
 * conversation into a body and the body or stream back into a reply.
 * Everything runs on the loop's thread; nothing blocks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "http.h"
#include "log.h"
#include "providers/breaker.h"
#include "providers/endpoints.h"
#include "providers/provider.h"
#include "providers/ratelimit.h"
#include "providers/sse.h"
#include "providers/wire.h"
#include "secret.h"
#include "util.h"

#define RESPONSE_MAX	(8 * 1024 * 1024)	/* bytes of a body we keep */
#define BACKOFF_BASE_MS	500
#define BACKOFF_MAX_MS	30000
#define RETRY_AFTER_MAX_MS (10 * 60 * 1000)	/* longer: give up now */
#define STALL_NOTICE_MS	5000	/* a stream this silent shows as stalled
				 * (half the idle timeout if that is less) */

struct remote {
	struct provider base;
	struct loop *loop;
	struct http_client *http;
	struct endpoint_config *cfg;	/* borrowed */
	const struct wire_ops *wire;
	struct provider_host host;
	char url[600];
	const char *headers[4];		/* without the key */
	struct breaker breaker;
	struct ratelimit rl;
	struct timer rl_timer;		/* wakes the head of the rate-limit queue */
	uint64_t rng;			/* backoff jitter */
	/* for health */
	int64_t requests, retries, failures, in_flight, cache_hits;
	char last_error[200];		/* the last failed attempt's or refused
					 * request's; not the breaker's refusals */
	int64_t last_error_ms;		/* wall clock of it; 0: none yet */
	char breaker_why[200];		/* the last failure the breaker counted */
};

struct remote_call {
	struct remote *r;
	struct llm_call *call;
	char *body;			/* the request (JSON text) */
	size_t body_len;
	char cache_key[40];		/* "" when the cache is off */
	double rl_tokens;		/* tokens taken from the rate limit */
	struct rl_waiter waiter;
	bool rl_held;			/* took its share, has not sent yet */
	struct http_transfer *xfer;	/* the attempt in flight */
	int attempt;			/* attempts started */
	bool breaker_held;		/* allowed by the breaker, no outcome yet */
	bool breaker_probe;		/* ... as the half-open probe call */
	enum llm_wait told;		/* the last wait the caller was told of */
	char failure[200];		/* the last attempt's failed answer, "" */
	int same_failures;		/* attempts that repeated it word for word */
	int64_t timeout_ms;
	int64_t sent_at;		/* mono ms the attempt went out */
	bool stalled;			/* its stream is silent and the caller
					 * was told (LLM_WAIT_STALLED) */
	/* the response of the attempt */
	struct http_head head;
	bool streaming;
	char *buf;			/* whole body (not streamed) or error body */
	size_t len, cap;
	struct sse_parser sse;
	struct wire_stream *ws;
	char err[300];			/* why a stream or body was refused */
};

static void attempt_start(struct remote_call *rc);
static void probe_recheck(struct timer *t, void *arg);
static void rl_fire(struct timer *t, void *arg);

static struct remote *
remote_of(struct provider *p)
{
	return p->state;
}

/* ---- small helpers ------------------------------------------------------ */

static uint64_t
next_random(struct remote *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

/* Exponential, capped, with jitter in [d/2, d]. @attempt counts from 1. */
static int64_t
backoff_ms(struct remote *r, int attempt)
{
	int64_t d = BACKOFF_BASE_MS << MIN(attempt - 1, 10);

	d = MIN(d, BACKOFF_MAX_MS);
	return d / 2 + (int64_t)(next_random(r) % (uint64_t)(d / 2 + 1));
}

static void
fnv_hex(const char *a, const char *b, char *out, size_t outlen)
{
	uint64_t h1 = 1469598103934665603ULL, h2 = 0x84222325cbf29ce4ULL;

	for (const char *s = a; *s; s++) {
		h1 = (h1 ^ (unsigned char)*s) * 1099511628211ULL;
		h2 = (h2 ^ (unsigned char)*s) * 1099511628211ULL + 7;
	}
	h1 = (h1 ^ '\n') * 1099511628211ULL;
	for (const char *s = b; *s; s++) {
		h1 = (h1 ^ (unsigned char)*s) * 1099511628211ULL;
		h2 = (h2 ^ (unsigned char)*s) * 1099511628211ULL + 7;
	}
	snprintf(out, outlen, "%016llx%016llx", (unsigned long long)h1,
	    (unsigned long long)h2);
}

/* Text from the provider, safe to show: no key, no control characters. */
static void
clean_text(const struct remote *r, char *text)
{
	secret_redact(r->cfg->key, text);
	for (char *s = text; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

static void
set_last_error(struct remote *r, const char *why)
{
	copy_str(r->last_error, sizeof(r->last_error), why);
	clean_text(r, r->last_error);
	r->last_error_ms = now_ms();
}

static void
notify_wait(struct remote_call *rc, enum llm_wait what, int64_t delay,
    const char *why)
{
	/* a breaker wait is one wait however often it looks again */
	if (what == LLM_WAIT_BREAKER && rc->told == LLM_WAIT_BREAKER)
		return;
	rc->told = what;
	/* the attempt to come, or for a stall the one in flight */
	if (rc->call->wait != NULL)
		rc->call->wait(rc->call, what, rc->attempt +
		    (what != LLM_WAIT_NONE && what != LLM_WAIT_STALLED), delay, why);
}

/* An allowed attempt ended with no outcome: only the probe frees the
 * half-open probe slot (another call's must not be freed). */
static void
breaker_drop(struct remote *r, struct remote_call *rc)
{
	if (rc->breaker_held && rc->breaker_probe)
		breaker_release(&r->breaker);
	rc->breaker_held = false;
	rc->breaker_probe = false;
}

static void
breaker_outcome(struct remote *r, struct remote_call *rc, bool ok,
    const char *why)
{
	enum breaker_state from;
	char msg[400];

	if (!rc->breaker_held)
		return;
	rc->breaker_held = false;
	rc->breaker_probe = false;
	if (!ok && why != NULL) {
		copy_str(r->breaker_why, sizeof(r->breaker_why), why);
		clean_text(r, r->breaker_why);
	}
	if (breaker_record(&r->breaker, ok, mono_ms(), &from) &&
	    r->host.breaker_changed != NULL) {
		/* @why is the provider's text: it goes to events and logs */
		if (why != NULL) {
			copy_str(msg, sizeof(msg), why);
			clean_text(r, msg);
		}
		r->host.breaker_changed(r->host.arg, r->cfg->name, (int)from,
		    (int)r->breaker.state, why != NULL ? msg : NULL);
	}
}

static void
reset_response(struct remote_call *rc)
{
	free(rc->buf);
	rc->buf = NULL;
	rc->len = rc->cap = 0;
	if (rc->ws != NULL)
		rc->r->wire->stream_destroy(rc->ws);
	rc->ws = NULL;
	sse_finish(&rc->sse);
	rc->streaming = false;
	rc->stalled = false;
	rc->err[0] = '\0';
	rc->head = (struct http_head){ .retry_after_ms = -1 };
}

/* A share of the rate limit taken for an attempt that sent nothing goes
 * back to the bucket. */
static void
rl_give_back(struct remote_call *rc)
{
	if (rc->rl_held)
		ratelimit_refund(&rc->r->rl, rc->rl_tokens, mono_ms());
	rc->rl_held = false;
}

static void
call_free(struct remote_call *rc)
{
	struct remote *r = rc->r;

	if (rc->xfer != NULL) {
		http_cancel(rc->xfer);
		r->in_flight--;
	}
	if (rc->waiter.queued) {
		int64_t wait;
		ratelimit_cancel(&r->rl, &rc->waiter);
		/* the timer was set for this call if it was the head: the
		 * next one may go sooner */
		if ((wait = ratelimit_wait_ms(&r->rl, mono_ms())) >= 0)
			loop_timer_arm(r->loop, &r->rl_timer, MAX(wait, 1),
			    rl_fire, r);
	}
	rl_give_back(rc);
	loop_timer_cancel(r->loop, &rc->call->timer);
	breaker_drop(r, rc);
	reset_response(rc);
	free(rc->body);
	rc->call->impl = NULL;
	free(rc);
}

/* ---- the end of a call -------------------------------------------------- */

static json_t *
reply_to_json(const struct llm_reply *reply)
{
	/* '*': a NULL text, tool_calls, reasoning or send_back leaves the
	 * key out */
	return json_pack("{s:s*, s:O*, s:s*, s:I, s:O*, s:I, s:I, s:I, s:I, s:I,"
	    " s:b, s:s}", "text", reply->text, "tool_calls", reply->tool_calls,
	    "reasoning", reply->reasoning,
	    "reasoning_tokens", (json_int_t)reply->reasoning_tokens,
	    "send_back", reply->send_back,
	    "tokens_in", (json_int_t)reply->tokens_in,
	    "tokens_out", (json_int_t)reply->tokens_out,
	    "cache_read", (json_int_t)reply->cache_read,
	    "cache_write", (json_int_t)reply->cache_write,
	    "cached", (json_int_t)reply->cached,
	    "usage_estimated", reply->usage_estimated,
	    "stop_reason", reply->stop_reason);
}

static int
reply_from_json(const char *text, struct llm_reply *out)
{
	json_t *root = json_loads(text, 0, NULL), *calls = NULL, *back = NULL;
	json_int_t tin = 0, tout = 0, cr = -1, cw = -1, cached = -1, rt = -1;
	const char *answer = NULL, *stop = "end_turn", *reasoning = NULL;
	int estimated = 0, r = -EPROTO;

	/* entries stored before reasoning was kept have none of it */
	if (root == NULL || json_unpack(root, "{s?s, s?o, s?s, s?I, s?o, s:I,"
	    " s:I, s?I, s?I, s?I, s?b, s?s}", "text", &answer, "tool_calls",
	    &calls, "reasoning", &reasoning, "reasoning_tokens", &rt,
	    "send_back", &back, "tokens_in", &tin,
	    "tokens_out", &tout, "cache_read", &cr, "cache_write", &cw,
	    "cached", &cached, "usage_estimated", &estimated, "stop_reason",
	    &stop) != 0 ||
	    (calls != NULL && !json_is_array(calls)) ||
	    (back != NULL && !json_is_object(back)))
		goto out;
	*out = (struct llm_reply){ .text = answer ? xstrdup(answer) : NULL,
	    .tool_calls = json_incref(calls),
	    .reasoning = reasoning ? xstrdup(reasoning) : NULL,
	    .reasoning_tokens = rt, .send_back = json_incref(back),
	    .tokens_in = tin, .tokens_out = tout, .cache_read = cr,
	    .cache_write = cw, .cached = cached,
	    .usage_estimated = estimated != 0 };
	copy_str(out->stop_reason, sizeof(out->stop_reason), stop);
	r = 0;
out:
	json_decref(root);
	return r;
}

static void
succeed(struct remote_call *rc, struct llm_reply *reply)
{
	struct remote *r = rc->r;
	struct llm_call *call = rc->call;

	if (reply->usage_estimated && reply->tokens_in == 0)
		reply->tokens_in = call->tokens_estimate;
	ratelimit_adjust(&r->rl, (double)(reply->tokens_in + reply->tokens_out) -
	    rc->rl_tokens, mono_ms());
	if (rc->cache_key[0] != '\0' && r->host.cache_put != NULL) {
		json_t *j = reply_to_json(reply);
		char *text = json_dumps(j, JSON_COMPACT);
		if (text != NULL)
			r->host.cache_put(r->host.arg, rc->cache_key, rc->body, text);
		free(text);
		json_decref(j);
	}
	call->attempts = rc->attempt;
	call->streamed = rc->streaming;
	call_free(rc);
	call->done(call, 0, reply, NULL);
	llm_reply_finish(reply);
}

static void
fail(struct remote_call *rc, int status, const char *why)
{
	struct llm_call *call = rc->call;
	char msg[400];

	copy_str(msg, sizeof(msg), why);
	clean_text(rc->r, msg);
	rc->r->failures++;
	call->attempts = rc->attempt;
	call_free(rc);
	call->done(call, status, NULL, msg);
}

static void
retry_fire(struct timer *t, void *arg)
{
	struct remote_call *rc = arg;
	struct remote *r = rc->r;

	(void)t;
	/* an open breaker holds the call back: it sends nothing, so it
	 * takes nothing from the rate limit */
	if (r->breaker.state == BREAKER_OPEN &&
	    breaker_wait_ms(&r->breaker, mono_ms()) > 0) {
		attempt_start(rc);
		return;
	}
	if (ratelimit_acquire(&r->rl, &rc->waiter, rc->rl_tokens, mono_ms())) {
		rc->rl_held = true;
		attempt_start(rc);
		return;
	}
	notify_wait(rc, LLM_WAIT_RATE_LIMIT, ratelimit_wait_ms(&r->rl, mono_ms()),
	    r->cfg->name);
	if (!loop_timer_armed(&r->rl_timer))
		loop_timer_arm(r->loop, &r->rl_timer,
		    MAX(ratelimit_wait_ms(&r->rl, mono_ms()), 1), rl_fire, r);
}

/* A failed attempt that may succeed later: again after a pause, or give up. */
static void
retry_or_fail(struct remote_call *rc, int status, int64_t retry_after,
    const char *why)
{
	struct remote *r = rc->r;
	char msg[400];
	int64_t delay;

	set_last_error(r, why);
	if (rc->attempt >= r->cfg->max_attempts) {
		if (rc->attempt > 1 && rc->same_failures == rc->attempt - 1)
			snprintf(msg, sizeof(msg), "%s: gave up after %d attempts "
			    "with the same answer each time (this request fails, "
			    "not the endpoint): %s", r->cfg->name, rc->attempt, why);
		else
			snprintf(msg, sizeof(msg), "%s: gave up after %d attempts; "
			    "last: %s", r->cfg->name, rc->attempt, why);
		fail(rc, status, msg);
		return;
	}
	if (retry_after > RETRY_AFTER_MAX_MS) {
		snprintf(msg, sizeof(msg), "%s: asked to retry after %lld s: %s",
		    r->cfg->name, (long long)(retry_after / 1000), why);
		fail(rc, status, msg);
		return;
	}
	delay = retry_after >= 0 ? retry_after : backoff_ms(r, rc->attempt);
	r->retries++;
	snprintf(msg, sizeof(msg), "%s", why);
	clean_text(r, msg);
	notify_wait(rc, LLM_WAIT_RETRY, delay, msg);
	loop_timer_arm(r->loop, &rc->call->timer, delay, retry_fire, rc);
}

/* ---- HTTP callbacks ------------------------------------------------------ */

static int
on_head(void *arg, const struct http_head *head)
{
	struct remote_call *rc = arg;

	rc->head = *head;
	if (head->status >= 200 && head->status < 300 &&
	    strcmp(head->content_type, "text/event-stream") == 0) {
		rc->streaming = true;
		sse_init(&rc->sse, RESPONSE_MAX);
		rc->ws = rc->r->wire->stream_create();
		/* from now on silences count, not the whole stream's time */
		http_stream(rc->xfer);
	}
	return 0;
}

/* The stream has been silent for @silent_ms: the run shows it, once. */
static void
on_quiet(void *arg, int64_t silent_ms)
{
	struct remote_call *rc = arg;

	rc->stalled = true;
	notify_wait(rc, LLM_WAIT_STALLED, silent_ms, rc->r->cfg->name);
}

static int
on_event(void *arg, const char *event, const char *data, size_t len)
{
	struct remote_call *rc = arg;
	struct wire_delta delta = { 0 };
	int r;

	r = rc->r->wire->stream_event(rc->ws, event, data, len, &delta, rc->err,
	    sizeof(rc->err));
	if (r != 0 || rc->call->delta == NULL)
		return r;
	if (delta.reasoning_len > 0)
		rc->call->delta(rc->call, delta.reasoning, delta.reasoning_len,
		    true);
	if (delta.len > 0)
		rc->call->delta(rc->call, delta.text, delta.len, false);
	return 0;
}

static int
on_body(void *arg, const char *data, size_t len)
{
	struct remote_call *rc = arg;

	if (rc->stalled) {
		/* data again: back to waiting on the model, as since the
		 * attempt went out */
		rc->stalled = false;
		notify_wait(rc, LLM_WAIT_NONE, mono_ms() - rc->sent_at, NULL);
	}
	if (rc->streaming) {
		int r = sse_feed(&rc->sse, data, len, on_event, rc);
		if (r == -EMSGSIZE && rc->err[0] == '\0')
			snprintf(rc->err, sizeof(rc->err), "a stream event is "
			    "larger than %d MiB", RESPONSE_MAX >> 20);
		return r;
	}
	if (rc->len + len > RESPONSE_MAX) {
		snprintf(rc->err, sizeof(rc->err), "the response is larger than "
		    "%d MiB", RESPONSE_MAX >> 20);
		return -EMSGSIZE;
	}
	if (rc->len + len + 1 > rc->cap) {
		rc->cap = MAX(rc->cap * 2, rc->len + len + 1);
		rc->cap = MAX(rc->cap, 4096);
		rc->buf = xrealloc(rc->buf, rc->cap);
	}
	memcpy(rc->buf + rc->len, data, len);
	rc->len += len;
	rc->buf[rc->len] = '\0';
	return 0;
}

/*
 * The endpoint answered HTTP 500 because of @why. The breaker counts it
 * unless it repeats this call's previous 500 word for word: the same
 * request failing the same way again is evidence against the request, not
 * a second one against the endpoint.
 */
static void
internal_error(struct remote *r, struct remote_call *rc, const char *why)
{
	if (rc->failure[0] != '\0' && strncmp(rc->failure, why,
	    sizeof(rc->failure) - 1) == 0) {
		rc->same_failures++;
		breaker_drop(r, rc);
		return;
	}
	copy_str(rc->failure, sizeof(rc->failure), why);
	rc->same_failures = 0;
	breaker_outcome(r, rc, false, why);
}

/* The endpoint answered that the request is wrong (-EINVAL) or not
 * allowed (-EACCES): it is up, and the same request again cannot help. */
static void
request_refused(struct remote_call *rc, int status, const char *why)
{
	breaker_outcome(rc->r, rc, true, NULL);
	set_last_error(rc->r, why);
	fail(rc, status, why);
}

static void
on_done(void *arg, int status, const char *error)
{
	struct remote_call *rc = arg;
	struct remote *r = rc->r;
	struct llm_reply reply = { .cache_read = -1, .cache_write = -1,
	    .cached = -1, .reasoning_tokens = -1 };
	char why[400], perr[300] = "";
	long code = rc->head.status;
	int pr;

	rc->xfer = NULL;
	r->in_flight--;
	if (status != 0) {
		/* the network, a timeout, or what we refused in the body */
		snprintf(why, sizeof(why), "%s", rc->err[0] ? rc->err : error);
		if (status == -EINVAL) {
			request_refused(rc, -EINVAL, why);
			return;
		}
		breaker_outcome(r, rc, false, why);
		if (status == -EMSGSIZE)
			fail(rc, status, why);
		else
			retry_or_fail(rc, status, -1, why);
		return;
	}
	if (code >= 200 && code < 300) {
		if (rc->streaming) {
			if (sse_partial(&rc->sse))
				pr = -EPROTO, snprintf(perr, sizeof(perr),
				    "the stream ended in the middle of an event");
			else
				pr = r->wire->stream_finish(rc->ws, &reply, perr,
				    sizeof(perr));
		} else {
			pr = r->wire->parse_response(rc->buf ? rc->buf : "", rc->len,
			    &reply, perr, sizeof(perr));
		}
		if (pr == 0) {
			breaker_outcome(r, rc, true, NULL);
			succeed(rc, &reply);
			return;
		}
		snprintf(why, sizeof(why), "%s", perr);
		if (pr == -EINVAL) {
			request_refused(rc, -EINVAL, why);
			return;
		}
		breaker_outcome(r, rc, false, why);
		retry_or_fail(rc, -EPROTO, -1, why);
		return;
	}
	{
		char msg[240];
		r->wire->error_message(rc->buf ? rc->buf : "", rc->len, msg,
		    sizeof(msg));
		/* a 404 is most often a base URL with a path too many or too
		 * few (".../v1" twice): say which URL it was */
		if (code == 404)
			snprintf(why, sizeof(why), "HTTP 404 from %s%s%s", r->url,
			    msg[0] ? ": " : "", msg);
		else
			snprintf(why, sizeof(why), "HTTP %ld%s%s", code,
			    msg[0] ? ": " : "", msg);
	}
	if (!wire_status_retryable(code)) {
		request_refused(rc, code == 401 || code == 403 ? -EACCES :
		    -EINVAL, why);
		return;
	}
	/* rate limiting says nothing about the endpoint's health */
	if (code == 429)
		breaker_drop(r, rc);
	else if (code == 500)
		internal_error(r, rc, why);
	else
		breaker_outcome(r, rc, false, why);
	retry_or_fail(rc, -EAGAIN, rc->head.retry_after_ms, why);
}

static const struct http_callbacks callbacks = {
	.on_head = on_head,
	.on_body = on_body,
	.on_done = on_done,
	.on_quiet = on_quiet,
};

/* ---- attempts ------------------------------------------------------------ */

/*
 * The breaker refused the attempt: nothing is sent and no attempt is used.
 * Open: wait for the cooldown, then go through the rate limit again; a
 * cooldown longer than a call may wait ends the call now, saying how long.
 * Half-open with the probe out: keep the rate-limit share and look again
 * soon (the probe's outcome decides). Cancelling the call cancels the wait.
 */
static void
breaker_wait(struct remote_call *rc)
{
	struct remote *r = rc->r;
	int64_t wait = breaker_wait_ms(&r->breaker, mono_ms());
	char why[400];

	if (r->breaker.state == BREAKER_HALF_OPEN) {
		notify_wait(rc, LLM_WAIT_BREAKER, -1, r->cfg->name);
		loop_timer_arm(r->loop, &rc->call->timer, MAX(wait, 50),
		    probe_recheck, rc);
		return;
	}
	rl_give_back(rc);
	if (wait > RETRY_AFTER_MAX_MS) {
		/* a refusal, not news about the endpoint: last_error keeps
		 * the failure that opened the breaker */
		snprintf(why, sizeof(why), "circuit breaker open for %s for %lld s "
		    "more (%s)", r->cfg->name, (long long)((wait + 999) / 1000),
		    r->breaker_why[0] ? r->breaker_why : "failures");
		fail(rc, -EAGAIN, why);
		return;
	}
	notify_wait(rc, LLM_WAIT_BREAKER, wait, r->cfg->name);
	loop_timer_arm(r->loop, &rc->call->timer, MAX(wait, 50), retry_fire, rc);
}

static void
attempt_start(struct remote_call *rc)
{
	struct remote *r = rc->r;
	struct http_request req;
	enum breaker_state from;
	bool changed = false;
	int e;

	if (!breaker_allow(&r->breaker, mono_ms(), &changed, &from)) {
		breaker_wait(rc);
		return;
	}
	if (changed && r->host.breaker_changed != NULL)
		r->host.breaker_changed(r->host.arg, r->cfg->name, (int)from,
		    (int)r->breaker.state, "cooldown over: one probe call");
	rc->breaker_held = true;
	rc->breaker_probe = r->breaker.state == BREAKER_HALF_OPEN;
	reset_response(rc);
	rc->attempt++;
	rc->sent_at = mono_ms();
	notify_wait(rc, LLM_WAIT_NONE, -1, NULL);
	req = (struct http_request){ .url = r->url, .body = rc->body,
	    .body_len = rc->body_len, .headers = r->headers,
	    .secret_header = r->cfg->key ? secret_header(r->cfg->key) : NULL,
	    .timeout_ms = rc->timeout_ms, .connect_timeout_ms = 10000,
	    .idle_timeout_ms = r->cfg->idle_timeout_ms,
	    .stream_timeout_ms = r->cfg->stream_timeout_ms,
	    .quiet_ms = r->cfg->idle_timeout_ms > 0 ?
	    MIN(STALL_NOTICE_MS, r->cfg->idle_timeout_ms / 2) : STALL_NOTICE_MS };
	r->requests++;
	if ((e = http_start(r->http, &req, &callbacks, rc, &rc->xfer)) != 0) {
		breaker_drop(r, rc);
		fail(rc, e, "the HTTP transfer could not start");
		return;
	}
	rc->rl_held = false;	/* sent: the endpoint counts it */
	r->in_flight++;
}

static void
probe_recheck(struct timer *t, void *arg)
{
	(void)t;
	attempt_start(arg);
}

static void
rl_fire(struct timer *t, void *arg)
{
	struct remote *r = arg;
	struct rl_waiter *w;
	int64_t wait;

	(void)t;
	while ((w = ratelimit_pop_ready(&r->rl, mono_ms())) != NULL) {
		struct remote_call *rc = w->arg;
		rc->rl_held = true;
		attempt_start(rc);
	}
	if ((wait = ratelimit_wait_ms(&r->rl, mono_ms())) >= 0)
		loop_timer_arm(r->loop, &r->rl_timer, MAX(wait, 1), rl_fire, r);
}

static void
cache_fire(struct timer *t, void *arg)
{
	struct remote_call *rc = arg;
	struct llm_call *call = rc->call;
	struct llm_reply reply = { 0 };
	char *text = rc->buf;

	(void)t;
	rc->buf = NULL;
	if (reply_from_json(text, &reply) != 0) {
		/* unreadable entry: ask the endpoint instead */
		free(text);
		call->cache = "miss";
		retry_fire(&call->timer, rc);
		return;
	}
	free(text);
	rc->r->cache_hits++;
	rc->cache_key[0] = '\0';	/* nothing to store again */
	call->attempts = 0;
	call_free(rc);
	call->done(call, 0, &reply, NULL);
	llm_reply_finish(&reply);
}

/* ---- provider_ops --------------------------------------------------------- */

static int
remote_check_model(struct provider *p, const char *model, char *err,
    size_t errlen)
{
	struct remote *r = remote_of(p);

	if (model[0] == '\0' || strlen(model) > 80) {
		snprintf(err, errlen, "%s: a model name needs 1 to 80 characters",
		    r->cfg->name);
		return -EINVAL;
	}
	for (const char *s = model; *s; s++) {
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\\') {
			snprintf(err, errlen, "%s: model name \"%s\" has a space, "
			    "quote or control character", r->cfg->name, model);
			return -EINVAL;
		}
	}
	if (r->cfg->key == NULL && (strstr(r->cfg->base_url, "api.openai.com") ||
	    strstr(r->cfg->base_url, "api.anthropic.com"))) {
		char upper[32];
		size_t i;
		for (i = 0; r->cfg->name[i] && i + 1 < sizeof(upper); i++)
			upper[i] = (char)(r->cfg->name[i] >= 'a' && r->cfg->name[i] <= 'z' ?
			    r->cfg->name[i] - 32 : r->cfg->name[i]);
		upper[i] = '\0';
		snprintf(err, errlen, "%s: no API key: set %s_API_KEY or "
		    "%s_API_KEY_FILE in agentd's environment or config file "
		    "(docs/providers.md)", r->cfg->name, upper, upper);
		return -EINVAL;
	}
	return 0;
}

static int64_t
remote_estimate_tokens_in(struct provider *p, const struct llm_request *req)
{
	json_t *tools = (json_t *)req->tools;
	int64_t n = provider_estimate_tokens(req->messages, req->system);
	char *s = tools != NULL ? json_dumps(tools, JSON_COMPACT) : NULL;

	(void)p;
	if (s != NULL)
		n += (int64_t)strlen(s) / 4;
	free(s);
	return n;
}

static int
remote_start(struct provider *p, struct llm_call *call,
    const struct llm_request *req)
{
	struct remote *r = remote_of(p);
	struct llm_request wreq = *req;
	struct remote_call *rc;
	json_t *body;

	wreq.thinking_budget = r->cfg->thinking_budget;
	if ((body = r->wire->build_request(&wreq, r->cfg->stream)) == NULL)
		return -EINVAL;
	rc = xcalloc(1, sizeof(*rc));
	rc->r = r;
	rc->call = call;
	/* keys in the order they were written: the order of a schema's
	 * properties is the order a grammar-constrained server makes the
	 * model write the arguments in */
	rc->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (rc->body == NULL) {
		free(rc);
		return -EINVAL;
	}
	rc->body_len = strlen(rc->body);
	rc->timeout_ms = call->timeout_ms > 0 ? call->timeout_ms :
	    r->cfg->timeout_ms;
	rc->waiter.arg = rc;
	rc->rl_tokens = (double)(call->tokens_estimate + req->max_tokens);
	rc->head.retry_after_ms = -1;
	call->impl = rc;
	call->attempts = 0;
	call->streamed = false;
	call->cache = NULL;
	if (r->host.cache_get != NULL) {
		fnv_hex(r->url, rc->body, rc->cache_key, sizeof(rc->cache_key));
		call->cache = "miss";
		if ((rc->buf = r->host.cache_get(r->host.arg, rc->cache_key,
		    rc->body)) != NULL) {
			call->cache = "hit";
			/* done() is never called from inside start() */
			loop_timer_arm(r->loop, &call->timer, 0, cache_fire, rc);
			return 0;
		}
	}
	/* the first attempt goes from the loop: done() is never called from
	 * inside start(), whatever the breaker or curl say */
	loop_timer_arm(r->loop, &call->timer, 0, retry_fire, rc);
	return 0;
}

static void
remote_cancel(struct provider *p, struct llm_call *call)
{
	(void)p;
	if (call->impl != NULL)
		call_free(call->impl);
}

static void
remote_destroy(struct provider *p)
{
	struct remote *r;

	if (p == NULL)
		return;
	r = remote_of(p);
	loop_timer_cancel(r->loop, &r->rl_timer);
	free(r);
}

static const struct provider_ops remote_ops = {
	.name = "remote",
	.check_model = remote_check_model,
	.estimate_tokens_in = remote_estimate_tokens_in,
	.start = remote_start,
	.cancel = remote_cancel,
	.destroy = remote_destroy,
};

struct provider *
remote_provider_create(struct loop *loop, struct http_client *http,
    struct endpoint_config *cfg, const struct provider_host *host)
{
	const struct wire_ops *wire = wire_find(cfg->format);
	struct remote *r;
	size_t n = 0;

	if (wire == NULL)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->base.ops = &remote_ops;
	r->base.state = r;
	r->loop = loop;
	r->http = http;
	r->cfg = cfg;
	r->wire = wire;
	r->host = *host;
	r->rng = (uint64_t)now_ms() * 2654435761ULL ^ (uint64_t)getpid();
	r->rng |= 1;
	snprintf(r->url, sizeof(r->url), "%s%s", cfg->base_url, wire->path);
	r->headers[n++] = "Content-Type: application/json";
	if (strcmp(wire->name, "anthropic") == 0)
		r->headers[n++] = "anthropic-version: 2023-06-01";
	r->headers[n] = NULL;
	if (cfg->key != NULL && secret_set_header(cfg->key,
	    strcmp(wire->name, "anthropic") == 0 ? "x-api-key: " :
	    "Authorization: Bearer ") != 0) {
		log_error("%s: the API key is too long", cfg->name);
		free(r);
		return NULL;
	}
	breaker_init(&r->breaker, &cfg->breaker, mono_ms());
	ratelimit_init(&r->rl, cfg->rpm, cfg->tpm, mono_ms());
	return &r->base;
}

json_t *
remote_provider_health(struct provider *p)
{
	struct remote *r = remote_of(p);

	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:f, s:f, s:s?, s:o}",
	    "name", r->cfg->name, "format", r->wire->name,
	    "base_url", r->cfg->base_url,
	    "breaker", breaker_state_name(r->breaker.state),
	    "consecutive_failures", r->breaker.failures,
	    "breaker_since_ms", (json_int_t)(now_ms() -
	    (mono_ms() - r->breaker.changed_at)),
	    "requests", (json_int_t)r->requests,
	    "retries", (json_int_t)r->retries,
	    "failures", (json_int_t)r->failures,
	    "in_flight", (json_int_t)r->in_flight,
	    "rate_waiting", (json_int_t)r->rl.n_waiting,
	    "rpm", r->cfg->rpm, "tpm", r->cfg->tpm,
	    "last_error", r->last_error[0] ? r->last_error : NULL,
	    "last_error_ms", r->last_error_ms > 0 ?
	    json_integer(r->last_error_ms) : json_null());
}
