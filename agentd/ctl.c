#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "engine_impl.h"
#include "cap.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "refusals.h"
#include "store.h"
#include "util.h"

#define CACHE_SLOTS	512
#define LIST_DEFAULT	100
#define LIST_MAX	10000

struct cached_reply {
	enum ipc_type type;
	uint32_t uid;
	int64_t id;
	char *reply;
	size_t len;
};

struct ctl_cache {
	struct cached_reply slots[CACHE_SLOTS];
	size_t next;			/* ring position */
	struct refusals refusals;	/* refused requests not recorded in full */
	struct timer refusals_timer;	/* writes their summary */
	struct engine *e;		/* while refusals_timer is armed */
	struct timer watch_timer;	/* the sockets still accept */
	struct loop *watch_loop;	/* while watch_timer is armed */
};

struct ctl_cache *
ctl_cache_create(void)
{
	return xcalloc(1, sizeof(struct ctl_cache));
}

void
ctl_cache_destroy(struct ctl_cache *cache)
{
	if (cache == NULL)
		return;
	if (cache->e != NULL)
		loop_timer_cancel(cache->e->loop, &cache->refusals_timer);
	if (cache->watch_loop != NULL)
		loop_timer_cancel(cache->watch_loop, &cache->watch_timer);
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(cache->slots[i].reply);
	free(cache);
}

static const struct cached_reply *
cache_find(struct ctl_cache *c, enum ipc_type type, uint32_t uid, int64_t id)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cached_reply *s = &c->slots[i];
		if (s->reply != NULL && s->id == id && s->uid == uid && s->type == type)
			return s;
	}
	return NULL;
}

static void
cache_put(struct ctl_cache *c, enum ipc_type type, uint32_t uid, int64_t id,
    const char *reply, size_t len)
{
	struct cached_reply *s = &c->slots[c->next];

	c->next = (c->next + 1) % CACHE_SLOTS;
	free(s->reply);
	*s = (struct cached_reply){ type, uid, id, xstrndup(reply, len), len };
}

/* A request in the hands of its handler. */
struct req {
	struct engine *e;
	json_t *body;			/* borrowed; an object */
	uint32_t uid;
	json_t *reply;			/* the handler's answer (new reference) */
	char err[512];			/* message of an error return */
	char target[48];		/* what a mutating op acted on, for audit */
};

typedef int handler_fn(struct req *r);

/* A failed json_unpack_ex() of the body, in agentd's words and naming the
 * field: body: field "limit" must be an integer, not a string. */
static int
bad_body(struct req *r, const json_error_t *jerr)
{
	/* the fields of request bodies that are not strings (docs/protocol.md) */
	static const struct jsonin_field typed[] = {
		{ "since", 'I' }, { "since_ms", 'I' }, { "until_ms", 'I' },
		{ "limit", 'I' }, { "live", 'b' }, { "dry_run", 'b' },
		{ "budget", 'o' }, { "args", 'o' }, { NULL, 0 },
	};
	char text[400];

	jsonin_explain(r->body, jerr, typed, text, sizeof(text));
	snprintf(r->err, sizeof(r->err), "body: %s", text);
	return -IPC_E_BAD_REQUEST;
}

#define REASON_MAX	2000		/* bytes of an operator's reason */
#define ARGS_MAX	(64 * 1024)	/* edited arguments, encoded */

/* An operator's reason is stored and shown: bounded like everything from
 * outside. */
static int
check_reason(struct req *r, const char *reason)
{
	size_t n = reason != NULL ? strlen(reason) : 0;

	if (n <= REASON_MAX)
		return 0;
	snprintf(r->err, sizeof(r->err), "reason: %zu bytes, more than the %d "
	    "a reason may be", n, REASON_MAX);
	return -IPC_E_BAD_REQUEST;
}

static int
clamp_limit(json_int_t limit)
{
	if (limit <= 0)
		return LIST_DEFAULT;
	return (int)MIN(limit, LIST_MAX);
}

