/*
 * tests/fake_provider/fake_provider.py as a child of the test: started
 * once (fake_start), stopped at exit (atexit) or when the test process
 * dies (PR_SET_PDEATHSIG). Its control endpoints are reached through
 * agentd's own http.c, each request on a loop of its own that is destroyed
 * after it, so no control connection stays open between calls.
 */
#ifndef AGENTD_TEST_FAKE_SERVER_H
#define AGENTD_TEST_FAKE_SERVER_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "http.h"
#include "loop.h"
#include "util.h"

#ifndef FAKE_PROVIDER
#error "FAKE_PROVIDER must name tests/fake_provider/fake_provider.py"
#endif
#ifndef SCENARIOS_DIR
#error "SCENARIOS_DIR must name examples/agents/scenarios"
#endif

/* Every wait in these tests is for a condition, bounded by this; it only
 * matters when something is broken (valgrind makes everything slow). */
#define FAKE_DEADLINE_MS 30000

struct fake_server {
	pid_t pid;			/* 0: not running */
	int port;
	char dir[64];			/* temp dir holding the port file */
	char port_file[96];
	char url[64];			/* "http://127.0.0.1:PORT" */
};

static struct fake_server fake;

static void
fake_stop(void)
{
	if (fake.pid > 0) {
		kill(fake.pid, SIGTERM);
		while (waitpid(fake.pid, NULL, 0) < 0 && errno == EINTR)
			;
		fake.pid = 0;
	}
	if (fake.port_file[0] != '\0')
		unlink(fake.port_file);
	if (fake.dir[0] != '\0')
		rmdir(fake.dir);
	fake.port_file[0] = fake.dir[0] = '\0';
}

/* Starts the server (once) with the two keys it accepts. 0 or -1. */
static int
fake_start(const char *openai_key, const char *anthropic_key)
{
	int64_t end;
	pid_t parent = getpid();

	if (fake.pid > 0)
		return 0;
	snprintf(fake.dir, sizeof(fake.dir), "/tmp/agentd-fake-XXXXXX");
	if (mkdtemp(fake.dir) == NULL) {
		fake.dir[0] = '\0';
		return -1;
	}
	snprintf(fake.port_file, sizeof(fake.port_file), "%s/port", fake.dir);
	if ((fake.pid = fork()) < 0) {
		fake.pid = 0;
		return -1;
	}
	if (fake.pid == 0) {
		/* the server goes when we go, even on a crash or a kill */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		dup2(2, 1);	/* stdout is the TAP stream */
		execlp("python3", "python3", FAKE_PROVIDER, "serve",
		    "--port-file", fake.port_file, "--scenarios", SCENARIOS_DIR,
		    "--openai-key", openai_key, "--anthropic-key", anthropic_key,
		    (char *)NULL);
		_exit(127);
	}
	atexit(fake_stop);
	end = mono_ms() + FAKE_DEADLINE_MS;
	while (mono_ms() < end) {
		FILE *f = fopen(fake.port_file, "r");
		int port = 0;
		if (f != NULL) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port > 0) {
			fake.port = port;
			snprintf(fake.url, sizeof(fake.url), "http://127.0.0.1:%d",
			    port);
			return 0;
		}
		if (waitpid(fake.pid, NULL, WNOHANG) == fake.pid) {
			fake.pid = 0;
			return -1;
		}
		usleep(20 * 1000);
	}
	return -1;
}

struct fake_reply {
	bool done;
	int status;			/* on_done's */
	long code;			/* HTTP status */
	char *body;
	size_t len;
};

static int
fake_on_head(void *arg, const struct http_head *head)
{
	((struct fake_reply *)arg)->code = head->status;
	return 0;
}

static int
fake_on_body(void *arg, const char *data, size_t len)
{
	struct fake_reply *r = arg;

	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return 0;
}

static void
fake_on_done(void *arg, int status, const char *error)
{
	struct fake_reply *r = arg;

	r->done = true;
	r->status = status;
}

/* @method_body NULL: GET, else POST with that JSON. Returns the HTTP status
 * (or a negative errno); *out (if not NULL) gets the body, owned. */
static long
fake_request(const char *path, const char *post_body, char **out)
{
	static const struct http_callbacks cb = { .on_head = fake_on_head,
	    .on_body = fake_on_body, .on_done = fake_on_done };
	static const char *const headers[] = {
		"Content-Type: application/json", NULL };
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t = NULL;
	struct fake_reply r = { 0 };
	char url[256];
	struct http_request req = { .url = url, .body = post_body,
	    .body_len = post_body ? strlen(post_body) : 0, .headers = headers,
	    .timeout_ms = FAKE_DEADLINE_MS };
	int64_t end = mono_ms() + FAKE_DEADLINE_MS;
	long code;

	snprintf(url, sizeof(url), "%s%s", fake.url, path);
	if (http_start(c, &req, &cb, &r, &t) != 0)
		r.done = true, r.status = -EIO;
	while (!r.done && mono_ms() < end)
		loop_run_once(loop, 100);
	if (!r.done)
		http_cancel(t);
	code = !r.done ? -ETIMEDOUT : r.status != 0 ? r.status : r.code;
	http_client_destroy(c);
	loop_destroy(loop);
	if (out != NULL)
		*out = r.body;
	else
		free(r.body);
	return code;
}

static json_t *
fake_get_json(const char *path)
{
	char *body = NULL;
	json_t *j = NULL;

	if (fake_request(path, NULL, &body) == 200 && body != NULL)
		j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

/* Clears faults, the request log and the counters. */
static int
fake_reset(void)
{
	return fake_request("/_fake/reset", "{}", NULL) == 200 ? 0 : -1;
}

/* Queues faults: @faults is a JSON array text. */
static int
fake_faults(const char *faults)
{
	char body[2048];

	snprintf(body, sizeof(body), "{\"faults\":%s}", faults);
	return fake_request("/_fake/faults", body, NULL) == 200 ? 0 : -1;
}

/* The API requests the fake has seen since the last reset (new ref). */
static json_t *
fake_requests(void)
{
	return fake_get_json("/_fake/requests");
}

/* One number of /_fake/stats ("requests", "open_connections"…); -1 on
 * error. */
static long long
fake_stat(const char *name)
{
	json_t *j = fake_get_json("/_fake/stats");
	long long v = -1;

	if (j != NULL && json_is_integer(json_object_get(j, name)))
		v = json_integer_value(json_object_get(j, name));
	json_decref(j);
	return v;
}

/* Waits until stat @name is @want (the control request itself holds one
 * open connection while it is answered). True when it got there. */
static bool
fake_wait_stat(const char *name, long long want)
{
	int64_t end = mono_ms() + FAKE_DEADLINE_MS;

	while (mono_ms() < end) {
		if (fake_stat(name) == want)
			return true;
		usleep(20 * 1000);
	}
	return false;
}

#endif
