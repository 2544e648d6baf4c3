/*
 * Agent specs: JSON files in the agents directory (docs/agents.md). An
 * agent names its pattern, model, system prompt, tools, budget, escalation
 * deadlines and loop guard. Specs are reference counted: a run keeps the
 * spec it started with even if the directory is reloaded.
 */
#ifndef AGENTD_AGENT_H
#define AGENTD_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "tools/tool.h"

struct json_t;

enum agent_pattern {
	AGENT_PATTERN_REACT,
	AGENT_PATTERN__COUNT
};

struct agent {
	int refs;
	char *name;			/* unique in the agents directory */
	char *description;
	char *file;			/* where it was loaded from */
	enum agent_pattern pattern;
	char *model;			/* "provider:name" */
	char *system;			/* system prompt */
	int64_t max_tokens;		/* per model call; the worst case for budgets */
	struct budget_amounts budget;	/* per-run limits (0: none) */
	struct tool_def *tools;
	size_t n_tools;
	struct json_t *tools_json;	/* the tool definitions as sent to models */
	int64_t deadline_ms[TOOL_RISK__COUNT];	/* escalation deadlines per risk */
	int loop_max_repeats;		/* same tool+args this many times → stop; 0: off */
	int max_invalid_args;		/* invalid tool calls tolerated per run */
};

/* Parses a spec. Borrows @spec. Errors name the file and field. */
int agent_parse(const struct json_t *spec, const char *file, struct agent **out,
    char *err, size_t errlen);
int agent_load_file(const char *path, struct agent **out, char *err,
    size_t errlen);
struct agent *agent_ref(struct agent *agent);
void agent_unref(struct agent *agent);
const struct tool_def *agent_find_tool(const struct agent *agent,
    const char *name);
const char *agent_pattern_name(enum agent_pattern pattern);
/* A summary for agents.list: a new reference. */
struct json_t *agent_to_json(const struct agent *agent);

/* All agents of a directory, plus the files that failed to load. */
struct agent_set {
	struct agent **items;
	size_t n;
	struct json_t *errors;		/* array of {file, error} */
};

/* Loads every *.json in @dir (not subdirectories). A bad file is reported
 * in set->errors and logged; the others still load. Returns 0, or -errno
 * when the directory itself cannot be read. */
int agent_set_load(const char *dir, struct agent_set *set);
void agent_set_finish(struct agent_set *set);
/* Borrowed; valid while the set lives. */
struct agent *agent_set_find(const struct agent_set *set, const char *name);

#endif