static int
h_hello(struct req *r)
{
	json_t *ops = json_array(), *events = json_array();

	for (int t = 1; t < IPC_T__COUNT; t++)
		json_array_append_new(ops, json_string(ipc_type_name((enum ipc_type)t)));
	for (int t = 1; t < IPC_EV__COUNT; t++)
		json_array_append_new(events,
		    json_string(ipc_event_name((enum ipc_event_type)t)));
	r->reply = json_pack("{s:i, s:s, s:s, s:i, s:o, s:s, s:I, s:b, s:o, s:o}",
	    "protocol", IPC_VERSION, "daemon", "agentd", "version", AGENTD_VERSION,
	    "pid", (int)getpid(),
	    "uid", r->uid == UINT32_MAX ? json_null() : json_integer(r->uid),
	    "role", ctl_role(r->e, r->uid), "seq", (json_int_t)r->e->committed_seq,
	    "killswitch", r->e->killswitch, "ops", ops, "events", events);
	return 0;
}

static int
h_snapshot(struct req *r)
{
	r->reply = engine_snapshot(r->e);
	return 0;
}

static int
h_health(struct req *r)
{
	r->reply = engine_health(r->e);
	return 0;
}

static int
parse_cursor(struct req *r, const char *text, struct store_cursor *out)
{
	char *end;
	long long ms;
	size_t n;

	ms = strtoll(text, &end, 10);
	n = strlen(end);
	if (end == text || *end != '.' || ms < 0 || n < 2 || n > sizeof(out->id) ||
	    strspn(end + 1, "abcdefghijklmnopqrstuvwxyz0123456789-") != n - 1) {
		snprintf(r->err, sizeof(r->err), "cursor: \"%.40s\" is not a "
		    "cursor of this list (copy \"next\" from the previous reply)",
		    text);
		return -IPC_E_BAD_REQUEST;
	}
	out->ms = ms;
	copy_str(out->id, sizeof(out->id), end + 1);
	return 0;
}

/* Whether @item comes after @c in (created_ms, id) order, oldest first. */
static bool
after_cursor(const json_t *item, const struct store_cursor *c)
{
	json_int_t ms = json_integer_value(json_object_get(item, "created_ms"));
	const char *id = json_string_value(json_object_get(item, "id"));

	return ms > c->ms || (ms == c->ms && id != NULL && strcmp(id, c->id) > 0);
}

/* The reply {"<key>": items, "next": cursor or null}; takes p->items. */
static json_t *
page_reply(struct page *p, const char *key)
{
	json_t *next = page_next(p);

	return json_pack("{s:o, s:o}", key, p->items, "next", next);
}

/* A page of store rows, live runs replaced by their in-memory summary
 * (which says what they wait on); task and output as excerpts. */
static json_t *
merge_live(struct engine *e, json_t *rows, int limit, bool more)
{
	struct page p;
	json_t *row;
	size_t i;

	page_init(&p, limit, e->page_bytes);
	p.more = more;
	json_array_foreach(rows, i, row) {
		struct run *run = engine_find_run(e,
		    json_string_value(json_object_get(row, "id")));
		json_t *item = json_incref(row);

		if (run != NULL) {	/* store rows are excerpts already */
			json_decref(item);
			item = engine_run_summary(e, run);
			cap_run_excerpts(item);
		}
		if (!page_add(&p, item))
			break;
	}
	json_decref(rows);
	return page_reply(&p, "runs");
}

