#include "t.h"
#include "ipc.h"

#include <jansson.h>
#include <stdlib.h>

static void
request_round_trip(void)
{
	json_t *body = json_pack("{s:s}", "run", "r-1");
	size_t len;
	char *s = ipc_encode_request(IPC_T_RUNS_GET, 42, body, &len);
	struct ipc_msg msg;

	is_int(ipc_decode_request(s, len, &msg, NULL), 0);
	is_int(msg.type, IPC_T_RUNS_GET);
	is_int(msg.id, 42);
	is_str(json_string_value(json_object_get(msg.body, "run")), "r-1");
	ipc_msg_finish(&msg);
	free(s);
	json_decref(body);
}

static void
requests_are_checked_strictly(void)
{
	static const struct {
		const char *text;
		int code;
		const char *detail;
	} cases[] = {
		{ "", -IPC_E_PARSE, "invalid JSON" },
		{ "{\"v\":1,\"type\":\"hello\",\"id\":1", -IPC_E_PARSE, "line 1" },
		{ "\"hello\"", -IPC_E_PARSE, "" },
		{ "[]", -IPC_E_SCHEMA, "not a JSON object" },
		{ "{\"type\":\"hello\",\"id\":1}", -IPC_E_SCHEMA, "\"v\"" },
		{ "{\"v\":7,\"type\":\"hello\",\"id\":1}", -IPC_E_VERSION, "version 7" },
		{ "{\"v\":1,\"id\":1}", -IPC_E_SCHEMA, "\"type\"" },
		{ "{\"v\":1,\"type\":\"hello\",\"id\":\"1\"}", -IPC_E_SCHEMA, "\"id\"" },
		{ "{\"v\":1,\"type\":\"frobnicate\",\"id\":1}", -IPC_E_UNKNOWN_OP, "frobnicate" },
		{ "{\"v\":1,\"type\":\"hello\",\"id\":1,\"extra\":2}", -IPC_E_SCHEMA, "extra" },
		{ "{\"v\":1,\"type\":\"hello\",\"id\":1,\"body\":[]}", -IPC_E_SCHEMA, "body" },
		{ "{\"v\":1,\"v\":1,\"type\":\"hello\",\"id\":1}", -IPC_E_PARSE, "duplicate" },
	};
	struct ipc_error_detail detail;
	struct ipc_msg msg;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		detail.text[0] = '\0';
		is_int(ipc_decode_request(cases[i].text, strlen(cases[i].text), &msg,
		    &detail), cases[i].code);
		has_str(detail.text, cases[i].detail);
		ipc_msg_finish(&msg);
	}
}

static void
error_reply_echoes_type_and_id(void)
{
	struct ipc_msg msg;
	const char *bad = "{\"v\":1,\"type\":\"runs.kill\",\"id\":9,\"body\":5}";
	size_t len;
	char *s;

	ok(ipc_decode_request(bad, strlen(bad), &msg, NULL) < 0);
	is_int(msg.type, IPC_T_RUNS_KILL);
	is_int(msg.id, 9);
	s = ipc_encode_reply_error(msg.type, msg.id, IPC_E_SCHEMA, "no", &len);
	is_int(ipc_decode_reply(s, len, &msg, NULL), 0);
	ok(!msg.ok);
	is_int(msg.error, IPC_E_SCHEMA);
	is_str(msg.message, "no");
	is_int(msg.id, 9);
	ipc_msg_finish(&msg);
	free(s);
}

static void
ok_reply_round_trip(void)
{
	json_t *body = json_pack("{s:i}", "n", 3);
	size_t len;
	char *s = ipc_encode_reply_ok(IPC_T_HEALTH, 5, body, &len);
	struct ipc_msg msg;

	is_int(ipc_decode_reply(s, len, &msg, NULL), 0);
	ok(msg.ok);
	is_int(json_integer_value(json_object_get(msg.body, "n")), 3);
	ipc_msg_finish(&msg);
	free(s);
	json_decref(body);
}

static void
event_round_trip_with_topic(void)
{
	json_t *ev = json_pack("{s:i, s:I, s:I, s:s, s:s, s:s}", "v", 1,
	    "seq", (json_int_t)12, "ts", (json_int_t)1700000000000,
	    "type", "run.state", "run", "r-abc", "to", "done");
	size_t len;
	char *s = ipc_encode_event(ev, &len);
	struct ipc_event out;

	ok(strncmp(s, "run.state {", 11) == 0);
	is_int(ipc_decode_event(s, len, &out, NULL), 0);
	is_int(out.seq, 12);
	is_int(out.type, IPC_EV_RUN_STATE);
	is_str(out.run, "r-abc");
	is_str(json_string_value(json_object_get(out.body, "to")), "done");
	ipc_event_finish(&out);
	free(s);
	json_decref(ev);
}

