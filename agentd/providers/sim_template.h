/*
 * Placeholders in sim scenarios (docs/agents.md, "Placeholders"), so that a
 * scripted agent acts on its task and reports what really ran:
 *
 *	{{task.NAME}}	a field taken from the run's task (its first user
 *			message) by the scenario's "task_fields": a POSIX
 *			extended regex, the first group if it has one, else
 *			the whole match, else the field's "default"
 *	{{args.NAME}}	an argument of the last tool call answered in the
 *			conversation, as it ran: an operator's edited
 *			arguments when the tool result says so, else the
 *			model's own (a string as it is, anything else as
 *			compact JSON)
 *	{{args.NAME|TEXT}}  the same, TEXT when there is no such argument
 *
 * They may stand in a turn's text and in the string values of its tool
 * calls' arguments. Every "{{" must start one of them; a scenario with any
 * other is rejected at load. An {{args.NAME}} with no such argument and no
 * TEXT is left as written. Pure: no I/O (tests/agentd/test_sim_template.c).
 */
#ifndef AGENTD_SIM_TEMPLATE_H
#define AGENTD_SIM_TEMPLATE_H

#include <regex.h>
#include <stddef.h>

struct json_t;

#define SIM_TEMPLATE_MAX_FIELDS	16	/* task fields of a scenario */
#define SIM_TEMPLATE_NAME_MAX	32	/* bytes of a field or argument name */

/*
 * How exec.c's tool_content() starts a tool result whose arguments an
 * operator edited; the edited arguments follow as a JSON object.
 */
#define SIM_TEMPLATE_EDIT_NOTE	"note: an operator changed the arguments to "

struct sim_task_field {
	char *name;		/* [a-z][a-z0-9_]* (owned) */
	regex_t re;		/* the pattern, compiled */
	char *fallback;		/* "default": when the task does not match (owned) */
};

/* A scenario's task fields. */
struct sim_template {
	struct sim_task_field *fields;	/* owned */
	size_t n_fields;
};

/*
 * Parses "task_fields" (borrowed; NULL: none):
 * {"NAME": {"pattern": string, "default": string}, …}. Errors name @where
 * and the field. On success *out holds the fields (sim_template_finish()).
 */
int sim_template_parse(const struct json_t *task_fields, const char *where,
    struct sim_template *out, char *err, size_t errlen);
void sim_template_finish(struct sim_template *t);	/* accepts a zeroed one */

/* Checks the placeholders of @text, or of every string in @v (keys too are
 * left alone): 0, or -EINVAL with @err naming @where. */
int sim_template_check(const struct sim_template *t, const char *text,
    const char *where, char *err, size_t errlen);
int sim_template_check_json(const struct sim_template *t,
    const struct json_t *v, const char *where, char *err, size_t errlen);

/* What the placeholders stand for in one model call. */
struct sim_template_vars {
	const struct sim_template *t;	/* borrowed */
	char **task;			/* one value per field (owned) */
	struct json_t *args;		/* the last tool call's arguments, as it
					 * ran (owned), or NULL */
};

/* Reads the task and the last tool call from @messages (borrowed: the
 * conversation of an llm_request). */
void sim_template_vars_init(struct sim_template_vars *v,
    const struct sim_template *t, const struct json_t *messages);
void sim_template_vars_finish(struct sim_template_vars *v);

/* @text with its placeholders replaced: a new string. */
char *sim_template_expand(const struct sim_template_vars *v, const char *text);
/* A deep copy of @j with every string value expanded: a new reference. */
struct json_t *sim_template_expand_json(const struct sim_template_vars *v,
    const struct json_t *j);

#endif
