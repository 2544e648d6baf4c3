/* agentop's pure parts: the model (events applied in order, gaps found,
 * snapshots and pages merged, the runs view's filter and order, list
 * cursors that follow an id), the prompt's line editor, the search over a
 * view's text, the layouts. No terminal, no sockets. */
#include "t.h"
#include "doc.h"
#include "ipc.h"
#include "layout.h"
#include "lineedit.h"
#include "model.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

static int
apply(struct model *m, const char *json)
{
	struct ipc_event ev;
	int r;

	if (ipc_decode_event(json, strlen(json), &ev, NULL) != 0)
		return -99;
	r = model_apply_event(m, &ev);
	ipc_event_finish(&ev);
	return r;
}

static void
events_build_a_run(void)
{
	struct model m;
	json_t *run;

	model_init(&m);
	m.seq = 10;
	is_int(apply(&m, "{\"v\":1,\"seq\":11,\"ts\":1000,\"type\":\"run.submitted\","
	    "\"run\":\"r-1\",\"agent\":\"deploy\",\"task\":\"ship\",\"model\":\"sim:d\","
	    "\"dry_run\":false,\"budget\":{\"llm_calls\":4,\"cost_usd\":1.0}}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":12,\"ts\":1001,\"type\":\"run.state\","
	    "\"run\":\"r-1\",\"from\":\"queued\",\"to\":\"executing\",\"reason\":"
	    "\"started\"}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":13,\"ts\":1500,\"type\":\"span.end\","
	    "\"run\":\"r-1\",\"kind\":\"llm\",\"status\":\"ok\",\"tokens_in\":100,"
	    "\"tokens_out\":20,\"cost_usd\":0.25,\"step\":1}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":14,\"ts\":1600,\"type\":\"span.end\","
	    "\"run\":\"r-1\",\"kind\":\"tool\",\"status\":\"cancelled\"}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":15,\"ts\":1700,\"type\":\"run.waiting\","
	    "\"run\":\"r-1\",\"on\":\"operator\",\"detail\":\"e-1\",\"since_ms\":1700}"), 0);
	run = model_run(&m, "r-1");
	t_bail_if(run == NULL);
	is_str(json_string_value(json_object_get(run, "state")), "executing");
	is_int(json_integer_value(json_object_get(json_object_get(run, "usage"),
	    "llm_calls")), 1);
	is_int(json_integer_value(json_object_get(json_object_get(run, "usage"),
	    "tokens_in")), 100);
	/* a cancelled tool call is not charged, as in the engine */
	is_int(json_integer_value(json_object_get(json_object_get(run, "usage"),
	    "tool_calls")), 0);
	is_str(json_string_value(json_object_get(json_object_get(run, "waiting"),
	    "on")), "operator");
	is_int(json_integer_value(json_object_get(run, "step")), 1);
	is_int(m.seq, 15);
	model_finish(&m);
}

/* llm.delta text builds the run's "streaming" tail; text of the other kind
 * (reasoning, answer) starts it over; the span's end drops it. */
