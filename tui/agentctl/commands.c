/*
 * agentctl: the command table and the handlers of every command but events
 * (events.c). A handler builds the request body, calls agentd once and
 * prints the reply: as JSON with --json, else through view.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentctl.h"
#include "config.h"
#include "format.h"
#include "view.h"

#define LIMIT_MAX	10000	/* what agentd accepts for "limit" */
#define LIMIT_DEFAULT	100	/* runs a listing shows without --limit */

/* Prints @text (new; freed here). */
static int
print_text(struct ctl *c, char *text)
{
	int r = ctl_print(c, text);

	free(text);
	return r;
}

/* Adds option @name as the string member @key of @body when given. */
static void
opt_str(json_t *body, const struct args *a, const char *name, const char *key)
{
	const char *v = args_get(a, name);

	if (v != NULL)
		json_object_set_new(body, key, json_string(v));
}

/* --limit N into @body, and *limit = N (0 without --limit); a usage error
 * when N is not a count. */
static int
opt_limit(struct ctl *c, json_t *body, const struct args *a, size_t *limit)
{
	const char *v = args_get(a, "limit");
	char why[128];
	int64_t n;

	*limit = 0;
	if (v == NULL)
		return 0;
	if (format_parse_int(v, 1, LIMIT_MAX, &n, why, sizeof(why)) != 0)
		return ctl_fail(c, CTL_EXIT_USAGE, "%s: --limit: %s",
		    a->cmd->name, why);
	json_object_set_new(body, "limit", json_integer(n));
	*limit = (size_t)n;
	return 0;
}

/* Member @key of @reply of type @type, or the reply when @key is NULL: as
 * JSON with --json, else through @view. Consumes @reply. */
static int
show_reply(struct ctl *c, json_t *reply, const char *op, const char *key,
    json_type type, char *(*view)(const json_t *, int64_t))
{
	json_t *v = key != NULL ? ctl_member(c, op, reply, key, type) : reply;
	int r;

	if (v == NULL)
		r = CTL_EXIT_REFUSED;
	else if (c->args->json)
		r = ctl_print_json(c, v, CTL_JSON_FLAGS);
	else
		r = print_text(c, view(v, ctl_now_ms()));
	json_decref(reply);
	return r;
}

/* ---- submit ---------------------------------------------------------------- */

static const struct opt_def submit_opts[] = {
	{ "dry-run", NULL, "plan and simulate: side-effecting tools do not run" },
	{ "model", "PROVIDER:MODEL", "another model than the agent's" },
	{ "budget", "JSON", "limits, e.g. '{\"cost_usd\":0.1,\"llm_calls\":5}'" },
	{ NULL, NULL, NULL },
};

static int
cmd_submit(struct ctl *c, const struct args *a)
{
	const char *model = args_get(a, "model"), *budget = args_get(a, "budget");
	json_t *body = NULL, *limits = NULL, *reply = NULL, *run;
	char why[300];
	const char *colon;
	int r;

	if (model != NULL && ((colon = strchr(model, ':')) == NULL ||
	    colon == model || colon[1] == '\0'))
		return ctl_fail(c, CTL_EXIT_USAGE, "submit: --model \"%s\" must be "
		    "PROVIDER:MODEL, e.g. sim:deploy or openai:gpt-4o-mini", model);
	if (budget != NULL && format_parse_json_object(budget, "--budget",
	    &limits, why, sizeof(why)) != 0)
		return ctl_fail(c, CTL_EXIT_USAGE, "submit: %s", why);
	body = json_pack("{s:s, s:s}", "agent", a->pos[0], "task", a->pos[1]);
	if (model != NULL)
		json_object_set_new(body, "model", json_string(model));
	if (args_get(a, "dry-run") != NULL)
		json_object_set_new(body, "dry_run", json_true());
	if (limits != NULL)
		json_object_set_new(body, "budget", limits);
	if ((r = ctl_call(c, IPC_T_RUNS_SUBMIT, body, &reply)) != 0)
		return r;
	if ((run = ctl_member(c, "runs.submit", reply, "run", JSON_OBJECT)) == NULL)
		r = CTL_EXIT_REFUSED;
	else if (a->json)
		r = ctl_print_json(c, run, CTL_JSON_FLAGS);
	else if (!json_is_string(json_object_get(run, "id")))
		r = ctl_fail(c, CTL_EXIT_REFUSED, "unexpected reply from agentd to "
		    "runs.submit: the run has no id");
	else if ((r = ctl_print(c, json_string_value(json_object_get(run,
	    "id")))) == 0)
		r = ctl_print(c, "\n");
	json_decref(reply);
	return r;
}

