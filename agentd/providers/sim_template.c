/* Placeholders in sim scenarios (see sim_template.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonin.h"
#include "providers/sim_template.h"
#include "util.h"

#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

enum kind { TASK, ARGS };

/* One placeholder in a text. */
struct placeholder {
	enum kind kind;
	const char *name;	/* in the text, not terminated */
	size_t name_len;
	const char *fallback;	/* {{args.NAME|FALLBACK}}, or NULL */
	size_t fallback_len;
	size_t len;		/* of the whole "{{…}}" */
};

/* Reads the placeholder at @p, which starts with "{{". Returns 0 with *ph
 * set, or -EINVAL when it is not one. */
static int
read_placeholder(const char *p, struct placeholder *ph)
{
	const char *name = p + 2 + 5, *end;
	size_t n;

	*ph = (struct placeholder){ 0 };
	if (strncmp(p + 2, "task.", 5) == 0)
		ph->kind = TASK;
	else if (strncmp(p + 2, "args.", 5) == 0)
		ph->kind = ARGS;
	else
		return -EINVAL;
	n = strspn(name, NAME_CHARS);
	if (n == 0 || n > SIM_TEMPLATE_NAME_MAX)
		return -EINVAL;
	end = name + n;
	if (*end == '|' && ph->kind == ARGS) {
		ph->fallback = end + 1;
		ph->fallback_len = strcspn(end + 1, "}");
		end += 1 + ph->fallback_len;
	}
	if (strncmp(end, "}}", 2) != 0)
		return -EINVAL;
	ph->name = name;
	ph->name_len = n;
	ph->len = (size_t)(end + 2 - p);
	return 0;
}