static int
query_runs(struct req *r, bool history)
{
	json_error_t jerr;
	const char *agent = NULL, *state = NULL, *grep = NULL, *cursor = NULL;
	json_int_t limit = 0, since = 0, until = 0;
	struct store_cursor after;
	int live = 0, rc, n;
	enum run_state s;
	json_t *rows;
	bool more;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT,
	    "{s?s, s?s, s?s, s?I, s?I, s?I, s?b, s?s}", "agent", &agent,
	    "state", &state, "grep", &grep, "since_ms", &since,
	    "until_ms", &until, "limit", &limit, "live", &live,
	    "cursor", &cursor) != 0)
		return bad_body(r, &jerr);
	if (state != NULL && run_state_from_name(state, &s) != 0) {
		snprintf(r->err, sizeof(r->err), "unknown state \"%.32s\" (one of "
		    "queued, planning, executing, reflecting, awaiting_human, "
		    "paused, done, failed, killed)", state);
		return -IPC_E_BAD_REQUEST;
	}
	if (cursor != NULL && (rc = parse_cursor(r, cursor, &after)) != 0)
		return rc;
	engine_flush(r->e);
	n = clamp_limit(limit);
	rows = store_runs_query(r->e->store, agent, state, grep, since, until,
	    live && !history, cursor != NULL ? &after : NULL, n, r->e->page_bytes,
	    &more);
	r->reply = merge_live(r->e, rows, n, more);
	return 0;
}

static int
h_runs_list(struct req *r)
{
	return query_runs(r, false);
}

static int
h_history(struct req *r)
{
	return query_runs(r, true);
}

static int
run_arg(struct req *r, const char **id, const char **reason)
{
	json_error_t jerr;

	*reason = NULL;
	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s:s, s?s}", "run", id,
	    "reason", reason) != 0)
		return bad_body(r, &jerr);
	copy_str(r->target, sizeof(r->target), *id);
	return check_reason(r, *reason);
}

static int
h_runs_get(struct req *r)
{
	const char *id, *reason;
	int rc;

	if ((rc = run_arg(r, &id, &reason)) != 0)
		return rc;
	if ((r->reply = engine_run_detail(r->e, id)) == NULL) {
		snprintf(r->err, sizeof(r->err), "no run \"%.32s\"", id);
		return -IPC_E_NOT_FOUND;
	}
	return 0;
}

static int
h_runs_events(struct req *r)
{
	json_error_t jerr;
	json_int_t since = 0, limit = 0;
	const char *run = NULL, *type = NULL;
	json_t *events;
	bool more;
	int n;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s?I, s?s, s?s, s?I}",
	    "since", &since, "run", &run, "type", &type, "limit", &limit) != 0)
		return bad_body(r, &jerr);
	n = limit > 0 ? (int)MIN(limit, LIST_MAX) : 1000;
	engine_flush(r->e);
	/* every stored event fits in a page (cap.h): paging by "since"
	 * always gets past it */
	events = store_events_since(r->e->store, since, run, type, n,
	    r->e->page_bytes, &more);
	r->reply = json_pack("{s:b, s:I, s:o}", "more", more,
	    "last_seq", (json_int_t)r->e->committed_seq, "events", events);
	return 0;
}

static int
h_runs_submit(struct req *r)
{
	json_error_t jerr;
	const char *agent, *task, *model = NULL;
	json_t *budget = NULL;
	int dry_run = 0, rc;
	struct run *run;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s:s, s:s, s?s, s?b, s?o}",
	    "agent", &agent, "task", &task, "model", &model, "dry_run", &dry_run,
	    "budget", &budget) != 0)
		return bad_body(r, &jerr);
	copy_str(r->target, sizeof(r->target), agent);
	if ((rc = engine_submit(r->e, agent, task, model, dry_run != 0, budget,
	    r->uid, &run, r->err, sizeof(r->err))) != 0)
		return rc;
	copy_str(r->target, sizeof(r->target), run->id);
	r->reply = json_pack("{s:o}", "run", engine_run_summary(r->e, run));
	return 0;
}