/* ---- runs and history -------------------------------------------------------- */

static const struct opt_def runs_opts[] = {
	{ "state", "S", "only runs in state S (queued, executing, awaiting_human, "
	    "paused, done, failed, killed…)" },
	{ "agent", "A", "only runs of agent A" },
	{ "live", NULL, "only runs that have not ended" },
	{ "limit", "N", "at most N runs, newest first (default 100)" },
	{ NULL, NULL, NULL },
};

static int
cmd_runs(struct ctl *c, const struct args *a)
{
	json_t *body = json_object(), *reply;
	size_t limit;
	int r;

	opt_str(body, a, "state", "state");
	opt_str(body, a, "agent", "agent");
	if (args_get(a, "live") != NULL)
		json_object_set_new(body, "live", json_true());
	if ((r = opt_limit(c, body, a, &limit)) != 0) {
		json_decref(body);
		return r;
	}
	if ((r = ctl_call_list(c, IPC_T_RUNS_LIST, "runs", body, limit > 0 ?
	    limit : LIMIT_DEFAULT, &reply)) != 0)
		return r;
	return show_reply(c, reply, "runs.list", "runs", JSON_ARRAY, view_runs);
}

static const struct opt_def history_opts[] = {
	{ "agent", "A", "only runs of agent A" },
	{ "state", "S", "only runs in state S" },
	{ "grep", "TEXT", "TEXT in the task, output or reason (or a run id)" },
	{ "since", "DURATION", "created at most DURATION ago (30m, 2h, 7d)" },
	{ "until", "DURATION", "created at least DURATION ago" },
	{ "limit", "N", "at most N runs, newest first (default 100)" },
	{ NULL, NULL, NULL },
};

/* --since/--until DURATION as an absolute time @key in @body; *at is it. */
static int
opt_ago(struct ctl *c, json_t *body, const struct args *a, const char *name,
    const char *key, int64_t now, int64_t *at)
{
	const char *v = args_get(a, name);
	char why[200];
	int64_t ms;

	*at = 0;
	if (v == NULL)
		return 0;
	if (format_parse_duration(v, &ms, why, sizeof(why)) != 0)
		return ctl_fail(c, CTL_EXIT_USAGE, "history: --%s: %s", name, why);
	*at = now - ms > 0 ? now - ms : 1;
	json_object_set_new(body, key, json_integer(*at));
	return 0;
}

static int
cmd_history(struct ctl *c, const struct args *a)
{
	json_t *body = json_object(), *reply;
	int64_t now = ctl_now_ms(), since, until;
	size_t limit;
	int r;

	opt_str(body, a, "agent", "agent");
	opt_str(body, a, "state", "state");
	opt_str(body, a, "grep", "grep");
	if ((r = opt_limit(c, body, a, &limit)) != 0 ||
	    (r = opt_ago(c, body, a, "since", "since_ms", now, &since)) != 0 ||
	    (r = opt_ago(c, body, a, "until", "until_ms", now, &until)) != 0)
		goto fail;
	if (since > 0 && until > 0 && since >= until) {
		r = ctl_fail(c, CTL_EXIT_USAGE, "history: --since %s is not longer "
		    "ago than --until %s: no run can match", args_get(a, "since"),
		    args_get(a, "until"));
		goto fail;
	}
	if ((r = ctl_call_list(c, IPC_T_HISTORY_SEARCH, "runs", body, limit > 0 ?
	    limit : LIMIT_DEFAULT, &reply)) != 0)
		return r;
	return show_reply(c, reply, "history.search", "runs", JSON_ARRAY,
	    view_runs);
fail:
	json_decref(body);
	return r;
}

