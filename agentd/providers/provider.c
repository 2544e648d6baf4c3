/*
 * What every provider shares: the end of a reply's life and the rough
 * token count used before a call for budgets and rate limits.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "providers/provider.h"

void
llm_reply_finish(struct llm_reply *reply)
{
	if (reply == NULL)
		return;
	free(reply->text);
	json_decref(reply->tool_calls);
	free(reply->reasoning);
	json_decref(reply->send_back);
	*reply = (struct llm_reply){ 0 };
}

int64_t
provider_estimate_tokens(const json_t *messages, const char *system)
{
	size_t chars = system != NULL ? strlen(system) : 0, i;
	json_t *m;

	json_array_foreach(messages, i, m) {
		json_t *c = json_object_get(m, "content");
		if (json_is_string(c))
			chars += json_string_length(c);
		else if (c != NULL) {
			char *s = json_dumps(c, JSON_COMPACT);
			chars += s ? strlen(s) : 0;
			free(s);
		}
		/* reasoning that goes back to the model (wire.h) */
		if ((c = json_object_get(m, "send_back")) != NULL) {
			char *s = json_dumps(c, JSON_COMPACT);
			chars += s ? strlen(s) : 0;
			free(s);
		}
		chars += 16;	/* role and framing */
	}
	return (int64_t)(chars / 4) + 1;
}
