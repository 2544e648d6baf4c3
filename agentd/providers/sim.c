/*
 * The sim provider: a deterministic model scripted by scenario files
 * (docs/agents.md). A scenario is a list of turns; turn N answers the
 * run's Nth model call with text and/or tool calls after a latency, with
 * token counts. "repeat_from" loops the script (a runaway agent);
 * "after_error" gives a turn's alternative when the last tool failed or an
 * operator rejected it. Texts and tool arguments may hold placeholders for
 * fields of the task and the last call's arguments (sim_template.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonin.h"
#include "log.h"
#include "providers/provider.h"
#include "providers/sim_template.h"
#include "util.h"

/* Bounds of the scenarios directory: bytes of a file, files read. */
#define SIM_SCENARIO_MAX	(4 * 1024 * 1024)
#define SIM_SCENARIOS_MAX	1000

struct sim_turn {
	char *text;			/* final answer or thought, may be NULL */
	char *reasoning;		/* what a reasoning model thought first,
					 * may be NULL */
	json_t *tool_calls;		/* [{name, arguments}] or NULL */
	int64_t latency_ms;
	int64_t tokens_in;		/* -1: estimate from the conversation */
	int64_t tokens_out;		/* -1: estimate from the answer */
	struct sim_turn *after_error;	/* variant after a failed tool, or NULL */
	bool cut;			/* "cut": true: the turn ends as if
					 * max_tokens had cut it */
};

struct sim_scenario {
	char *name;
	struct sim_turn *turns;
	size_t n_turns;
	long repeat_from;		/* -1: no loop */
	struct sim_template tmpl;	/* "task_fields" */
};

struct sim {
	struct loop *loop;
	struct sim_scenario *scenarios;
	size_t n_scenarios;
};

struct sim_pending {
	struct llm_reply reply;
};

static void
turn_finish(struct sim_turn *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->reasoning);
	json_decref(t->tool_calls);
	if (t->after_error != NULL) {
		turn_finish(t->after_error);
		free(t->after_error);
	}
}

static void
scenario_finish(struct sim_scenario *s)
{
	for (size_t i = 0; i < s->n_turns; i++)
		turn_finish(&s->turns[i]);
	free(s->turns);
	free(s->name);
	sim_template_finish(&s->tmpl);
}

