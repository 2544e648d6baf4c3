#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "jsonin.h"
#include "util.h"

#define KIB	((size_t)1024)
#define MIB	(KIB * 1024)
#define GIB	(MIB * 1024)
#define KEYS_MAX	64	/* keys of one format */
#define QUOTE_MAX	64	/* bytes of a user's key or value quoted in a message */

void
jsonin_cut(const char *s, char *out, size_t outlen)
{
	static const char ellipsis[] = "…";
	size_t len = strlen(s), keep, i;

	if (outlen == 0)
		return;
	if (len < outlen) {
		memcpy(out, s, len + 1);
		return;
	}
	if (outlen < sizeof(ellipsis)) {
		out[0] = '\0';
		return;
	}
	keep = outlen - sizeof(ellipsis);
	/* back to the start of a character */
	for (i = keep; i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80; i--)
		;
	memcpy(out, s, i);
	memcpy(out + i, ellipsis, sizeof(ellipsis));
}

/* Appends @n bytes to @out (length *o, capacity @outlen), keeping room for
 * an ending "…\"" and the NUL. False when they do not fit. */
static bool
put(char *out, size_t outlen, size_t *o, const void *bytes, size_t n)
{
	if (*o + n + sizeof("…\"") > outlen)
		return false;
	memcpy(out + *o, bytes, n);
	*o += n;
	return true;
}

void
jsonin_quote(const char *s, size_t max, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), o = 0, i = 0, n;
	char esc[8];
	bool fits = true;

	if (outlen < sizeof("\"…\"")) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	while (fits && i < len) {
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			n = 2;
		} else if (p[i] < 0x20 || p[i] == 0x7F) {
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
		} else if (utf8_seq_len((const char *)p + i, len - i) == 0) {
			esc[0] = '?';		/* not UTF-8: never copied raw */
			n = 1;
		} else {
			n = utf8_seq_len((const char *)p + i, len - i);
			fits = i + n <= max && put(out, outlen, &o, p + i, n);
			i += fits ? n : 0;
			continue;
		}
		fits = i < max && put(out, outlen, &o, esc, n);
		i += fits ? 1 : 0;
	}
	memcpy(out + o, fits ? "\"" : "…\"", fits ? sizeof("\"") :
	    sizeof("…\""));
}

void
jsonin_size_words(size_t size, char *out, size_t outlen)
{
	static const struct { size_t unit; const char *name; } units[] = {
		{ GIB, "GiB" }, { MIB, "MiB" }, { KIB, "KiB" },
	};

	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (size < units[i].unit)
			continue;
		if (size % units[i].unit == 0)
			snprintf(out, outlen, "%zu %s", size / units[i].unit,
			    units[i].name);
		else
			snprintf(out, outlen, "%.1f %s",
			    (double)size / (double)units[i].unit, units[i].name);
		return;
	}
	snprintf(out, outlen, "%zu bytes", size);
}

const char *
jsonin_type_name(const json_t *v)
{
	if (v == NULL)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a decimal number";
	case JSON_TRUE:		return "true";
	case JSON_FALSE:	return "false";
	default:		return "null";
	}
}

/* The json_unpack conversions that check a type: what jansson calls the
 * type ("Expected integer, got string") and what agentd says. */
static const struct conversion {
	char type;
	const char *jansson;
	const char *words;
} conversions[] = {
	{ 's', "string", "a string" },
	{ 'b', "true or false", "true or false" },
	{ 'i', "integer", "an integer" },
	{ 'I', "integer", "an integer" },
	{ 'f', "real", "a decimal number" },
	{ 'F', "real or integer", "a number" },
	{ 'n', "null", "null" },
};

static const struct conversion *
conversion(char type)
{
	for (size_t i = 0; i < ARRAY_LEN(conversions); i++)
		if (conversions[i].type == type)
			return &conversions[i];
	return NULL;
}

static const struct conversion *
conversion_named(const char *jansson)
{
	for (size_t i = 0; i < ARRAY_LEN(conversions); i++)
		if (strcmp(conversions[i].jansson, jansson) == 0)
			return &conversions[i];
	return NULL;
}

