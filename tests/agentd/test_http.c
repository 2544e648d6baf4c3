/*
 * http.c on a loop of its own, against the fake provider
 * (tests/fake_provider) and, for heads the fake never sends, a canned
 * one-connection server on the same loop.
 */
#include "t.h"
#include "canned_server.h"
#include "fake_server.h"
#include "http.h"
#include "loop.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define OPENAI_KEY "sk-unit-0123456789abcdefghij"
#define ANTHROPIC_KEY "sk-ant-unit-0123456789abcdefghij"
#define COMPLETION_BODY "{\"model\":\"support-triage\",\"messages\":" \
	"[{\"role\":\"user\",\"content\":\"refund?\"}]}"

/* What the callbacks saw. */
struct result {
	int heads, dones;
	struct http_head head;
	char *body;
	size_t len;
	int status;
	char error[512];
	bool had_error;
	int head_return;		/* what on_head returns */
	int body_return;		/* what on_body returns */
	bool stream;			/* on_head calls http_stream() */
	struct http_transfer *t;	/* for that */
	int quiets;			/* on_quiet calls */
	int64_t silent_ms;		/* what the last one said */
	size_t len_at_quiet;		/* body bytes when it came */
};

static int
r_head(void *arg, const struct http_head *head)
{
	struct result *r = arg;

	r->heads++;
	r->head = *head;
	if (r->stream)
		http_stream(r->t);
	return r->head_return;
}

static void
r_quiet(void *arg, int64_t silent_ms)
{
	struct result *r = arg;

	r->quiets++;
	r->silent_ms = silent_ms;
	r->len_at_quiet = r->len;
}

static int
r_body(void *arg, const char *data, size_t len)
{
	struct result *r = arg;

	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return r->body_return;
}

static void
r_done(void *arg, int status, const char *error)
{
	struct result *r = arg;

	r->dones++;
	r->status = status;
	r->had_error = error != NULL;
	copy_str(r->error, sizeof(r->error), error ? error : "");
}

static const struct http_callbacks r_cb = { .on_head = r_head,
    .on_body = r_body, .on_done = r_done, .on_quiet = r_quiet };

static void
result_finish(struct result *r)
{
	free(r->body);
	r->body = NULL;
}

/* Runs @loop until *@flag is set; false after the deadline. */
static bool
run_until(struct loop *loop, const int *flag)
{
	int64_t end = mono_ms() + FAKE_DEADLINE_MS;

	while (*flag == 0 && mono_ms() < end)
		loop_run_once(loop, 50);
	return *flag != 0;
}

/* Runs @loop for about @ms. */
static void
run_for(struct loop *loop, int64_t ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end)
		loop_run_once(loop, (int)MAX(end - mono_ms(), 0));
}

static int
start_fake(void)
{
	if (fake_start(OPENAI_KEY, ANTHROPIC_KEY) != 0)
		return -1;
	return fake_reset();
}

/* ---- the fake provider --------------------------------------------------- */

static void
get_round_trip(void)
{
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t = NULL;
	struct result r = { 0 };
	char url[128];
	struct http_request req = { .url = url, .timeout_ms = 20000 };
	json_t *j;

	t_bail_if(start_fake() != 0);
	snprintf(url, sizeof(url), "%s/_fake/stats", fake.url);
	is_int(http_start(c, &req, &r_cb, &r, &t), 0);
	ok(t != NULL);
	is_int(http_client_active(c), 1);
	ok(run_until(loop, &r.dones));
	is_int(r.heads, 1);
	is_int(r.dones, 1);
	is_int(r.status, 0);
	ok(!r.had_error);
	is_int(r.head.status, 200);
	is_str(r.head.content_type, "application/json");
	is_int(r.head.retry_after_ms, -1);
	ok(r.body != NULL && r.len == strlen(r.body));
	j = r.body ? json_loads(r.body, 0, NULL) : NULL;
	ok(json_is_integer(json_object_get(j, "requests")));
	ok(json_is_integer(json_object_get(j, "open_connections")));
	json_decref(j);
	is_int(http_client_active(c), 0);
	result_finish(&r);
	http_client_destroy(c);
	loop_destroy(loop);
}