static void
streamed_thinking_then_answer(void)
{
	struct model m;
	json_t *st;

	model_init(&m);
	m.seq = 10;
	is_int(apply(&m, "{\"v\":1,\"seq\":11,\"ts\":1000,\"type\":"
	    "\"run.submitted\",\"run\":\"r-1\",\"agent\":\"a\",\"task\":"
	    "\"t\",\"model\":\"openai:x\",\"dry_run\":false,\"budget\":{}}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":11,\"ephemeral\":true,\"ts\":1,"
	    "\"type\":\"llm.delta\",\"run\":\"r-1\",\"span\":\"s-1\","
	    "\"text\":\"Hmm, \",\"total_bytes\":5,\"reasoning\":true}"), 0);
	is_int(apply(&m, "{\"v\":1,\"seq\":11,\"ephemeral\":true,\"ts\":2,"
	    "\"type\":\"llm.delta\",\"run\":\"r-1\",\"span\":\"s-1\","
	    "\"text\":\"a refund.\",\"total_bytes\":14,\"reasoning\":true}"), 0);
	st = json_object_get(model_run(&m, "r-1"), "streaming");
	is_str(json_string_value(json_object_get(st, "text")), "Hmm, a refund.");
	ok(json_is_true(json_object_get(st, "reasoning")));
	is_int(apply(&m, "{\"v\":1,\"seq\":11,\"ephemeral\":true,\"ts\":3,"
	    "\"type\":\"llm.delta\",\"run\":\"r-1\",\"span\":\"s-1\","
	    "\"text\":\"Yes.\",\"total_bytes\":4}"), 0);
	st = json_object_get(model_run(&m, "r-1"), "streaming");
	is_str(json_string_value(json_object_get(st, "text")), "Yes.");
	ok(json_is_false(json_object_get(st, "reasoning")));
	is_int(apply(&m, "{\"v\":1,\"seq\":12,\"ts\":4,\"type\":\"span.end\","
	    "\"run\":\"r-1\",\"span\":\"s-1\",\"kind\":\"llm\",\"status\":"
	    "\"ok\",\"tokens_in\":1,\"tokens_out\":2,\"reasoning_tokens\":1}"), 0);
	ok(json_object_get(model_run(&m, "r-1"), "streaming") == NULL);
	model_finish(&m);
}

static void
gaps_and_duplicates(void)
{
	struct model m;

	model_init(&m);
	m.seq = 5;
	is_int(apply(&m, "{\"v\":1,\"seq\":5,\"ts\":1,\"type\":\"killswitch\","
	    "\"engaged\":true}"), 1);	/* already applied */
	ok(!m.killswitch);
	is_int(apply(&m, "{\"v\":1,\"seq\":7,\"ts\":1,\"type\":\"killswitch\","
	    "\"engaged\":true}"), -1);	/* 6 is missing */
	is_int(m.seq, 5);
	is_int(apply(&m, "{\"v\":1,\"seq\":6,\"ts\":1,\"type\":\"killswitch\","
	    "\"engaged\":true}"), 0);
	ok(m.killswitch);
	/* types this build does not know are applied as no-ops, in order */
	is_int(apply(&m, "{\"v\":1,\"seq\":7,\"ts\":1,\"type\":\"future.thing\"}"), 0);
	is_int(m.seq, 7);
	model_finish(&m);
}

static void
escalations_come_and_go(void)
{
	struct model m;
	json_t *list[4];

	model_init(&m);
	apply(&m, "{\"v\":1,\"seq\":1,\"ts\":1,\"type\":\"escalation.open\",\"run\":"
	    "\"r-1\",\"escalation\":{\"id\":\"e-b\",\"run\":\"r-1\",\"deadline_ms\":900}}");
	apply(&m, "{\"v\":1,\"seq\":2,\"ts\":1,\"type\":\"escalation.open\",\"run\":"
	    "\"r-2\",\"escalation\":{\"id\":\"e-a\",\"run\":\"r-2\",\"deadline_ms\":500}}");
	is_int(model_escalation_count(&m), 2);
	is_int(model_escalations(&m, list, 4), 2);
	/* the most urgent first */
	is_str(json_string_value(json_object_get(list[0], "id")), "e-a");
	apply(&m, "{\"v\":1,\"seq\":3,\"ts\":1,\"type\":\"escalation.decided\","
	    "\"run\":\"r-2\",\"escalation\":\"e-a\",\"outcome\":\"approved\"}");
	is_int(model_escalation_count(&m), 1);
	model_finish(&m);
}

static void
snapshot_replaces_live_keeps_history(void)
{
	struct model m;
	json_t *snap, *old;

	model_init(&m);
	old = json_pack("[{s:s, s:s, s:I}, {s:s, s:s, s:I}]",
	    "id", "r-old", "state", "done", "updated_ms", (json_int_t)1,
	    "id", "r-gone", "state", "executing", "updated_ms", (json_int_t)1);
	model_merge_runs(&m, old);
	snap = json_pack("{s:I, s:b, s:[{s:s, s:s}], s:[]}", "seq", (json_int_t)42,
	    "killswitch", 1, "runs", "id", "r-new", "state", "executing",
	    "escalations");
	model_apply_snapshot(&m, snap);
	is_int(m.seq, 42);
	ok(m.killswitch);
	ok(model_run(&m, "r-old") != NULL);	/* finished: kept */
	ok(model_run(&m, "r-gone") == NULL);	/* live before, not now: dropped */
	ok(model_run(&m, "r-new") != NULL);
	is_int(model_live_count(&m), 1);
	json_decref(old);
	json_decref(snap);
	model_finish(&m);
}