/* ---- show ---------------------------------------------------------------------- */

static int
cmd_show(struct ctl *c, const struct args *a)
{
	json_t *reply;
	int r;

	if ((r = ctl_call(c, IPC_T_RUNS_GET, json_pack("{s:s}", "run", a->pos[0]),
	    &reply)) != 0)
		return r;
	return show_reply(c, reply, "runs.get", NULL, JSON_OBJECT, view_run);
}

/* ---- pause, resume, kill ------------------------------------------------------- */

static int
act(struct ctl *c, const struct args *a, enum ipc_type type)
{
	json_t *body = json_pack("{s:s}", "run", a->pos[0]), *reply, *run;
	const char *state;
	char line[256];
	int r;

	opt_str(body, a, "reason", "reason");
	if ((r = ctl_call(c, type, body, &reply)) != 0)
		return r;
	if ((run = ctl_member(c, ipc_type_name(type), reply, "run",
	    JSON_OBJECT)) == NULL) {
		r = CTL_EXIT_REFUSED;
	} else if (a->json) {
		r = ctl_print_json(c, run, CTL_JSON_FLAGS);
	} else {
		state = json_string_value(json_object_get(run, "state"));
		snprintf(line, sizeof(line), "%s %s%s\n", a->pos[0],
		    state != NULL ? state : "?",
		    json_is_true(json_object_get(run, "pause_requested")) ?
		    " (pause requested: it holds after the call in flight)" : "");
		r = ctl_print(c, line);
	}
	json_decref(reply);
	return r;
}

static int
cmd_pause(struct ctl *c, const struct args *a)
{
	return act(c, a, IPC_T_RUNS_PAUSE);
}

static int
cmd_resume(struct ctl *c, const struct args *a)
{
	return act(c, a, IPC_T_RUNS_RESUME);
}

static const struct opt_def kill_opts[] = {
	{ "reason", "TEXT", "why (kept in the run and the audit log)" },
	{ NULL, NULL, NULL },
};

static int
cmd_kill(struct ctl *c, const struct args *a)
{
	return act(c, a, IPC_T_RUNS_KILL);
}

static const struct opt_def rate_opts[] = {
	{ "note", "TEXT", "what was good or bad about it" },
	{ NULL, NULL, NULL },
};

static int
cmd_rate(struct ctl *c, const struct args *a)
{
	const char *rating = a->pos[1];
	json_t *body, *reply, *run;
	char line[256];
	int r;

	if (strcmp(rating, "good") != 0 && strcmp(rating, "bad") != 0)
		return ctl_fail(c, CTL_EXIT_USAGE, "rate: \"%s\" is neither good "
		    "nor bad; usage: agentctl rate RUN good|bad [--note TEXT]",
		    rating);
	body = json_pack("{s:s, s:s}", "run", a->pos[0], "rating", rating);
	opt_str(body, a, "note", "note");
	if ((r = ctl_call(c, IPC_T_RUNS_RATE, body, &reply)) != 0)
		return r;
	if ((run = ctl_member(c, "runs.rate", reply, "run", JSON_OBJECT)) == NULL) {
		r = CTL_EXIT_REFUSED;
	} else if (a->json) {
		r = ctl_print_json(c, run, CTL_JSON_FLAGS);
	} else {
		snprintf(line, sizeof(line), "%s rated %s\n", a->pos[0], rating);
		r = ctl_print(c, line);
	}
	json_decref(reply);
	return r;
}

/* ---- killswitch ----------------------------------------------------------------- */

