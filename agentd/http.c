/*
 * HTTP on the loop's curl multi handle (see http.h). Each transfer is an
 * easy handle whose CURLOPT_PRIVATE points to its struct loop_transfer;
 * loop.c reaps finished ones and calls back here. Its time limits are one
 * loop timer, armed for the earliest of them and looked at again when it
 * fires (body bytes only note the time: no timer work per chunk).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "util.h"

struct http_client {
	struct loop *loop;
	CURLM *multi;			/* the loop's (borrowed) */
	struct http_transfer *active;	/* doubly linked */
	size_t n_active;
};

struct http_transfer {
	struct loop_transfer lt;	/* first: what CURLOPT_PRIVATE points to */
	struct http_client *client;
	struct http_transfer *prev, *next;
	CURL *easy;
	struct curl_slist *headers;	/* may hold a key: wiped before freed */
	struct http_callbacks cb;
	void *arg;
	struct http_head head;
	bool head_sent;			/* on_head was called */
	bool in_header_block;		/* between a status line and its blank line */
	int abort_status;		/* what a callback returned, 0 if none */
	int64_t timeout_ms;		/* the request's */
	int64_t connect_timeout_ms;
	int64_t idle_timeout_ms;
	int64_t quiet_ms;
	int64_t stream_timeout_ms;
	int64_t started;		/* mono ms */
	bool stream;			/* http_stream(): the stream's limits */
	bool data_came;			/* a stream's first body byte came:
					 * silences count, not timeout_ms */
	int64_t last_data;		/* mono ms of its last body byte */
	bool quiet_told;		/* on_quiet was called for this silence */
	struct timer timer;		/* the next time limit */
	char error[CURL_ERROR_SIZE];
};

static void limits_arm(struct http_transfer *t);

struct http_client *
http_client_create(struct loop *loop, long max_host_connections)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->multi = loop_curl_multi(loop);
	if (max_host_connections > 0)
		curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    max_host_connections);
	return c;
}

static void
transfer_free(struct http_transfer *t)
{
	struct http_client *c = t->client;

	loop_timer_cancel(c->loop, &t->timer);
	curl_multi_remove_handle(c->multi, t->easy);
	curl_easy_cleanup(t->easy);
	for (struct curl_slist *h = t->headers; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(t->headers);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		c->active = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	c->n_active--;
	free(t);
}

void
http_client_destroy(struct http_client *c)
{
	if (c == NULL)
		return;
	while (c->active != NULL)
		transfer_free(c->active);
	free(c);
}

size_t
http_client_active(const struct http_client *c)
{
	return c->n_active;
}

int64_t
http_parse_retry_after(const char *value, int64_t now_s)
{
	char *end;
	double secs;
	time_t when;

	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		errno = 0;
		secs = strtod(value, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (errno != 0 || *end != '\0' || secs < 0 || secs > 86400.0)
			return -1;
		return (int64_t)(secs * 1000.0 + 0.5);
	}
	if ((when = curl_getdate(value, NULL)) == -1)
		return -1;
	return when <= now_s ? 0 : ((int64_t)when - now_s) * 1000;
}

/* "Name: value" with @name matched case-insensitively; the value trimmed
 * into @out. */
static bool
header_value(const char *line, size_t len, const char *name, char *out,
    size_t outlen)
{
	size_t n = strlen(name), v;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	v = MIN(len, outlen - 1);
	memcpy(out, line, v);
	out[v] = '\0';
	return true;
}

static int
send_head(struct http_transfer *t)
{
	long status = 0;

	t->head_sent = true;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	t->head.status = status;
	if (t->cb.on_head == NULL)
		return 0;
	return t->cb.on_head(t->arg, &t->head);
}

static size_t
on_header(char *line, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;
	char value[128];

	if (t->head_sent || t->abort_status != 0)
		return len;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new header block (after a 1xx one): start over */
		t->in_header_block = true;
		t->head.retry_after_ms = -1;
		t->head.content_type[0] = '\0';
		return len;
	}
	if (len <= 2 && (line[0] == '\r' || line[0] == '\n')) {
		long status = 0;
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		t->in_header_block = false;
		if (status >= 200 && (t->abort_status = send_head(t)) != 0)
			return 0;
		return len;
	}
	if (header_value(line, len, "retry-after-ms", value, sizeof(value))) {
		char *end;
		double ms = strtod(value, &end);
		if (end != value && *end == '\0' && ms >= 0 && ms < 86400e3)
			t->head.retry_after_ms = (int64_t)ms;
	} else if (header_value(line, len, "retry-after", value, sizeof(value))) {
		int64_t ms = http_parse_retry_after(value, (int64_t)time(NULL));
		/* retry-after-ms, when both came, is the more precise one */
		if (ms >= 0 && t->head.retry_after_ms < 0)
			t->head.retry_after_ms = ms;
	} else if (header_value(line, len, "content-type", value, sizeof(value))) {
		size_t i;
		for (i = 0; value[i] != '\0' && value[i] != ';' &&
		    i + 1 < sizeof(t->head.content_type); i++)
			t->head.content_type[i] = (char)tolower((unsigned char)value[i]);
		while (i > 0 && t->head.content_type[i - 1] == ' ')
			i--;
		t->head.content_type[i] = '\0';
	}
	return len;
}

