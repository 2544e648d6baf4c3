/*
 * Server-Sent Events, incrementally. Bytes are scanned for line ends; a
 * line is buffered until its end arrives, then interpreted (WHATWG "event
 * stream interpretation"); a blank line dispatches the event.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sse.h"
#include "util.h"

static const char bom[] = "\xEF\xBB\xBF";

void
sse_init(struct sse_parser *p, size_t max_event)
{
	/* far beyond any real use; keeps the size arithmetic from wrapping */
	if (max_event > SIZE_MAX / 4)
		max_event = SIZE_MAX / 4;
	*p = (struct sse_parser){ .max_event = max_event };
}

void
sse_finish(struct sse_parser *p)
{
	if (p == NULL)
		return;
	free(p->line);
	free(p->data);
	*p = (struct sse_parser){ .max_event = p->max_event };
}

/* Grows *@buf to hold @need bytes plus a NUL; -EMSGSIZE past @max. */
static int
reserve(char **buf, size_t *cap, size_t need, size_t max)
{
	size_t n;

	if (need > max)
		return -EMSGSIZE;
	if (need + 1 <= *cap)
		return 0;
	n = *cap ? *cap : 256;
	while (n < need + 1)
		n *= 2;
	if (n > max + 1)
		n = max + 1;
	*buf = xrealloc(*buf, n);
	*cap = n;
	return 0;
}

static void
reset_event(struct sse_parser *p)
{
	p->data_len = 0;
	p->has_data = false;
	p->event[0] = '\0';
}

/* Interprets the buffered line (without its line end). */
static int
end_line(struct sse_parser *p, sse_event_fn *fn, void *arg)
{
	const char *line = p->line, *value, *colon;
	size_t len = p->line_len, field_len, value_len;
	int r = 0;

	p->line_len = 0;
	if (len == 0) {
		if (p->has_data) {
			p->data[p->data_len] = '\0';
			r = fn(arg, p->event[0] ? p->event : "message",
			    p->data, p->data_len);
		}
		reset_event(p);
		return r;
	}
	if (line[0] == ':')
		return 0;			/* a comment */
	if ((colon = memchr(line, ':', len)) != NULL) {
		field_len = (size_t)(colon - line);
		value = colon + 1;
		value_len = len - field_len - 1;
		if (value_len > 0 && value[0] == ' ') {
			value++;
			value_len--;
		}
	} else {
		field_len = len;
		value = "";
		value_len = 0;
	}
	if (field_len == 4 && memcmp(line, "data", 4) == 0) {
		size_t need = p->data_len + (p->has_data ? 1 : 0) + value_len;

		if ((r = reserve(&p->data, &p->data_cap, need,
		    p->max_event)) != 0)
			return r;
		if (p->has_data)
			p->data[p->data_len++] = '\n';
		memcpy(p->data + p->data_len, value, value_len);
		p->data_len += value_len;
		p->data[p->data_len] = '\0';
		p->has_data = true;
	} else if (field_len == 5 && memcmp(line, "event", 5) == 0) {
		value_len = MIN(value_len, sizeof(p->event) - 1);
		memcpy(p->event, value, value_len);
		p->event[value_len] = '\0';
	}
	/* "id", "retry" and unknown fields are ignored */
	return 0;
}

/* Appends @n bytes to the current line. */
static int
add_line(struct sse_parser *p, const char *s, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if ((r = reserve(&p->line, &p->line_cap, p->line_len + n,
	    p->max_event)) != 0)
		return r;
	memcpy(p->line + p->line_len, s, n);
	p->line_len += n;
	return 0;
}

int
sse_feed(struct sse_parser *p, const char *chunk, size_t n,
    sse_event_fn *fn, void *arg)
{
	size_t i = 0, run;
	int r = 0;

	/* A BOM may arrive split across chunks: its bytes wait in line. */
	while (!p->started && i < n) {
		if (p->line_len < 3 && chunk[i] == bom[p->line_len]) {
			p->line_len++;		/* reserve() not needed: see below */
			i++;
			if (p->line_len == 3) {
				p->line_len = 0;
				p->started = true;
			}
			continue;
		}
		p->started = true;
		if (p->line_len > 0) {
			/* not a BOM after all: those bytes are content */
			size_t k = p->line_len;

			p->line_len = 0;
			if ((r = add_line(p, bom, k)) != 0)
				goto fail;
		}
	}
	while (i < n) {
		char c = chunk[i];

		if (c == '\n' || c == '\r') {
			bool skip = c == '\n' && p->after_cr;

			p->after_cr = c == '\r';
			i++;
			if (skip)
				continue;	/* the LF of a CRLF */
			if ((r = end_line(p, fn, arg)) != 0)
				goto fail;
			continue;
		}
		p->after_cr = false;
		for (run = i; run < n && chunk[run] != '\n' &&
		    chunk[run] != '\r'; run++)
			;
		if ((r = add_line(p, chunk + i, run - i)) != 0)
			goto fail;
		i = run;
	}
	return 0;
fail:
	if (r == -EMSGSIZE) {
		p->line_len = 0;
		reset_event(p);
	}
	return r;
}

bool
sse_partial(const struct sse_parser *p)
{
	return p->line_len > 0 || p->has_data || p->event[0] != '\0';
}
