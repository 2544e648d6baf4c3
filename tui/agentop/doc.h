/*
 * The text of a scrolling view (the run detail, health): lines cut from
 * source texts. Each line remembers where in its source it starts, so a
 * search runs over the sources, not the screen lines: a word that the
 * wrap split over two lines is found, and the match maps back to the
 * lines (and the bytes on them) it covers. Pure: no curses. The doc owns
 * copies of its sources, so it stays valid when the model changes.
 */
#ifndef AGENTOP_DOC_H
#define AGENTOP_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "theme.h"

struct doc_line {
	enum theme_role role;
	size_t src;			/* index into the doc's sources */
	size_t off, len;		/* the bytes of the source on this line */
	size_t end;			/* where the source's next line starts */
	char prefix[24];		/* drawn before them (a label, an indent) */
	bool bar;			/* a budget line: a bar after the text */
	double fraction;		/* its fill */
};

struct doc {
	struct doc_line *lines;
	size_t n, cap;
	char **srcs;			/* owned copies */
	size_t n_srcs, cap_srcs;
	size_t max_lines;		/* lines beyond are not added */
};

/* Found text: where it starts (line, source, byte) and how long it is. */
struct doc_match {
	size_t line;			/* the line holding its first byte */
	size_t src, off, len;
};

void doc_init(struct doc *d, size_t max_lines);
void doc_clear(struct doc *d);		/* no lines, no sources */
void doc_finish(struct doc *d);

/* A line of its own text (one source), cut at 1 KiB. */
void doc_addf(struct doc *d, enum theme_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* @text word-wrapped in @width columns: the first line after @prefix, the
 * others after as many spaces; at most @max lines (0: no limit). A line
 * of @text that does not fit is continued, never cut. */
void doc_add_wrapped(struct doc *d, enum theme_role role, const char *prefix,
    const char *text, int width, size_t max);
/* The last line added (to set bar and fraction), or NULL. */
struct doc_line *doc_last(struct doc *d);

/* The bytes of line @i (borrowed until the doc changes). */
const char *doc_text(const struct doc *d, size_t i, size_t *len);

/*
 * Finds @needle (ASCII case ignored) in the sources, in line order: the
 * first match after @from (dir > 0) or before it (dir < 0), wrapping
 * around the end; @from NULL starts before the first byte of line
 * @start_line (dir > 0: a match on that line counts). Only text shown on
 * some line counts. Returns 0 with *out set, or -1 if there is none.
 */
int doc_search(const struct doc *d, const char *needle,
    const struct doc_match *from, size_t start_line, int dir,
    struct doc_match *out);
/* How many matches of @needle the shown text holds. */
size_t doc_count(const struct doc *d, const char *needle);
/*
 * The parts of line @i inside a match of @needle, as byte ranges of the
 * line's text ([0] start, [1] end); a match split over two lines gives a
 * part on each. Returns how many (at most @max).
 */
size_t doc_hits(const struct doc *d, size_t i, const char *needle,
    size_t (*ranges)[2], size_t max);

#endif
