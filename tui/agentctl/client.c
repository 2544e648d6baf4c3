/* agentctl: the connection to agentd, replies and output (see agentctl.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agentctl.h"
#include "format.h"
#include "page.h"
#include "utf8.h"

volatile sig_atomic_t ctl_stop;

static void
on_stop(int sig)
{
	/* the first asks the command to stop; a second one insists */
	if (ctl_stop)
		_exit(128 + sig);
	ctl_stop = 1;
}

void
ctl_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* no SA_RESTART: a wait is interrupted and looks at ctl_stop */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
ctl_init(struct ctl *c, const struct args *a)
{
	*c = (struct ctl){ .args = a };
}

void
ctl_finish(struct ctl *c)
{
	if (c == NULL)
		return;
	ipc_client_destroy(c->client);
	c->client = NULL;
}

/* @fmt with its arguments as one line, control characters escaped (new). */
static char *
escaped_line(const char *fmt, va_list ap)
{
	struct sbuf text;
	char *line;

	sbuf_init(&text);
	sbuf_vprintf(&text, fmt, ap);
	line = format_escaped(sbuf_str(&text), FORMAT_ESC_LINE);
	sbuf_finish(&text);
	return line;
}

int
ctl_fail(struct ctl *c, int code, const char *fmt, ...)
{
	va_list ap;
	char *line;
	size_t n;

	va_start(ap, fmt);
	line = escaped_line(fmt, ap);
	va_end(ap);
	/* cut on a character boundary if it is too long */
	n = utf8_prefix(line, strlen(line), sizeof(c->err) - 1);
	memcpy(c->err, line, n);
	c->err[n] = '\0';
	free(line);
	return code;
}

void
ctl_warn(const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = escaped_line(fmt, ap);
	va_end(ap);
	fprintf(stderr, "agentctl: %s\n", line);
	free(line);
}

int64_t
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Says where agentd was looked for unless the transport already did. */
static int
unreachable(struct ctl *c, const char *detail)
{
	if (strstr(detail, "--socket-dir") != NULL)
		return ctl_fail(c, CTL_EXIT_UNREACHABLE, "%s", detail);
	return ctl_fail(c, CTL_EXIT_UNREACHABLE, "%s (is agentd running with "
	    "sockets in %s? see --socket-dir)", detail, c->dir);
}

static int
connect_once(struct ctl *c)
{
	struct ipc_error_detail detail = { "" };

	if (c->client != NULL)
		return 0;
	if (ipc_client_open(c->dir, &c->client, &detail) != 0)
		return unreachable(c, detail.text);
	return 0;
}

int
ctl_call_timeout(struct ctl *c, enum ipc_type type, json_t *body,
    int timeout_ms, json_t **reply)
{
	struct ipc_error_detail detail = { "" };
	struct ipc_msg msg = { 0 };
	int r;

	if ((r = connect_once(c)) != 0)
		goto out;
	r = ipc_client_call(c->client, type, body, timeout_ms, &msg, &detail);
	if (r == -IPC_E_TIMEOUT) {
		r = ctl_fail(c, CTL_EXIT_UNREACHABLE, "%s: agentd did not answer "
		    "%s within %d ms (is agentd running with sockets in %s? see "
		    "--socket-dir, --timeout)", detail.text, ipc_type_name(type),
		    timeout_ms, c->dir);
		goto out;
	}
	if (r == -IPC_E_TRANSPORT) {
		r = unreachable(c, detail.text);
		goto out;
	}
	if (r < 0) {
		r = ctl_fail(c, CTL_EXIT_REFUSED, "bad reply from agentd to %s: "
		    "%s: %s", ipc_type_name(type), ipc_error_name(r), detail.text);
		goto out;
	}
	if (!msg.ok) {
		r = ctl_fail(c, CTL_EXIT_REFUSED, "%s: %s", ipc_error_name(msg.error),
		    msg.message != NULL && msg.message[0] != '\0' ? msg.message :
		    ipc_error_text(msg.error));
		goto out;
	}
	*reply = msg.body != NULL ? msg.body : json_object();
	msg.body = NULL;	/* moved into *reply */
	r = 0;
out:
	ipc_msg_finish(&msg);
	json_decref(body);
	return r;
}

int
ctl_call(struct ctl *c, enum ipc_type type, json_t *body, json_t **reply)
{
	return ctl_call_timeout(c, type, body, c->args->timeout_ms, reply);
}

struct list_call {
	struct ctl *c;
	enum ipc_type type;
};

static int
call_page(void *arg, json_t *body, json_t **reply)
{
	struct list_call *lc = arg;

	return ctl_call(lc->c, lc->type, body, reply);
}

int
ctl_call_list(struct ctl *c, enum ipc_type type, const char *key,
    json_t *body, size_t want, json_t **reply)
{
	struct page_query q = { ipc_type_name(type), key, want };
	struct list_call lc = { c, type };
	char err[256];
	int r;

	r = page_collect(&q, body, call_page, &lc, reply, err, sizeof(err));
	json_decref(body);
	if (r < 0)
		return ctl_fail(c, CTL_EXIT_REFUSED, "%s", err);
	return r;
}

static const char *
type_name(json_type type)
{
	switch (type) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:	return "a boolean";
	default:		return "null";
	}
}

json_t *
ctl_member(struct ctl *c, const char *op, json_t *obj, const char *key,
    json_type type)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_typeof(v) != type) {
		ctl_fail(c, CTL_EXIT_REFUSED, "unexpected reply from agentd to %s: "
		    "\"%s\" is missing or not %s", op, key, type_name(type));
		return NULL;
	}
	return v;
}

/* Looks at stdout after a write: a reader that went away (agentctl … |
 * head) is not an error, anything else is. */
static int
check_output(struct ctl *c, int err)
{
	if (!ferror(stdout))
		return CTL_EXIT_OK;
	if (err == EPIPE) {
		c->out_closed = true;
		return CTL_EXIT_OK;
	}
	return ctl_fail(c, CTL_EXIT_REFUSED, "cannot write the output: %s",
	    strerror(err != 0 ? err : EIO));
}

int
ctl_flush(struct ctl *c)
{
	if (c->out_closed)
		return CTL_EXIT_OK;
	errno = 0;
	fflush(stdout);
	return check_output(c, errno);
}

/* Writes @text as it is. */
static int
put(struct ctl *c, const char *text)
{
	if (c->out_closed)
		return CTL_EXIT_OK;
	errno = 0;
	fputs(text, stdout);
	return check_output(c, errno);
}

int
ctl_print(struct ctl *c, const char *text)
{
	char *esc = format_escaped(text, FORMAT_ESC_TEXT);
	int r = put(c, esc);

	free(esc);
	return r;
}

int
ctl_print_json(struct ctl *c, const json_t *v, size_t flags)
{
	char *s = json_dumps(v, flags | JSON_ENCODE_ANY), *esc = NULL;
	int r;

	if (s == NULL)
		return ctl_fail(c, CTL_EXIT_REFUSED, "cannot encode the reply as JSON");
	/* --json: the text exactly; else (events lines) the same JSON values
	 * with nothing a terminal acts on */
	if (c->args == NULL || !c->args->json)
		esc = format_escaped(s, FORMAT_ESC_JSON);
	r = put(c, esc != NULL ? esc : s);
	if (r == CTL_EXIT_OK)
		r = put(c, "\n");
	free(esc);
	free(s);
	return r;
}
