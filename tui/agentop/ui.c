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

static const struct view_ops *const views[VIEW__COUNT] = {
	[VIEW_RUNS] = &view_runs,
	[VIEW_ESCALATIONS] = &view_escalations,
	[VIEW_HISTORY] = &view_history,
	[VIEW_HEALTH] = &view_health,
	[VIEW_DETAIL] = &view_detail,
};

static int64_t
time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ui_init(struct ui *ui, struct model *m, struct client *c)
{
	memset(ui, 0, sizeof(*ui));
	ui->m = m;
	ui->c = c;
	ui->marks = json_object();
	ui->view = ui->back = VIEW_RUNS;
}

void
ui_finish(struct ui *ui)
{
	json_decref(ui->marks);
}

void
ui_say(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->notice_local, sizeof(ui->notice_local), fmt, ap);
	va_end(ap);
	ui->notice_local_at = time_now_ms();
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

bool
ui_list_key(size_t *sel, size_t n, int ch)
{
	switch (ch) {
	case KEY_UP: case 'k':
		if (*sel > 0)
			(*sel)--;
		return true;
	case KEY_DOWN: case 'j':
		if (*sel + 1 < n)
			(*sel)++;
		return true;
	case KEY_PPAGE:
		*sel = *sel > 10 ? *sel - 10 : 0;
		return true;
	case KEY_NPAGE:
		*sel = n > 0 ? MIN_I(*sel + 10, n - 1) : 0;
		return true;
	case 'g': case KEY_HOME:
		*sel = 0;
		return true;
	case 'G': case KEY_END:
		*sel = n > 0 ? n - 1 : 0;
		return true;
	}
	return false;
}

void
ui_ask(struct ui *ui, const char *question, const char *expect, bool text,
    const char *arg, prompt_done_fn *done)
{
	struct prompt *p = &ui->prompt;

	*p = (struct prompt){ .active = true, .text = text, .done = done };
	snprintf(p->question, sizeof(p->question), "%s", question);
	snprintf(p->expect, sizeof(p->expect), "%s", expect ? expect : "");
	snprintf(p->arg, sizeof(p->arg), "%s", arg ? arg : "");
}

void
ui_open_detail(struct ui *ui, const char *run)
{
	if (ui->view != VIEW_DETAIL)
		ui->back = ui->view;
	ui->view = VIEW_DETAIL;
	ui->detail_scroll = 0;
	ui->detail_search[0] = '\0';
	client_watch_run(ui->c, run);
}

static void
rate_done(struct ui *ui, const char *input)
{
	char word[16] = "";
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
	client_action(ui->c, IPC_T_RUNS_RATE, body, "rating");
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
	client_action(ui->c, type, json_pack("{s:s}", "run", run), label);
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
		if (ui_can_act(ui))
			client_action(ui->c, IPC_T_ESCALATIONS_DECIDE, json_pack("{s:s,"
			    " s:s}", "escalation", arg, "decision", "approve"), "approve");
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

	client_action(ui->c, engage ? IPC_T_KILLSWITCH_ENGAGE :
	    IPC_T_KILLSWITCH_RELEASE, json_pack("{s:s}", "reason",
	    "from agentop"), engage ? "kill switch on" : "kill switch off");
}

