/*
 * libagentipc: the agentd protocol (see docs/protocol.md).
 *
 * Control: nng REQ/REP carrying one JSON object per message,
 *	request  {"v":1,"type":"runs.list","id":7,"body":{...}}
 *	reply    {"v":1,"type":"runs.list","id":7,"ok":true,"body":{...}}
 *	         {"v":1,"type":"runs.list","id":7,"ok":false,
 *	          "error":{"code":"not_found","message":"..."}}
 * Events: nng PUB/SUB, each message "<type> <json>" where the JSON object has
 *	at least v, seq, ts (ms since the epoch), type and run (or null).
 *
 * This is the only header other folders include. It names no nng or jansson
 * type except the opaque struct json_t, whose references follow jansson's
 * rules (documented per function).
 */
#ifndef AGENTD_IPC_H
#define AGENTD_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;

#define IPC_VERSION		1
#define IPC_MAX_MSG		(4u << 20)	/* largest message either side accepts */
/* agentd reads a request up to this size to answer one over IPC_MAX_MSG
 * with too_big; nng closes a connection that sends a larger one after its
 * 8-byte length, without reading it (and without telling agentd) */
#define IPC_MAX_REQUEST_READ	(2 * IPC_MAX_MSG)
/* A subscriber connection that takes no event while more are published
 * than agentd queues for it (8192: it has lost events), or for
 * IPC_SUB_STALL_MS while at least IPC_SUB_STALL_EVENTS are published (a
 * stopped process, a client that never reads) is closed by agentd: the
 * events queued for it cost agentd memory and time. It redials when it
 * reads again and sees a gap in seq. */
#define IPC_SUB_STALL_MS	500
#define IPC_SUB_STALL_EVENTS	256
#define IPC_CTL_NAME		"ctl.sock"
#define IPC_EVENTS_NAME		"events.sock"

enum ipc_type {
	IPC_T_NONE = 0,
#define IPC_OP(id, name, mut) IPC_T_##id,
#include "ipc_msgs.def"
#undef IPC_OP
	IPC_T__COUNT
};

enum ipc_event_type {
	IPC_EV_NONE = 0,
#define IPC_EVENT(id, name) IPC_EV_##id,
#include "ipc_msgs.def"
#undef IPC_EVENT
	IPC_EV__COUNT
};

/* Error codes; functions return them negated. The wire carries the name. */
#define IPC_ERRORS(X) \
	X(OK,           "ok",           "no error") \
	X(PARSE,        "parse",        "message is not valid JSON") \
	X(SCHEMA,       "schema",       "message does not have the expected shape") \
	X(VERSION,      "version",      "unsupported protocol version") \
	X(UNKNOWN_OP,   "unknown_op",   "unknown request type") \
	X(BAD_REQUEST,  "bad_request",  "invalid request arguments") \
	X(NOT_FOUND,    "not_found",    "no such object") \
	X(CONFLICT,     "conflict",     "not possible in the current state") \
	X(KILLSWITCH,   "killswitch",   "the global kill switch is engaged") \
	X(FORBIDDEN,    "forbidden",    "not allowed for this operator") \
	X(STORAGE,      "storage",      "the database could not be written") \
	X(INTERNAL,     "internal",     "internal error") \
	X(TRANSPORT,    "transport",    "socket error") \
	X(TIMEOUT,      "timeout",      "no answer in time") \
	X(AGAIN,        "again",        "nothing to receive now") \
	X(TOO_BIG,      "too_big",      "message too large")

enum ipc_error {
#define X(id, name, text) IPC_E_##id,
	IPC_ERRORS(X)
#undef X
	IPC_E__COUNT
};

/* Names and lookups. Returned strings are static. Unknown → NULL / 0. */
const char *ipc_type_name(enum ipc_type type);
enum ipc_type ipc_type_from_name(const char *name);
bool ipc_type_mutating(enum ipc_type type);
const char *ipc_event_name(enum ipc_event_type type);
enum ipc_event_type ipc_event_from_name(const char *name);
const char *ipc_error_name(int code);		/* accepts negated codes */
const char *ipc_error_text(int code);
int ipc_error_from_name(const char *name);	/* positive code or IPC_E_INTERNAL */
/* A run state after which the run never changes again: done, failed,
 * killed. NULL-safe (false). */
bool ipc_run_state_ended(const char *state);

