/* Control requests: one handler per op (a table), audit of mutating ops,
 * and the idempotency cache (a resent request gets its first reply). */
#ifndef AGENTD_CTL_H
#define AGENTD_CTL_H

#include <stddef.h>
#include <stdint.h>

struct engine;
struct ctl_cache;

struct ctl_cache *ctl_cache_create(void);
void ctl_cache_destroy(struct ctl_cache *cache);

/* Checks every second that the sockets still accept connections, and
 * listens afresh on one that does not (ipc_server_watch). */
void ctl_watch_sockets(struct engine *e);

/* The loop's callback for the control socket's fd: drains every waiting
 * request (non-blocking) and answers each. */
void ctl_on_readable(int fd, unsigned events, void *arg);

/* Handles one request; returns a new reply string (free()). Used by the
 * socket path and by tests. */
char *ctl_handle(struct engine *e, const char *buf, size_t len, uint32_t uid,
    size_t *reply_len);

#endif