/* pause, resume and kill act on a live run */
static int
act_on_run(struct req *r, int (*act)(struct req *, struct run *, const char *))
{
	const char *id, *reason;
	struct run *run;
	int rc;

	if ((rc = run_arg(r, &id, &reason)) != 0)
		return rc;
	if ((run = engine_find_run(r->e, id)) == NULL) {
		json_t *row = store_run_get(r->e->store, id);
		if (row != NULL) {
			snprintf(r->err, sizeof(r->err), "run %s is already %s", id,
			    json_string_value(json_object_get(row, "state")));
			json_decref(row);
			return -IPC_E_CONFLICT;
		}
		snprintf(r->err, sizeof(r->err), "no run \"%.32s\"", id);
		return -IPC_E_NOT_FOUND;
	}
	if ((rc = act(r, run, reason)) != 0)
		return rc;
	r->reply = json_pack("{s:o}", "run", engine_run_summary(r->e, run));
	return 0;
}

static int
do_pause(struct req *r, struct run *run, const char *reason)
{
	return engine_pause(r->e, run, r->uid, r->err, sizeof(r->err));
}

static int
do_resume(struct req *r, struct run *run, const char *reason)
{
	return engine_resume(r->e, run, r->uid, r->err, sizeof(r->err));
}

static int
do_kill(struct req *r, struct run *run, const char *reason)
{
	return engine_kill(r->e, run, r->uid, reason, r->err, sizeof(r->err));
}

static int
h_runs_rate(struct req *r)
{
	json_error_t jerr;
	const char *id, *rating, *note = NULL;
	json_t *row = NULL;
	int rc;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s:s, s:s, s?s}",
	    "run", &id, "rating", &rating, "note", &note) != 0)
		return bad_body(r, &jerr);
	copy_str(r->target, sizeof(r->target), id);
	if (strcmp(rating, "good") != 0 && strcmp(rating, "bad") != 0) {
		snprintf(r->err, sizeof(r->err), "rating must be \"good\" or "
		    "\"bad\", not \"%.32s\"", rating);
		return -IPC_E_BAD_REQUEST;
	}
	if ((rc = engine_rate(r->e, id, rating[0] == 'g', note, r->uid, &row,
	    r->err, sizeof(r->err))) != 0)
		return rc;
	r->reply = json_pack("{s:o}", "run", row);
	return 0;
}

static int
h_runs_pause(struct req *r)
{
	return act_on_run(r, do_pause);
}

static int
h_runs_resume(struct req *r)
{
	return act_on_run(r, do_resume);
}

static int
h_runs_kill(struct req *r)
{
	return act_on_run(r, do_kill);
}

static int
killswitch(struct req *r, bool engage)
{
	json_error_t jerr;
	const char *reason = "";
	int killed = 0, rc;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s?s}", "reason",
	    &reason) != 0)
		return bad_body(r, &jerr);
	if ((rc = check_reason(r, reason)) != 0)
		return rc;
	if ((rc = engine_killswitch(r->e, engage, r->uid, reason, &killed, r->err,
	    sizeof(r->err))) != 0)
		return rc;
	r->reply = json_pack("{s:b, s:i}", "killswitch", engage, "killed", killed);
	return 0;
}

static int
h_killswitch_engage(struct req *r)
{
	return killswitch(r, true);
}

static int
h_killswitch_release(struct req *r)
{
	return killswitch(r, false);
}

