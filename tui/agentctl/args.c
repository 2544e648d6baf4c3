/* agentctl: the command line (see args.h). Pure: no I/O. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "format.h"

enum global {
	G_SOCKET_DIR,
	G_TIMEOUT,
	G_JSON,
	G_HELP,
	G_VERSION,
};

static const struct opt_def globals[] = {
	[G_SOCKET_DIR] = { "socket-dir", "DIR", "agentd's socket directory" },
	[G_TIMEOUT] = { "timeout", "MS", "wait at most MS for each reply" },
	[G_JSON] = { "json", NULL, "print JSON (for jq) instead of text" },
	[G_HELP] = { "help", NULL, "show help" },
	[G_VERSION] = { "version", NULL, "show agentctl's version" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry *
args_find(const struct cmd_entry *table, const char *name)
{
	for (const struct cmd_entry *c = table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0 ||
		    (c->alias != NULL && strcmp(c->alias, name) == 0))
			return c;
	return NULL;
}

/* Index of the option @name (@len bytes) in @defs, or -1. */
static int
find_opt(const struct opt_def *defs, const char *name, size_t len)
{
	for (int i = 0; defs != NULL && defs[i].name != NULL; i++)
		if (strncmp(defs[i].name, name, len) == 0 &&
		    defs[i].name[len] == '\0')
			return i;
	return -1;
}

static int
set_global(struct args *a, int which, const char *value, char *err,
    size_t errlen)
{
	char why[128];
	int64_t ms;

	switch (which) {
	case G_SOCKET_DIR:
		if (value[0] == '\0') {
			snprintf(err, errlen, "--socket-dir needs a directory");
			return -EINVAL;
		}
		a->socket_dir = value;
		break;
	case G_TIMEOUT:
		if (format_parse_int(value, 1, 3600000, &ms, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "--timeout: %s (milliseconds)", why);
			return -EINVAL;
		}
		a->timeout_ms = (int)ms;
		break;
	case G_JSON:
		a->json = true;
		break;
	case G_HELP:
		a->help = true;
		break;
	case G_VERSION:
		a->version = true;
		break;
	}
	return 0;
}

int
args_parse(int argc, char *const argv[], const struct cmd_entry *table,
    struct args *out, char *err, size_t errlen)
{
	struct args a = { .timeout_ms = ARGS_TIMEOUT_MS };
	bool options = true;
	char usage[512];

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *value;
		const struct opt_def *def;
		size_t len;
		int k, r;

		if (options && strcmp(arg, "--") == 0) {
			options = false;
			continue;
		}
		if (options && strcmp(arg, "-h") == 0) {
			a.help = true;
			continue;
		}
		if (options && arg[0] == '-' && arg[1] != '\0') {
			if (arg[1] != '-') {
				snprintf(err, errlen, "unknown option %s (options are "
				    "spelt --name; see agentctl help)", arg);
				return -EINVAL;
			}
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq != NULL ? (size_t)(eq - name) : strlen(name);
			def = NULL;
			if (a.cmd != NULL && (k = find_opt(a.cmd->opts, name, len)) >= 0)
				def = &a.cmd->opts[k];
			else if ((k = find_opt(globals, name, len)) >= 0)
				def = &globals[k];
			if (def == NULL) {
				if (a.cmd != NULL)
					snprintf(err, errlen, "%s: unknown option --%.*s "
					    "(see agentctl help %s)", a.cmd->name,
					    (int)len, name, a.cmd->name);
				else
					snprintf(err, errlen, "unknown option --%.*s "
					    "(a command's options go after the command; "
					    "see agentctl help)", (int)len, name);
				return -EINVAL;
			}
			if (def->arg == NULL && eq != NULL) {
				snprintf(err, errlen, "option --%s takes no value", def->name);
				return -EINVAL;
			}
			value = "";
			if (def->arg != NULL && eq != NULL) {
				value = eq + 1;
			} else if (def->arg != NULL) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "option --%s needs a value (%s)",
					    def->name, def->arg);
					return -EINVAL;
				}
				value = argv[++i];
			}
			if (def >= globals && def < globals + sizeof(globals) /
			    sizeof(globals[0])) {
				if ((r = set_global(&a, k, value, err, errlen)) != 0)
					return r;
			} else {
				a.val[k] = value;
			}
			continue;
		}
		if (a.cmd == NULL) {
			if ((a.cmd = args_find(table, arg)) == NULL) {
				snprintf(err, errlen, "unknown command \"%s\" (see "
				    "agentctl help)", arg);
				return -EINVAL;
			}
			continue;
		}
		if (a.npos >= a.cmd->max_args || a.npos >= ARGS_MAX_POS) {
			snprintf(err, errlen, "%s: unexpected argument \"%s\"; %s",
			    a.cmd->name, arg, args_usage(a.cmd, usage, sizeof(usage)));
			return -EINVAL;
		}
		a.pos[a.npos++] = arg;
	}
	if (a.cmd != NULL && !a.help && !a.version && a.npos < a.cmd->min_args) {
		snprintf(err, errlen, "%s: missing argument%s; %s", a.cmd->name,
		    a.cmd->min_args - a.npos > 1 ? "s" : "",
		    args_usage(a.cmd, usage, sizeof(usage)));
		return -EINVAL;
	}
	*out = a;
	return 0;
}