/* A decoded control message (request or reply). */
struct ipc_msg {
	enum ipc_type type;		/* request type, echoed in the reply */
	int64_t id;			/* request id chosen by the client */
	bool is_reply;			/* decoded by ipc_decode_reply */
	bool ok;			/* reply: success */
	int error;			/* reply: positive IPC_E_* when !ok */
	char *message;			/* reply: error message when !ok (owned) */
	struct json_t *body;		/* owned reference or NULL */
};

/* Human-readable detail of a decode failure: what was wrong and where. */
struct ipc_error_detail {
	char text[256];
};

/* Releases what @msg owns; accepts a zeroed msg. */
void ipc_msg_finish(struct ipc_msg *msg);

/*
 * Decode a request. Borrows @buf. On success *out holds a new body reference.
 * On failure returns a negative IPC_E_* code; if @detail is set it says why,
 * and out->type / out->id are filled where they could be read so the error
 * reply can echo them.
 */
int ipc_decode_request(const void *buf, size_t len, struct ipc_msg *out,
    struct ipc_error_detail *detail);
int ipc_decode_reply(const void *buf, size_t len, struct ipc_msg *out,
    struct ipc_error_detail *detail);

/* Encoders return a new NUL-terminated string (free()), *len without NUL.
 * Bodies are borrowed. */
char *ipc_encode_request(enum ipc_type type, int64_t id,
    const struct json_t *body, size_t *len);
char *ipc_encode_reply_ok(enum ipc_type type, int64_t id,
    const struct json_t *body, size_t *len);
char *ipc_encode_reply_error(enum ipc_type type, int64_t id, int code,
    const char *message, size_t *len);

/* An event as received from the event socket. */
struct ipc_event {
	int64_t seq;			/* daemon-wide, strictly increasing */
	int64_t ts;			/* ms since the epoch */
	enum ipc_event_type type;	/* IPC_EV_NONE for types this build does not know */
	char type_name[48];		/* wire type, always set */
	char run[32];			/* run id or "" */
	struct json_t *body;		/* the whole event object (owned) */
	bool ephemeral;			/* live only, never stored (llm.delta): its
					 * seq is that of the last stored event
					 * before it, so it is not a gap */
};

void ipc_event_finish(struct ipc_event *ev);
/* Encodes "<type> <json>" from an event object holding "type". Borrows @event. */
char *ipc_encode_event(const struct json_t *event, size_t *len);
/* Decodes a published message or a bare event object (as in runs.events). */
int ipc_decode_event(const void *buf, size_t len, struct ipc_event *out,
    struct ipc_error_detail *detail);
/* Same, from a JSON object; borrows @obj (takes its own reference). */
int ipc_event_from_json(struct json_t *obj, struct ipc_event *out,
    struct ipc_error_detail *detail);

/*
 * Socket directory: @override if non-NULL and non-empty, else
 * $AGENTD_SOCKET_DIR, else $XDG_RUNTIME_DIR/agentd, else /tmp/agentd-<uid>.
 * Writes into @out; returns 0 or -IPC_E_TOO_BIG.
 */
int ipc_socket_dir(const char *override, char *out, size_t outlen);

/* ---- transport (transport.c) ---------------------------------------- */

struct ipc_server;
struct ipc_client;
struct ipc_sub;

/* Stops nng's threads at the end of a program (after every socket is
 * closed). */
void ipc_shutdown(void);

/* Server side: a REP socket and a PUB socket in @dir (created 0700;
 * sockets 0600). Logs nothing; returns -IPC_E_TRANSPORT with @detail. */
int ipc_server_open(const char *dir, struct ipc_server **out,
    struct ipc_error_detail *detail);
void ipc_server_destroy(struct ipc_server *srv);
/* A descriptor that polls readable while a request may be waiting. */
int ipc_server_ctl_fd(struct ipc_server *srv);
/* Non-blocking. On success *buf is new (free()), *uid the peer's uid
 * (UINT32_MAX if unknown). -IPC_E_AGAIN when nothing is waiting.
 * -IPC_E_TOO_BIG: a request over IPC_MAX_MSG arrived; it was answered with
 * a too_big error and dropped, neither copied nor parsed, and
 * ipc_server_refused() says what it was (for the log).
 * Every request received with 0 must be answered with ipc_server_reply
 * before the next receive. */
int ipc_server_recv(struct ipc_server *srv, char **buf, size_t *len,
    uint32_t *uid);
int ipc_server_reply(struct ipc_server *srv, const char *buf, size_t len);