static void
rows_live_first_filtered_sorted(void)
{
	struct model m;
	const char *const *ids;
	json_t *runs = json_pack("[{s:s, s:s, s:s, s:I, s:s, s:{s:f}},"
	    " {s:s, s:s, s:s, s:I, s:s, s:{s:f}},"
	    " {s:s, s:s, s:s, s:I, s:s, s:{s:f}}]",
	    "id", "r-a", "state", "done", "agent", "deploy", "created_ms",
	    (json_int_t)3, "task", "ship v1", "usage", "cost_usd", 0.9,
	    "id", "r-b", "state", "executing", "agent", "triage", "created_ms",
	    (json_int_t)1, "task", "refund", "usage", "cost_usd", 0.1,
	    "id", "r-c", "state", "failed", "agent", "deploy", "created_ms",
	    (json_int_t)2, "task", "ship v2", "usage", "cost_usd", 0.5);

	model_init(&m);
	model_merge_runs(&m, runs);
	is_int(model_rows(&m, &ids), 3);
	is_str(ids[0], "r-b");		/* live first */
	is_str(ids[1], "r-a");		/* then newest */
	is_str(ids[2], "r-c");
	model_set_sort(&m, SORT_COST);
	model_rows(&m, &ids);
	is_str(ids[0], "r-b");
	is_str(ids[1], "r-a");		/* $0.90 before $0.50 */
	model_set_filter(&m, "agent=deploy");
	is_int(model_rows(&m, &ids), 2);
	model_set_filter(&m, "ship state=failed");
	is_int(model_rows(&m, &ids), 1);
	is_str(ids[0], "r-c");
	model_set_filter(&m, "REFUND");	/* case does not matter */
	is_int(model_rows(&m, &ids), 1);
	json_decref(runs);
	model_finish(&m);
}

static void
top_budget_is_the_most_used(void)
{
	json_t *run = json_pack("{s:{s:i, s:f}, s:{s:i, s:f, s:i}}",
	    "usage", "llm_calls", 3, "cost_usd", 0.45,
	    "budget", "llm_calls", 10, "cost_usd", 0.5, "tool_calls", 0);
	const char *kind;

	ok(fabs(model_top_budget(run, &kind) - 0.9) < 1e-9);
	is_str(kind, "cost_usd");
	json_decref(run);
	run = json_pack("{s:{}, s:{}}", "usage", "budget");
	ok(model_top_budget(run, &kind) == 0);
	ok(kind == NULL);
	json_decref(run);
}

/* A runs list as model_rows gives it: newest first. */
static void
submit(struct model *m, int64_t seq, const char *id)
{
	char ev[256];

	snprintf(ev, sizeof(ev), "{\"v\":1,\"seq\":%lld,\"ts\":%lld,\"type\":"
	    "\"run.submitted\",\"run\":\"%s\",\"agent\":\"deploy\",\"task\":\"t\","
	    "\"model\":\"sim:d\",\"dry_run\":false,\"budget\":{}}", (long long)seq,
	    (long long)(1000 + seq), id);
	is_int(apply(m, ev), 0);
}

