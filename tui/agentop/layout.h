/*
 * Fitting things into the terminal's width: the header's parts by
 * priority, table columns around a text column, a prompt's question
 * around its input field. Pure: no curses; widths in columns as
 * utf8_width() counts them (tui/common/utf8.h: CJK and emoji take two).
 */
#ifndef AGENTOP_LAYOUT_H
#define AGENTOP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "utf8.h"

/*
 * The next line of @s (@len bytes) in @width columns: returns its length
 * in bytes and sets *next to where the following line starts. It breaks
 * at a '\n' (dropped), else after the last space that fits (the spaces
 * at the break are dropped), else, for a word longer than the line, at
 * the width (on a character boundary; a character wider than the whole
 * line is taken alone, so that every line moves on).
 */
size_t layout_wrap(const char *s, size_t len, int width, size_t *next);

/* One part of the header line. */
struct hdr_part {
	const char *text;		/* borrowed; its own spaces included */
	int prio;			/* the lowest goes first when it does not fit */
	bool right;			/* at the right edge (the clock) */
	int x;				/* out: its column, or -1 when left out */
};

/*
 * Places the parts in @cols columns: left parts one after the other in
 * their order, right parts against the right edge. While they do not all
 * fit, the part of lowest priority is left out (of equal ones, the last).
 * Parts of priority HDR_KEEP are never left out: when they alone do not
 * fit they are placed anyway and the caller's drawing cuts the last.
 */
#define HDR_KEEP	100
void layout_header(struct hdr_part *parts, size_t n, int cols);

/* One column of a table that has a text column taking the rest. */
struct col {
	int want;			/* what its content needs */
	int min;			/* narrowest it may get; 0: it may be left out */
	int order;			/* which gives up room first: lowest first */
	int w;				/* out: its width, 0 when left out */
};

/*
 * Gives the columns their width in @cols columns, each followed by @gap
 * spaces, and returns the text column's width (what is left, at least
 * @text_min when the others can give up enough): columns give up room in
 * their order, first down to their minimum, then (minimum 0) entirely.
 */
int layout_columns(struct col *c, size_t n, int cols, int gap, int text_min);

/*
 * A prompt's question and its input field on the prompt line: when the
 * question (with one space) and @field_min columns do not fit in @cols,
 * the question is word-wrapped onto lines above the prompt line, at most
 * @max_above of them (the last one cut with "..."), and as much of its end
 * as fits stays on the prompt line before the field. A '\n' in the
 * question is a preferred break (a space when it all fits on one line).
 * Writes the lines above into @above (each @linelen bytes) and the prompt
 * line's part into @inline_q; returns the number of lines above.
 */
int layout_question(const char *question, int cols, int field_min,
    char (*above)[256], int max_above, char *inline_q, size_t inline_len);

#endif
