/*
 * What agentop knows of agentd: pure state, no curses, no sockets. The
 * client (client.c) feeds it snapshots, replies and events; the views
 * draw from it. Runs and escalations are kept as the daemon's own JSON
 * objects (docs/protocol.md), updated in place by events.
 */
#ifndef AGENTOP_MODEL_H
#define AGENTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;
struct ipc_event;

static inline const char *
str_or(const char *s, const char *def)
{
	return s != NULL ? s : def;
}

enum conn_state {
	CONN_CONNECTING,	/* never reached agentd yet */
	CONN_SYNCING,		/* reached it, catching up (snapshot, events) */
	CONN_LIVE,		/* following events */
	CONN_LOST,		/* it went away: what is shown may be stale */
};

/* What changed, so that views redraw only when needed. */
#define MODEL_STREAM_TAIL	600	/* bytes of streamed text kept per run */

#define MODEL_DIRTY_RUNS	0x01
#define MODEL_DIRTY_ESC		0x02
#define MODEL_DIRTY_STATUS	0x04
#define MODEL_DIRTY_HEALTH	0x08
#define MODEL_DIRTY_DETAIL	0x10	/* the run open in the detail view */
#define MODEL_DIRTY_ALL		0xff

#define MODEL_EXCERPT	512	/* bytes of a run's task and output kept in lists */

enum sort_key { SORT_AGE, SORT_COST, SORT_TOKENS, SORT_STATE, SORT_AGENT,
	SORT__COUNT };

struct model {
	enum conn_state conn;
	int64_t conn_since;		/* wall ms of the last change of conn */
	bool unreachable;		/* CONN_CONNECTING: the first attempt had
					 * its chance and failed (else: neutral) */
	char role[16];			/* "admin" or "viewer" (from hello) */
	char version[32];		/* agentd's version */
	int64_t seq;			/* last event applied */
	bool killswitch;
	struct json_t *runs;		/* object: id → run summary */
	struct json_t *escalations;	/* object: id → pending escalation */
	struct json_t *esc_closed;	/* object: id → {run, outcome} of the
					 * escalations decided lately (bounded) */
	struct json_t *snap_seen;	/* during a snapshot's pages: the live
					 * runs it listed (object id → true) */
	struct json_t *health;		/* last health body, or NULL */
	unsigned dirty;			/* MODEL_DIRTY_* */

	/* the runs view's rows: live first, then by the sort key */
	char **order;			/* run ids (owned) */
	size_t n_order, cap_order;
	bool order_stale;
	enum sort_key sort;
	char filter[128];		/* "/" filter: words, or key=value */

	struct json_t *history;		/* last history search result (array) */
	bool history_more;		/* agentd has more pages of it */

	char detail_run[32];		/* run open in the detail view */
	bool detail_stale;		/* its events came after the last fetch */
	struct json_t *detail;		/* its runs.get body, or NULL */

	int64_t events_applied;		/* since start */
	double events_rate;		/* events/s, smoothed */
	int64_t rate_mark_ms, rate_mark_count;
};

void model_init(struct model *m);
void model_finish(struct model *m);
void model_set_conn(struct model *m, enum conn_state conn, int64_t now);

/*
 * A snapshot (live runs, pending escalations, seq) replaces what was live.
 * Its runs may come in pages (runs_next, then runs.list live pages, given
 * to model_merge_live); when the last page is in, model_snapshot_done
 * drops the live runs none of them listed (@complete false: the pages
 * could not all be read, so nothing is dropped).
 */
void model_apply_snapshot(struct model *m, const struct json_t *body);
void model_merge_live(struct model *m, const struct json_t *runs);
void model_snapshot_done(struct model *m, bool complete);
/* Runs from runs.list / history: merged (a live run's summary wins). */
void model_merge_runs(struct model *m, const struct json_t *runs);
void model_set_health(struct model *m, const struct json_t *body);
void model_set_detail(struct model *m, const char *run, struct json_t *body);
/* Steals @runs (array): a new result, or with @append its next page. */
void model_set_history(struct model *m, struct json_t *runs, bool append);

/*
 * Applies one event. Returns 0, 1 when it was already applied (seq <= m->seq:
 * ignored), or -1 when events are missing before it (a gap: resync first).
 */
int model_apply_event(struct model *m, const struct ipc_event *ev);

/* The runs view's rows, rebuilt if stale. Borrowed until the next call. */
size_t model_rows(struct model *m, const char *const **ids);
struct json_t *model_run(const struct model *m, const char *id);
/* Pending escalations, oldest deadline first: array of borrowed objects. */
size_t model_escalations(const struct model *m, struct json_t **out, size_t max);
size_t model_escalation_count(const struct model *m);
size_t model_live_count(const struct model *m);

/* Does the run match the filter ("word word", "state=failed", "agent=x")? */
bool model_filter_match(const char *filter, const struct json_t *run);
void model_set_filter(struct model *m, const char *filter);
void model_set_sort(struct model *m, enum sort_key key);
const char *model_sort_name(enum sort_key key);

/* The most used budget of a run: fraction (0..) and kind name. */
double model_top_budget(const struct json_t *run, const char **kind);

/* The outcome of a decided escalation ("approved"…) and its run, if
 * known; NULL otherwise. */
const char *model_esc_outcome(const struct model *m, const char *id,
    const char **run);

/*
 * A list's cursor: it follows an item's id, not a screen row, so it stays
 * on the same run or escalation while the list changes under it.
 */
struct list_sel {
	char id[64];			/* the selected item; "" until there is one */
	size_t row;			/* its row at the last sync */
	size_t top;			/* the first row shown */
	char before[64], after[64];	/* its neighbours then */
};

/*
 * Finds the selection in @ids (@n rows, in the order shown) and sets
 * s->row. When its id is no longer there, it moves to the nearest of its
 * old neighbours still listed (the one after it, then the one before),
 * else to the same row; then @gone gets the id that left and it returns
 * true. With no id yet, the first row is selected.
 */
bool list_sel_sync(struct list_sel *s, const char *const *ids, size_t n,
    char *gone, size_t gonelen);
/* Selects row @row (clamped to the list). */
void list_sel_set(struct list_sel *s, const char *const *ids, size_t n,
    size_t row);
/* Moves s->top so that the selection is among the @rows rows shown. */
void list_sel_scroll(struct list_sel *s, size_t n, size_t rows);

/*
 * Following a list's pages (docs/protocol.md, paging): the first page's
 * request, then the same with the cursor ("next") of the last reply,
 * until a reply has none or enough items came.
 */
struct pager {
	struct json_t *query;		/* the first page's request body (owned) */
	char *next;			/* the last reply's cursor; NULL: no more */
	size_t got;			/* items so far */
	size_t want;			/* enough after this many (0: all) */
	unsigned gen;			/* which query (a new one drops old replies) */
};

/* Starts over with @query (stolen; NULL: an empty body). */
void pager_start(struct pager *p, struct json_t *query, size_t want);
/* The body of the next request: the query, with "cursor" only when a
 * reply gave one (never on a first page). New reference. */
struct json_t *pager_request(const struct pager *p);
/* Takes a reply: @field ("next", or "runs_next" of a snapshot) and the
 * number of @items it held. True when another page is due. */
bool pager_reply(struct pager *p, const struct json_t *body,
    const char *field, size_t items);
void pager_finish(struct pager *p);

/* Tick the events/s estimate. */
void model_tick_rate(struct model *m, int64_t now);

#endif
