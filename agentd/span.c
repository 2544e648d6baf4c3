/* Spans of runs: see span.h. */
#include <jansson.h>

#include "engine_impl.h"
#include "span.h"
#include "util.h"

/* @attrs (taken, may be NULL) with the fields every span event has. */
static json_t *
span_body(const struct run *run, const char *id, const char *kind,
    const char *name, json_t *attrs)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "span", id,
	    "kind", kind, "name", name, "trace", run->id);

	if (attrs != NULL)
		json_object_update_missing(body, attrs);
	json_decref(attrs);
	return body;
}

void
span_start(struct engine *e, struct run *run, const char *id,
    const char *kind, const char *name, json_t *attrs)
{
	engine_emit(e, IPC_EV_SPAN_START, run->id, span_body(run, id, kind,
	    name, attrs));
}

void
span_end(struct engine *e, struct run *run, const char *id,
    const char *kind, const char *name, const char *status, int64_t started,
    json_t *attrs)
{
	json_t *body = span_body(run, id, kind, name, attrs);

	json_object_set_new(body, "status", json_string(status));
	if (started > 0 && json_object_get(body, "latency_ms") == NULL)
		json_object_set_new(body, "latency_ms",
		    json_integer(mono_ms() - started));
	engine_emit(e, IPC_EV_SPAN_END, run->id, body);
}
