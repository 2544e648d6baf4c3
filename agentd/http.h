/*
 * HTTP requests on the loop's one curl multi handle: started at once,
 * never blocking, no thread per request. The response comes back through
 * callbacks on the loop's thread: the head (status and the headers we use),
 * then body bytes as they arrive, then the end. This is the only module
 * that sees CURLcode; errors come out as negative errnos with a message.
 *
 * Time limits are loop timers of the transfer's own: timeout_ms bounds a
 * whole transfer, or for a stream (the receiver calls http_stream() from
 * on_head) only the wait for its first data; a stream is then bounded by
 * its silences (idle_timeout_ms), quiet_ms tells the receiver of a silence
 * before it becomes an error, and stream_timeout_ms bounds it whole.
 */
#ifndef AGENTD_HTTP_H
#define AGENTD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

struct http_transfer;

struct http_head {
	long status;			/* 200, 429… */
	int64_t retry_after_ms;		/* Retry-After / retry-after-ms; -1: none */
	char content_type[64];		/* lower case, parameters cut */
};

struct http_callbacks {
	/* Once, before any body byte. Non-zero aborts the transfer (on_done
	 * follows with that value). */
	int (*on_head)(void *arg, const struct http_head *head);
	/* Body bytes as they arrive; non-zero aborts as above. */
	int (*on_body)(void *arg, const char *data, size_t len);
	/* Exactly once, unless http_cancel() came first: 0 when the whole
	 * response arrived, else a negative errno (-ETIMEDOUT, -ECONNREFUSED,
	 * -ECONNRESET, -EPROTO for a response cut short, -EIO…) or the value a
	 * callback returned, with a message. The transfer is gone after it. */
	void (*on_done)(void *arg, int status, const char *error);
	/* A stream (http_stream) has sent nothing for @silent_ms, at least
	 * the request's quiet_ms: once per silence; the next body byte ends
	 * it (on_body as usual). From a loop timer; may be NULL. */
	void (*on_quiet)(void *arg, int64_t silent_ms);
};

struct http_request {
	const char *url;
	const char *body;		/* POST body (copied), NULL for GET */
	size_t body_len;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char *secret_header;	/* one more header that holds a key: it
					 * is never logged or put in errors */
	int64_t timeout_ms;		/* whole transfer, or until the first
					 * body byte of a stream; 0: none */
	int64_t connect_timeout_ms;	/* 0: curl's default */
	int64_t idle_timeout_ms;	/* a stream's longest silence between
					 * body bytes, once the first came;
					 * then -ETIMEDOUT; 0: none */
	int64_t quiet_ms;		/* such a silence that on_quiet
					 * reports; 0: none */
	int64_t stream_timeout_ms;	/* a stream's whole time, from the
					 * start however it keeps sending;
					 * then -ETIMEDOUT; 0: none */
};

struct http_client;

/* Transfers go through @loop's multi handle. @max_host_connections bounds
 * the parallel connections to one host (0: no bound); more requests queue
 * inside curl. */
struct http_client *http_client_create(struct loop *loop,
    long max_host_connections);
/* Cancels what is still running (no callbacks). */
void http_client_destroy(struct http_client *c);

/* Starts @req. On success *out is the transfer (valid until on_done or
 * http_cancel). */
int http_start(struct http_client *c, const struct http_request *req,
    const struct http_callbacks *cb, void *arg, struct http_transfer **out);
/* From on_head: the response is a stream. timeout_ms bounds the wait for
 * its first body byte; from then on idle_timeout_ms and quiet_ms apply
 * instead, and stream_timeout_ms all along. */
void http_stream(struct http_transfer *t);
/* Stops a transfer at once; no callback follows. Not from inside one of
 * the transfer's own callbacks (return non-zero there instead). */
void http_cancel(struct http_transfer *t);
/* Transfers started and not yet ended. */
size_t http_client_active(const struct http_client *c);

/* Parses a Retry-After value (delta-seconds or an HTTP date) into ms from
 * @now_s (Unix seconds); -1 when it is neither. */
int64_t http_parse_retry_after(const char *value, int64_t now_s);

#endif
