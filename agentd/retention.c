/*
 * Retention: what agentd keeps of its audit log, its events and the
 * replies it remembers for idempotency, as operators set it (agentd(8),
 * docs/operator-guide.md). Trimmed at start and every 10 minutes, a
 * bounded number of rows at a time so that the loop never stalls.
 */
#include <jansson.h>

#include "engine_impl.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define TRIM_EVERY_MS	(10 * 60 * 1000)
#define TRIM_ROWS	5000	/* rows looked at in a chunk; the next 100 ms later */
#define DAY_MS		(24LL * 3600 * 1000)

static void
trim_fire(struct timer *t, void *arg)
{
	struct engine *e = arg;
	const struct engine_retention *keep = &e->retention;
	int64_t now = now_ms();
	int replies, audit = 0, events = 0;
	bool more;

	if (!e->storage_ok || store_in_transaction(e->store)) {
		loop_timer_arm(e->loop, &e->retention_timer, 1000, trim_fire, e);
		return;
	}
	replies = store_trim_requests(e->store, now - keep->replies_hours *
	    3600 * 1000, TRIM_ROWS);
	if (keep->audit_days > 0 || keep->audit_rows > 0)
		audit = store_trim_audit(e->store, keep->audit_days > 0 ?
		    now - keep->audit_days * DAY_MS : 0, keep->audit_rows > 0 ?
		    keep->audit_rows : INT64_MAX / 2, TRIM_ROWS);
	if (keep->events_days > 0)
		events = store_trim_events(e->store, now - keep->events_days *
		    DAY_MS, &e->retention_from, TRIM_ROWS);
	if (audit > 0 || events > 0)
		log_info("retention: %d audit rows and %d events deleted", audit,
		    events);
	/* more to look at: soon, but a chunk at a time */
	more = replies == TRIM_ROWS || audit == TRIM_ROWS ||
	    (keep->events_days > 0 && e->retention_from != 0);
	loop_timer_arm(e->loop, &e->retention_timer, more ? 100 : TRIM_EVERY_MS,
	    trim_fire, e);
}

void
engine_retention_start(struct engine *e)
{
	loop_timer_arm(e->loop, &e->retention_timer, 0, trim_fire, e);
}
