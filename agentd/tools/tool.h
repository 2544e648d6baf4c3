/*
 * Tool definitions (what an agent may call) and the builtin tools.
 * Every call's arguments are validated against the tool's JSON Schema
 * (tools/schema.h) before it runs; invalid arguments go back to the model.
 */
#ifndef AGENTD_TOOL_H
#define AGENTD_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;

enum tool_risk {
	TOOL_RISK_LOW,		/* auto-approved */
	TOOL_RISK_MEDIUM,	/* notified, proceeds */
	TOOL_RISK_HIGH,		/* waits for an operator */
	TOOL_RISK_CRITICAL,	/* waits for an operator */
	TOOL_RISK__COUNT
};

enum tool_kind {
	TOOL_KIND_BUILTIN,	/* implemented in agentd (builtin.c) */
	TOOL_KIND_SIM,		/* result scripted by the sim scenario */
};

struct builtin_tool;

struct tool_def {
	char *name;			/* unique within an agent */
	char *description;
	struct json_t *schema;		/* input JSON Schema (owned) */
	enum tool_risk risk;
	int64_t timeout_ms;		/* a call running longer fails */
	int retries;			/* retries after a failed call */
	bool idempotent;		/* safe to re-run after a crash */
	bool side_effects;		/* skipped in dry-run mode */
	enum tool_kind kind;
	const struct builtin_tool *builtin;	/* TOOL_KIND_BUILTIN */
	struct json_t *sim_output;	/* TOOL_KIND_SIM: the scripted output */
	char *sim_error;		/* TOOL_KIND_SIM: or a scripted error */
	int64_t sim_latency_ms;		/* TOOL_KIND_SIM: how long it takes */
};

/* The outcome of a builtin: an output, or an error the model will see. */
struct tool_result {
	struct json_t *output;		/* owned; NULL on error */
	char *error;			/* owned; NULL on success */
	int64_t delay_ms;		/* the call completes this much later */
};

/* What a builtin may touch. */
struct tool_env {
	const char *jail_dir;		/* file_read is confined here; NULL: no files */
};

struct builtin_tool {
	const char *name;
	const char *description;
	const char *schema;		/* JSON text of the input schema */
	bool side_effects;
	void (*run)(const struct json_t *args, const struct tool_env *env,
	    struct tool_result *out);
};

const char *tool_risk_name(enum tool_risk risk);
int tool_risk_from_name(const char *name, enum tool_risk *out);

/* NULL if unknown. The table lives forever. */
const struct builtin_tool *builtin_find(const char *name);
size_t builtin_count(void);
const struct builtin_tool *builtin_at(size_t i);

/*
 * Parses one tool definition from an agent spec. Borrows @obj. Errors name
 * the field, prefixed with @where (e.g. "tools[2]"). Returns 0 or -EINVAL.
 */
int tool_def_parse(const struct json_t *obj, const char *where,
    struct tool_def *out, char *err, size_t errlen);
void tool_def_finish(struct tool_def *def);

void tool_result_finish(struct tool_result *res);

/* {"name","description","risk","input_schema",…}: a new reference. */
struct json_t *tool_def_to_json(const struct tool_def *def);

#endif