static int
h_escalations_list(struct req *r)
{
	json_error_t jerr;
	const char *state = NULL, *run = NULL, *cursor = NULL;
	json_int_t limit = 0;
	struct store_cursor after;
	struct page p;
	enum esc_state s;
	json_t *items, *item;
	size_t i;
	int rc;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s?s, s?s, s?I, s?s}",
	    "state", &state, "run", &run, "limit", &limit, "cursor", &cursor) != 0)
		return bad_body(r, &jerr);
	if (state != NULL && strcmp(state, "all") != 0 &&
	    esc_state_from_name(state, &s) != 0) {
		snprintf(r->err, sizeof(r->err), "unknown escalation state "
		    "\"%.32s\" (pending, approved, rejected, timed_out, all)", state);
		return -IPC_E_BAD_REQUEST;
	}
	if (cursor != NULL && (rc = parse_cursor(r, cursor, &after)) != 0)
		return rc;
	page_init(&p, clamp_limit(limit), r->e->page_bytes);
	if ((state == NULL || strcmp(state, "pending") == 0) && run == NULL) {
		/* from memory, oldest first */
		items = engine_pending_escalations(r->e);
		json_array_foreach(items, i, item) {
			if ((cursor == NULL || after_cursor(item, &after)) &&
			    !page_add(&p, json_incref(item)))
				break;
		}
		json_decref(items);
	} else {
		engine_flush(r->e);
		items = store_escalations(r->e->store, run, state != NULL &&
		    strcmp(state, "all") != 0 ? state : NULL, cursor != NULL ?
		    &after : NULL, p.limit, p.max_bytes, &p.more);
		json_array_foreach(items, i, item) {
			if (!page_add(&p, json_incref(item)))
				break;
		}
		json_decref(items);
	}
	r->reply = page_reply(&p, "escalations");
	return 0;
}

static int
h_escalations_decide(struct req *r)
{
	json_error_t jerr;
	const char *id, *decision, *reason = NULL;
	json_t *args = NULL, *esc = NULL;
	bool approve;
	int rc;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s:s, s:s, s?o, s?s}",
	    "escalation", &id, "decision", &decision, "args", &args,
	    "reason", &reason) != 0)
		return bad_body(r, &jerr);
	copy_str(r->target, sizeof(r->target), id);
	if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0) {
		snprintf(r->err, sizeof(r->err), "decision must be \"approve\" or "
		    "\"reject\", not \"%.32s\"", decision);
		return -IPC_E_BAD_REQUEST;
	}
	if ((rc = check_reason(r, reason)) != 0)
		return rc;
	if (args != NULL) {
		char *text = json_dumps(args, JSON_COMPACT);
		size_t n = text != NULL ? strlen(text) : 0;
		free(text);
		if (n > ARGS_MAX) {
			snprintf(r->err, sizeof(r->err), "args: %zu bytes, more than "
			    "the %d edited arguments may be", n, ARGS_MAX);
			return -IPC_E_BAD_REQUEST;
		}
	}
	approve = decision[0] == 'a';
	if (!approve && args != NULL) {
		snprintf(r->err, sizeof(r->err), "args only go with \"approve\"");
		return -IPC_E_BAD_REQUEST;
	}
	if ((rc = engine_decide(r->e, id, approve, args, reason, r->uid, &esc,
	    r->err, sizeof(r->err))) != 0)
		return rc;
	r->reply = json_pack("{s:o}", "escalation", esc);
	return 0;
}

#define AGENTS_PAGE	100

/* Agents in load order, a page at a time (the cursor is the last name);
 * the rejected files and the builtin tools come with the first page. */
static int
h_agents_list(struct req *r)
{
	json_error_t jerr;
	const char *cursor = NULL;
	struct agent_set *set = &r->e->agents;
	struct page p;
	json_t *builtins;
	size_t i = 0;

	if (json_unpack_ex(r->body, &jerr, JSON_STRICT, "{s?s}", "cursor",
	    &cursor) != 0)
		return bad_body(r, &jerr);
	if (cursor != NULL) {
		while (i < set->n && strcmp(set->items[i]->name, cursor) != 0)
			i++;
		if (i == set->n) {
			snprintf(r->err, sizeof(r->err), "cursor: no agent \"%.40s\" "
			    "(copy \"next\" from the previous reply)", cursor);
			return -IPC_E_BAD_REQUEST;
		}
		i++;
	}
	page_init(&p, AGENTS_PAGE, r->e->page_bytes);
	for (; i < set->n; i++)
		if (!page_add(&p, agent_to_json(set->items[i])))
			break;
	r->reply = json_pack("{s:o, s:o}", "agents", p.items, "next", p.more ?
	    json_string(json_string_value(json_object_get(json_array_get(p.items,
	    json_array_size(p.items) - 1), "name"))) : json_null());
	if (cursor != NULL)
		return 0;
	builtins = json_array();
	for (i = 0; i < builtin_count(); i++)
		json_array_append_new(builtins, json_pack("{s:s, s:s}",
		    "name", builtin_at(i)->name,
		    "description", builtin_at(i)->description));
	json_object_set(r->reply, "errors", r->e->load_errors);
	json_object_set_new(r->reply, "builtin_tools", builtins);
	return 0;
}

