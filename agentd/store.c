/* All SQL of agentd: schema, migrations, prepared statements. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "agent.h"
#include "escalation.h"
#include "cap.h"
#include "log.h"
#include "run.h"
#include "store.h"
#include "util.h"

#define SCHEMA_VERSION 4

static const char *const migrations[SCHEMA_VERSION] = {
	/* 1: the first schema */
	"CREATE TABLE runs("
	"  id TEXT PRIMARY KEY,"
	"  agent TEXT NOT NULL,"
	"  task TEXT NOT NULL,"
	"  model TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  reason TEXT,"
	"  dry_run INTEGER NOT NULL,"
	"  parent TEXT,"
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  ended_ms INTEGER,"
	"  step INTEGER NOT NULL,"
	"  usage TEXT NOT NULL,"
	"  budget TEXT NOT NULL,"
	"  cost_unknown INTEGER NOT NULL,"
	"  output TEXT);"
	"CREATE INDEX runs_state ON runs(state);"
	"CREATE INDEX runs_created ON runs(created_ms);"
	"CREATE TABLE events("
	"  seq INTEGER PRIMARY KEY,"
	"  ts_ms INTEGER NOT NULL,"
	"  run TEXT,"
	"  type TEXT NOT NULL,"
	"  body TEXT NOT NULL);"
	"CREATE INDEX events_run ON events(run, seq);"
	"CREATE TABLE checkpoints("
	"  run TEXT NOT NULL,"
	"  step INTEGER NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  data TEXT NOT NULL,"
	"  PRIMARY KEY(run, step)) WITHOUT ROWID;"
	"CREATE TABLE messages("
	"  run TEXT NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY(run, idx)) WITHOUT ROWID;"
	"CREATE TABLE escalations("
	"  id TEXT PRIMARY KEY,"
	"  run TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  body TEXT NOT NULL);"
	"CREATE INDEX escalations_state ON escalations(state, created_ms);"
	"CREATE INDEX escalations_run ON escalations(run);"
	"CREATE TABLE audit("
	"  id INTEGER PRIMARY KEY,"
	"  ts_ms INTEGER NOT NULL,"
	"  uid INTEGER,"
	"  op TEXT NOT NULL,"
	"  target TEXT,"
	"  detail TEXT,"
	"  result TEXT NOT NULL);"
	"CREATE TABLE settings("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 2: replies of mutating requests, so that a request resent after a
	 * restart gets its first answer instead of acting twice */
	"CREATE TABLE requests("
	"  uid INTEGER NOT NULL,"
	"  id INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  reply TEXT NOT NULL,"
	"  PRIMARY KEY(uid, id, type)) WITHOUT ROWID;"
	"CREATE INDEX requests_ts ON requests(ts_ms);",
	/* 3: operators rate finished runs (good / bad + note) */
	"ALTER TABLE runs ADD COLUMN rating TEXT;"
	"ALTER TABLE runs ADD COLUMN rating_note TEXT;"
	"CREATE TABLE feedback("
	"  id INTEGER PRIMARY KEY,"
	"  run TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  uid INTEGER,"
	"  rating TEXT NOT NULL,"
	"  note TEXT);"
	"CREATE INDEX feedback_run ON feedback(run);",
	/* 4: the optional LLM response cache (off unless AGENTD_CACHE_TTL_S) */
	"CREATE TABLE llm_cache("
	"  key TEXT PRIMARY KEY,"
	"  ts_ms INTEGER NOT NULL,"
	"  request TEXT NOT NULL,"
	"  reply TEXT NOT NULL) WITHOUT ROWID;",
};

enum stmt {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_MAX_SEQ, S_PUT_EVENT, S_PUT_RUN, S_PUT_CHECKPOINT, S_TRIM_CHECKPOINTS,
	S_PUT_MESSAGE, S_PUT_ESCALATION, S_PUT_AUDIT, S_SET_SETTING,
	S_GET_SETTING, S_EVENTS_ALL, S_EVENTS_RUN, S_EVENTS_TRACE, S_RUN_GET, S_LIVE_IDS,
	S_CHECKPOINT_LATEST, S_MESSAGES, S_ESC_RUN, S_ESC_STATE, S_ESC_ALL, S_ESC_GET,
	S_COUNT_EVENTS, S_SPEND_SINCE, S_PUT_REQUEST, S_GET_REQUEST,
	S_TRIM_REQUESTS, S_TRIM_AUDIT, S_TRIM_EVENTS, S_EVENTS_WINDOW, S_RATE_RUN, S_PUT_FEEDBACK,
	S_CACHE_GET, S_CACHE_PUT, S_CACHE_TRIM,
	S__COUNT
};

#define RUN_COLUMNS "id, agent, task, model, state, reason, dry_run, parent, " \
	"created_ms, updated_ms, ended_ms, step, usage, budget, cost_unknown, output"
/* what reads of a run return: the columns above and the operators' rating */
#define RUN_SELECT RUN_COLUMNS ", rating, rating_note"
/* the same columns for lists: task and output cut in SQL to what becomes
 * an excerpt of CAP_EXCERPT bytes (513 characters are more than 512 bytes
 * whenever the text was longer) */
#define RUN_LIST_SELECT "id, agent, substr(task, 1, 513), model, state, " \
	"reason, dry_run, parent, created_ms, updated_ms, ended_ms, step, usage, " \
	"budget, cost_unknown, substr(output, 1, 513), rating, rating_note"
#define ESC_AFTER "(:after_ms IS NULL OR created_ms < :after_ms OR " \
	"(created_ms = :after_ms AND id > :after_id))"
#define LIVE_STATES "('queued','planning','executing','reflecting'," \
	"'awaiting_human','paused')"

