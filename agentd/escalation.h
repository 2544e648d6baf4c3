/*
 * Escalations: a run asks an operator to decide before a risky action.
 * An escalation says what the agent was doing, why it escalated and the
 * exact decision needed, with a deadline. A decision is bound to one
 * escalation id and consumed exactly once.
 */
#ifndef AGENTD_ESCALATION_H
#define AGENTD_ESCALATION_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "tools/tool.h"

struct json_t;
struct engine;

enum esc_state {
	ESC_PENDING,
	ESC_APPROVED,
	ESC_REJECTED,
	ESC_TIMED_OUT,		/* no decision before the deadline: a rejection */
	ESC_STATE__COUNT
};

struct escalation {
	char id[24];			/* "e-" + 10 base32 chars */
	char run[24];			/* the run that waits */
	char *tool;			/* tool to be called */
	char *call_id;			/* the model's tool call id */
	struct json_t *args;		/* arguments the model asked for (owned) */
	enum tool_risk risk;
	char *reason;			/* why it escalated */
	char *context;			/* what the agent was doing */
	char *decision;			/* the exact decision needed */
	int64_t created_ms, deadline_ms;	/* wall clock */
	enum esc_state state;
	int64_t decided_ms;
	uint32_t decided_by;		/* operator uid; UINT32_MAX: the deadline */
	struct json_t *decided_args;	/* approve with edits (owned) or NULL */
	char *decision_reason;		/* reject reason */
	struct timer deadline_timer;
	struct engine *engine;		/* set while the deadline is armed */
	bool dirty;			/* to be written to the store */
};

const char *esc_state_name(enum esc_state state);
int esc_state_from_name(const char *name, enum esc_state *out);

struct escalation *escalation_create(void);
void escalation_destroy(struct escalation *esc);
/* A new reference describing @esc for the protocol. */
struct json_t *escalation_to_json(const struct escalation *esc);
/* Reads what escalation_to_json wrote (from the store). */
int escalation_from_json(const struct json_t *obj, struct escalation **out);

#endif
