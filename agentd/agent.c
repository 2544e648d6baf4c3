#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "engine.h"
#include "patterns/registry.h"
#include "jsonin.h"
#include "log.h"
#include "util.h"

#define DEFAULT_DEADLINE_MS	(15 * 60 * 1000)

struct agent *
agent_ref(struct agent *agent)
{
	if (agent != NULL)
		agent->refs++;
	return agent;
}

void
agent_unref(struct agent *agent)
{
	if (agent == NULL || --agent->refs > 0)
		return;
	for (size_t i = 0; i < agent->n_tools; i++)
		tool_def_finish(&agent->tools[i]);
	free(agent->tools);
	json_decref(agent->tools_json);
	free(agent->name);
	free(agent->description);
	free(agent->file);
	free(agent->model);
	free(agent->route_model);
	free(agent->system);
	free(agent);
}

const struct tool_def *
agent_find_tool(const struct agent *agent, const char *name)
{
	for (size_t i = 0; i < agent->n_tools; i++)
		if (strcmp(agent->tools[i].name, name) == 0)
			return &agent->tools[i];
	return NULL;
}

static int
parse_deadlines(const json_t *esc, struct agent *a, const char *file,
    char *err, size_t errlen)
{
	json_t *deadlines = NULL, *value;
	const char *key;
	enum tool_risk risk;
	char msg[600], quoted[100];

	if (jsonin_unpack((json_t *)esc, "escalation", msg, sizeof(msg), "{s?o}",
	    "deadline_s", &deadlines) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		return -EINVAL;
	}
	if (deadlines == NULL)
		return 0;
	if (!json_is_object(deadlines)) {
		snprintf(err, errlen, "%s: escalation.deadline_s must be an object "
		    "like {\"high\": 600}", file);
		return -EINVAL;
	}
	json_object_foreach(deadlines, key, value) {
		/* low and medium matter for the escalations of calls whose
		 * outcome is unknown after a restart */
		if (tool_risk_from_name(key, &risk) != 0) {
			jsonin_quote(key, 64, quoted, sizeof(quoted));
			snprintf(err, errlen, "%s: escalation.deadline_s: %s is "
			    "not a risk level (low, medium, high, critical)", file,
			    quoted);
			return -EINVAL;
		}
		if (!json_is_integer(value)) {
			snprintf(err, errlen, "%s: escalation.deadline_s: field "
			    "\"%s\" must be an integer, not %s", file, key,
			    jsonin_type_name(value));
			return -EINVAL;
		}
		if (json_integer_value(value) <= 0 ||
		    json_integer_value(value) > 7 * 24 * 3600) {
			snprintf(err, errlen, "%s: escalation.deadline_s.%s must be "
			    "seconds in 1..604800", file, key);
			return -EINVAL;
		}
		a->deadline_ms[risk] = (int64_t)json_integer_value(value) * 1000;
	}
	return 0;
}

/* "routing": {"model": "openai:gpt-4o-mini", "turns": [1]} — the cheap
 * model answers those model turns (default: the first), the agent's model
 * the others. */
/*
 * "truncation": {"policy": "continue", "max_continues": 2} (the default) or
 * {"policy": "fail"}: what follows an answer cut by max_tokens.
 */
static int
parse_truncation(const json_t *t, const char *file, struct agent *a,
    char *err, size_t errlen)
{
	const char *policy = "continue";
	json_int_t n = AGENT_CONTINUES_DEFAULT;
	bool has_n = json_object_get(t, "max_continues") != NULL;
	char msg[300], quoted[80];

	if (jsonin_unpack((json_t *)t, "truncation", msg, sizeof(msg),
	    "{s?s, s?I}", "policy", &policy, "max_continues", &n) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		return -EINVAL;
	}
	if (strcmp(policy, "fail") == 0) {
		if (has_n) {
			snprintf(err, errlen, "%s: truncation: max_continues is for "
			    "policy \"continue\", not \"fail\"", file);
			return -EINVAL;
		}
		a->truncation_continues = 0;
		return 0;
	}
	if (strcmp(policy, "continue") != 0) {
		jsonin_quote(policy, 32, quoted, sizeof(quoted));
		snprintf(err, errlen, "%s: truncation: policy %s is not one of "
		    "\"continue\", \"fail\"", file, quoted);
		return -EINVAL;
	}
	if (n < 1 || n > AGENT_CONTINUES_MAX) {
		snprintf(err, errlen, "%s: truncation: max_continues must be "
		    "1..%d (policy \"fail\" continues none)", file,
		    AGENT_CONTINUES_MAX);
		return -EINVAL;
	}
	a->truncation_continues = (int)n;
	return 0;
}