static const char *const sql[S__COUNT] = {
	[S_CACHE_GET] = "SELECT reply FROM llm_cache WHERE key = ? AND "
	    "request = ? AND ts_ms >= ?",
	[S_CACHE_PUT] = "INSERT OR REPLACE INTO llm_cache(key, ts_ms, request, "
	    "reply) VALUES (?, ?, ?, ?)",
	[S_CACHE_TRIM] = "DELETE FROM llm_cache WHERE ts_ms < ?",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_MAX_SEQ] = "SELECT coalesce(max(seq), 0) FROM events",
	[S_PUT_EVENT] = "INSERT INTO events(seq, ts_ms, run, type, body) "
	    "VALUES (?, ?, ?, ?, ?)",
	[S_PUT_RUN] = "INSERT INTO runs(" RUN_COLUMNS ") VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO "
	    "UPDATE SET state = excluded.state, reason = excluded.reason, "
	    "updated_ms = excluded.updated_ms, ended_ms = excluded.ended_ms, "
	    "step = excluded.step, usage = excluded.usage, budget = "
	    "excluded.budget, cost_unknown = excluded.cost_unknown, "
	    "output = excluded.output",
	[S_PUT_CHECKPOINT] = "INSERT OR REPLACE INTO checkpoints(run, step, "
	    "ts_ms, data) VALUES (?, ?, ?, ?)",
	[S_TRIM_CHECKPOINTS] = "DELETE FROM checkpoints WHERE run = ? AND step <= ?",
	[S_PUT_MESSAGE] = "INSERT OR REPLACE INTO messages(run, idx, body) "
	    "VALUES (?, ?, ?)",
	[S_PUT_ESCALATION] = "INSERT OR REPLACE INTO escalations(id, run, state, "
	    "created_ms, body) VALUES (?, ?, ?, ?, ?)",
	[S_PUT_AUDIT] = "INSERT INTO audit(ts_ms, uid, op, target, detail, result) "
	    "VALUES (?, ?, ?, ?, ?, ?)",
	[S_SET_SETTING] = "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
	[S_GET_SETTING] = "SELECT value FROM settings WHERE key = ?",
	[S_EVENTS_ALL] = "SELECT body, seq, ts_ms, type, run FROM events WHERE "
	    "seq > ? AND type LIKE ? ESCAPE '\\' ORDER BY seq LIMIT ?",
	/* what a run's trace is built from (events_run index, then type) */
	[S_EVENTS_TRACE] = "SELECT body, seq, ts_ms, type, run FROM events WHERE "
	    "run = ? AND type IN ('run.state', 'span.start', 'span.end', "
	    "'llm.retry') ORDER BY seq LIMIT ?",
	[S_EVENTS_RUN] = "SELECT body, seq, ts_ms, type, run FROM events WHERE "
	    "run = ? AND seq > ? AND type LIKE ? ESCAPE '\\' ORDER BY seq LIMIT ?",
	[S_RUN_GET] = "SELECT " RUN_SELECT " FROM runs WHERE id = ?",
	[S_LIVE_IDS] = "SELECT id FROM runs WHERE state IN " LIVE_STATES
	    " ORDER BY created_ms",
	[S_CHECKPOINT_LATEST] = "SELECT data FROM checkpoints WHERE run = ? "
	    "ORDER BY step DESC LIMIT 1",
	[S_MESSAGES] = "SELECT body FROM messages WHERE run = ? AND idx < ? "
	    "ORDER BY idx",
	/* newest first; a page goes on after (created_ms, id) of the last */
	[S_ESC_RUN] = "SELECT body FROM escalations WHERE run = :run AND "
	    "(:state IS NULL OR state = :state) AND " ESC_AFTER
	    " ORDER BY created_ms DESC, id LIMIT :limit",
	[S_ESC_STATE] = "SELECT body FROM escalations WHERE state = :state AND "
	    ESC_AFTER " ORDER BY created_ms DESC, id LIMIT :limit",
	[S_ESC_ALL] = "SELECT body FROM escalations WHERE " ESC_AFTER
	    " ORDER BY created_ms DESC, id LIMIT :limit",
	[S_ESC_GET] = "SELECT body FROM escalations WHERE id = ?",
	[S_PUT_REQUEST] = "INSERT OR REPLACE INTO requests(uid, id, type, ts_ms, "
	    "reply) VALUES (?, ?, ?, ?, ?)",
	[S_GET_REQUEST] = "SELECT reply FROM requests WHERE uid = ? AND id = ? "
	    "AND type = ?",
	/* retention: a bounded window of rows at a time, found by index or
	 * primary key (ids and seqs grow with time), never a table scan */
	[S_TRIM_REQUESTS] = "DELETE FROM requests WHERE (uid, id, type) IN "
	    "(SELECT uid, id, type FROM requests WHERE ts_ms < ?1 LIMIT ?2)",
	[S_TRIM_AUDIT] = "DELETE FROM audit WHERE id IN (SELECT id FROM (SELECT "
	    "id, ts_ms FROM audit ORDER BY id LIMIT ?3) WHERE ts_ms < ?1 OR "
	    "id <= (SELECT max(id) FROM audit) - ?2)",
	/* the window of events after seq ?1: its last seq and its oldest time */
	[S_EVENTS_WINDOW] = "SELECT max(seq), min(ts_ms) FROM (SELECT seq, ts_ms "
	    "FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
	/* in it, the events of runs that ended before ?3 and the daemon's
	 * own older than that; the last event stays: seq goes on from it */
	[S_TRIM_EVENTS] = "DELETE FROM events WHERE seq IN (SELECT w.seq FROM "
	    "(SELECT seq, run, ts_ms FROM events WHERE seq > ?1 ORDER BY seq "
	    "LIMIT ?2) w WHERE w.seq < (SELECT max(seq) FROM events) AND "
	    "((w.run IS NULL AND w.ts_ms < ?3) OR EXISTS (SELECT 1 FROM runs r "
	    "WHERE r.id = w.run AND r.ended_ms < ?3)))",
	[S_RATE_RUN] = "UPDATE runs SET rating = ?, rating_note = ? WHERE id = ?",
	[S_PUT_FEEDBACK] = "INSERT INTO feedback(run, ts_ms, uid, rating, note) "
	    "VALUES (?, ?, ?, ?, ?)",
	[S_COUNT_EVENTS] = "SELECT count(*) FROM events",
	[S_SPEND_SINCE] = "SELECT coalesce(sum(json_extract(usage, "
	    "'$.cost_usd')), 0) FROM runs WHERE created_ms >= ?",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S__COUNT];
	bool in_tx;		/* the batch transaction is open */
	int wal_frames;		/* frames in the log after the last commit */
	int kicked_frames;	/* wal_frames when the checkpointer was woken */
	int64_t restart_after;	/* mono ms: no log restart before (it failed) */
	bool restart_busy;	/* it failed: another process reads the log */
	char path[512];
	struct checkpointer *ckpt;	/* background WAL checkpoints */
};

