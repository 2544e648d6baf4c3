/* Screen layout, the prompt line, global keys, help, palette, dumps. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <jansson.h>

#include "ui.h"

#define NOTICE_MS	6000	/* how long a notice stays on the prompt line */
#define ACTED_MS	10000	/* an item acted on leaving a list is no news */

static const struct view_ops *const views[VIEW__COUNT] = {
	[VIEW_RUNS] = &view_runs,
	[VIEW_ESCALATIONS] = &view_escalations,
	[VIEW_HISTORY] = &view_history,
	[VIEW_HEALTH] = &view_health,
	[VIEW_DETAIL] = &view_detail,
};

void
ui_init(struct ui *ui, struct model *m, struct client *c)
{
	memset(ui, 0, sizeof(*ui));
	ui->m = m;
	ui->c = c;
	ui->marks = json_object();
	ui->acted = json_object();
	ui->view = ui->back = VIEW_RUNS;
	doc_init(&ui->detail_doc, 20000);
	doc_init(&ui->health_doc, 2000);
}

void
ui_finish(struct ui *ui)
{
	json_decref(ui->marks);
	json_decref(ui->acted);
	json_decref(ui->prompt.targets);
	doc_finish(&ui->detail_doc);
	doc_finish(&ui->health_doc);
}

void
ui_say(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->notice_local, sizeof(ui->notice_local), fmt, ap);
	va_end(ap);
	ui->notice_local_at = client_now_ms();
}

bool
ui_can_act(struct ui *ui)
{
	if (ui->read_only || strcmp(ui->m->role, "admin") != 0) {
		ui_say(ui, "read-only: %s", ui->read_only ? "started with --read-only" :
		    "agentd says this uid is a viewer");
		return false;
	}
	return true;
}

void
ui_act(struct ui *ui, enum ipc_type type, json_t *body, const char *label)
{
	static const char *const about[] = { "run", "escalation" };

	if (json_object_size(ui->acted) >= 256)
		json_object_clear(ui->acted);
	for (size_t i = 0; i < sizeof(about) / sizeof(about[0]); i++) {
		const char *id = json_string_value(json_object_get(body, about[i]));
		if (id != NULL)
			json_object_set_new(ui->acted, id,
			    json_integer(client_now_ms()));
	}
	client_action(ui->c, type, body, label);
}

int
ui_page(struct ui *ui)
{
	return MAX_I(ui->rows - 6, 1);
}

bool
ui_list_key(struct list_sel *sel, const char *const *ids, size_t n, int page,
    int ch)
{
	size_t row = sel->row, step = (size_t)MAX_I(page, 1);

	switch (ch) {
	case KEY_UP: case 'k':
		row = row > 0 ? row - 1 : 0;
		break;
	case KEY_DOWN: case 'j':
		row++;
		break;
	case KEY_PPAGE:
		row = row > step ? row - step : 0;
		break;
	case KEY_NPAGE:
		row += step;
		break;
	case 'g': case KEY_HOME:
		row = 0;
		break;
	case 'G': case KEY_END:
		row = n > 0 ? n - 1 : 0;
		break;
	default:
		return false;
	}
	list_sel_set(sel, ids, n, row);
	return true;
}

bool
ui_scroll_key(struct ui *ui, int *top, size_t n, int ch)
{
	int page = MAX_I(ui->rows - 5, 1);

	switch (ch) {
	case KEY_UP: case 'k':
		*top = MAX_I(*top - 1, 0);
		return true;
	case KEY_DOWN: case 'j':
		(*top)++;
		return true;
	case KEY_PPAGE:
		*top = MAX_I(*top - page, 0);
		return true;
	case KEY_NPAGE: case ' ':
		*top += page;
		return true;
	case 'g': case KEY_HOME:
		*top = 0;
		return true;
	case 'G': case KEY_END:
		*top = (int)n;		/* the view's draw clamps it */
		return true;
	}
	return false;
}