/* @path is where the turn is in @file: "turns[3]", "turns[3].after_error". */
static int
parse_turn(json_t *obj, const char *file, const char *path,
    const struct sim_template *tmpl,
    int64_t default_latency, int depth, struct sim_turn *out, char *err,
    size_t errlen)
{
	const char *text = NULL, *reasoning = NULL;
	json_t *calls = NULL, *after = NULL, *c;
	json_int_t latency = default_latency, tin = -1, tout = -1;
	int cut = 0;
	char sub[100], where[400], msg[600];
	size_t i;

	*out = (struct sim_turn){ 0 };
	snprintf(where, sizeof(where), "%s: %s", file, path);
	if (jsonin_unpack(obj, path, msg, sizeof(msg),
	    "{s?s, s?s, s?o, s?I, s?I, s?I, s?o, s?b}", "text", &text,
	    "reasoning", &reasoning, "tool_calls", &calls,
	    "latency_ms", &latency, "tokens_in", &tin, "tokens_out", &tout,
	    "after_error", &after, "cut", &cut) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		return -EINVAL;
	}
	if (text == NULL && calls == NULL) {
		snprintf(err, errlen, "%s: %s: a turn needs \"text\" or "
		    "\"tool_calls\"", file, path);
		return -EINVAL;
	}
	if (latency < 0 || latency > 3600000) {
		snprintf(err, errlen, "%s: %s: latency_ms must be 0..3600000", file,
		    path);
		return -EINVAL;
	}
	if (tin < -1 || tout < -1) {
		snprintf(err, errlen, "%s: %s: token counts must be >= 0", file,
		    path);
		return -EINVAL;
	}
	if (text != NULL && sim_template_check(tmpl, text, where, err,
	    errlen) != 0)
		return -EINVAL;
	if (reasoning != NULL && sim_template_check(tmpl, reasoning, where, err,
	    errlen) != 0)
		return -EINVAL;
	if (calls != NULL) {
		if (!json_is_array(calls) || json_array_size(calls) == 0) {
			snprintf(err, errlen, "%s: %s: tool_calls must be a non-empty "
			    "array", file, path);
			return -EINVAL;
		}
		json_array_foreach(calls, i, c) {
			const char *name;
			json_t *args;
			snprintf(sub, sizeof(sub), "%s.tool_calls[%zu]", path, i);
			if (jsonin_unpack(c, sub, msg, sizeof(msg), "{s:s, s:o}",
			    "name", &name, "arguments", &args) != 0) {
				snprintf(err, errlen, "%s: %s", file, msg);
				return -EINVAL;
			}
			snprintf(where, sizeof(where), "%s: %s.tool_calls[%zu]", file,
			    path, i);
			if (sim_template_check_json(tmpl, args, where, err,
			    errlen) != 0)
				return -EINVAL;
		}
	}
	if (after != NULL) {
		if (depth > 0) {
			snprintf(err, errlen, "%s: %s: after_error cannot nest", file,
			    path);
			return -EINVAL;
		}
		out->after_error = xcalloc(1, sizeof(*out->after_error));
		snprintf(sub, sizeof(sub), "%s.after_error", path);
		if (parse_turn(after, file, sub, tmpl, latency, depth + 1,
		    out->after_error, err, errlen) != 0) {
			free(out->after_error);
			out->after_error = NULL;
			return -EINVAL;
		}
	}
	out->text = text != NULL ? xstrdup(text) : NULL;
	out->reasoning = reasoning != NULL ? xstrdup(reasoning) : NULL;
	out->tool_calls = json_incref(calls);
	out->latency_ms = latency;
	out->tokens_in = tin;
	out->tokens_out = tout;
	out->cut = cut != 0;
	return 0;
}

/* Parses a scenario object; errors name @file and the turn. */
static int
parse_scenario(json_t *root, const char *file, const char *name,
    struct sim_scenario *out, char *err, size_t errlen)
{
	json_t *turns = NULL, *t, *fields = NULL;
	json_int_t latency = 500, repeat_from = -1;
	const char *description = NULL;
	struct sim_scenario s = { .repeat_from = -1 };
	char where[64], msg[600];
	size_t i;

	if (jsonin_unpack(root, "", msg, sizeof(msg), "{s?s, s?I, s:o, s?I, s?o}",
	    "description", &description, "latency_ms", &latency,
	    "turns", &turns, "repeat_from", &repeat_from,
	    "task_fields", &fields) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		return -EINVAL;
	}
	if (!json_is_array(turns) || json_array_size(turns) == 0) {
		snprintf(err, errlen, "%s: turns must be a non-empty array", file);
		return -EINVAL;
	}
	if (latency < 0 || latency > 3600000 || repeat_from < -1 ||
	    repeat_from >= (json_int_t)json_array_size(turns)) {
		snprintf(err, errlen, "%s: latency_ms must be 0..3600000 and "
		    "repeat_from a turn index", file);
		return -EINVAL;
	}
	if (sim_template_parse(fields, file, &s.tmpl, err, errlen) != 0)
		return -EINVAL;
	s.turns = xcalloc(json_array_size(turns), sizeof(*s.turns));
	json_array_foreach(turns, i, t) {
		snprintf(where, sizeof(where), "turns[%zu]", i);
		if (parse_turn(t, file, where, &s.tmpl, latency, 0, &s.turns[i], err,
		    errlen) != 0)
			goto fail;
		s.n_turns++;
	}
	if (repeat_from < 0 && (s.turns[s.n_turns - 1].tool_calls != NULL ||
	    (s.turns[s.n_turns - 1].after_error != NULL &&
	    s.turns[s.n_turns - 1].after_error->tool_calls != NULL))) {
		snprintf(err, errlen, "%s: the last turn (and its after_error) must "
		    "answer with text only, or set repeat_from to loop", file);
		goto fail;
	}
	s.repeat_from = (long)repeat_from;
	s.name = xstrdup(name);
	*out = s;
	return 0;
fail:
	scenario_finish(&s);
	return -EINVAL;
}