static int
parse_routing(const json_t *routing, const char *file, struct agent *a,
    char *err, size_t errlen)
{
	const char *model = NULL;
	json_t *turns = NULL, *t;
	char msg[600], quoted[200];
	size_t i;

	if (jsonin_unpack((json_t *)routing, "routing", msg, sizeof(msg),
	    "{s:s, s?o}", "model", &model, "turns", &turns) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		return -EINVAL;
	}
	if (strchr(model, ':') == NULL || strlen(model) >= 96) {
		jsonin_quote(model, 96, quoted, sizeof(quoted));
		snprintf(err, errlen, "%s: routing.model %s must be "
		    "provider:name under 96 bytes (e.g. openai:gpt-4o-mini)", file,
		    quoted);
		return -EINVAL;
	}
	if (turns == NULL) {
		a->route_turns[a->n_route_turns++] = 1;
	} else if (!json_is_array(turns) || json_array_size(turns) == 0 ||
	    json_array_size(turns) > sizeof(a->route_turns) /
	    sizeof(a->route_turns[0])) {
		snprintf(err, errlen, "%s: routing.turns must be a list of 1 to 16 "
		    "model turn numbers", file);
		return -EINVAL;
	}
	json_array_foreach(turns, i, t) {
		if (!json_is_integer(t) || json_integer_value(t) < 1 ||
		    json_integer_value(t) > 1000000) {
			snprintf(err, errlen, "%s: routing.turns[%zu]: a model turn "
			    "number from 1", file, i);
			return -EINVAL;
		}
		a->route_turns[a->n_route_turns++] = (int)json_integer_value(t);
	}
	a->route_model = xstrdup(model);
	return 0;
}

bool
agent_routes_turn(const struct agent *agent, int turn)
{
	for (size_t i = 0; agent->route_model != NULL &&
	    i < agent->n_route_turns; i++)
		if (agent->route_turns[i] == turn)
			return true;
	return false;
}

