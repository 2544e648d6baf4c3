/*
 * Caps on what agentd stores and returns: nothing stored may be larger
 * than what the protocol can return, and a reader can always page past
 * anything. What is cut says so, with its size and SHA-256.
 */
#ifndef AGENTD_CAP_H
#define AGENTD_CAP_H

#include <stddef.h>

struct json_t;

#define CAP_EVENT_MAX		(256 * 1024)	/* an event, encoded */
#define CAP_EVENT_STRING	1024	/* strings of an event that is too big */
#define CAP_AUDIT_DETAIL	(8 * 1024)	/* an audit row's detail */
#define CAP_EXCERPT		512	/* task and output in run lists */
#define CAP_PAGE_BYTES		(1024 * 1024)	/* items in one list reply */

/* @text itself (a new copy) if it is at most @max bytes, else a new JSON
 * text {"cut": true, "bytes": N, "sha256": "…", "excerpt": "…"} whose
 * excerpt is the start of @text. */
char *cap_text(const char *text, size_t max);

/* Encodes the event @ev (compact) and returns the new text. An event
 * longer than CAP_EVENT_MAX is first changed in place, so that what is
 * published is what is stored: its strings are cut to CAP_EVENT_STRING
 * bytes, or, if that is not enough, only its envelope (v, seq, ts, type,
 * run) is kept; "cut": {"bytes", "sha256", "what"} says what happened. */
char *cap_event_dump(struct json_t *ev);

/* Sets @obj's @key to an excerpt of @text of at most CAP_EXCERPT bytes
 * (NULL: null) and "<key>_truncated" to whether it was cut. */
void cap_set_excerpt(struct json_t *obj, const char *key, const char *text);

/* Replaces a run object's "task" and "output" by their excerpts
 * (cap_set_excerpt). */
void cap_run_excerpts(struct json_t *run);

#endif