int
sim_scenario_validate(const json_t *root, const char *file, char *err,
    size_t errlen)
{
	struct sim_scenario s;

	if (parse_scenario((json_t *)root, file, "check", &s, err, errlen) != 0)
		return -EINVAL;
	scenario_finish(&s);
	return 0;
}

static const struct sim_scenario *
find_scenario(const struct sim *sim, const char *name)
{
	for (size_t i = 0; i < sim->n_scenarios; i++)
		if (strcmp(sim->scenarios[i].name, name) == 0)
			return &sim->scenarios[i];
	return NULL;
}

static int
sim_check_model(struct provider *p, const char *model, char *err, size_t errlen)
{
	if (find_scenario(p->state, model) == NULL) {
		snprintf(err, errlen, "no sim scenario named \"%s\"", model);
		return -EINVAL;
	}
	return 0;
}

/* The turn that answers model call number @turn, or NULL past the end. */
static const struct sim_turn *
pick_turn(const struct sim_scenario *s, const struct llm_request *req)
{
	const struct sim_turn *t;
	size_t idx = (size_t)req->turn, n;
	json_t *last;

	if (idx >= s->n_turns) {
		if (s->repeat_from < 0)
			return NULL;
		n = s->n_turns - (size_t)s->repeat_from;
		idx = (size_t)s->repeat_from + (idx - s->n_turns) % n;
	}
	t = &s->turns[idx];
	last = json_array_get(req->messages, json_array_size(req->messages) - 1);
	if (t->after_error != NULL &&
	    json_is_true(json_object_get(last, "is_error")))
		t = t->after_error;
	return t;
}

static int64_t
sim_estimate(struct provider *p, const struct llm_request *req)
{
	const struct sim_scenario *s = find_scenario(p->state, req->model);
	const struct sim_turn *t = s != NULL ? pick_turn(s, req) : NULL;

	if (t != NULL && t->tokens_in >= 0)
		return t->tokens_in;
	return provider_estimate_tokens(req->messages, req->system);
}

static void
sim_fire(struct timer *timer, void *arg)
{
	struct llm_call *call = arg;
	struct sim_pending *pending = call->impl;
	struct llm_reply reply = pending->reply;

	free(pending);
	call->impl = NULL;
	call->done(call, 0, &reply, NULL);
	llm_reply_finish(&reply);
}

static int
sim_start(struct provider *p, struct llm_call *call,
    const struct llm_request *req)
{
	struct sim *sim = p->state;
	const struct sim_scenario *s = find_scenario(sim, req->model);
	const struct sim_turn *t;
	struct sim_template_vars vars;
	struct sim_pending *pending;
	json_t *calls, *c;
	size_t i;

	if (s == NULL || (t = pick_turn(s, req)) == NULL)
		return -ENOENT;
	sim_template_vars_init(&vars, &s->tmpl, req->messages);
	pending = xcalloc(1, sizeof(*pending));
	pending->reply.cache_read = pending->reply.cache_write = -1;
	pending->reply.cached = -1;
	pending->reply.reasoning_tokens = -1;
	pending->reply.text = t->text != NULL ? sim_template_expand(&vars,
	    t->text) : NULL;
	pending->reply.reasoning = t->reasoning != NULL ?
	    sim_template_expand(&vars, t->reasoning) : NULL;
	if (t->tool_calls != NULL) {
		calls = json_array();
		json_array_foreach(t->tool_calls, i, c) {
			char id[48];
			snprintf(id, sizeof(id), "call_%d_%zu", req->turn, i);
			json_array_append_new(calls, json_pack("{s:s, s:O, s:o}",
			    "id", id, "name", json_object_get(c, "name"),
			    "arguments", sim_template_expand_json(&vars,
			    json_object_get(c, "arguments"))));
		}
		pending->reply.tool_calls = calls;
	}
	sim_template_vars_finish(&vars);
	pending->reply.tokens_in = t->tokens_in >= 0 ? t->tokens_in :
	    provider_estimate_tokens(req->messages, req->system);
	pending->reply.tokens_out = t->tokens_out >= 0 ? t->tokens_out :
	    (int64_t)(pending->reply.text ? strlen(pending->reply.text) / 4 : 0) +
	    (int64_t)(pending->reply.reasoning ? strlen(pending->reply.reasoning)
	    / 4 : 0) + 20 * (int64_t)json_array_size(t->tool_calls) + 1;
	if (pending->reply.tokens_out > req->max_tokens)
		pending->reply.tokens_out = req->max_tokens;
	copy_str(pending->reply.stop_reason, sizeof(pending->reply.stop_reason),
	    t->cut ? "max_tokens" : t->tool_calls != NULL ? "tool_use" :
	    "end_turn");
	call->impl = pending;
	loop_timer_arm(sim->loop, &call->timer, t->latency_ms, sim_fire, call);
	return 0;
}

