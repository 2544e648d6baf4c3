/*
 * An in-process engine on a temporary directory, driven through the same
 * request handler as the control socket (ctl_handle). Agents and sim
 * scenarios come from tests/data/agents (or another dir of tests/data).
 */
#ifndef AGENTD_TEST_FIXTURE_H
#define AGENTD_TEST_FIXTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "engine.h"
#include "util.h"

struct fixture {
	char dir[64];			/* temp root */
	char agents[256];		/* tests/data/... */
	char data[96];			/* dir/data */
	const struct engine_retention *keep;	/* NULL: the defaults */
	struct engine *e;
};

#ifndef TEST_DATA
#error "TEST_DATA must name tests/data"
#endif

/* @agents: a directory under tests/data ("agents", "bad-agents"). */
static void
fx_init_with(struct fixture *fx, const char *agents)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/agentd-test-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		abort();
	snprintf(fx->agents, sizeof(fx->agents), "%s/%s", TEST_DATA, agents);
	snprintf(fx->data, sizeof(fx->data), "%s/data", fx->dir);
}

static void
fx_init(struct fixture *fx)
{
	fx_init_with(fx, "agents");
}

static int
fx_start(struct fixture *fx)
{
	struct engine_config cfg = { .data_dir = fx->data,
	    .agents_dir = fx->agents, .retention = fx->keep };
	int r;

	if ((r = engine_create(&cfg, &fx->e)) != 0)
		return r;
	return engine_recover(fx->e);
}

/* A crash: the engine goes away without its shutdown (nothing flushed). */
static void
fx_crash(struct fixture *fx)
{
	engine_destroy(fx->e);
	fx->e = NULL;
}

static void
fx_stop(struct fixture *fx)
{
	if (fx->e != NULL) {
		engine_shutdown(fx->e);
		engine_destroy(fx->e);
	}
	fx->e = NULL;
}

static void
fx_finish(struct fixture *fx)
{
	char cmd[128];

	fx_stop(fx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fx->dir);
}

/* Sends a request as uid @uid; returns the whole reply object (new). */
static json_t *
fx_call_as(struct fixture *fx, uint32_t uid, const char *type, json_t *body)
{
	static int64_t id = 1000;
	json_t *req = json_pack("{s:i, s:s, s:I}", "v", 1, "type", type,
	    "id", (json_int_t)id++);
	char *text, *reply;
	size_t len;
	json_t *out;

	if (body != NULL)
		json_object_set_new(req, "body", body);
	text = json_dumps(req, JSON_COMPACT);
	reply = ctl_handle(fx->e, text, strlen(text), uid, &len);
	out = json_loadb(reply, len, 0, NULL);
	free(text);
	free(reply);
	json_decref(req);
	return out;
}

static json_t *
fx_call(struct fixture *fx, const char *type, json_t *body)
{
	return fx_call_as(fx, fx->e->uid, type, body);
}

/* Body of a successful reply (borrowed from @reply), or NULL. */
static json_t *
fx_body(json_t *reply)
{
	return json_is_true(json_object_get(reply, "ok")) ?
	    json_object_get(reply, "body") : NULL;
}

static const char *
fx_error_code(json_t *reply)
{
	return json_string_value(json_object_get(json_object_get(reply, "error"),
	    "code"));
}

/* Submits and returns the run id (static buffer) or "" on error. */
static const char *
fx_submit(struct fixture *fx, const char *agent, const char *task)
{
	static char id[32];
	json_t *reply = fx_call(fx, "runs.submit", json_pack("{s:s, s:s}",
	    "agent", agent, "task", task));
	const char *s = json_string_value(json_object_get(json_object_get(
	    fx_body(reply), "run"), "id"));

	copy_str(id, sizeof(id), s ? s : "");
	if (s == NULL)
		fprintf(stdout, "# submit failed: %s\n", json_dumps(reply, 0));
	json_decref(reply);
	return id;
}

/* The run's detail object (new) or NULL. */
static json_t *
fx_run(struct fixture *fx, const char *id)
{
	json_t *reply = fx_call(fx, "runs.get", json_pack("{s:s}", "run", id));
	json_t *body = json_incref(fx_body(reply));

	json_decref(reply);
	return body;
}

static char fx_state_buf[32];

static const char *
fx_state(struct fixture *fx, const char *id)
{
	struct run *run = engine_find_run(fx->e, id);
	json_t *d;

	if (run != NULL)
		return run_state_name(run->state);
	d = fx_run(fx, id);
	copy_str(fx_state_buf, sizeof(fx_state_buf),
	    d ? json_string_value(json_object_get(d, "state")) : "?");
	json_decref(d);
	return fx_state_buf;
}

/* Runs the loop until the run is in @state or @ms pass. */
static bool
fx_wait_state(struct fixture *fx, const char *id, const char *state, int ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end) {
		if (strcmp(fx_state(fx, id), state) == 0)
			return true;
		loop_run_once(fx->e->loop, 5);
	}
	return strcmp(fx_state(fx, id), state) == 0;
}

static void
fx_spin(struct fixture *fx, int ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end)
		loop_run_once(fx->e->loop, 5);
}

/* Number of events of @type for @run (NULL: all runs) in the store. */
static int
fx_count_events(struct fixture *fx, const char *run, const char *type)
{
	json_t *reply = fx_call(fx, "runs.events", run ?
	    json_pack("{s:s, s:s, s:i}", "run", run, "type", type, "limit", 10000) :
	    json_pack("{s:s, s:i}", "type", type, "limit", 10000));
	int n = (int)json_array_size(json_object_get(fx_body(reply), "events"));

	json_decref(reply);
	return n;
}

#endif
