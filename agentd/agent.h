/*
 * Agent specs: JSON files in the agents directory (docs/agents.md). An
 * agent names its pattern, model, system prompt, tools, budget, escalation
 * deadlines and loop guard. Specs are reference counted: a run keeps the
 * spec it started with even if the directory is reloaded.
 */
#ifndef AGENTD_AGENT_H
#define AGENTD_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "tools/tool.h"

struct json_t;

/* Bounds of what the agents directory can make agentd hold and return
 * (docs/agents.md): bytes of a spec file, spec files read, bytes of a
 * description, tools of an agent. */
#define AGENT_SPEC_MAX		(1024 * 1024)
#define AGENT_FILES_MAX		1000
#define AGENT_DESCRIPTION_MAX	4096
#define AGENT_TOOLS_MAX		128
#define AGENT_CONTINUES_DEFAULT	2	/* answers cut by max_tokens continued in a row */
#define AGENT_CONTINUES_MAX	10

struct pattern_ops;

struct agent {
	int refs;
	char *name;			/* unique in the agents directory */
	char *description;
	char *file;			/* where it was loaded from */
	const struct pattern_ops *pattern;	/* from the registry (borrowed) */
	char *model;			/* "provider:name" */
	char *route_model;		/* cheap model of routing turns, or NULL */
	int route_turns[16];		/* model turns (from 1) it answers */
	size_t n_route_turns;
	int64_t llm_timeout_ms;		/* per model call attempt; 0: the endpoint's */
	char *system;			/* system prompt */
	int64_t max_tokens;		/* per model call; the worst case for budgets */
	struct budget_amounts budget;	/* per-run limits (0: none) */
	struct tool_def *tools;
	size_t n_tools;
	struct json_t *tools_json;	/* the tool definitions as sent to models */
	int64_t deadline_ms[TOOL_RISK__COUNT];	/* escalation deadlines per risk */
	int loop_max_repeats;		/* same tool+args this many times → stop; 0: off */
	int max_invalid_args;		/* invalid tool calls tolerated per run */
	int truncation_continues;	/* answers cut by max_tokens continued in a
					 * row; 0: a cut answer fails the run */
};

/* Parses a spec. Borrows @spec. Errors name the file and field. */
int agent_parse(const struct json_t *spec, const char *file, struct agent **out,
    char *err, size_t errlen);
/* Reads and parses the spec file @path (a regular file of at most
 * AGENT_SPEC_MAX bytes, never blocking). */
int agent_load_file(const char *path, struct agent **out, char *err,
    size_t errlen);
struct agent *agent_ref(struct agent *agent);
void agent_unref(struct agent *agent);
const struct tool_def *agent_find_tool(const struct agent *agent,
    const char *name);
/* True when model turn @turn (from 1) goes to the routing model. */
bool agent_routes_turn(const struct agent *agent, int turn);
/* A summary for agents.list: a new reference. */
struct json_t *agent_to_json(const struct agent *agent);

/* All agents of a directory, plus the files that failed to load. */
struct agent_set {
	struct agent **items;
	size_t n;
	struct json_t *errors;		/* {file, error[, agent]}, bounded
					 * (jsonin_error_add) */
};

/* Loads the first AGENT_FILES_MAX *.json of @dir in name order (not
 * subdirectories, not pricing.json or thresholds.json). A bad file is
 * reported in set->errors and logged; the others still load. Files that
 * define the same agent name are all rejected, each error naming the
 * others. Returns 0, or -errno when the directory itself cannot be read. */
int agent_set_load(const char *dir, struct agent_set *set);
void agent_set_finish(struct agent_set *set);
/* Borrowed; valid while the set lives. */
struct agent *agent_set_find(const struct agent_set *set, const char *name);

#endif
