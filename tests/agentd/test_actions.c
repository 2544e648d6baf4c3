/*
 * Operator actions and what they leave behind (issue 10): one action, one
 * transaction; refused requests recorded within bounds; nothing stored
 * larger than a reply can hold; lists that page by size; waits that keep
 * their start; a tool call's span committed with its intent.
 */
#include <sqlite3.h>

#include "t.h"
#include "agentd/fixture.h"
#include "cap.h"
#include "refusals.h"
#include "sha256.h"
#include "store.h"

static int64_t
count_rows(struct fixture *fx, const char *sql)
{
	char path[160];
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int64_t n = -1;

	snprintf(path, sizeof(path), "%s/agentd.db", fx->data);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return n;
}

static char *
request_text(const char *type, int64_t id, json_t *body)
{
	json_t *req = json_pack("{s:i, s:s, s:I, s:o}", "v", 1, "type", type,
	    "id", (json_int_t)id, "body", body);
	char *text = json_dumps(req, JSON_COMPACT);

	json_decref(req);
	return text;
}

static const char *
open_escalation(struct fixture *fx, const char *run)
{
	static char id[32];
	json_t *reply;

	id[0] = '\0';
	if (!fx_wait_state(fx, run, "awaiting_human", 3000))
		return id;
	reply = fx_call(fx, "escalations.list", NULL);
	copy_str(id, sizeof(id), json_string_value(json_object_get(json_array_get(
	    json_object_get(fx_body(reply), "escalations"), 0), "id")));
	json_decref(reply);
	return id;
}

/* Point 9: a submit is one commit that holds the run, its audit row and
 * the reply its request id maps to; a crash can never split them. */
static void
submit_is_one_transaction(void)
{
	struct fixture fx;
	char *req, *r1, *r2;
	int64_t commits;
	size_t l1, l2;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	fx_spin(&fx, 20);
	req = request_text("runs.submit", 777, json_pack("{s:s, s:s}", "agent",
	    "stuck", "task", "exactly once"));
	commits = fx.e->stats.commits;
	r1 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l1);
	is_int(fx.e->stats.commits - commits, 1);
	is_int(count_rows(&fx, "SELECT count(*) FROM runs"), 1);
	is_int(count_rows(&fx, "SELECT count(*) FROM audit WHERE op = "
	    "'runs.submit' AND result = 'ok'"), 1);
	is_int(count_rows(&fx, "SELECT count(*) FROM requests WHERE id = 777"), 1);
	/* whatever the crash, the resend after it gets the same answer */
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	r2 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l2);
	is_str(r2, r1);
	is_int(count_rows(&fx, "SELECT count(*) FROM runs"), 1);
	free(r1);
	free(r2);
	free(req);
	fx_finish(&fx);
}

/* Point 9: a decision, its audit row and its reply commit together. */
static void
decide_is_one_transaction(void)
{
	struct fixture fx;
	char run[32], esc[32], *req, *r1, *r2;
	int64_t commits;
	size_t l1, l2;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "gated", "launch it"));
	copy_str(esc, sizeof(esc), open_escalation(&fx, run));
	t_bail_if(esc[0] == '\0');
	fx_spin(&fx, 20);
	req = request_text("escalations.decide", 778, json_pack("{s:s, s:s}",
	    "escalation", esc, "decision", "approve"));
	commits = fx.e->stats.commits;
	r1 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l1);
	has_str(r1, "\"ok\":true");
	is_int(fx.e->stats.commits - commits, 1);
	is_int(count_rows(&fx, "SELECT count(*) FROM audit WHERE op = "
	    "'escalations.decide' AND result = 'ok'"), 1);
	is_int(count_rows(&fx, "SELECT count(*) FROM escalations WHERE state = "
	    "'approved'"), 1);
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	/* no false "conflict" for the resend, and the audit row is there */
	r2 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l2);
	is_str(r2, r1);
	ok(fx_wait_state(&fx, run, "done", 3000));
	free(r1);
	free(r2);
	free(req);
	fx_finish(&fx);
}

/* A submit whose commit fails is taken back whole: no run, no audit row,
 * no remembered reply; the resend succeeds once the disk has room. */
