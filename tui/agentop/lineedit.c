/* The prompt line's editor (lineedit.h). */
#include <stdio.h>
#include <string.h>

#include "lineedit.h"
#include "utf8.h"

static bool
space(char c)
{
	return c == ' ' || c == '\t';
}

/* Columns in text[from, to) (utf8_width: CJK and emoji take two). */
static int
cols(const char *s, size_t from, size_t to)
{
	return utf8_width_n(s + from, to - from);
}

static size_t
prev_char(const struct lineedit *e, size_t at)
{
	if (at == 0)
		return 0;
	do
		at--;
	while (at > 0 && utf8_cont((unsigned char)e->text[at]));
	return at;
}

static size_t
next_char(const struct lineedit *e, size_t at)
{
	if (at >= e->len)
		return e->len;
	do
		at++;
	while (at < e->len && utf8_cont((unsigned char)e->text[at]));
	return at;
}

void
lineedit_clear(struct lineedit *e)
{
	e->text[0] = '\0';
	e->len = e->cur = 0;
	e->scroll = 0;
	e->cut[0] = '\0';
}

bool
lineedit_set(struct lineedit *e, const char *text)
{
	size_t n = strlen(text);
	bool whole = n < sizeof(e->text);

	if (!whole)
		n = utf8_prefix(text, n, sizeof(e->text) - 1);
	memcpy(e->text, text, n);
	e->text[n] = '\0';
	e->len = e->cur = n;
	e->scroll = 0;
	return whole;
}

bool
lineedit_insert(struct lineedit *e, const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (e->len + n >= sizeof(e->text))
		return false;
	memmove(e->text + e->cur + n, e->text + e->cur, e->len - e->cur + 1);
	memcpy(e->text + e->cur, s, n);
	e->len += n;
	e->cur += n;
	return true;
}

/* Removes text[from, to); with @keep, it becomes the cut text. */
static void
cut(struct lineedit *e, size_t from, size_t to, bool keep)
{
	if (to <= from)
		return;
	if (keep)
		snprintf(e->cut, sizeof(e->cut), "%.*s", (int)(to - from),
		    e->text + from);
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cur = from;
}

static size_t
word_left(const struct lineedit *e, size_t at)
{
	while (at > 0 && space(e->text[at - 1]))
		at--;
	while (at > 0 && !space(e->text[at - 1]))
		at--;
	return at;
}

static size_t
word_right(const struct lineedit *e, size_t at)
{
	while (at < e->len && space(e->text[at]))
		at++;
	while (at < e->len && !space(e->text[at]))
		at++;
	return at;
}

void
lineedit_op(struct lineedit *e, enum lineedit_op op)
{
	char yank[sizeof(e->cut)];

	switch (op) {
	case LE_LEFT:
		e->cur = prev_char(e, e->cur);
		break;
	case LE_RIGHT:
		e->cur = next_char(e, e->cur);
		break;
	case LE_WORD_LEFT:
		e->cur = word_left(e, e->cur);
		break;
	case LE_WORD_RIGHT:
		e->cur = word_right(e, e->cur);
		break;
	case LE_HOME:
		e->cur = 0;
		break;
	case LE_END:
		e->cur = e->len;
		break;
	case LE_BACKSPACE:
		cut(e, prev_char(e, e->cur), e->cur, false);
		break;
	case LE_DELETE:
		cut(e, e->cur, next_char(e, e->cur), false);
		break;
	case LE_CUT_START:
		cut(e, 0, e->cur, true);
		break;
	case LE_CUT_END:
		cut(e, e->cur, e->len, true);
		break;
	case LE_CUT_WORD:
		cut(e, word_left(e, e->cur), e->cur, true);
		break;
	case LE_YANK:
		snprintf(yank, sizeof(yank), "%s", e->cut);
		lineedit_insert(e, yank, strlen(yank));
		break;
	}
}

int
lineedit_window(struct lineedit *e, int width, size_t *first, size_t *nbytes,
    bool *more_left, bool *more_right)
{
	int total = cols(e->text, 0, e->len), ccol = cols(e->text, 0, e->cur);
	int shown, skipped = 0;
	size_t i = 0, j;

	if (width < 4 || total < width) {
		/* it all fits, with the cursor after the last character */
		e->scroll = width < 4 ? ccol - (width > 0 ? width - 1 : 0) : 0;
		if (e->scroll < 0)
			e->scroll = 0;
	} else {
		/* column 0 (when scrolled) and width-1 are kept for the
		 * marks, so the cursor stays within 1 .. width-2 */
		if (ccol <= e->scroll)
			e->scroll = ccol > 0 ? ccol - 1 : 0;
		if (ccol > e->scroll + width - 2)
			e->scroll = ccol - width + 2;
		if (e->scroll > total + 2 - width)
			e->scroll = total + 2 - width;
		if (e->scroll < 0)
			e->scroll = 0;
	}
	/* whole characters: a wide one across the left edge is skipped, one
	 * across the right edge left out */
	while (i < e->len && skipped < e->scroll) {
		skipped += cols(e->text, i, next_char(e, i));
		i = next_char(e, i);
	}
	for (j = i, shown = 0; j < e->len; j = next_char(e, j)) {
		int w = cols(e->text, j, next_char(e, j));
		if (shown + w > width)
			break;
		shown += w;
	}
	*first = i;
	*nbytes = j - i;
	*more_left = e->scroll > 0;
	*more_right = j < e->len;
	return ccol - skipped;
}