/* jansson's name of the type of @v ("got string"). */
static const char *
type_jansson(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return "object";
	case JSON_ARRAY:	return "array";
	case JSON_STRING:	return "string";
	case JSON_INTEGER:	return "integer";
	case JSON_REAL:		return "real";
	case JSON_TRUE:		return "true";
	case JSON_FALSE:	return "false";
	default:		return "null";
	}
}

void
jsonin_parse_error(const json_error_t *jerr, char *out, size_t outlen)
{
	switch (json_error_code(jerr)) {
	case json_error_null_character:
		snprintf(out, outlen, "a string holds \\u0000, which is not "
		    "accepted");
		break;
	case json_error_null_byte_in_key:
		snprintf(out, outlen, "an object key holds \\u0000, which is "
		    "not accepted");
		break;
	default:
		snprintf(out, outlen, "%s", jerr->text);
		break;
	}
}

/* A member's name, quoted and bounded. */
static void
field_name(const char *key, char *out, size_t outlen)
{
	jsonin_quote(key, QUOTE_MAX, out, outlen);
}

/* "unknown field "x"" / "unknown fields "x", "y" and 3 more", from the
 * members of @root for which @known() is false. Returns their count. */
static size_t
unknown_fields(const json_t *root,
    bool (*known)(const char *key, const void *arg), const void *arg,
    char *out, size_t outlen)
{
	char name[QUOTE_MAX * 2 + 16], names[3 * (sizeof(name) + 2)];
	const char *key;
	json_t *value;
	size_t n = 0, o = 0;

	names[0] = '\0';
	json_object_foreach((json_t *)root, key, value) {
		if (known(key, arg) || ++n > 3)
			continue;
		field_name(key, name, sizeof(name));
		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
		    n > 1 ? ", " : "", name);
	}
	if (n > 3)
		snprintf(out, outlen, "unknown fields %s and %zu more", names,
		    n - 3);
	else
		snprintf(out, outlen, "unknown field%s %s", n > 1 ? "s" : "",
		    names);
	return n;
}

struct fmt_key {
	const char *key;
	char type;		/* the value's conversion */
	int pos;		/* index of the conversion in the format */
};

static bool
key_in_format(const char *key, const void *arg)
{
	const struct fmt_key *keys = arg;

	for (size_t i = 0; keys[i].key != NULL; i++)
		if (strcmp(keys[i].key, key) == 0)
			return true;
	return false;
}

/* Reads the keys of a flat object format from @ap. Returns their count,
 * or -1 for a format this does not understand (nested, arrays). */
static int
format_keys(const char *fmt, va_list ap, struct fmt_key *keys, size_t max)
{
	bool want_key = true;
	const char *key = NULL;
	size_t n = 0;

	for (const char *p = fmt; *p != '\0'; p++) {
		if (strchr("{} \t\n,:!*?", *p) != NULL) {
			if (*p == '{' && p != fmt)
				return -1;
			continue;
		}
		if (want_key) {
			if (*p != 's' || n + 1 >= max)
				return -1;
			key = va_arg(ap, const char *);
			want_key = false;
			continue;
		}
		switch (*p) {
		case 's':
			(void)va_arg(ap, const char **);
			if (p[1] == '%') {
				(void)va_arg(ap, size_t *);
				p++;
			}
			break;
		case 'b': case 'i':
			(void)va_arg(ap, int *);
			break;
		case 'I':
			(void)va_arg(ap, json_int_t *);
			break;
		case 'f': case 'F':
			(void)va_arg(ap, double *);
			break;
		case 'o': case 'O':
			(void)va_arg(ap, json_t **);
			break;
		case 'n':
			break;
		default:
			return -1;
		}
		keys[n++] = (struct fmt_key){ key, *p, (int)(p - fmt) };
		want_key = true;
	}
	keys[n] = (struct fmt_key){ 0 };
	return (int)n;
}

/* The key a json_unpack_ex() position points at: jansson 2.14 reports the
 * position just after the conversion character (on it, accepted too). */