static void
failed_commit_takes_the_action_back(void)
{
	struct fixture fx;
	char *req, *r1, *r2;
	int64_t pages, runs, audit;
	size_t l1, l2;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	fx_spin(&fx, 20);
	runs = count_rows(&fx, "SELECT count(*) FROM runs");
	audit = count_rows(&fx, "SELECT count(*) FROM audit");
	t_bail_if(store_page_count(fx.e->store, &pages) != 0);
	t_bail_if(store_limit_pages(fx.e->store, pages) != 0);
	/* a task big enough to need new pages */
	{
		char *task = xmalloc(60000);
		memset(task, 'x', 59999);
		task[59999] = '\0';
		req = request_text("runs.submit", 779, json_pack("{s:s, s:s}",
		    "agent", "stuck", "task", task));
		free(task);
	}
	r1 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l1);
	has_str(r1, "\"code\":\"storage\"");
	has_str(r1, "runs.submit was not done");
	is_int(fx.e->n_runs, 0);
	t_bail_if(store_limit_pages(fx.e->store, 1 << 30) != 0);
	fx_spin(&fx, 1200);
	is_int(count_rows(&fx, "SELECT count(*) FROM runs"), runs);
	is_int(count_rows(&fx, "SELECT count(*) FROM audit"), audit);
	r2 = ctl_handle(fx.e, req, strlen(req), fx.e->uid, &l2);
	has_str(r2, "\"ok\":true");
	is_int(count_rows(&fx, "SELECT count(*) FROM runs"), runs + 1);
	free(r1);
	free(r2);
	free(req);
	fx_finish(&fx);
}

/* Point 10: a crash right after a side effect's intent was committed:
 * the trace has the call's span, ended "unknown", and an operator asks. */
static void
intent_commits_its_span(void)
{
	struct fixture fx;
	char run[32];
	struct run *r;
	json_t *d, *spans, *s;
	int found = 0;
	size_t i;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "sidefx", "charge"));
	/* step the loop until the intent is durable, then crash at once */
	for (int n = 0; n < 10000; n++) {
		r = engine_find_run(fx.e, run);
		if (r != NULL && r->tool_started)
			break;
		loop_run_once(fx.e->loop, 1);
	}
	t_bail_if(r == NULL || !r->tool_started);
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	is_str(fx_state(&fx, run), "awaiting_human");
	d = fx_run(&fx, run);
	spans = json_object_get(d, "spans");
	json_array_foreach(spans, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "kind")), "tool"))
			continue;
		found++;
		is_str(json_string_value(json_object_get(s, "name")), "charge_card");
		is_str(json_string_value(json_object_get(s, "status")), "unknown");
	}
	is_int(found, 1);
	json_decref(d);
	fx_finish(&fx);
}

static int64_t
waiting_since(struct fixture *fx, const char *run)
{
	json_t *d = fx_run(fx, run);
	int64_t since = json_integer_value(json_object_get(json_object_get(d,
	    "waiting"), "since_ms"));

	json_decref(d);
	return since;
}

/* Point 5: a pending escalation is waited on since it opened, through a
 * pause and a resume and through a restart; a pause since it began. */
static void
waiting_keeps_its_start(void)
{
	struct fixture fx;
	char run[32], esc[32];
	int64_t opened, paused;
	json_t *reply;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "gated", "launch it"));
	copy_str(esc, sizeof(esc), open_escalation(&fx, run));
	t_bail_if(esc[0] == '\0');
	opened = waiting_since(&fx, run);
	fx_spin(&fx, 60);
	json_decref(fx_call(&fx, "runs.pause", json_pack("{s:s}", "run", run)));
	paused = waiting_since(&fx, run);
	ok(paused > opened);
	fx_spin(&fx, 60);
	fx_stop(&fx);
	t_bail_if(fx_start(&fx) != 0);
	is_int(waiting_since(&fx, run), paused);
	fx_spin(&fx, 60);
	reply = fx_call(&fx, "runs.resume", json_pack("{s:s}", "run", run));
	ok(fx_body(reply) != NULL);
	json_decref(reply);
	is_int(waiting_since(&fx, run), opened);
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	is_int(waiting_since(&fx, run), opened);
	fx_finish(&fx);
}

/* Points 6 and 7: a viewer's flood of big refused requests costs a few
 * capped audit rows and a summary, not storage; every event stays within
 * what a page can return. */
