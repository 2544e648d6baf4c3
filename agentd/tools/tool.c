#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonin.h"
#include "tools/schema.h"
#include "tools/tool.h"
#include "util.h"

static const char *const risk_names[TOOL_RISK__COUNT] = {
	"low", "medium", "high", "critical",
};

const char *
tool_risk_name(enum tool_risk risk)
{
	return (unsigned)risk < TOOL_RISK__COUNT ? risk_names[risk] : "unknown";
}

int
tool_risk_from_name(const char *name, enum tool_risk *out)
{
	for (int r = 0; r < TOOL_RISK__COUNT && name != NULL; r++) {
		if (strcmp(name, risk_names[r]) == 0) {
			*out = (enum tool_risk)r;
			return 0;
		}
	}
	return -EINVAL;
}

void
tool_def_finish(struct tool_def *def)
{
	if (def == NULL)
		return;
	free(def->name);
	free(def->description);
	json_decref(def->schema);
	json_decref(def->sim_output);
	free(def->sim_error);
	*def = (struct tool_def){ 0 };
}

void
tool_result_finish(struct tool_result *res)
{
	if (res == NULL)
		return;
	json_decref(res->output);
	free(res->error);
	*res = (struct tool_result){ 0 };
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int
tool_def_parse(const json_t *obj, const char *where, struct tool_def *out,
    char *err, size_t errlen)
{
	struct tool_def def = { .timeout_ms = 30000 };
	const char *name = NULL, *description = NULL, *risk = NULL;
	const char *builtin = NULL, *kind = NULL;
	json_t *schema = NULL, *sim = NULL, *sim_output = NULL;
	const char *sim_error = NULL;
	json_int_t sim_latency = 100;
	json_int_t timeout_ms = -1, retries = 0;
	int idempotent = -1, side_effects = -1;
	struct schema_error serr;
	char stext[256], msg[600], path[64], quoted[100];

	*out = (struct tool_def){ 0 };
	if (jsonin_unpack((json_t *)obj, where, msg, sizeof(msg),
	    "{s?s, s?s, s?s, s?s, s?s, s?o, s?I, s?I, s?b, s?b, s?o}",
	    "name", &name, "description", &description, "kind", &kind,
	    "builtin", &builtin, "risk", &risk, "input_schema", &schema,
	    "timeout_ms", &timeout_ms, "retries", &retries,
	    "idempotent", &idempotent, "side_effects", &side_effects,
	    "sim", &sim) != 0) {
		snprintf(err, errlen, "%s", msg);
		return -EINVAL;
	}
	if (builtin != NULL && kind != NULL && strcmp(kind, "builtin") != 0) {
		jsonin_quote(kind, 32, quoted, sizeof(quoted));
		snprintf(err, errlen, "%s: \"builtin\" and \"kind\": %s "
		    "contradict each other", where, quoted);
		return -EINVAL;
	}
	if (builtin != NULL) {
		def.kind = TOOL_KIND_BUILTIN;
		if ((def.builtin = builtin_find(builtin)) == NULL) {
			jsonin_quote(builtin, 64, quoted, sizeof(quoted));
			snprintf(err, errlen, "%s: unknown builtin tool %s", where,
			    quoted);
			return -EINVAL;
		}
		if (name == NULL)
			name = def.builtin->name;
		if (description == NULL)
			description = def.builtin->description;
		if (schema != NULL) {
			snprintf(err, errlen, "%s: a builtin tool has its own "
			    "input_schema; remove it", where);
			return -EINVAL;
		}
		def.side_effects = def.builtin->side_effects;
		def.schema = json_loads(def.builtin->schema, 0, NULL);
	} else if (kind != NULL && strcmp(kind, "sim") == 0) {
		def.kind = TOOL_KIND_SIM;
		if (schema == NULL) {
			snprintf(err, errlen, "%s: input_schema is required", where);
			return -EINVAL;
		}
		def.schema = json_incref(schema);
		snprintf(path, sizeof(path), "%s.sim", where);
		if (sim != NULL && jsonin_unpack(sim, path, msg, sizeof(msg),
		    "{s?o, s?s, s?I}", "output", &sim_output, "error", &sim_error,
		    "latency_ms", &sim_latency) != 0) {
			snprintf(err, errlen, "%s", msg);
			goto fail;
		}
		if (sim_latency < 0) {
			snprintf(err, errlen, "%s: sim.latency_ms must be >= 0",
			    where);
			goto fail;
		}
		def.sim_output = json_incref(sim_output);
		if (def.sim_output == NULL && sim_error == NULL)
			def.sim_output = json_pack("{s:b}", "ok", 1);
		def.sim_error = sim_error != NULL ? xstrdup(sim_error) : NULL;
		def.sim_latency_ms = sim_latency;
	} else {
		snprintf(err, errlen, "%s: set \"builtin\" to a builtin tool name, "
		    "or \"kind\": \"sim\" with an input_schema", where);
		return -EINVAL;
	}
	if (sim != NULL && def.kind != TOOL_KIND_SIM) {
		snprintf(err, errlen, "%s: \"sim\" is only for \"kind\": \"sim\" "
		    "tools", where);
		goto fail;
	}
	if (name == NULL || !valid_name(name)) {
		snprintf(err, errlen, "%s: \"name\" must be 1-64 characters of "
		    "[A-Za-z0-9_-]", where);
		goto fail;
	}
	if (schema_check(def.schema, &serr) != 0) {
		schema_error_format(&serr, stext, sizeof(stext));
		snprintf(err, errlen, "%s: input_schema: %s", where, stext);
		goto fail;
	}
	if (risk != NULL && tool_risk_from_name(risk, &def.risk) != 0) {
		jsonin_quote(risk, 32, quoted, sizeof(quoted));
		snprintf(err, errlen, "%s: risk %s is not one of low, medium, "
		    "high, critical", where, quoted);
		goto fail;
	}
	if ((json_object_get(obj, "timeout_ms") != NULL && timeout_ms <= 0) ||
	    timeout_ms > 3600 * 1000 || retries < 0 ||
	    retries > 10) {
		snprintf(err, errlen, "%s: timeout_ms must be 1..3600000 and "
		    "retries 0..10", where);
		goto fail;
	}
	if (timeout_ms > 0)
		def.timeout_ms = timeout_ms;
	def.retries = (int)retries;
	if (side_effects >= 0)
		def.side_effects = side_effects != 0;
	/* a tool is idempotent unless it has side effects or says otherwise */
	def.idempotent = idempotent >= 0 ? idempotent != 0 : !def.side_effects;
	def.name = xstrdup(name);
	def.description = xstrdup(description ? description : "");
	*out = def;
	return 0;
fail:
	json_decref(def.schema);
	json_decref(def.sim_output);
	free(def.sim_error);
	return -EINVAL;
}

json_t *
tool_def_to_json(const struct tool_def *def)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:O, s:I, s:b, s:b}",
	    "name", def->name, "description", def->description,
	    "kind", def->kind == TOOL_KIND_BUILTIN ? "builtin" : "sim",
	    "risk", tool_risk_name(def->risk), "input_schema", def->schema,
	    "timeout_ms", (json_int_t)def->timeout_ms,
	    "idempotent", def->idempotent, "side_effects", def->side_effects);
}