void
ui_list_sync(struct ui *ui, struct list_sel *sel, const char *const *ids,
    size_t n, const char *what, void (*why)(struct ui *ui, const char *id,
    char *out, size_t outlen))
{
	char gone[64], reason[96] = "";
	int64_t acted;

	if (!list_sel_sync(sel, ids, n, gone, sizeof(gone)))
		return;
	/* gone because of what this operator did: the action's own result
	 * line says what happened, and stays */
	acted = json_integer_value(json_object_get(ui->acted, gone));
	json_object_del(ui->acted, gone);
	if (acted > 0 && client_now_ms() - acted < ACTED_MS)
		return;
	if (why != NULL)
		why(ui, gone, reason, sizeof(reason));
	ui_say(ui, "%s %s left the list%s%s%s%s%s", what, gone, reason[0] ? " (" : "",
	    reason, reason[0] ? ")" : "", sel->id[0] ? "; now on " : "", sel->id);
}

void
ui_ask(struct ui *ui, const char *question, const char *expect, bool text,
    const char *arg, prompt_done_fn *done)
{
	struct prompt *p = &ui->prompt;

	json_decref(p->targets);
	p->active = true;
	p->text = text;
	p->done = done;
	p->key = NULL;
	p->keys[0] = p->arg2[0] = '\0';
	p->targets = NULL;
	lineedit_clear(&p->edit);
	snprintf(p->question, sizeof(p->question), "%s", question);
	snprintf(p->expect, sizeof(p->expect), "%s", expect ? expect : "");
	snprintf(p->arg, sizeof(p->arg), "%s", arg ? arg : "");
}

void
ui_ask_text(struct ui *ui, const char *question, const char *initial,
    const char *arg, prompt_done_fn *done)
{
	ui_ask(ui, question, NULL, true, arg, done);
	lineedit_set(&ui->prompt.edit, initial != NULL ? initial : "");
}

void
ui_open_detail(struct ui *ui, const char *run)
{
	if (ui->view != VIEW_DETAIL)
		ui->back = ui->view;
	ui->view = VIEW_DETAIL;
	ui->detail_scroll = 0;
	ui->detail_search[0] = '\0';
	ui->detail_matched = false;
	client_watch_run(ui->c, run);
}

static void
rate_done(struct ui *ui, const char *input)
{
	char word[16] = "", label[96];
	const char *note = input;
	json_t *body;

	sscanf(input, "%15s", word);
	note += strspn(note, " ");
	note += strlen(word);
	note += strspn(note, " ");
	if (strcmp(word, "good") != 0 && strcmp(word, "bad") != 0) {
		ui_say(ui, "not rated: start with good or bad");
		return;
	}
	body = json_pack("{s:s, s:s}", "run", ui->prompt.arg, "rating", word);
	if (note[0] != '\0')
		json_object_set_new(body, "note", json_string(note));
	snprintf(label, sizeof(label), "rate %s %s", ui->prompt.arg, word);
	ui_act(ui, IPC_T_RUNS_RATE, body, label);
}

void
ui_rate(struct ui *ui, const char *run)
{
	char q[96];

	if (run == NULL || !ui_can_act(ui))
		return;
	snprintf(q, sizeof(q), "rate %s: good|bad [note]:", run);
	ui_ask(ui, q, NULL, true, run, rate_done);
}

int
ui_set_theme(struct ui *ui, const char *name)
{
	struct theme t;
	char err[300];

	if (theme_load(name, ui->theme_dirs, &t, err, sizeof(err)) != 0) {
		ui_say(ui, "%s", err);
		return -1;
	}
	theme_apply(&t);
	snprintf(ui->theme_name, sizeof(ui->theme_name), "%s", name);
	ui_say(ui, "theme %s (%s)", name, theme_mode_name());
	return 0;
}

/* ---- the palette ------------------------------------------------------- */

static void
act_on_run(struct ui *ui, enum ipc_type type, const char *run)
{
	char label[64];

	snprintf(label, sizeof(label), "%s %s", ipc_type_name(type) + 5, run);
	ui_act(ui, type, json_pack("{s:s}", "run", run), label);
}