static void
refused_requests_are_bounded(void)
{
	struct fixture fx;
	char *big = xmalloc(3 << 20), *req, *reply;
	int64_t audit, events, replies, max_event, max_detail, started;
	int64_t intervals;
	size_t len;

	memset(big, 'x', (3 << 20) - 1);
	big[(3 << 20) - 1] = '\0';
	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	fx_spin(&fx, 20);
	audit = count_rows(&fx, "SELECT count(*) FROM audit");
	replies = count_rows(&fx, "SELECT count(*) FROM requests");
	/* 20 of 3 MB, then 500 small ones; each minute (of a slow run under
	 * valgrind) lets 5 more be recorded in full, plus a summary row */
	started = now_ms();
	for (int i = 0; i < 520; i++) {
		req = request_text("runs.submit", 5000 + i, json_pack("{s:s, s:s}",
		    "agent", "stuck", "task", i < 20 ? big : "small"));
		reply = ctl_handle(fx.e, req, strlen(req), 4242, &len);
		if (i == 0)
			has_str(reply, "\"code\":\"forbidden\"");
		free(reply);
		free(req);
	}
	fx_spin(&fx, 30);
	intervals = (now_ms() - started) / REFUSALS_INTERVAL_MS + 1;
	events = count_rows(&fx, "SELECT count(*) FROM audit") - audit;
	ok(events >= REFUSALS_FULL &&
	    events <= (REFUSALS_FULL + 1) * intervals);
	if (intervals == 1)
		is_int(events, REFUSALS_FULL);
	is_int(count_rows(&fx, "SELECT count(*) FROM requests"), replies);
	max_detail = count_rows(&fx, "SELECT max(length(detail)) FROM audit");
	ok(max_detail <= CAP_AUDIT_DETAIL);
	max_event = count_rows(&fx, "SELECT max(length(body)) FROM events");
	ok(max_event <= CAP_EVENT_MAX);
	events = fx_count_events(&fx, NULL, "operator.action");
	ok(events >= REFUSALS_FULL &&
	    events <= (REFUSALS_FULL + 1) * intervals);
	/* what was cut says how much, with the hash of the whole */
	{
		char *body = NULL;
		char hash[SHA256_HEX_LEN + 1];
		json_t *r = fx_call(&fx, "runs.events", json_pack("{s:s}", "type",
		    "operator.action"));
		json_t *ev = json_array_get(json_object_get(fx_body(r), "events"), 0);
		json_t *cut = json_loads(json_string_value(json_object_get(ev,
		    "detail")), 0, NULL);
		ok(json_is_true(json_object_get(cut, "cut")));
		json_t *sent = json_pack("{s:s, s:s}", "agent", "stuck", "task",
		    big);
		body = json_dumps(sent, JSON_COMPACT);
		json_decref(sent);
		ok(json_integer_value(json_object_get(cut, "bytes")) ==
		    (json_int_t)strlen(body));
		sha256_hex(body, strlen(body), hash);
		is_str(json_string_value(json_object_get(cut, "sha256")), hash);
		free(body);
		json_decref(cut);
		json_decref(r);
	}
	free(big);
	fx_finish(&fx);
}