/* The runs list changes under the cursor: it stays on its run. */
static void
selection_follows_the_id(void)
{
	struct model m;
	struct list_sel sel = { 0 };
	const char *const *ids;
	char gone[64] = "";
	size_t n;

	model_init(&m);
	submit(&m, 1, "r-a");
	submit(&m, 2, "r-b");
	submit(&m, 3, "r-c");
	n = model_rows(&m, &ids);		/* c b a */
	ok(!list_sel_sync(&sel, ids, n, gone, sizeof(gone)));
	is_str(sel.id, "r-c");			/* no id yet: the first row */
	list_sel_set(&sel, ids, n, 1);
	is_str(sel.id, "r-b");
	/* new runs arrive above it: the row changes, the run does not */
	submit(&m, 4, "r-d");
	submit(&m, 5, "r-e");
	n = model_rows(&m, &ids);		/* e d c b a */
	ok(!list_sel_sync(&sel, ids, n, gone, sizeof(gone)));
	is_str(sel.id, "r-b");
	is_int(sel.row, 3);
	is_str(ids[sel.row], "r-b");
	/* it ends and the filter leaves it out: it has left the list, the
	 * cursor goes to its neighbour below (r-a), and says which left */
	is_int(apply(&m, "{\"v\":1,\"seq\":6,\"ts\":2000,\"type\":\"run.state\","
	    "\"run\":\"r-b\",\"from\":\"queued\",\"to\":\"done\",\"reason\":\"x\"}"), 0);
	model_set_filter(&m, "state=queued");
	n = model_rows(&m, &ids);		/* e d c a */
	ok(list_sel_sync(&sel, ids, n, gone, sizeof(gone)));
	is_str(gone, "r-b");
	is_str(sel.id, "r-a");
	is_str(ids[sel.row], "r-a");
	/* the last one leaves: the one before it, now the last, is next */
	is_int(apply(&m, "{\"v\":1,\"seq\":7,\"ts\":2001,\"type\":\"run.state\","
	    "\"run\":\"r-a\",\"from\":\"queued\",\"to\":\"killed\",\"reason\":\"x\"}"), 0);
	n = model_rows(&m, &ids);		/* e d c */
	ok(list_sel_sync(&sel, ids, n, gone, sizeof(gone)));
	is_str(gone, "r-a");
	is_str(sel.id, "r-c");
	/* both neighbours gone too: the same row, clamped */
	model_set_filter(&m, "r-e");
	n = model_rows(&m, &ids);
	ok(list_sel_sync(&sel, ids, n, gone, sizeof(gone)));
	is_str(sel.id, "r-e");
	/* nothing left at all */
	model_set_filter(&m, "nothing-matches");
	n = model_rows(&m, &ids);
	ok(list_sel_sync(&sel, ids, n, gone, sizeof(gone)));
	is_str(sel.id, "");
	model_finish(&m);
}

static void
selection_scrolls_into_view(void)
{
	static const char *const ids[] = { "a", "b", "c", "d", "e", "f", "g" };
	struct list_sel sel = { 0 };

	list_sel_set(&sel, ids, 7, 5);
	list_sel_scroll(&sel, 7, 3);
	is_int(sel.top, 3);			/* rows 3 4 5 shown */
	list_sel_set(&sel, ids, 7, 1);
	list_sel_scroll(&sel, 7, 3);
	is_int(sel.top, 1);
	list_sel_set(&sel, ids, 7, 99);		/* clamped to the last */
	is_str(sel.id, "g");
	list_sel_scroll(&sel, 7, 10);
	is_int(sel.top, 0);			/* it all fits */
}

/* The paging contract: no cursor on a first page, the cursor of the
 * last reply after it, until a reply has none. */
