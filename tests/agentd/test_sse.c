#include "t.h"
#include "providers/sse.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>

/* Events seen, as "[event:data]" one after the other. */
struct seen {
	char buf[512];
	int stop_at;		/* return 7 from this event on (1-based), 0: never */
	int n;
};

static int
collect(void *arg, const char *event, const char *data, size_t len)
{
	struct seen *s = arg;
	size_t used = strlen(s->buf);

	if (strlen(data) != len)
		T_DIAG("data length %zu, strlen %zu", len, strlen(data));
	snprintf(s->buf + used, sizeof(s->buf) - used, "[%s:%s]", event, data);
	s->n++;
	return s->stop_at != 0 && s->n >= s->stop_at ? 7 : 0;
}

/* Feeds @in in pieces of @step bytes (0: all at once), or split once at
 * @cut when @step is -1. */
static int
feed(const char *in, size_t n, int step, size_t cut, struct seen *s,
    bool *partial)
{
	struct sse_parser p;
	size_t off = 0, piece;
	int r = 0;

	sse_init(&p, 1024);
	while (off < n && r == 0) {
		if (step == -1)
			piece = off < cut ? cut - off : n - off;
		else
			piece = step == 0 ? n - off : MIN((size_t)step, n - off);
		r = sse_feed(&p, in + off, piece, collect, s);
		off += piece;
	}
	if (n == 0)
		r = sse_feed(&p, "", 0, collect, s);
	*partial = sse_partial(&p);
	sse_finish(&p);
	return r;
}

static const struct {
	const char *name, *in, *want;
	bool partial;
} cases[] = {
	{ "one event", "data: hello\n\n", "[message:hello]", false },
	{ "lines joined", "data: a\ndata: b\n\n", "[message:a\nb]", false },
	{ "named, CRLF", "event: x\r\ndata: 1\r\n\r\n", "[x:1]", false },
	{ "CR only", "data: 1\r\rdata: 2\r\r", "[message:1][message:2]", false },
	{ "mixed ends", "data: a\r\ndata: b\ndata: c\r\r\n",
	    "[message:a\nb\nc]", false },
	{ "BOM", "\xEF\xBB\xBF" "data: b\n\n", "[message:b]", false },
	{ "BOM only first", "data: x\n\n\xEF\xBB\xBF" "data: y\n\n",
	    "[message:x]", false },
	{ "not a BOM", "\xEF\xBB" "data: x\n\n", "", false },
	{ "no space", "data:x\nevent:e\n\n", "[e:x]", false },
	{ "one space only", "data:  x\n\n", "[message: x]", false },
	{ "colon in value", "data: {\"a\":1}\n\n", "[message:{\"a\":1}]", false },
	{ "comments, id, retry", ": ping\n\nid: 5\nretry: 10\ndata: z\n\n",
	    "[message:z]", false },
	{ "event without data", "event: e\n\n", "", false },
	{ "event name resets", "event: a\ndata: 1\n\ndata: 2\n\n",
	    "[a:1][message:2]", false },
	{ "field without colon", "data\n\n", "[message:]", false },
	{ "unknown field", "foo: bar\ndata: q\n\n", "[message:q]", false },
	{ "unfinished data", "data: x\n", "", true },
	{ "unfinished line", "data: x\n\ndata: y", "[message:x]", true },
	{ "unfinished event name", "event: x\n", "", true },
	{ "finished, then blank", "data: x\n\n\n\n", "[message:x]", false },
	{ "empty", "", "", false },
	{ "anthropic", "event: message_stop\ndata: {\"type\":\"message_stop\"}"
	    "\n\n", "[message_stop:{\"type\":\"message_stop\"}]", false },
};

