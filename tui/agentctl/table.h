/*
 * agentctl: text tables that fit a width. Pure: rows go in as strings, the
 * table comes out as a string (tested in tests/tui/test_agentctl_format.c).
 *
 * Columns take the width of their widest cell. When the table is wider than
 * the limit the gap between columns narrows from two spaces to one, then the
 * columns marked shrinkable give up width (widest first, never below their
 * minimum) and their cells are cut with "…".
 */
#ifndef AGENTCTL_TABLE_H
#define AGENTCTL_TABLE_H

#include <stddef.h>

#define TABLE_MAX_COLS	12
#define TABLE_WIDTH	80	/* what every table must fit */

#define TABLE_RIGHT	0x1	/* right-aligned (numbers) */
#define TABLE_SHRINK	0x2	/* may be cut to fit the width */

struct table_col {
	const char *head;	/* upper-case title */
	unsigned flags;		/* TABLE_* */
	size_t min;		/* TABLE_SHRINK: narrowest it gets */
};

struct table {
	struct table_col cols[TABLE_MAX_COLS];
	size_t ncols;
	char **cells;		/* nrows * ncols strings (owned) */
	size_t nrows;
	size_t cap;		/* rows allocated */
	const char *indent;	/* printed before every line; borrowed */
};

/* Copies @cols (ncols <= TABLE_MAX_COLS). */
void table_init(struct table *t, const struct table_col *cols, size_t ncols);
void table_finish(struct table *t);	/* accepts a zeroed table */
/* Adds a row of ncols cells (copied with every control character escaped,
 * newlines too: format_escape(); NULL reads as ""). */
void table_add(struct table *t, const char *const *cells);
/* The table with its header, one line per row, each ending in '\n'; a new
 * string (free()). */
char *table_render(const struct table *t, size_t width);

#endif