int
agent_parse(const json_t *spec, const char *file, struct agent **out,
    char *err, size_t errlen)
{
	struct agent *a = xcalloc(1, sizeof(*a));
	const char *name = NULL, *description = "", *pattern = "react";
	const char *model = NULL, *system = "";
	json_t *budget = NULL, *tools = NULL, *esc = NULL, *loop = NULL;
	json_t *routing = NULL, *truncation = NULL;
	json_int_t max_tokens = 1024, max_repeats = 0, max_invalid = 3;
	json_int_t llm_timeout = 0;
	char where[32], msg[600], quoted[200];
	int r = -EINVAL;

	a->refs = 1;
	a->file = xstrdup(file);
	if (jsonin_unpack((json_t *)spec, "", msg, sizeof(msg),
	    "{s:s, s?s, s?s, s:s, s?s, s?I, s?o, s?o, s?o, s?o, s?I, s?o, s?I,"
	    " s?o}",
	    "name", &name, "description", &description, "pattern", &pattern,
	    "model", &model, "system", &system, "max_tokens", &max_tokens,
	    "budget", &budget, "tools", &tools, "escalation", &esc,
	    "loop_guard", &loop, "max_invalid_args", &max_invalid,
	    "routing", &routing, "llm_timeout_ms", &llm_timeout,
	    "truncation", &truncation) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		goto out;
	}
	if ((a->pattern = pattern_find(pattern)) == NULL) {
		char names[200];
		jsonin_quote(pattern, 64, quoted, sizeof(quoted));
		pattern_names(names, sizeof(names));
		snprintf(err, errlen, "%s: pattern %s is not supported by this "
		    "agentd (supported: %s)", file, quoted, names);
		goto out;
	}
	if (strlen(name) == 0 || strlen(name) > 63 || strchr(name, '/') != NULL) {
		snprintf(err, errlen, "%s: name must be 1-63 characters without '/'",
		    file);
		goto out;
	}
	if (strchr(model, ':') == NULL || strlen(model) >= 96) {
		jsonin_quote(model, 96, quoted, sizeof(quoted));
		snprintf(err, errlen, "%s: model %s must be provider:name under "
		    "96 bytes (e.g. sim:support-triage)", file, quoted);
		goto out;
	}
	if (strlen(description) > AGENT_DESCRIPTION_MAX) {
		snprintf(err, errlen, "%s: description is %zu bytes, more than the "
		    "%d it may be", file, strlen(description),
		    AGENT_DESCRIPTION_MAX);
		goto out;
	}
	if (max_tokens <= 0 || max_tokens > 1000000 || max_invalid < 0 ||
	    max_invalid > 100) {
		snprintf(err, errlen, "%s: max_tokens must be 1..1000000 and "
		    "max_invalid_args 0..100", file);
		goto out;
	}
	if (llm_timeout < 0 || llm_timeout > 3600000) {
		snprintf(err, errlen, "%s: llm_timeout_ms must be 0..3600000", file);
		goto out;
	}
	a->llm_timeout_ms = llm_timeout;
	if (routing != NULL && parse_routing(routing, file, a, err, errlen) != 0)
		goto out;
	a->truncation_continues = AGENT_CONTINUES_DEFAULT;
	if (truncation != NULL && parse_truncation(truncation, file, a, err,
	    errlen) != 0)
		goto out;
	a->name = xstrdup(name);
	a->description = xstrdup(description);
	a->model = xstrdup(model);
	a->system = xstrdup(system);
	a->max_tokens = max_tokens;
	a->max_invalid_args = (int)max_invalid;
	for (int k = 0; k < TOOL_RISK__COUNT; k++)
		a->deadline_ms[k] = DEFAULT_DEADLINE_MS;
	if (budget != NULL) {
		char berr[200];
		if (budget_amounts_from_json(budget, &a->budget, berr,
		    sizeof(berr)) != 0) {
			snprintf(err, errlen, "%s: budget: %s", file, berr);
			goto out;
		}
	}
	if (esc != NULL && parse_deadlines(esc, a, file, err, errlen) != 0)
		goto out;
	if (loop != NULL && jsonin_unpack(loop, "loop_guard", msg, sizeof(msg),
	    "{s:I}", "max_repeats", &max_repeats) != 0) {
		snprintf(err, errlen, "%s: %s", file, msg);
		goto out;
	}
	if (max_repeats < 0 || max_repeats == 1 || max_repeats > 1000) {
		snprintf(err, errlen, "%s: loop_guard must be {\"max_repeats\": N} "
		    "with N 2..1000 (or 0: off)", file);
		goto out;
	}
	a->loop_max_repeats = (int)max_repeats;
	if (tools != NULL && !json_is_array(tools)) {
		snprintf(err, errlen, "%s: field \"tools\" must be an array, not %s",
		    file, jsonin_type_name(tools));
		goto out;
	}
	if (json_array_size(tools) > AGENT_TOOLS_MAX) {
		snprintf(err, errlen, "%s: %zu tools, more than the %d an agent "
		    "may have", file, json_array_size(tools), AGENT_TOOLS_MAX);
		goto out;
	}
	a->tools = xcalloc(json_array_size(tools) + 1, sizeof(*a->tools));
	for (size_t i = 0; i < json_array_size(tools); i++) {
		char terr[400];
		snprintf(where, sizeof(where), "tools[%zu]", i);
		if (tool_def_parse(json_array_get(tools, i), where,
		    &a->tools[a->n_tools], terr, sizeof(terr)) != 0) {
			snprintf(err, errlen, "%s: %s", file, terr);
			goto out;
		}
		if (agent_find_tool(a, a->tools[a->n_tools].name) != NULL) {
			snprintf(err, errlen, "%s: %s: tool \"%s\" is defined twice",
			    file, where, a->tools[a->n_tools].name);
			tool_def_finish(&a->tools[a->n_tools]);
			goto out;
		}
		a->n_tools++;
	}
	a->tools_json = json_array();
	for (size_t i = 0; i < a->n_tools; i++)
		json_array_append_new(a->tools_json, json_pack("{s:s, s:s, s:O}",
		    "name", a->tools[i].name, "description",
		    a->tools[i].description, "input_schema", a->tools[i].schema));
	*out = a;
	a = NULL;
	r = 0;
out:
	agent_unref(a);
	return r;
}

int
agent_load_file(const char *path, struct agent **out, char *err, size_t errlen)
{
	json_t *spec;
	int r;

	if ((r = jsonin_load_file(path, AGENT_SPEC_MAX, "a spec", &spec, err,
	    errlen)) != 0)
		return r;
	r = agent_parse(spec, path, out, err, errlen);
	json_decref(spec);
	return r;
}