static void
two_pages_of_runs(void)
{
	struct model m;
	struct pager p = { 0 };
	const char *const *ids;
	json_t *req, *page1, *page2;

	model_init(&m);
	pager_start(&p, json_pack("{s:i}", "limit", 500), 500);
	req = pager_request(&p);
	ok(json_object_get(req, "cursor") == NULL);
	is_int(json_integer_value(json_object_get(req, "limit")), 500);
	json_decref(req);
	page1 = json_pack("{s:[{s:s, s:s, s:I}, {s:s, s:s, s:I}], s:s}", "runs",
	    "id", "r-1", "state", "done", "created_ms", (json_int_t)3,
	    "id", "r-2", "state", "failed", "created_ms", (json_int_t)2,
	    "next", "c-opaque-1");
	model_merge_runs(&m, json_object_get(page1, "runs"));
	ok(pager_reply(&p, page1, "next", 2));
	req = pager_request(&p);
	is_str(json_string_value(json_object_get(req, "cursor")), "c-opaque-1");
	is_int(json_integer_value(json_object_get(req, "limit")), 500);
	json_decref(req);
	page2 = json_pack("{s:[{s:s, s:s, s:I}], s:n}", "runs", "id", "r-3",
	    "state", "done", "created_ms", (json_int_t)1, "next");
	model_merge_runs(&m, json_object_get(page2, "runs"));
	ok(!pager_reply(&p, page2, "next", 1));	/* null: the last page */
	is_int(model_rows(&m, &ids), 3);
	is_str(ids[2], "r-3");
	/* an agentd without paging has no "next": one page, no error */
	pager_start(&p, NULL, 0);
	ok(!pager_reply(&p, page1 /* any body */, "no_such_field", 2));
	req = pager_request(&p);
	is_int(json_object_size(req), 0);
	json_decref(req);
	/* enough items: no further page even with a cursor */
	pager_start(&p, json_pack("{s:i}", "limit", 2), 2);
	ok(!pager_reply(&p, page1, "next", 2));
	pager_finish(&p);
	json_decref(page1);
	json_decref(page2);
	model_finish(&m);
}

/* A snapshot whose live runs continue in pages: what was live and is in
 * none of them is dropped only when the last page is in. */
static void
snapshot_in_pages(void)
{
	struct model m;
	json_t *snap, *page, *old;

	model_init(&m);
	old = json_pack("[{s:s, s:s}, {s:s, s:s}]", "id", "r-paged", "state",
	    "executing", "id", "r-ended", "state", "executing");
	model_merge_runs(&m, old);
	snap = json_pack("{s:I, s:b, s:[{s:s, s:s}], s:[], s:s}", "seq",
	    (json_int_t)9, "killswitch", 0, "runs", "id", "r-first", "state",
	    "planning", "escalations", "runs_next", "c-1");
	model_apply_snapshot(&m, snap);
	ok(model_run(&m, "r-paged") != NULL);	/* not yet known to be gone */
	ok(model_run(&m, "r-ended") != NULL);
	page = json_pack("[{s:s, s:s, s:s, s:b}]", "id", "r-paged", "state",
	    "executing", "task", "a long task cut by agentd", "task_truncated", 1);
	model_merge_live(&m, page);
	model_snapshot_done(&m, true);
	ok(model_run(&m, "r-paged") != NULL);
	ok(model_run(&m, "r-first") != NULL);
	ok(model_run(&m, "r-ended") == NULL);	/* no page listed it */
	ok(json_is_true(json_object_get(model_run(&m, "r-paged"), "task_truncated")));
	json_decref(old);
	json_decref(snap);
	json_decref(page);
	model_finish(&m);
}

/* Tasks and outputs are kept as excerpts, cut on a character. */
static void
long_tasks_are_excerpts(void)
{
	struct model m;
	char task[2000], ev[2400];
	const char *kept;

	model_init(&m);
	memset(task, 'x', sizeof(task));
	memcpy(task + 510, "\xc3\xa9", 2);	/* é across the 512-byte mark */
	task[sizeof(task) - 1] = '\0';
	snprintf(ev, sizeof(ev), "{\"v\":1,\"seq\":1,\"ts\":1,\"type\":"
	    "\"run.submitted\",\"run\":\"r-1\",\"agent\":\"a\",\"task\":\"%s\","
	    "\"model\":\"sim:d\",\"dry_run\":false,\"budget\":{}}", task);
	is_int(apply(&m, ev), 0);
	kept = json_string_value(json_object_get(model_run(&m, "r-1"), "task"));
	t_bail_if(kept == NULL);
	is_int(strlen(kept), 512);
	ok(json_is_true(json_object_get(model_run(&m, "r-1"), "task_truncated")));
	model_finish(&m);
}