const char *
args_get(const struct args *a, const char *name)
{
	int k;

	if (a->cmd == NULL || (k = find_opt(a->cmd->opts, name,
	    strlen(name))) < 0)
		return NULL;
	return a->val[k];
}

char *
args_usage(const struct cmd_entry *cmd, char *out, size_t outlen)
{
	snprintf(out, outlen, "usage: agentctl %s%s%s", cmd->name,
	    cmd->usage[0] != '\0' ? " " : "", cmd->usage);
	return out;
}

static void
help_opts(struct sbuf *b, const struct opt_def *defs)
{
	char left[64];

	for (const struct opt_def *d = defs; d != NULL && d->name != NULL; d++) {
		snprintf(left, sizeof(left), "--%s%s%s", d->name, d->arg ? " " : "",
		    d->arg ? d->arg : "");
		sbuf_printf(b, "  %-24s %s\n", left, d->help);
	}
}

char *
args_help(const struct cmd_entry *table, const struct cmd_entry *cmd)
{
	struct sbuf b;
	char usage[512], left[64];

	sbuf_init(&b);
	if (cmd != NULL) {
		sbuf_printf(&b, "%s\n\n%c%s.\n", args_usage(cmd, usage,
		    sizeof(usage)), toupper((unsigned char)cmd->help[0]),
		    cmd->help + 1);
		if (cmd->alias != NULL)
			sbuf_printf(&b, "Also called \"%s\".\n", cmd->alias);
		if (cmd->opts != NULL && cmd->opts[0].name != NULL) {
			sbuf_puts(&b, "\noptions:\n");
			help_opts(&b, cmd->opts);
		}
		sbuf_puts(&b, "\nglobal options (before or after the command):\n");
		help_opts(&b, globals);
		return sbuf_steal(&b);
	}
	sbuf_puts(&b, "usage: agentctl [--socket-dir DIR] [--timeout MS] [--json] "
	    "COMMAND [ARG...]\n\nThe scriptable client of agentd.\n\ncommands:\n");
	for (const struct cmd_entry *c = table; c->name != NULL; c++) {
		snprintf(left, sizeof(left), "%s%s%s", c->name, c->alias ? ", " : "",
		    c->alias ? c->alias : "");
		sbuf_printf(&b, "  %-14s %s\n", left, c->help);
	}
	sbuf_puts(&b, "\nglobal options:\n");
	help_opts(&b, globals);
	sbuf_puts(&b, "\nThe socket directory is --socket-dir, else $AGENTD_SOCKET_DIR, "
	    "else\n$XDG_RUNTIME_DIR/agentd, else /tmp/agentd-$UID.\n"
	    "Exit status: 0 done, 1 agentd refused the request, 2 usage error,\n"
	    "3 agentd cannot be reached.\n"
	    "\"agentctl help COMMAND\" shows a command's arguments and options.\n");
	return sbuf_steal(&b);
}