static int
cmd_killswitch(struct ctl *c, const struct args *a)
{
	const char *what = a->pos[0];
	bool on;
	json_t *body = json_object(), *reply;
	char line[128];
	int r;

	if (strcmp(what, "on") == 0 || strcmp(what, "engage") == 0) {
		on = true;
	} else if (strcmp(what, "off") == 0 || strcmp(what, "release") == 0) {
		on = false;
	} else {
		json_decref(body);
		return ctl_fail(c, CTL_EXIT_USAGE, "killswitch: \"%s\" is neither "
		    "on nor off; usage: agentctl killswitch on|off [--reason TEXT]",
		    what);
	}
	opt_str(body, a, "reason", "reason");
	if ((r = ctl_call(c, on ? IPC_T_KILLSWITCH_ENGAGE :
	    IPC_T_KILLSWITCH_RELEASE, body, &reply)) != 0)
		return r;
	if (a->json) {
		r = ctl_print_json(c, reply, CTL_JSON_FLAGS);
	} else {
		json_int_t killed = json_integer_value(json_object_get(reply,
		    "killed"));
		if (on)
			snprintf(line, sizeof(line), "kill switch engaged: %lld "
			    "run%s killed; new runs are refused until "
			    "\"agentctl killswitch off\"\n", (long long)killed,
			    killed == 1 ? "" : "s");
		else
			snprintf(line, sizeof(line), "kill switch released: new runs "
			    "are accepted again\n");
		r = ctl_print(c, line);
	}
	json_decref(reply);
	return r;
}

/* ---- escalations ------------------------------------------------------------------ */

static const struct opt_def escalations_opts[] = {
	{ "state", "S", "pending (default), approved, rejected, timed_out or all" },
	{ "run", "RUN", "only the escalations of run RUN" },
	{ "limit", "N", "at most N (default: every pending one; 100 of the "
	    "others, newest first)" },
	{ NULL, NULL, NULL },
};

static int
cmd_escalations(struct ctl *c, const struct args *a)
{
	const char *state = args_get(a, "state"), *run = args_get(a, "run");
	json_t *body = json_object(), *reply, *list;
	size_t i, limit, want;
	int r;

	opt_str(body, a, "state", "state");
	opt_str(body, a, "run", "run");
	if ((r = opt_limit(c, body, a, &limit)) != 0) {
		json_decref(body);
		return r;
	}
	/* as agentd: every pending one; of the others the newest 100. With a
	 * run, all of its own: they are kept by state below, then cut */
	if (run != NULL)
		want = 0;
	else if (limit > 0)
		want = limit;
	else if (state == NULL || strcmp(state, "pending") == 0)
		want = 0;
	else
		want = LIMIT_DEFAULT;
	if ((r = ctl_call_list(c, IPC_T_ESCALATIONS_LIST, "escalations", body,
	    want, &reply)) != 0)
		return r;
	if ((list = ctl_member(c, "escalations.list", reply, "escalations",
	    JSON_ARRAY)) == NULL) {
		json_decref(reply);
		return CTL_EXIT_REFUSED;
	}
	/* with a run, agentd answers every state: keep the one asked for
	 * (pending when none was) */
	if (run != NULL && (state == NULL || strcmp(state, "all") != 0)) {
		for (i = 0; i < json_array_size(list);) {
			const char *s = json_string_value(json_object_get(
			    json_array_get(list, i), "state"));
			if (s == NULL || strcmp(s, state != NULL ? state :
			    "pending") != 0)
				json_array_remove(list, i);
			else
				i++;
		}
	}
	while (limit > 0 && json_array_size(list) > limit)
		json_array_remove(list, json_array_size(list) - 1);
	return show_reply(c, reply, "escalations.list", "escalations",
	    JSON_ARRAY, view_escalations);
}

static const struct opt_def approve_opts[] = {
	{ "args", "JSON", "run the tool with these arguments instead (an object)" },
	{ "reason", "TEXT", "a note kept with the decision" },
	{ NULL, NULL, NULL },
};