static void
events_are_checked(void)
{
	static const char *const bad[] = {
		"run.state", "run.state {", "{\"v\":1,\"seq\":0,\"ts\":1,\"type\":\"x\"}",
		"{\"v\":1,\"seq\":1,\"ts\":1}", "{\"v\":2,\"seq\":1,\"ts\":1,\"type\":\"x\"}",
		"{\"v\":1,\"seq\":1,\"ts\":1,\"type\":\"x\",\"run\":5}",
	};
	struct ipc_event out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(ipc_decode_event(bad[i], strlen(bad[i]), &out, NULL) < 0);
		ipc_event_finish(&out);
	}
	/* an event type this build does not know is kept, not refused */
	{
		const char *future = "{\"v\":1,\"seq\":3,\"ts\":1,"
		    "\"type\":\"future.thing\"}";
		ok(ipc_decode_event(future, strlen(future), &out, NULL) == 0);
	}
	is_int(out.type, IPC_EV_NONE);
	is_str(out.type_name, "future.thing");
	ipc_event_finish(&out);
}

static void
names_are_a_table(void)
{
	is_str(ipc_type_name(IPC_T_ESCALATIONS_DECIDE), "escalations.decide");
	is_int(ipc_type_from_name("runs.submit"), IPC_T_RUNS_SUBMIT);
	ok(ipc_type_mutating(IPC_T_RUNS_KILL));
	ok(!ipc_type_mutating(IPC_T_RUNS_LIST));
	is_str(ipc_error_name(-IPC_E_NOT_FOUND), "not_found");
	is_int(ipc_error_from_name("killswitch"), IPC_E_KILLSWITCH);
	is_str(ipc_event_name(IPC_EV_BUDGET_WARN), "budget.warn");
	ok(ipc_type_name(IPC_T__COUNT) == NULL);
	ok(ipc_run_state_ended("done") && ipc_run_state_ended("failed") &&
	    ipc_run_state_ended("killed"));
	ok(!ipc_run_state_ended("paused") && !ipc_run_state_ended("awaiting_human") &&
	    !ipc_run_state_ended("don") && !ipc_run_state_ended(NULL));
}

static void
socket_dir_precedence(void)
{
	char out[256];

	setenv("AGENTD_SOCKET_DIR", "/env/dir", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
	is_int(ipc_socket_dir("/flag", out, sizeof(out)), 0);
	is_str(out, "/flag");
	ipc_socket_dir(NULL, out, sizeof(out));
	is_str(out, "/env/dir");
	unsetenv("AGENTD_SOCKET_DIR");
	ipc_socket_dir("", out, sizeof(out));
	is_str(out, "/run/user/7/agentd");
	unsetenv("XDG_RUNTIME_DIR");
	ipc_socket_dir(NULL, out, sizeof(out));
	has_str(out, "/tmp/agentd-");
	ok(ipc_socket_dir("/x", out, 2) != 0);
}

static void
error_message_cut_mid_character_is_still_sent(void)
{
	/* "é" cut after its first byte, as a %.Ns of client input may do */
	char cut[] = "unknown agent \"caf\xc3";
	struct ipc_msg msg;
	size_t len;
	char *s = ipc_encode_reply_error(IPC_T_RUNS_SUBMIT, 3, IPC_E_NOT_FOUND,
	    cut, &len);

	t_bail_if(s == NULL);
	is_int(ipc_decode_reply(s, len, &msg, NULL), 0);
	is_str(msg.message, "unknown agent \"caf?");
	ipc_msg_finish(&msg);
	free(s);
}

#define TESTS(X) \
	X(request_round_trip) \
	X(requests_are_checked_strictly) \
	X(error_reply_echoes_type_and_id) \
	X(ok_reply_round_trip) \
	X(event_round_trip_with_topic) \
	X(events_are_checked) \
	X(names_are_a_table) \
	X(socket_dir_precedence) \
	X(error_message_cut_mid_character_is_still_sent)
T_MAIN(TESTS)
