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

#include <curses.h>
#include <locale.h>
#include <wchar.h>
#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#ifndef TEST_DATA
#error "TEST_DATA must name tests/data"
#endif

static int64_t
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A model as a console would have it: durations in whole minutes so that
 * the screen does not change while it is drawn. */
static void
fill(struct model *m)
{
	int64_t now = wall();
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

/* Draws @view at @cols x @rows and compares with the golden file @name. */
static void
check_screen(enum view_id view, int cols, int rows, const char *name)
{
	char size[8], path[512], line[512], *golden = NULL, *got;
	size_t got_len = 0, cap = 8192;
	struct theme theme;
	struct model m;
	struct client *c;
	struct ui ui;
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
	t_bail_if(s == NULL);
	start_color();
	use_default_colors();
	theme_builtin_default(&theme);
	theme_apply(&theme);
	model_init(&m);
	c = client_create("/nonexistent-agentd-dir", &m);
	fill(&m);
	ui_init(&ui, &m, c);
	ui.view = view;
	ui_draw(&ui);
	got = malloc(cap);
	for (int y = 0; y < rows; y++) {
		wchar_t wide[256];
		int n = mvinnwstr(y, 0, wide, 255);
		wide[n > 0 ? n : 0] = L'\0';
		if (wcstombs(line, wide, sizeof(line)) == (size_t)-1)
			line[0] = '\0';
		for (int i = (int)strlen(line) - 1; i >= 0 && line[i] == ' '; i--)
			line[i] = '\0';
		if (y == 0 && strlen(line) >= 8)	/* the clock */
			memcpy(line + strlen(line) - 8, "HH:MM:SS", 8);
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
		printf("# %s differs; got:\n", name);
		for (char *l = strtok(got, "\n"); l != NULL; l = strtok(NULL, "\n"))
			printf("#   |%s|\n", l);
		ok(0);
	}
	free(golden);
	free(got);
	ui_finish(&ui);
	client_destroy(c);
	model_finish(&m);
}

static void
runs_80x24(void)
{
	check_screen(VIEW_RUNS, 80, 24, "runs-80x24.txt");
}

static void
runs_120x30(void)
{
	check_screen(VIEW_RUNS, 120, 30, "runs-120x30.txt");
}

#define TESTS(X) \
	X(runs_80x24) \
	X(runs_120x30)
T_MAIN(TESTS)