/* The index of task field @name (@len bytes), or -1. */
static long
field_index(const struct sim_template *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (strlen(t->fields[i].name) == len &&
		    strncmp(t->fields[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

/* ---- parsing and checking ------------------------------------------------- */

void
sim_template_finish(struct sim_template *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_fields; i++) {
		free(t->fields[i].name);
		regfree(&t->fields[i].re);
		free(t->fields[i].fallback);
	}
	free(t->fields);
	*t = (struct sim_template){ 0 };
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= SIM_TEMPLATE_NAME_MAX && s[0] >= 'a' && s[0] <= 'z' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/*
 * glibc's regcomp copies the tree under "+" once and under "{n,m}" m times,
 * so stacked or nested repetition makes it take memory exponentially
 * ("[0-9]++++…" took gigabytes, found by fuzz_spec). A task_fields pattern
 * is therefore at most SIM_PATTERN_MAX bytes, with no "{n,m}", no
 * quantifier right after another, and groups nested at most
 * SIM_PATTERN_DEPTH deep: at most 2^8 copies of 256 bytes. 0, or -1 with
 * @why.
 */
#define SIM_PATTERN_MAX		256
#define SIM_PATTERN_DEPTH	8

static int
pattern_bounded(const char *p, char *why, size_t whylen)
{
	size_t n = strlen(p), i, depth = 0;
	bool quantified = false;

	if (n > SIM_PATTERN_MAX) {
		snprintf(why, whylen, "longer than %d bytes", SIM_PATTERN_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\\') {
			i++;			/* the escaped character */
			quantified = false;
		} else if (c == '[') {
			/* to the closing ']': one first is literal, and
			 * "[:class:]" holds one of its own */
			i += (i + 1 < n && p[i + 1] == '^') ? 2 : 1;
			if (i < n && p[i] == ']')
				i++;
			while (i < n && p[i] != ']') {
				if (p[i] == '[' && i + 1 < n && (p[i + 1] == ':' ||
				    p[i + 1] == '.' || p[i + 1] == '=')) {
					const char *end = strstr(p + i + 2,
					    p[i + 1] == ':' ? ":]" : p[i + 1] ==
					    '.' ? ".]" : "=]");
					if (end == NULL)
						break;
					i = (size_t)(end - p) + 2;
					continue;
				}
				i++;
			}
			quantified = false;
		} else if (c == '{') {
			snprintf(why, whylen, "repetition counts {n,m} are not "
			    "allowed here");
			return -1;
		} else if (c == '*' || c == '+' || c == '?') {
			if (quantified) {
				snprintf(why, whylen, "a quantifier right after "
				    "another (\"%c\" at byte %zu)", c, i);
				return -1;
			}
			quantified = true;
		} else {
			if (c == '(' && ++depth > SIM_PATTERN_DEPTH) {
				snprintf(why, whylen, "groups nested deeper "
				    "than %d", SIM_PATTERN_DEPTH);
				return -1;
			}
			if (c == ')' && depth > 0)
				depth--;
			quantified = false;
		}
	}
	return 0;
}

int
sim_template_parse(const json_t *task_fields, const char *where,
    struct sim_template *out, char *err, size_t errlen)
{
	struct sim_template t = { 0 };
	const char *name, *pattern, *fallback;
	json_t *def;
	char why[256], path[64];
	int rc;

	if (task_fields == NULL) {
		*out = t;
		return 0;
	}
	if (!json_is_object(task_fields)) {
		snprintf(err, errlen, "%s: task_fields must be an object "
		    "{\"NAME\": {\"pattern\": …, \"default\": …}}", where);
		return -EINVAL;
	}
	if (json_object_size(task_fields) > SIM_TEMPLATE_MAX_FIELDS) {
		snprintf(err, errlen, "%s: task_fields has %zu fields, at most %d",
		    where, json_object_size(task_fields), SIM_TEMPLATE_MAX_FIELDS);
		return -EINVAL;
	}
	t.fields = xcalloc(json_object_size(task_fields), sizeof(*t.fields));
	json_object_foreach((json_t *)task_fields, name, def) {
		fallback = "";
		if (!valid_name(name)) {
			snprintf(err, errlen, "%s: task_fields: \"%.40s\" is not a "
			    "field name (a-z first, then a-z, 0-9, _; at most %d)",
			    where, name, SIM_TEMPLATE_NAME_MAX);
			goto fail;
		}
		snprintf(path, sizeof(path), "task_fields.%.40s", name);
		if (jsonin_unpack(def, path, why, sizeof(why), "{s:s, s?s}",
		    "pattern", &pattern, "default", &fallback) != 0) {
			snprintf(err, errlen, "%s: %s (task_fields are {\"pattern\": "
			    "string, \"default\": string}, default optional)",
			    where, why);
			goto fail;
		}
		if (pattern_bounded(pattern, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: task_fields.%s.pattern \"%.80s\" "
			    "is refused: %s", where, name, pattern, why);
			goto fail;
		}
		if ((rc = regcomp(&t.fields[t.n_fields].re, pattern,
		    REG_EXTENDED)) != 0) {
			regerror(rc, &t.fields[t.n_fields].re, why, sizeof(why));
			snprintf(err, errlen, "%s: task_fields.%s.pattern \"%.80s\" "
			    "is not a POSIX extended regex: %s", where, name,
			    pattern, why);
			goto fail;
		}
		t.fields[t.n_fields].name = xstrdup(name);
		t.fields[t.n_fields].fallback = xstrdup(fallback);
		t.n_fields++;
	}
	*out = t;
	return 0;
fail:
	sim_template_finish(&t);
	return -EINVAL;
}

int
sim_template_check(const struct sim_template *t, const char *text,
    const char *where, char *err, size_t errlen)
{
	struct placeholder ph;
	const char *p = text;

	while ((p = strstr(p, "{{")) != NULL) {
		if (read_placeholder(p, &ph) != 0) {
			snprintf(err, errlen, "%s: \"%.40s\": a placeholder is "
			    "{{task.NAME}}, {{args.NAME}} or {{args.NAME|TEXT}}",
			    where, p);
			return -EINVAL;
		}
		if (ph.kind == TASK && field_index(t, ph.name, ph.name_len) < 0) {
			snprintf(err, errlen, "%s: {{task.%.*s}}: task_fields has "
			    "no field \"%.*s\"", where, (int)ph.name_len, ph.name,
			    (int)ph.name_len, ph.name);
			return -EINVAL;
		}
		p += ph.len;
	}
	return 0;
}

int
sim_template_check_json(const struct sim_template *t, const json_t *v,
    const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(v))
		return sim_template_check(t, json_string_value(v), where, err,
		    errlen);
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item)
			if (sim_template_check_json(t, item, where, err, errlen) != 0)
				return -EINVAL;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if (sim_template_check_json(t, item, where, err, errlen) != 0)
				return -EINVAL;
	}
	return 0;
}

/* ---- the values of one call ------------------------------------------------ */

/* The value of field @f in @task: what the pattern found, or the default
 * when it found nothing (or part of a character). */
static char *
task_value(const struct sim_task_field *f, const char *task)
{
	regmatch_t m[2];
	json_t *utf8;
	size_t g, len;

	if (task == NULL || regexec(&f->re, task, 2, m, 0) != 0)
		return xstrdup(f->fallback);
	g = f->re.re_nsub >= 1 && m[1].rm_so >= 0 ? 1 : 0;
	len = (size_t)(m[g].rm_eo - m[g].rm_so);
	if ((utf8 = json_stringn(task + m[g].rm_so, len)) == NULL)
		return xstrdup(f->fallback);
	json_decref(utf8);
	return xstrndup(task + m[g].rm_so, len);
}

/* The arguments the last tool call answered in @messages ran with (new
 * reference), or NULL. */
static json_t *
last_call_args(const json_t *messages)
{
	const json_t *m, *calls, *call;
	const char *id = NULL, *content;
	json_t *edited;
	size_t i, j, n = json_array_size(messages);

	for (i = n; i-- > 0;) {
		m = json_array_get(messages, i);
		if (json_is_string(json_object_get(m, "role")) && strcmp(
		    json_string_value(json_object_get(m, "role")), "tool") == 0)
			break;
	}
	if (i == (size_t)-1 || (id = json_string_value(json_object_get(m,
	    "tool_call_id"))) == NULL)
		return NULL;
	content = json_string_value(json_object_get(m, "content"));
	if (content != NULL && strncmp(content, SIM_TEMPLATE_EDIT_NOTE,
	    strlen(SIM_TEMPLATE_EDIT_NOTE)) == 0) {
		/* the object, then "before the call; result: …" */
		edited = json_loads(content + strlen(SIM_TEMPLATE_EDIT_NOTE),
		    JSON_DISABLE_EOF_CHECK, NULL);
		if (json_is_object(edited))
			return edited;
		json_decref(edited);
	}
	while (i-- > 0) {
		calls = json_object_get(json_array_get(messages, i), "tool_calls");
		json_array_foreach(calls, j, call) {
			const char *cid = json_string_value(json_object_get(call,
			    "id"));
			if (cid != NULL && strcmp(cid, id) == 0 &&
			    json_is_object(json_object_get(call, "arguments")))
				return json_incref(json_object_get(call,
				    "arguments"));
		}
	}
	return NULL;
}

void
sim_template_vars_init(struct sim_template_vars *v, const struct sim_template *t,
    const json_t *messages)
{
	const char *task = NULL;
	const json_t *m;
	size_t i;

	*v = (struct sim_template_vars){ .t = t };
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role != NULL && strcmp(role, "user") == 0) {
			task = json_string_value(json_object_get(m, "content"));
			break;
		}
	}
	v->task = xcalloc(t->n_fields + 1, sizeof(*v->task));
	for (i = 0; i < t->n_fields; i++)
		v->task[i] = task_value(&t->fields[i], task);
	v->args = last_call_args(messages);
}

