/* Drawing helpers shared by the views: text cut to a width, bars,
 * numbers formatted for narrow columns. */
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
	size_t n;
	int w;

	if (width <= 0)
		return;
	s = s != NULL ? s : "";
	n = text_fit(s, width);
	n = n < sizeof(buf) ? n : sizeof(buf) - 1;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	/* a newline or tab would move curses' cursor, an escape would be
	 * two cells wide: every control character is a space here */
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 32 || s[i] == 127 ? ' ' : s[i];
	buf[n] = '\0';
	attrset(theme_attr(role));
	mvaddnstr(y, x, buf, (int)n);
	for (w = text_width(buf); w < width; w++)
		addch(' ');
	attrset(A_NORMAL);
}

void
draw_text_cut(struct ui *ui, int y, int x, int width, enum theme_role role,
    const char *s, bool cut)
{
	const char *mark = ui->ascii ? "..." : "…";
	int mw = text_width(mark);
	char buf[1024];

	s = s != NULL ? s : "";
	if (width <= mw || (!cut && text_width(s) <= width)) {
		draw_text(y, x, width, role, s);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s%s", (int)text_fit(s, MIN_I(width - mw,
	    (int)sizeof(buf) / 4 - 4)), s, mark);
	draw_text(y, x, width, role, buf);
}

void
draw_corner(int y, int cols, enum theme_role role, const char *text)
{
	int w = MIN_I(text_width(text), cols);

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

void
fmt_duration(char *out, size_t outlen, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(out, outlen, "%lldms", (long long)ms);
	else if (ms < 60000)
		snprintf(out, outlen, "%.1fs", (double)ms / 1000);
	else if (ms < 3600000)
		snprintf(out, outlen, "%lldm%02llds", (long long)(ms / 60000),
		    (long long)(ms / 1000 % 60));
	else if (ms < 86400000)
		snprintf(out, outlen, "%lldh%02lldm", (long long)(ms / 3600000),
		    (long long)(ms / 60000 % 60));
	else
		snprintf(out, outlen, "%lldd", (long long)(ms / 86400000));
}

void
fmt_tokens(char *out, size_t outlen, double n)
{
	/* at most 5 characters */
	if (n < 1000)
		snprintf(out, outlen, "%.0f", n);
	else if (n < 1e4)
		snprintf(out, outlen, "%.1fk", n / 1e3);
	else if (n < 1e6)
		snprintf(out, outlen, "%.0fk", n / 1e3);
	else if (n < 1e7)
		snprintf(out, outlen, "%.1fM", n / 1e6);
	else
		snprintf(out, outlen, "%.0fM", n / 1e6);
}

void
fmt_cost(char *out, size_t outlen, const json_t *run)
{
	double c = json_number_value(json_object_get(json_object_get(run,
	    "usage"), "cost_usd"));

	if (json_is_true(json_object_get(run, "cost_unknown")))
		snprintf(out, outlen, "?");
	else if (c < 10)
		snprintf(out, outlen, "$%.4f", c);
	else
		snprintf(out, outlen, "$%.2f", c);
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
		x = text_width(l->prefix);
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
			int hx = x + text_width(before);
			if (hx < cols)
				draw_text(y + i, hx, MIN_I(text_width(match), cols - hx),
				    ROLE_MARKED, match);
		}
		if (l->bar && cols > 60) {
			char pct[16];
			x += text_width(part);
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