static size_t
on_write(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;

	if (t->abort_status != 0)
		return 0;
	if (!t->head_sent && (t->abort_status = send_head(t)) != 0)
		return 0;
	if (t->stream) {
		t->last_data = mono_ms();
		if (!t->data_came || t->quiet_told) {
			/* the first data, or the end of a silence that was
			 * told: the limits change */
			t->data_came = true;
			t->quiet_told = false;
			limits_arm(t);
		}
	}
	if (t->cb.on_body != NULL &&
	    (t->abort_status = t->cb.on_body(t->arg, data, len)) != 0)
		return 0;
	return len;
}

/* A CURLcode as an errno and words an operator can act on. */
static int
curl_status(struct http_transfer *t, CURLcode rc, char *msg, size_t msglen)
{
	const char *detail = t->error[0] != '\0' ? t->error : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		/* the only limit curl enforces is the connect timeout */
		if (t->connect_timeout_ms > 0)
			snprintf(msg, msglen, "cannot connect within %lld ms: %s",
			    (long long)t->connect_timeout_ms, detail);
		else
			snprintf(msg, msglen, "cannot connect: %s", detail);
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		snprintf(msg, msglen, "cannot connect: %s", detail);
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(msg, msglen, "cannot resolve the host: %s", detail);
		return -EHOSTUNREACH;
	case CURLE_PARTIAL_FILE:
		snprintf(msg, msglen, "the response was cut short: %s", detail);
		return -EPROTO;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		snprintf(msg, msglen, "the connection broke: %s", detail);
		return -ECONNRESET;
	default:
		snprintf(msg, msglen, "%s", detail);
		return -EIO;
	}
}

static void
transfer_done(struct loop_transfer *lt, int curl_result)
{
	struct http_transfer *t = (struct http_transfer *)lt;
	struct http_callbacks cb = t->cb;
	void *arg = t->arg;
	char msg[CURL_ERROR_SIZE + 64] = "";
	int status = 0;

	if (t->abort_status != 0) {
		status = t->abort_status;
		snprintf(msg, sizeof(msg), "stopped by the receiver");
	} else if ((CURLcode)curl_result != CURLE_OK) {
		status = curl_status(t, (CURLcode)curl_result, msg, sizeof(msg));
	} else if (!t->head_sent && (status = send_head(t)) != 0) {
		snprintf(msg, sizeof(msg), "stopped by the receiver");
	}
	transfer_free(t);
	cb.on_done(arg, status, status != 0 ? msg : NULL);
}

/* "30 s", "1.5 s", "250 ms" */
static void
say_ms(char *out, size_t outlen, int64_t ms)
{
	if (ms < 1000)
		snprintf(out, outlen, "%lld ms", (long long)ms);
	else if (ms % 1000 == 0)
		snprintf(out, outlen, "%lld s", (long long)(ms / 1000));
	else
		snprintf(out, outlen, "%.1f s", (double)ms / 1000.0);
}

/* A time limit ran out: the transfer ends as if curl had said so. */
static void
expire(struct http_transfer *t, const char *msg)
{
	struct http_callbacks cb = t->cb;
	void *arg = t->arg;

	transfer_free(t);
	cb.on_done(arg, -ETIMEDOUT, msg);
}