static const struct opt_def reject_opts[] = {
	{ "reason", "TEXT", "why (required: the agent reads it)" },
	{ NULL, NULL, NULL },
};

static int
decide(struct ctl *c, const struct args *a, bool approve)
{
	const char *args = args_get(a, "args"), *reason = args_get(a, "reason");
	json_t *body, *edited = NULL, *reply, *esc;
	char why[300], line[256];
	int r;

	if (args != NULL && format_parse_json_object(args, "--args", &edited, why,
	    sizeof(why)) != 0)
		return ctl_fail(c, CTL_EXIT_USAGE, "approve: %s", why);
	if (!approve && (reason == NULL || reason[0] == '\0'))
		return ctl_fail(c, CTL_EXIT_USAGE, "reject: --reason TEXT is "
		    "required (the agent reads it); usage: agentctl reject ESC "
		    "--reason TEXT");
	body = json_pack("{s:s, s:s}", "escalation", a->pos[0], "decision",
	    approve ? "approve" : "reject");
	if (edited != NULL)
		json_object_set_new(body, "args", edited);
	if (reason != NULL)
		json_object_set_new(body, "reason", json_string(reason));
	if ((r = ctl_call(c, IPC_T_ESCALATIONS_DECIDE, body, &reply)) != 0)
		return r;
	if ((esc = ctl_member(c, "escalations.decide", reply, "escalation",
	    JSON_OBJECT)) == NULL) {
		r = CTL_EXIT_REFUSED;
	} else if (a->json) {
		r = ctl_print_json(c, esc, CTL_JSON_FLAGS);
	} else {
		const char *state = json_string_value(json_object_get(esc, "state"));
		snprintf(line, sizeof(line), "%s %s%s\n", a->pos[0],
		    state != NULL ? state : approve ? "approved" : "rejected",
		    edited != NULL ? " with edited arguments" : "");
		r = ctl_print(c, line);
	}
	json_decref(reply);
	return r;
}

static int
cmd_approve(struct ctl *c, const struct args *a)
{
	return decide(c, a, true);
}

static int
cmd_reject(struct ctl *c, const struct args *a)
{
	return decide(c, a, false);
}

/* ---- agents, health, hello, help ------------------------------------------------ */

static int
cmd_agents(struct ctl *c, const struct args *a)
{
	json_t *reply;
	char *errors;
	int r;

	if ((r = ctl_call_list(c, IPC_T_AGENTS_LIST, "agents", json_object(), 0,
	    &reply)) != 0)
		return r;
	if (a->json) {
		r = ctl_print_json(c, reply, CTL_JSON_FLAGS);
	} else if (ctl_member(c, "agents.list", reply, "agents",
	    JSON_ARRAY) == NULL) {
		r = CTL_EXIT_REFUSED;
	} else {
		r = print_text(c, view_agents(reply));
		/* after the table, and on stderr: stdout stays the table */
		if (r == 0 && (r = ctl_flush(c)) == 0) {
			errors = view_agent_errors(reply);
			fputs(errors, stderr);
			free(errors);
		}
	}
	json_decref(reply);
	return r;
}

static char *
health_view(const json_t *body, int64_t now)
{
	return view_health(body, now);
}

static int
cmd_health(struct ctl *c, const struct args *a)
{
	json_t *reply;
	int r;

	if ((r = ctl_call(c, IPC_T_HEALTH, NULL, &reply)) != 0)
		return r;
	return show_reply(c, reply, "health", NULL, JSON_OBJECT, health_view);
}

static char *
hello_view(const json_t *body, int64_t now)
{
	return view_hello(body, AGENTD_VERSION);
}

static int
cmd_hello(struct ctl *c, const struct args *a)
{
	json_t *reply;
	int r;

	if ((r = ctl_call(c, IPC_T_HELLO, NULL, &reply)) != 0)
		return r;
	return show_reply(c, reply, "hello", NULL, JSON_OBJECT, hello_view);
}

