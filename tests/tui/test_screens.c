/*
 * Golden screens: the views drawn headless (newterm on /dev/null at a fixed
 * size, read back with mvinnstr) from a fixed model, compared with text
 * files in tests/data/screens. UPDATE_GOLDEN=1 rewrites them after a
 * deliberate layout change (then read the diff).
 */
#include "t.h"
#include "client.h"
#include "model.h"
#include "ui.h"

#include <ctype.h>
#include <curses.h>
#include <locale.h>
#include <wchar.h>
#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#ifndef TEST_DATA
#error "TEST_DATA must name tests/data"
#endif

/* A fixed "now", ms since the epoch: every screen is drawn at it (ui_draw),
 * so ages and countdowns do not depend on how long a test takes. */
#define NOW	1795452560000LL

/* A model as a console would have it. */
static void
fill(struct model *m)
{
	int64_t now = NOW;
	json_t *runs = json_pack("[{s:s, s:s, s:s, s:s, s:I, s:i, s:{s:i, s:i, s:i,"
	    " s:i, s:f}, s:{s:i, s:f}, s:{s:s, s:I, s:s}, s:s},"
	    " {s:s, s:s, s:s, s:s, s:I, s:i, s:{s:i, s:i, s:i, s:i, s:f},"
	    " s:{s:i, s:f}, s:{s:s, s:I, s:s}, s:s},"
	    " {s:s, s:s, s:s, s:s, s:I, s:i, s:{s:i, s:i, s:i, s:i, s:f},"
	    " s:{s:i, s:f}, s:{s:s}, s:s}]",
	    "id", "r-deploy0001", "agent", "deploy", "state", "awaiting_human",
	    "task", "Roll out checkout-api v2.4.1", "created_ms",
	    (json_int_t)(now - 3725000), "step", 2, "usage", "llm_calls", 2,
	    "tool_calls", 1, "tokens_in", 1650, "tokens_out", 110, "cost_usd",
	    0.0066, "budget", "llm_calls", 8, "cost_usd", 0.2, "waiting", "on",
	    "operator", "since_ms", (json_int_t)(now - 125000), "detail", "e-1",
	    "reason", "tool deploy_service has risk critical",
	    "id", "r-spend00002", "agent", "spendthrift", "state", "executing",
	    "task", "Summarise the annual report", "created_ms",
	    (json_int_t)(now - 3605000), "step", 4, "usage", "llm_calls", 4,
	    "tool_calls", 4, "tokens_in", 80000, "tokens_out", 8000, "cost_usd",
	    0.36, "budget", "llm_calls", 100, "cost_usd", 0.5, "waiting", "on",
	    "model", "since_ms", (json_int_t)(now - 60000), "detail", "sim:x",
	    "reason", "started",
	    "id", "r-triage0003", "agent", "support-triage", "state", "done",
	    "task", "Ticket 4821: refund", "created_ms",
	    (json_int_t)(now - 7300000), "step", 4, "usage", "llm_calls", 4,
	    "tool_calls", 3, "tokens_in", 5250, "tokens_out", 270, "cost_usd",
	    0.0198, "budget", "llm_calls", 10, "cost_usd", 0.5, "waiting", "on",
	    "none", "reason", "final answer");

	model_merge_runs(m, runs);
	json_object_set_new(m->escalations, "e-1", json_pack("{s:s}", "id", "e-1"));
	m->conn = CONN_LIVE;
	snprintf(m->version, sizeof(m->version), "0.1.0");
	snprintf(m->role, sizeof(m->role), "admin");
	json_decref(runs);
}

/* A check's own state on top of fill(), or NULL. */
typedef void setup_fn(struct ui *ui, struct model *m);

/* Line 0's clock (HH:MM:SS between spaces) as the literal "HH:MM:SS". */
static void
mask_clock(char *line)
{
	for (char *p = line; strlen(p) >= 8; p++)
		if (p[2] == ':' && p[5] == ':' && isdigit((unsigned char)p[0]) &&
		    isdigit((unsigned char)p[7]) && (p == line || p[-1] == ' ')) {
			memcpy(p, "HH:MM:SS", 8);
			return;
		}
}