static void
sim_cancel(struct provider *p, struct llm_call *call)
{
	struct sim *sim = p->state;
	struct sim_pending *pending = call->impl;

	loop_timer_cancel(sim->loop, &call->timer);
	if (pending != NULL) {
		llm_reply_finish(&pending->reply);
		free(pending);
		call->impl = NULL;
	}
}

static void
sim_destroy(struct provider *p)
{
	struct sim *sim;

	if (p == NULL)
		return;
	sim = p->state;
	for (size_t i = 0; i < sim->n_scenarios; i++)
		scenario_finish(&sim->scenarios[i]);
	free(sim->scenarios);
	free(sim);
	free(p);
}

static const struct provider_ops sim_ops = {
	.name = "sim",
	.check_model = sim_check_model,
	.estimate_tokens_in = sim_estimate,
	.start = sim_start,
	.cancel = sim_cancel,
	.destroy = sim_destroy,
};

static void
reject(json_t *errors, const char *file, const char *err)
{
	log_error("sim scenario rejected: %s", err);
	if (errors != NULL)
		jsonin_error_add(errors, file, NULL, err);
}

static void
load_dir(struct sim *sim, const char *dir, json_t *errors)
{
	char **names = NULL, path[4096], err[4700];
	size_t n = 0, more = 0, len;
	json_t *root;
	int r;

	if ((r = jsonin_list_dir(dir, NULL, SIM_SCENARIOS_MAX, &names, &n,
	    &more)) < 0) {
		if (r != -ENOENT)
			log_warn("sim scenarios: cannot open %s: %s", dir,
			    strerror(-r));
		return;
	}
	if (more > 0) {
		snprintf(err, sizeof(err), "%s: %zu more *.json file%s not read: "
		    "at most %d scenarios are loaded (those first in name order)",
		    dir, more, more == 1 ? " was" : "s were", SIM_SCENARIOS_MAX);
		reject(errors, dir, err);
	}
	sim->scenarios = xcalloc(n + 1, sizeof(*sim->scenarios));
	for (size_t i = 0; i < n; i++) {
		len = strlen(names[i]);
		names[i][len - 5] = '\0';	/* the scenario's name */
		if (fmt(path, sizeof(path), "%s/%s.json", dir, names[i]) < 0) {
			snprintf(err, sizeof(err), "%s/%s.json: path too long", dir,
			    names[i]);
			reject(errors, dir, err);
		} else if (jsonin_load_file(path, SIM_SCENARIO_MAX, "a scenario",
		    &root, err, sizeof(err)) != 0) {
			reject(errors, path, err);
		} else {
			if (parse_scenario(root, path, names[i],
			    &sim->scenarios[sim->n_scenarios], err,
			    sizeof(err)) == 0)
				sim->n_scenarios++;
			else
				reject(errors, path, err);
			json_decref(root);
		}
		free(names[i]);
	}
	free(names);
}

struct provider *
sim_provider_create(struct loop *loop, const char *dir, json_t *errors)
{
	struct provider *p = xcalloc(1, sizeof(*p));
	struct sim *sim = xcalloc(1, sizeof(*sim));

	sim->loop = loop;
	if (dir != NULL)
		load_dir(sim, dir, errors);
	p->ops = &sim_ops;
	p->state = sim;
	return p;
}
