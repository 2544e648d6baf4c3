/* nng sockets for both sides of the protocol. The only file that knows nng. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>

#include "ipc.h"

#define PUB_QUEUE	8192	/* messages queued per subscriber before drops */
#define REQ_RESEND_MS	1000	/* REQ resends an unanswered request */
#define REPLY_SEND_MS	200	/* longest agentd waits to hand over a reply */
#define STALL_CHECK_MS	100	/* subscribers' progress is read this often */
#define CUTS_KEPT	16	/* cut-off subscribers waiting to be reported */

/* A subscriber's connection (an nng pipe of the PUB socket), watched for
 * progress: nng's "tx_msgs" statistic of the pipe counts the events the
 * kernel took for it. */
struct watched {
	uint32_t id;		/* nng pipe id */
	uint64_t tx;		/* tx_msgs when last read */
	uint64_t published;	/* ipc_server's count when tx last moved */
	int64_t moved_ms;	/* monotonic ms when tx last moved */
	bool seen;		/* in the latest statistics */
};

/*
 * One of the server's listening addresses, and the probe that checks it
 * still accepts: nng 1.5.2 stops accepting on a listener whose peer hangs
 * up during the SP handshake (nng #1518, fixed in 1.6.0), and then also
 * spins on the dead connection. Any client that gives up early (a
 * `nc -U` health check, a dial while agentd was stopped) would leave
 * agentd deaf for good. A probe dials it now and then; a probe that does
 * not connect gets the address listened on afresh.
 */
struct listening {
	nng_socket sock;	/* the server's socket */
	nng_listener l;
	bool listening;
	char addr[300];
	const char *what;	/* "control" or "events" */
	nng_socket probe;	/* REQ or SUB dialing addr, while probing */
	bool probing;
	int64_t probe_ms;	/* monotonic ms the probe dialed */
	unsigned added;		/* pipes the server's socket took (atomic,
				 * counted by its pipe callback) */
	unsigned added_before;	/* ... when the probe dialed */
};

struct ipc_server {
	nng_socket rep;		/* control requests */
	nng_socket pub;		/* events */
	bool rep_open, pub_open;
	struct listening ctl, events;
	int64_t watched_ms;	/* last ipc_server_watch */
	int ctl_fd;		/* readable when a request may be waiting */
	struct ipc_refused refused;	/* the last request over IPC_MAX_MSG */

	uint64_t published;	/* events published */
	int64_t checked_ms;	/* last look at the subscribers' progress */
	bool no_stats;		/* nng built without statistics: no looks */
	struct watched *subs;	/* the PUB socket's pipes */
	size_t n_subs, cap_subs;
	struct ipc_sub_cut cuts[CUTS_KEPT];	/* not yet reported */
	size_t n_cuts;
	uint64_t cuts_unreported;	/* cuts dropped while cuts[] was full */
};

struct ipc_client {
	nng_socket req;
	bool open;
	int64_t next_id;	/* request ids: random start, then +1 */
	int64_t in_flight;	/* id of the request sent by ipc_client_send */
	enum ipc_type in_flight_type;
	char addr[300];
};

struct ipc_sub {
	nng_socket sub;
	bool open;
	int fd;
};

static void
say(struct ipc_error_detail *detail, const char *fmt, ...)
{
	va_list ap;

	if (detail == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(detail->text, sizeof(detail->text), fmt, ap);
	va_end(ap);
}

void
ipc_shutdown(void)
{
	nng_fini();
}

int
ipc_socket_dir(const char *override, char *out, size_t outlen)
{
	const char *env;
	int n;

	if (override != NULL && override[0] != '\0')
		n = snprintf(out, outlen, "%s", override);
	else if ((env = getenv("AGENTD_SOCKET_DIR")) != NULL && env[0] != '\0')
		n = snprintf(out, outlen, "%s", env);
	else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0')
		n = snprintf(out, outlen, "%s/agentd", env);
	else
		n = snprintf(out, outlen, "/tmp/agentd-%u", (unsigned)getuid());
	if (n < 0 || (size_t)n >= outlen)
		return -IPC_E_TOO_BIG;
	return 0;
}

static int
make_addr(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "ipc://%s/%s", dir, name);

	return n < 0 || (size_t)n >= outlen ? -IPC_E_TOO_BIG : 0;
}

