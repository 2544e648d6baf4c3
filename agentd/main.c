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
	    "  --foreground       stay attached (agentd never daemonizes itself;\n"
	    "                     accepted for service managers)\n"
	    "  --version, --help\n");
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
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct engine_config cfg = { 0 };
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
	engine_shutdown(e);
	engine_destroy(e);
	ipc_shutdown();
	curl_global_cleanup();
	return r == 0 ? 0 : 1;
}