/*
 * WAL checkpoints copy the log into the database and fsync it: tens of
 * milliseconds on a slow disk. The engine's connection does not do them as
 * SQLite would (wal_autocheckpoint=0); this thread does, with its own
 * connection, so the loop does not wait on the disk (like redis's
 * background fsync). It runs PRAGMA wal_checkpoint(PASSIVE) every second,
 * and at once each time the log has grown by CHECKPOINT_KICK_FRAMES.
 */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;		/* stop, kick */
	pthread_cond_t wake;
	pthread_mutex_t running;	/* held by whoever checkpoints */
	bool stop;
	bool kick;			/* the log has grown: checkpoint now */
	sqlite3 *db;
	char path[512];
};

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames);

#define BUSY_TIMEOUT_MS		5000
#define CHECKPOINT_EVERY_MS	1000
#define CHECKPOINT_KICK_FRAMES	1024	/* 4 MiB */
/* Under continuous writes a passive checkpoint never reaches the end of
 * the log, so SQLite never starts it over and the file grows without end.
 * A commit that leaves more than this many frames (4 KiB pages) in the log
 * checkpoints it in RESTART mode: the writer is the one connection that
 * can, as no commit comes in the middle. The next commit writes the log
 * from its start and cuts the file to journal_size_limit. The background
 * thread has copied most of the log already, so this costs about one
 * fsync. Every commit past the mark does it, so a burst of commits cannot
 * grow the log further. */
#define WAL_RESTART_FRAMES	(STORE_WAL_MAX_MIB * 256)
#define WAL_RETRY_MS		1000	/* after a restart failed */

static void *
checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	struct timespec until;
	int log_frames, done, rc;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (!c->kick) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += CHECKPOINT_EVERY_MS / 1000;
			pthread_cond_timedwait(&c->wake, &c->lock, &until);
			if (c->stop)
				break;
		}
		c->kick = false;
		pthread_mutex_unlock(&c->lock);
		pthread_mutex_lock(&c->running);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		    &log_frames, &done);
		pthread_mutex_unlock(&c->running);
		if (rc != SQLITE_OK && sqlite3_errcode(c->db) != SQLITE_BUSY)
			log_warn("database %s: background checkpoint: %s", c->path,
			    sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void
checkpointer_stop(struct checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->running);
	pthread_cond_destroy(&c->wake);
	free(c);
}

static void
checkpointer_kick(struct checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->kick = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

static struct checkpointer *
checkpointer_start(const char *path)
{
	struct checkpointer *c = xcalloc(1, sizeof(*c));

	copy_str(c->path, sizeof(c->path), path);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warn("database %s: no background checkpoints: %s", path,
		    c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, 100);
	/* a connection opens the log at its first read: until then its
	 * checkpoints do nothing at all (and say -1 frames) */
	if (sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL,
	    NULL) != SQLITE_OK) {
		log_warn("database %s: no background checkpoints: %s", path,
		    sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->running, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		sqlite3_close(c->db);
		pthread_mutex_destroy(&c->lock);
		pthread_mutex_destroy(&c->running);
		pthread_cond_destroy(&c->wake);
		free(c);
		return NULL;
	}
	return c;
}

static int
fail_db(struct store *st, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);

	log_error("database %s: %s: %s (%d)", st->path, what,
	    sqlite3_errmsg(st->db), code);
	return (code & 0xff) == SQLITE_FULL ? -ENOSPC : -EIO;
}

static sqlite3_stmt *
prepare(struct store *st, enum stmt s)
{
	sqlite3_stmt *stmt = st->stmt[s];

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return stmt;
}

/* Runs a write statement to completion. */
static int
step_done(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);
	int r = rc == SQLITE_DONE ? 0 : fail_db(st, what);

	sqlite3_reset(stmt);
	return r;
}

static void
bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

