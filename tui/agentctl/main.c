/*
 * agentctl: the scriptable client of agentd. See agentctl(1).
 *
 *	agentctl [--socket-dir DIR] [--timeout MS] [--json] COMMAND [ARG…]
 *
 * Exit status: 0 done, 1 agentd refused the request, 2 usage error,
 * 3 agentd cannot be reached. A failure prints exactly one line on stderr.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentctl.h"
#include "config.h"

int
main(int argc, char *argv[])
{
	struct args a;
	struct ctl c;
	char err[1024];
	int r;

	/* the terminal's character set: columns of CJK and emoji (utf8.h) */
	setlocale(LC_CTYPE, "");
	ctl_init(&c, NULL);
	if (args_parse(argc, argv, agentctl_commands, &a, err, sizeof(err)) != 0) {
		ctl_warn("%s", err);	/* it may quote any argument */
		return CTL_EXIT_USAGE;
	}
	ctl_init(&c, &a);
	/* a reader that goes away (… | head) shows as EPIPE on write; SIGINT
	 * keeps its default but for commands that catch it (ctl_catch_stop) */
	signal(SIGPIPE, SIG_IGN);
	if (a.version) {
		printf("agentctl %s (protocol %d)\n", AGENTD_VERSION, IPC_VERSION);
		r = ctl_flush(&c);
		goto out;
	}
	if (a.help || (a.cmd != NULL && a.cmd->exec == NULL)) {
		char *text = args_help(agentctl_commands, a.cmd);
		r = ctl_print(&c, text);
		free(text);
		goto out;
	}
	if (a.cmd == NULL) {
		r = ctl_fail(&c, CTL_EXIT_USAGE, "no command given (agentctl help "
		    "lists them)");
		goto out;
	}
	if (ipc_socket_dir(a.socket_dir, c.dir, sizeof(c.dir)) != 0) {
		r = ctl_fail(&c, CTL_EXIT_USAGE, "the socket directory path is too "
		    "long (at most %zu bytes)", sizeof(c.dir) - 1);
		goto out;
	}
	r = a.cmd->exec(&c, &a);
	if (r == 0)
		r = ctl_flush(&c);
out:
	if (r != 0)
		fprintf(stderr, "agentctl: %s\n", c.err[0] != '\0' ? c.err :
		    "failed");
	ctl_finish(&c);
	ipc_shutdown();
	return r;
}
