/* The escalation queue: what the agent was doing, why, the decision
 * needed, the deadline counting down; approve, edit, reject. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define SHOWN_MAX 256

static int64_t
now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *
selected(struct ui *ui, size_t *n_out)
{
	json_t *list[SHOWN_MAX];
	size_t n = model_escalations(ui->m, list, SHOWN_MAX);

	*n_out = n;
	if (ui->sel[VIEW_ESCALATIONS] >= n)
		ui->sel[VIEW_ESCALATIONS] = n > 0 ? n - 1 : 0;
	return n > 0 ? list[ui->sel[VIEW_ESCALATIONS]] : NULL;
}

/* Draws "label text" wrapped under the label, up to 4 lines and @end;
 * returns the next row. */
static int
wrapped(int row, int end, int cols, enum theme_role role, const char *label,
    const char *text)
{
	int indent = text_width(label), width = cols - indent - 1;
	char part[512];
	const char *p = text != NULL ? text : "";

	for (int n = 0; n < 4 && row < end && (n == 0 || *p != '\0'); n++) {
		size_t take = 0;
		int w = 0;
		while (p[take] != '\0' && w < width) {
			if (((unsigned char)p[take] & 0xc0) != 0x80)
				w++;
			take++;
		}
		while (((unsigned char)p[take] & 0xc0) == 0x80)
			take++;
		snprintf(part, sizeof(part), "%.*s", (int)take, p);
		draw_text(row, 0, indent, role, n == 0 ? label : "");
		draw_text(row++, indent, cols - indent, role, part);
		p += take;
	}
	return row;
}

static void
esc_draw(struct ui *ui, int y, int rows, int cols)
{
	json_t *list[SHOWN_MAX], *sel;
	size_t n = model_escalations(ui->m, list, SHOWN_MAX), i;
	int64_t now = now_wall();
	char line[600], left[16];
	(void)line;
	int row = y;

	draw_text(row++, 0, cols, ROLE_COLUMN, " ID           RUN          TOOL"
	    "             RISK      DEADLINE  REASON");
	sel = selected(ui, &n);
	for (i = 0; i < n && row < y + rows / 2; i++) {
		int64_t ms = json_integer_value(json_object_get(list[i],
		    "deadline_ms")) - now;
		fmt_duration(left, sizeof(left), ms);
		snprintf(line, sizeof(line), " %-12s %-12s %-16.16s %-9s %8s  %s",
		    json_string_value(json_object_get(list[i], "id")),
		    json_string_value(json_object_get(list[i], "run")),
		    json_string_value(json_object_get(list[i], "tool")),
		    json_string_value(json_object_get(list[i], "risk")),
		    ms > 0 ? left : "expired",
		    json_string_value(json_object_get(list[i], "reason")));
		draw_text(row++, 0, cols, list[i] == sel ? ROLE_SELECTED :
		    ROLE_ESCALATION, line);
	}
	if (n == 0) {
		draw_fill(row, 0, cols, ROLE_NORMAL);
		draw_fill(row + 1, 0, cols, ROLE_NORMAL);
		draw_text(row + 1, 2, cols - 4, ROLE_DIM, "no escalation is waiting");
		row += 2;
	}
	while (row < y + rows / 2)
		draw_fill(row++, 0, cols, ROLE_NORMAL);
	/* the selected one, in full: readable in 30 seconds */
	if (sel != NULL) {
		char *args = json_dumps(json_object_get(sel, "args"), JSON_COMPACT |
		    JSON_SORT_KEYS);
		int64_t ms = json_integer_value(json_object_get(sel, "deadline_ms")) - now;
		fmt_duration(left, sizeof(left), ms);
		draw_text(row++, 0, cols, ROLE_TITLE, "");
		snprintf(line, sizeof(line), " %s: %s (%s) on run %s — decide within %s",
		    json_string_value(json_object_get(sel, "id")),
		    json_string_value(json_object_get(sel, "tool")),
		    json_string_value(json_object_get(sel, "risk")),
		    json_string_value(json_object_get(sel, "run")),
		    ms > 0 ? left : "0s (expired)");
		draw_text(row++, 0, cols, ROLE_ESCALATION, line);
		row = wrapped(row, y + rows, cols, ROLE_NORMAL, "   doing:  ",
		    json_string_value(json_object_get(sel, "context")));
		row = wrapped(row, y + rows, cols, ROLE_NORMAL, "   why:    ",
		    json_string_value(json_object_get(sel, "reason")));
		row = wrapped(row, y + rows, cols, ROLE_WARN, "   args:   ", args);
		row = wrapped(row, y + rows, cols, ROLE_NORMAL, "   decide: ",
		    json_string_value(json_object_get(sel, "decision")));
		free(args);
	}
	while (row < y + rows)
		draw_fill(row++, 0, cols, ROLE_NORMAL);
}

static void
decide(struct ui *ui, const char *esc, bool approve, json_t *args,
    const char *reason)
{
	json_t *body = json_pack("{s:s, s:s}", "escalation", esc, "decision",
	    approve ? "approve" : "reject");
	char label[64];

	if (args != NULL)
		json_object_set_new(body, "args", args);
	if (reason != NULL)
		json_object_set_new(body, "reason", json_string(reason));
	snprintf(label, sizeof(label), "%s %s", approve ? (args ? "approve "
	    "(edited)" : "approve") : "reject", esc);
	client_action(ui->c, IPC_T_ESCALATIONS_DECIDE, body, label);
}