static int
migrate(struct store *st)
{
	sqlite3_stmt *stmt;
	int version = 0;
	char *err = NULL;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt,
	    NULL) != SQLITE_OK)
		return fail_db(st, "reading user_version");
	if (sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (version > SCHEMA_VERSION) {
		log_error("database %s has schema version %d; this agentd knows "
		    "up to %d: use a newer agentd", st->path, version,
		    SCHEMA_VERSION);
		return -EPROTO;
	}
	for (; version < SCHEMA_VERSION; version++) {
		char *script = xasprintf("BEGIN; %s PRAGMA user_version = %d; COMMIT;",
		    migrations[version], version + 1);
		int rc = sqlite3_exec(st->db, script, NULL, NULL, &err);
		free(script);
		if (rc != SQLITE_OK) {
			log_error("database %s: migration to version %d failed: %s",
			    st->path, version + 1, err ? err : "?");
			sqlite3_free(err);
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -EIO;
		}
		log_info("database %s migrated to schema version %d", st->path,
		    version + 1);
	}
	return 0;
}

int
store_open(const char *path, struct store **out)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char *err = NULL, *pragmas;
	int r = -EIO, rc;

	copy_str(st->path, sizeof(st->path), path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_error("cannot open database %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	/* WAL + synchronous=NORMAL: a commit survives a crash of agentd
	 * (kill -9); only a power loss can lose the last commits. When the
	 * log starts over, its file is cut to journal_size_limit. */
	pragmas = xasprintf("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
	    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
	    "PRAGMA journal_size_limit=%d;", STORE_WAL_MAX_MIB << 20);
	rc = sqlite3_exec(st->db, pragmas, NULL, NULL, &err);
	free(pragmas);
	if (rc != SQLITE_OK) {
		log_error("database %s: cannot set pragmas: %s", path, err);
		sqlite3_free(err);
		goto fail;
	}
	if ((r = migrate(st)) < 0)
		goto fail;
	/* checkpoints happen in the background; if that thread cannot start,
	 * the connection checkpoints by itself as SQLite normally does */
	if ((st->ckpt = checkpointer_start(path)) != NULL) {
		sqlite3_exec(st->db, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
		sqlite3_wal_hook(st->db, wal_hook, st);
	}
	for (int s = 0; s < S__COUNT; s++) {
		if (sqlite3_prepare_v3(st->db, sql[s], -1, SQLITE_PREPARE_PERSISTENT,
		    &st->stmt[s], NULL) != SQLITE_OK) {
			r = fail_db(st, sql[s]);
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return r;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_tx)
		store_rollback(st);
	checkpointer_stop(st->ckpt);
	for (int s = 0; s < S__COUNT; s++)
		sqlite3_finalize(st->stmt[s]);
	sqlite3_close(st->db);
	free(st);
}

int
store_begin(struct store *st)
{
	int r;

	if (st->in_tx)
		return 0;
	if ((r = step_done(st, prepare(st, S_BEGIN), "begin")) == 0)
		st->in_tx = true;
	return r;
}

/* After each commit, on the engine's thread. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *st = arg;

	st->wal_frames = frames;
	if (frames < st->kicked_frames)		/* the log started over */
		st->kicked_frames = 0;
	if (frames - st->kicked_frames >= CHECKPOINT_KICK_FRAMES) {
		st->kicked_frames = frames;
		checkpointer_kick(st->ckpt);
	}
	return SQLITE_OK;
}

/*
 * Copies the rest of the log into the database so that the next commit
 * starts it over. A background checkpoint in progress is waited for (it is
 * doing part of the work); readers in other processes are not (busy
 * timeout 0): they keep the log from starting over, and it is tried again
 * a second later.
 */
static void
restart_log(struct store *st)
{
	int rc;

	pthread_mutex_lock(&st->ckpt->running);
	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_RESTART,
	    NULL, NULL);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	pthread_mutex_unlock(&st->ckpt->running);
	if (rc == SQLITE_OK) {
		if (st->restart_busy)
			log_info("database %s: the log starts over again",
			    st->path);
		st->restart_busy = false;
		st->wal_frames = st->kicked_frames = 0;
		return;
	}
	st->restart_after = mono_ms() + WAL_RETRY_MS;
	if (rc != SQLITE_BUSY)
		log_warn("database %s: restarting the log: %s", st->path,
		    sqlite3_errmsg(st->db));
	else if (!st->restart_busy)
		log_warn("database %s: another process is reading or "
		    "checkpointing it: the log (%d MiB) cannot start over "
		    "meanwhile", st->path, st->wal_frames / 256);
	st->restart_busy = rc == SQLITE_BUSY;
}

int
store_commit(struct store *st)
{
	int r;

	if (!st->in_tx)
		return 0;
	if ((r = step_done(st, prepare(st, S_COMMIT), "commit")) != 0) {
		store_rollback(st);
		return r;
	}
	st->in_tx = false;
	if (st->ckpt != NULL && st->wal_frames > WAL_RESTART_FRAMES &&
	    mono_ms() >= st->restart_after)
		restart_log(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) == 0)
		step_done(st, prepare(st, S_ROLLBACK), "rollback");
	st->in_tx = false;
}

bool
store_in_transaction(const struct store *st)
{
	return st->in_tx;
}

static int
read_int64(struct store *st, sqlite3_stmt *stmt, int64_t *out, const char *what)
{
	int rc = sqlite3_step(stmt);
	int r = 0;

	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		r = fail_db(st, what);
	sqlite3_reset(stmt);
	return r;
}

int
store_max_seq(struct store *st, int64_t *out)
{
	return read_int64(st, prepare(st, S_MAX_SEQ), out, "max seq");
}

int
store_count_events(struct store *st, int64_t *out)
{
	return read_int64(st, prepare(st, S_COUNT_EVENTS), out, "count events");
}

int
store_spend_since(struct store *st, int64_t since_ms, double *out)
{
	sqlite3_stmt *stmt = prepare(st, S_SPEND_SINCE);
	int r = 0;

	sqlite3_bind_int64(stmt, 1, since_ms);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_double(stmt, 0);
	else
		r = fail_db(st, "spend");
	sqlite3_reset(stmt);
	return r;
}