static void
line_editor(void)
{
	struct lineedit *e = calloc(1, sizeof(*e));

	t_bail_if(e == NULL);
	lineedit_set(e, "hello world");
	is_int(e->cur, 11);
	lineedit_op(e, LE_HOME);
	lineedit_insert(e, ">", 1);
	is_str(e->text, ">hello world");
	lineedit_op(e, LE_END);
	lineedit_op(e, LE_CUT_WORD);		/* ^W */
	is_str(e->text, ">hello ");
	lineedit_op(e, LE_YANK);		/* ^Y */
	is_str(e->text, ">hello world");
	lineedit_op(e, LE_WORD_LEFT);
	is_int(e->cur, 7);
	lineedit_op(e, LE_CUT_END);		/* ^K */
	is_str(e->text, ">hello ");
	lineedit_op(e, LE_LEFT);
	lineedit_op(e, LE_LEFT);
	lineedit_op(e, LE_BACKSPACE);
	is_str(e->text, ">helo ");
	lineedit_op(e, LE_DELETE);
	is_str(e->text, ">hel ");
	lineedit_op(e, LE_CUT_START);		/* ^U */
	is_str(e->text, " ");
	is_int(e->cur, 0);
	/* characters, not bytes */
	lineedit_set(e, "caf\xc3\xa9");
	lineedit_op(e, LE_LEFT);
	is_int(e->cur, 3);
	lineedit_op(e, LE_DELETE);
	is_str(e->text, "caf");
	lineedit_op(e, LE_BACKSPACE);
	lineedit_insert(e, "\xc3", 1);		/* as curses gives them */
	lineedit_insert(e, "\xa9", 1);
	is_str(e->text, "ca\xc3\xa9");
	free(e);
}

/* The field scrolls sideways to keep the cursor in view. */
static void
line_editor_window(void)
{
	struct lineedit *e = calloc(1, sizeof(*e));
	size_t first, n;
	bool l, r;
	int col;

	t_bail_if(e == NULL);
	/* fits: no scrolling */
	lineedit_set(e, "KILL");
	col = lineedit_window(e, 20, &first, &n, &l, &r);
	is_int(col, 4);
	is_int(first, 0);
	ok(!l && !r);
	/* 100 characters in a field of 30: the end and the cursor shown */
	lineedit_set(e, "{\"env\":\"production\",\"service\":\"checkout-api\","
	    "\"strategy\":\"canary\",\"version\":\"v2.4.1\",\"note\":\"xyzxyz\"}");
	col = lineedit_window(e, 30, &first, &n, &l, &r);
	ok(col >= 1 && col <= 28);
	ok(l && !r);
	is_int(first + n, e->len);		/* the typed end is visible */
	is_int((int)first + col, (int)e->cur);	/* the cursor is where it is */
	/* Home: the start, the rest marked as more */
	lineedit_op(e, LE_HOME);
	col = lineedit_window(e, 30, &first, &n, &l, &r);
	is_int(col, 0);
	is_int(first, 0);
	ok(!l && r);
	/* moving right scrolls only when the cursor would leave the field */
	for (int i = 0; i < 28; i++)
		lineedit_op(e, LE_RIGHT);
	col = lineedit_window(e, 30, &first, &n, &l, &r);
	is_int(first, 0);
	is_int(col, 28);
	lineedit_op(e, LE_RIGHT);
	col = lineedit_window(e, 30, &first, &n, &l, &r);
	is_int(first, 1);
	is_int(col, 28);
	free(e);
}