/*
 * Draws @view at @cols x @rows (after @setup) and compares it with the
 * golden file @name. Returns the screen text (free it) for more checks.
 */
static char *
check_screen(enum view_id view, int cols, int rows, setup_fn *setup,
    const char *name)
{
	char size[8], path[512], line[1024], *golden = NULL, *got;
	size_t got_len = 0, cap = 16384;
	struct theme theme;
	struct model m;
	struct client *c;
	struct ui *ui = calloc(1, sizeof(*ui));
	SCREEN *s;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r"), *f;

	snprintf(size, sizeof(size), "%d", cols);
	setenv("COLUMNS", size, 1);
	snprintf(size, sizeof(size), "%d", rows);
	setenv("LINES", size, 1);
	setenv("TERM", "xterm-256color", 1);
	setlocale(LC_ALL, "C.UTF-8");
	unsetenv("NO_COLOR");
	s = newterm(NULL, out, in);
	if (s == NULL || ui == NULL) {
		ok(0);
		free(ui);
		return NULL;
	}
	start_color();
	use_default_colors();
	theme_builtin_default(&theme);
	theme_apply(&theme);
	model_init(&m);
	c = client_create("/nonexistent-agentd-dir", &m);
	fill(&m);
	ui_init(ui, &m, c);
	ui->view = view;
	if (setup != NULL)
		setup(ui, &m);
	ui_draw(ui, NOW);
	got = malloc(cap);
	for (int y = 0; y < rows; y++) {
		wchar_t wide[256];
		int n = mvinnwstr(y, 0, wide, 255);
		wide[n > 0 ? n : 0] = L'\0';
		if (wcstombs(line, wide, sizeof(line)) == (size_t)-1)
			line[0] = '\0';
		for (int i = (int)strlen(line) - 1; i >= 0 && line[i] == ' '; i--)
			line[i] = '\0';
		if (y == 0)
			mask_clock(line);
		got_len += (size_t)snprintf(got + got_len, cap - got_len, "%s\n", line);
	}
	endwin();
	delscreen(s);
	fclose(out);
	fclose(in);
	snprintf(path, sizeof(path), "%s/screens/%s", TEST_DATA, name);
	if (getenv("UPDATE_GOLDEN") != NULL && (f = fopen(path, "w")) != NULL) {
		fputs(got, f);
		fclose(f);
	}
	if ((f = fopen(path, "r")) != NULL) {
		golden = calloc(1, cap);
		if (fread(golden, 1, cap - 1, f) == 0)
			golden[0] = '\0';
		fclose(f);
	}
	ok(golden != NULL);
	if (golden != NULL && strcmp(golden, got) != 0) {
		char *copy = strdup(got);
		printf("# %s differs; got:\n", name);
		for (char *l = strtok(copy, "\n"); l != NULL; l = strtok(NULL, "\n"))
			printf("#   |%s|\n", l);
		free(copy);
		ok(0);
	}
	free(golden);
	ui_finish(ui);
	client_destroy(c);
	model_finish(&m);
	free(ui);
	return got;
}