static void
post_round_trip_with_headers(void)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    "X-Unit-Test: yes", NULL };
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t = NULL;
	struct result r = { 0 };
	char url[128];
	struct http_request req = { .url = url, .body = COMPLETION_BODY,
	    .body_len = strlen(COMPLETION_BODY), .headers = headers,
	    .secret_header = "Authorization: Bearer " OPENAI_KEY,
	    .timeout_ms = 20000 };
	json_t *j, *log, *rec, *h, *sent;
	const char *ua;

	t_bail_if(start_fake() != 0);
	snprintf(url, sizeof(url), "%s/v1/chat/completions", fake.url);
	is_int(http_start(c, &req, &r_cb, &r, &t), 0);
	ok(run_until(loop, &r.dones));
	is_int(r.status, 0);
	is_int(r.heads, 1);
	is_int(r.head.status, 200);
	is_str(r.head.content_type, "application/json");
	ok(r.body != NULL && r.len == strlen(r.body));
	j = r.body ? json_loads(r.body, 0, NULL) : NULL;
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(json_object_get(json_array_get(json_object_get(j,
	    "choices"), 0), "message"), "tool_calls"), 0), "function"), "name")),
	    "kb_search");
	is_int(json_integer_value(json_object_get(json_object_get(j, "usage"),
	    "prompt_tokens")), 900);
	is_int(json_integer_value(json_object_get(json_object_get(j, "usage"),
	    "completion_tokens")), 60);
	json_decref(j);

	/* what went over the wire */
	log = fake_requests();
	t_bail_if(log == NULL);
	is_int(json_array_size(log), 1);
	rec = json_array_get(log, 0);
	h = json_object_get(rec, "headers");
	is_str(json_string_value(json_object_get(rec, "method")), "POST");
	is_str(json_string_value(json_object_get(rec, "path")),
	    "/v1/chat/completions");
	is_str(json_string_value(json_object_get(h, "x-unit-test")), "yes");
	is_str(json_string_value(json_object_get(h, "authorization")),
	    "Bearer " OPENAI_KEY);
	is_str(json_string_value(json_object_get(h, "content-type")),
	    "application/json");
	ua = json_string_value(json_object_get(h, "user-agent"));
	ok(ua != NULL && strncmp(ua, "agentd/", 7) == 0);
	ok(json_object_get(h, "expect") == NULL);
	sent = json_loads(COMPLETION_BODY, 0, NULL);
	ok(json_equal(json_object_get(rec, "body"), sent));
	json_decref(sent);
	json_decref(log);
	result_finish(&r);
	http_client_destroy(c);
	loop_destroy(loop);
}

static void
connection_refused(void)
{
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t = NULL;
	struct result r = { 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	char url[128];
	struct http_request req = { .url = url, .timeout_ms = 20000 };
	/* bound but not listening: a connect gets a RST, and nobody else can
	 * take the port while we hold it */
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	t_bail_if(fd < 0);
	t_bail_if(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0);
	t_bail_if(getsockname(fd, (struct sockaddr *)&sa, &sl) != 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ntohs(sa.sin_port));
	is_int(http_start(c, &req, &r_cb, &r, &t), 0);
	ok(run_until(loop, &r.dones));
	is_int(r.dones, 1);
	is_int(r.heads, 0);
	is_int(r.status, -ECONNREFUSED);
	has_str(r.error, "cannot connect");
	is_int(http_client_active(c), 0);
	close(fd);
	result_finish(&r);
	http_client_destroy(c);
	loop_destroy(loop);
}

static void
timeout_on_hang(void)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    NULL };
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t = NULL;
	struct result r = { 0 };
	char url[128];
	struct http_request req = { .url = url, .body = COMPLETION_BODY,
	    .body_len = strlen(COMPLETION_BODY), .headers = headers,
	    .timeout_ms = 300 };
	int64_t start;

	t_bail_if(start_fake() != 0);
	t_bail_if(fake_faults("[{\"kind\":\"hang\"}]") != 0);
	snprintf(url, sizeof(url), "%s/v1/chat/completions", fake.url);
	start = mono_ms();
	is_int(http_start(c, &req, &r_cb, &r, &t), 0);
	ok(run_until(loop, &r.dones));
	ok(mono_ms() - start >= 250);
	is_int(r.dones, 1);
	is_int(r.heads, 0);
	is_int(r.status, -ETIMEDOUT);
	is_str(r.error, "no complete response within 300 ms");
	is_int(http_client_active(c), 0);
	result_finish(&r);
	http_client_destroy(c);
	loop_destroy(loop);
	/* the fake saw the connection go */
	ok(fake_wait_stat("open_connections", 1));
}