static void
table_whole_and_bytewise(void)
{
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = strlen(cases[i].in);
		int steps[] = { 0, 1, 2, 3, 7 };

		for (size_t k = 0; k < ARRAY_LEN(steps); k++) {
			struct seen s = { .n = 0 };
			bool partial;

			is_int(feed(cases[i].in, n, steps[k], 0, &s, &partial), 0);
			if (strcmp(s.buf, cases[i].want) != 0 ||
			    partial != cases[i].partial)
				T_DIAG("%s, step %d: got \"%s\" partial %d",
				    cases[i].name, steps[k], s.buf, partial);
		}
	}
}

static void
every_split_gives_the_same_events(void)
{
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = strlen(cases[i].in);

		for (size_t cut = 0; cut <= n; cut++) {
			struct seen s = { .n = 0 };
			bool partial;

			is_int(feed(cases[i].in, n, -1, cut, &s, &partial), 0);
			if (strcmp(s.buf, cases[i].want) != 0 ||
			    partial != cases[i].partial)
				T_DIAG("%s, cut at %zu: got \"%s\" partial %d",
				    cases[i].name, cut, s.buf, partial);
		}
	}
}

static void
crlf_split_across_chunks_is_one_line_end(void)
{
	struct sse_parser p;
	struct seen s = { .n = 0 };

	sse_init(&p, 100);
	is_int(sse_feed(&p, "data: a\r", 8, collect, &s), 0);
	ok(sse_partial(&p));
	is_int(sse_feed(&p, "\ndata: b\r\n\r", 11, collect, &s), 0);
	is_str(s.buf, "[message:a\nb]");
	ok(!sse_partial(&p));
	/* the LF after that CR is not a second blank line */
	is_int(sse_feed(&p, "\ndata: c\n\n", 10, collect, &s), 0);
	is_str(s.buf, "[message:a\nb][message:c]");
	sse_finish(&p);
}

static void
bounded_by_max_event(void)
{
	struct sse_parser p;
	struct seen s = { .n = 0 };
	char big[64];

	memset(big, 'x', sizeof big);
	sse_init(&p, 32);
	is_int(sse_feed(&p, "data: ", 6, collect, &s), 0);
	is_int(sse_feed(&p, big, sizeof big, collect, &s), -EMSGSIZE);
	sse_finish(&p);

	/* short lines, but too much data in one event (21 + 1 + 10) */
	sse_init(&p, 31);
	is_int(sse_feed(&p, "data: 0123456789\ndata: 0123456789\n", 34,
	    collect, &s), 0);
	is_int(sse_feed(&p, "data: 0123456789\n", 17, collect, &s),
	    -EMSGSIZE);
	sse_finish(&p);

	/* exactly at the bound is fine */
	sse_init(&p, 10);
	is_int(sse_feed(&p, "data: 1234\n\n", 12, collect, &s), 0);
	is_str(s.buf, "[message:1234]");
	sse_finish(&p);
}

static void
callback_stops_the_feed(void)
{
	struct sse_parser p;
	struct seen s = { .stop_at = 2 };
	const char *in = "data: 1\n\ndata: 2\n\ndata: 3\n\n";

	sse_init(&p, 100);
	is_int(sse_feed(&p, in, strlen(in), collect, &s), 7);
	is_str(s.buf, "[message:1][message:2]");
	sse_finish(&p);
}

static void
finish_accepts_zeroed_and_reuse(void)
{
	struct sse_parser p = { 0 };
	struct seen s = { .n = 0 };

	sse_finish(&p);
	sse_finish(NULL);
	sse_init(&p, 100);
	is_int(sse_feed(&p, "data: 1\n", 8, collect, &s), 0);
	sse_finish(&p);
	ok(!sse_partial(&p));
	is_int(sse_feed(&p, "data: 2\n\n", 9, collect, &s), 0);
	is_str(s.buf, "[message:2]");
	sse_finish(&p);
}

#define TESTS(X) \
	X(table_whole_and_bytewise) \
	X(every_split_gives_the_same_events) \
	X(crlf_split_across_chunks_is_one_line_end) \
	X(bounded_by_max_event) \
	X(callback_stops_the_feed) \
	X(finish_accepts_zeroed_and_reuse)
T_MAIN(TESTS)