/* Line @y (0-based) of a screen text, into @out. */
static const char *
screen_line(const char *screen, int y, char *out, size_t outlen)
{
	const char *p = screen;

	for (int i = 0; i < y && p != NULL; i++)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	snprintf(out, outlen, "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
	return out;
}

/* No line of @screen is wider than @cols. */
static void
fits(const char *screen, int cols)
{
	char line[1024];

	for (int y = 0; screen != NULL && *screen_line(screen, y, line,
	    sizeof(line)) != '\0'; y++)
		if (utf8_width(line) > cols)
			T_DIAG("line %d is %d wide: |%s|", y, utf8_width(line), line);
}

static void
runs_80x24(void)
{
	free(check_screen(VIEW_RUNS, 80, 24, NULL, "runs-80x24.txt"));
}

static void
runs_120x30(void)
{
	free(check_screen(VIEW_RUNS, 120, 30, NULL, "runs-120x30.txt"));
}

/* The case: 717 pending escalations, agentd away, 60 columns. */
static void
lost_with_717(struct ui *ui, struct model *m)
{
	char id[16];

	for (int i = 0; i < 717; i++) {
		snprintf(id, sizeof(id), "e-%d", i);
		json_object_set_new(m->escalations, id, json_pack("{s:s}", "id", id));
	}
	model_set_conn(m, CONN_LOST, NOW - 3000);
}

/* The runs view at @cols x @rows, agentd away: the header keeps the
 * escalations and the connection whole, and nothing is wider. */
static void
small_screen(int cols, int rows, const char *name)
{
	char line[256], *s = check_screen(VIEW_RUNS, cols, rows, lost_with_717,
	    name);

	screen_line(s, 0, line, sizeof(line));
	has_str(line, " ESC 717 ");
	has_str(line, " DISCONNECTED");
	fits(s, cols);
	free(s);
}

static void
runs_60x20(void)
{
	small_screen(60, 20, "runs-60x20.txt");
}

static void
narrow_40x12(void)
{
	small_screen(40, 12, "runs-40x12.txt");
}

/* The first moments of a start: no red "not connected" yet. */
static void
fresh(struct ui *ui, struct model *m)
{
	json_object_clear(m->runs);
	json_object_clear(m->escalations);
	m->order_stale = true;
	m->conn = CONN_CONNECTING;
	m->unreachable = false;
	m->version[0] = '\0';
	snprintf(m->role, sizeof(m->role), "viewer");
}

static void
unreachable(struct ui *ui, struct model *m)
{
	fresh(ui, m);
	m->unreachable = true;
}

static void
connecting_80x24(void)
{
	char *s = check_screen(VIEW_RUNS, 80, 24, fresh, "connecting-80x24.txt");

	ok(s != NULL && strstr(s, "not connected") == NULL);
	ok(s != NULL && strstr(s, "not reachable") == NULL);
	has_str(s, " connecting ");
	free(s);
	s = check_screen(VIEW_RUNS, 80, 24, unreachable, "unreachable-80x24.txt");
	has_str(s, "not connected");
	has_str(s, "agentd not reachable at /nonexistent-agentd-dir");
	free(s);
}

/* Health with its alert figures and three providers, one failing. */
static void
with_health(struct ui *ui, struct model *m)
{
	json_t *h = json_pack("{s:s, s:I, s:i, s:i, s:b, s:b, s:I, s:i, s:i, s:f,"
	    " s:[], s:[{s:s, s:s, s:f, s:f, s:s, s:b, s:i},"
	    " {s:s, s:s, s:f, s:f, s:s, s:b, s:i}],"
	    " s:[{s:s, s:s, s:i, s:i, s:i, s:i, s:i},"
	    " {s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:s},"
	    " {s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:I}]}",
	    "version", "0.1.0", "uptime_ms", (json_int_t)3725000, "live_runs", 2,
	    "pending_escalations", 1, "killswitch", 0, "storage_ok", 1,
	    "seq", (json_int_t)4242, "runs_submitted", 120, "runs_finished", 118,
	    "spend_today_usd", 1.25, "load_errors", "metrics",
	    "name", "p95_step_latency_ms", "unit", "ms", "value", 704.0,
	    "threshold", 2000.0, "bad_when", "above", "crossed", 0, "samples", 300,
	    "name", "loop_rate", "unit", "ratio", "value", 0.222, "threshold", 0.05,
	    "bad_when", "above", "crossed", 1, "samples", 9,
	    "providers", "name", "sim", "breaker", "closed", "in_flight", 2,
	    "rate_waiting", 0, "requests", 0, "retries", 0, "failures", 0,
	    "name", "openai", "breaker", "closed", "in_flight", 0, "rate_waiting", 1,
	    "requests", 2, "retries", 0, "failures", 2, "last_error",
	    "HTTP 401: Incorrect API key provided: ***.",
	    "name", "anthropic", "breaker", "open", "in_flight", 0, "rate_waiting", 0,
	    "requests", 3, "retries", 2, "failures", 1, "last_error",
	    "HTTP 500: Internal server error", "last_error_ms",
	    (json_int_t)(NOW - 180000));

	model_set_health(m, h);
	json_decref(h);
}

static void
scrolled_health(struct ui *ui, struct model *m)
{
	with_health(ui, m);
	ui->health_scroll = 8;
}

static void
health_80x24(void)
{
	char *s = check_screen(VIEW_HEALTH, 80, 24, with_health, "health-80x24.txt");

	has_str(s, "lines 1-19 of 23 (j/k, PgUp/PgDn scroll)");
	fits(s, 80);
	free(s);
	/* scrolled down, the providers table and its errors are there */
	s = check_screen(VIEW_HEALTH, 80, 24, scrolled_health,
	    "health-80x24-scrolled.txt");
	has_str(s, "anthropic");
	/* an error that says when: an old one reads as old */
	has_str(s, "last error: 3m00s ago: HTTP 500: Internal server error");
	has_str(s, "last error: HTTP 401: Incorrect API key provided");
	fits(s, 80);
	free(s);
}

static void
with_history(struct ui *ui, struct model *m)
{
	json_t *runs = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:{s:f}},"
	    " {s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:{s:f}, s:b}]",
	    "id", "r-kejv84dmp8", "agent", "spendthrift", "state", "failed",
	    "reason", "budget:cost_usd", "task", "Summarise the annual report, "
	    "chapter by chapter", "step", 5, "created_ms", (json_int_t)1795454937579,
	    "usage", "cost_usd", 0.45,
	    "id", "r-b6y2pys6m5", "agent", "support-triage", "state", "done",
	    "reason", "final answer", "task", "Ticket 4821: the customer asks "
	    "about a refund for order 5521 which arrived damaged", "step", 4,
	    "created_ms", (json_int_t)1795454937000, "usage", "cost_usd", 0.0198,
	    "task_truncated", 1);

	setenv("TZ", "UTC", 1);
	tzset();
	model_set_history(m, runs, false);
	snprintf(ui->history_query, sizeof(ui->history_query), "since=1h");
}

