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

static int64_t
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	const char *dirs[4];
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
	dirs[n_dirs] = NULL;
	/* a bad theme is reported before the screen is taken over */
	if (theme_load(theme_name, dirs, &theme, err, sizeof(err)) != 0) {
		fprintf(stderr, "agentop: %s\n", err);
		return 2;
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

		client_tick(c, wall_now());
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
			ui_draw(&ui);
			last_frame = now;
			last_tick = now;
			draw = false;
		}
		wait = MIN_I(client_timeout_ms(c, wall_now()), TICK_MS);
		if (draw && now - last_frame < FRAME_MS)
			wait = MIN_I(wait, FRAME_MS - (now - last_frame));
		poll(fds, (nfds_t)n, (int)wait);
	}
	restore_terminal();
	ui_finish(&ui);
	client_destroy(c);
	model_finish(&m);
	ipc_shutdown();
	return 0;
}
