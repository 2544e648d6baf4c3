/* Caps on stored and returned text (see cap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cap.h"
#include "sha256.h"
#include "util.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

char *
cap_text(const char *text, size_t max)
{
	size_t n = strlen(text), keep;
	char hash[SHA256_HEX_LEN + 1], *out;
	json_t *cut;

	if (n <= max)
		return xstrdup(text);
	sha256_hex(text, n, hash);
	/* escaping can make the excerpt up to 6 times longer: shorten it
	 * until the whole record fits */
	for (keep = max / 2;; keep /= 2) {
		keep = utf8_prefix(text, keep);
		cut = json_pack("{s:b, s:I, s:s, s:s%}", "cut", 1, "bytes",
		    (json_int_t)n, "sha256", hash, "excerpt", text, keep);
		out = json_dumps(cut, DUMP_FLAGS);
		json_decref(cut);
		if (strlen(out) <= max || keep == 0)
			return out;
		free(out);
	}
}

/* A cut copy of @item if it is a string longer than @max bytes, else NULL. */
static json_t *
cut_copy(const json_t *item, size_t max)
{
	const char *s = json_string_value(item);

	if (s == NULL || json_string_length(item) <= max)
		return NULL;
	return json_sprintf("%.*s… [cut]", (int)utf8_prefix(s, max), s);
}

/* Cuts every string of @v longer than @max bytes. */
static void
cut_strings(json_t *v, size_t max)
{
	const char *key;
	json_t *item, *cut;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item) {
			if ((cut = cut_copy(item, max)) != NULL)
				json_object_set_new(v, key, cut);
			else
				cut_strings(item, max);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if ((cut = cut_copy(item, max)) != NULL)
				json_array_set_new(v, i, cut);
			else
				cut_strings(item, max);
		}
	}
}

/* Keeps only the envelope of @ev. */
static void
keep_envelope(json_t *ev)
{
	static const char *const keep[] = { "v", "seq", "ts", "type", "run",
	    "span", "cut" };
	json_t *env = json_object();

	for (size_t i = 0; i < ARRAY_LEN(keep); i++) {
		json_t *v = json_object_get(ev, keep[i]);
		if (v != NULL)
			json_object_set(env, keep[i], v);
	}
	json_object_clear(ev);
	json_object_update(ev, env);
	json_decref(env);
}

char *
cap_event_dump(json_t *ev)
{
	char *s = json_dumps(ev, DUMP_FLAGS), hash[SHA256_HEX_LEN + 1];
	size_t n;

	if (s == NULL || (n = strlen(s)) <= CAP_EVENT_MAX)
		return s;
	sha256_hex(s, n, hash);
	free(s);
	json_object_del(ev, "cut");
	cut_strings(ev, CAP_EVENT_STRING);
	json_object_set_new(ev, "cut", json_pack("{s:I, s:s, s:s}", "bytes",
	    (json_int_t)n, "sha256", hash, "what", "strings over 1024 bytes "
	    "(the event was larger than the 256 KiB an event may be)"));
	s = json_dumps(ev, DUMP_FLAGS);
	if (s != NULL && strlen(s) <= CAP_EVENT_MAX)
		return s;
	free(s);
	json_object_set_new(json_object_get(ev, "cut"), "what", json_string(
	    "the body (the event was larger than the 256 KiB an event may be)"));
	keep_envelope(ev);
	return json_dumps(ev, DUMP_FLAGS);
}

void
cap_set_excerpt(json_t *obj, const char *key, const char *text)
{
	char flag[64];
	size_t n = text != NULL ? strlen(text) : 0;

	snprintf(flag, sizeof(flag), "%s_truncated", key);
	if (text == NULL)
		json_object_set_new(obj, key, json_null());
	else if (n <= CAP_EXCERPT)
		json_object_set_new(obj, key, json_string(text));
	else
		json_object_set_new(obj, key, json_stringn(text,
		    utf8_prefix(text, CAP_EXCERPT)));
	json_object_set_new(obj, flag, json_boolean(n > CAP_EXCERPT));
}

void
cap_run_excerpts(json_t *run)
{
	static const char *const keys[] = { "task", "output" };

	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(run, keys[i]);
		char *text = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;

		cap_set_excerpt(run, keys[i], text);
		free(text);
	}
}
