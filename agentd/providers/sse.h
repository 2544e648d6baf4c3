/*
 * An incremental parser of Server-Sent Events (the WHATWG "text/event-stream"
 * format) as LLM providers stream them: bytes go in as they arrive, complete
 * events come out through a callback. Lines end in LF, CRLF or CR (a CRLF
 * split across two chunks is one line end); "data:" lines are joined with
 * LF; "event:" names the event ("message" by default); comments (":…") and
 * "id:"/"retry:" are ignored; a leading UTF-8 BOM is skipped. An event with
 * no data line is not dispatched. Memory is bounded by @max_event bytes.
 */
#ifndef AGENTD_SSE_H
#define AGENTD_SSE_H

#include <stdbool.h>
#include <stddef.h>

/* One complete event. @event and @data are borrowed for the call; @data is
 * NUL-terminated (@len excludes the NUL). Return 0 to go on, anything else
 * to stop: sse_feed() returns it. */
typedef int sse_event_fn(void *arg, const char *event, const char *data,
    size_t len);

struct sse_parser {
	char *line;		/* the line being read (owned) */
	size_t line_len, line_cap;
	char *data;		/* data of the event being read (owned) */
	size_t data_len, data_cap;
	char event[64];		/* its "event:" name, "" for the default */
	bool has_data;		/* a data: line was seen */
	bool after_cr;		/* the last byte was CR (an LF next is not a new line) */
	bool started;		/* past a possible BOM */
	size_t max_event;	/* bound on line and data bytes */
};

void sse_init(struct sse_parser *p, size_t max_event);
void sse_finish(struct sse_parser *p);
/* Feeds @n bytes. Returns 0, the first non-zero value a callback returned,
 * or -EMSGSIZE when a line or an event outgrows max_event. */
int sse_feed(struct sse_parser *p, const char *chunk, size_t n,
    sse_event_fn *fn, void *arg);
/* True when bytes of an unfinished event are buffered (a stream that ends
 * now was cut in the middle of an event). */
bool sse_partial(const struct sse_parser *p);

#endif