/* ---- streams: silences, not the whole transfer ----------------------------- */

#define STREAM_BODY "{\"model\":\"support-triage\",\"stream\":true," \
	"\"messages\":[{\"role\":\"user\",\"content\":\"refund?\"}]}"

/* One streamed completion from the fake with @faults queued; @r says
 * whether it is taken as a stream. */
static void
stream_request(const char *faults, const struct http_request *proto,
    struct result *r)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    NULL };
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	char url[128];
	struct http_request req = *proto;

	t_bail_if(start_fake() != 0);
	t_bail_if(fake_faults(faults) != 0);
	snprintf(url, sizeof(url), "%s/v1/chat/completions", fake.url);
	req.url = url;
	req.body = STREAM_BODY;
	req.body_len = strlen(STREAM_BODY);
	req.headers = headers;
	req.secret_header = "Authorization: Bearer " OPENAI_KEY;
	is_int(http_start(c, &req, &r_cb, r, &r->t), 0);
	ok(run_until(loop, &r->dones));
	is_int(r->dones, 1);
	is_int(http_client_active(c), 0);
	http_client_destroy(c);
	loop_destroy(loop);
}

static void
stream_silence_times_out(void)
{
	struct http_request req = { .timeout_ms = 20000, .idle_timeout_ms = 400,
	    .quiet_ms = 100 };
	struct result r = { .stream = true };

	/* two events, then nothing while the connection stays open */
	stream_request("[{\"kind\":\"stall\",\"after_events\":2}]", &req, &r);
	is_int(r.heads, 1);
	is_int(r.head.status, 200);
	is_int(r.status, -ETIMEDOUT);
	is_str(r.error, "no data for 400 ms in the stream");
	ok(r.body != NULL && strstr(r.body, "chat.completion.chunk") != NULL);
	ok(r.body == NULL || strstr(r.body, "[DONE]") == NULL);
	/* the silence was told before it became an error (a hiccup between
	 * the first events may have been told too: the last notice is the
	 * stall's) */
	ok(r.quiets >= 1);
	ok(r.silent_ms >= 100);
	is_int(r.len_at_quiet, r.len);
	result_finish(&r);
	ok(fake_wait_stat("open_connections", 1));
}

static void
stream_outlives_timeout(void)
{
	/* 2.5 s of stream, a 1 s timeout: it bounds the wait for the first
	 * data only */
	struct http_request req = { .timeout_ms = 1000, .idle_timeout_ms = 5000,
	    .quiet_ms = 4000, .stream_timeout_ms = 60000 };
	struct result r = { .stream = true };

	stream_request("[{\"kind\":\"slow\",\"latency_ms\":0,"
	    "\"stream_ms\":2500}]", &req, &r);
	is_int(r.status, 0);
	ok(!r.had_error);
	ok(r.body != NULL && strstr(r.body, "data: [DONE]") != NULL);
	is_int(r.quiets, 0);
	result_finish(&r);
}

static void
stream_pause_is_told_once(void)
{
	struct http_request req = { .timeout_ms = 20000, .idle_timeout_ms = 10000,
	    .quiet_ms = 150 };
	struct result r = { .stream = true };

	stream_request("[{\"kind\":\"stall\",\"after_events\":2,"
	    "\"stall_ms\":800}]", &req, &r);
	is_int(r.status, 0);
	ok(r.body != NULL && strstr(r.body, "data: [DONE]") != NULL);
	/* the silence was told (once; a hiccup between events may add
	 * one); the data after it came in */
	ok(r.quiets >= 1);
	ok(r.silent_ms >= 150);
	ok(r.len_at_quiet > 0 && r.len_at_quiet < r.len);
	result_finish(&r);
}

