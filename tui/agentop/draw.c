/* Drawing helpers shared by the views: text cut to a width in columns,
 * bars, a run's cost for a narrow column. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

void
draw_text(int y, int x, int width, enum theme_role role, const char *s)
{
	char buf[2048];
	size_t n, i = 0, o = 0, len;
	uint32_t cp;
	int w;

	if (width <= 0)
		return;
	s = s != NULL ? s : "";
	n = utf8_fit(s, width);
	n = utf8_prefix(s, n, sizeof(buf) - 1);
	/* a newline or tab would move curses' cursor, an escape would be
	 * two cells wide: every control character (C0, DEL, C1) is a space
	 * here, and a byte that is not UTF-8 a '?' (one column each, as
	 * utf8_width() counts them) */
	while (i < n) {
		if ((len = utf8_decode(s + i, n - i, &cp)) == 0) {
			buf[o++] = '?';
			i++;
		} else if (cp < 32 || (cp >= 127 && cp < 160)) {
			buf[o++] = ' ';
			i += len;
		} else {
			memcpy(buf + o, s + i, len);
			o += len;
			i += len;
		}
	}
	buf[o] = '\0';
	attrset(theme_attr(role));
	mvaddnstr(y, x, buf, (int)o);
	for (w = utf8_width(buf); w < width; w++)
		addch(' ');
	attrset(A_NORMAL);
}

void
draw_text_cut(struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *s, bool cut)
{
	const char *mark = ui->ascii ? "..." : "…";
	int mw = utf8_width(mark);
	char buf[1024];

	s = s != NULL ? s : "";
	if (width <= mw || (!cut && utf8_width(s) <= width)) {
		draw_text(y, x, width, role, s);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s%s", (int)utf8_fit(s, MIN_I(width - mw,
	    (int)sizeof(buf) / 4 - 4)), s, mark);
	draw_text(y, x, width, role, buf);
}

void
draw_corner(int y, int cols, enum theme_role role, const char *text)
{
	int w = MIN_I(utf8_width(text), cols);

	draw_text(y, cols - w, w, role, text);
}

void
draw_fill(int y, int x, int width, enum theme_role role)
{
	draw_text(y, x, width, role, "");
}

void
draw_bar(struct ui *ui, int y, int x, int width, double fraction)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	enum theme_role role = fraction >= 0.8 ? ROLE_BUDGET_HIGH :
	    fraction >= 0.5 ? ROLE_BUDGET_MID : ROLE_BUDGET_LOW;
	double cells = fmin(fmax(fraction, 0), 1) * width;
	int full = (int)cells, i;

	attrset(theme_attr(role));
	move(y, x);
	for (i = 0; i < full; i++)
		addstr(ui->ascii ? "#" : "█");
	if (i < width) {
		int part = (int)((cells - full) * 8);
		if (!ui->ascii && part > 0) {
			addstr(eighths[part]);
			i++;
		}
	}
	attrset(theme_attr(ROLE_DIM));
	for (; i < width; i++)
		addstr(ui->ascii ? "." : "·");
	attrset(A_NORMAL);
}

char *
ui_run_cost(char *out, size_t outlen, const json_t *run)
{
	if (json_is_true(json_object_get(run, "cost_unknown"))) {
		snprintf(out, outlen, "?");
		return out;
	}
	return fmt_cost_short(out, outlen, json_number_value(json_object_get(
	    json_object_get(run, "usage"), "cost_usd")));
}

void
draw_doc(struct ui *ui, const struct doc *d, int first, int y, int rows,
    int cols, const char *search)
{
	size_t hits[16][2], n_hits, len;
	char part[2048];

	for (int i = 0; i < rows; i++) {
		size_t li = (size_t)first + (size_t)i;
		const struct doc_line *l = li < d->n ? &d->lines[li] : NULL;
		const char *text;
		int x;

		if (l == NULL) {
			draw_fill(y + i, 0, cols, ROLE_NORMAL);
			continue;
		}
		text = doc_text(d, li, &len);
		len = MIN_I(len, sizeof(part) - 1);
		draw_text(y + i, 0, cols, l->role, l->prefix);
		x = utf8_width(l->prefix);
		snprintf(part, sizeof(part), "%.*s", (int)len, text);
		draw_text(y + i, x, cols - x, l->role, part);
		/* what the search matches, over the line's colour */
		n_hits = search != NULL && search[0] != '\0' ? doc_hits(d, li, search,
		    hits, 16) : 0;
		for (size_t h = 0; h < n_hits && hits[h][1] <= len; h++) {
			char before[2048], match[256];
			snprintf(before, sizeof(before), "%.*s", (int)hits[h][0], text);
			snprintf(match, sizeof(match), "%.*s", (int)(hits[h][1] -
			    hits[h][0]), text + hits[h][0]);
			int hx = x + utf8_width(before);
			if (hx < cols)
				draw_text(y + i, hx, MIN_I(utf8_width(match), cols - hx),
				    ROLE_MARKED, match);
		}
		if (l->bar && cols > 60) {
			char pct[16];
			x += utf8_width(part);
			draw_bar(ui, y + i, x, 20, l->fraction);
			/* the warning marks: 50% and 80% */
			attrset(theme_attr(ROLE_WARN));
			mvaddstr(y + i, x + 10, ui->ascii ? "|" : "┊");
			mvaddstr(y + i, x + 16, ui->ascii ? "|" : "┊");
			attrset(A_NORMAL);
			snprintf(pct, sizeof(pct), " %3.0f%%", l->fraction * 100);
			draw_text(y + i, x + 20, 6, ROLE_NORMAL, pct);
		}
	}
}