/* The search runs over the text, not the wrapped lines. */
static void
search_across_a_wrap(void)
{
	struct doc d;
	struct doc_match mt;
	size_t hits[4][2], len;
	const char *text;
	/* one long token: the wrap at 40 columns splits "canary" (38..44) */
	const char *msg = "{\"service\":\"checkout-api\",\"strategy\":\"canary\"}";

	doc_init(&d, 100);
	doc_addf(&d, ROLE_TITLE, "MESSAGES");
	doc_add_wrapped(&d, ROLE_NORMAL, "  user   ", msg, 40 + 9 + 1, 0);
	t_bail_if(d.n < 3);
	text = doc_text(&d, 1, &len);
	is_int(len, 40);
	/* the line is cut inside the word: no line holds it whole */
	ok(strstr(text, "can") != NULL && memmem(text, len, "canary", 6) == NULL);
	is_int(doc_search(&d, "CANARY", NULL, 0, 1, &mt), 0);
	is_int(mt.line, 1);
	is_int(doc_count(&d, "canary"), 1);
	/* both lines show their part of the match */
	is_int(doc_hits(&d, 1, "canary", hits, 4), 1);
	is_int(hits[0][0], 38);			/* "ca" */
	is_int(hits[0][1], 40);
	is_int(doc_hits(&d, 2, "canary", hits, 4), 1);
	is_int(hits[0][0], 0);			/* "nary" */
	is_int(hits[0][1], 4);
	/* next wraps around to the same one; previous too */
	is_int(doc_search(&d, "canary", &mt, 0, 1, &mt), 0);
	is_int(mt.line, 1);
	is_int(doc_search(&d, "canary", &mt, 0, -1, &mt), 0);
	is_int(mt.line, 1);
	ok(doc_search(&d, "nowhere", NULL, 0, 1, &mt) != 0);
	/* words wrap at spaces when they fit */
	doc_clear(&d);
	doc_add_wrapped(&d, ROLE_NORMAL, "", "the quick canary rollout is healthy",
	    21, 0);
	is_int(d.n, 2);
	text = doc_text(&d, 0, &len);
	is_int(len, 16);
	ok(strncmp(text, "the quick canary", len) == 0);
	/* a match over the space at a break: on both lines */
	is_int(doc_search(&d, "canary rollout", NULL, 0, 1, &mt), 0);
	is_int(doc_hits(&d, 0, "canary rollout", hits, 4), 1);
	is_int(doc_hits(&d, 1, "canary rollout", hits, 4), 1);
	is_int(hits[0][1], 7);			/* "rollout" */
	doc_finish(&d);
}

static void
header_by_priority(void)
{
	struct hdr_part p[] = {
		{ " agentop ", 30, false, 0 },
		{ " agentd 0.1.0 ", 10, false, 0 },
		{ " runs 120 live ", 50, false, 0 },
		{ " 10 ev/s ", 20, false, 0 },
		{ " ESC 717 ", HDR_KEEP, false, 0 },
		{ "  DISCONNECTED  ", HDR_KEEP, false, 0 },
		{ " 12:34:56 ", 0, true, 0 },
	};

	layout_header(p, 7, 100);		/* all of it */
	for (int i = 0; i < 7; i++)
		ok(p[i].x >= 0);
	is_int(p[6].x, 90);			/* the clock at the right edge */
	layout_header(p, 7, 60);		/* the clock first, then the version */
	is_int(p[6].x, -1);
	is_int(p[1].x, -1);
	ok(p[4].x >= 0 && p[5].x >= 0);
	is_int(p[5].x + utf8_width(p[5].text) <= 60, 1);
	layout_header(p, 7, 30);		/* only what must stay */
	for (int i = 0; i < 4; i++)
		is_int(p[i].x, -1);
	is_int(p[4].x, 0);
	is_int(p[5].x, 9);
}

static void
columns_leave_room_for_text(void)
{
	struct col c[] = { { 12, 12, 9, 0 }, { 14, 8, 2, 0 }, { 4, 0, 0, 0 },
	    { 14, 11, 1, 0 } };
	int text;

	text = layout_columns(c, 4, 120, 1, 40);
	is_int(text, 120 - 12 - 14 - 4 - 14 - 4);
	text = layout_columns(c, 4, 80, 1, 40);
	is_int(c[2].w, 0);			/* the step gave up first */
	is_int(c[3].w, 11);			/* then the date, as far as needed */
	is_int(c[1].w, 14);
	is_int(text, 40);
	text = layout_columns(c, 4, 80, 1, 46);
	is_int(c[1].w, 8);			/* then the agent */
	is_int(c[0].w, 12);			/* the id never */
	is_int(text, 46);
}