static int
cmd_help(struct ctl *c, const struct args *a)
{
	const struct cmd_entry *cmd = NULL;

	if (a->npos > 0 && (cmd = args_find(agentctl_commands, a->pos[0])) == NULL)
		return ctl_fail(c, CTL_EXIT_USAGE, "help: unknown command \"%s\" "
		    "(agentctl help lists them)", a->pos[0]);
	return print_text(c, args_help(agentctl_commands, cmd));
}

/* ---- the table --------------------------------------------------------------------- */

static const struct opt_def events_opts[] = {
	{ "follow", NULL, "keep printing new events until interrupted (with "
	    "--run: from the run's start until it ends)" },
	{ "since", "SEQ", "events after sequence number SEQ (0: from the start)" },
	{ "run", "RUN", "only the events of run RUN" },
	{ "type", "PREFIX", "only event types starting with PREFIX (run., span.…)" },
	{ NULL, NULL, NULL },
};

static const struct opt_def killswitch_opts[] = {
	{ "reason", "TEXT", "why (kept in the audit log)" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry agentctl_commands[] = {
	{ "submit", NULL, "AGENT TASK [--dry-run] [--model PROVIDER:MODEL] "
	    "[--budget JSON]", 2, 2, submit_opts, cmd_submit,
	    "start a run of AGENT on TASK and print its id" },
	{ "runs", NULL, "[--state S] [--agent A] [--live] [--limit N]", 0, 0,
	    runs_opts, cmd_runs, "list runs, newest first" },
	{ "show", NULL, "RUN", 1, 1, NULL, cmd_show,
	    "show a run: state, budget, transitions, spans, output" },
	{ "events", NULL, "[--follow] [--since SEQ] [--run RUN] [--type PREFIX]",
	    0, 0, events_opts, ctl_cmd_events,
	    "print events as JSON lines, in sequence order" },
	{ "pause", NULL, "RUN", 1, 1, NULL, cmd_pause,
	    "hold a run before its next step" },
	{ "resume", NULL, "RUN", 1, 1, NULL, cmd_resume,
	    "let a paused run go on" },
	{ "kill", NULL, "RUN [--reason TEXT]", 1, 1, kill_opts, cmd_kill,
	    "stop a run at once" },
	{ "rate", NULL, "RUN good|bad [--note TEXT]", 2, 2, rate_opts, cmd_rate,
	    "rate a finished run (feedback shown in history)" },
	{ "killswitch", NULL, "on|off [--reason TEXT]", 1, 1, killswitch_opts,
	    cmd_killswitch, "kill all live runs and refuse new ones, or accept "
	    "runs again" },
	{ "escalations", NULL, "[--state pending|approved|rejected|timed_out|all] "
	    "[--run RUN] [--limit N]", 0, 0, escalations_opts, cmd_escalations,
	    "list escalations and the decisions they need" },
	{ "approve", NULL, "ESC [--args JSON]", 1, 1, approve_opts, cmd_approve,
	    "approve an escalation, optionally with edited tool arguments" },
	{ "reject", NULL, "ESC --reason TEXT", 1, 1, reject_opts, cmd_reject,
	    "reject an escalation; the agent reads the reason" },
	{ "history", NULL, "[--agent A] [--state S] [--grep TEXT] "
	    "[--since DURATION] [--until DURATION] [--limit N]", 0, 0,
	    history_opts, cmd_history, "search past and present runs" },
	{ "agents", NULL, "", 0, 0, NULL, cmd_agents,
	    "list the agents agentd loaded, and specs it rejected" },
	{ "health", NULL, "", 0, 0, NULL, cmd_health,
	    "show agentd's health and counters" },
	{ "hello", "version", "", 0, 0, NULL, cmd_hello,
	    "show agentd's version, protocol and your role" },
	{ "help", NULL, "[COMMAND]", 0, 1, NULL, cmd_help,
	    "show help on agentctl or on a command" },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
};
