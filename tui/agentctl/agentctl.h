/*
 * agentctl: what the commands share — the connection to agentd, replies,
 * output and the one error line.
 *
 * A command handler returns an exit status (CTL_EXIT_*). On failure it
 * leaves one line in ctl->err, which main() prints as "agentctl: <err>".
 */
#ifndef AGENTCTL_H
#define AGENTCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "args.h"
#include "ipc.h"

#define CTL_EXIT_OK		0
#define CTL_EXIT_REFUSED	1	/* agentd answered with an error */
#define CTL_EXIT_USAGE		2	/* the command line is wrong */
#define CTL_EXIT_UNREACHABLE	3	/* agentd cannot be reached */

/* JSON output: indented objects; events are one compact object per line. */
#define CTL_JSON_FLAGS	(JSON_INDENT(2) | JSON_REAL_PRECISION(12))
#define CTL_JSON_LINE	(JSON_COMPACT | JSON_REAL_PRECISION(12))

struct ctl {
	const struct args *args;	/* the command line (borrowed) */
	char dir[256];			/* the socket directory */
	struct ipc_client *client;	/* opened on first use */
	bool out_closed;		/* stdout is gone (EPIPE): stop quietly */
	char err[1024];			/* the failure, one line */
};

/* Set by SIGINT / SIGTERM once ctl_catch_stop() was called: long-running
 * commands look at it and return; a second signal exits at once. */
extern volatile sig_atomic_t ctl_stop;
void ctl_catch_stop(void);

void ctl_init(struct ctl *c, const struct args *a);
void ctl_finish(struct ctl *c);		/* accepts a zeroed ctl */

/* Records the failure message as one line (control characters, newlines
 * too, escaped: format_escape()) and returns @code. */
int ctl_fail(struct ctl *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A notice on stderr, "agentctl: " and one line escaped as by ctl_fail(). */
void ctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Sends one request and waits for its reply (--timeout). Steals @body
 * (NULL: no body). On success *reply is the reply body (new reference) and
 * 0 is returned; else an exit status with ctl->err set: the daemon's error
 * as "<code>: <message>", or where agentd could not be reached.
 */
int ctl_call(struct ctl *c, enum ipc_type type, json_t *body, json_t **reply);
/* Same, waiting at most @timeout_ms. */
int ctl_call_timeout(struct ctl *c, enum ipc_type type, json_t *body,
    int timeout_ms, json_t **reply);

/*
 * A list op (runs.list, history.search, escalations.list, agents.list)
 * read to its end or to @want items (0: all), following the pages
 * (page.h). Steals @body. On success *reply is the first page's body with
 * the items of every page under @key (new reference) and 0 is returned;
 * else an exit status with ctl->err set, as ctl_call().
 */
int ctl_call_list(struct ctl *c, enum ipc_type type, const char *key,
    json_t *body, size_t want, json_t **reply);

/* Member @key of the reply @obj to @op, which must be of @type
 * (JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_INTEGER); NULL with ctl->err
 * set when it is not. Borrowed from @obj. */
json_t *ctl_member(struct ctl *c, const char *op, json_t *obj, const char *key,
    json_type type);

/*
 * Output on stdout. They return 0, or an exit status when stdout failed
 * (with ctl->out_closed set if the reader went away). ctl_print() is for
 * text: control characters but newline and tab are escaped (format.h).
 * ctl_print_json() prints @v and a newline: with --json exactly as jansson
 * encodes it, else with DEL and C1 controls as \u escapes (the same JSON).
 */
int ctl_print(struct ctl *c, const char *text);
int ctl_print_json(struct ctl *c, const json_t *v, size_t flags);
int ctl_flush(struct ctl *c);

/* Wall clock, ms since the epoch. */
int64_t ctl_now_ms(void);

/* Command handlers (commands.c, events.c). */
int ctl_cmd_events(struct ctl *c, const struct args *a);

#endif