static void
first_data_waits_under_timeout(void)
{
	/* a head, then 1 s before the first data (a server processing a long
	 * prompt): the idle limit (300 ms) does not apply yet, the timeout
	 * (5 s) does, and nothing is told */
	struct http_request req = { .timeout_ms = 5000, .idle_timeout_ms = 300,
	    .quiet_ms = 100 };
	struct result r = { .stream = true };

	stream_request("[{\"kind\":\"stall\",\"after_events\":0,"
	    "\"stall_ms\":1000}]", &req, &r);
	is_int(r.status, 0);
	ok(r.body != NULL && strstr(r.body, "data: [DONE]") != NULL);
	is_int(r.quiets, 0);
	result_finish(&r);
}

static void
first_data_timeout(void)
{
	/* a head and then nothing: the timeout bounds the wait for data */
	struct http_request req = { .timeout_ms = 600, .idle_timeout_ms = 100,
	    .quiet_ms = 50 };
	struct result r = { .stream = true };

	stream_request("[{\"kind\":\"stall\",\"after_events\":0}]", &req, &r);
	is_int(r.heads, 1);
	is_int(r.status, -ETIMEDOUT);
	is_str(r.error, "no data within 600 ms");
	is_int(r.len, 0);
	is_int(r.quiets, 0);
	result_finish(&r);
	ok(fake_wait_stat("open_connections", 1));
}

static void
stream_timeout_bounds_the_whole(void)
{
	/* a stream that keeps sending (every ~100 ms) is still bounded */
	struct http_request req = { .timeout_ms = 5000, .idle_timeout_ms = 5000,
	    .quiet_ms = 4000, .stream_timeout_ms = 700 };
	struct result r = { .stream = true };

	stream_request("[{\"kind\":\"slow\",\"latency_ms\":0,"
	    "\"stream_ms\":4000}]", &req, &r);
	is_int(r.status, -ETIMEDOUT);
	is_str(r.error, "the stream was still going after 700 ms");
	ok(r.len > 0);
	ok(r.body == NULL || strstr(r.body, "[DONE]") == NULL);
	is_int(r.quiets, 0);
	result_finish(&r);
	ok(fake_wait_stat("open_connections", 1));
}

static void
whole_body_keeps_timeout(void)
{
	/* not taken as a stream: the timeout is the whole transfer's, and
	 * the idle limits do not apply */
	struct http_request req = { .timeout_ms = 1000, .idle_timeout_ms = 100,
	    .quiet_ms = 50, .stream_timeout_ms = 300 };
	struct result r = { .stream = false };

	stream_request("[{\"kind\":\"slow\",\"latency_ms\":0,"
	    "\"stream_ms\":3000}]", &req, &r);
	is_int(r.heads, 1);
	is_int(r.status, -ETIMEDOUT);
	is_str(r.error, "no complete response within 1000 ms");
	ok(r.len > 0);
	is_int(r.quiets, 0);
	result_finish(&r);
	ok(fake_wait_stat("open_connections", 1));
}

static void
cancel_in_flight(void)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    NULL };
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t = NULL;
	struct result r = { 0 };
	char url[128];
	struct http_request req = { .url = url, .body = COMPLETION_BODY,
	    .body_len = strlen(COMPLETION_BODY), .headers = headers };
	int64_t end;

	t_bail_if(start_fake() != 0);
	t_bail_if(fake_faults("[{\"kind\":\"hang\"}]") != 0);
	snprintf(url, sizeof(url), "%s/v1/chat/completions", fake.url);
	is_int(http_start(c, &req, &r_cb, &r, &t), 0);
	/* until the fake holds the request */
	end = mono_ms() + FAKE_DEADLINE_MS;
	while (fake_stat("requests") < 1 && mono_ms() < end)
		run_for(loop, 20);
	is_int(fake_stat("requests"), 1);
	is_int(http_client_active(c), 1);
	http_cancel(t);
	is_int(http_client_active(c), 0);
	run_for(loop, 200);
	is_int(r.heads, 0);
	is_int(r.dones, 0);
	ok(fake_wait_stat("open_connections", 1));
	result_finish(&r);
	http_client_destroy(c);
	loop_destroy(loop);
}

