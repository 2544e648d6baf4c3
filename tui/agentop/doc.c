/* The text of a scrolling view, searched over its sources (doc.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc.h"
#include "layout.h"

#define WRAP_MIN	20	/* wrapped text gets at least this many columns */

static void *
grow(void *p, size_t *cap, size_t size)
{
	*cap = *cap ? 2 * *cap : 64;
	if ((p = realloc(p, *cap * size)) == NULL)
		abort();
	return p;
}

void
doc_init(struct doc *d, size_t max_lines)
{
	*d = (struct doc){ .max_lines = max_lines };
}

void
doc_clear(struct doc *d)
{
	for (size_t i = 0; i < d->n_srcs; i++)
		free(d->srcs[i]);
	d->n_srcs = 0;
	d->n = 0;
}

void
doc_finish(struct doc *d)
{
	if (d == NULL)
		return;
	doc_clear(d);
	free(d->srcs);
	free(d->lines);
	*d = (struct doc){ 0 };
}

/* Takes @text (malloc'ed) as a new source; returns its index. */
static size_t
add_src(struct doc *d, char *text)
{
	if (d->n_srcs == d->cap_srcs)
		d->srcs = grow(d->srcs, &d->cap_srcs, sizeof(*d->srcs));
	d->srcs[d->n_srcs] = text;
	return d->n_srcs++;
}

static bool
add_line(struct doc *d, struct doc_line line)
{
	if (d->max_lines > 0 && d->n >= d->max_lines)
		return false;
	if (d->n == d->cap)
		d->lines = grow(d->lines, &d->cap, sizeof(*d->lines));
	d->lines[d->n++] = line;
	return true;
}

void
doc_addf(struct doc *d, enum theme_role role, const char *fmt, ...)
{
	char buf[1024], *copy;
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = strlen(buf);
	if ((copy = strdup(buf)) == NULL)
		abort();
	add_line(d, (struct doc_line){ .role = role, .src = add_src(d, copy),
	    .off = 0, .len = len, .end = len });
}

void
doc_add_wrapped(struct doc *d, enum theme_role role, const char *prefix,
    const char *text, int width, size_t max)
{
	size_t len = strlen(text), off = 0, next, take, src, n = 0;
	int indent = utf8_width(prefix), w = width - indent - 1;
	char *copy = strdup(text);
	struct doc_line line = { .role = role };

	if (copy == NULL)
		abort();
	src = add_src(d, copy);
	if (w < WRAP_MIN)
		w = WRAP_MIN;
	do {
		take = layout_wrap(copy + off, len - off, w, &next);
		line = (struct doc_line){ .role = role, .src = src, .off = off,
		    .len = take, .end = off + next };
		snprintf(line.prefix, sizeof(line.prefix), "%*s", n == 0 ? 0 :
		    indent, n == 0 ? prefix : "");
		if (!add_line(d, line))
			break;
		off += next;
		n++;
	} while (off < len && (max == 0 || n < max));
}

struct doc_line *
doc_last(struct doc *d)
{
	return d->n > 0 ? &d->lines[d->n - 1] : NULL;
}

const char *
doc_text(const struct doc *d, size_t i, size_t *len)
{
	*len = d->lines[i].len;
	return d->srcs[d->lines[i].src] + d->lines[i].off;
}

/* The line showing byte @off of source @src, or SIZE_MAX if none does. */
static size_t
line_of(const struct doc *d, size_t src, size_t off)
{
	size_t lo = 0, hi = d->n;

	/* the first line at or after (src, off + 1) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct doc_line *l = &d->lines[mid];
		if (l->src < src || (l->src == src && l->off <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || d->lines[lo - 1].src != src || off >= d->lines[lo - 1].end)
		return SIZE_MAX;
	return lo - 1;
}

/* The first match of @needle in source @src at or after byte @from that
 * some line shows; false if none. */
static bool
next_in(const struct doc *d, size_t src, size_t from, const char *needle,
    struct doc_match *out)
{
	const char *s = d->srcs[src], *p;
	size_t len = strlen(s), line;

	while (from <= len && (p = strcasestr(s + from, needle)) != NULL) {
		size_t off = (size_t)(p - s);
		if ((line = line_of(d, src, off)) != SIZE_MAX) {
			*out = (struct doc_match){ line, src, off, strlen(needle) };
			return true;
		}
		from = off + 1;
	}
	return false;
}

static bool
before(size_t src_a, size_t off_a, size_t src_b, size_t off_b)
{
	return src_a < src_b || (src_a == src_b && off_a < off_b);
}

int
doc_search(const struct doc *d, const char *needle, const struct doc_match *from,
    size_t start_line, int dir, struct doc_match *out)
{
	struct doc_match m, prev, last;
	size_t src, off;
	bool have_prev = false, have_last = false;

	if (needle[0] == '\0' || d->n == 0)
		return -1;
	if (from != NULL) {
		src = from->src;
		off = from->off + (dir > 0);
	} else {
		start_line = start_line < d->n ? start_line : d->n - 1;
		src = d->lines[start_line].src;
		off = d->lines[start_line].off;
	}
	if (dir > 0) {
		/* from the position to the end, then from the start */
		for (size_t s = src; s < d->n_srcs; s++)
			if (next_in(d, s, s == src ? off : 0, needle, out))
				return 0;
		for (size_t s = 0; s <= src && s < d->n_srcs; s++)
			if (next_in(d, s, 0, needle, &m) &&
			    before(m.src, m.off, src, off)) {
				*out = m;
				return 0;
			}
		return -1;
	}
	/* backwards: the last match before the position, else the last one */
	for (size_t s = 0; s < d->n_srcs; s++)
		for (size_t at = 0; next_in(d, s, at, needle, &m); at = m.off + 1) {
			if (before(m.src, m.off, src, off)) {
				prev = m;
				have_prev = true;
			}
			last = m;
			have_last = true;
		}
	if (!have_last)
		return -1;
	*out = have_prev ? prev : last;
	return 0;
}

size_t
doc_count(const struct doc *d, const char *needle)
{
	struct doc_match m;
	size_t n = 0;

	if (needle[0] == '\0')
		return 0;
	for (size_t s = 0; s < d->n_srcs; s++)
		for (size_t at = 0; next_in(d, s, at, needle, &m); at = m.off + 1)
			n++;
	return n;
}

size_t
doc_hits(const struct doc *d, size_t i, const char *needle, size_t (*ranges)[2],
    size_t max)
{
	const struct doc_line *l = &d->lines[i];
	const char *s = d->srcs[l->src];
	size_t nlen = strlen(needle), from, to, n = 0, srclen;
	char window[8192];
	const char *p;

	if (nlen == 0 || nlen >= sizeof(window) / 2)
		return 0;
	/* only the bytes a match touching this line can be in */
	from = l->off >= nlen - 1 ? l->off - (nlen - 1) : 0;
	srclen = strlen(s + from) + from;
	to = l->off + l->len + nlen - 1 < srclen ? l->off + l->len + nlen - 1 : srclen;
	if (to - from >= sizeof(window))
		to = from + sizeof(window) - 1;
	memcpy(window, s + from, to - from);
	window[to - from] = '\0';
	for (p = window; n < max && (p = strcasestr(p, needle)) != NULL; p++) {
		size_t a = from + (size_t)(p - window), b = a + nlen;
		if (a >= l->off + l->len)
			break;
		if (b <= l->off)
			continue;
		ranges[n][0] = (a > l->off ? a : l->off) - l->off;
		ranges[n][1] = (b < l->off + l->len ? b : l->off + l->len) - l->off;
		n++;
	}
	return n;
}
