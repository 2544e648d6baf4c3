/* Health: the daemon's own figures (the health op), refreshed by the
 * client's heartbeat. */
#include <stdio.h>
#include <string.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define PROVIDER_COLS	68	/* the providers table without the last error */
#define ERROR_MIN	24	/* less room than this: the error on its own line */

/* A provider's last error with how long ago it was, so an old one reads
 * as old: "3m05s ago: HTTP 500: …"; NULL when there is none. */
static const char *
last_error(const json_t *p, int64_t now, char *out, size_t outlen)
{
	const char *err = json_string_value(json_object_get(p, "last_error"));
	const json_t *when = json_object_get(p, "last_error_ms");
	char ago[16];

	if (err == NULL || !json_is_integer(when))
		return err;
	fmt_duration(ago, sizeof(ago), now - json_integer_value(when));
	snprintf(out, outlen, "%s ago: %s", ago, err);
	return out;
}

/* The view's lines as at @now, into ui->health_doc (drawn from
 * ui->health_scroll). */
static void
build(struct ui *ui, int64_t now, int cols)
{
	const json_t *h = ui->m->health;
	struct doc *d = &ui->health_doc;
	char up[FMT_SHORT], spend[FMT_SHORT];

	doc_clear(d);
	if (h == NULL) {
		doc_addf(d, ROLE_DIM, "%s", "");
		doc_addf(d, ROLE_DIM, "  waiting for agentd's health figures…");
		return;
	}
	fmt_duration(up, sizeof(up), json_integer_value(json_object_get(h,
	    "uptime_ms")));
	doc_addf(d, ROLE_TITLE, " agentd");
#define ROW(role, ...) doc_addf(d, role, __VA_ARGS__)
	ROW(ROLE_NORMAL, "   version               %s",
	    str_or(json_string_value(json_object_get(h, "version")), "?"));
	ROW(ROLE_NORMAL, "   uptime                %s", up);
	ROW(ROLE_NORMAL, "   live runs             %lld",
	    (long long)json_integer_value(json_object_get(h, "live_runs")));
	ROW(json_integer_value(json_object_get(h, "pending_escalations")) > 0 ?
	    ROLE_ESCALATION : ROLE_NORMAL, "   pending escalations   %lld",
	    (long long)json_integer_value(json_object_get(h, "pending_escalations")));
	ROW(ui->m->killswitch ? ROLE_BANNER : ROLE_OK, "   kill switch           %s",
	    ui->m->killswitch ? "ENGAGED" : "off");
	ROW(json_is_true(json_object_get(h, "storage_ok")) ? ROLE_OK : ROLE_ERROR,
	    "   database              %s", json_is_true(json_object_get(h,
	    "storage_ok")) ? "writable" : "NOT WRITABLE: runs are held");
	ROW(ROLE_NORMAL, "   events/s (seen here)  %.0f", ui->m->events_rate);
	ROW(ROLE_NORMAL, "   seq                   %lld",
	    (long long)json_integer_value(json_object_get(h, "seq")));
	ROW(ROLE_NORMAL, "   runs submitted        %lld   finished %lld",
	    (long long)json_integer_value(json_object_get(h, "runs_submitted")),
	    (long long)json_integer_value(json_object_get(h, "runs_finished")));
	ROW(ROLE_NORMAL, "   spend today           %s", fmt_cost(spend,
	    sizeof(spend), json_number_value(json_object_get(h,
	    "spend_today_usd"))));
	ROW(json_array_size(json_object_get(h, "load_errors")) > 0 ? ROLE_WARN :
	    ROLE_NORMAL, "   rejected agent files  %zu",
	    json_array_size(json_object_get(h, "load_errors")));
	ROW(ROLE_NORMAL, "%s", "");
	ROW(ROLE_TITLE, " %-37s %10s  threshold", "alerts (the last 1000 samples "
	    "of each)", "value");
	{
		const json_t *mt;
		size_t i;
		json_array_foreach(json_object_get(h, "metrics"), i, mt) {
			const char *unit = str_or(json_string_value(json_object_get(mt,
			    "unit")), "");
			const json_t *v = json_object_get(mt, "value");
			double t = json_number_value(json_object_get(mt, "threshold"));
			char val[32], thr[32];
			if (strcmp(unit, "ms") == 0) {
				if (json_is_number(v))
					fmt_duration(val, sizeof(val),
					    (int64_t)json_number_value(v));
				fmt_duration(thr, sizeof(thr), (int64_t)t);
			} else if (strcmp(unit, "usd") == 0) {
				fmt_cost(val, sizeof(val), json_number_value(v));
				fmt_cost(thr, sizeof(thr), t);
			} else {
				snprintf(val, sizeof(val), "%.1f%%", json_number_value(v) * 100);
				snprintf(thr, sizeof(thr), "%.1f%%", t * 100);
			}
			if (!json_is_number(v))
				snprintf(val, sizeof(val), "-");
			ROW(json_is_true(json_object_get(mt, "crossed")) ? ROLE_WARN :
			    ROLE_NORMAL, "   %-26s %-8s %10s  %s %-9s%s",
			    json_string_value(json_object_get(mt, "name")),
			    json_is_true(json_object_get(mt, "crossed")) ? "CROSSED" : "",
			    val, strcmp(str_or(json_string_value(json_object_get(mt,
			    "bad_when")), ""), "below") == 0 ? ">=" : "<=", thr,
			    json_integer_value(json_object_get(mt, "samples")) == 0 ?
			    "  (no samples yet)" : "");
		}
	}
	ROW(ROLE_NORMAL, "%s", "");
	/* the last error gets the rest of the line, or a line of its own */
	ROW(ROLE_TITLE, " %-14s %-9s %6s %7s %8s %7s %8s%s", "providers",
	    "breaker", "flight", "waiting", "requests", "retries", "failures",
	    cols - PROVIDER_COLS >= ERROR_MIN ? "  last error" : "");
	{
		const json_t *p;
		size_t i;
		json_array_foreach(json_object_get(h, "providers"), i, p) {
			const char *br = str_or(json_string_value(json_object_get(p,
			    "breaker")), "?");
			char errbuf[300];
			const char *err = last_error(p, now, errbuf,
			    sizeof(errbuf));
			const char *shown = strcmp(br, "open") == 0 ? "OPEN" :
			    strcmp(br, "closed") != 0 ? "HALF-OPEN" : "closed";
			enum theme_role role = strcmp(br, "open") == 0 ? ROLE_ERROR :
			    strcmp(br, "closed") != 0 ? ROLE_WARN : ROLE_NORMAL;
			bool inline_err = cols - PROVIDER_COLS >= ERROR_MIN;
			ROW(role, "   %-12.12s %-9s %6lld %7lld %8lld %7lld %8lld%s%s",
			    str_or(json_string_value(json_object_get(p, "name")), "?"),
			    shown, (long long)json_integer_value(json_object_get(p,
			    "in_flight")), (long long)json_integer_value(
			    json_object_get(p, "rate_waiting")), (long long)
			    json_integer_value(json_object_get(p, "requests")),
			    (long long)json_integer_value(json_object_get(p, "retries")),
			    (long long)json_integer_value(json_object_get(p, "failures")),
			    inline_err && err != NULL ? "  " : "",
			    inline_err && err != NULL ? err : "");
			if (!inline_err && err != NULL)
				doc_add_wrapped(d, role, "      last error: ", err, cols, 3);
		}
	}
#undef ROW
}