/* Creates @dir (and missing parents) with mode 0700; refuses a directory
 * that another user owns or that others can write. */
static int
ensure_dir(const char *dir, struct ipc_error_detail *detail)
{
	char path[256];
	struct stat st;
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path)) {
		say(detail, "socket directory path is empty or too long");
		return -IPC_E_TOO_BIG;
	}
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			say(detail, "cannot create %s: %s", path, strerror(errno));
			return -IPC_E_TRANSPORT;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		say(detail, "cannot create socket directory %s: %s", path,
		    strerror(errno));
		return -IPC_E_TRANSPORT;
	}
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		say(detail, "socket directory %s is not a directory", path);
		return -IPC_E_TRANSPORT;
	}
	if (st.st_uid != getuid()) {
		say(detail, "socket directory %s belongs to uid %u, not to us (%u)",
		    path, (unsigned)st.st_uid, (unsigned)getuid());
		return -IPC_E_TRANSPORT;
	}
	if ((st.st_mode & 0077) != 0 && chmod(path, 0700) != 0) {
		say(detail, "cannot chmod 0700 %s: %s", path, strerror(errno));
		return -IPC_E_TRANSPORT;
	}
	return 0;
}

static int
listen_0600(struct listening *ln, struct ipc_error_detail *detail)
{
	int rv;

	if ((rv = nng_listener_create(&ln->l, ln->sock, ln->addr)) != 0 ||
	    (ln->listening = true,
	    rv = nng_listener_set_int(ln->l, NNG_OPT_IPC_PERMISSIONS, 0600)) != 0 ||
	    (rv = nng_listener_start(ln->l, 0)) != 0) {
		say(detail, "cannot listen on %s: %s%s", ln->addr, nng_strerror(rv),
		    rv == NNG_EADDRINUSE ? " (is another agentd running there?)" : "");
		return -IPC_E_TRANSPORT;
	}
	return 0;
}

/* On nng's thread: the server's socket took a connection. The probe's own
 * side cannot tell: its handshake completes even when the listener no
 * longer hands connections over. */
static void
pipe_added(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
	struct listening *ln = arg;

	__atomic_add_fetch(&ln->added, 1, __ATOMIC_RELEASE);
}

int
ipc_server_open(const char *dir, struct ipc_server **out,
    struct ipc_error_detail *detail)
{
	struct ipc_server *srv;
	int rv, r;

	if ((r = ensure_dir(dir, detail)) < 0)
		return r;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		abort();
	srv->ctl_fd = -1;
	r = -IPC_E_TRANSPORT;
	if ((rv = nng_rep0_open(&srv->rep)) != 0 ||
	    (srv->rep_open = true, rv = nng_pub0_open(&srv->pub)) != 0) {
		say(detail, "cannot open sockets: %s", nng_strerror(rv));
		goto fail;
	}
	srv->pub_open = true;
	nng_socket_set_int(srv->pub, NNG_OPT_SENDBUF, PUB_QUEUE);
	/* a request over IPC_MAX_MSG is still read (up to twice that) so
	 * that it gets a too_big answer; nng allocates a message's length
	 * before reading it, so this bounds what a request costs */
	nng_socket_set_size(srv->rep, NNG_OPT_RECVMAXSZ, IPC_MAX_REQUEST_READ);
	nng_socket_set_ms(srv->rep, NNG_OPT_SENDTIMEO, REPLY_SEND_MS);
	srv->ctl = (struct listening){ .sock = srv->rep, .what = "control" };
	srv->events = (struct listening){ .sock = srv->pub, .what = "events" };
	nng_pipe_notify(srv->rep, NNG_PIPE_EV_ADD_POST, pipe_added, &srv->ctl);
	nng_pipe_notify(srv->pub, NNG_PIPE_EV_ADD_POST, pipe_added, &srv->events);
	if ((r = make_addr(srv->ctl.addr, sizeof(srv->ctl.addr), dir,
	    IPC_CTL_NAME)) < 0 || (r = listen_0600(&srv->ctl, detail)) < 0)
		goto fail;
	if ((r = make_addr(srv->events.addr, sizeof(srv->events.addr), dir,
	    IPC_EVENTS_NAME)) < 0 || (r = listen_0600(&srv->events, detail)) < 0)
		goto fail;
	if ((rv = nng_socket_get_int(srv->rep, NNG_OPT_RECVFD, &srv->ctl_fd)) != 0) {
		say(detail, "cannot get the control socket's poll fd: %s",
		    nng_strerror(rv));
		r = -IPC_E_TRANSPORT;
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	ipc_server_destroy(srv);
	return r;
}

void
ipc_server_destroy(struct ipc_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->ctl.probing)
		nng_close(srv->ctl.probe);
	if (srv->events.probing)
		nng_close(srv->events.probe);
	if (srv->rep_open)
		nng_close(srv->rep);
	if (srv->pub_open)
		nng_close(srv->pub);
	free(srv->subs);
	free(srv);
}

