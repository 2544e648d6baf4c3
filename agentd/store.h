/*
 * The database: every SQL statement of agentd lives in store.c. SQLite in
 * WAL mode; migrations with PRAGMA user_version. Writes go into one open
 * transaction that the engine commits once per loop iteration
 * (store_commit), so a batch of events costs one commit.
 */
#ifndef AGENTD_STORE_H
#define AGENTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;
struct run;
struct escalation;
struct store;

#define STORE_CHECKPOINTS_KEPT	3	/* per run; older ones are deleted */
/* A commit that leaves the write-ahead log larger than this has it start
 * over: the log file stays under this plus the largest commit. */
#define STORE_WAL_MAX_MIB	16

/* Opens (creating) @path. Errors are logged with the path. */
int store_open(const char *path, struct store **out);
void store_close(struct store *st);

/* Starts the batch transaction if none is open. */
int store_begin(struct store *st);
/* Commits the open transaction (if any). On failure it is rolled back and
 * everything written since store_begin is gone: the caller writes it again. */
int store_commit(struct store *st);
void store_rollback(struct store *st);
bool store_in_transaction(const struct store *st);

/* Highest event seq stored, 0 if none. */
int store_max_seq(struct store *st, int64_t *out);

/* Writes (inside the batch). Borrow everything. */
int store_put_event(struct store *st, int64_t seq, int64_t ts,
    const char *run, const char *type, const char *json);
int store_put_run(struct store *st, const struct run *run);
int store_put_checkpoint(struct store *st, const char *run, int step,
    int64_t ts, const char *json);
int store_put_message(struct store *st, const char *run, size_t idx,
    const char *json);
int store_put_escalation(struct store *st, const struct escalation *esc);
int store_put_audit(struct store *st, int64_t ts, uint32_t uid,
    const char *op, const char *target, const char *detail,
    const char *result);
int store_set_setting(struct store *st, const char *key, const char *value);

/* Reads. Returned json_t references are new. */
/* Value of a setting, a new string, or NULL. */
char *store_get_setting(struct store *st, const char *key);
/* Events with seq > @since (all runs if @run is NULL), at most @limit. */
/* Where a page of a newest-first list goes on: after the item created at
 * @ms with id @id. */
struct store_cursor {
	int64_t ms;
	char id[32];
};

/* Events after @since, up to @limit of them and about @max_bytes of text
 * (at least one); *more: events were left. An event stored larger than
 * CAP_EVENT_MAX (before events were capped) comes as its envelope with
 * "cut". */
struct json_t *store_events_since(struct store *st, int64_t since,
    const char *run, const char *type_prefix, int limit, size_t max_bytes,
    bool *more);
/* The events a run's trace is built from (run.state, span.*, llm.retry),
 * oldest first, within the same bounds. */
struct json_t *store_trace_events(struct store *st, const char *run,
    int limit, size_t max_bytes, bool *more);
/* One run's row as an object, or NULL if unknown. */
struct json_t *store_run_get(struct store *st, const char *id);
/* Runs matching the filters (each may be NULL / 0), newest first. */
/* Page by page (@after: NULL for the first), up to @limit rows and about
 * @max_bytes; task and output are excerpts (task_truncated,
 * output_truncated). *more: rows were left. */
struct json_t *store_runs_query(struct store *st, const char *agent,
    const char *state, const char *grep, int64_t since_ms, int64_t until_ms,
    bool live_only, const struct store_cursor *after, int limit,
    size_t max_bytes, bool *more);
/* Ids of runs in a live state (array of strings). */
struct json_t *store_live_run_ids(struct store *st);
/* The latest checkpoint of a run into *out (a new reference; NULL when it
 * has none): 0, or -EINVAL when the stored text is not a JSON object
 * (then *out is NULL too, and the caller must not take it for "none"). */
int store_checkpoint_latest(struct store *st, const char *run,
    struct json_t **out);
/* The first @count messages of a run, in order (array). */
struct json_t *store_messages(struct store *st, const char *run, size_t count);
/* Escalations, newest first: all of a run (@run set), or by state; a page
 * after @after (NULL: the first), up to @limit and about @max_bytes. */
struct json_t *store_escalations(struct store *st, const char *run,
    const char *state, const struct store_cursor *after, int limit,
    size_t max_bytes, bool *more);
/* One escalation by id, or NULL. */
struct json_t *store_escalation_get(struct store *st, const char *id);
/* Counts for health: events total. */
int store_count_events(struct store *st, int64_t *out);
/* Spend of runs created since @since_ms. */
int store_spend_since(struct store *st, int64_t since_ms, double *out);

/* Replies of mutating requests (idempotency across restarts). */
int store_put_request(struct store *st, uint32_t uid, int64_t id,
    const char *type, int64_t ts, const char *reply);
/* A new string, or NULL if that request was never answered. */
char *store_get_request(struct store *st, uint32_t uid, int64_t id,
    const char *type);
/* Retention, a bounded number of rows at a time; each returns how many
 * rows it deleted or a negative errno. Replies older than @before_ms: */
int store_trim_requests(struct store *st, int64_t before_ms, int limit);
/* Audit rows older than @before_ms or beyond the newest @max_rows, among
 * the oldest @limit: */
int store_trim_audit(struct store *st, int64_t before_ms, int64_t max_rows,
    int limit);
/* Among the @limit events after *@from: those of runs that ended before
 * @before_ms and the daemon's own older than that (never the last event).
 * *@from moves on past them, or back to 0 when the rest is younger. */
int store_trim_events(struct store *st, int64_t before_ms, int64_t *from,
    int limit);

/* The LLM response cache. A new string: the reply stored for @key when
 * its request text is exactly @request and it was stored at or after
 * @since_ms, else NULL. */
char *store_cache_get(struct store *st, const char *key, const char *request,
    int64_t since_ms);
/* Writes (inside the batch when one is open). */
int store_cache_put(struct store *st, const char *key, const char *request,
    int64_t ts, const char *reply);
int store_cache_trim(struct store *st, int64_t before_ms);

/* Records an operator's rating of a run (inside the batch). */
int store_rate_run(struct store *st, const char *run, const char *rating,
    const char *note, uint32_t uid, int64_t ts);

/* Caps the database at @pages pages (SQLITE_FULL past it, as a full disk
 * would); a large number lifts the cap. */
int store_limit_pages(struct store *st, int64_t pages);
int store_page_count(struct store *st, int64_t *out);

#endif
