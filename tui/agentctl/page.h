/*
 * agentctl: reading a whole list from agentd, page by page
 * (docs/protocol.md#paging). runs.list, history.search, escalations.list
 * and agents.list answer at most `limit` items and about 1 MiB a page, with
 * "next": a cursor to send back for the following page, or null on the last
 * one. An older agentd has no "next": its one page is the list.
 *
 * Pure: the requests go through a callback, so the tests feed canned
 * replies (tests/tui/test_agentctl_format.c).
 */
#ifndef AGENTCTL_PAGE_H
#define AGENTCTL_PAGE_H

#include <stddef.h>

struct json_t;

/*
 * Sends one request with body @body (stolen) and waits for its reply. On
 * success *reply is the reply body (new reference) and 0 is returned; else
 * a positive status, passed through by page_collect().
 */
typedef int (*page_call_fn)(void *arg, struct json_t *body,
    struct json_t **reply);

struct page_query {
	const char *op;		/* the op, named in messages: "runs.list" */
	const char *key;	/* the reply's list: "runs" */
	size_t want;		/* stop once this many items are in; 0: all */
};

/*
 * Asks for @body (borrowed), then for the pages after it: the same body
 * with "cursor" set to the previous reply's "next" (never sent before a
 * reply gave one), until @q->want items are in or a reply's "next" is null
 * or missing. On success *out is the first reply (new reference) with its
 * list holding the items of every page (at most @q->want) and no "next",
 * and 0 is returned. A failed call: its status. A reply that does not make
 * sense (no list, "next" neither a string nor null, the same cursor twice,
 * an empty page with a "next"): -EPROTO with @err saying so.
 */
int page_collect(const struct page_query *q, const struct json_t *body,
    page_call_fn call, void *arg, struct json_t **out, char *err,
    size_t errlen);

#endif
