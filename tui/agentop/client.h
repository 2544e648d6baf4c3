/*
 * agentop's side of the protocol: never blocks. One control request in
 * flight at a time (a queue behind it), the event subscription, a
 * heartbeat that notices a lost daemon, and resync (snapshot, then events
 * since the last seq) after a gap, a reconnect or a freeze. Everything it
 * learns goes into the model; answers to operator actions become notices.
 */
#ifndef AGENTOP_CLIENT_H
#define AGENTOP_CLIENT_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc.h"

struct json_t;
struct model;
struct client;

enum notice_level { NOTICE_INFO, NOTICE_OK, NOTICE_ERROR };

struct notice {
	char text[256];
	enum notice_level level;
	int64_t at;			/* wall ms; 0: none */
};

/* The wall clock, ms since the epoch: the one agentop reads. What is
 * drawn takes it as "now" from the caller (ui_draw), so a screen can be
 * drawn at a fixed time. */
int64_t client_now_ms(void);

/* Creates the client for the sockets in @dir; agentd may be absent.
 * Borrows @model for its lifetime. */
struct client *client_create(const char *dir, struct model *model);
void client_destroy(struct client *c);

/* Descriptors to poll (at most 2); returns how many. */
int client_pollfds(struct client *c, struct pollfd *fds);
/* Does what is due: reads replies and events, timeouts, heartbeat,
 * resync. Never waits. */
void client_tick(struct client *c, int64_t now);
/* How long the caller may sleep before the next client_tick is due. */
int client_timeout_ms(struct client *c, int64_t now);

/* An operator action or a query; @label names it in the notice
 * ("pause r-…"). Steals @body. */
void client_action(struct client *c, enum ipc_type type, struct json_t *body,
    const char *label);
/* The detail view's run: fetched now and again as its events arrive. */
void client_watch_run(struct client *c, const char *run);
/* A history search (steals @query); its first page goes to the model's
 * history list. */
void client_history(struct client *c, struct json_t *query);
/* Asks for the search's next page (appended to the list) if agentd has
 * one and it is not asked for already; true if asked. */
bool client_history_more(struct client *c);

/* Stops applying events (the screen holds still); unfreezing catches up
 * from the daemon, so nothing is lost. */
void client_freeze(struct client *c, bool frozen);
bool client_frozen(const struct client *c);

const struct notice *client_notice(const struct client *c);
const char *client_dir(const struct client *c);
/* Status text for the header, e.g. "live", "lost agentd 12s ago". */
void client_status(const struct client *c, int64_t now, char *out,
    size_t outlen);

#endif
