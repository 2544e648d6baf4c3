/* Health: the daemon's own figures (the health op), refreshed by the
 * client's heartbeat. */
#include <stdio.h>
#include <string.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

static void
health_draw(struct ui *ui, int y, int rows, int cols)
{
	const json_t *h = ui->m->health;
	char line[300], up[16];
	int row = y;

	for (int i = 0; i < rows; i++)
		draw_fill(y + i, 0, cols, ROLE_NORMAL);
	if (h == NULL) {
		draw_text(row + 1, 2, cols - 4, ROLE_DIM, "waiting for agentd's "
		    "health figures…");
		return;
	}
	fmt_duration(up, sizeof(up), json_integer_value(json_object_get(h,
	    "uptime_ms")));
	draw_text(row++, 0, cols, ROLE_TITLE, " agentd");
#define ROW(role, ...) do { \
	snprintf(line, sizeof(line), __VA_ARGS__); \
	draw_text(row++, 0, cols, role, line); \
} while (0)
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
	ROW(ROLE_NORMAL, "   spend today           $%.4f",
	    json_number_value(json_object_get(h, "spend_today_usd")));
	ROW(json_array_size(json_object_get(h, "load_errors")) > 0 ? ROLE_WARN :
	    ROLE_NORMAL, "   rejected agent files  %zu",
	    json_array_size(json_object_get(h, "load_errors")));
	row++;
	draw_text(row++, 0, cols, ROLE_TITLE, " what operators alert on (the last "
	    "1000 samples of each)          value     threshold");
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
				snprintf(val, sizeof(val), "$%.4f", json_number_value(v));
				snprintf(thr, sizeof(thr), "$%.4f", t);
			} else {
				snprintf(val, sizeof(val), "%.1f%%", json_number_value(v) * 100);
				snprintf(thr, sizeof(thr), "%.1f%%", t * 100);
			}
			if (!json_is_number(v))
				snprintf(val, sizeof(val), "-");
			ROW(json_is_true(json_object_get(mt, "crossed")) ? ROLE_WARN :
			    ROLE_NORMAL, "   %-24s %-8s %10s  %s %-9s%s",
			    json_string_value(json_object_get(mt, "name")),
			    json_is_true(json_object_get(mt, "crossed")) ? "CROSSED" : "",
			    val, strcmp(str_or(json_string_value(json_object_get(mt,
			    "bad_when")), ""), "below") == 0 ? ">=" : "<=", thr,
			    json_integer_value(json_object_get(mt, "samples")) == 0 ?
			    "  (no samples yet)" : "");
		}
	}
	row++;
	draw_text(row++, 0, cols, ROLE_TITLE, " providers        breaker     "
	    "in flight  waiting  requests  retries  failures  last error");
	{
		const json_t *p;
		size_t i;
		json_array_foreach(json_object_get(h, "providers"), i, p) {
			const char *br = str_or(json_string_value(json_object_get(p,
			    "breaker")), "?");
			const char *err = json_string_value(json_object_get(p,
			    "last_error"));
			const char *shown = strcmp(br, "open") == 0 ? "OPEN" :
			    strcmp(br, "closed") != 0 ? "HALF-OPEN" : "closed";
			ROW(strcmp(br, "open") == 0 ? ROLE_ERROR : strcmp(br,
			    "closed") != 0 ? ROLE_WARN : ROLE_NORMAL,
			    "   %-14.14s %-10s %10lld %8lld %9lld %8lld %9lld  %s",
			    str_or(json_string_value(json_object_get(p, "name")), "?"),
			    shown, (long long)json_integer_value(json_object_get(p,
			    "in_flight")), (long long)json_integer_value(
			    json_object_get(p, "rate_waiting")), (long long)
			    json_integer_value(json_object_get(p, "requests")),
			    (long long)json_integer_value(json_object_get(p, "retries")),
			    (long long)json_integer_value(json_object_get(p, "failures")),
			    err != NULL ? err : "");
		}
	}
#undef ROW
}

static int
health_key(struct ui *ui, int ch)
{
	return UI_UNHANDLED;
}

const struct view_ops view_health = {
	.name = "health",
	.keys = "",
	.keys_ro = "",
	.draw = health_draw,
	.key = health_key,
};