static int
prompt_key(struct ui *ui, int ch)
{
	struct prompt *p = &ui->prompt;
	char input[sizeof(p->input)];
	prompt_done_fn *done = p->done;

	if (ch == 27 || ch == 7) {	/* Esc, ^G */
		p->active = false;
		ui_say(ui, "cancelled");
		return UI_REDRAW;
	}
	if (!p->text) {
		p->active = false;
		if (ch == 'y' || ch == 'Y')
			done(ui, "y");
		else
			ui_say(ui, "cancelled");
		return UI_REDRAW;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		p->active = false;
		snprintf(input, sizeof(input), "%s", p->input);
		if (p->expect[0] != '\0' && strcmp(input, p->expect) != 0) {
			ui_say(ui, "not confirmed: type %s exactly", p->expect);
			return UI_REDRAW;
		}
		done(ui, input);
		return UI_REDRAW;
	}
	if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && p->len > 0) {
		do
			p->len--;
		while (p->len > 0 && ((unsigned char)p->input[p->len] & 0xc0) == 0x80);
		p->input[p->len] = '\0';
	} else if (ch == 21) {		/* ^U */
		p->len = 0;
		p->input[0] = '\0';
	} else if (ch >= 32 && ch < 256 && p->len + 1 < sizeof(p->input)) {
		p->input[p->len++] = (char)ch;
		p->input[p->len] = '\0';
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
			    "new runs refused. Type KILL to confirm:", "KILL", true, NULL,
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

static void
draw_header(struct ui *ui, int64_t now)
{
	char buf[512], clock[16];
	size_t esc = model_escalation_count(ui->m);
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	int x;

	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	draw_fill(0, 0, ui->cols, ROLE_HEADER);
	snprintf(buf, sizeof(buf), " agentop  %s%s%sruns %zu live  %.0f ev/s ",
	    ui->m->version[0] ? "agentd " : "", ui->m->version,
	    ui->m->version[0] ? "  " : "", model_live_count(ui->m),
	    ui->m->events_rate);
	draw_text(0, 0, ui->cols, ROLE_HEADER, buf);
	x = text_width(buf);
	snprintf(buf, sizeof(buf), " ESC %zu ", esc);
	draw_text(0, x, text_width(buf), esc > 0 ? ROLE_ESCALATION : ROLE_HEADER,
	    buf);
	x += text_width(buf);
	snprintf(buf, sizeof(buf), " %s%s ", ui->m->conn == CONN_LIVE ? "live" :
	    ui->m->conn == CONN_SYNCING ? "syncing" : ui->m->conn == CONN_LOST ?
	    "DISCONNECTED" : "not connected", ui->read_only ||
	    (ui->m->version[0] && strcmp(ui->m->role, "admin") != 0) ?
	    "  [read-only]" : "");
	draw_text(0, x + 1, MAX_I(ui->cols - x - 11, 0),
	    ui->m->conn == CONN_LIVE ? ROLE_HEADER : ROLE_ERROR, buf);
	draw_text(0, ui->cols - 9, 9, ROLE_HEADER, clock);
}

/* The second line: tabs, or a banner that must not be missed. */
static void
draw_banner(struct ui *ui)
{
	static const char *const tabs[] = { "1 Runs", "2 Escalations", "3 History",
	    "4 Health" };
	char status[400];
	int x = 0;

	/* nothing shown can be trusted while agentd is away: say so first */
	if (ui->m->conn == CONN_CONNECTING || ui->m->conn == CONN_LOST) {
		client_status(ui->c, time_now_ms(), status, sizeof(status));
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
		draw_text(1, x, text_width(tabs[i]) + 2, on ? ROLE_SELECTED :
		    ROLE_BORDER, tabs[i]);
		x += text_width(tabs[i]) + 2;
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
		draw_text(y, x, MIN_I(text_width(key), cols - x), ROLE_KEY, key);
		x += text_width(key);
		if (x < cols)
			draw_text(y, x, MIN_I(text_width(seg + k), cols - x), ROLE_FOOTER,
			    seg + k);
		x += text_width(seg + k) + 2;
	}
}

static void
draw_bottom(struct ui *ui, int64_t now)
{
	const struct notice *n = client_notice(ui->c);
	bool ro = ui->read_only || strcmp(ui->m->role, "admin") != 0;
	const char *keys = ro ? views[ui->view]->keys_ro : views[ui->view]->keys;
	char line[1300];

	if (ui->prompt.active) {
		snprintf(line, sizeof(line), "%s %s", ui->prompt.question,
		    ui->prompt.text ? ui->prompt.input : "");
		draw_text(ui->rows - 2, 0, ui->cols, ROLE_WARN, line);
		curs_set(ui->prompt.text ? 1 : 0);
		move(ui->rows - 2, MIN_I(text_width(line), ui->cols - 1));
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
ui_draw(struct ui *ui)
{
	int64_t now = time_now_ms();

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
	draw_banner(ui);
	views[ui->view]->draw(ui, 2, ui->rows - 4, ui->cols);
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
