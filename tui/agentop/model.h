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

enum sort_key { SORT_AGE, SORT_COST, SORT_TOKENS, SORT_STATE, SORT_AGENT,
	SORT__COUNT };

struct model {
	enum conn_state conn;
	int64_t conn_since;		/* wall ms of the last change of conn */
	char role[16];			/* "admin" or "viewer" (from hello) */
	char version[32];		/* agentd's version */
	int64_t seq;			/* last event applied */
	bool killswitch;
	struct json_t *runs;		/* object: id → run summary */
	struct json_t *escalations;	/* object: id → pending escalation */
	struct json_t *health;		/* last health body, or NULL */
	unsigned dirty;			/* MODEL_DIRTY_* */

	/* the runs view's rows: live first, then by the sort key */
	char **order;			/* run ids (owned) */
	size_t n_order, cap_order;
	bool order_stale;
	enum sort_key sort;
	char filter[128];		/* "/" filter: words, or key=value */

	struct json_t *history;		/* last history search result (array) */

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

/* A snapshot (live runs, pending escalations, seq) replaces what was live. */
void model_apply_snapshot(struct model *m, const struct json_t *body);
/* Runs from runs.list / history: merged (a live run's summary wins). */
void model_merge_runs(struct model *m, const struct json_t *runs);
void model_set_health(struct model *m, const struct json_t *body);
void model_set_detail(struct model *m, const char *run, struct json_t *body);
/* Steals @runs (array). */
void model_set_history(struct model *m, struct json_t *runs);

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

/* Tick the events/s estimate. */
void model_tick_rate(struct model *m, int64_t now);

#endif