static void
palette_done(struct ui *ui, const char *line)
{
	char cmd[32] = "", arg[256] = "";
	const char *rest;

	if (sscanf(line, "%31s", cmd) != 1)
		return;
	rest = line + strspn(line, " ");
	rest += strlen(cmd);
	rest += strspn(rest, " ");
	snprintf(arg, sizeof(arg), "%s", rest);
	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
		ui->quit = true;
	} else if (strcmp(cmd, "filter") == 0) {
		model_set_filter(ui->m, arg);
		ui->view = VIEW_RUNS;
	} else if (strcmp(cmd, "sort") == 0) {
		for (int k = 0; k < SORT__COUNT; k++)
			if (strcmp(arg, model_sort_name((enum sort_key)k)) == 0) {
				model_set_sort(ui->m, (enum sort_key)k);
				return;
			}
		ui_say(ui, "sort: one of age, cost, tokens, state, agent");
	} else if (strcmp(cmd, "theme") == 0) {
		ui_set_theme(ui, arg);
	} else if (strcmp(cmd, "show") == 0 || strcmp(cmd, "open") == 0) {
		ui_open_detail(ui, arg);
	} else if ((strcmp(cmd, "kill") == 0 || strcmp(cmd, "pause") == 0 ||
	    strcmp(cmd, "resume") == 0) && arg[0] != '\0') {
		if (ui_can_act(ui))
			act_on_run(ui, cmd[0] == 'k' ? IPC_T_RUNS_KILL : cmd[0] == 'p' ?
			    IPC_T_RUNS_PAUSE : IPC_T_RUNS_RESUME, arg);
	} else if (strcmp(cmd, "approve") == 0 && arg[0] != '\0') {
		char label[160];
		snprintf(label, sizeof(label), "approve %s (run %s)", arg, str_or(
		    json_string_value(json_object_get(json_object_get(
		    ui->m->escalations, arg), "run")), "?"));
		if (ui_can_act(ui))
			ui_act(ui, IPC_T_ESCALATIONS_DECIDE, json_pack("{s:s,"
			    " s:s}", "escalation", arg, "decision", "approve"), label);
	} else if (strcmp(cmd, "history") == 0) {
		ui->view = VIEW_HISTORY;
		view_history_search(ui, arg);
	} else {
		ui_say(ui, "unknown command \"%s\": filter EXPR, sort KEY, theme NAME, "
		    "show|kill|pause|resume RUN, approve ESC, history TEXT, quit", cmd);
	}
}

/* ---- global keys -------------------------------------------------------- */

static void
killswitch_done(struct ui *ui, const char *input)
{
	bool engage = !ui->m->killswitch;

	ui_act(ui, engage ? IPC_T_KILLSWITCH_ENGAGE :
	    IPC_T_KILLSWITCH_RELEASE, json_pack("{s:s}", "reason",
	    "from agentop"), engage ? "kill switch on" : "kill switch off");
}

/* The line editor's keys (lineedit.h); -1 for other keys. */
static int
edit_op(int ch)
{
	const char *name;

	switch (ch) {
	case KEY_LEFT: case 2: return LE_LEFT;		/* ^B */
	case KEY_RIGHT: case 6: return LE_RIGHT;	/* ^F */
	case KEY_SLEFT: return LE_WORD_LEFT;
	case KEY_SRIGHT: return LE_WORD_RIGHT;
	case KEY_HOME: case 1: return LE_HOME;		/* ^A */
	case KEY_END: case 5: return LE_END;		/* ^E */
	case KEY_BACKSPACE: case 127: case 8: return LE_BACKSPACE;
	case KEY_DC: case 4: return LE_DELETE;		/* ^D */
	case 21: return LE_CUT_START;			/* ^U */
	case 11: return LE_CUT_END;			/* ^K */
	case 23: return LE_CUT_WORD;			/* ^W */
	case 25: return LE_YANK;			/* ^Y */
	}
	/* Ctrl-Left/Right: terminfo's extended names */
	if (ch > KEY_MAX && (name = keyname(ch)) != NULL) {
		if (strncmp(name, "kLFT", 4) == 0)
			return LE_WORD_LEFT;
		if (strncmp(name, "kRIT", 4) == 0)
			return LE_WORD_RIGHT;
	}
	return -1;
}

