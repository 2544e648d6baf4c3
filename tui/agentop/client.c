#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client.h"
#include "model.h"

#define QUEUE_MAX	64	/* requests waiting behind the one in flight */
#define REPLY_TIMEOUT_MS 3000	/* no answer: agentd is lost */
#define RETRY_MS	1000	/* how often a lost agentd is tried again */
#define HEARTBEAT_MS	2000	/* health request while live */
#define SEND_RETRY_MS	20	/* first hello while the dial completes */
#define DETAIL_MIN_MS	300	/* detail refetch at most this often */
#define EVENTS_PAGE	2000	/* events per catch-up request */
#define RECENT_RUNS	500	/* recent runs (ended too) loaded after a snapshot */
#define CONNECT_GRACE_MS 1000	/* "connecting", not yet "not reachable" */
#define MIN_T(a, b)	((a) < (b) ? (a) : (b))

enum purpose {
	P_HELLO, P_SNAPSHOT, P_LIVE, P_RECENT, P_CATCHUP, P_HEALTH, P_DETAIL,
	P_HISTORY, P_ACTION,
};

struct request {
	enum ipc_type type;
	json_t *body;			/* owned */
	enum purpose purpose;
	char label[96];			/* for notices */
	unsigned gen;			/* P_HISTORY: the search it is a page of */
};

struct client {
	char dir[256];
	struct model *m;		/* borrowed */
	struct ipc_client *req;
	struct ipc_sub *sub;
	struct request queue[QUEUE_MAX];
	size_t q_head, q_len;
	struct request cur;		/* in flight when busy */
	bool busy;
	int64_t sent_at;
	bool catching_up;		/* a P_CATCHUP is queued or in flight */
	bool frozen;
	int64_t next_hello, next_health, next_detail;
	bool detail_wanted;
	struct notice notice;
	int64_t started_at;		/* wall ms of client_create */
	char last_error[160];
	struct pager live;		/* the snapshot's live runs, after its first page */
	bool live_due;			/* their next page, once caught up */
	struct pager recent;		/* runs.list: the RECENT_RUNS newest */
	struct pager history;		/* history.search: the current search */
};

int64_t
client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
say(struct client *c, enum notice_level level, int64_t now, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->notice.text, sizeof(c->notice.text), fmt, ap);
	va_end(ap);
	c->notice.level = level;
	c->notice.at = now;
	c->m->dirty |= MODEL_DIRTY_STATUS;
}

static void
enqueue(struct client *c, enum ipc_type type, json_t *body,
    enum purpose purpose, const char *label)
{
	struct request *r;

	if (c->q_len == QUEUE_MAX) {
		json_decref(body);
		return;
	}
	r = &c->queue[(c->q_head + c->q_len++) % QUEUE_MAX];
	*r = (struct request){ type, body, purpose, "", 0 };
	snprintf(r->label, sizeof(r->label), "%s", label ? label : "");
	if (purpose == P_HISTORY)
		r->gen = c->history.gen;
}

static bool
queued(const struct client *c, enum purpose purpose)
{
	for (size_t i = 0; i < c->q_len; i++)
		if (c->queue[(c->q_head + i) % QUEUE_MAX].purpose == purpose)
			return true;
	return c->busy && c->cur.purpose == purpose;
}

static void
drop_queue(struct client *c, bool keep_actions)
{
	size_t n = c->q_len, kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct request r = c->queue[(c->q_head + i) % QUEUE_MAX];
		if (keep_actions && r.purpose == P_ACTION)
			c->queue[(c->q_head + kept++) % QUEUE_MAX] = r;
		else
			json_decref(r.body);
	}
	c->q_len = kept;
}

struct client *
client_create(const char *dir, struct model *model)
{
	struct client *c = calloc(1, sizeof(*c));
	struct ipc_error_detail d = { "" };

	if (c == NULL)
		abort();
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	c->m = model;
	c->started_at = client_now_ms();
	model_set_conn(model, CONN_CONNECTING, c->started_at);
	if (ipc_client_open_lazy(dir, &c->req, &d) != 0 ||
	    ipc_sub_open_lazy(dir, NULL, 0, &c->sub, &d) != 0) {
		snprintf(c->last_error, sizeof(c->last_error), "%s", d.text);
		model->unreachable = true;	/* no need to wait: say why */
	}
	return c;
}

void
client_destroy(struct client *c)
{
	if (c == NULL)
		return;
	drop_queue(c, false);
	if (c->busy)
		json_decref(c->cur.body);
	ipc_client_destroy(c->req);
	ipc_sub_destroy(c->sub);
	pager_finish(&c->live);
	pager_finish(&c->recent);
	pager_finish(&c->history);
	free(c);
}