json_t *
agent_to_json(const struct agent *a)
{
	json_t *tools = json_array();

	for (size_t i = 0; i < a->n_tools; i++)
		json_array_append_new(tools, json_pack("{s:s, s:s}",
		    "name", a->tools[i].name,
		    "risk", tool_risk_name(a->tools[i].risk)));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:s}",
	    "name", a->name, "description", a->description,
	    "pattern", a->pattern->name, "model", a->model,
	    "max_tokens", (json_int_t)a->max_tokens,
	    "budget", budget_amounts_to_json(&a->budget), "tools", tools,
	    "file", a->file);

	if (a->route_model != NULL) {
		json_t *turns = json_array();
		for (size_t i = 0; i < a->n_route_turns; i++)
			json_array_append_new(turns, json_integer(a->route_turns[i]));
		json_object_set_new(j, "routing", json_pack("{s:s, s:o}", "model",
		    a->route_model, "turns", turns));
	}
	json_object_set_new(j, "truncation", a->truncation_continues > 0 ?
	    json_pack("{s:s, s:i}", "policy", "continue", "max_continues",
	    a->truncation_continues) : json_pack("{s:s}", "policy", "fail"));
	return j;
}

static void
reject(struct agent_set *set, const char *file, const char *agent,
    const char *err)
{
	log_error("agent spec rejected: %s", err);
	jsonin_error_add(set->errors, file, agent, err);
}

/* The files other than @loaded[@self] that define its agent's name, as
 * "b.json" or "b.json, c.json and 2 more files"; their count. */
static size_t
same_name(struct agent **loaded, size_t n, size_t self, char *out,
    size_t outlen)
{
	size_t count = 0, o = 0;

	out[0] = '\0';
	for (size_t j = 0; j < n; j++) {
		if (j == self || loaded[j] == NULL ||
		    strcmp(loaded[j]->name, loaded[self]->name) != 0)
			continue;
		if (++count <= 2 && o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s",
			    count > 1 ? " and " : "", loaded[j]->file);
	}
	if (count > 2 && o < outlen)
		snprintf(out + o, outlen - o, " and %zu more file%s", count - 2,
		    count - 2 == 1 ? "" : "s");
	return count;
}

int
agent_set_load(const char *dir, struct agent_set *set)
{
	static const char *const not_agents[] = {
		"pricing.json", "thresholds.json", NULL,
	};
	struct agent **loaded = NULL;
	char **names = NULL, path[4096], err[4700], others[600];
	size_t n = 0, more = 0, count;
	int r;

	*set = (struct agent_set){ .errors = json_array() };
	if ((r = jsonin_list_dir(dir, not_agents, AGENT_FILES_MAX, &names, &n,
	    &more)) < 0)
		return r;
	if (more > 0) {
		snprintf(err, sizeof(err), "%s: %zu more *.json file%s not read: "
		    "at most %d agent specs are loaded (those first in name order)",
		    dir, more, more == 1 ? " was" : "s were", AGENT_FILES_MAX);
		reject(set, dir, NULL, err);
	}
	loaded = xcalloc(n + 1, sizeof(*loaded));
	for (size_t i = 0; i < n; i++) {
		if (fmt(path, sizeof(path), "%s/%s", dir, names[i]) < 0) {
			snprintf(err, sizeof(err), "%s/%s: path too long", dir,
			    names[i]);
			reject(set, dir, NULL, err);
		} else if (agent_load_file(path, &loaded[i], err,
		    sizeof(err)) != 0) {
			reject(set, path, NULL, err);
		}
		free(names[i]);
	}
	free(names);
	/* one name, two files: which one is meant cannot be known, so
	 * neither runs */
	set->items = xcalloc(n + 1, sizeof(*set->items));
	for (size_t i = 0; i < n; i++) {
		if (loaded[i] == NULL)
			continue;
		if ((count = same_name(loaded, n, i, others, sizeof(others))) == 0) {
			set->items[set->n++] = agent_ref(loaded[i]);
			continue;
		}
		snprintf(err, sizeof(err), "%s: agent \"%s\" is also defined by "
		    "%s: %s loaded; rename or remove %s", loaded[i]->file,
		    loaded[i]->name, others, count == 1 ? "neither file is" :
		    "none of these files is", count == 1 ? "one" : "all but one");
		reject(set, loaded[i]->file, loaded[i]->name, err);
	}
	for (size_t i = 0; i < n; i++)
		agent_unref(loaded[i]);
	free(loaded);
	return 0;
}

void
agent_set_finish(struct agent_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		agent_unref(set->items[i]);
	free(set->items);
	json_decref(set->errors);
	*set = (struct agent_set){ 0 };
}

struct agent *
agent_set_find(const struct agent_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->items[i]->name, name) == 0)
			return set->items[i];
	return NULL;
}