/* SHA-256 test vectors (FIPS 180-2 appendix B). */
static void
sha256_vectors(void)
{
	char hex[SHA256_HEX_LEN + 1], *million = xmalloc(1000001);

	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* An event too big for a page is cut where it is stored, the same as
 * what is published. */
static void
events_are_capped(void)
{
	char *big = xmalloc(400000), *s;
	json_t *ev;

	memset(big, 'y', 399999);
	big[399999] = '\0';
	ev = json_pack("{s:i, s:i, s:s, s:s, s:s}", "v", 1, "seq", 9, "type",
	    "run.message", "run", "r-x", "content", big);
	s = cap_event_dump(ev);
	ok(strlen(s) <= CAP_EVENT_MAX);
	is_int(json_integer_value(json_object_get(json_object_get(ev, "cut"),
	    "bytes")) > 400000, 1);
	is_int(json_integer_value(json_object_get(ev, "seq")), 9);
	free(s);
	json_decref(ev);
	/* many small strings: only the envelope is left */
	ev = json_pack("{s:i, s:i, s:s, s:n, s:[]}", "v", 1, "seq", 10, "type",
	    "span.start", "run", "args");
	for (int i = 0; i < 40000; i++)
		json_array_append_new(json_object_get(ev, "args"),
		    json_string("0123456789"));
	s = cap_event_dump(ev);
	ok(strlen(s) <= CAP_EVENT_MAX);
	ok(json_object_get(ev, "args") == NULL);
	is_str(json_string_value(json_object_get(ev, "type")), "span.start");
	free(s);
	json_decref(ev);
	free(big);
}

static json_t *
page(struct fixture *fx, const char *type, const char *cursor, int limit)
{
	json_t *body = json_pack("{s:i}", "limit", limit);

	if (cursor != NULL)
		json_object_set_new(body, "cursor", json_string(cursor));
	return fx_call(fx, type, body);
}

/* Point 17: 70 runs with 60 KB tasks: every list answers, in pages that
 * fit, with excerpts; following "next" gives every run once. */
static void
lists_page_by_size(void)
{
	struct fixture fx;
	char *task = xmalloc(60001), cursor[64] = "";
	json_t *reply, *runs, *snap;
	int total = 0, pages = 0;

	memset(task, 't', 60000);
	task[60000] = '\0';
	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	for (int i = 0; i < 70; i++)
		t_bail_if(fx_submit(&fx, "stuck", task)[0] == '\0');
	fx_spin(&fx, 50);
	do {
		reply = page(&fx, "history.search", cursor[0] ? cursor : NULL, 500);
		runs = json_object_get(fx_body(reply), "runs");
		t_bail_if(runs == NULL);
		total += (int)json_array_size(runs);
		pages++;
		ok(json_string_length(json_object_get(json_array_get(runs, 0),
		    "task")) <= CAP_EXCERPT);
		ok(json_is_true(json_object_get(json_array_get(runs, 0),
		    "task_truncated")));
		copy_str(cursor, sizeof(cursor), json_string_value(json_object_get(
		    fx_body(reply), "next")));
		if (!json_is_string(json_object_get(fx_body(reply), "next")))
			cursor[0] = '\0';
		json_decref(reply);
	} while (cursor[0] != '\0' && pages < 100);
	is_int(total, 70);
	/* by count too */
	reply = page(&fx, "runs.list", NULL, 30);
	is_int(json_array_size(json_object_get(fx_body(reply), "runs")), 30);
	ok(json_is_string(json_object_get(fx_body(reply), "next")));
	json_decref(reply);
	/* a cursor that is none */
	reply = page(&fx, "runs.list", "nonsense", 30);
	is_str(fx_error_code(reply), "bad_request");
	json_decref(reply);
	/* the snapshot's live runs are excerpts too, and fit */
	snap = fx_call(&fx, "snapshot", NULL);
	is_int(json_array_size(json_object_get(fx_body(snap), "runs")), 70);
	ok(json_is_null(json_object_get(fx_body(snap), "runs_next")));
	json_decref(snap);
	/* the whole task is in the run's detail */
	reply = page(&fx, "runs.list", NULL, 1);
	{
		const char *id = json_string_value(json_object_get(json_array_get(
		    json_object_get(fx_body(reply), "runs"), 0), "id"));
		json_t *d = fx_run(&fx, id);
		is_int(json_string_length(json_object_get(d, "task")), 60000);
		json_decref(d);
	}
	json_decref(reply);
	free(task);
	fx_finish(&fx);
}

/* Follows @type's pages ("runs" under @key) from @first (a cursor or
 * NULL) with @body's filters; returns how many distinct ids, or -1 if one
 * came twice. */
static int
follow(struct fixture *fx, const char *type, const char *key,
    const char *first, json_t *body, int *pages)
{
	json_t *seen = json_object(), *reply, *items, *item, *b;
	char cursor[64] = "";
	size_t i;
	int n = 0, twice = 0;

	if (first != NULL)
		copy_str(cursor, sizeof(cursor), first);
	*pages = 0;
	do {
		b = json_deep_copy(body);
		if (cursor[0] != '\0')
			json_object_set_new(b, "cursor", json_string(cursor));
		reply = fx_call(fx, type, b);
		items = json_object_get(fx_body(reply), key);
		json_array_foreach(items, i, item) {
			const char *id = json_string_value(json_object_get(item,
			    "id"));
			twice += json_object_get(seen, id) != NULL;
			json_object_set_new(seen, id, json_true());
			n++;
		}
		if (json_is_string(json_object_get(fx_body(reply), "next")))
			copy_str(cursor, sizeof(cursor), json_string_value(
			    json_object_get(fx_body(reply), "next")));
		else
			cursor[0] = '\0';
		json_decref(reply);
		(*pages)++;
	} while (cursor[0] != '\0' && *pages < 1000);
	json_decref(seen);
	json_decref(body);
	return twice ? -1 : n;
}

/* Point 17: pages cut by bytes hand over exactly, ties in created_ms
 * included: snapshot -> runs.list live, runs.list, escalations. */
static void
small_pages_hand_over(void)
{
	struct fixture fx;
	json_t *snap;
	int pages, n, in_snapshot;
	const char *next;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	fx.e->page_bytes = 3000;	/* a few runs a page */
	for (int i = 0; i < 60; i++)
		t_bail_if(fx_submit(&fx, "stuck", "a run among many")[0] == '\0');
	for (int i = 0; i < 6; i++)
		t_bail_if(fx_submit(&fx, "gated", "launch it")[0] == '\0');
	fx_spin(&fx, 300);
	n = follow(&fx, "runs.list", "runs", NULL, json_pack("{s:i}", "limit",
	    500), &pages);
	is_int(n, 66);
	ok(pages > 5);
	snap = fx_call(&fx, "snapshot", NULL);
	in_snapshot = (int)json_array_size(json_object_get(fx_body(snap),
	    "runs"));
	next = json_string_value(json_object_get(fx_body(snap), "runs_next"));
	ok(next != NULL && in_snapshot < 66);
	n = follow(&fx, "runs.list", "runs", next, json_pack("{s:b, s:i}",
	    "live", 1, "limit", 500), &pages);
	is_int(n + in_snapshot, 66);
	json_decref(snap);
	fx.e->page_bytes = 1000;	/* an escalation or two a page */
	n = follow(&fx, "escalations.list", "escalations", NULL, json_object(),
	    &pages);
	is_int(n, 6);
	ok(pages > 1);
	fx_finish(&fx);
}

/* Point 17: escalations and agents page too. */
static void
escalations_and_agents_page(void)
{
	struct fixture fx;
	char cursor[64] = "";
	json_t *reply;
	int total = 0, pages = 0;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	for (int i = 0; i < 5; i++) {
		char run[32];
		copy_str(run, sizeof(run), fx_submit(&fx, "gated", "launch it"));
		t_bail_if(!fx_wait_state(&fx, run, "awaiting_human", 3000));
	}
	do {
		reply = page(&fx, "escalations.list", cursor[0] ? cursor : NULL, 2);
		total += (int)json_array_size(json_object_get(fx_body(reply),
		    "escalations"));
		pages++;
		if (json_is_string(json_object_get(fx_body(reply), "next")))
			copy_str(cursor, sizeof(cursor), json_string_value(
			    json_object_get(fx_body(reply), "next")));
		else
			cursor[0] = '\0';
		json_decref(reply);
	} while (cursor[0] != '\0' && pages < 10);
	is_int(total, 5);
	is_int(pages, 3);
	reply = fx_call(&fx, "agents.list", NULL);
	ok(json_array_size(json_object_get(fx_body(reply), "agents")) > 0);
	ok(json_is_null(json_object_get(fx_body(reply), "next")));
	ok(json_is_array(json_object_get(fx_body(reply), "builtin_tools")));
	json_decref(reply);
	fx_finish(&fx);
}

static int
exec_sql(struct fixture *fx, const char *sql)
{
	char path[160];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof(path), "%s/agentd.db", fx->data);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Point 7: audit rows and events are kept as operators set it. */
static void
retention_trims_audit_and_events(void)
{
	struct engine_retention keep = ENGINE_RETENTION_DEFAULT;
	struct fixture fx;
	char run[32] = "", live[32];
	int64_t last;

	fx_init(&fx);
	keep.audit_rows = 3;
	keep.events_days = 1;
	fx.keep = &keep;
	t_bail_if(fx_start(&fx) != 0);
	fx_spin(&fx, 20);	/* the trim at start is done */
	for (int i = 0; i < 6; i++)
		copy_str(run, sizeof(run), fx_submit(&fx, "quick", "keep me"));
	ok(fx_wait_state(&fx, run, "done", 3000));
	copy_str(live, sizeof(live), fx_submit(&fx, "stuck", "still going"));
	fx_spin(&fx, 50);
	fx_stop(&fx);
	is_int(count_rows(&fx, "SELECT count(*) FROM audit"), 7);
	/* the runs ended two days ago */
	t_bail_if(exec_sql(&fx, "UPDATE events SET ts_ms = ts_ms - "
	    "2 * 86400000; UPDATE runs SET ended_ms = ended_ms - 2 * 86400000")
	    != 0);
	last = count_rows(&fx, "SELECT max(seq) FROM events");
	t_bail_if(fx_start(&fx) != 0);
	fx_spin(&fx, 50);
	is_int(count_rows(&fx, "SELECT count(*) FROM audit"), 3);
	/* a live run keeps its events, however old */
	{
		char q[160];
		snprintf(q, sizeof(q), "SELECT count(*) FROM events WHERE run = "
		    "'%s' AND type = 'run.submitted'", live);
		is_int(count_rows(&fx, q), 1);
	}
	/* the old events went; seq goes on from the last */
	{
		char q[96];
		snprintf(q, sizeof(q), "SELECT count(*) FROM events WHERE seq <= "
		    "%lld AND (run IS NULL OR run != '%s')", (long long)last, live);
		is_int(count_rows(&fx, q), 0);
		ok(fx.e->seq > last);
	}
	/* the runs themselves stay in the history */
	is_int(count_rows(&fx, "SELECT count(*) FROM runs"), 7);
	fx_finish(&fx);
}

/* Point 12: a shutdown whose last batch cannot be committed says so (and
 * the runs resume from what was committed). */
static void
shutdown_says_what_is_true(void)
{
	struct fixture fx;
	char run[32];
	int64_t pages;
	json_t *reply;

	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "slow", "outlive the disk"));
	fx_spin(&fx, 50);
	t_bail_if(store_page_count(fx.e->store, &pages) != 0);
	t_bail_if(store_limit_pages(fx.e->store, pages) != 0);
	for (int i = 0; i < 2000 && fx.e->storage_ok; i++) {
		reply = fx_call(&fx, "runs.submit", json_pack("{s:s, s:s}", "agent",
		    "quick", "task", "fill the disk"));
		json_decref(reply);
		loop_run_once(fx.e->loop, 0);
	}
	t_bail_if(fx.e->storage_ok);
	ok(engine_shutdown(fx.e) < 0);
	fx_crash(&fx);
	t_bail_if(fx_start(&fx) != 0);
	ok(fx_wait_state(&fx, run, "done", 5000));
	fx_finish(&fx);
}