static void
history_80x24(void)
{
	char line[256], *s = check_screen(VIEW_HISTORY, 80, 24, with_history,
	    "history-80x24.txt");

	/* the reason and task column gets the room (it had 4 columns) */
	screen_line(s, 4, line, sizeof(line));
	has_str(line, "budget:cost_usd / Summari");
	fits(s, 80);
	free(s);
}

static void
kill_prompt(struct ui *ui, struct model *m)
{
	ui_key(ui, 'K');
	for (const char *p = "KIL"; *p; p++)
		ui_key(ui, *p);
}

static void
prompt_killswitch_80x24(void)
{
	char line[256], *s = check_screen(VIEW_RUNS, 80, 24, kill_prompt,
	    "prompt-killswitch-80x24.txt");

	/* the question above, "Type KILL to confirm:" and the typing on the
	 * prompt line, all within 80 columns */
	screen_line(s, 21, line, sizeof(line));
	has_str(line, "ENGAGE THE KILL SWITCH");
	screen_line(s, 22, line, sizeof(line));
	is_str(line, "Type KILL to confirm: KIL");
	fits(s, 80);
	free(s);
}

#define TESTS(X) \
	X(runs_80x24) \
	X(runs_120x30) \
	X(runs_60x20) \
	X(narrow_40x12) \
	X(connecting_80x24) \
	X(health_80x24) \
	X(history_80x24) \
	X(prompt_killswitch_80x24)
T_MAIN(TESTS)
