/* agentctl: text tables that fit a width (see table.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "table.h"

void
table_init(struct table *t, const struct table_col *cols, size_t ncols)
{
	assert(ncols > 0 && ncols <= TABLE_MAX_COLS);
	*t = (struct table){ .ncols = ncols, .indent = "" };
	memcpy(t->cols, cols, ncols * sizeof(*cols));
}

void
table_finish(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	*t = (struct table){ 0 };
}

void
table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = realloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
		if (t->cells == NULL)
			abort();
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = format_escaped(cells[c] != NULL ?
		    cells[c] : "", FORMAT_ESC_LINE);
	t->nrows++;
}

static const char *
cell(const struct table *t, size_t row, size_t col)
{
	return row == 0 ? t->cols[col].head : t->cells[(row - 1) * t->ncols + col];
}

/* Column widths and the gap that make the table fit @width if it can. */
static void
layout(const struct table *t, size_t width, size_t *w, size_t *gap)
{
	size_t total = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = 0;
		for (size_t r = 0; r <= t->nrows; r++) {
			size_t cw = format_width(cell(t, r, c));
			if (cw > w[c])
				w[c] = cw;
		}
		total += w[c];
	}
	width -= width > strlen(t->indent) ? strlen(t->indent) : width;
	*gap = 2;
	if (total + 2 * (t->ncols - 1) > width)
		*gap = 1;
	total += *gap * (t->ncols - 1);
	while (total > width) {
		/* one column from the shrinkable one furthest above its
		 * minimum, so that they all keep what they can */
		size_t best = t->ncols, excess = 0;
		for (size_t c = 0; c < t->ncols; c++) {
			size_t min = t->cols[c].min > 0 ? t->cols[c].min : 1;
			if ((t->cols[c].flags & TABLE_SHRINK) && w[c] > min &&
			    w[c] - min > excess) {
				best = c;
				excess = w[c] - min;
			}
		}
		if (best == t->ncols)
			break;		/* too wide anyway: nothing left to cut */
		w[best]--;
		total--;
	}
}

char *
table_render(const struct table *t, size_t width)
{
	size_t w[TABLE_MAX_COLS], gap, textlen = 0;
	struct sbuf b;
	char *text;

	sbuf_init(&b);
	layout(t, width, w, &gap);
	for (size_t r = 0; r <= t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(cell(t, r, c)) > textlen)
				textlen = strlen(cell(t, r, c));
	textlen += 8;		/* room for "…" and the NUL */
	if ((text = malloc(textlen)) == NULL)
		abort();
	for (size_t r = 0; r <= t->nrows; r++) {
		size_t start = b.len;

		sbuf_puts(&b, t->indent);
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw, pad;

			format_fit(text, textlen, cell(t, r, c), w[c]);
			cw = format_width(text);
			pad = w[c] > cw ? w[c] - cw : 0;
			if (c > 0)
				sbuf_printf(&b, "%*s", (int)gap, "");
			if (t->cols[c].flags & TABLE_RIGHT)
				sbuf_printf(&b, "%*s", (int)pad, "");
			sbuf_puts(&b, text);
			if (!(t->cols[c].flags & TABLE_RIGHT))
				sbuf_printf(&b, "%*s", (int)pad, "");
		}
		/* no trailing blanks */
		while (b.len > start && b.s[b.len - 1] == ' ')
			b.s[--b.len] = '\0';
		sbuf_puts(&b, "\n");
	}
	free(text);
	return sbuf_steal(&b);
}