int
store_put_event(struct store *st, int64_t seq, int64_t ts, const char *run,
    const char *type, const char *json)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_EVENT);

	sqlite3_bind_int64(stmt, 1, seq);
	sqlite3_bind_int64(stmt, 2, ts);
	bind_text(stmt, 3, run != NULL && run[0] != '\0' ? run : NULL);
	bind_text(stmt, 4, type);
	bind_text(stmt, 5, json);
	return step_done(st, stmt, "insert event");
}

int
store_put_run(struct store *st, const struct run *run)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_RUN);
	json_t *usage = budget_amounts_to_json(&run->budget.used);
	json_t *limit = budget_amounts_to_json(&run->budget.limit);
	char *usage_s = json_dumps(usage, JSON_COMPACT | JSON_REAL_PRECISION(12));
	char *limit_s = json_dumps(limit, JSON_COMPACT | JSON_REAL_PRECISION(12));
	int r;

	bind_text(stmt, 1, run->id);
	bind_text(stmt, 2, run->agent->name);
	bind_text(stmt, 3, run->task);
	bind_text(stmt, 4, run->model);
	bind_text(stmt, 5, run_state_name(run->state));
	bind_text(stmt, 6, run->reason);
	sqlite3_bind_int(stmt, 7, run->dry_run);
	bind_text(stmt, 8, run->parent[0] ? run->parent : NULL);
	sqlite3_bind_int64(stmt, 9, run->created_ms);
	sqlite3_bind_int64(stmt, 10, run->updated_ms);
	if (run->ended_ms > 0)
		sqlite3_bind_int64(stmt, 11, run->ended_ms);
	sqlite3_bind_int(stmt, 12, run->step);
	bind_text(stmt, 13, usage_s);
	bind_text(stmt, 14, limit_s);
	sqlite3_bind_int(stmt, 15, run->budget.cost_unknown);
	bind_text(stmt, 16, run->output);
	r = step_done(st, stmt, "write run");
	free(usage_s);
	free(limit_s);
	json_decref(usage);
	json_decref(limit);
	return r;
}

int
store_put_checkpoint(struct store *st, const char *run, int step, int64_t ts,
    const char *json)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_CHECKPOINT);
	int r;

	bind_text(stmt, 1, run);
	sqlite3_bind_int(stmt, 2, step);
	sqlite3_bind_int64(stmt, 3, ts);
	bind_text(stmt, 4, json);
	if ((r = step_done(st, stmt, "write checkpoint")) != 0)
		return r;
	if (step < STORE_CHECKPOINTS_KEPT)
		return 0;
	stmt = prepare(st, S_TRIM_CHECKPOINTS);
	bind_text(stmt, 1, run);
	sqlite3_bind_int(stmt, 2, step - STORE_CHECKPOINTS_KEPT);
	return step_done(st, stmt, "trim checkpoints");
}

int
store_put_message(struct store *st, const char *run, size_t idx,
    const char *json)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_MESSAGE);

	bind_text(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)idx);
	bind_text(stmt, 3, json);
	return step_done(st, stmt, "write message");
}

int
store_put_escalation(struct store *st, const struct escalation *esc)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_ESCALATION);
	json_t *obj = escalation_to_json(esc);
	char *body = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(12));
	int r;

	bind_text(stmt, 1, esc->id);
	bind_text(stmt, 2, esc->run);
	bind_text(stmt, 3, esc_state_name(esc->state));
	sqlite3_bind_int64(stmt, 4, esc->created_ms);
	bind_text(stmt, 5, body);
	r = step_done(st, stmt, "write escalation");
	free(body);
	json_decref(obj);
	return r;
}

int
store_put_audit(struct store *st, int64_t ts, uint32_t uid, const char *op,
    const char *target, const char *detail, const char *result)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_AUDIT);

	sqlite3_bind_int64(stmt, 1, ts);
	if (uid != UINT32_MAX)
		sqlite3_bind_int64(stmt, 2, uid);
	bind_text(stmt, 3, op);
	bind_text(stmt, 4, target);
	bind_text(stmt, 5, detail);
	bind_text(stmt, 6, result);
	return step_done(st, stmt, "write audit");
}

int
store_set_setting(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *stmt = prepare(st, S_SET_SETTING);

	bind_text(stmt, 1, key);
	bind_text(stmt, 2, value);
	return step_done(st, stmt, "write setting");
}

char *
store_get_setting(struct store *st, const char *key)
{
	sqlite3_stmt *stmt = prepare(st, S_GET_SETTING);
	char *value = NULL;

	bind_text(stmt, 1, key);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return value;
}

/* Collects column 0 of every row, parsed as JSON, into an array. */
static json_t *
collect_json(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	json_t *arr = json_array(), *item;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(stmt, 0);
		if (text != NULL && (item = json_loads(text, 0, NULL)) != NULL)
			json_array_append_new(arr, item);
		else
			log_warn("database %s: %s: unreadable row skipped", st->path,
			    what);
	}
	if (rc != SQLITE_DONE)
		fail_db(st, what);
	sqlite3_reset(stmt);
	return arr;
}

/* Rows of @stmt (JSON in column 0) up to @limit of them and @max_bytes of
 * text (at least one); *more says whether rows were left. */