static void
callback_return_aborts(void)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    NULL };
	static const struct { int head_return, body_return; } cases[] = {
		{ 0, -42 },		/* on_body */
		{ -7, 0 },		/* on_head */
		{ 1, 0 },		/* any non-zero value */
	};
	char url[128];

	t_bail_if(start_fake() != 0);
	snprintf(url, sizeof(url), "%s/v1/chat/completions", fake.url);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loop *loop = loop_create();
		struct http_client *c = http_client_create(loop, 0);
		struct http_transfer *t = NULL;
		struct result r = { .head_return = cases[i].head_return,
		    .body_return = cases[i].body_return };
		struct http_request req = { .url = url, .body = COMPLETION_BODY,
		    .body_len = strlen(COMPLETION_BODY), .headers = headers,
		    .secret_header = "Authorization: Bearer " OPENAI_KEY,
		    .timeout_ms = 20000 };
		int want = cases[i].head_return ? cases[i].head_return :
		    cases[i].body_return;

		is_int(http_start(c, &req, &r_cb, &r, &t), 0);
		ok(run_until(loop, &r.dones));
		is_int(r.dones, 1);
		is_int(r.heads, 1);
		is_int(r.status, want);
		is_str(r.error, "stopped by the receiver");
		if (cases[i].head_return != 0)
			is_int(r.len, 0);
		else
			ok(r.len > 0);
		is_int(http_client_active(c), 0);
		run_for(loop, 50);
		is_int(r.dones, 1);
		result_finish(&r);
		http_client_destroy(c);
		loop_destroy(loop);
	}
}

static void
destroy_cancels_silently(void)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    NULL };
	struct loop *loop = loop_create();
	struct http_client *c = http_client_create(loop, 0);
	struct http_transfer *t1 = NULL, *t2 = NULL;
	struct result r1 = { 0 }, r2 = { 0 };
	char url[128];
	struct http_request req = { .url = url, .body = COMPLETION_BODY,
	    .body_len = strlen(COMPLETION_BODY), .headers = headers };

	t_bail_if(start_fake() != 0);
	t_bail_if(fake_faults("[{\"kind\":\"hang\"},{\"kind\":\"hang\"}]") != 0);
	snprintf(url, sizeof(url), "%s/v1/chat/completions", fake.url);
	is_int(http_start(c, &req, &r_cb, &r1, &t1), 0);
	is_int(http_start(c, &req, &r_cb, &r2, &t2), 0);
	is_int(http_client_active(c), 2);
	run_for(loop, 100);
	http_client_destroy(c);
	run_for(loop, 100);
	is_int(r1.dones + r2.dones, 0);
	loop_destroy(loop);
	ok(fake_wait_stat("open_connections", 1));
}

/* ---- Retry-After ----------------------------------------------------------- */