static int
prompt_key(struct ui *ui, int ch)
{
	struct prompt *p = &ui->prompt;
	char input[sizeof(p->edit.text)];
	prompt_done_fn *done = p->done;
	int op;

	if (p->key != NULL && !(p->key(ui, ch) & UI_UNHANDLED))
		return UI_REDRAW;
	if (ch == 27 || ch == 7) {	/* Esc, ^G */
		p->active = false;
		ui_say(ui, "cancelled%s%s", p->arg[0] ? ": " : "", p->arg);
		return UI_REDRAW;
	}
	if (!p->text) {
		p->active = false;
		if (ch == 'y' || ch == 'Y')
			done(ui, "y");
		else
			ui_say(ui, "cancelled%s%s", p->arg[0] ? ": " : "", p->arg);
		return UI_REDRAW;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		p->active = false;
		snprintf(input, sizeof(input), "%s", p->edit.text);
		if (p->expect[0] != '\0' && strcmp(input, p->expect) != 0) {
			ui_say(ui, "not confirmed: type %s exactly", p->expect);
			return UI_REDRAW;
		}
		done(ui, input);
		return UI_REDRAW;
	}
	if ((op = edit_op(ch)) >= 0) {
		lineedit_op(&p->edit, (enum lineedit_op)op);
	} else if (ch >= 32 && ch < 256) {
		char byte = (char)ch;
		if (!lineedit_insert(&p->edit, &byte, 1))
			ui_say(ui, "the line is full (%d bytes)", LINEEDIT_MAX - 1);
	}
	return UI_REDRAW;
}

int
ui_key(struct ui *ui, int ch)
{
	int r;

	if (ui->prompt.active)
		return prompt_key(ui, ch);
	if (ui->help) {
		ui->help = false;
		return UI_REDRAW;
	}
	r = views[ui->view]->key(ui, ch);
	if (!(r & UI_UNHANDLED))
		return r;
	switch (ch) {
	case '?':
		ui->help = true;
		return UI_REDRAW;
	case ':':
		ui_ask(ui, ":", NULL, true, NULL, palette_done);
		return UI_REDRAW;
	case '1': case '2': case '3': case '4':
		ui->view = (enum view_id)(ch - '1');
		return UI_REDRAW;
	case '\t':
		ui->view = ui->view >= VIEW_HEALTH ? VIEW_RUNS : ui->view + 1;
		return UI_REDRAW;
	case KEY_BTAB:
		ui->view = ui->view == VIEW_RUNS || ui->view == VIEW_DETAIL ?
		    VIEW_HEALTH : ui->view - 1;
		return UI_REDRAW;
	case 'f':
		client_freeze(ui->c, !client_frozen(ui->c));
		ui_say(ui, client_frozen(ui->c) ? "frozen: updates are held, f "
		    "resumes" : "following live again");
		return UI_REDRAW;
	case 'w': {
		char path[256];
		if (ui_dump(ui, path, sizeof(path)) == 0)
			ui_say(ui, "screen written to %s", path);
		return UI_REDRAW;
	}
	case 'K':
		if (!ui_can_act(ui))
			return UI_REDRAW;
		if (ui->m->killswitch)
			ui_ask(ui, "release the kill switch: new runs are accepted "
			    "again? (y/n)", NULL, false, NULL, killswitch_done);
		else
			ui_ask(ui, "ENGAGE THE KILL SWITCH: every live run is killed, "
			    "new runs refused.\nType KILL to confirm:", "KILL", true, NULL,
			    killswitch_done);
		return UI_REDRAW;
	case 'q':
		if (ui->view == VIEW_DETAIL) {
			ui->view = ui->back;
			client_watch_run(ui->c, NULL);
		} else {
			ui->quit = true;
		}
		return UI_REDRAW;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		return UI_REDRAW;
	case KEY_RESIZE:
		return UI_REDRAW;
	}
	return 0;
}

/* ---- drawing ------------------------------------------------------------ */

/* The connection as the header says it; @role gets its colour. */
static const char *
conn_word(const struct model *m, enum theme_role *role)
{
	*role = ROLE_ERROR;
	switch (m->conn) {
	case CONN_LIVE:
		*role = ROLE_HEADER;
		return "live";
	case CONN_SYNCING:
		*role = ROLE_HEADER;
		return "syncing";
	case CONN_LOST:
		return "DISCONNECTED";
	case CONN_CONNECTING:
		break;
	}
	if (!m->unreachable) {
		*role = ROLE_HEADER;	/* the first attempt is under way */
		return "connecting";
	}
	return "not connected";
}

/*
 * The header, laid out by priority: the connection state and the pending
 * escalations are never left out; then read-only, the live runs, the
 * name, events/s, agentd's version; the clock goes first.
 */