void
sim_template_vars_finish(struct sim_template_vars *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v->task != NULL && i < v->t->n_fields; i++)
		free(v->task[i]);
	free(v->task);
	json_decref(v->args);
	*v = (struct sim_template_vars){ 0 };
}

/* ---- expanding -------------------------------------------------------------- */

struct out {
	char *s;
	size_t len, cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = MAX(2 * o->cap, o->len + n + 1);
		o->s = xrealloc(o->s, o->cap);
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

char *
sim_template_expand(const struct sim_template_vars *v, const char *text)
{
	struct out o = { 0 };
	struct placeholder ph;
	const char *p = text, *at;
	json_t *arg;
	char name[SIM_TEMPLATE_NAME_MAX + 1], *s;
	long f;

	put(&o, "", 0);
	while ((at = strstr(p, "{{")) != NULL) {
		put(&o, p, (size_t)(at - p));
		if (read_placeholder(at, &ph) != 0) {
			put(&o, "{{", 2);	/* checked at load: not reached */
			p = at + 2;
			continue;
		}
		memcpy(name, ph.name, ph.name_len);
		name[ph.name_len] = '\0';
		if (ph.kind == TASK && (f = field_index(v->t, ph.name,
		    ph.name_len)) >= 0) {
			put(&o, v->task[f], strlen(v->task[f]));
		} else if (ph.kind == ARGS && (arg = json_object_get(v->args,
		    name)) != NULL) {
			if (json_is_string(arg)) {
				put(&o, json_string_value(arg),
				    json_string_length(arg));
			} else if ((s = json_dumps(arg, JSON_COMPACT |
			    JSON_ENCODE_ANY)) != NULL) {
				put(&o, s, strlen(s));
				free(s);
			}
		} else if (ph.kind == ARGS && ph.fallback != NULL) {
			put(&o, ph.fallback, ph.fallback_len);
		} else {
			put(&o, at, ph.len);	/* nothing to put there */
		}
		p = at + ph.len;
	}
	put(&o, p, strlen(p));
	return o.s;
}

json_t *
sim_template_expand_json(const struct sim_template_vars *v, const json_t *j)
{
	const char *key;
	json_t *item, *copy;
	size_t i;
	char *s;

	if (json_is_string(j)) {
		s = sim_template_expand(v, json_string_value(j));
		copy = json_string(s);
		free(s);
		return copy;
	}
	if (json_is_object(j)) {
		copy = json_object();
		json_object_foreach((json_t *)j, key, item)
			json_object_set_new(copy, key, sim_template_expand_json(v,
			    item));
		return copy;
	}
	if (json_is_array(j)) {
		copy = json_array();
		json_array_foreach(j, i, item)
			json_array_append_new(copy, sim_template_expand_json(v, item));
		return copy;
	}
	return json_deep_copy(j);
}