int
client_pollfds(struct client *c, struct pollfd *fds)
{
	int n = 0;

	if (c->req != NULL)
		fds[n++] = (struct pollfd){ .fd = ipc_client_recv_fd(c->req),
		    .events = POLLIN };
	if (c->sub != NULL)
		fds[n++] = (struct pollfd){ .fd = ipc_sub_fd(c->sub),
		    .events = POLLIN };
	return n;
}

/* agentd answered something: if it had been lost, start over (snapshot). */
static void
alive(struct client *c, int64_t now)
{
	if (c->m->conn == CONN_LOST || c->m->conn == CONN_CONNECTING) {
		if (c->m->conn == CONN_LOST)
			say(c, NOTICE_OK, now, "agentd is back: catching up");
		model_set_conn(c->m, CONN_SYNCING, now);
		drop_queue(c, true);
		c->catching_up = false;
		c->live_due = false;
		enqueue(c, IPC_T_SNAPSHOT, NULL, P_SNAPSHOT, NULL);
		pager_start(&c->recent, json_pack("{s:i}", "limit", RECENT_RUNS),
		    RECENT_RUNS);
		enqueue(c, IPC_T_RUNS_LIST, pager_request(&c->recent), P_RECENT,
		    NULL);
	}
}

static void
lost(struct client *c, int64_t now, const char *why)
{
	if (c->m->conn == CONN_LIVE || c->m->conn == CONN_SYNCING) {
		model_set_conn(c->m, CONN_LOST, now);
		if (c->notice.at != now)
			say(c, NOTICE_ERROR, now, "lost agentd (%s): what you see may "
			    "be stale; retrying", why);
	}
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	c->next_hello = now + RETRY_MS;
}

static void
catch_up(struct client *c)
{
	if (c->catching_up || c->frozen)
		return;
	c->catching_up = true;
	enqueue(c, IPC_T_RUNS_EVENTS, json_pack("{s:I, s:i}", "since",
	    (json_int_t)c->m->seq, "limit", EVENTS_PAGE), P_CATCHUP, NULL);
}

static void
apply_events(struct client *c, const json_t *events)
{
	struct ipc_error_detail d;
	struct ipc_event ev;
	json_t *obj;
	size_t i;

	json_array_foreach(events, i, obj) {
		if (ipc_event_from_json(obj, &ev, &d) == 0) {
			model_apply_event(c->m, &ev);
			ipc_event_finish(&ev);
		}
	}
}

/* The live runs' next page: due once the events since the snapshot are
 * applied, so that a page (newer than them) is not charged twice. */
static void
next_live_page(struct client *c)
{
	if (!c->live_due || c->catching_up)
		return;
	c->live_due = false;
	enqueue(c, IPC_T_RUNS_LIST, pager_request(&c->live), P_LIVE, NULL);
}

static void
handle_reply(struct client *c, struct request *r, struct ipc_msg *reply,
    int64_t now)
{
	const char *err = reply->message ? reply->message : "error";
	const json_t *runs = json_object_get(reply->body, "runs");

	alive(c, now);
	if (r->purpose == P_HISTORY && r->gen != c->history.gen)
		return;		/* a page of a search since replaced */
	if (!reply->ok && r->purpose != P_ACTION) {
		say(c, NOTICE_ERROR, now, "%s: %s", ipc_type_name(r->type), err);
		if (r->purpose == P_CATCHUP)
			c->catching_up = false;
		if (r->purpose == P_LIVE)	/* keep what was shown */
			model_snapshot_done(c->m, false);
		return;
	}
	switch (r->purpose) {
	case P_HELLO:
		snprintf(c->m->role, sizeof(c->m->role), "%s", str_or(json_string_value(
		    json_object_get(reply->body, "role")), "viewer"));
		snprintf(c->m->version, sizeof(c->m->version), "%s",
		    str_or(json_string_value(json_object_get(reply->body, "version")), ""));
		c->m->dirty |= MODEL_DIRTY_STATUS;
		break;
	case P_SNAPSHOT:
		model_apply_snapshot(c->m, reply->body);
		model_set_conn(c->m, CONN_LIVE, now);
		pager_start(&c->live, json_pack("{s:b}", "live", 1), 0);
		c->live_due = pager_reply(&c->live, reply->body, "runs_next",
		    json_array_size(runs));
		catch_up(c);
		break;
	case P_LIVE:
		model_merge_live(c->m, runs);
		c->live_due = pager_reply(&c->live, reply->body, "next",
		    json_array_size(runs));
		if (c->live_due)
			next_live_page(c);
		else
			model_snapshot_done(c->m, true);
		break;
	case P_RECENT:
		model_merge_runs(c->m, runs);
		if (pager_reply(&c->recent, reply->body, "next", json_array_size(runs)))
			enqueue(c, IPC_T_RUNS_LIST, pager_request(&c->recent),
			    P_RECENT, NULL);
		break;
	case P_HISTORY:
		model_set_history(c->m, json_incref((json_t *)runs),
		    c->history.got > 0);
		pager_reply(&c->history, reply->body, "next", json_array_size(runs));
		c->m->history_more = c->history.next != NULL;
		break;
	case P_CATCHUP:
		c->catching_up = false;
		apply_events(c, json_object_get(reply->body, "events"));
		if (json_is_true(json_object_get(reply->body, "more")))
			catch_up(c);
		else
			next_live_page(c);
		break;
	case P_HEALTH:
		model_set_health(c->m, reply->body);
		break;
	case P_DETAIL:
		model_set_detail(c->m, json_string_value(json_object_get(
		    reply->body, "id")), json_incref(reply->body));
		break;
	case P_ACTION:
		if (reply->ok)
			say(c, NOTICE_OK, now, "%s: done", r->label);
		else
			say(c, NOTICE_ERROR, now, "%s: %s: %s", r->label,
			    ipc_error_name(reply->error), err);
		break;
	}
}