/* A request ipc_server_recv refused for its size. */
struct ipc_refused {
	size_t len;			/* its size in bytes */
	uint32_t uid;			/* the peer's uid (UINT32_MAX if unknown) */
	enum ipc_type type;		/* read from its top level, else IPC_T_NONE */
	int64_t id;			/* same, else 0 (the reply echoes both) */
	bool answered;			/* the too_big reply was handed over */
};
/* The last request refused with -IPC_E_TOO_BIG. */
void ipc_server_refused(const struct ipc_server *srv, struct ipc_refused *out);

/* Non-blocking publish; a slow subscriber loses messages, never slows us.
 * A subscriber that stalls (IPC_SUB_STALL_MS) is disconnected; see
 * ipc_server_next_cut. */
int ipc_server_publish(struct ipc_server *srv, const char *buf, size_t len);

/* Checks, a probe at a time, that both sockets still accept connections
 * (nng 1.5.2 stops accepting after a client hangs up during its
 * handshake, nng #1518) and listens afresh on one that does not: call it
 * every IPC_WATCH_MS. Returns 1 with what happened in @what (for the log),
 * else 0. */
#define IPC_WATCH_MS		1000
#define IPC_PROBE_WAIT_MS	2000	/* a probe not connected by then failed */
int ipc_server_watch(struct ipc_server *srv, char *what, size_t len);

/* A subscriber ipc_server_publish disconnected because it took no event. */
struct ipc_sub_cut {
	uint32_t uid;			/* the peer's uid (UINT32_MAX if unknown) */
	int32_t pid;			/* the peer's pid (0 if unknown) */
	int64_t stalled_ms;		/* since it last took an event */
	uint64_t behind;		/* events published meanwhile */
	uint64_t unreported;		/* cuts before it that were not kept
					 * (more than 16 waiting) */
};
/* The next subscriber cut off, oldest first: 0 with *out, or -IPC_E_AGAIN
 * when there is none. */
int ipc_server_next_cut(struct ipc_server *srv, struct ipc_sub_cut *out);

/* Client side. */
int ipc_client_open(const char *dir, struct ipc_client **out,
    struct ipc_error_detail *detail);
void ipc_client_destroy(struct ipc_client *cl);
/*
 * One request/reply round trip, waiting at most @timeout_ms. Borrows @body.
 * Returns 0 when a well-formed reply arrived (check reply->ok), else a
 * negative IPC_E_* (TIMEOUT, TRANSPORT, PARSE…) with @detail. A request
 * over IPC_MAX_MSG is not sent: *reply is the too_big error agentd gives.
 */
int ipc_client_call(struct ipc_client *cl, enum ipc_type type,
    const struct json_t *body, int timeout_ms, struct ipc_msg *reply,
    struct ipc_error_detail *detail);

/*
 * The same client for a program that must never wait on agentd (agentop):
 * the dial happens in the background and is retried while agentd is
 * absent; one request is in flight at a time; a new send abandons it.
 */
int ipc_client_open_lazy(const char *dir, struct ipc_client **out,
    struct ipc_error_detail *detail);
/* Readable when the reply to the request in flight may have arrived. */
int ipc_client_recv_fd(struct ipc_client *cl);
/* Sends without waiting. Borrows @body. *id is the request's id.
 * -IPC_E_TOO_BIG (not sent) for a request over IPC_MAX_MSG. */
int ipc_client_send(struct ipc_client *cl, enum ipc_type type,
    const struct json_t *body, int64_t *id, struct ipc_error_detail *detail);
/* The reply to the request in flight, or -IPC_E_AGAIN. */
int ipc_client_try_recv(struct ipc_client *cl, struct ipc_msg *reply,
    struct ipc_error_detail *detail);

/* Subscribe to events whose type starts with one of @prefixes (NULL or
 * empty: everything). */
int ipc_sub_open(const char *dir, const char *const *prefixes, size_t n,
    struct ipc_sub **out, struct ipc_error_detail *detail);
/* The same, dialling in the background (agentd may be absent). */
int ipc_sub_open_lazy(const char *dir, const char *const *prefixes, size_t n,
    struct ipc_sub **out, struct ipc_error_detail *detail);
void ipc_sub_destroy(struct ipc_sub *sub);
int ipc_sub_fd(struct ipc_sub *sub);
/* Waits up to @timeout_ms (0: poll, -1: forever). -IPC_E_AGAIN on timeout. */
int ipc_sub_recv(struct ipc_sub *sub, int timeout_ms, struct ipc_event *out,
    struct ipc_error_detail *detail);

#endif
