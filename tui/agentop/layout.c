/* Fitting things into the terminal's width (layout.h). */
#include <stdio.h>
#include <string.h>

#include "layout.h"

size_t
layout_wrap(const char *s, size_t len, int width, size_t *next)
{
	size_t i = 0, brk = 0, end, clen;
	int w = 0, cw;

	if (width < 1)
		width = 1;
	while (i < len) {
		if (s[i] == '\n') {
			*next = i + 1;
			return i;
		}
		clen = utf8_next(s + i, len - i, &cw);
		if (w + cw > width && i > 0)
			break;
		w += cw;
		if (s[i] == ' ')
			brk = i;
		i += clen;
	}
	if (i >= len) {
		*next = len;
		return len;
	}
	if (s[i] != ' ' && brk > 0)
		i = brk;		/* the last space that fit */
	else if (s[i] != ' ') {
		*next = i;		/* a word longer than the line */
		return i;
	}
	for (end = i; end > 0 && s[end - 1] == ' '; end--)
		;
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && s[i] == '\n')
		i++;
	*next = i;
	return end;
}

void
layout_header(struct hdr_part *p, size_t n, int cols)
{
	int used = 0, x, right = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].x = 0;
		used += utf8_width(p[i].text);
	}
	while (used > cols) {
		size_t drop = n;
		for (i = 0; i < n; i++)
			if (p[i].x == 0 && p[i].prio < HDR_KEEP &&
			    (drop == n || p[i].prio <= p[drop].prio))
				drop = i;
		if (drop == n)
			break;
		p[drop].x = -1;
		used -= utf8_width(p[drop].text);
	}
	for (i = 0, x = 0; i < n; i++) {
		if (p[i].x < 0)
			continue;
		if (p[i].right) {
			right += utf8_width(p[i].text);
			continue;
		}
		p[i].x = x;
		x += utf8_width(p[i].text);
	}
	/* right parts against the edge, never over the left ones */
	x = cols - right > x ? cols - right : x;
	for (i = 0; i < n; i++) {
		if (p[i].x < 0 || !p[i].right)
			continue;
		p[i].x = x;
		x += utf8_width(p[i].text);
	}
}

int
layout_columns(struct col *c, size_t n, int cols, int gap, int text_min)
{
	int used = 0, avail = cols - text_min, turn, last = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].w = c[i].want;
		used += c[i].w + gap;
		last = c[i].order > last ? c[i].order : last;
	}
	/* in their order, each column gives up what it can */
	for (turn = 0; turn <= last && used > avail; turn++) {
		for (i = 0; i < n && used > avail; i++) {
			int give;
			if (c[i].order != turn || c[i].w == 0)
				continue;
			if (c[i].min == 0) {
				used -= c[i].w + gap;
				c[i].w = 0;
				continue;
			}
			give = used - avail < c[i].w - c[i].min ? used - avail :
			    c[i].w - c[i].min;
			if (give > 0) {
				c[i].w -= give;
				used -= give;
			}
		}
	}
	return cols - used > 0 ? cols - used : 0;
}

/* The question with every '\n' made a space, into @out. */
static void
flatten(const char *q, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", q);
	for (char *p = out; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
}

/* Word-wraps @s (@len bytes) into @above from line *n, at most @max. */
static void
wrap_above(const char *s, size_t len, int cols, char (*above)[256], int *n,
    int max)
{
	size_t off = 0, next, take;

	while (off < len && *n < max) {
		take = layout_wrap(s + off, len - off, cols, &next);
		snprintf(above[*n], sizeof(above[*n]), "%.*s", (int)take, s + off);
		off += next;
		(*n)++;
	}
	if (off < len && *n > 0) {
		char *last = above[*n - 1];
		size_t keep = utf8_fit(last, cols > 3 ? cols - 3 : 0);
		snprintf(last + keep, sizeof(above[0]) - keep, "...");
	}
}

int
layout_question(const char *question, int cols, int field_min,
    char (*above)[256], int max_above, char *inline_q, size_t inline_len)
{
	char flat[1024];
	const char *nl = strrchr(question, '\n'), *tail;
	size_t qlen = strlen(question), head;
	int room = cols - field_min - 1, n = 0;

	flatten(question, flat, sizeof(flat));
	if (utf8_width(flat) <= room) {
		snprintf(inline_q, inline_len, "%s", flat);
		return 0;
	}
	/* the part after the last '\n', or else the last words that fit,
	 * stay with the field */
	tail = question + qlen;
	if (nl != NULL && utf8_width(nl + 1) <= room) {
		tail = nl + 1;
	} else {
		for (const char *p = question + qlen; p > question; p--)
			if (p[-1] == ' ' || p[-1] == '\n') {
				if ((int)(question + qlen - p) > 0 &&
				    utf8_width(p) > room)
					break;
				tail = p;
			}
	}
	flatten(tail, flat, sizeof(flat));
	snprintf(inline_q, inline_len, "%s", flat);
	head = (size_t)(tail - question);
	while (head > 0 && (question[head - 1] == ' ' ||
	    question[head - 1] == '\n'))
		head--;
	wrap_above(question, head, cols, above, &n, max_above);
	return n;
}
