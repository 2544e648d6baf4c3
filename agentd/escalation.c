#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "escalation.h"
#include "util.h"

static const char *const state_names[ESC_STATE__COUNT] = {
	"pending", "approved", "rejected", "timed_out",
};

const char *
esc_state_name(enum esc_state state)
{
	return (unsigned)state < ESC_STATE__COUNT ? state_names[state] : "unknown";
}

int
esc_state_from_name(const char *name, enum esc_state *out)
{
	for (int s = 0; s < ESC_STATE__COUNT && name != NULL; s++) {
		if (strcmp(state_names[s], name) == 0) {
			*out = (enum esc_state)s;
			return 0;
		}
	}
	return -EINVAL;
}

struct escalation *
escalation_create(void)
{
	return xcalloc(1, sizeof(struct escalation));
}

void
escalation_destroy(struct escalation *esc)
{
	if (esc == NULL)
		return;
	free(esc->tool);
	free(esc->call_id);
	json_decref(esc->args);
	free(esc->reason);
	free(esc->context);
	free(esc->decision);
	json_decref(esc->decided_args);
	free(esc->decision_reason);
	free(esc);
}

json_t *
escalation_to_json(const struct escalation *e)
{
	json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:s,"
	    " s:I, s:I, s:s}",
	    "id", e->id, "run", e->run, "tool", e->tool, "call_id", e->call_id,
	    "args", e->args, "risk", tool_risk_name(e->risk),
	    "reason", e->reason, "context", e->context, "decision", e->decision,
	    "created_ms", (json_int_t)e->created_ms,
	    "deadline_ms", (json_int_t)e->deadline_ms,
	    "state", esc_state_name(e->state));

	if (e->state != ESC_PENDING) {
		json_object_set_new(obj, "decided_ms", json_integer(e->decided_ms));
		json_object_set_new(obj, "decided_by", e->decided_by == UINT32_MAX ?
		    json_null() : json_integer(e->decided_by));
		if (e->decided_args != NULL)
			json_object_set(obj, "decided_args", e->decided_args);
		if (e->decision_reason != NULL)
			json_object_set_new(obj, "decision_reason",
			    json_string(e->decision_reason));
	}
	return obj;
}

int
escalation_from_json(const json_t *obj, struct escalation **out)
{
	json_error_t jerr;
	struct escalation *e = escalation_create();
	const char *id, *run, *tool, *call_id, *risk, *reason, *context;
	const char *decision, *state, *dreason = NULL;
	json_t *args, *dargs = NULL, *dby = NULL;
	json_int_t created, deadline, decided = 0;

	if (json_unpack_ex((json_t *)obj, &jerr, 0, "{s:s, s:s, s:s, s:s, s:o,"
	    " s:s, s:s, s:s, s:s, s:I, s:I, s:s, s?I, s?o, s?o, s?s}",
	    "id", &id, "run", &run, "tool", &tool, "call_id", &call_id,
	    "args", &args, "risk", &risk, "reason", &reason,
	    "context", &context, "decision", &decision,
	    "created_ms", &created, "deadline_ms", &deadline, "state", &state,
	    "decided_ms", &decided, "decided_by", &dby,
	    "decided_args", &dargs, "decision_reason", &dreason) != 0 ||
	    tool_risk_from_name(risk, &e->risk) != 0 ||
	    esc_state_from_name(state, &e->state) != 0) {
		escalation_destroy(e);
		return -EINVAL;
	}
	copy_str(e->id, sizeof(e->id), id);
	copy_str(e->run, sizeof(e->run), run);
	e->tool = xstrdup(tool);
	e->call_id = xstrdup(call_id);
	e->args = json_incref(args);
	e->reason = xstrdup(reason);
	e->context = xstrdup(context);
	e->decision = xstrdup(decision);
	e->created_ms = created;
	e->deadline_ms = deadline;
	e->decided_ms = decided;
	e->decided_by = json_is_integer(dby) ?
	    (uint32_t)json_integer_value(dby) : UINT32_MAX;
	e->decided_args = json_incref(dargs);
	e->decision_reason = dreason != NULL ? xstrdup(dreason) : NULL;
	*out = e;
	return 0;
}
