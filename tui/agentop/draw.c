/* Drawing helpers shared by the views: text cut to a width, bars,
 * numbers formatted for narrow columns. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

int
text_width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Bytes of @s that fit in @width columns, not splitting a character. */
static size_t
fit(const char *s, int width)
{
	size_t i = 0;
	int w = 0;

	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && w++ == width)
			break;
		i++;
	}
	return i;
}

void
draw_text(int y, int x, int width, enum theme_role role, const char *s)
{
	int w;

	if (width <= 0)
		return;
	attrset(theme_attr(role));
	s = s != NULL ? s : "";
	mvaddnstr(y, x, s, (int)fit(s, width));
	for (w = text_width(s); w < width; w++)
		addch(' ');
	attrset(A_NORMAL);
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