static void
send_next(struct client *c, int64_t now)
{
	struct ipc_error_detail d = { "" };
	int64_t id;
	int r;

	while (!c->busy && c->q_len > 0 && c->req != NULL) {
		c->cur = c->queue[c->q_head];
		c->q_head = (c->q_head + 1) % QUEUE_MAX;
		c->q_len--;
		if ((r = ipc_client_send(c->req, c->cur.type, c->cur.body, &id,
		    &d)) == -IPC_E_AGAIN && c->m->conn == CONN_CONNECTING &&
		    c->cur.purpose == P_HELLO) {
			/* the background dial is not through yet: try again soon,
			 * not after a whole retry period */
			snprintf(c->last_error, sizeof(c->last_error), "%s", d.text);
			json_decref(c->cur.body);
			c->next_hello = now + SEND_RETRY_MS;
			continue;
		}
		if (r != 0) {
			if (c->cur.purpose == P_ACTION)
				say(c, NOTICE_ERROR, now, "%s: not sent: %s", c->cur.label,
				    d.text);
			json_decref(c->cur.body);
			lost(c, now, d.text);
			continue;
		}
		c->busy = true;
		c->sent_at = now;
	}
}

static void
read_replies(struct client *c, int64_t now)
{
	struct ipc_error_detail d = { "" };
	struct ipc_msg reply;
	int r;

	if (!c->busy)
		return;
	if ((r = ipc_client_try_recv(c->req, &reply, &d)) == -IPC_E_AGAIN) {
		if (now - c->sent_at > REPLY_TIMEOUT_MS) {
			if (c->cur.purpose == P_ACTION)
				say(c, NOTICE_ERROR, now, "%s: no answer from agentd",
				    c->cur.label);
			if (c->cur.purpose == P_CATCHUP)
				c->catching_up = false;
			json_decref(c->cur.body);
			c->busy = false;
			lost(c, now, "no answer in time");
		}
		return;
	}
	c->busy = false;
	if (r == 0)
		handle_reply(c, &c->cur, &reply, now);
	else
		say(c, NOTICE_ERROR, now, "unreadable reply: %s", d.text);
	ipc_msg_finish(&reply);
	json_decref(c->cur.body);
}

static void
read_events(struct client *c, int64_t now)
{
	struct ipc_error_detail d = { "" };
	struct ipc_event ev;
	int budget = 5000;	/* per tick, so input stays responsive */

	while (c->sub != NULL && budget-- > 0 &&
	    ipc_sub_recv(c->sub, 0, &ev, &d) == 0) {
		if (!c->frozen && c->m->conn == CONN_LIVE && !c->catching_up &&
		    model_apply_event(c->m, &ev) < 0)
			catch_up(c);	/* a gap: fetch what is missing */
		if (ev.type == IPC_EV_DAEMON_START && c->m->conn == CONN_LIVE) {
			/* a restarted daemon: reread everything */
			model_set_conn(c->m, CONN_LOST, now);
			alive(c, now);
		}
		ipc_event_finish(&ev);
	}
}