static json_t *
collect_page(struct store *st, sqlite3_stmt *stmt, const char *what,
    int limit, size_t max_bytes, bool *more)
{
	json_t *arr = json_array(), *item;
	size_t bytes = 0;
	int rc;

	*more = false;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(stmt, 0);
		size_t n = (size_t)sqlite3_column_bytes(stmt, 0);

		if ((int)json_array_size(arr) == limit ||
		    (bytes + n > max_bytes && json_array_size(arr) > 0)) {
			*more = true;
			break;
		}
		if (text != NULL && (item = json_loads(text, 0, NULL)) != NULL) {
			json_array_append_new(arr, item);
			bytes += n;
		} else {
			log_warn("database %s: %s: unreadable row skipped", st->path,
			    what);
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		fail_db(st, what);
	sqlite3_reset(stmt);
	return arr;
}

/* "prefix%" with LIKE metacharacters escaped. */
static char *
like_prefix(const char *prefix, bool contains)
{
	size_t n = prefix ? strlen(prefix) : 0;
	char *out = xmalloc(2 * n + 3), *p = out;

	if (contains)
		*p++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (prefix[i] == '%' || prefix[i] == '_' || prefix[i] == '\\')
			*p++ = '\\';
		*p++ = prefix[i];
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

static json_t *text_column(sqlite3_stmt *stmt, int col);

/* Events of @stmt (body, seq, ts_ms, type, run) up to @limit and about
 * @max_bytes (at least one); resets @stmt. */
static json_t *
read_events(struct store *st, sqlite3_stmt *stmt, int limit, size_t max_bytes,
    bool *more)
{
	json_t *arr = json_array(), *ev;
	size_t bytes = 0;
	int rc;

	*more = false;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(stmt, 0);

		if ((int)json_array_size(arr) == limit ||
		    (bytes + MIN(n, CAP_EVENT_MAX) > max_bytes &&
		    json_array_size(arr) > 0)) {
			*more = true;
			break;
		}
		if (n > CAP_EVENT_MAX) {
			/* stored before events were capped: a reader must be
			 * able to page past it */
			ev = json_pack("{s:i, s:I, s:I, s:o, s:o, s:{s:I, s:s}}",
			    "v", 1, "seq", (json_int_t)sqlite3_column_int64(stmt, 1),
			    "ts", (json_int_t)sqlite3_column_int64(stmt, 2),
			    "type", text_column(stmt, 3), "run", text_column(stmt, 4),
			    "cut", "bytes", (json_int_t)n, "what", "the body (the "
			    "event is larger than the 256 KiB an event may be)");
		} else if ((ev = json_loads((const char *)sqlite3_column_text(stmt,
		    0), 0, NULL)) == NULL) {
			log_warn("database %s: event %lld is unreadable: skipped",
			    st->path, (long long)sqlite3_column_int64(stmt, 1));
			continue;
		}
		json_array_append_new(arr, ev);
		bytes += MIN(n, CAP_EVENT_MAX);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		fail_db(st, "read events");
	sqlite3_reset(stmt);
	return arr;
}

json_t *
store_events_since(struct store *st, int64_t since, const char *run,
    const char *type_prefix, int limit, size_t max_bytes, bool *more)
{
	sqlite3_stmt *stmt;
	char *like = like_prefix(type_prefix, false);
	json_t *arr;
	int i = 1;

	if (run != NULL) {
		stmt = prepare(st, S_EVENTS_RUN);
		bind_text(stmt, i++, run);
	} else {
		stmt = prepare(st, S_EVENTS_ALL);
	}
	sqlite3_bind_int64(stmt, i++, since);
	bind_text(stmt, i++, like);
	sqlite3_bind_int(stmt, i, limit + 1);
	arr = read_events(st, stmt, limit, max_bytes, more);
	free(like);
	return arr;
}

json_t *
store_trace_events(struct store *st, const char *run, int limit,
    size_t max_bytes, bool *more)
{
	sqlite3_stmt *stmt = prepare(st, S_EVENTS_TRACE);

	bind_text(stmt, 1, run);
	sqlite3_bind_int(stmt, 2, limit + 1);
	return read_events(st, stmt, limit, max_bytes, more);
}

static json_t *
parse_column(sqlite3_stmt *stmt, int col)
{
	const char *text = (const char *)sqlite3_column_text(stmt, col);
	json_t *v = text != NULL ? json_loads(text, 0, NULL) : NULL;

	return v != NULL ? v : json_null();
}

static json_t *
text_column(sqlite3_stmt *stmt, int col)
{
	const char *text = (const char *)sqlite3_column_text(stmt, col);

	return text != NULL ? json_string(text) : json_null();
}

/* A runs row (RUN_COLUMNS order) as an object. */
static json_t *
run_row(sqlite3_stmt *stmt)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "id", text_column(stmt, 0));
	json_object_set_new(obj, "agent", text_column(stmt, 1));
	json_object_set_new(obj, "task", text_column(stmt, 2));
	json_object_set_new(obj, "model", text_column(stmt, 3));
	json_object_set_new(obj, "state", text_column(stmt, 4));
	json_object_set_new(obj, "reason", text_column(stmt, 5));
	json_object_set_new(obj, "dry_run",
	    json_boolean(sqlite3_column_int(stmt, 6)));
	json_object_set_new(obj, "parent", text_column(stmt, 7));
	json_object_set_new(obj, "created_ms",
	    json_integer(sqlite3_column_int64(stmt, 8)));
	json_object_set_new(obj, "updated_ms",
	    json_integer(sqlite3_column_int64(stmt, 9)));
	json_object_set_new(obj, "ended_ms",
	    sqlite3_column_type(stmt, 10) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(stmt, 10)));
	json_object_set_new(obj, "step", json_integer(sqlite3_column_int(stmt, 11)));
	json_object_set_new(obj, "usage", parse_column(stmt, 12));
	json_object_set_new(obj, "budget", parse_column(stmt, 13));
	json_object_set_new(obj, "cost_unknown",
	    json_boolean(sqlite3_column_int(stmt, 14)));
	json_object_set_new(obj, "output", text_column(stmt, 15));
	json_object_set_new(obj, "rating", sqlite3_column_type(stmt, 16) ==
	    SQLITE_NULL ? json_null() : json_pack("{s:o, s:o}", "rating",
	    text_column(stmt, 16), "note", text_column(stmt, 17)));
	return obj;
}

