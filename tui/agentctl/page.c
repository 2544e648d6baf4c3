/* agentctl: reading a whole list from agentd, page by page (see page.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "page.h"

int
page_collect(const struct page_query *q, const json_t *body,
    page_call_fn call, void *arg, json_t **out, char *err, size_t errlen)
{
	json_t *first = NULL, *all = NULL, *reply = NULL, *req, *list, *next;
	char *cursor = NULL;
	size_t page, n;
	int r;

	for (page = 1;; page++) {
		req = json_deep_copy(body);
		if (cursor != NULL)
			json_object_set_new(req, "cursor", json_string(cursor));
		if ((r = call(arg, req, &reply)) != 0)
			goto out;
		list = json_object_get(reply, q->key);
		next = json_object_get(reply, "next");
		if (!json_is_array(list)) {
			snprintf(err, errlen, "unexpected reply from agentd to %s: "
			    "page %zu has no \"%s\" array", q->op, page, q->key);
			r = -EPROTO;
			goto out;
		}
		if (next != NULL && !json_is_string(next) && !json_is_null(next)) {
			snprintf(err, errlen, "unexpected reply from agentd to %s: "
			    "\"next\" of page %zu is neither a string nor null",
			    q->op, page);
			r = -EPROTO;
			goto out;
		}
		/* a page that brings nothing, or a cursor that does not move,
		 * would be asked for again and again */
		if (json_is_string(next) && (json_array_size(list) == 0 ||
		    (cursor != NULL && strcmp(cursor,
		    json_string_value(next)) == 0))) {
			snprintf(err, errlen, "unexpected reply from agentd to %s: "
			    "page %zu %s", q->op, page, json_array_size(list) == 0 ?
			    "is empty but says more follow" :
			    "gives the same cursor as the page before");
			r = -EPROTO;
			goto out;
		}
		free(cursor);
		cursor = NULL;
		if (json_is_string(next) && (cursor = strdup(
		    json_string_value(next))) == NULL)
			abort();
		if (first == NULL) {
			first = reply;
			all = json_incref(list);
		} else {
			json_array_extend(all, list);
			json_decref(reply);
		}
		reply = NULL;
		n = json_array_size(all);
		if (q->want > 0 && n >= q->want) {
			while (json_array_size(all) > q->want)
				json_array_remove(all, json_array_size(all) - 1);
			break;
		}
		if (cursor == NULL)
			break;		/* the last page, or no paging at all */
	}
	json_object_del(first, "next");
	*out = first;
	first = NULL;
	r = 0;
out:
	free(cursor);
	json_decref(all);
	json_decref(reply);
	json_decref(first);
	return r;
}