static void
limits_fire(struct timer *timer, void *arg)
{
	struct http_transfer *t = arg;
	int64_t now = mono_ms(), silent = now - t->last_data;
	char msg[128], d[32];

	(void)timer;
	if (t->stream && t->stream_timeout_ms > 0 &&
	    now - t->started >= t->stream_timeout_ms) {
		say_ms(d, sizeof(d), t->stream_timeout_ms);
		snprintf(msg, sizeof(msg), "the stream was still going after %s",
		    d);
		expire(t, msg);
		return;
	}
	if (!t->stream || !t->data_came) {
		if (t->timeout_ms > 0 && now - t->started >= t->timeout_ms) {
			snprintf(msg, sizeof(msg), t->stream ? "no data within "
			    "%lld ms" : "no complete response within %lld ms",
			    (long long)t->timeout_ms);
			expire(t, msg);
			return;
		}
	} else if (t->idle_timeout_ms > 0 && silent >= t->idle_timeout_ms) {
		say_ms(d, sizeof(d), t->idle_timeout_ms);
		snprintf(msg, sizeof(msg), "no data for %s in the stream", d);
		expire(t, msg);
		return;
	} else if (t->quiet_ms > 0 && !t->quiet_told && silent >= t->quiet_ms) {
		t->quiet_told = true;
		limits_arm(t);
		/* last: nothing of @t is used after the call */
		if (t->cb.on_quiet != NULL)
			t->cb.on_quiet(t->arg, silent);
		return;
	}
	limits_arm(t);
}

/* The earlier of two due times (-1: none). */
static int64_t
earlier(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	return b < 0 ? a : MIN(a, b);
}

/* Arms the timer for the earliest limit still to come, if any. */
static void
limits_arm(struct http_transfer *t)
{
	int64_t due = -1;

	if (!t->stream || !t->data_came) {
		if (t->timeout_ms > 0)
			due = t->started + t->timeout_ms;
	} else {
		if (t->idle_timeout_ms > 0)
			due = t->last_data + t->idle_timeout_ms;
		if (t->quiet_ms > 0 && !t->quiet_told)
			due = earlier(due, t->last_data + t->quiet_ms);
	}
	if (t->stream && t->stream_timeout_ms > 0)
		due = earlier(due, t->started + t->stream_timeout_ms);
	if (due < 0) {
		loop_timer_cancel(t->client->loop, &t->timer);
		return;
	}
	loop_timer_arm(t->client->loop, &t->timer, MAX(due - mono_ms(), 0),
	    limits_fire, t);
}

void
http_stream(struct http_transfer *t)
{
	if (t == NULL || t->stream)
		return;
	t->stream = true;
	t->data_came = false;
	t->quiet_told = false;
	limits_arm(t);
}

int
http_start(struct http_client *c, const struct http_request *req,
    const struct http_callbacks *cb, void *arg, struct http_transfer **out)
{
	struct http_transfer *t = xcalloc(1, sizeof(*t));
	struct curl_slist *h;
	CURLMcode mc;

	t->lt.done = transfer_done;
	t->client = c;
	t->cb = *cb;
	t->arg = arg;
	t->head.retry_after_ms = -1;
	t->timeout_ms = MAX(req->timeout_ms, 0);
	t->connect_timeout_ms = req->connect_timeout_ms;
	t->idle_timeout_ms = MAX(req->idle_timeout_ms, 0);
	t->stream_timeout_ms = MAX(req->stream_timeout_ms, 0);
	t->quiet_ms = MAX(req->quiet_ms, 0);
	t->started = mono_ms();
	if ((t->easy = curl_easy_init()) == NULL) {
		free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		if ((h = curl_slist_append(t->headers, req->headers[i])) != NULL)
			t->headers = h;
	if (req->secret_header != NULL &&
	    (h = curl_slist_append(t->headers, req->secret_header)) != NULL)
		t->headers = h;
	/* no "Expect: 100-continue" round trip for large bodies */
	if ((h = curl_slist_append(t->headers, "Expect:")) != NULL)
		t->headers = h;
	curl_easy_setopt(t->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, (char *)&t->lt);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "agentd/" AGENTD_VERSION);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
	curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(t->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	if (req->body != NULL) {
		curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(t->easy, CURLOPT_COPYPOSTFIELDS, req->body);
	}
	if (req->connect_timeout_ms > 0)
		curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS,
		    (long)req->connect_timeout_ms);
	t->next = c->active;
	if (c->active != NULL)
		c->active->prev = t;
	c->active = t;
	c->n_active++;
	if ((mc = curl_multi_add_handle(c->multi, t->easy)) != CURLM_OK) {
		log_error("curl_multi_add_handle: %s", curl_multi_strerror(mc));
		transfer_free(t);
		return -EIO;
	}
	limits_arm(t);
	*out = t;
	return 0;
}

void
http_cancel(struct http_transfer *t)
{
	if (t != NULL)
		transfer_free(t);
}