static const struct fmt_key *
key_at(const struct fmt_key *keys, int position)
{
	const struct fmt_key *before = NULL;

	for (size_t i = 0; keys[i].key != NULL; i++) {
		if (keys[i].pos + 1 == position || keys[i].pos == position)
			return &keys[i];
		if (keys[i].pos < position)
			before = &keys[i];
	}
	return before;
}

static void
not_an_object(const json_t *root, char *out, size_t outlen)
{
	snprintf(out, outlen, "must be an object, not %s", jsonin_type_name(root));
}

static void
explain_format(const json_t *root, const json_error_t *jerr, const char *fmt,
    va_list ap, char *out, size_t outlen)
{
	struct fmt_key keys[KEYS_MAX];
	const struct fmt_key *k;
	char name[400], known[400];
	size_t o = 0;

	if (!json_is_object(root)) {
		not_an_object(root, out, outlen);
		return;
	}
	if (format_keys(fmt, ap, keys, ARRAY_LEN(keys)) < 0) {
		jsonin_explain(root, jerr, NULL, out, outlen);
		return;
	}
	switch (json_error_code(jerr)) {
	case json_error_wrong_type:
		if ((k = key_at(keys, jerr->position)) == NULL ||
		    conversion(k->type) == NULL)
			break;
		field_name(k->key, name, sizeof(name));
		snprintf(out, outlen, "field %s must be %s, not %s", name,
		    conversion(k->type)->words,
		    jsonin_type_name(json_object_get(root, k->key)));
		return;
	case json_error_item_not_found:
		if ((k = key_at(keys, jerr->position)) == NULL)
			break;
		field_name(k->key, name, sizeof(name));
		snprintf(out, outlen, "field %s is required", name);
		return;
	case json_error_end_of_input_expected:
		if (unknown_fields(root, key_in_format, keys, out,
		    outlen) == 0)
			break;
		known[0] = '\0';
		for (size_t i = 0; keys[i].key != NULL && o < sizeof(known); i++)
			o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
			    i > 0 ? ", " : "", keys[i].key);
		o = strlen(out);
		if (o < outlen)
			snprintf(out + o, outlen - o, " (known: %s)", known);
		return;
	default:
		break;
	}
	jsonin_explain(root, jerr, NULL, out, outlen);
}

int
jsonin_unpack(json_t *root, const char *path, char *err, size_t errlen,
    const char *fmt, ...)
{
	json_error_t jerr;
	va_list ap, walk;
	char text[600];
	int r;

	va_start(ap, fmt);
	va_copy(walk, ap);
	r = json_vunpack_ex(root, &jerr, JSON_STRICT, fmt, ap);
	if (r != 0) {
		explain_format(root, &jerr, fmt, walk, text, sizeof(text));
		snprintf(err, errlen, "%s%s%s", path, path[0] != '\0' ? ": " : "",
		    text);
	}
	va_end(walk);
	va_end(ap);
	return r != 0 ? -EINVAL : 0;
}

static char
field_type(const struct jsonin_field *fields, const char *name)
{
	for (size_t i = 0; fields != NULL && fields[i].name != NULL; i++)
		if (strcmp(fields[i].name, name) == 0)
			return fields[i].type;
	return 's';
}

/* Under JSON_STRICT, the keys jansson named: "2 object item(s) left
 * unpacked: a, b" (cut at its 160 bytes). */
static bool
key_named_in(const char *key, const void *arg)
{
	const char *list = strstr(arg, "left unpacked: "), *p;
	size_t n = strlen(key);

	if (list == NULL)
		return true;
	for (p = list + strlen("left unpacked: "); *p != '\0'; ) {
		if (strncmp(p, key, n) == 0 && (p[n] == '\0' || p[n] == ','))
			return false;
		if ((p = strstr(p, ", ")) == NULL)
			break;
		p += 2;
	}
	return true;
}

/* The member of @root that jansson found of type @got where it expected
 * @want: one that @fields says should be of that type, or the only one of
 * type @got. NULL when that does not tell. */