static int64_t mono_ms(void);

static void
probe_start(struct listening *ln, int64_t now)
{
	int rv;

	ln->added_before = __atomic_load_n(&ln->added, __ATOMIC_ACQUIRE);
	rv = strcmp(ln->what, "control") == 0 ? nng_req0_open(&ln->probe) :
	    nng_sub0_open(&ln->probe);
	if (rv != 0)
		return;
	nng_socket_set_ms(ln->probe, NNG_OPT_RECONNMINT, 100);
	if (nng_dial(ln->probe, ln->addr, NULL, NNG_FLAG_NONBLOCK) != 0) {
		nng_close(ln->probe);
		return;
	}
	ln->probing = true;
	ln->probe_ms = now;
}

/* 1: the probe did not connect and the address is listened on afresh;
 * 0: nothing to say. */
static int
probe_check(struct listening *ln, int64_t now, char *what, size_t len)
{
	int rv;

	if (!ln->probing) {
		probe_start(ln, now);
		return 0;
	}
	if (__atomic_load_n(&ln->added, __ATOMIC_ACQUIRE) != ln->added_before) {
		nng_close(ln->probe);
		ln->probing = false;
		return 0;
	}
	if (now - ln->probe_ms < IPC_PROBE_WAIT_MS)
		return 0;
	nng_close(ln->probe);
	ln->probing = false;
	/* the established connections go with the old listener: clients
	 * reconnect (libagentipc's do so by themselves) */
	if (ln->listening)
		nng_listener_close(ln->l);
	ln->listening = false;
	unlink(ln->addr + strlen("ipc://"));
	rv = listen_0600(ln, NULL);
	snprintf(what, len, "the %s socket %s stopped accepting connections "
	    "(nng 1.5.2 after a client hung up during its handshake): %s",
	    ln->what, ln->addr + strlen("ipc://"), rv == 0 ?
	    "listening on it afresh" : "listening on it afresh FAILED");
	return 1;
}

int
ipc_server_watch(struct ipc_server *srv, char *what, size_t len)
{
	int64_t now = mono_ms(), since = now - srv->watched_ms;

	srv->watched_ms = now;
	/* a probe only counts if we were not stopped ourselves meanwhile */
	if (since > 2 * IPC_WATCH_MS) {
		if (srv->ctl.probing)
			nng_close(srv->ctl.probe);
		if (srv->events.probing)
			nng_close(srv->events.probe);
		srv->ctl.probing = srv->events.probing = false;
		return 0;
	}
	if (probe_check(&srv->ctl, now, what, len))
		return 1;
	return probe_check(&srv->events, now, what, len);
}

int
ipc_server_ctl_fd(struct ipc_server *srv)
{
	return srv->ctl_fd;
}

/* What a request over IPC_MAX_MSG is told, by agentd or by the client
 * library that does not send it. */
static void
too_big_text(char *out, size_t outlen, size_t len)
{
	snprintf(out, outlen, "the request is %zu bytes, more than the "
	    "protocol's %u", len, IPC_MAX_MSG);
}

/* Skips white space from @p; returns where it stops (at most @end). */
static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Skips the JSON string starting at @p (on its quote): returns the byte
 * after the closing quote, or NULL if it does not end. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			if (++p == end)		/* the escaped byte */
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

/* Skips one JSON value, nested ones by counting brackets; NULL if it does
 * not end. Not a validator: it only has to find where the value ends. */
