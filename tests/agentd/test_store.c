#include "t.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], path[128];

static void
open_creates_schema_and_reopens(void)
{
	struct store *st;
	int64_t seq = -1;

	snprintf(dir, sizeof(dir), "/tmp/agentd-store-XXXXXX");
	t_bail_if(mkdtemp(dir) == NULL);
	snprintf(path, sizeof(path), "%s/agentd.db", dir);
	t_bail_if(store_open(path, &st) != 0);
	is_int(store_max_seq(st, &seq), 0);
	is_int(seq, 0);
	store_close(st);
	t_bail_if(store_open(path, &st) != 0);	/* migrations are idempotent */
	store_close(st);
}

static void
batch_commit_and_rollback(void)
{
	bool more;
	struct store *st;
	int64_t seq;
	json_t *ev;

	t_bail_if(store_open(path, &st) != 0);
	is_int(store_begin(st), 0);
	is_int(store_put_event(st, 1, 10, "r-a", "run.state", "{\"seq\":1}"), 0);
	is_int(store_put_event(st, 2, 11, NULL, "daemon.start", "{\"seq\":2}"), 0);
	is_int(store_commit(st), 0);
	is_int(store_begin(st), 0);
	is_int(store_put_event(st, 3, 12, "r-a", "span.start", "{\"seq\":3}"), 0);
	store_rollback(st);
	is_int(store_max_seq(st, &seq), 0);
	is_int(seq, 2);
	/* a duplicate seq is refused: the log is append-only */
	is_int(store_begin(st), 0);
	ok(store_put_event(st, 2, 11, NULL, "x", "{}") != 0);
	store_rollback(st);
	ev = store_events_since(st, 0, "r-a", NULL, 10, 1 << 20, &more);
	is_int(json_array_size(ev), 1);
	json_decref(ev);
	ev = store_events_since(st, 0, NULL, "daemon.", 10, 1 << 20, &more);
	is_int(json_array_size(ev), 1);
	json_decref(ev);
	ev = store_events_since(st, 1, NULL, NULL, 10, 1 << 20, &more);
	is_int(json_integer_value(json_object_get(json_array_get(ev, 0), "seq")), 2);
	json_decref(ev);
	store_close(st);
}

static void
like_prefix_is_escaped(void)
{
	struct store *st;
	json_t *ev;
	bool more;

	t_bail_if(store_open(path, &st) != 0);
	ev = store_events_since(st, 0, NULL, "%", 10, 1 << 20, &more);
	is_int(json_array_size(ev), 0);	/* "%" is literal, matches nothing */
	json_decref(ev);
	store_close(st);
}

static void
settings_and_messages(void)
{
	struct store *st;
	char *v;
	json_t *m;

	t_bail_if(store_open(path, &st) != 0);
	store_begin(st);
	store_set_setting(st, "killswitch", "on");
	store_put_message(st, "r-a", 0, "{\"role\":\"user\"}");
	store_put_message(st, "r-a", 1, "{\"role\":\"assistant\"}");
	store_put_checkpoint(st, "r-a", 1, 5, "{\"step\":1}");
	store_put_checkpoint(st, "r-a", 9, 6, "{\"step\":9}");
	is_int(store_commit(st), 0);
	v = store_get_setting(st, "killswitch");
	is_str(v, "on");
	free(v);
	m = store_messages(st, "r-a", 1);	/* the first N only */
	is_int(json_array_size(m), 1);
	json_decref(m);
	is_int(store_checkpoint_latest(st, "r-a", &m), 0);
	is_int(json_integer_value(json_object_get(m, "step")), 9);
	json_decref(m);
	is_int(store_checkpoint_latest(st, "r-none", &m), 0);
	ok(m == NULL);			/* none is not an error */
	is_int(store_begin(st), 0);
	is_int(store_put_checkpoint(st, "r-a", 10, 1001, "{\"v\":1,"), 0);
	is_int(store_commit(st), 0);
	is_int(store_checkpoint_latest(st, "r-a", &m), -EINVAL);
	ok(m == NULL);			/* unreadable is not "none" */
	store_close(st);
}