static const char *
mistyped_member(const json_t *root, const struct jsonin_field *fields,
    const struct conversion *want, const char *got)
{
	const char *key, *only = NULL;
	const struct conversion *c;
	json_t *value;
	size_t n = 0;

	json_object_foreach((json_t *)root, key, value) {
		if (strcmp(type_jansson(value), got) != 0)
			continue;
		c = conversion(field_type(fields, key));
		if (c != NULL && strcmp(c->jansson, want->jansson) == 0)
			return key;
		only = key;
		n++;
	}
	return n == 1 ? only : NULL;
}

static const char *
first_of_type(const json_t *root, const char *got)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)root, key, value)
		if (strcmp(type_jansson(value), got) == 0)
			return key;
	return NULL;
}

/* The members of type @got, quoted: "a", "b" or "c". */
static void
of_type(const json_t *root, const char *got, char *out, size_t outlen)
{
	char name[QUOTE_MAX * 2 + 16];
	const char *key, *sep = "";
	json_t *value;
	size_t o = 0;

	out[0] = '\0';
	json_object_foreach((json_t *)root, key, value) {
		if (strcmp(type_jansson(value), got) != 0 || o >= outlen)
			continue;
		field_name(key, name, sizeof(name));
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", sep, name);
		sep = ", ";
	}
}

void
jsonin_explain(const json_t *root, const json_error_t *jerr,
    const struct jsonin_field *fields, char *out, size_t outlen)
{
	char expected[40] = "", got[40] = "", name[QUOTE_MAX * 2 + 16];
	const struct conversion *want;
	const char *key, *found;

	if (!json_is_object(root)) {
		not_an_object(root, out, outlen);
		return;
	}
	switch (json_error_code(jerr)) {
	case json_error_wrong_type:
		if (sscanf(jerr->text, "Expected %39[^,], got %39s", expected,
		    got) != 2 || (want = conversion_named(expected)) == NULL)
			break;
		if ((key = mistyped_member(root, fields, want, got)) == NULL &&
		    (found = first_of_type(root, got)) != NULL) {
			of_type(root, got, name, sizeof(name));
			snprintf(out, outlen, "one of the fields %s must be %s, "
			    "not %s", name, want->words,
			    jsonin_type_name(json_object_get(root, found)));
			return;
		}
		if (key == NULL) {
			snprintf(out, outlen, "a field must be %s", want->words);
			return;
		}
		field_name(key, name, sizeof(name));
		snprintf(out, outlen, "field %s must be %s, not %s", name,
		    want->words, jsonin_type_name(json_object_get(root, key)));
		return;
	case json_error_item_not_found:
		if ((found = strstr(jerr->text, "not found: ")) == NULL)
			break;
		field_name(found + strlen("not found: "), name, sizeof(name));
		snprintf(out, outlen, "field %s is required", name);
		return;
	case json_error_end_of_input_expected:
		if (strstr(jerr->text, "object item(s) left unpacked") == NULL ||
		    unknown_fields(root, key_named_in, jerr->text, out,
		    outlen) == 0)
			break;
		return;
	default:
		break;
	}
	snprintf(out, outlen, "%s", jerr->text);
}

int
jsonin_load_file(const char *path, size_t cap, const char *what, json_t **out,
    char *err, size_t errlen)
{
	json_error_t jerr;
	struct stat st;
	char *buf = NULL, size[32], limit[32], words[200];
	size_t len = 0, alloc;
	json_t *root = NULL;
	ssize_t n;
	int fd = -1, r = -EINVAL;

	/* stat first: a FIFO or a device is never opened */
	if (stat(path, &st) != 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode) &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* and again on what was opened, in case it was replaced */
	if (fd >= 0 && fstat(fd, &st) != 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s); only regular "
		    "files are read", path, S_ISFIFO(st.st_mode) ? "a FIFO" :
		    S_ISDIR(st.st_mode) ? "a directory" : S_ISSOCK(st.st_mode) ?
		    "a socket" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ?
		    "a device" : "not a file");
		goto out;
	}
	if (st.st_size < 0 || (size_t)st.st_size > cap)
		goto too_big;
	alloc = (size_t)st.st_size + 1;
	buf = xmalloc(alloc);
	/* bounded even if the file grows while it is read */
	while ((n = read(fd, buf + len, alloc - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
		if (len > cap) {
			st.st_size = (off_t)len;
			goto too_big;
		}
		if (len == alloc) {
			alloc = MIN(alloc * 2, cap + 1);
			buf = xrealloc(buf, alloc);
		}
	}
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		jsonin_parse_error(&jerr, words, sizeof(words));
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column,
		    words);
		goto out;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: must hold a JSON object, not %s", path,
		    jsonin_type_name(root));
		goto out;
	}
	*out = root;
	root = NULL;
	r = 0;
	goto out;