static void
draw_header(struct ui *ui, int64_t now)
{
	enum { H_NAME, H_VERSION, H_RUNS, H_RATE, H_ESC, H_CONN, H_RO, H_CLOCK,
	    H__COUNT };
	char version[48], runs[48], rate[32], esc_s[32], conn[32], clock[16];
	size_t esc = model_escalation_count(ui->m);
	time_t t = (time_t)(now / 1000);
	bool ro = ui->read_only || (ui->m->version[0] && strcmp(ui->m->role,
	    "admin") != 0);
	enum theme_role conn_role, roles[H__COUNT];
	struct hdr_part parts[H__COUNT] = {
		[H_NAME] = { " agentop ", 30, false, 0 },
		[H_VERSION] = { version, 10, false, 0 },
		[H_RUNS] = { runs, 50, false, 0 },
		[H_RATE] = { rate, 20, false, 0 },
		[H_ESC] = { esc_s, HDR_KEEP, false, 0 },
		[H_CONN] = { conn, HDR_KEEP, false, 0 },
		[H_RO] = { ro ? "[read-only] " : "", 90, false, 0 },
		[H_CLOCK] = { clock, 0, true, 0 },
	};
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), " %H:%M:%S ", &tm);
	snprintf(version, sizeof(version), ui->m->version[0] ? " agentd %s " :
	    "%s", ui->m->version);
	snprintf(runs, sizeof(runs), " runs %zu live ", model_live_count(ui->m));
	snprintf(rate, sizeof(rate), " %.0f ev/s ", ui->m->events_rate);
	snprintf(esc_s, sizeof(esc_s), " ESC %zu ", esc);
	snprintf(conn, sizeof(conn), "  %s  ", conn_word(ui->m, &conn_role));
	for (int i = 0; i < H__COUNT; i++)
		roles[i] = ROLE_HEADER;
	roles[H_ESC] = esc > 0 ? ROLE_ESCALATION : ROLE_HEADER;
	roles[H_CONN] = conn_role;
	layout_header(parts, H__COUNT, ui->cols);
	draw_fill(0, 0, ui->cols, ROLE_HEADER);
	for (int i = 0; i < H__COUNT; i++)
		if (parts[i].x >= 0 && parts[i].x < ui->cols)
			draw_text(0, parts[i].x, MIN_I(utf8_width(parts[i].text),
			    ui->cols - parts[i].x), roles[i], parts[i].text);
}

/* The second line: tabs, or a banner that must not be missed. */
static void
draw_banner(struct ui *ui, int64_t now)
{
	static const char *const tabs[] = { "1 Runs", "2 Escalations", "3 History",
	    "4 Health" };
	char status[400];
	int x = 0;

	/* nothing shown can be trusted while agentd is away: say so first
	 * (not while the first attempt is still under way: no red flash) */
	if ((ui->m->conn == CONN_CONNECTING && ui->m->unreachable) ||
	    ui->m->conn == CONN_LOST) {
		client_status(ui->c, now, status, sizeof(status));
		draw_fill(1, 0, ui->cols, ROLE_ERROR);
		draw_text(1, 1, ui->cols - 1, ROLE_ERROR, status);
		return;
	}
	if (ui->m->killswitch) {
		draw_text(1, 0, ui->cols, ROLE_BANNER, " KILL SWITCH ENGAGED: every "
		    "run was killed and new runs are refused. K releases it.");
		return;
	}
	if (client_frozen(ui->c)) {
		draw_text(1, 0, ui->cols, ROLE_BANNER, " FROZEN: live updates are "
		    "held (nothing is lost). f resumes.");
		return;
	}
	draw_fill(1, 0, ui->cols, ROLE_BORDER);
	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		bool on = ui->view == (enum view_id)i ||
		    (ui->view == VIEW_DETAIL && ui->back == (enum view_id)i);
		draw_text(1, x, utf8_width(tabs[i]) + 2, on ? ROLE_SELECTED :
		    ROLE_BORDER, tabs[i]);
		x += utf8_width(tabs[i]) + 2;
	}
	if (ui->view == VIEW_DETAIL)
		draw_text(1, x, ui->cols - x, ROLE_TITLE, "> run detail");
}

/* "k what  k what": segments apart by two spaces; the first word of each
 * (the key) in the key role, the rest in the footer's. */