static void
retry_after_values(void)
{
	static const int64_t now = 1445412480;	/* Wed, 21 Oct 2015 07:28:00 GMT */
	static const struct { const char *value; int64_t want; } cases[] = {
		{ "1", 1000 },
		{ "1.5", 1500 },
		{ "0", 0 },
		{ "  2 ", 2000 },
		{ "120", 120000 },
		{ "86400", 86400000 },
		{ "86401", -1 },		/* more than a day */
		{ "Wed, 21 Oct 2015 07:28:30 GMT", 30000 },
		{ "Wednesday, 21-Oct-15 07:29:00 GMT", 60000 },	/* RFC 850 */
		{ "Wed Oct 21 07:28:10 2015", 10000 },		/* asctime */
		{ "Wed, 21 Oct 2015 07:00:00 GMT", 0 },		/* in the past */
		{ "garbage", -1 },
		{ "", -1 },
		{ "1x", -1 },
		{ "1 2", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = http_parse_retry_after(cases[i].value, now);
		if (got != cases[i].want)
			T_DIAG("\"%s\" gives %lld, want %lld", cases[i].value,
			    (long long)got, (long long)cases[i].want);
	}
}

/* ---- heads the fake never sends: a canned server ---------------------------- */

static void
canned_responses(void)
{
	static const struct {
		const char *response;
		int status;		/* on_done's */
		const char *error;	/* in its message; NULL: no message */
		int heads;
		long code;
		const char *content_type;
		int64_t retry_after_ms;
		const char *body;
	} cases[] = {
		{ "HTTP/1.1 503 Service Unavailable\r\n"
		  "Content-Type: Text/Event-Stream ; Charset=UTF-8\r\n"
		  "Retry-After: 2\r\nContent-Length: 5\r\n\r\nhello",
		  0, NULL, 1, 503, "text/event-stream", 2000, "hello" },
		{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
		  "retry-after-ms: 1500\r\nContent-Length: 0\r\n\r\n",
		  0, NULL, 1, 429, "", 1500, "" },
		{ "HTTP/1.1 429 Too Many Requests\r\nRETRY-AFTER-MS: 250\r\n"
		  "Retry-After: 7\r\nContent-Length: 0\r\n\r\n",
		  0, NULL, 1, 429, "", 250, "" },
		{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: soon\r\n"
		  "Content-Length: 0\r\n\r\n",
		  0, NULL, 1, 429, "", -1, "" },
		{ "HTTP/1.1 100 Continue\r\nContent-Type: a/wrong\r\n\r\n"
		  "HTTP/1.1 200 OK\r\nContent-Type: APPLICATION/JSON\r\n"
		  "Content-Length: 2\r\n\r\nok",
		  0, NULL, 1, 200, "application/json", -1, "ok" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		  -EPROTO, "cut short", 1, 200, "", -1, "abc" },
		{ "", -ECONNRESET, "the connection broke", 0, 0, "", -1, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loop *loop = loop_create();
		struct http_client *c = http_client_create(loop, 0);
		struct http_transfer *t = NULL;
		struct result r = { 0 };
		struct canned s;
		char url[128];
		struct http_request req = { .url = url, .timeout_ms = 20000 };
		int64_t end = mono_ms() + FAKE_DEADLINE_MS;

		printf("# case %zu\n", i);
		if (canned_open(&s, loop, cases[i].response) != 0) {
			T_DIAG("cannot listen");
			http_client_destroy(c);
			loop_destroy(loop);
			continue;
		}
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/canned", s.port);
		is_int(http_start(c, &req, &r_cb, &r, &t), 0);
		while (r.dones == 0 && mono_ms() < end) {
			loop_run_once(loop, 50);
			canned_tick(&s);
		}
		is_int(r.dones, 1);
		is_int(r.status, cases[i].status);
		if (cases[i].error != NULL)
			has_str(r.error, cases[i].error);
		else
			ok(!r.had_error);
		is_int(r.heads, cases[i].heads);
		if (cases[i].heads > 0) {
			is_int(r.head.status, cases[i].code);
			is_str(r.head.content_type, cases[i].content_type);
			is_int(r.head.retry_after_ms, cases[i].retry_after_ms);
		}
		is_str(r.body ? r.body : (r.heads ? "" : NULL), cases[i].body);
		has_str(s.req, "GET /canned HTTP/1.1\r\n");
		result_finish(&r);
		canned_close(&s);
		http_client_destroy(c);
		loop_destroy(loop);
	}
}

#define TESTS(X) \
	X(retry_after_values) \
	X(canned_responses) \
	X(connection_refused) \
	X(get_round_trip) \
	X(post_round_trip_with_headers) \
	X(timeout_on_hang) \
	X(stream_silence_times_out) \
	X(stream_outlives_timeout) \
	X(stream_pause_is_told_once) \
	X(first_data_waits_under_timeout) \
	X(first_data_timeout) \
	X(stream_timeout_bounds_the_whole) \
	X(whole_body_keeps_timeout) \
	X(cancel_in_flight) \
	X(callback_return_aborts) \
	X(destroy_cancels_silently)
T_MAIN(TESTS)