static void
long_questions_wrap_above(void)
{
	char above[3][256], inl[300];
	int n;

	n = layout_question("filter:", 80, 26, above, 3, inl, sizeof(inl));
	is_int(n, 0);
	is_str(inl, "filter:");
	n = layout_question("ENGAGE THE KILL SWITCH: every live run is killed, new "
	    "runs refused.\nType KILL to confirm:", 80, 26, above, 3, inl,
	    sizeof(inl));
	is_int(n, 1);
	is_str(above[0], "ENGAGE THE KILL SWITCH: every live run is killed, new "
	    "runs refused.");
	is_str(inl, "Type KILL to confirm:");
	/* wide enough: one line, the break a space */
	n = layout_question("ENGAGE THE KILL SWITCH: every live run is killed, new "
	    "runs refused.\nType KILL to confirm:", 160, 40, above, 3, inl,
	    sizeof(inl));
	is_int(n, 0);
	has_str(inl, "refused. Type KILL");
	/* at 40 columns: wrapped above, its last words with the field */
	n = layout_question("approve e-1 (run r-2): run deploy_service with the "
	    "model's arguments? (y/n)", 40, 2, above, 3, inl, sizeof(inl));
	ok(n >= 1);
	for (int i = 0; i < n; i++)
		ok(utf8_width(above[i]) <= 40);
	ok(utf8_width(inl) <= 37);
	has_str(inl, "(y/n)");
}

/* Wide characters in the prompt and in wrapped text: columns, not
 * characters (CJK and emoji take two; utf8.h). */
static void
wide_characters_take_two_columns(void)
{
	/* 十个汉字 and more: 20 CJK characters, 40 columns */
	static const char cjk[] = "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89"
	    "\xe5\x9b\x9b\xe4\xba\x94\xe5\x85\xad\xe4\xb8\x83"
	    "\xe5\x85\xab\xe4\xb9\x9d\xe5\x8d\x81";	/* 10 × 3 bytes */
	struct lineedit *e = calloc(1, sizeof(*e));
	char text[128];
	size_t first, n, next, len;
	bool l, r;
	int col;

	t_bail_if(e == NULL || setlocale(LC_CTYPE, "C.UTF-8") == NULL);
	snprintf(text, sizeof(text), "%s%s", cjk, cjk);
	/* 40 columns in a field of 30: the cursor at the end is at most at
	 * column 28, and what is shown fits */
	lineedit_set(e, text);
	col = lineedit_window(e, 30, &first, &n, &l, &r);
	ok(l && !r);
	ok(col >= 1 && col <= 28);
	is_int(first + n, e->len);
	ok(utf8_width_n(e->text + first, n) <= 30);
	is_int(utf8_width_n(e->text + first, n), col);
	/* fits: the cursor after 4 wide characters is at column 8 */
	lineedit_set(e, "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89"
	    "\xf0\x9f\x98\x80");
	col = lineedit_window(e, 20, &first, &n, &l, &r);
	is_int(col, 8);
	ok(!l && !r);
	/* wrapping 20 CJK characters in 15 columns: 7 a line (14 columns),
	 * never a character cut in two */
	len = strlen(text);
	is_int(layout_wrap(text, len, 15, &next), 21);
	is_int(next, 21);
	is_int(utf8_width_n(text, 21), 14);
	/* a character wider than the line still moves on */
	is_int(layout_wrap(text, len, 1, &next), 3);
	is_int(next, 3);
	free(e);
}

#define TESTS(X) \
	X(events_build_a_run) \
	X(gaps_and_duplicates) \
	X(streamed_thinking_then_answer) \
	X(escalations_come_and_go) \
	X(snapshot_replaces_live_keeps_history) \
	X(rows_live_first_filtered_sorted) \
	X(top_budget_is_the_most_used) \
	X(selection_follows_the_id) \
	X(selection_scrolls_into_view) \
	X(two_pages_of_runs) \
	X(snapshot_in_pages) \
	X(long_tasks_are_excerpts) \
	X(line_editor) \
	X(line_editor_window) \
	X(search_across_a_wrap) \
	X(header_by_priority) \
	X(columns_leave_room_for_text) \
	X(long_questions_wrap_above) \
	X(wide_characters_take_two_columns)
T_MAIN(TESTS)
