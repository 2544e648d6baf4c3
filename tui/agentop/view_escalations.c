/* The escalation queue: what the agent was doing, why, the decision
 * needed, the deadline counting down; approve, edit, reject. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define SHOWN_MAX 256

/* Why an escalation left the queue: how it was decided, if known. */
static void
why_esc(struct ui *ui, const char *id, char *out, size_t outlen)
{
	const char *run, *outcome = model_esc_outcome(ui->m, id, &run);

	snprintf(out, outlen, "%s%s%s", run ? "run " : "", run ? run : "",
	    outcome ? (run ? ", " : "") : "");
	if (outcome != NULL)
		snprintf(out + strlen(out), outlen - strlen(out), "%s", outcome);
}

/* The queue in @list (oldest deadline first), the cursor synced to its
 * escalation; returns the selected one or NULL. */
static json_t *
queue(struct ui *ui, json_t **list, size_t *n_out)
{
	const char *ids[SHOWN_MAX];
	size_t n = model_escalations(ui->m, list, SHOWN_MAX);
	struct list_sel *sel = &ui->sel[VIEW_ESCALATIONS];

	for (size_t i = 0; i < n; i++)
		ids[i] = str_or(json_string_value(json_object_get(list[i], "id")), "");
	ui_list_sync(ui, sel, ids, n, "escalation", why_esc);
	*n_out = n;
	return n > 0 && sel->row < n ? list[sel->row] : NULL;
}

/* Draws "label text" wrapped under the label, up to 4 lines and @end;
 * returns the next row. */
static int
wrapped(int row, int end, int cols, enum theme_role role, const char *label,
    const char *text)
{
	int indent = utf8_width(label), width = cols - indent - 1;
	char part[512];
	const char *p = text != NULL ? text : "";

	for (int n = 0; n < 4 && row < end && (n == 0 || *p != '\0'); n++) {
		size_t next, take = layout_wrap(p, strlen(p), width, &next);
		snprintf(part, sizeof(part), "%.*s", (int)take, p);
		draw_text(row, 0, indent, role, n == 0 ? label : "");
		draw_text(row++, indent, cols - indent, role, part);
		p += next;
	}
	return row;
}