static handler_fn *const handlers[IPC_T__COUNT] = {
	[IPC_T_HELLO] = h_hello,
	[IPC_T_SNAPSHOT] = h_snapshot,
	[IPC_T_RUNS_LIST] = h_runs_list,
	[IPC_T_RUNS_GET] = h_runs_get,
	[IPC_T_RUNS_EVENTS] = h_runs_events,
	[IPC_T_RUNS_SUBMIT] = h_runs_submit,
	[IPC_T_RUNS_PAUSE] = h_runs_pause,
	[IPC_T_RUNS_RESUME] = h_runs_resume,
	[IPC_T_RUNS_KILL] = h_runs_kill,
	[IPC_T_RUNS_RATE] = h_runs_rate,
	[IPC_T_KILLSWITCH_ENGAGE] = h_killswitch_engage,
	[IPC_T_KILLSWITCH_RELEASE] = h_killswitch_release,
	[IPC_T_ESCALATIONS_LIST] = h_escalations_list,
	[IPC_T_ESCALATIONS_DECIDE] = h_escalations_decide,
	[IPC_T_AGENTS_LIST] = h_agents_list,
	[IPC_T_HISTORY_SEARCH] = h_history,
	[IPC_T_HEALTH] = h_health,
};

const char *
ctl_role(const struct engine *e, uint32_t uid)
{
	/* the socket is 0600, so in practice only our own uid and root reach
	 * it; anyone else is a viewer */
	return uid == e->uid || uid == 0 ? "admin" : "viewer";
}

static int
dispatch(struct req *r, enum ipc_type type)
{
	if (handlers[type] == NULL) {
		snprintf(r->err, sizeof(r->err), "%s is not implemented by this "
		    "agentd", ipc_type_name(type));
		return -IPC_E_UNKNOWN_OP;
	}
	return handlers[type](r);
}

/* One summary row per (uid, op, error) refused and not recorded in full. */
static void
write_refusal_summary(void *arg, const struct refusal_count *c)
{
	struct engine *e = arg;
	char detail[160], result[300];

	snprintf(detail, sizeof(detail), "{\"refused\":%lld,\"interval_s\":%d,"
	    "\"error\":\"%s\"}", (long long)c->n, REFUSALS_INTERVAL_MS / 1000,
	    c->error);
	if (c->uid == UINT32_MAX)
		snprintf(result, sizeof(result), "%lld more refused requests in "
		    "the last %d s (too many peers and ops to count apart)",
		    (long long)c->n, REFUSALS_INTERVAL_MS / 1000);
	else
		snprintf(result, sizeof(result), "%s: %lld refused %s requests of "
		    "uid %u in the last %d s were counted, not recorded one by one",
		    c->error, (long long)c->n, c->op, c->uid,
		    REFUSALS_INTERVAL_MS / 1000);
	engine_audit(e, c->uid, c->op, NULL, detail, result);
}

static void
refusals_fire(struct timer *t, void *arg)
{
	struct engine *e = arg;
	struct ctl_cache *c = e->ctl_cache;

	if (!e->storage_ok) {
		/* only counters grow while the disk is full: write later */
		loop_timer_arm(e->loop, &c->refusals_timer, 1000, refusals_fire, e);
		return;
	}
	c->e = NULL;
	refusals_drain(&c->refusals, now_ms(), write_refusal_summary, e);
}