static void
health_draw(struct ui *ui, int64_t now, int y, int rows, int cols)
{
	int n, shown;
	char more[64];

	build(ui, now, cols);
	n = (int)ui->health_doc.n;
	if (n > rows) {
		/* it does not fit: a line saying where this is, then the lines */
		rows--;
		if (ui->health_scroll > n - rows)
			ui->health_scroll = MAX_I(n - rows, 0);
		shown = MIN_I(n - ui->health_scroll, rows);
		snprintf(more, sizeof(more), " lines %d-%d of %d (j/k, PgUp/PgDn "
		    "scroll)", ui->health_scroll + 1, ui->health_scroll + shown, n);
		draw_text(y++, 0, cols, ROLE_DIM, more);
	}
	if (ui->health_scroll > n - rows)
		ui->health_scroll = MAX_I(n - rows, 0);
	draw_doc(ui, &ui->health_doc, ui->health_scroll, y, rows, cols, NULL);
}

static int
health_key(struct ui *ui, int ch)
{
	return ui_scroll_key(ui, &ui->health_scroll, ui->health_doc.n, ch) ?
	    UI_REDRAW : UI_UNHANDLED;
}

const struct view_ops view_health = {
	.name = "health",
	.keys = "j/k scroll",
	.keys_ro = "j/k scroll",
	.draw = health_draw,
	.key = health_key,
};
