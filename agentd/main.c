/* agentd: arguments, setup, run the loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "engine.h"
#include "ipc.h"
#include "log.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: agentd --data-dir DIR --agents DIR [options]\n"
	    "\n"
	    "Runs LLM agents and serves the agentd protocol (see agentd(8)).\n"
	    "\n"
	    "  --data-dir DIR     database and state (created if missing)\n"
	    "  --agents DIR       agent specs (*.json), sim scenarios in DIR/scenarios\n"
	    "  --socket-dir DIR   control and event sockets (default:\n"
	    "                     $AGENTD_SOCKET_DIR, $XDG_RUNTIME_DIR/agentd,\n"
	    "                     /tmp/agentd-$UID)\n"
	    "  --pricing FILE     pricing table (default: AGENTS/pricing.json)\n"
	    "  --config FILE      provider endpoints and keys (default:\n"
	    "                     DATA/agentd.conf if it exists; see\n"
	    "                     docs/providers.md); the environment overrides it\n"
	    "  --files DIR        jail of the file_read tool (default: DATA/files)\n"
	    "  --log-level LEVEL  error, warn, info (default) or debug\n"
	    "  --keep-audit DAYS  audit rows kept (default 90; 0: forever)\n"
	    "  --keep-audit-rows N  at most N audit rows (default 1000000; 0: no cap)\n"
	    "  --keep-events DAYS events of runs ended this long ago are deleted\n"
	    "                     (default 0: kept forever)\n"
	    "  --keep-replies HOURS  replies kept for resent requests (default 24)\n"
	    "  --foreground       stay attached (agentd never daemonizes itself;\n"
	    "                     accepted for service managers)\n"
	    "  --version, --help\n");
}

#define STOP_GRACE_S	10	/* to close everything after the last commit */

static void
stop_overdue(int sig)
{
	static const char msg[] = "agentd: closing the sockets took more than "
	    "10 s after the last commit; exiting without waiting longer\n";
	ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)n;
	_exit(1);
}

/* --keep-*: a whole number, 0 or more (--keep-replies: at least 1). */
static int
parse_keep(int opt, const char *arg, struct engine_retention *keep)
{
	static const struct { int opt; const char *name, *unit; } names[] = {
		{ 'A', "--keep-audit", "days" }, { 'R', "--keep-audit-rows", "rows" },
		{ 'E', "--keep-events", "days" }, { 'Q', "--keep-replies", "hours" },
	};
	const char *name = "", *unit = "";
	char *end;
	long long v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].opt == opt) {
			name = names[i].name;
			unit = names[i].unit;
		}
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || v < (opt == 'Q') ||
	    v > 1000000000LL) {
		fprintf(stderr, "agentd: %s: \"%s\" is not a number of %s (%s)\n",
		    name, arg, unit, opt == 'Q' ? "1 or more" : "0 or more");
		return -1;
	}
	switch (opt) {
	case 'A': keep->audit_days = v; break;
	case 'R': keep->audit_rows = v; break;
	case 'E': keep->events_days = v; break;
	default: keep->replies_hours = v; break;
	}
	return 0;
}

/* Every HTTP connection is a descriptor: thousands of concurrent runs need
 * more than the usual soft limit of 1024. */
static void
raise_open_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data-dir", required_argument, NULL, 'd' },
		{ "agents", required_argument, NULL, 'a' },
		{ "socket-dir", required_argument, NULL, 's' },
		{ "pricing", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "files", required_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "keep-audit", required_argument, NULL, 'A' },
		{ "keep-audit-rows", required_argument, NULL, 'R' },
		{ "keep-events", required_argument, NULL, 'E' },
		{ "keep-replies", required_argument, NULL, 'Q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct engine_config cfg = { 0 };
	struct engine_retention keep = ENGINE_RETENTION_DEFAULT;
	struct engine *e = NULL;
	const char *socket_override = NULL;
	char socket_dir[256], config_path[4096];
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': cfg.data_dir = optarg; break;
		case 'a': cfg.agents_dir = optarg; break;
		case 's': socket_override = optarg; break;
		case 'p': cfg.pricing_path = optarg; break;
		case 'c': cfg.config_path = optarg; break;
		case 'f': cfg.files_dir = optarg; break;
		case 'l':
			if (log_parse_level(optarg, &log_threshold) != 0) {
				fprintf(stderr, "agentd: --log-level: \"%s\" is not one "
				    "of error, warn, info, debug\n", optarg);
				return 2;
			}
			break;
		case 'F': break;
		case 'A': case 'R': case 'E': case 'Q':
			if (parse_keep(c, optarg, &keep) != 0)
				return 2;
			break;
		case 'V': printf("agentd %s\n", AGENTD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || cfg.data_dir == NULL || cfg.agents_dir == NULL) {
		fprintf(stderr, "agentd: %s\n", optind < argc ?
		    "unexpected argument" : "--data-dir and --agents are required");
		usage(stderr);
		return 2;
	}
	if (ipc_socket_dir(socket_override, socket_dir, sizeof(socket_dir)) != 0) {
		fprintf(stderr, "agentd: socket directory path is too long\n");
		return 2;
	}
	cfg.socket_dir = socket_dir;
	cfg.retention = &keep;
	if (cfg.config_path == NULL) {
		snprintf(config_path, sizeof(config_path), "%s/agentd.conf",
		    cfg.data_dir);
		cfg.config_path = config_path;
		cfg.config_optional = true;
	}
	cfg.envp = environ;
	cfg.wipe_env_keys = true;
	raise_open_files();
	/* before any library starts a thread: SIGTERM and SIGINT must only
	 * ever be read from the engine's signalfd, which engine_create opens
	 * first (a signal sent before waits in it) */
	{
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "agentd: curl_global_init failed\n");
		return 1;
	}
	if ((r = engine_create(&cfg, &e)) != 0) {
		if (r == -EINTR)
			log_info("stopped during start-up, as asked");
		else
			log_error("not started: %s (the error above says more)",
			    strerror(-r));
		curl_global_cleanup();
		return r == -EINTR ? 0 : 1;
	}
	if (engine_recover(e) != 0)
		log_error("recovery: the database could not be written");
	log_info("listening in %s (pid %d)", socket_dir, (int)getpid());
	r = engine_run(e);
	if (engine_shutdown(e) != 0)
		r = -EIO;	/* exit 1: the last batch was lost */
	/* everything is committed: closing the sockets must not hold the
	 * stop for ever (nng can wait on a connection that never ends) */
	signal(SIGALRM, stop_overdue);
	alarm(STOP_GRACE_S);
	engine_destroy(e);
	ipc_shutdown();
	curl_global_cleanup();
	return r == 0 ? 0 : 1;
}