/* Audits a refused mutating request: the first few of its uid in full
 * (body capped), the others only counted. */
static void
audit_refusal(struct engine *e, struct req *r, enum ipc_type type, int rc)
{
	struct ctl_cache *c = e->ctl_cache;
	const char *op = ipc_type_name(type), *error = ipc_error_name(rc);
	char result[600], *body, *detail;

	if (!refusals_note(&c->refusals, r->uid, op, error, e->storage_ok,
	    now_ms())) {
		if (c->e == NULL) {
			c->e = e;
			loop_timer_arm(e->loop, &c->refusals_timer,
			    REFUSALS_INTERVAL_MS, refusals_fire, e);
		}
		return;
	}
	body = json_dumps(r->body, JSON_COMPACT);
	detail = cap_text(body != NULL ? body : "", CAP_AUDIT_DETAIL);
	snprintf(result, sizeof(result), "%s: %s", error, r->err);
	engine_audit(e, r->uid, op, r->target[0] ? r->target : NULL, detail,
	    result);
	free(detail);
	free(body);
}

/* An accepted mutating request: its audit row (body capped) and its reply
 * go into the action's transaction. */
static void
audit_action(struct engine *e, struct req *r, enum ipc_type type, int64_t id,
    const char *reply)
{
	char *body = json_dumps(r->body, JSON_COMPACT);
	char *detail = cap_text(body != NULL ? body : "", CAP_AUDIT_DETAIL);

	engine_audit(e, r->uid, ipc_type_name(type), r->target[0] ? r->target :
	    NULL, detail, "ok");
	engine_remember_reply(e, r->uid, id, ipc_type_name(type), reply);
	free(detail);
	free(body);
}

static char *
reply_for(struct req *r, const struct ipc_msg *msg, int *rc, size_t *len)
{
	char *out;

	if (*rc != 0)
		return ipc_encode_reply_error(msg->type, msg->id, *rc, r->err, len);
	out = ipc_encode_reply_ok(msg->type, msg->id, r->reply, len);
	if (*len <= IPC_MAX_MSG)
		return out;
	free(out);
	snprintf(r->err, sizeof(r->err), "the reply would be %zu bytes, more "
	    "than the protocol's %u: ask for less (limit)", *len, IPC_MAX_MSG);
	*rc = -IPC_E_TOO_BIG;
	return ipc_encode_reply_error(msg->type, msg->id, *rc, r->err, len);
}

/* A mutating request: one action, one transaction (engine_action_*). */
static char *
handle_action(struct engine *e, struct req *r, const struct ipc_msg *msg,
    size_t *reply_len)
{
	char *out;
	int rc, stored;

	if (strcmp(ctl_role(e, r->uid), "viewer") == 0) {
		/* refused before anything is touched: no transaction, the
		 * record (if any) goes with the next batch */
		snprintf(r->err, sizeof(r->err), "uid %u is a viewer: %s needs the "
		    "admin role", r->uid, ipc_type_name(msg->type));
		audit_refusal(e, r, msg->type, -IPC_E_FORBIDDEN);
		return ipc_encode_reply_error(msg->type, msg->id, -IPC_E_FORBIDDEN,
		    r->err, reply_len);
	}
	engine_action_begin(e, ipc_type_name(msg->type));
	rc = dispatch(r, msg->type);
	out = reply_for(r, msg, &rc, reply_len);
	if (rc == 0)
		audit_action(e, r, msg->type, msg->id, out);
	else
		audit_refusal(e, r, msg->type, rc);
	stored = engine_action_end(e);
	if (stored == -EIO) {
		/* taken back: nothing happened; a resend may succeed */
		free(out);
		snprintf(r->err, sizeof(r->err), "the database is not writable: "
		    "%s was not done (nothing changed; try again when it is)",
		    ipc_type_name(msg->type));
		return ipc_encode_reply_error(msg->type, msg->id, -IPC_E_STORAGE,
		    r->err, reply_len);
	}
	if (stored != 0)
		log_warn("%s by uid %u: answered, but the database is not "
		    "writable yet; it is stored with its audit row when it is",
		    ipc_type_name(msg->type), r->uid);
	/* only what was done is remembered: a refused request changed
	 * nothing, and a resend is simply looked at again */
	if (rc == 0)
		cache_put(e->ctl_cache, msg->type, r->uid, msg->id, out, *reply_len);
	return out;
}

