/*
 * The prompt line's editor: one line of UTF-8 text with a cursor, the
 * usual editing operations, and the horizontal window that keeps the
 * cursor in view when the line is wider than the screen. Pure: no curses
 * (ui.c maps keys to operations). A character is one column, as
 * everywhere in agentop (draw.c).
 */
#ifndef AGENTOP_LINEEDIT_H
#define AGENTOP_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX	16384	/* bytes of text, NUL included */

struct lineedit {
	char text[LINEEDIT_MAX];	/* NUL-terminated */
	size_t len;			/* bytes in text */
	size_t cur;			/* cursor: a byte offset on a character start */
	int scroll;			/* first column shown (lineedit_window) */
	char cut[LINEEDIT_MAX];		/* the last text cut (^U ^K ^W), for ^Y */
};

enum lineedit_op {
	LE_LEFT, LE_RIGHT,		/* one character */
	LE_WORD_LEFT, LE_WORD_RIGHT,	/* to the start / past the end of a word */
	LE_HOME, LE_END,
	LE_BACKSPACE,			/* the character before the cursor */
	LE_DELETE,			/* the character under the cursor */
	LE_CUT_START,			/* ^U: from the start to the cursor */
	LE_CUT_END,			/* ^K: from the cursor to the end */
	LE_CUT_WORD,			/* ^W: the word before the cursor */
	LE_YANK,			/* ^Y: inserts the last cut text */
};

/* Empties the line (and what was cut). */
void lineedit_clear(struct lineedit *e);
/* Replaces the text (cut at a character boundary if too long); the cursor
 * goes to the end. Returns false if it was cut. */
bool lineedit_set(struct lineedit *e, const char *text);
/* Inserts @n bytes at the cursor; false (nothing inserted) if they do not
 * fit. Bytes of a character may come one at a time (as curses gives them). */
bool lineedit_insert(struct lineedit *e, const char *s, size_t n);
void lineedit_op(struct lineedit *e, enum lineedit_op op);

/*
 * What to show in a field @width columns wide: the bytes text[*first ..
 * *first + *nbytes), and the cursor's column within the field. The window
 * moves only as far as needed to keep the cursor visible; while it is
 * moved right of the start, *more_left is set (the caller draws a '<' in
 * column 0, which never holds the cursor then); *more_right likewise for
 * text beyond the right edge (a '>' in the last column).
 */
int lineedit_window(struct lineedit *e, int width, size_t *first,
    size_t *nbytes, bool *more_left, bool *more_right);

#endif
