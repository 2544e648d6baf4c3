/*
 * agentctl events: JSON lines, one event per line, in sequence order.
 *
 * Without --follow it pages through runs.events. With --follow it opens the
 * event socket first, then backfills from runs.events, then prints what the
 * socket brings. The socket drops messages when we are slow, so every event
 * must follow on from what was printed (its seq is the next one); when it
 * does not, the gap is refilled from runs.events before going on. A quiet
 * socket is checked the same way every few seconds, which also tells when
 * agentd has gone away (nng redials; we keep waiting) and when it is back.
 *
 * With --run, --follow starts at the run's first event and ends once the
 * run has ended (its run.state to done, failed or killed). To be sure to
 * see that event, the run's events are fetched whatever --type says (the
 * type is filtered here) and the socket also brings run.state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agentctl.h"
#include "format.h"

#define PAGE		1000	/* events per runs.events request */
#define TICK_MS		250	/* how often a quiet loop looks at ctl_stop */
#define QUIET_MS	2000	/* a quiet socket: ask agentd what we missed */
#define CHECK_MS	3000	/* the longest we wait for that answer */
#define SEQ_NOW		((json_int_t)1 << 53)	/* "after everything" */

struct follow {
	struct ctl *c;
	const char *run;	/* --run, or NULL */
	const char *type;	/* --type, or NULL */
	bool follow;		/* --follow */
	int64_t synced;		/* every matching event up to here is printed */
	bool lost;		/* agentd stopped answering: waiting for it */
	bool ended;		/* --run: the run has ended */
};

static bool
wanted(const struct follow *f, const struct ipc_event *ev)
{
	if (f->run != NULL && strcmp(ev->run, f->run) != 0)
		return false;
	/* as agentd's filter (SQL LIKE): in any case */
	return f->type == NULL ||
	    strncasecmp(ev->type_name, f->type, strlen(f->type)) == 0;
}

/* Notes the end of the --run run when @ev is it. */
static void
note_end(struct follow *f, const struct ipc_event *ev)
{
	if (f->run != NULL && strcmp(ev->run, f->run) == 0 &&
	    strcmp(ev->type_name, "run.state") == 0 &&
	    ipc_run_state_ended(json_string_value(json_object_get(ev->body,
	    "to"))))
		f->ended = true;
}

static int
emit(struct follow *f, const json_t *event)
{
	int r = ctl_print_json(f->c, event, CTL_JSON_LINE);

	return r != 0 ? r : ctl_flush(f->c);
}

/*
 * One runs.events page after f->synced: prints it and moves f->synced on,
 * up to agentd's last seq once nothing more is left. *more tells whether
 * another page waits.
 */
static int
fetch_page(struct follow *f, int timeout_ms, bool *more)
{
	struct ipc_error_detail detail = { "" };
	json_t *body, *reply = NULL, *events, *obj;
	struct ipc_event ev;
	json_int_t last;
	size_t i;
	int r;

	body = json_pack("{s:I, s:i}", "since", (json_int_t)f->synced,
	    "limit", PAGE);
	if (f->run != NULL)
		json_object_set_new(body, "run", json_string(f->run));
	/* following a run: its run.state too, the type is filtered here */
	if (f->type != NULL && !(f->follow && f->run != NULL))
		json_object_set_new(body, "type", json_string(f->type));
	if ((r = ctl_call_timeout(f->c, IPC_T_RUNS_EVENTS, body, timeout_ms,
	    &reply)) != 0)
		return r;
	if ((events = ctl_member(f->c, "runs.events", reply, "events",
	    JSON_ARRAY)) == NULL) {
		r = CTL_EXIT_REFUSED;
		goto out;
	}
	*more = json_is_true(json_object_get(reply, "more"));
	last = json_integer_value(json_object_get(reply, "last_seq"));
	if (f->lost && last < f->synced && json_array_size(events) == 0) {
		/* agentd came back with a new database: its sequence starts
		 * again */
		ctl_warn("agentd's events start again at seq 1 (a new "
		    "database?); following from there");
		f->synced = 0;
		*more = true;
		goto out;
	}
	json_array_foreach(events, i, obj) {
		if ((r = ipc_event_from_json(obj, &ev, &detail)) != 0) {
			r = ctl_fail(f->c, CTL_EXIT_REFUSED, "unexpected reply from "
			    "agentd to runs.events: event %zu: %s", i, detail.text);
			goto out;
		}
		if (ev.seq > f->synced) {
			f->synced = ev.seq;
			note_end(f, &ev);
			if (wanted(f, &ev))
				r = emit(f, obj);
		}
		ipc_event_finish(&ev);
		if (r != 0 || f->c->out_closed)
			goto out;
	}
	if (!*more && last > f->synced)
		f->synced = last;
out:
	json_decref(reply);
	return r;
}

/* Everything after f->synced, page by page. */
static int
fetch_all(struct follow *f, int timeout_ms)
{
	bool more = true;
	int r = 0;

	while (more && r == 0 && !ctl_stop && !f->c->out_closed)
		r = fetch_page(f, timeout_ms, &more);
	return r;
}

/*
 * Catches up with agentd in --follow mode. An agentd that does not answer
 * is waited for: one notice when it goes, one when it is back.
 */