char *
ctl_handle(struct engine *e, const char *buf, size_t len, uint32_t uid,
    size_t *reply_len)
{
	struct ipc_error_detail detail = { "" };
	struct ipc_msg msg;
	struct req r = { .e = e, .uid = uid };
	const struct cached_reply *cached;
	char *out;
	int rc;

	e->stats.requests++;
	if ((rc = ipc_decode_request(buf, len, &msg, &detail)) != 0) {
		log_debug("bad request from uid %u: %s", uid, detail.text);
		return ipc_encode_reply_error(msg.type, msg.id, rc, detail.text,
		    reply_len);
	}
	r.body = msg.body != NULL ? msg.body : json_object();
	if (msg.body == NULL)
		msg.body = r.body;
	if (!ipc_type_mutating(msg.type)) {
		rc = dispatch(&r, msg.type);
		out = reply_for(&r, &msg, &rc, reply_len);
	} else if ((cached = cache_find(e->ctl_cache, msg.type, uid,
	    msg.id)) != NULL) {
		*reply_len = cached->len;
		out = xstrndup(cached->reply, cached->len);
	} else if ((out = store_get_request(e->store, uid, msg.id,
	    ipc_type_name(msg.type))) != NULL) {
		/* answered before a restart: the same answer again */
		*reply_len = strlen(out);
	} else {
		out = handle_action(e, &r, &msg, reply_len);
	}
	json_decref(r.reply);
	ipc_msg_finish(&msg);
	return out;
}

static void
watch_fire(struct timer *t, void *arg)
{
	struct engine *e = arg;
	char what[600];

	if (ipc_server_watch(e->srv, what, sizeof(what)) == 1)
		log_warn("%s", what);
	loop_timer_arm(e->loop, t, IPC_WATCH_MS, watch_fire, e);
}

void
ctl_watch_sockets(struct engine *e)
{
	e->ctl_cache->watch_loop = e->loop;
	loop_timer_arm(e->loop, &e->ctl_cache->watch_timer, IPC_WATCH_MS,
	    watch_fire, e);
}

void
ctl_on_readable(int fd, unsigned events, void *arg)
{
	struct engine *e = arg;
	char *buf, *reply;
	size_t len, rlen;
	uint32_t uid;
	int r;

	while ((r = ipc_server_recv(e->srv, &buf, &len, &uid)) == 0 ||
	    r == -IPC_E_TOO_BIG) {
		if (r == -IPC_E_TOO_BIG) {
			struct ipc_refused big;
			ipc_server_refused(e->srv, &big);
			log_warn("refused a request of %zu bytes from uid %u (%s, id "
			    "%lld): more than the protocol's %u; %s", big.len,
			    big.uid, big.type != IPC_T_NONE ? ipc_type_name(big.type) :
			    "type unknown", (long long)big.id, IPC_MAX_MSG,
			    big.answered ? "answered too_big" : "could not answer");
			continue;
		}
		reply = ctl_handle(e, buf, len, uid, &rlen);
		if (reply == NULL || ipc_server_reply(e->srv, reply, rlen) != 0)
			log_warn("could not answer a request from uid %u", uid);
		free(reply);
		free(buf);
	}
	if (r != -IPC_E_AGAIN)
		log_warn("control socket: %s", ipc_error_text(r));
}
