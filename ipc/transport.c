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

struct ipc_server {
	nng_socket rep;		/* control requests */
	nng_socket pub;		/* events */
	bool rep_open, pub_open;
	int ctl_fd;		/* readable when a request may be waiting */
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
listen_0600(nng_socket s, const char *addr, struct ipc_error_detail *detail)
{
	nng_listener l;
	int rv;

	if ((rv = nng_listener_create(&l, s, addr)) != 0 ||
	    (rv = nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0600)) != 0 ||
	    (rv = nng_listener_start(l, 0)) != 0) {
		say(detail, "cannot listen on %s: %s%s", addr, nng_strerror(rv),
		    rv == NNG_EADDRINUSE ? " (is another agentd running there?)" : "");
		return -IPC_E_TRANSPORT;
	}
	return 0;
}

int
ipc_server_open(const char *dir, struct ipc_server **out,
    struct ipc_error_detail *detail)
{
	struct ipc_server *srv;
	char addr[300];
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
	nng_socket_set_size(srv->rep, NNG_OPT_RECVMAXSZ, IPC_MAX_MSG);
	nng_socket_set_ms(srv->rep, NNG_OPT_SENDTIMEO, REPLY_SEND_MS);
	if ((r = make_addr(addr, sizeof(addr), dir, IPC_CTL_NAME)) < 0 ||
	    (r = listen_0600(srv->rep, addr, detail)) < 0)
		goto fail;
	if ((r = make_addr(addr, sizeof(addr), dir, IPC_EVENTS_NAME)) < 0 ||
	    (r = listen_0600(srv->pub, addr, detail)) < 0)
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
	if (srv->rep_open)
		nng_close(srv->rep);
	if (srv->pub_open)
		nng_close(srv->pub);
	free(srv);
}

int
ipc_server_ctl_fd(struct ipc_server *srv)
{
	return srv->ctl_fd;
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

int
ipc_server_reply(struct ipc_server *srv, const char *buf, size_t len)
{
	/* a reply waits at most REPLY_SEND_MS for the peer's pipe: a busy
	 * pipe must not lose the answer, a dead one must not stall agentd */
	int rv = nng_send(srv->rep, (void *)buf, len, 0);

	return rv == 0 ? 0 : -IPC_E_TRANSPORT;
}

int
ipc_server_publish(struct ipc_server *srv, const char *buf, size_t len)
{
	int rv = nng_send(srv->pub, (void *)buf, len, NNG_FLAG_NONBLOCK);

	return rv == 0 || rv == NNG_EAGAIN ? 0 : -IPC_E_TRANSPORT;
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
