/*
 * bench_wal: how large the SQLite log (agentd.db-wal) grows under bursts of
 * writes, printed (never asserted). A thread stats the file every
 * millisecond; the figures are its peak, its size at the end and the
 * database's size.
 *
 *   runs   2,000 runs of 10 steps, all at once: many small commits
 *   big    1,000 runs with 60 KiB tasks, 500 at once: every change of a
 *          run rewrites its row, so commits are large
 *
 *   ninja -C build bench-wal      (or: bench_wal [runs] [big_runs])
 */
#include "bench_run.h"

static void
print(const char *name, const char *what, const struct figures *f)
{
	printf("%-6s %s: %.1f s wall, %lld runs done\n"
	    "       WAL peak %.1f MiB, WAL at the end %.1f MiB, database "
	    "%.1f MiB\n\n", name, what, f->wall_s, (long long)f->runs_done,
	    (double)f->wal_peak / 1048576, (double)f->wal_end / 1048576,
	    (double)f->db_bytes / 1048576);
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 2000;
	int big = argc > 2 ? atoi(argv[2]) : 1000;
	struct figures f;
	char what[120];

	printf("agentd WAL benchmark (sim provider, zero latency, SQLite WAL, "
	    "synchronous=NORMAL)\n\n");
	if (in_child(&(struct bench_spec){ .name = "runs", .total = runs,
	    .concurrent = runs, .watch_wal = true }, &f) != 0)
		return 1;
	snprintf(what, sizeof(what), "%d runs at once, 10 steps each", runs);
	print("runs", what, &f);
	if (in_child(&(struct bench_spec){ .name = "big", .total = big,
	    .concurrent = MAX(big / 2, 1), .task_bytes = 60 * 1024,
	    .watch_wal = true }, &f) != 0)
		return 1;
	snprintf(what, sizeof(what), "%d runs with 60 KiB tasks, %d at once",
	    big, MAX(big / 2, 1));
	print("big", what, &f);
	return 0;
}
