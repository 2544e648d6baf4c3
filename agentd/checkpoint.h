/*
 * A run's checkpoint: the small resumable state written with every change
 * of the run (no copy of the conversation: the messages are rows of their
 * own) and read back when agentd starts. Both halves live here, so a field
 * is written and read in one place.
 *
 * Reading is strict: a checkpoint of another version, an unknown field, a
 * field of the wrong type or a value out of its set is refused with a
 * message naming the field, and the run is left untouched — never half
 * restored with the fields after a bad one reset (tool_started among them:
 * that would re-run a side effect).
 */
#ifndef AGENTD_CHECKPOINT_H
#define AGENTD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"

struct json_t;

#define CHECKPOINT_VERSION	1

/* What a checkpoint says beside the run's own fields. */
struct checkpoint_extra {
	size_t messages;		/* messages of the conversation saved */
	int64_t paused_since_ms;	/* wall ms a pause began, 0: not paused */
};

/* The checkpoint of @run: a new reference. */
struct json_t *checkpoint_save(const struct run *run);
/* Restores @run from @cp: 0, or -EINVAL with @err naming the field (and
 * then nothing of @run changed). */
int checkpoint_load(const struct json_t *cp, struct run *run,
    struct checkpoint_extra *extra, char *err, size_t errlen);

#endif