json_t *
store_run_get(struct store *st, const char *id)
{
	sqlite3_stmt *stmt = prepare(st, S_RUN_GET);
	json_t *obj = NULL;
	int rc;

	bind_text(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		obj = run_row(stmt);
	else if (rc != SQLITE_DONE)
		fail_db(st, "read run");
	sqlite3_reset(stmt);
	return obj;
}

json_t *
store_runs_query(struct store *st, const char *agent, const char *state,
    const char *grep, int64_t since_ms, int64_t until_ms, bool live_only,
    const struct store_cursor *after, int limit, size_t max_bytes, bool *more)
{
	char query[1200];
	sqlite3_stmt *stmt = NULL;
	json_t *arr = json_array(), *row;
	char *like = grep != NULL ? like_prefix(grep, true) : NULL, *text;
	size_t bytes = 0;
	int rc;

	*more = false;
	/* a query built from fixed fragments; every value is bound by name */
	snprintf(query, sizeof(query), "SELECT " RUN_LIST_SELECT " FROM runs "
	    "WHERE 1%s%s%s%s%s%s%s ORDER BY created_ms DESC, id LIMIT :limit",
	    agent ? " AND agent = :agent" : "", state ? " AND state = :state" : "",
	    grep ? " AND (task LIKE :like ESCAPE '\\' OR output LIKE :like "
	    "ESCAPE '\\' OR reason LIKE :like ESCAPE '\\' OR id = :grep)" : "",
	    since_ms > 0 ? " AND created_ms >= :since" : "",
	    until_ms > 0 ? " AND created_ms < :until" : "",
	    live_only ? " AND state IN " LIVE_STATES : "",
	    after != NULL ? " AND (created_ms < :after_ms OR (created_ms = "
	    ":after_ms AND id > :after_id))" : "");
	if (sqlite3_prepare_v2(st->db, query, -1, &stmt, NULL) != SQLITE_OK) {
		fail_db(st, "prepare runs query");
		goto out;
	}
	bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":agent"), agent);
	bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":state"), state);
	bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":like"), like);
	bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":grep"), grep);
	sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt, ":since"),
	    since_ms);
	sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt, ":until"),
	    until_ms);
	if (after != NULL) {
		sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt,
		    ":after_ms"), after->ms);
		bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":after_id"),
		    after->id);
	}
	sqlite3_bind_int(stmt, sqlite3_bind_parameter_index(stmt, ":limit"),
	    limit + 1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((int)json_array_size(arr) == limit) {
			*more = true;
			break;
		}
		row = run_row(stmt);
		cap_run_excerpts(row);
		text = json_dumps(row, JSON_COMPACT);
		if (text != NULL && bytes + strlen(text) > max_bytes &&
		    json_array_size(arr) > 0) {
			free(text);
			json_decref(row);
			*more = true;
			break;
		}
		bytes += text != NULL ? strlen(text) : 0;
		free(text);
		json_array_append_new(arr, row);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		fail_db(st, "runs query");
out:
	sqlite3_finalize(stmt);
	free(like);
	return arr;
}

json_t *
store_live_run_ids(struct store *st)
{
	sqlite3_stmt *stmt = prepare(st, S_LIVE_IDS);
	json_t *arr = json_array();
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(arr, text_column(stmt, 0));
	if (rc != SQLITE_DONE)
		fail_db(st, "live runs");
	sqlite3_reset(stmt);
	return arr;
}

int
store_checkpoint_latest(struct store *st, const char *run, json_t **out)
{
	sqlite3_stmt *stmt = prepare(st, S_CHECKPOINT_LATEST);
	const char *text;
	int r = 0;

	*out = NULL;
	bind_text(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(stmt, 0);
		*out = text != NULL ? json_loads(text, 0, NULL) : NULL;
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			r = -EINVAL;
		}
	}
	sqlite3_reset(stmt);
	return r;
}

json_t *
store_messages(struct store *st, const char *run, size_t count)
{
	sqlite3_stmt *stmt = prepare(st, S_MESSAGES);

	bind_text(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)count);
	return collect_json(st, stmt, "read messages");
}

json_t *
store_escalations(struct store *st, const char *run, const char *state,
    const struct store_cursor *after, int limit, size_t max_bytes, bool *more)
{
	sqlite3_stmt *stmt = prepare(st, run != NULL ? S_ESC_RUN :
	    state != NULL ? S_ESC_STATE : S_ESC_ALL);

	bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":run"), run);
	bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":state"), state);
	if (after != NULL) {
		sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt,
		    ":after_ms"), after->ms);
		bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":after_id"),
		    after->id);
	} else {
		sqlite3_bind_null(stmt, sqlite3_bind_parameter_index(stmt,
		    ":after_ms"));
		sqlite3_bind_null(stmt, sqlite3_bind_parameter_index(stmt,
		    ":after_id"));
	}
	sqlite3_bind_int(stmt, sqlite3_bind_parameter_index(stmt, ":limit"),
	    limit + 1);
	return collect_page(st, stmt, "read escalations", limit, max_bytes, more);
}

json_t *
store_escalation_get(struct store *st, const char *id)
{
	sqlite3_stmt *stmt = prepare(st, S_ESC_GET);
	json_t *arr, *obj;

	bind_text(stmt, 1, id);
	arr = collect_json(st, stmt, "read escalation");
	obj = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return obj;
}

