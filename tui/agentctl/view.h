/*
 * agentctl: the human-readable output of each command, made from the reply
 * bodies of agentd. Pure: JSON and "now" in, a new string (free()) out; the
 * JSON is borrowed. Tables fit TABLE_WIDTH columns.
 */
#ifndef AGENTCTL_VIEW_H
#define AGENTCTL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;

/* runs and history: ID AGENT STATE STEP TOKENS COST WAITING AGE. */
char *view_runs(const struct json_t *runs, int64_t now_ms);
/* show: header, usage against budget, transitions, spans, output. */
char *view_run(const struct json_t *run, int64_t now_ms);
/* escalations: the table, then what each pending one needs decided. */
char *view_escalations(const struct json_t *escs, int64_t now_ms);
/* agents: NAME PATTERN MODEL TOOLS BUDGET, from the agents.list body. */
char *view_agents(const struct json_t *body);
/* The load errors of an agents.list body, "" when there are none. */
char *view_agent_errors(const struct json_t *body);
/* health and hello: one "key  value" line per member. */
char *view_health(const struct json_t *body, int64_t now_ms);
char *view_hello(const struct json_t *body, const char *agentctl_version);
/* A budget's limits in a few words: "llm 8, tools 8, $0.2000". */
char *view_budget_summary(char *out, size_t outlen, const struct json_t *budget);

#endif
