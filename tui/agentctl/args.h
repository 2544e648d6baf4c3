/*
 * agentctl: the command table and the command line. Parsing is pure (no
 * I/O): it fills struct args from argv or says in @err what was wrong.
 *
 *	agentctl [--socket-dir DIR] [--timeout MS] [--json] COMMAND [ARG…]
 *
 * Global options may come before or after the command; a command's own
 * options come after it. "--opt=value" and "--opt value" both work; "--"
 * ends the options.
 */
#ifndef AGENTCTL_ARGS_H
#define AGENTCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define ARGS_MAX_POS	4	/* positional arguments of any command */
#define ARGS_MAX_OPTS	8	/* options of any command */
#define ARGS_TIMEOUT_MS	10000	/* default --timeout */

struct ctl;
struct args;

/* An option of a command. */
struct opt_def {
	const char *name;	/* without "--"; NULL ends a list */
	const char *arg;	/* placeholder of its value ("S"); NULL: a flag */
	const char *help;	/* one line */
};

/* One command, as in tmux's cmd_entry. */
struct cmd_entry {
	const char *name;
	const char *alias;	/* another name, or NULL */
	const char *usage;	/* arguments and options: "AGENT TASK [--dry-run]" */
	int min_args;		/* positional arguments */
	int max_args;
	const struct opt_def *opts;	/* NULL or a list ended by { NULL } */
	int (*exec)(struct ctl *, const struct args *);
	const char *help;	/* one line */
};

/* The command line, parsed. Strings are borrowed from argv. */
struct args {
	const char *socket_dir;	/* --socket-dir, or NULL */
	int timeout_ms;		/* --timeout, or ARGS_TIMEOUT_MS */
	bool json;		/* --json */
	bool help;		/* --help / -h */
	bool version;		/* --version */
	const struct cmd_entry *cmd;	/* NULL when none was given */
	const char *pos[ARGS_MAX_POS];	/* positional arguments */
	int npos;
	const char *val[ARGS_MAX_OPTS];	/* per cmd->opts: value, "" for a set
					 * flag, NULL when absent */
};

/* The commands, ended by { NULL } (commands.c). */
extern const struct cmd_entry agentctl_commands[];

/* The entry named (or aliased) @name in @table, or NULL. */
const struct cmd_entry *args_find(const struct cmd_entry *table,
    const char *name);
/*
 * Parses argv[1..argc-1] against @table. Returns 0, or -EINVAL with @err
 * (one line, without "agentctl: ") on a usage error. With --help or
 * --version the argument counts are not checked.
 */
int args_parse(int argc, char *const argv[], const struct cmd_entry *table,
    struct args *out, char *err, size_t errlen);
/* The value of option @name of the parsed command: NULL when absent, ""
 * for a set flag. */
const char *args_get(const struct args *a, const char *name);
/* Writes the one-line "usage: agentctl NAME USAGE" of @cmd into @out;
 * returns @out. */
char *args_usage(const struct cmd_entry *cmd, char *out, size_t outlen);
/* The help text of @cmd (usage, what it does, its options), or of the whole
 * program and every command of @table when @cmd is NULL. A new string
 * (free()). */
char *args_help(const struct cmd_entry *table, const struct cmd_entry *cmd);

#endif