static const char *
skip_value(const char *p, const char *end)
{
	size_t depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && *p != '{' && *p != '[') {
		/* a scalar, up to what ends it */
		while (p < end && *p != ',' && *p != '}' && *p != ']' &&
		    *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		return p;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			if ((p = skip_string(p, end)) == NULL)
				return NULL;
			p--;		/* on the closing quote */
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

/*
 * The "type" and "id" of a request too large to parse, for the too_big
 * reply to echo: a walk over the top-level object that allocates nothing
 * and skips every other member. Leaves *type / *id alone where they cannot
 * be read.
 */
static void
peek_request(const char *buf, size_t len, enum ipc_type *type, int64_t *id)
{
	const char *p = buf, *end = buf + len, *key, *v;
	bool got_type = false, got_id = false;

	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		return;
	while (!(got_type && got_id)) {
		size_t klen;
		p = skip_ws(p, end);
		if (p == end || *p != '"' || (v = skip_string(p, end)) == NULL)
			return;
		key = p + 1;
		klen = (size_t)(v - key - 1);
		p = skip_ws(v, end);
		if (p == end || *p++ != ':')
			return;
		p = skip_ws(p, end);
		if (klen == 4 && memcmp(key, "type", 4) == 0 && p < end &&
		    *p == '"' && (v = skip_string(p, end)) != NULL) {
			char name[48];
			size_t n = (size_t)(v - p - 2);
			if (n < sizeof(name)) {
				memcpy(name, p + 1, n);
				name[n] = '\0';
				*type = ipc_type_from_name(name);
				got_type = true;
			}
			p = v;
		} else if (klen == 2 && memcmp(key, "id", 2) == 0) {
			int64_t x = 0;
			bool neg = p < end && *p == '-', digits = false;
			for (p += neg; p < end && *p >= '0' && *p <= '9'; p++) {
				if (x > (INT64_MAX - 9) / 10)
					return;
				x = x * 10 + (*p - '0');
				digits = true;
			}
			if (!digits)
				return;
			*id = neg ? -x : x;
			got_id = true;
		} else if ((p = skip_value(p, end)) == NULL) {
			return;
		}
		p = skip_ws(p, end);
		if (p == end || *p++ != ',')
			return;
	}
}

int
ipc_server_recv(struct ipc_server *srv, char **buf, size_t *len, uint32_t *uid)
{
	nng_msg *msg;
	uint64_t peer = UINT32_MAX;
	size_t n;
	char *copy;
	int rv;

	if ((rv = nng_recvmsg(srv->rep, &msg, NNG_FLAG_NONBLOCK)) != 0)
		return rv == NNG_EAGAIN ? -IPC_E_AGAIN : -IPC_E_TRANSPORT;
	if (nng_pipe_get_uint64(nng_msg_get_pipe(msg), NNG_OPT_IPC_PEER_UID,
	    &peer) != 0 || peer > UINT32_MAX)
		peer = UINT32_MAX;
	n = nng_msg_len(msg);
	if (n > IPC_MAX_MSG) {
		/* neither copied nor parsed: what the reply echoes, then away */
		struct ipc_refused *ref = &srv->refused;
		char text[128];
		*ref = (struct ipc_refused){ .len = n, .uid = (uint32_t)peer };
		peek_request(nng_msg_body(msg), n, &ref->type, &ref->id);
		nng_msg_free(msg);
		too_big_text(text, sizeof(text), n);
		if ((copy = ipc_encode_reply_error(ref->type, ref->id,
		    -IPC_E_TOO_BIG, text, &n)) != NULL)
			ref->answered = ipc_server_reply(srv, copy, n) == 0;
		free(copy);
		return -IPC_E_TOO_BIG;
	}
	if ((copy = malloc(n + 1)) == NULL)
		abort();
	memcpy(copy, nng_msg_body(msg), n);
	copy[n] = '\0';
	nng_msg_free(msg);
	*buf = copy;
	*len = n;
	*uid = (uint32_t)peer;
	return 0;
}

void
ipc_server_refused(const struct ipc_server *srv, struct ipc_refused *out)
{
	*out = srv->refused;
}

int
ipc_server_reply(struct ipc_server *srv, const char *buf, size_t len)
{
	/* a reply waits at most REPLY_SEND_MS for the peer's pipe: a busy
	 * pipe must not lose the answer, a dead one must not stall agentd */
	int rv = nng_send(srv->rep, (void *)buf, len, 0);

	return rv == 0 ? 0 : -IPC_E_TRANSPORT;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An NNG_STAT_ID statistic: nng keeps the id as an int beside the 64-bit
 * counter nng_stat_value() reads (zeroed, so the int is the low half on
 * a little-endian machine and the high one on a big-endian one). */
static uint32_t
stat_id(nng_stat *st)
{
	uint64_t v = nng_stat_value(st);

	return (uint32_t)(v > UINT32_MAX ? v >> 32 : v);
}

/* Closes the pipe of a subscriber that took nothing for too long and
 * keeps a record of it for ipc_server_next_cut. */
static void
cut(struct ipc_server *srv, const struct watched *w, int64_t now)
{
	nng_pipe pipe = NNG_PIPE_INITIALIZER;
	uint64_t uid = UINT32_MAX, pid = 0;

	pipe.id = w->id;
	if (nng_pipe_get_uint64(pipe, NNG_OPT_IPC_PEER_UID, &uid) != 0 ||
	    uid > UINT32_MAX)
		uid = UINT32_MAX;
	if (nng_pipe_get_uint64(pipe, NNG_OPT_IPC_PEER_PID, &pid) != 0 ||
	    pid > INT32_MAX)
		pid = 0;
	nng_pipe_close(pipe);	/* frees what was queued for it */
	if (srv->n_cuts == CUTS_KEPT) {
		srv->cuts_unreported++;
		return;
	}
	srv->cuts[srv->n_cuts++] = (struct ipc_sub_cut){
		.uid = (uint32_t)uid, .pid = (int32_t)pid,
		.stalled_ms = now - w->moved_ms,
		.behind = srv->published - w->published,
		.unreported = srv->cuts_unreported };
	srv->cuts_unreported = 0;
}

/* One subscriber's pipe as the statistics show it now. */
static void
watch(struct ipc_server *srv, uint32_t id, uint64_t tx, int64_t now)
{
	struct watched *w = NULL;

	for (size_t i = 0; i < srv->n_subs && w == NULL; i++)
		if (srv->subs[i].id == id)
			w = &srv->subs[i];
	if (w == NULL) {
		if (srv->n_subs == srv->cap_subs) {
			srv->cap_subs = srv->cap_subs ? 2 * srv->cap_subs : 8;
			if ((srv->subs = realloc(srv->subs, srv->cap_subs *
			    sizeof(*srv->subs))) == NULL)
				abort();
		}
		w = &srv->subs[srv->n_subs++];
		*w = (struct watched){ .id = id, .tx = tx,
		    .published = srv->published, .moved_ms = now };
	} else if (w->tx != tx) {
		w->tx = tx;
		w->published = srv->published;
		w->moved_ms = now;
	} else if (srv->published - w->published > PUB_QUEUE ||
	    (srv->published - w->published >= IPC_SUB_STALL_EVENTS &&
	    now - w->moved_ms >= IPC_SUB_STALL_MS)) {
		/* more than its queue holds went by and it took none: it
		 * has lost events already, keeping it only costs us; or it
		 * has taken nothing for a while */
		cut(srv, w, now);
		return;		/* not seen: forgotten below */
	}
	w->seen = true;
}

/*
 * A stopped subscriber costs agentd the events nng queues for it (up to
 * PUB_QUEUE, each a copy on agentd's heap that outlives thousands of
 * allocations after it): measured, +20 % CPU on a busy engine
 * (bench-subscribers). nng 1.5.2 tells nothing of a pipe's queue, but its
 * statistics count each pipe's sent messages: a pipe whose count stands
 * still while events are published is cut off (watch()).
 */
static void
check_subscribers(struct ipc_server *srv, int64_t now)
{
	nng_stat *all, *st, *sock, *id, *tx;
	uint32_t pub = (uint32_t)nng_socket_id(srv->pub);
	size_t kept = 0;

	if (nng_stats_get(&all) != 0) {
		srv->no_stats = true;	/* NNG_ENOTSUP: built without */
		return;
	}
	for (size_t i = 0; i < srv->n_subs; i++)
		srv->subs[i].seen = false;
	/* pipes are top-level scopes, each naming its socket */
	for (st = nng_stat_child(all); st != NULL; st = nng_stat_next(st)) {
		if (nng_stat_type(st) != NNG_STAT_SCOPE ||
		    strcmp(nng_stat_name(st), "pipe") != 0 ||
		    (sock = nng_stat_find(st, "socket")) == NULL ||
		    stat_id(sock) != pub ||
		    (id = nng_stat_find(st, "id")) == NULL ||
		    (tx = nng_stat_find(st, "tx_msgs")) == NULL)
			continue;
		watch(srv, stat_id(id), nng_stat_value(tx), now);
	}
	nng_stats_free(all);
	for (size_t i = 0; i < srv->n_subs; i++)
		if (srv->subs[i].seen)
			srv->subs[kept++] = srv->subs[i];
	srv->n_subs = kept;
}

int
ipc_server_publish(struct ipc_server *srv, const char *buf, size_t len)
{
	int rv = nng_send(srv->pub, (void *)buf, len, NNG_FLAG_NONBLOCK);
	int64_t now;

	srv->published++;
	if (!srv->no_stats &&
	    (now = mono_ms()) - srv->checked_ms >= STALL_CHECK_MS) {
		srv->checked_ms = now;
		check_subscribers(srv, now);
	}
	return rv == 0 || rv == NNG_EAGAIN ? 0 : -IPC_E_TRANSPORT;
}

int
ipc_server_next_cut(struct ipc_server *srv, struct ipc_sub_cut *out)
{
	if (srv->n_cuts == 0)
		return -IPC_E_AGAIN;
	*out = srv->cuts[0];
	memmove(srv->cuts, srv->cuts + 1, --srv->n_cuts * sizeof(*srv->cuts));
	return 0;
}

static int64_t
random_id_base(void)
{
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	    ((uint64_t)getpid() << 32);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	/* 52 bits: exact in JSON numbers read as doubles by other tools */
	return (int64_t)(x & ((1ULL << 52) - 1)) + 1;
}

static int
client_open(const char *dir, int dial_flags, struct ipc_client **out,
    struct ipc_error_detail *detail)
{
	struct ipc_client *cl;
	int rv, r;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		abort();
	cl->next_id = random_id_base();
	if ((r = make_addr(cl->addr, sizeof(cl->addr), dir, IPC_CTL_NAME)) < 0) {
		say(detail, "socket directory path too long");
		goto fail;
	}
	r = -IPC_E_TRANSPORT;
	if ((rv = nng_req0_open(&cl->req)) != 0) {
		say(detail, "cannot open a request socket: %s", nng_strerror(rv));
		goto fail;
	}
	cl->open = true;
	nng_socket_set_size(cl->req, NNG_OPT_RECVMAXSZ, IPC_MAX_MSG);
	/* a request lost with a daemon that went away is sent again soon to
	 * the next one; agentd answers a resent mutating request from its
	 * cache, so this is safe */
	nng_socket_set_ms(cl->req, NNG_OPT_REQ_RESENDTIME, REQ_RESEND_MS);
	nng_socket_set_ms(cl->req, NNG_OPT_RECONNMINT, 100);
	nng_socket_set_ms(cl->req, NNG_OPT_RECONNMAXT, 1000);
	if ((rv = nng_dial(cl->req, cl->addr, NULL, dial_flags)) != 0) {
		say(detail, "cannot reach agentd at %s: %s%s", cl->addr + 6,
		    nng_strerror(rv), rv == NNG_ECONNREFUSED || rv == NNG_ENOENT ?
		    " (is agentd running? see --socket-dir)" : "");
		goto fail;
	}
	*out = cl;
	return 0;
fail:
	ipc_client_destroy(cl);
	return r;
}

int
ipc_client_open(const char *dir, struct ipc_client **out,
    struct ipc_error_detail *detail)
{
	return client_open(dir, 0, out, detail);
}

int
ipc_client_open_lazy(const char *dir, struct ipc_client **out,
    struct ipc_error_detail *detail)
{
	return client_open(dir, NNG_FLAG_NONBLOCK, out, detail);
}

int
ipc_client_recv_fd(struct ipc_client *cl)
{
	int fd = -1;

	nng_socket_get_int(cl->req, NNG_OPT_RECVFD, &fd);
	return fd;
}

int
ipc_client_send(struct ipc_client *cl, enum ipc_type type,
    const struct json_t *body, int64_t *id, struct ipc_error_detail *detail)
{
	char *req;
	size_t len;
	int rv;

	*id = cl->next_id++;
	if ((req = ipc_encode_request(type, *id, body, &len)) == NULL) {
		say(detail, "cannot encode request");
		return -IPC_E_INTERNAL;
	}
	if (len > IPC_MAX_MSG) {
		if (detail != NULL)
			too_big_text(detail->text, sizeof(detail->text), len);
		free(req);
		return -IPC_E_TOO_BIG;
	}
	rv = nng_send(cl->req, req, len, NNG_FLAG_NONBLOCK);
	free(req);
	if (rv != 0) {
		say(detail, rv == NNG_EAGAIN ? "agentd is not reachable" :
		    "cannot send to agentd: %s", nng_strerror(rv));
		return rv == NNG_EAGAIN ? -IPC_E_AGAIN : -IPC_E_TRANSPORT;
	}
	cl->in_flight = *id;
	cl->in_flight_type = type;
	return 0;
}

int
ipc_client_try_recv(struct ipc_client *cl, struct ipc_msg *reply,
    struct ipc_error_detail *detail)
{
	nng_msg *msg;
	int rv, r;

	*reply = (struct ipc_msg){ 0 };
	if ((rv = nng_recvmsg(cl->req, &msg, NNG_FLAG_NONBLOCK)) != 0) {
		if (rv == NNG_EAGAIN || rv == NNG_ESTATE)
			return -IPC_E_AGAIN;
		say(detail, "agentd: %s", nng_strerror(rv));
		return -IPC_E_TRANSPORT;
	}
	r = ipc_decode_reply(nng_msg_body(msg), nng_msg_len(msg), reply, detail);
	nng_msg_free(msg);
	if (r == 0 && (reply->id != cl->in_flight ||
	    reply->type != cl->in_flight_type)) {
		ipc_msg_finish(reply);
		return -IPC_E_AGAIN;	/* a stale answer: not ours any more */
	}
	return r;
}

void
ipc_client_destroy(struct ipc_client *cl)
{
	if (cl == NULL)
		return;
	if (cl->open)
		nng_close(cl->req);
	free(cl);
}

int
ipc_client_call(struct ipc_client *cl, enum ipc_type type,
    const struct json_t *body, int timeout_ms, struct ipc_msg *reply,
    struct ipc_error_detail *detail)
{
	char *req, *buf = NULL;
	size_t len, rlen;
	int64_t id = cl->next_id++;
	int rv, r;

	*reply = (struct ipc_msg){ 0 };
	if ((req = ipc_encode_request(type, id, body, &len)) == NULL) {
		say(detail, "cannot encode request");
		return -IPC_E_INTERNAL;
	}
	if (len > IPC_MAX_MSG) {
		/* agentd would refuse it (or nng drop it): its answer, here */
		char text[128];
		too_big_text(text, sizeof(text), len);
		*reply = (struct ipc_msg){ .type = type, .id = id,
		    .is_reply = true, .error = IPC_E_TOO_BIG,
		    .message = strdup(text) };
		if (reply->message == NULL)
			abort();
		r = 0;
		goto out;
	}
	nng_socket_set_ms(cl->req, NNG_OPT_SENDTIMEO, timeout_ms);
	nng_socket_set_ms(cl->req, NNG_OPT_RECVTIMEO, timeout_ms);
	if ((rv = nng_send(cl->req, req, len, 0)) != 0) {
		say(detail, "cannot send to agentd at %s: %s", cl->addr + 6,
		    nng_strerror(rv));
		r = rv == NNG_ETIMEDOUT ? -IPC_E_TIMEOUT : -IPC_E_TRANSPORT;
		goto out;
	}
	if ((rv = nng_recv(cl->req, &buf, &rlen, NNG_FLAG_ALLOC)) != 0) {
		say(detail, "no reply from agentd at %s: %s", cl->addr + 6,
		    nng_strerror(rv));
		r = rv == NNG_ETIMEDOUT ? -IPC_E_TIMEOUT : -IPC_E_TRANSPORT;
		goto out;
	}
	if ((r = ipc_decode_reply(buf, rlen, reply, detail)) < 0)
		goto out;
	if (reply->id != id || reply->type != type) {
		say(detail, "reply does not match the request (id %lld, expected %lld)",
		    (long long)reply->id, (long long)id);
		ipc_msg_finish(reply);
		r = -IPC_E_SCHEMA;
	}
out:
	if (buf != NULL)
		nng_free(buf, rlen);
	free(req);
	return r;
}

static int
sub_open(const char *dir, const char *const *prefixes, size_t n,
    int dial_flags, struct ipc_sub **out, struct ipc_error_detail *detail)
{
	struct ipc_sub *sub;
	char addr[300];
	int rv, r;

	if ((sub = calloc(1, sizeof(*sub))) == NULL)
		abort();
	if ((r = make_addr(addr, sizeof(addr), dir, IPC_EVENTS_NAME)) < 0) {
		say(detail, "socket directory path too long");
		goto fail;
	}
	r = -IPC_E_TRANSPORT;
	if ((rv = nng_sub0_open(&sub->sub)) != 0) {
		say(detail, "cannot open a subscriber socket: %s", nng_strerror(rv));
		goto fail;
	}
	sub->open = true;
	nng_socket_set_int(sub->sub, NNG_OPT_RECVBUF, 8192);
	nng_socket_set_size(sub->sub, NNG_OPT_RECVMAXSZ, IPC_MAX_MSG);
	if (n == 0)
		rv = nng_socket_set(sub->sub, NNG_OPT_SUB_SUBSCRIBE, "", 0);
	for (size_t i = 0; i < n && rv == 0; i++)
		rv = nng_socket_set(sub->sub, NNG_OPT_SUB_SUBSCRIBE, prefixes[i],
		    strlen(prefixes[i]));
	if (rv != 0) {
		say(detail, "cannot subscribe: %s", nng_strerror(rv));
		goto fail;
	}
	/* a first attempt in the foreground so a missing daemon is reported;
	 * nng keeps redialling in the background after that */
	nng_socket_set_ms(sub->sub, NNG_OPT_RECONNMINT, 100);
	nng_socket_set_ms(sub->sub, NNG_OPT_RECONNMAXT, 1000);
	if ((rv = nng_dial(sub->sub, addr, NULL, dial_flags)) != 0) {
		say(detail, "cannot reach agentd events at %s: %s%s", addr + 6,
		    nng_strerror(rv), rv == NNG_ECONNREFUSED || rv == NNG_ENOENT ?
		    " (is agentd running? see --socket-dir)" : "");
		goto fail;
	}
	if ((rv = nng_socket_get_int(sub->sub, NNG_OPT_RECVFD, &sub->fd)) != 0) {
		say(detail, "cannot get the event socket's poll fd: %s",
		    nng_strerror(rv));
		goto fail;
	}
	*out = sub;
	return 0;
fail:
	ipc_sub_destroy(sub);
	return r;
}

int
ipc_sub_open(const char *dir, const char *const *prefixes, size_t n,
    struct ipc_sub **out, struct ipc_error_detail *detail)
{
	return sub_open(dir, prefixes, n, 0, out, detail);
}

int
ipc_sub_open_lazy(const char *dir, const char *const *prefixes, size_t n,
    struct ipc_sub **out, struct ipc_error_detail *detail)
{
	return sub_open(dir, prefixes, n, NNG_FLAG_NONBLOCK, out, detail);
}

void
ipc_sub_destroy(struct ipc_sub *sub)
{
	if (sub == NULL)
		return;
	if (sub->open)
		nng_close(sub->sub);
	free(sub);
}

int
ipc_sub_fd(struct ipc_sub *sub)
{
	return sub->fd;
}

int
ipc_sub_recv(struct ipc_sub *sub, int timeout_ms, struct ipc_event *out,
    struct ipc_error_detail *detail)
{
	struct pollfd pfd = { .fd = sub->fd, .events = POLLIN };
	nng_msg *msg;
	int rv, r;

	*out = (struct ipc_event){ 0 };
	for (;;) {
		rv = nng_recvmsg(sub->sub, &msg, NNG_FLAG_NONBLOCK);
		if (rv == 0)
			break;
		if (rv != NNG_EAGAIN) {
			say(detail, "event socket: %s", nng_strerror(rv));
			return -IPC_E_TRANSPORT;
		}
		if (timeout_ms == 0)
			return -IPC_E_AGAIN;
		rv = poll(&pfd, 1, timeout_ms);
		if (rv < 0 && errno != EINTR) {
			say(detail, "poll: %s", strerror(errno));
			return -IPC_E_TRANSPORT;
		}
		if (rv == 0)
			return -IPC_E_AGAIN;
	}
	r = ipc_decode_event(nng_msg_body(msg), nng_msg_len(msg), out, detail);
	nng_msg_free(msg);
	return r;
}