too_big:
	r = -EFBIG;
	/* near the cap, both in bytes: "1.0 MiB, more than the 1 MiB" says
	 * nothing */
	if ((size_t)st.st_size / 2 < cap) {
		snprintf(size, sizeof(size), "%lld bytes", (long long)st.st_size);
		snprintf(limit, sizeof(limit), "%zu bytes", cap);
	} else {
		jsonin_size_words((size_t)st.st_size, size, sizeof(size));
		jsonin_size_words(cap, limit, sizeof(limit));
	}
	snprintf(err, errlen, "%s: file is %s, more than the %s %s may be",
	    path, size, limit, what);
out:
	json_decref(root);
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

void
jsonin_error_add(json_t *errors, const char *file, const char *agent,
    const char *text)
{
	char cut[JSONIN_ERROR_TEXT_MAX + 1], dir[JSONIN_ERROR_TEXT_MAX / 2];
	size_t n = json_array_size(errors), more = 1;
	json_t *last = json_array_get(errors, n - 1), *item;
	const char *slash = strrchr(file, '/');

	if (n + 1 < JSONIN_ERRORS_MAX) {
		jsonin_cut(text, cut, sizeof(cut));
		item = json_pack("{s:s, s:s}", "file", file, "error", cut);
		if (agent != NULL)
			json_object_set_new(item, "agent", json_string(agent));
		json_array_append_new(errors, item);
		return;
	}
	if (n == JSONIN_ERRORS_MAX && json_object_get(last, "more") != NULL)
		more += (size_t)json_integer_value(json_object_get(last, "more"));
	snprintf(cut, sizeof(cut), "%.*s", slash != NULL ?
	    (int)(slash - file) : 1, slash != NULL ? file : ".");
	jsonin_cut(cut, dir, sizeof(dir));
	snprintf(cut, sizeof(cut), "%s: %zu more file%s rejected; agentd's "
	    "log names each one", dir, more, more == 1 ? " was" : "s were");
	/* a new object: the old one may be shared with another list */
	item = json_pack("{s:s, s:s, s:I}", "file", dir, "error", cut, "more",
	    (json_int_t)more);
	if (n == JSONIN_ERRORS_MAX)
		json_array_set_new(errors, n - 1, item);
	else
		json_array_append_new(errors, item);
}

int
jsonin_list_dir(const char *dir, const char *const *skip, size_t max,
    char ***names, size_t *n, size_t *more)
{
	char **list = xcalloc(max + 1, sizeof(*list));
	size_t count = 0, others = 0, len, i;
	struct dirent *de;
	bool skipped;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		free(list);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		skipped = false;
		for (i = 0; skip != NULL && skip[i] != NULL; i++)
			skipped |= strcmp(de->d_name, skip[i]) == 0;
		if (skipped)
			continue;
		/* keep the first @max in name order, whatever readdir's order */
		if (count == max) {
			others++;
			if (max == 0 || strcmp(de->d_name, list[max - 1]) >= 0)
				continue;
			free(list[--count]);
		}
		for (i = count; i > 0 && strcmp(list[i - 1], de->d_name) > 0; i--)
			list[i] = list[i - 1];
		list[i] = xstrdup(de->d_name);
		count++;
	}
	closedir(d);
	*names = list;
	*n = count;
	*more = others;
	return 0;
}