static void
esc_draw(struct ui *ui, int64_t now, int y, int rows, int cols)
{
	json_t *list[SHOWN_MAX], *sel;
	size_t n, i;
	char line[600], left[16];
	int row = y, list_rows = MAX_I(rows / 2 - 1, 1);
	/* the tool and the risk give up room for the reason, which the
	 * selected escalation shows in full below anyway */
	struct col c[] = { { 12, 12, 9, 0 }, { 12, 12, 9, 0 }, { 16, 10, 1, 0 },
	    { 9, 8, 2, 0 }, { 8, 8, 9, 0 } };
	int text = layout_columns(c, sizeof(c) / sizeof(c[0]), cols - 1, 1, 12);

	if (text < 8)
		text = 0;	/* no room for a reason worth reading */

	sel = queue(ui, list, &n);
	list_sel_scroll(&ui->sel[VIEW_ESCALATIONS], n, (size_t)list_rows);
	snprintf(line, sizeof(line), " %-*s %-*s %-*.*s %-*s %*s %s", c[0].w, "ID",
	    c[1].w, "RUN", c[2].w, c[2].w, "TOOL", c[3].w, "RISK", c[4].w,
	    "DEADLINE", text > 0 ? "REASON" : "");
	draw_text(row++, 0, cols, ROLE_COLUMN, line);
	for (i = ui->sel[VIEW_ESCALATIONS].top; i < n && row < y + 1 + list_rows;
	    i++) {
		int64_t ms = json_integer_value(json_object_get(list[i],
		    "deadline_ms")) - now;
		fmt_duration(left, sizeof(left), ms);
		snprintf(line, sizeof(line), " %-*s %-*s %-*.*s %-*.*s %*s %s",
		    c[0].w, str_or(json_string_value(json_object_get(list[i], "id")), ""),
		    c[1].w, str_or(json_string_value(json_object_get(list[i], "run")), ""),
		    c[2].w, c[2].w, str_or(json_string_value(json_object_get(list[i],
		    "tool")), ""),
		    c[3].w, c[3].w, str_or(json_string_value(json_object_get(list[i],
		    "risk")), ""),
		    c[4].w, ms > 0 ? left : "expired", text > 0 ? str_or(
		    json_string_value(json_object_get(list[i], "reason")), "") : "");
		draw_text(row++, 0, cols, list[i] == sel ? ROLE_SELECTED :
		    ROLE_ESCALATION, line);
	}
	if (n == 0) {
		draw_fill(row, 0, cols, ROLE_NORMAL);
		draw_fill(row + 1, 0, cols, ROLE_NORMAL);
		draw_text(row + 1, 2, cols - 4, ROLE_DIM, "no escalation is waiting");
		row += 2;
	}
	while (row < y + 1 + list_rows)
		draw_fill(row++, 0, cols, ROLE_NORMAL);
	/* the selected one, in full: readable in 30 seconds */
	if (sel != NULL) {
		char *args = json_dumps(json_object_get(sel, "args"), JSON_COMPACT |
		    JSON_SORT_KEYS);
		int64_t ms = json_integer_value(json_object_get(sel, "deadline_ms")) - now;
		fmt_duration(left, sizeof(left), ms);
		draw_text(row, 0, cols, ROLE_TITLE, "");
		/* under the list, where it is in the queue */
		if (n > (size_t)list_rows) {
			snprintf(line, sizeof(line), " %zu-%zu of %zu ",
			    ui->sel[VIEW_ESCALATIONS].top + 1, MIN_I(n,
			    ui->sel[VIEW_ESCALATIONS].top + (size_t)list_rows), n);
			draw_corner(row, cols, ROLE_DIM, line);
		}
		row++;
		/* the time left first: a narrow terminal cuts the end */
		snprintf(line, sizeof(line), " %s: decide within %s — %s (%s) on run %s",
		    json_string_value(json_object_get(sel, "id")),
		    ms > 0 ? left : "0s (expired)",
		    json_string_value(json_object_get(sel, "tool")),
		    json_string_value(json_object_get(sel, "risk")),
		    json_string_value(json_object_get(sel, "run")));
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
decide(struct ui *ui, bool approve, json_t *args, const char *reason)
{
	const char *esc = ui->prompt.arg, *run = ui->prompt.arg2;
	json_t *body = json_pack("{s:s, s:s}", "escalation", esc, "decision",
	    approve ? "approve" : "reject");
	char label[160];

	if (args != NULL)
		json_object_set_new(body, "args", args);
	if (reason != NULL)
		json_object_set_new(body, "reason", json_string(reason));
	snprintf(label, sizeof(label), "%s %s (run %s)", approve ? (args ?
	    "approve (edited)" : "approve") : "reject", esc, run);
	ui_act(ui, IPC_T_ESCALATIONS_DECIDE, body, label);
}

static void
approve_done(struct ui *ui, const char *in)
{
	decide(ui, true, NULL, NULL);
}

static void
reject_done(struct ui *ui, const char *reason)
{
	if (reason[0] == '\0') {
		ui_say(ui, "%s (run %s) not rejected: a rejection needs a reason "
		    "(the agent reads it)", ui->prompt.arg, ui->prompt.arg2);
		return;
	}
	decide(ui, false, NULL, reason);
}

static void
edit_done(struct ui *ui, const char *text)
{
	json_error_t err;
	json_t *args = json_loads(text, 0, &err);

	if (!json_is_object(args)) {
		ui_say(ui, "%s (run %s) not approved: the arguments must be a JSON "
		    "object (%s at column %d)", ui->prompt.arg, ui->prompt.arg2,
		    args ? "not an object" : err.text, err.column);
		json_decref(args);
		return;
	}
	decide(ui, true, args, NULL);
}

static int edit_key(struct ui *ui, int ch);

/* The prompt with @args (JSON text) to edit before approving @esc. */
static void
ask_args(struct ui *ui, const char *esc, const char *run, const char *args)
{
	char q[300];

	snprintf(q, sizeof(q), "approve %s (run %s) with these arguments (Enter "
	    "approves, Esc cancels, Ctrl-X opens $EDITOR)\nargs:", esc, run);
	ui_ask_text(ui, q, args, esc, edit_done);
	snprintf(ui->prompt.arg2, sizeof(ui->prompt.arg2), "%s", run);
	snprintf(ui->prompt.keys, sizeof(ui->prompt.keys), "^X $EDITOR");
	ui->prompt.key = edit_key;
	if (strlen(args) >= sizeof(ui->prompt.edit.text)) {
		ui->prompt.active = false;
		ui_say(ui, "the arguments of %s are too long for the prompt line: E "
		    "edits them in $EDITOR", esc);
	}
}

/*
 * @text (the arguments, JSON) in $VISUAL or $EDITOR (default vi) on a temp
 * file, indented; then back on the prompt line, compact, for an Enter.
 * An editor that fails leaves nothing to approve.
 */
static void
edit_in_editor(struct ui *ui, const char *esc, const char *run, const char *text)
{
	char path[] = "/tmp/agentop-args-XXXXXX", cmd[512];
	char *buf = NULL, *compact = NULL;
	const char *editor = getenv("VISUAL") ? getenv("VISUAL") :
	    getenv("EDITOR") ? getenv("EDITOR") : "vi";
	json_t *parsed = json_loads(text, 0, NULL);
	int fd = mkstemp(path), status;
	size_t n;
	FILE *f;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		ui_say(ui, "cannot create a temp file: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		json_decref(parsed);
		return;
	}
	if (parsed != NULL)
		json_dumpf(parsed, f, JSON_INDENT(2) | JSON_SORT_KEYS);
	else
		fputs(text, f);
	fputc('\n', f);
	fclose(f);
	json_decref(parsed);
	def_prog_mode();
	endwin();
	snprintf(cmd, sizeof(cmd), "%s '%s'", editor, path);
	status = system(cmd);
	reset_prog_mode();
	refresh();
	if (status != 0) {
		ui_say(ui, "the editor failed (status %d): %s (run %s) not approved",
		    status, esc, run);
		goto out;
	}
	if ((f = fopen(path, "r")) == NULL || (buf = calloc(1, LINEEDIT_MAX)) == NULL) {
		ui_say(ui, "cannot read %s back: %s", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		goto out;
	}
	n = fread(buf, 1, LINEEDIT_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
	parsed = json_loads(buf, 0, NULL);
	compact = parsed ? json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(parsed);
	/* the edited arguments wait on the prompt line for an Enter */
	ask_args(ui, esc, run, compact ? compact : buf);
out:
	free(compact);
	free(buf);
	unlink(path);
}

/* The arguments prompt's own key: ^X takes its text to $EDITOR. */
static int
edit_key(struct ui *ui, int ch)
{
	char esc[64], run[64], *text;

	if (ch != 24)
		return UI_UNHANDLED;
	snprintf(esc, sizeof(esc), "%s", ui->prompt.arg);
	snprintf(run, sizeof(run), "%s", ui->prompt.arg2);
	if ((text = strdup(ui->prompt.edit.text)) == NULL)
		abort();
	ui->prompt.active = false;
	edit_in_editor(ui, esc, run, text);
	free(text);
	return UI_REDRAW;
}

static int
esc_key(struct ui *ui, int ch)
{
	json_t *list[SHOWN_MAX];
	const char *ids[SHOWN_MAX];
	size_t n;
	json_t *sel = queue(ui, list, &n);
	const char *id = sel ? json_string_value(json_object_get(sel, "id")) : NULL;
	const char *run = sel ? str_or(json_string_value(json_object_get(sel,
	    "run")), "?") : NULL;
	char q[300], *args;

	for (size_t i = 0; i < n; i++)
		ids[i] = str_or(json_string_value(json_object_get(list[i], "id")), "");
	if (ui_list_key(&ui->sel[VIEW_ESCALATIONS], ids, n, MAX_I(ui_page(ui) / 2,
	    1), ch))
		return UI_REDRAW;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		if (sel != NULL)
			ui_open_detail(ui, run);
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
	args = json_dumps(json_object_get(sel, "args"), JSON_COMPACT |
	    JSON_SORT_KEYS);
	switch (ch) {
	case 'a':
		snprintf(q, sizeof(q), "approve %s (run %s): run %s with the model's "
		    "arguments? (y/n)", id, run, json_string_value(json_object_get(sel,
		    "tool")));
		ui_ask(ui, q, NULL, false, id, approve_done);
		snprintf(ui->prompt.arg2, sizeof(ui->prompt.arg2), "%s", run);
		break;
	case 'd':
		snprintf(q, sizeof(q), "reject %s (run %s), reason (the agent reads "
		    "it):", id, run);
		ui_ask(ui, q, NULL, true, id, reject_done);
		snprintf(ui->prompt.arg2, sizeof(ui->prompt.arg2), "%s", run);
		break;
	case 'e':
		ask_args(ui, id, run, args ? args : "{}");
		break;
	case 'E':
		edit_in_editor(ui, id, run, args ? args : "{}");
		break;
	}
	free(args);
	return UI_REDRAW;
}

const struct view_ops view_escalations = {
	.name = "escalations",
	.keys = "a approve  e edit+approve  E $EDITOR  d reject  Enter run",
	.keys_ro = "Enter run",
	.draw = esc_draw,
	.key = esc_key,
};
