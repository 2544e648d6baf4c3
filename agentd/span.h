/*
 * Spans: a run's model and tool calls as span.start / span.end events, the
 * one place their common fields are made. Every span carries its trace —
 * the id of the run tree's root (the run itself until runs have children)
 * — so an exporter can build the tree without knowing runs. What is
 * particular to a call goes in @attrs.
 */
#ifndef AGENTD_SPAN_H
#define AGENTD_SPAN_H

#include <stdint.h>

struct engine;
struct run;
struct json_t;

/* Emits span.start of span @id (kind "llm" or "tool", @name) of @run,
 * with @attrs (taken; may be NULL) merged in. */
void span_start(struct engine *e, struct run *run, const char *id,
    const char *kind, const char *name, struct json_t *attrs);
/* Emits span.end of span @id with @status ("ok", "error", "timeout",
 * "cancelled", "unknown"), latency_ms from @started (monotonic ms; 0: not
 * known, left out) unless @attrs has it, and @attrs (taken; may be NULL). */
void span_end(struct engine *e, struct run *run, const char *id,
    const char *kind, const char *name, const char *status, int64_t started,
    struct json_t *attrs);

#endif