static void
draw_keys(int y, int cols, const char *line)
{
	char buf[1300], *save = NULL, *seg;
	int x = 1;

	draw_fill(y, 0, cols, ROLE_FOOTER);
	snprintf(buf, sizeof(buf), "%s", line);
	for (seg = strtok_r(buf, "\t", &save); seg != NULL && x < cols;
	    seg = strtok_r(NULL, "\t", &save)) {
		size_t k = strcspn(seg, " ");
		char key[32];

		snprintf(key, sizeof(key), "%.*s", (int)MIN_I(k, sizeof(key) - 1), seg);
		draw_text(y, x, MIN_I(utf8_width(key), cols - x), ROLE_KEY, key);
		x += utf8_width(key);
		if (x < cols)
			draw_text(y, x, MIN_I(utf8_width(seg + k), cols - x), ROLE_FOOTER,
			    seg + k);
		x += utf8_width(seg + k) + 2;
	}
}

/* At least this much of the prompt line is the input field. */
static int
field_min(int cols)
{
	return MAX_I(20, cols / 3);
}

/* The question (wrapped above the prompt line when long) and the input,
 * scrolled sideways to keep the cursor in view. */
static void
draw_prompt(struct ui *ui)
{
	struct prompt *p = &ui->prompt;
	char above[3][256], inl[300];
	int y = ui->rows - 2, n, x, ccol, fw;
	size_t first, nbytes;
	bool more_left, more_right;

	n = layout_question(p->question, ui->cols, p->text ? field_min(ui->cols) :
	    2, above, 3, inl, sizeof(inl));
	for (int i = 0; i < n; i++)
		draw_text(y - n + i, 0, ui->cols, ROLE_WARN, above[i]);
	draw_fill(y, 0, ui->cols, ROLE_WARN);
	draw_text(y, 0, ui->cols, ROLE_WARN, inl[0] ? inl : ">");
	x = MIN_I(utf8_width(inl[0] ? inl : ">") + 1, ui->cols - 1);
	if (!p->text) {
		curs_set(0);
		return;
	}
	fw = ui->cols - x;
	ccol = lineedit_window(&p->edit, fw, &first, &nbytes, &more_left,
	    &more_right);
	{
		char shown[LINEEDIT_MAX];
		snprintf(shown, sizeof(shown), "%.*s", (int)nbytes, p->edit.text + first);
		draw_text(y, x, fw, ROLE_NORMAL, shown);
	}
	if (more_left)
		draw_text(y, x, 1, ROLE_DIM, "<");
	if (more_right)
		draw_text(y, x + fw - 1, 1, ROLE_DIM, ">");
	curs_set(1);
	move(y, x + ccol);
}

static void
draw_bottom(struct ui *ui, int64_t now)
{
	const struct notice *n = client_notice(ui->c);
	bool ro = ui->read_only || strcmp(ui->m->role, "admin") != 0;
	const char *keys = ro ? views[ui->view]->keys_ro : views[ui->view]->keys;
	char line[1300];

	if (ui->prompt.active) {
		draw_prompt(ui);
	} else if (ui->notice_local_at > n->at && now - ui->notice_local_at <
	    NOTICE_MS) {
		draw_text(ui->rows - 2, 0, ui->cols, ROLE_NORMAL, ui->notice_local);
	} else if (n->at > 0 && now - n->at < NOTICE_MS) {
		draw_text(ui->rows - 2, 0, ui->cols, n->level == NOTICE_ERROR ?
		    ROLE_ERROR : n->level == NOTICE_OK ? ROLE_OK : ROLE_NORMAL,
		    n->text);
	} else {
		draw_fill(ui->rows - 2, 0, ui->cols, ROLE_NORMAL);
	}
	/* while a question waits, the footer says how to answer it */
	if (ui->prompt.active && ui->prompt.text)
		snprintf(line, sizeof(line), "Enter %s  Esc cancel  %s%s"
		    "<- -> ^A ^E move  ^U ^K ^W cut  ^Y paste",
		    ui->prompt.expect[0] ? "confirm" : "ok", ui->prompt.keys,
		    ui->prompt.keys[0] ? "  " : "");
	else if (ui->prompt.active)
		snprintf(line, sizeof(line), "y yes  Esc no (any other key: no)");
	else
		snprintf(line, sizeof(line), "q %s  ? help  %s%s: command  f freeze  "
		    "w write%s", ui->view == VIEW_DETAIL ? "back" : "quit", keys,
		    keys[0] ? "  " : "", ro ? "" : "  K killswitch");
	for (char *p = strstr(line, "  "); p != NULL; p = strstr(p, "  ")) {
		*p = '\t';	/* segments: tab-separated for draw_keys */
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
	}
	draw_keys(ui->rows - 1, ui->cols, line);
}