void
client_tick(struct client *c, int64_t now)
{
	if (c->m->conn == CONN_CONNECTING && !c->m->unreachable &&
	    now - c->started_at >= CONNECT_GRACE_MS) {
		/* the first attempt had its chance: now it is news */
		c->m->unreachable = true;
		c->m->dirty |= MODEL_DIRTY_STATUS;
	}
	if (c->req == NULL || c->sub == NULL) {
		if (now >= c->next_hello) {
			struct ipc_error_detail d = { "" };
			if (c->req == NULL && ipc_client_open_lazy(c->dir, &c->req, &d) != 0)
				snprintf(c->last_error, sizeof(c->last_error), "%s", d.text);
			if (c->sub == NULL && ipc_sub_open_lazy(c->dir, NULL, 0, &c->sub,
			    &d) != 0)
				snprintf(c->last_error, sizeof(c->last_error), "%s", d.text);
			c->next_hello = now + RETRY_MS;
		}
		if (c->req == NULL)
			return;
	}
	read_replies(c, now);
	read_events(c, now);
	if (c->m->conn == CONN_CONNECTING || c->m->conn == CONN_LOST) {
		if (!c->busy && !queued(c, P_HELLO) && now >= c->next_hello) {
			enqueue(c, IPC_T_HELLO, NULL, P_HELLO, NULL);
			c->next_hello = now + RETRY_MS;
		}
	} else if (now >= c->next_health && !queued(c, P_HEALTH)) {
		enqueue(c, IPC_T_HEALTH, NULL, P_HEALTH, NULL);
		c->next_health = now + HEARTBEAT_MS;
	}
	if (c->m->conn == CONN_LIVE && c->detail_wanted && c->m->detail_stale &&
	    now >= c->next_detail && !queued(c, P_DETAIL)) {
		enqueue(c, IPC_T_RUNS_GET, json_pack("{s:s}", "run",
		    c->m->detail_run), P_DETAIL, NULL);
		c->m->detail_stale = false;
		c->next_detail = now + DETAIL_MIN_MS;
	}
	send_next(c, now);
	model_tick_rate(c->m, now);
}

int
client_timeout_ms(struct client *c, int64_t now)
{
	int64_t t = 250;

	if (c->m->conn == CONN_CONNECTING || c->m->conn == CONN_LOST)
		t = MIN_T(t, c->next_hello - now);
	if (c->m->conn == CONN_CONNECTING && !c->m->unreachable)
		t = MIN_T(t, c->started_at + CONNECT_GRACE_MS - now);
	if (c->busy)
		t = MIN_T(t, c->sent_at + REPLY_TIMEOUT_MS - now);
	if (c->detail_wanted && c->m->detail_stale)
		t = MIN_T(t, c->next_detail - now);
	return (int)(t < 0 ? 0 : t);
}

void
client_action(struct client *c, enum ipc_type type, json_t *body,
    const char *label)
{
	if (c->m->conn != CONN_LIVE) {
		/* an action is meant for what the operator sees now: never
		 * keep it to send minutes later */
		say(c, NOTICE_ERROR, client_now_ms(), "%s: not sent: agentd is "
		    "not connected", label);
		json_decref(body);
		return;
	}
	enqueue(c, type, body, P_ACTION, label);
}

void
client_watch_run(struct client *c, const char *run)
{
	c->detail_wanted = run != NULL;
	if (run == NULL)
		return;
	snprintf(c->m->detail_run, sizeof(c->m->detail_run), "%s", run);
	json_decref(c->m->detail);
	c->m->detail = NULL;
	c->m->detail_stale = true;
	c->m->dirty |= MODEL_DIRTY_DETAIL;
	c->next_detail = 0;
}

void
client_history(struct client *c, json_t *query)
{
	pager_start(&c->history, query, 0);
	c->m->history_more = false;
	enqueue(c, IPC_T_HISTORY_SEARCH, pager_request(&c->history), P_HISTORY,
	    NULL);
}

bool
client_history_more(struct client *c)
{
	if (c->history.next == NULL || queued(c, P_HISTORY))
		return false;
	enqueue(c, IPC_T_HISTORY_SEARCH, pager_request(&c->history), P_HISTORY,
	    NULL);
	return true;
}

void
client_freeze(struct client *c, bool frozen)
{
	c->frozen = frozen;
	if (!frozen && c->m->conn == CONN_LIVE)
		catch_up(c);	/* what happened meanwhile, from the daemon */
}

bool
client_frozen(const struct client *c)
{
	return c->frozen;
}

const struct notice *
client_notice(const struct client *c)
{
	return &c->notice;
}

const char *
client_dir(const struct client *c)
{
	return c->dir;
}

void
client_status(const struct client *c, int64_t now, char *out, size_t outlen)
{
	switch (c->m->conn) {
	case CONN_CONNECTING:
		if (c->m->unreachable)
			snprintf(out, outlen, "agentd not reachable at %s (%s); "
			    "retrying", c->dir, c->last_error[0] ? c->last_error :
			    "no answer yet");
		else
			snprintf(out, outlen, "connecting to agentd at %s", c->dir);
		break;
	case CONN_SYNCING:
		snprintf(out, outlen, "syncing");
		break;
	case CONN_LIVE:
		snprintf(out, outlen, "live");
		break;
	case CONN_LOST:
		snprintf(out, outlen, "DISCONNECTED %llds ago: data may be stale; "
		    "retrying", (long long)((now - c->m->conn_since) / 1000));
		break;
	}
}
