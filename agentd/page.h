/*
 * One page of a list reply: at most a count of items and a number of bytes
 * of them (but at least one item), and where the next page starts. Every
 * list of the protocol pages this way (docs/protocol.md#paging).
 */
#ifndef AGENTD_PAGE_H
#define AGENTD_PAGE_H

#include <stdbool.h>
#include <stddef.h>

struct json_t;

struct page {
	struct json_t *items;		/* the page (new array) */
	size_t bytes;			/* of the items, encoded */
	size_t max_bytes;
	int limit;
	bool more;			/* items were left out */
};

void page_init(struct page *p, int limit, size_t max_bytes);
/* Adds @item (stolen) if it fits; false (and @item released) once the
 * page is full. */
bool page_add(struct page *p, struct json_t *item);
/* "<created_ms>.<id>" of the page's last item if more follow, else null:
 * the cursor of lists ordered by (created_ms, id). New reference. */
struct json_t *page_next(const struct page *p);

#endif