static const char *const help_lines[] = {
	"agentop keys",
	"",
	"  1 2 3 4, Tab     runs, escalations, history, health",
	"  Enter            open the selected run (q goes back)",
	"  up/down j/k      move; PgUp/PgDn, g/G top and bottom",
	"  /                filter runs (words, state=failed, agent=deploy)",
	"  s                cycle the sort: age, cost, tokens, state, agent",
	"  space            mark a run; A marks all shown; u unmarks all",
	"  p r x            pause, resume, kill the run (or the marked runs)",
	"  a e E d          escalations: approve, edit args, edit in $EDITOR,",
	"                   reject with a reason (d for deny)",
	"  K                kill switch (type KILL to engage)",
	"  f                freeze the screen (updates are kept, not shown)",
	"  w                write this screen to a file",
	"  :                command: filter, sort, theme NAME, show RUN, kill RUN,",
	"                   pause RUN, resume RUN, approve ESC, history TEXT, quit",
	"  n N              in a run: next / previous search match",
	"  R                rate a finished run: good|bad and a note",
	"  q                back, or quit",
	"  prompts          <- -> ^A ^E Home End move, Backspace Del ^D,",
	"                   ^U ^K ^W cut, ^Y paste; Enter, Esc cancels",
	"",
	"  any key closes this help",
};

static void
draw_help(struct ui *ui)
{
	int h = (int)(sizeof(help_lines) / sizeof(help_lines[0])) + 2;
	int w = MIN_I(80, ui->cols), y0 = MAX_I((ui->rows - h) / 2, 0);
	int x0 = MAX_I((ui->cols - w) / 2, 0);
	char mode[96];

	for (int i = 0; i < h && y0 + i < ui->rows; i++)
		draw_fill(y0 + i, x0, w, ROLE_BORDER);
	for (size_t i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]) &&
	    y0 + 1 + (int)i < ui->rows; i++)
		draw_text(y0 + 1 + (int)i, x0 + 2, w - 4, i == 0 ? ROLE_TITLE :
		    ROLE_NORMAL, help_lines[i]);
	snprintf(mode, sizeof(mode), "theme %s, %s, %s", ui->theme_name[0] ?
	    ui->theme_name : "default", theme_mode_name(), ui->ascii ? "ASCII" :
	    "UTF-8");
	draw_text(y0 + h - 1, x0 + 2, w - 4, ROLE_DIM, mode);
}

void
ui_draw(struct ui *ui, int64_t now)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	if (rows != ui->rows || cols != ui->cols)
		erase();	/* a new size: nothing of the old layout stays */
	ui->rows = rows;
	ui->cols = cols;
	curs_set(0);
	if (ui->rows < 6 || ui->cols < 40) {
		erase();
		mvaddstr(0, 0, "agentop needs at least 40x6");
		refresh();
		return;
	}
	draw_header(ui, now);
	draw_banner(ui, now);
	views[ui->view]->draw(ui, now, 2, ui->rows - 4, ui->cols);
	draw_bottom(ui, now);
	if (ui->help)
		draw_help(ui);
	refresh();
	ui->m->dirty = 0;
}

int
ui_dump(struct ui *ui, char *path, size_t pathlen)
{
	char line[1024], stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	FILE *f;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(path, pathlen, "agentop-%s-%s.txt", views[ui->view]->name, stamp);
	if ((f = fopen(path, "w")) == NULL) {
		ui_say(ui, "cannot write %s", path);
		return -1;
	}
	for (int y = 0; y < ui->rows; y++) {
		wchar_t wide[512];
		int n = mvinnwstr(y, 0, wide, MIN_I(ui->cols, 511));
		wide[n > 0 ? n : 0] = L'\0';
		if (wcstombs(line, wide, sizeof(line)) == (size_t)-1)
			line[0] = '\0';
		for (int i = (int)strlen(line) - 1; i >= 0 && line[i] == ' '; i--)
			line[i] = '\0';
		fprintf(f, "%s\n", line);
	}
	fclose(f);
	return 0;
}