static int64_t
file_bytes(const char *file)
{
	struct stat sb;

	return stat(file, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* Writes events of @bytes each, @per_commit to a commit, @commits times;
 * returns the largest size the log had after a commit. */
static int64_t
write_burst(struct store *st, const char *wal, int64_t *seq, size_t bytes,
    int per_commit, int commits)
{
	char *body = xmalloc(bytes + 16);
	int64_t peak = 0;

	for (int c = 0; c < commits; c++) {
		if (store_begin(st) != 0) {
			T_DIAG("store_begin failed");
			break;
		}
		for (int i = 0; i < per_commit; i++) {
			/* different bytes each time: nothing compresses */
			snprintf(body, 16, "{\"n\":\"%06lld", (long long)*seq);
			for (size_t k = 10; k < bytes; k++)
				body[k] = (char)('a' + (k * 31 + (size_t)*seq) % 26);
			memcpy(body + bytes, "\"}", 3);
			(*seq)++;
			is_int(store_put_event(st, *seq, *seq, "r-wal", "bench",
			    body), 0);
		}
		is_int(store_commit(st), 0);
		peak = MAX(peak, file_bytes(wal));
	}
	free(body);
	return peak;
}

#define MIB ((int64_t)1024 * 1024)

/* Opens a database of its own, DIR/NAME; its log's path into @wal. */
static int
open_named(const char *name, char *db, size_t dblen, char *wal, size_t wallen,
    struct store **st)
{
	snprintf(db, dblen, "%s/%s", dir, name);
	snprintf(wal, wallen, "%s-wal", db);
	return store_open(db, st);
}

/* Bursts of commits keep the log under STORE_WAL_MAX_MIB plus one commit
 * (with the writer truncating it at most once a second, a burst grew it
 * past 100 MiB); after a commit larger than that the log starts over, its
 * file cut back to the limit. */
static void
wal_bounded_under_bursts(void)
{
	char db[160], wal[170];
	struct store *st;
	int64_t seq = 0, peak;

	t_bail_if(open_named("burst.db", db, sizeof(db), wal, sizeof(wal),
	    &st) != 0);
	/* 60 MiB in commits of 200 KiB, as fast as they go */
	peak = write_burst(st, wal, &seq, 200 * 1024, 1, 300);
	if (peak > (STORE_WAL_MAX_MIB + 1) * MIB)
		T_DIAG("the log reached %.1f MiB, over %d MiB + one commit",
		    (double)peak / (double)MIB, STORE_WAL_MAX_MIB);
	ok(peak >= STORE_WAL_MAX_MIB * MIB);	/* it did grow that far */
	/* one commit of 24 MiB, then a small one */
	peak = write_burst(st, wal, &seq, 256 * 1024, 96, 1);
	ok(peak >= 24 * MIB);
	peak = write_burst(st, wal, &seq, 1024, 1, 1);
	ok(peak <= STORE_WAL_MAX_MIB * MIB);
	store_close(st);
}

/* The background thread copies the log into the database as it grows,
 * below the mark where the writer makes it start over. */
static void
wal_copied_in_background(void)
{
	char db[160], wal[170];
	struct store *st;
	int64_t seq = 0, end;

	t_bail_if(open_named("background.db", db, sizeof(db), wal, sizeof(wal),
	    &st) != 0);
	write_burst(st, wal, &seq, 200 * 1024, 1, 40);	/* 8 MiB */
	ok(file_bytes(wal) >= 8 * MIB);
	end = mono_ms() + 10000;
	while (file_bytes(db) < 6 * MIB && mono_ms() < end)
		usleep(20 * 1000);
	if (file_bytes(db) < 6 * MIB)
		T_DIAG("the database has %lld bytes: the log was not copied",
		    (long long)file_bytes(db));
	store_close(st);
}

static void
newer_schema_is_refused(void)
{
	struct store *st = NULL;
	sqlite3 *db;

	t_bail_if(sqlite3_open(path, &db) != SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	ok(store_open(path, &st) != 0);
	ok(st == NULL);
}

static void
unwritable_path_is_an_error(void)
{
	struct store *st = NULL;

	ok(store_open("/nonexistent-dir/agentd.db", &st) != 0);
	ok(st == NULL);
}

static void
cleanup(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ok(system(cmd) == 0);
}

/* The response cache: a hit needs the same key, the same request text and
 * an entry young enough; a trim removes only what is older than its mark. */
static void
response_cache(void)
{
	struct store *st;
	char *reply;

	t_bail_if(store_open(path, &st) != 0);
	is_int(store_begin(st), 0);
	is_int(store_cache_put(st, "k1", "{\"m\":1}", 1000, "{\"text\":\"a\"}"), 0);
	is_int(store_cache_put(st, "k2", "{\"m\":2}", 2000, "{\"text\":\"b\"}"), 0);
	is_int(store_commit(st), 0);
	reply = store_cache_get(st, "k1", "{\"m\":1}", 1000);
	is_str(reply, "{\"text\":\"a\"}");
	free(reply);
	/* a key collision with another request is not a hit */
	ok(store_cache_get(st, "k1", "{\"m\":9}", 0) == NULL);
	ok(store_cache_get(st, "k3", "{\"m\":1}", 0) == NULL);
	/* older than the TTL's mark */
	ok(store_cache_get(st, "k1", "{\"m\":1}", 1001) == NULL);
	/* a put for the same key replaces the entry */
	is_int(store_cache_put(st, "k1", "{\"m\":1}", 3000, "{\"text\":\"c\"}"), 0);
	reply = store_cache_get(st, "k1", "{\"m\":1}", 2500);
	is_str(reply, "{\"text\":\"c\"}");
	free(reply);
	is_int(store_cache_trim(st, 2500), 0);
	ok(store_cache_get(st, "k2", "{\"m\":2}", 0) == NULL);
	reply = store_cache_get(st, "k1", "{\"m\":1}", 0);
	is_str(reply, "{\"text\":\"c\"}");
	free(reply);
	store_close(st);
}

#define TESTS(X) \
	X(open_creates_schema_and_reopens) \
	X(batch_commit_and_rollback) \
	X(like_prefix_is_escaped) \
	X(settings_and_messages) \
	X(response_cache) \
	X(wal_bounded_under_bursts) \
	X(wal_copied_in_background) \
	X(newer_schema_is_refused) \
	X(unwritable_path_is_an_error) \
	X(cleanup)
T_MAIN(TESTS)