/* A long run's trace is built from its spans and transitions, however many
 * megabytes of messages came before its last span. */
static void
long_run_keeps_its_last_spans(void)
{
	struct fixture fx;
	char run[32], *text = xmalloc(10001);
	json_t *d, *spans, *last;

	memset(text, 'm', 10000);
	text[10000] = '\0';
	fx_init(&fx);
	t_bail_if(fx_start(&fx) != 0);
	copy_str(run, sizeof(run), fx_submit(&fx, "stuck", "talk a lot"));
	for (int i = 0; i < 400; i++)
		engine_emit(fx.e, IPC_EV_RUN_MESSAGE, run, json_pack("{s:s, s:s}",
		    "role", "tool", "content", text));
	engine_emit(fx.e, IPC_EV_SPAN_START, run, json_pack("{s:s, s:s, s:s}",
	    "span", "s-last", "kind", "tool", "name", "late"));
	engine_emit(fx.e, IPC_EV_SPAN_END, run, json_pack("{s:s, s:s, s:s, s:s}",
	    "span", "s-last", "kind", "tool", "name", "late", "status", "ok"));
	t_bail_if(engine_flush(fx.e) != 0);
	d = fx_run(&fx, run);
	spans = json_object_get(d, "spans");
	last = json_array_get(spans, json_array_size(spans) - 1);
	is_str(json_string_value(json_object_get(last, "span")), "s-last");
	is_str(json_string_value(json_object_get(last, "status")), "ok");
	ok(json_is_false(json_object_get(d, "trace_truncated")));
	json_decref(d);
	free(text);
	fx_finish(&fx);
}

#define TESTS(X) \
	X(submit_is_one_transaction) \
	X(decide_is_one_transaction) \
	X(failed_commit_takes_the_action_back) \
	X(intent_commits_its_span) \
	X(waiting_keeps_its_start) \
	X(refused_requests_are_bounded) \
	X(sha256_vectors) \
	X(events_are_capped) \
	X(lists_page_by_size) \
	X(escalations_and_agents_page) \
	X(retention_trims_audit_and_events) \
	X(shutdown_says_what_is_true) \
	X(long_run_keeps_its_last_spans) \
	X(small_pages_hand_over)
T_MAIN(TESTS)