int
store_limit_pages(struct store *st, int64_t pages)
{
	char *q = xasprintf("PRAGMA max_page_count = %lld", (long long)pages);
	int r = sqlite3_exec(st->db, q, NULL, NULL, NULL) == SQLITE_OK ? 0 :
	    fail_db(st, "max_page_count");

	free(q);
	return r;
}

int
store_page_count(struct store *st, int64_t *out)
{
	sqlite3_stmt *stmt;
	int r = -EIO;

	if (sqlite3_prepare_v2(st->db, "PRAGMA page_count", -1, &stmt,
	    NULL) != SQLITE_OK)
		return fail_db(st, "page_count");
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		r = 0;
	}
	sqlite3_finalize(stmt);
	return r;
}

int
store_put_request(struct store *st, uint32_t uid, int64_t id, const char *type,
    int64_t ts, const char *reply)
{
	sqlite3_stmt *stmt = prepare(st, S_PUT_REQUEST);

	sqlite3_bind_int64(stmt, 1, uid);
	sqlite3_bind_int64(stmt, 2, id);
	bind_text(stmt, 3, type);
	sqlite3_bind_int64(stmt, 4, ts);
	bind_text(stmt, 5, reply);
	return step_done(st, stmt, "write request reply");
}

char *
store_cache_get(struct store *st, const char *key, const char *request,
    int64_t since_ms)
{
	sqlite3_stmt *stmt = prepare(st, S_CACHE_GET);
	char *reply = NULL;

	bind_text(stmt, 1, key);
	bind_text(stmt, 2, request);
	sqlite3_bind_int64(stmt, 3, since_ms);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		reply = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return reply;
}

int
store_cache_put(struct store *st, const char *key, const char *request,
    int64_t ts, const char *reply)
{
	sqlite3_stmt *stmt = prepare(st, S_CACHE_PUT);

	bind_text(stmt, 1, key);
	sqlite3_bind_int64(stmt, 2, ts);
	bind_text(stmt, 3, request);
	bind_text(stmt, 4, reply);
	return step_done(st, stmt, "write llm cache entry");
}

int
store_cache_trim(struct store *st, int64_t before_ms)
{
	sqlite3_stmt *stmt = prepare(st, S_CACHE_TRIM);

	sqlite3_bind_int64(stmt, 1, before_ms);
	return step_done(st, stmt, "trim llm cache");
}

char *
store_get_request(struct store *st, uint32_t uid, int64_t id, const char *type)
{
	sqlite3_stmt *stmt = prepare(st, S_GET_REQUEST);
	char *reply = NULL;

	sqlite3_bind_int64(stmt, 1, uid);
	sqlite3_bind_int64(stmt, 2, id);
	bind_text(stmt, 3, type);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		reply = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return reply;
}

int
store_trim_requests(struct store *st, int64_t before_ms, int limit)
{
	sqlite3_stmt *stmt = prepare(st, S_TRIM_REQUESTS);
	int r;

	sqlite3_bind_int64(stmt, 1, before_ms);
	sqlite3_bind_int(stmt, 2, limit);
	if ((r = step_done(st, stmt, "trim request replies")) != 0)
		return r;
	return sqlite3_changes(st->db);
}

int
store_trim_audit(struct store *st, int64_t before_ms, int64_t max_rows,
    int limit)
{
	sqlite3_stmt *stmt = prepare(st, S_TRIM_AUDIT);
	int r;

	sqlite3_bind_int64(stmt, 1, before_ms);
	sqlite3_bind_int64(stmt, 2, max_rows);
	sqlite3_bind_int(stmt, 3, limit);
	if ((r = step_done(st, stmt, "trim audit")) != 0)
		return r;
	return sqlite3_changes(st->db);
}

int
store_trim_events(struct store *st, int64_t before_ms, int64_t *from,
    int limit)
{
	sqlite3_stmt *stmt = prepare(st, S_EVENTS_WINDOW);
	int64_t last = 0, oldest = 0;
	int r;

	sqlite3_bind_int64(stmt, 1, *from);
	sqlite3_bind_int(stmt, 2, limit);
	if ((r = sqlite3_step(stmt)) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		last = sqlite3_column_int64(stmt, 0);
		oldest = sqlite3_column_int64(stmt, 1);
	} else if (r != SQLITE_ROW && r != SQLITE_DONE) {
		r = fail_db(st, "events window");
		sqlite3_reset(stmt);
		return r;
	}
	sqlite3_reset(stmt);
	if (last == 0 || oldest >= before_ms) {
		*from = 0;	/* the rest is younger: start over next time */
		return 0;
	}
	stmt = prepare(st, S_TRIM_EVENTS);
	sqlite3_bind_int64(stmt, 1, *from);
	sqlite3_bind_int(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, before_ms);
	if ((r = step_done(st, stmt, "trim events")) != 0)
		return r;
	*from = last;
	return sqlite3_changes(st->db);
}

int
store_rate_run(struct store *st, const char *run, const char *rating,
    const char *note, uint32_t uid, int64_t ts)
{
	sqlite3_stmt *stmt;
	int r;

	if ((r = store_begin(st)) != 0)
		return r;
	stmt = prepare(st, S_RATE_RUN);
	bind_text(stmt, 1, rating);
	bind_text(stmt, 2, note);
	bind_text(stmt, 3, run);
	if ((r = step_done(st, stmt, "rate run")) != 0)
		return r;
	stmt = prepare(st, S_PUT_FEEDBACK);
	bind_text(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, ts);
	if (uid != UINT32_MAX)
		sqlite3_bind_int64(stmt, 3, uid);
	bind_text(stmt, 4, rating);
	bind_text(stmt, 5, note);
	return step_done(st, stmt, "write feedback");
}
