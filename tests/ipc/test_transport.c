/* Real nng sockets on a private directory: request/reply, pub/sub,
 * permissions, errors when nobody listens. */
#include "t.h"
#include "ipc.h"

#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static struct ipc_server *srv;
static volatile int stop;

/* Answers every request with its own body, until stopped. */
static void *
echo_server(void *arg)
{
	struct pollfd pfd = { .fd = ipc_server_ctl_fd(srv), .events = POLLIN };

	while (!stop) {
		char *buf, *reply;
		size_t len, rlen;
		uint32_t uid;
		struct ipc_msg msg;

		poll(&pfd, 1, 50);
		while (ipc_server_recv(srv, &buf, &len, &uid) == 0) {
			ipc_decode_request(buf, len, &msg, NULL);
			json_object_set_new(msg.body, "uid", json_integer(uid));
			reply = ipc_encode_reply_ok(msg.type, msg.id, msg.body, &rlen);
			ipc_server_reply(srv, reply, rlen);
			ipc_msg_finish(&msg);
			free(reply);
			free(buf);
		}
	}
	return NULL;
}

static void
setup(void)
{
	struct ipc_error_detail d;

	snprintf(dir, sizeof(dir), "/tmp/agentd-ipc-XXXXXX");
	if (mkdtemp(dir) == NULL || ipc_server_open(dir, &srv, &d) != 0) {
		printf("# setup: %s\n", d.text);
		exit(1);
	}
}

static void
sockets_are_private(void)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, IPC_CTL_NAME);
	is_int(stat(path, &st), 0);
	is_int(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/%s", dir, IPC_EVENTS_NAME);
	is_int(stat(path, &st), 0);
	is_int(st.st_mode & 0777, 0600);
	is_int(stat(dir, &st), 0);
	is_int(st.st_mode & 0777, 0700);
}

static void
request_reply_carries_peer_uid(void)
{
	struct ipc_client *cl;
	struct ipc_error_detail d;
	struct ipc_msg reply;
	pthread_t th;
	json_t *body = json_pack("{s:s}", "hello", "world");

	stop = 0;
	pthread_create(&th, NULL, echo_server, NULL);
	t_bail_if(ipc_client_open(dir, &cl, &d) != 0);
	is_int(ipc_client_call(cl, IPC_T_HEALTH, body, 5000, &reply, &d), 0);
	ok(reply.ok);
	is_str(json_string_value(json_object_get(reply.body, "hello")), "world");
	is_int(json_integer_value(json_object_get(reply.body, "uid")), getuid());
	ipc_msg_finish(&reply);
	ipc_client_destroy(cl);
	stop = 1;
	pthread_join(th, NULL);
	json_decref(body);
}

static void
publish_reaches_prefix_subscribers(void)
{
	const char *prefixes[] = { "run." };
	struct ipc_sub *all, *runs;
	struct ipc_error_detail d;
	struct ipc_event ev;
	json_t *e1 = json_pack("{s:i, s:i, s:i, s:s}", "v", 1, "seq", 1, "ts", 1,
	    "type", "span.start");
	json_t *e2 = json_pack("{s:i, s:i, s:i, s:s}", "v", 1, "seq", 2, "ts", 1,
	    "type", "run.state");
	char *m1, *m2;
	size_t l1, l2;

	t_bail_if(ipc_sub_open(dir, NULL, 0, &all, &d) != 0);
	t_bail_if(ipc_sub_open(dir, prefixes, 1, &runs, &d) != 0);
	usleep(200 * 1000);	/* let the subscriptions connect */
	m1 = ipc_encode_event(e1, &l1);
	m2 = ipc_encode_event(e2, &l2);
	ipc_server_publish(srv, m1, l1);
	ipc_server_publish(srv, m2, l2);
	is_int(ipc_sub_recv(all, 2000, &ev, &d), 0);
	is_int(ev.seq, 1);
	ipc_event_finish(&ev);
	is_int(ipc_sub_recv(all, 2000, &ev, &d), 0);
	is_int(ev.seq, 2);
	ipc_event_finish(&ev);
	is_int(ipc_sub_recv(runs, 2000, &ev, &d), 0);
	is_int(ev.seq, 2);	/* span.start was filtered out */
	ipc_event_finish(&ev);
	is_int(ipc_sub_recv(runs, 100, &ev, &d), -IPC_E_AGAIN);
	free(m1);
	free(m2);
	json_decref(e1);
	json_decref(e2);
	ipc_sub_destroy(all);
	ipc_sub_destroy(runs);
}

static void
absent_daemon_is_reported(void)
{
	struct ipc_client *cl = NULL;
	struct ipc_error_detail d = { "" };

	is_int(ipc_client_open("/tmp/agentd-nobody-here", &cl, &d),
	    -IPC_E_TRANSPORT);
	has_str(d.text, "is agentd running?");
	ok(cl == NULL);
}

static void
second_server_on_same_dir_fails(void)
{
	struct ipc_server *other = NULL;
	struct ipc_error_detail d = { "" };

	ok(ipc_server_open(dir, &other, &d) != 0);
	has_str(d.text, "another agentd");
}

static void
teardown(void)
{
	char cmd[96];

	ipc_server_destroy(srv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
}

#define TESTS(X) \
	X(setup) \
	X(sockets_are_private) \
	X(request_reply_carries_peer_uid) \
	X(publish_reaches_prefix_subscribers) \
	X(absent_daemon_is_reported) \
	X(second_server_on_same_dir_fails) \
	X(teardown)
T_MAIN(TESTS)
