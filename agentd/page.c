/* A page of a list reply (see page.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "page.h"

void
page_init(struct page *p, int limit, size_t max_bytes)
{
	*p = (struct page){ .items = json_array(), .limit = limit,
	    .max_bytes = max_bytes };
}

bool
page_add(struct page *p, json_t *item)
{
	char *text = json_dumps(item, JSON_COMPACT);
	size_t n = text != NULL ? strlen(text) : 0;

	free(text);
	if ((int)json_array_size(p->items) == p->limit ||
	    (p->bytes + n > p->max_bytes && json_array_size(p->items) > 0)) {
		json_decref(item);
		p->more = true;
		return false;
	}
	p->bytes += n;
	json_array_append_new(p->items, item);
	return true;
}

json_t *
page_next(const struct page *p)
{
	size_t n = json_array_size(p->items);
	const json_t *last = json_array_get(p->items, n - 1);

	if (!p->more || n == 0)
		return json_null();
	return json_sprintf("%lld.%s", (long long)json_integer_value(
	    json_object_get(last, "created_ms")),
	    json_string_value(json_object_get(last, "id")));
}
