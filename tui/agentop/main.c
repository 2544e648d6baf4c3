/* agentop: the operator console. Arguments, terminal, the poll loop. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "config.h"
#include "ui.h"

#define FRAME_MS	50	/* at most 20 frames a second */
#define TICK_MS		1000	/* clocks and countdowns move this often */

#ifndef THEMES_DIR
#define THEMES_DIR "/usr/share/agentd/themes"
#endif

static volatile sig_atomic_t stop_signal;
static bool curses_on;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

static void
restore_terminal(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

static int64_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * AGENTOP_STATS=FILE: figures for bench/bench_console.c, written to FILE
 * when the loop ends (q, SIGINT, SIGTERM, SIGHUP). Off when unset.
 */
#define STATS_KEPT	65536	/* frame times kept for the percentiles */

static struct {
	const char *path;		/* $AGENTOP_STATS, NULL: off */
	int64_t start_ns;		/* main() entered (monotonic) */
	int64_t first_live_ns;		/* end of the first frame drawn live, 0: none */
	int64_t history_ns;		/* end of the first live frame showing a finished run */
	int64_t frames, total_ns, max_ns;
	int64_t not_live;		/* frames drawn not live after the first live one */
	float ms[STATS_KEPT];		/* the first STATS_KEPT frame times */
} stats;

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
stats_frame(struct model *m, int64_t t0)
{
	int64_t t1 = mono_ns(), d = t1 - t0;
	const char *const *ids;

	if (stats.frames < STATS_KEPT)
		stats.ms[stats.frames] = (float)((double)d / 1e6);
	stats.frames++;
	stats.total_ns += d;
	stats.max_ns = d > stats.max_ns ? d : stats.max_ns;
	if (m->conn != CONN_LIVE) {
		stats.not_live += stats.first_live_ns != 0;
		return;
	}
	if (stats.first_live_ns == 0)
		stats.first_live_ns = t1;
	if (stats.history_ns == 0 && model_rows(m, &ids) > model_live_count(m))
		stats.history_ns = t1;
}

static int
by_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static void
stats_write(const struct model *m)
{
	size_t n = stats.frames < STATS_KEPT ? (size_t)stats.frames : STATS_KEPT;
	FILE *f;

	if (stats.path == NULL || (f = fopen(stats.path, "w")) == NULL)
		return;
	qsort(stats.ms, n, sizeof(stats.ms[0]), by_float);
	fprintf(f, "frames %lld\nframe_total_ms %.3f\nframe_max_ms %.3f\n"
	    "frame_p50_ms %.3f\nframe_p95_ms %.3f\nnot_live_frames %lld\n"
	    "events_applied %lld\nseq %lld\nfirst_live_ms %.3f\nhistory_ms %.3f\n"
	    "alive_ms %.3f\n", (long long)stats.frames, (double)stats.total_ns / 1e6,
	    (double)stats.max_ns / 1e6, n ? stats.ms[n / 2] : 0.0,
	    n ? stats.ms[n * 95 / 100] : 0.0, (long long)stats.not_live,
	    (long long)m->events_applied, (long long)m->seq,
	    stats.first_live_ns ? (double)(stats.first_live_ns - stats.start_ns) / 1e6 : -1.0,
	    stats.history_ns ? (double)(stats.history_ns - stats.start_ns) / 1e6 : -1.0,
	    (double)(mono_ns() - stats.start_ns) / 1e6);
	fclose(f);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: agentop [--socket-dir DIR] [--theme NAME] [--read-only] [--ascii]\n"
	    "\n"
	    "The operator console of agentd (see docs/operator-guide.md).\n"
	    "\n"
	    "  --socket-dir DIR  where agentd's sockets are (default: $AGENTD_SOCKET_DIR,\n"
	    "                    $XDG_RUNTIME_DIR/agentd, /tmp/agentd-$UID)\n"
	    "  --theme NAME      default, light, high-contrast, mono, or a file path\n"
	    "                    (themes are looked up in $AGENTOP_THEMES, then\n"
	    "                    ~/.config/agentd/themes, then %s)\n"
	    "  --read-only       watch only: actions are hidden and refused\n"
	    "  --ascii           no UTF-8 box and bar characters\n"
	    "  --version, --help\n", THEMES_DIR);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket-dir", required_argument, NULL, 's' },
		{ "theme", required_argument, NULL, 't' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *socket_override = NULL, *theme_name = "default";
	char dir[256], home_themes[512], err[400];
	const char *dirs[5];
	size_t n_dirs = 0;
	struct model m;
	struct client *c;
	struct theme theme;
	struct ui ui;
	struct sigaction sa = { .sa_handler = on_stop };
	bool read_only = false, ascii = false;
	int64_t last_frame = 0, last_tick = 0;
	bool draw = true;		/* a frame is owed */
	int ch;

	stats.start_ns = mono_ns();
	stats.path = getenv("AGENTOP_STATS");
	setlocale(LC_ALL, "");
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's': socket_override = optarg; break;
		case 't': theme_name = optarg; break;
		case 'r': read_only = true; break;
		case 'a': ascii = true; break;
		case 'V': printf("agentop %s\n", AGENTD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "agentop: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (ipc_socket_dir(socket_override, dir, sizeof(dir)) != 0) {
		fprintf(stderr, "agentop: socket directory path too long\n");
		return 2;
	}
	if (getenv("AGENTOP_THEMES") != NULL)
		dirs[n_dirs++] = getenv("AGENTOP_THEMES");
	if (getenv("HOME") != NULL) {
		snprintf(home_themes, sizeof(home_themes), "%s/.config/agentd/themes",
		    getenv("HOME"));
		dirs[n_dirs++] = home_themes;
	}
	dirs[n_dirs++] = THEMES_DIR;
#ifdef THEMES_SRC_DIR
	dirs[n_dirs++] = THEMES_SRC_DIR;	/* running from the build tree */
#endif
	dirs[n_dirs] = NULL;
	/* a bad theme is reported before the screen is taken over; without
	 * any theme file the built-in default serves */
	if ((ch = theme_load(theme_name, dirs, &theme, err, sizeof(err))) != 0) {
		if (ch == -ENOENT && strcmp(theme_name, "default") == 0) {
			theme_builtin_default(&theme);
		} else {
			fprintf(stderr, "agentop: %s\n", err);
			return 2;
		}
	}
	if (!ascii) {
		const char *cs = nl_langinfo(CODESET);
		ascii = cs == NULL || strcasecmp(cs, "UTF-8") != 0;
	}

	model_init(&m);
	c = client_create(dir, &m);
	ui_init(&ui, &m, c);
	ui.read_only = read_only;
	ui.ascii = ascii;
	ui.theme_dirs = dirs;
	snprintf(ui.theme_name, sizeof(ui.theme_name), "%s", theme_name);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(restore_terminal);
	if (initscr() == NULL) {
		fprintf(stderr, "agentop: cannot use the terminal (TERM=%s)\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	curses_on = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	theme_apply(&theme);

	while (!ui.quit && stop_signal == 0) {
		struct pollfd fds[3] = { { .fd = STDIN_FILENO, .events = POLLIN } };
		int n = 1 + client_pollfds(c, fds + 1);
		int64_t now = mono_now(), wait;

		client_tick(c, client_now_ms());
		while ((ch = getch()) != ERR) {
			if (ui_key(&ui, ch) & UI_REDRAW)
				draw = true;
			if (ui.quit)
				break;
		}
		if (m.dirty != 0 || now - last_tick >= TICK_MS)
			draw = true;
		/* bursts of events and keys are coalesced into at most one
		 * frame every FRAME_MS */
		if (draw && now - last_frame >= FRAME_MS) {
			int64_t t0 = stats.path != NULL ? mono_ns() : 0;

			ui_draw(&ui, client_now_ms());
			if (stats.path != NULL)
				stats_frame(&m, t0);
			last_frame = now;
			last_tick = now;
			draw = false;
		}
		wait = MIN_I(client_timeout_ms(c, client_now_ms()), TICK_MS);
		if (draw && now - last_frame < FRAME_MS)
			wait = MIN_I(wait, FRAME_MS - (now - last_frame));
		poll(fds, (nfds_t)n, (int)wait);
	}
	restore_terminal();
	stats_write(&m);
	ui_finish(&ui);
	/* nng 1.5 can hang in nng_close while its threads are busy (seen at
	 * 10,000 events/s): the terminal is restored and the figures written,
	 * so the process ends here and the kernel closes the sockets */
	fflush(NULL);
	_exit(0);
}