static void
approve_done(struct ui *ui, const char *in)
{
	decide(ui, ui->prompt.arg, true, NULL, NULL);
}

static void
reject_done(struct ui *ui, const char *reason)
{
	if (reason[0] == '\0') {
		ui_say(ui, "a rejection needs a reason: the agent reads it");
		return;
	}
	decide(ui, ui->prompt.arg, false, NULL, reason);
}

static void
edit_done(struct ui *ui, const char *text)
{
	json_error_t err;
	json_t *args = json_loads(text, 0, &err);

	if (!json_is_object(args)) {
		ui_say(ui, "not approved: arguments must be a JSON object (%s at "
		    "column %d)", args ? "not an object" : err.text, err.column);
		json_decref(args);
		return;
	}
	decide(ui, ui->prompt.arg, true, args, NULL);
}

/* Edits the arguments in $EDITOR (default vi) on a temp file. */
static void
edit_in_editor(struct ui *ui, json_t *esc)
{
	char path[] = "/tmp/agentop-args-XXXXXX", cmd[512], buf[8192];
	const char *editor = getenv("VISUAL") ? getenv("VISUAL") :
	    getenv("EDITOR") ? getenv("EDITOR") : "vi";
	int fd = mkstemp(path);
	size_t n;
	FILE *f;

	if (fd < 0) {
		ui_say(ui, "cannot create a temp file: %s", strerror(errno));
		return;
	}
	f = fdopen(fd, "w");
	json_dumpf(json_object_get(esc, "args"), f, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', f);
	fclose(f);
	def_prog_mode();
	endwin();
	snprintf(cmd, sizeof(cmd), "%s '%s'", editor, path);
	if (system(cmd) != 0)
		ui_say(ui, "the editor failed; nothing was approved");
	reset_prog_mode();
	refresh();
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		/* the edited arguments wait in the prompt for an Enter */
		char q[200];
		json_t *parsed = json_loads(buf, 0, NULL);
		char *compact = parsed ? json_dumps(parsed, JSON_COMPACT |
		    JSON_SORT_KEYS) : NULL;
		snprintf(q, sizeof(q), "approve %s with these arguments (Enter "
		    "approves, Esc cancels):", json_string_value(json_object_get(esc,
		    "id")));
		ui_ask(ui, q, NULL, true, json_string_value(json_object_get(esc,
		    "id")), edit_done);
		snprintf(ui->prompt.input, sizeof(ui->prompt.input), "%s",
		    compact ? compact : buf);
		ui->prompt.len = strlen(ui->prompt.input);
		free(compact);
		json_decref(parsed);
	}
	unlink(path);
}

static int
esc_key(struct ui *ui, int ch)
{
	size_t n;
	json_t *sel = selected(ui, &n);
	const char *id = sel ? json_string_value(json_object_get(sel, "id")) : NULL;
	char q[200], *args;

	switch (ch) {
	case KEY_UP: case 'k':
		if (ui->sel[VIEW_ESCALATIONS] > 0)
			ui->sel[VIEW_ESCALATIONS]--;
		return UI_REDRAW;
	case KEY_DOWN: case 'j':
		if (ui->sel[VIEW_ESCALATIONS] + 1 < n)
			ui->sel[VIEW_ESCALATIONS]++;
		return UI_REDRAW;
	case 'g': case KEY_HOME: case KEY_PPAGE:
		ui->sel[VIEW_ESCALATIONS] = 0;
		return UI_REDRAW;
	case 'G': case KEY_END: case KEY_NPAGE:
		ui->sel[VIEW_ESCALATIONS] = n > 0 ? n - 1 : 0;
		return UI_REDRAW;
	case '\n': case '\r': case KEY_ENTER:
		if (sel != NULL)
			ui_open_detail(ui, json_string_value(json_object_get(sel, "run")));
		return UI_REDRAW;
	case 'a': case 'd': case 'e': case 'E':
		break;
	default:
		return UI_UNHANDLED;
	}
	if (sel == NULL) {
		ui_say(ui, "no escalation selected");
		return UI_REDRAW;
	}
	if (!ui_can_act(ui))
		return UI_REDRAW;
	switch (ch) {
	case 'a':
		snprintf(q, sizeof(q), "approve %s: run %s with the model's "
		    "arguments? (y/n)", id, json_string_value(json_object_get(sel,
		    "tool")));
		ui_ask(ui, q, NULL, false, id, approve_done);
		break;
	case 'd':
		snprintf(q, sizeof(q), "reject %s, reason (the agent reads it):", id);
		ui_ask(ui, q, NULL, true, id, reject_done);
		break;
	case 'e':
		snprintf(q, sizeof(q), "approve %s with these arguments:", id);
		ui_ask(ui, q, NULL, true, id, edit_done);
		args = json_dumps(json_object_get(sel, "args"), JSON_COMPACT |
		    JSON_SORT_KEYS);
		snprintf(ui->prompt.input, sizeof(ui->prompt.input), "%s",
		    args ? args : "{}");
		ui->prompt.len = strlen(ui->prompt.input);
		free(args);
		break;
	case 'E':
		edit_in_editor(ui, sel);
		break;
	}
	return UI_REDRAW;
}

const struct view_ops view_escalations = {
	.name = "escalations",
	.keys = "a approve  e edit+approve  E $EDITOR  d reject  Enter run",
	.keys_ro = "Enter run",
	.draw = esc_draw,
	.key = esc_key,
};