static int
resync(struct follow *f, int timeout_ms)
{
	int r = fetch_all(f, timeout_ms);

	if (r == CTL_EXIT_UNREACHABLE) {
		if (!f->lost)
			ctl_warn("lost agentd (sockets in %s); waiting for it to "
			    "come back", f->c->dir);
		f->lost = true;
		return 0;
	}
	if (r == 0 && f->lost) {
		ctl_warn("agentd is back; caught up to seq %lld",
		    (long long)f->synced);
		f->lost = false;
	}
	return r;
}

static int
follow_loop(struct follow *f, struct ipc_sub *sub)
{
	struct ipc_error_detail detail = { "" };
	struct ipc_event ev;
	int timeout = f->c->args->timeout_ms;
	int check = timeout < CHECK_MS ? timeout : CHECK_MS;
	int quiet = 0, r = 0;

	while (r == 0 && !ctl_stop && !f->c->out_closed && !f->ended) {
		r = ipc_sub_recv(sub, TICK_MS, &ev, &detail);
		if (r == -IPC_E_AGAIN) {
			r = 0;
			if ((quiet += TICK_MS) >= (f->lost ? 1000 : QUIET_MS)) {
				quiet = 0;
				r = resync(f, check);
			}
			continue;
		}
		if (r == -IPC_E_TRANSPORT) {
			r = ctl_fail(f->c, CTL_EXIT_UNREACHABLE, "%s", detail.text);
			break;
		}
		if (r != 0) {
			/* a message we cannot read: the gap it leaves is
			 * refilled with the next event */
			ctl_warn("skipped an event: %s", detail.text);
			r = 0;
			continue;
		}
		quiet = 0;
		if (ev.ephemeral) {
			/* live only (llm.delta): after the stored events
			 * before it, never refilled */
			if (f->lost || ev.seq > f->synced)
				r = resync(f, f->lost ? check : timeout);
			if (r == 0 && !f->lost && wanted(f, &ev))
				r = emit(f, ev.body);
		} else if (f->lost || ev.seq > f->synced + 1) {
			/* a gap, or agentd is back: what we missed comes first
			 * (this event included) */
			r = resync(f, f->lost ? check : timeout);
			if (r == 0 && !f->lost && ev.seq > f->synced) {
				f->synced = ev.seq;
				note_end(f, &ev);
				if (wanted(f, &ev))
					r = emit(f, ev.body);
			}
		} else if (ev.seq == f->synced + 1) {
			f->synced = ev.seq;
			note_end(f, &ev);
			if (wanted(f, &ev))
				r = emit(f, ev.body);
		}
		ipc_event_finish(&ev);
	}
	/* the run's last events may have been stored with its end */
	if (r == 0 && f->ended)
		r = fetch_all(f, timeout);
	return r;
}

int
ctl_cmd_events(struct ctl *c, const struct args *a)
{
	struct follow f = { .c = c, .run = args_get(a, "run"),
	    .type = args_get(a, "type"), .follow = args_get(a, "follow") != NULL };
	struct ipc_error_detail detail = { "" };
	struct ipc_sub *sub = NULL;
	const char *since = args_get(a, "since");
	const char *topics[2];
	size_t n_topics = 0;
	json_t *hello = NULL, *seq;
	char why[128];
	int r;

	if (since != NULL && format_parse_int(since, 0, (int64_t)SEQ_NOW, &f.synced, why,
	    sizeof(why)) != 0)
		return ctl_fail(c, CTL_EXIT_USAGE, "events: --since: %s", why);
	if (f.type != NULL && f.type[0] == '\0')
		f.type = NULL;
	ctl_catch_stop();
	if (!f.follow)
		return fetch_all(&f, a->timeout_ms);
	if (f.run != NULL) {
		/* a run that does not exist would be followed for ever, and
		 * one that has ended (its end maybe before --since) only has
		 * its stored events left */
		json_t *run;
		if ((r = ctl_call(c, IPC_T_RUNS_GET, json_pack("{s:s}", "run",
		    f.run), &run)) != 0)
			return r;
		f.ended = ipc_run_state_ended(json_string_value(json_object_get(
		    run, "state")));
		json_decref(run);
		if (f.ended)
			return fetch_all(&f, a->timeout_ms);
		topics[n_topics++] = "run.state";
	}
	if (f.type != NULL)
		topics[n_topics++] = f.type;
	/* the socket first, so nothing published from now on is missed; all
	 * events when no --type (a run's follower filters the rest here) */
	if (ipc_sub_open(c->dir, f.type != NULL ? topics : NULL,
	    f.type != NULL ? n_topics : 0, &sub, &detail) != 0)
		return ctl_fail(c, CTL_EXIT_UNREACHABLE, "%s", detail.text);
	if (since == NULL && f.run == NULL) {
		/* only new events: from agentd's current seq on */
		if ((r = ctl_call(c, IPC_T_HELLO, NULL, &hello)) != 0)
			goto out;
		if ((seq = ctl_member(c, "hello", hello, "seq", JSON_INTEGER)) == NULL) {
			r = CTL_EXIT_REFUSED;
			goto out;
		}
		f.synced = json_integer_value(seq);
	}
	if ((r = fetch_all(&f, a->timeout_ms)) == 0)
		r = follow_loop(&f, sub);
out:
	json_decref(hello);
	ipc_sub_destroy(sub);
	return r;
}
