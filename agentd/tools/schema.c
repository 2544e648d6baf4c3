/*
 * A JSON Schema subset for tool arguments; see schema.h for what is
 * supported and the limits.
 *
 * Both schema_check() and schema_validate() read a schema node through
 * parse_node(), which checks every keyword of that node, so validating
 * against an unchecked schema cannot misread a keyword. Recursion follows
 * the schema and the instance together and stops at SCHEMA_MAX_DEPTH; the
 * instance is first checked to be no deeper than that, which also bounds
 * json_equal() and the hashing for uniqueItems. Errors are written into a
 * fixed struct schema_error and never allocate.
 *
 * Patterns go to glibc's regex, which has no limits of its own: regcomp()
 * copies what "{n,m}" and "+" repeat, and regexec() restarts an unanchored
 * search at every byte and caches automaton states without bound. So
 * rewrite_pattern() costs a pattern as glibc will expand it and wraps it
 * as "^(x|[^x])*(...)" to search in one pass, and check_string() gives
 * glibc at most SCHEMA_MAX_MATCH_WORK per string and per compiled regex.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tools/schema.h"
#include "util.h"

#define PATH_SIZE	sizeof(((struct schema_error *)0)->path)
#define MSG_SIZE	sizeof(((struct schema_error *)0)->message)
#define QUOTE_SIZE	64	/* a quoted name or value inside a message */
#define RE_CACHE	8	/* compiled patterns kept per validation */
#define RE_SIZE		(SCHEMA_MAX_PATTERN * 6 + 16)	/* a rewritten pattern */

/* Instance types, as bits so that "type" may list several. */
enum {
	T_STRING	= 1 << 0,
	T_NUMBER	= 1 << 1,
	T_INTEGER	= 1 << 2,
	T_BOOLEAN	= 1 << 3,
	T_OBJECT	= 1 << 4,
	T_ARRAY		= 1 << 5,
	T_NULL		= 1 << 6,
};

static const struct type_name {
	const char	*name;		/* as written in "type" */
	const char	*article;	/* as used in "must be ..." */
	unsigned	 bit;		/* T_* */
} type_names[] = {
	{ "string",	"a string",	T_STRING },
	{ "number",	"a number",	T_NUMBER },
	{ "integer",	"an integer",	T_INTEGER },
	{ "boolean",	"a boolean",	T_BOOLEAN },
	{ "object",	"an object",	T_OBJECT },
	{ "array",	"an array",	T_ARRAY },
	{ "null",	"null",		T_NULL },
};

/* How a keyword's value is checked and stored. */
enum kind {
	K_ANNOTATION,	/* accepted, ignored */
	K_TYPE,		/* type name or array of them -> types */
	K_VALUES,	/* non-empty array (enum) */
	K_VALUE,	/* any value (const) */
	K_NAMES,	/* array of strings (required) */
	K_SCHEMAS,	/* object of schemas (properties) */
	K_ADDITIONAL,	/* boolean or schema */
	K_SCHEMA,	/* schema object (items) */
	K_NUMBER,	/* number */
	K_COUNT,	/* non-negative integer */
	K_PATTERN,	/* regex string */
	K_FLAG,		/* boolean (uniqueItems) */
};

/* The keywords of one schema object; borrowed from it. */
struct node {
	unsigned	 types;		/* T_* bits the value may have; 0 = any */
	const json_t	*enumv;		/* "enum": non-empty array, or NULL */
	const json_t	*constv;	/* "const": any value, or NULL */
	const json_t	*required;	/* "required": array of strings, or NULL */
	const json_t	*properties;	/* "properties": object of schemas, or NULL */
	const json_t	*additional;	/* "additionalProperties": true, false,
					   schema object, or NULL */
	const json_t	*items;		/* "items": schema object, or NULL */
	const json_t	*minimum;	/* numeric bounds: numbers, or NULL */
	const json_t	*maximum;
	const json_t	*xminimum;	/* "exclusiveMinimum" */
	const json_t	*xmaximum;	/* "exclusiveMaximum" */
	const json_t	*pattern;	/* "pattern": string, or NULL */
	json_int_t	 min_length;	/* counts: -1 when absent */
	json_int_t	 max_length;
	json_int_t	 min_items;
	json_int_t	 max_items;
	json_int_t	 min_props;
	json_int_t	 max_props;
	bool		 unique;	/* "uniqueItems": true */
};

#define NODE_FIELD(name)	offsetof(struct node, name)

static const struct keyword {
	const char	*name;	/* as written in the schema */
	enum kind	 kind;	/* how its value is checked */
	size_t		 off;	/* where it goes in struct node */
} keywords[] = {
	{ "type",			K_TYPE,		NODE_FIELD(types) },
	{ "enum",			K_VALUES,	NODE_FIELD(enumv) },
	{ "const",			K_VALUE,	NODE_FIELD(constv) },
	{ "required",			K_NAMES,	NODE_FIELD(required) },
	{ "properties",			K_SCHEMAS,	NODE_FIELD(properties) },
	{ "additionalProperties",	K_ADDITIONAL,	NODE_FIELD(additional) },
	{ "items",			K_SCHEMA,	NODE_FIELD(items) },
	{ "minimum",			K_NUMBER,	NODE_FIELD(minimum) },
	{ "maximum",			K_NUMBER,	NODE_FIELD(maximum) },
	{ "exclusiveMinimum",		K_NUMBER,	NODE_FIELD(xminimum) },
	{ "exclusiveMaximum",		K_NUMBER,	NODE_FIELD(xmaximum) },
	{ "minLength",			K_COUNT,	NODE_FIELD(min_length) },
	{ "maxLength",			K_COUNT,	NODE_FIELD(max_length) },
	{ "pattern",			K_PATTERN,	NODE_FIELD(pattern) },
	{ "minItems",			K_COUNT,	NODE_FIELD(min_items) },
	{ "maxItems",			K_COUNT,	NODE_FIELD(max_items) },
	{ "uniqueItems",		K_FLAG,		NODE_FIELD(unique) },
	{ "minProperties",		K_COUNT,	NODE_FIELD(min_props) },
	{ "maxProperties",		K_COUNT,	NODE_FIELD(max_props) },
	{ "title",			K_ANNOTATION,	0 },
	{ "description",		K_ANNOTATION,	0 },
	{ "default",			K_ANNOTATION,	0 },
	{ "examples",			K_ANNOTATION,	0 },
	{ "$schema",			K_ANNOTATION,	0 },
	{ "$id",			K_ANNOTATION,	0 },
	{ "$comment",			K_ANNOTATION,	0 },
	{ "format",			K_ANNOTATION,	0 },
};

/*
 * A bounded string. Text that does not fit is cut on a UTF-8 boundary and
 * ends with "..."; room for that is always kept, so a cut never rewrites
 * what was there before and a saved length can be restored.
 */
struct buf {
	char	*s;	/* NUL-terminated text */
	size_t	 len;	/* bytes before the NUL */
	size_t	 cap;	/* size of s, at least 4 */
	bool	 cut;	/* something did not fit; s ends with "..." */
};

/* A saved path length, to return to after a child. */
struct mark {
	size_t	 len;	/* path length before the push */
	bool	 cut;	/* whether it was cut then */
};

/*
 * A compiled "pattern", keyed by the schema string it came from. glibc
 * caches automaton states inside the regex_t as it matches, so a slot is
 * compiled afresh once it has done SCHEMA_MAX_MATCH_WORK.
 */
struct re_slot {
	const json_t	*key;	/* the pattern string, or NULL if unused */
	regex_t		 re;	/* compiled, valid while key != NULL */
	uint64_t	 cost;	/* atoms after expansion, >= 1 */
	uint64_t	 work;	/* cost x bytes matched since compiled */
};

/* State of one schema_check() or schema_validate() call. */
struct ctx {
	struct schema_error	*err;		/* where fail() writes, or NULL */
	struct buf		 path;		/* current location, in pathbuf */
	char			 pathbuf[PATH_SIZE];
	bool			 checking;	/* schema_check(): compile patterns,
						   bound enum/const depth */
	struct re_slot		 re[RE_CACHE];	/* schema_validate() only */
	unsigned		 re_next;	/* slot to reuse next */
	uint64_t		 work_left;	/* of SCHEMA_MAX_MATCH_TOTAL */
	uint64_t		 hash[SCHEMA_MAX_UNIQUE]; /* uniqueItems scratch */
};

static int validate_node(struct ctx *, const json_t *, const json_t *, int);

/* ---- text ---- */

/*
 * Returns the length of the longest prefix of the valid UTF-8 text
 * @s[0..n) that does not end inside a multi-byte sequence.
 */
static size_t
utf8_whole_prefix(const char *s, size_t n)
{
	size_t i = n, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
		i--;
	if (i == 0)
		return 0;
	lead = (unsigned char)s[i - 1];
	if (lead >= 0xF0)
		need = 4;
	else if (lead >= 0xE0)
		need = 3;
	else if (lead >= 0xC0)
		need = 2;
	else
		need = 1;
	return n - (i - 1) >= need ? n : i - 1;
}

static size_t
utf8_count(const char *s, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		count += ((unsigned char)s[i] & 0xC0) != 0x80;
	return count;
}

static void
buf_init(struct buf *b, char *s, size_t cap)
{
	*b = (struct buf){ .s = s, .cap = cap };
	s[0] = '\0';
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t room, keep;

	if (b->cut)
		return;
	room = b->cap - 4 - b->len;
	if (n <= room) {
		memcpy(b->s + b->len, s, n);
		b->len += n;
	} else {
		keep = utf8_whole_prefix(s, room);
		memcpy(b->s + b->len, s, keep);
		memcpy(b->s + b->len + keep, "...", 3);
		b->len += keep + 3;
		b->cut = true;
	}
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Appends @s[0..n) with control characters escaped (\n, \u001b), and
 * also '"' and '\\' when @quotes. */
static void
buf_escaped(struct buf *b, const char *s, size_t n, bool quotes)
{
	size_t i, run = 0;
	char esc[8];
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != 0x7F &&
		    (!quotes || (ch != '"' && ch != '\\')))
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		if (ch == '"' || ch == '\\')
			snprintf(esc, sizeof esc, "\\%c", ch);
		else if (ch == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else if (ch == '\t')
			snprintf(esc, sizeof esc, "\\t");
		else if (ch == '\r')
			snprintf(esc, sizeof esc, "\\r");
		else
			snprintf(esc, sizeof esc, "\\u%04x", ch);
		buf_str(b, esc);
	}
	buf_add(b, s + run, n - run);
}

/* Writes @s[0..n) as a JSON string literal, cut with ..." if too long. */
static void
quote(char *out, size_t outlen, const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, out, outlen - 1);	/* keep room for the closing quote */
	buf_add(&b, "\"", 1);
	buf_escaped(&b, s, n, true);
	out[b.len] = '"';
	out[b.len + 1] = '\0';
}

static void
quote_json(char *out, size_t outlen, const json_t *str)
{
	quote(out, outlen, json_string_value(str), json_string_length(str));
}

/* Writes a number in its shortest form that reads back the same. */
static void
numstr(char *out, size_t outlen, const json_t *v)
{
	double d;
	int p;

	if (json_is_integer(v)) {
		snprintf(out, outlen, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return;
	}
	d = json_real_value(v);
	for (p = 1; p <= 17; p++) {
		snprintf(out, outlen, "%.*g", p, d);
		if (strtod(out, NULL) == d)
			break;
	}
}

/* json_dump_callback() sink into a struct buf; stops once it is full. */
static int
dump_to_buf(const char *s, size_t n, void *data)
{
	struct buf *b = data;

	buf_add(b, s, n);
	return b->cut ? -1 : 0;
}

/* Writes @v as JSON text, cut with "..." if too long. */
static void
valstr(char *out, size_t outlen, const json_t *v)
{
	struct buf b;

	if (json_is_string(v)) {
		quote_json(out, outlen, v);
	} else if (json_is_number(v)) {
		numstr(out, outlen, v);
	} else {
		buf_init(&b, out, outlen);
		(void)json_dump_callback(v, dump_to_buf, &b,
		    JSON_ENCODE_ANY | JSON_COMPACT);
	}
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

/* ---- errors and paths ---- */

static int fail(struct ctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Fills c->err with the current path and a message; returns -EINVAL. */
static int
fail(struct ctx *c, const char *format, ...)
{
	char tmp[512];
	struct buf b;
	va_list ap;
	size_t len;
	int n;

	if (c->err == NULL)
		return -EINVAL;
	memcpy(c->err->path, c->path.s, c->path.len + 1);
	va_start(ap, format);
	n = vsnprintf(tmp, sizeof tmp, format, ap);
	va_end(ap);
	if (n < 0)
		len = 0;
	else if ((size_t)n >= sizeof tmp)
		len = utf8_whole_prefix(tmp, sizeof tmp - 1);
	else
		len = (size_t)n;
	buf_init(&b, c->err->message, MSG_SIZE);
	buf_add(&b, tmp, len);
	return -EINVAL;
}

/* Appends "/key" with "~" and "/" escaped; returns where to go back to. */
static struct mark
push_key(struct ctx *c, const char *key, size_t n)
{
	struct mark m = { c->path.len, c->path.cut };
	size_t i, run = 0;

	buf_add(&c->path, "/", 1);
	for (i = 0; i < n; i++) {
		if (key[i] != '~' && key[i] != '/')
			continue;
		buf_add(&c->path, key + run, i - run);
		buf_add(&c->path, key[i] == '~' ? "~0" : "~1", 2);
		run = i + 1;
	}
	buf_add(&c->path, key + run, n - run);
	return m;
}

static struct mark
push_index(struct ctx *c, size_t i)
{
	struct mark m = { c->path.len, c->path.cut };
	char tmp[32];

	snprintf(tmp, sizeof tmp, "/%zu", i);
	buf_str(&c->path, tmp);
	return m;
}

static void
pop(struct ctx *c, struct mark m)
{
	c->path.len = m.len;
	c->path.cut = m.cut;
	c->path.s[m.len] = '\0';
}

static void
ctx_init(struct ctx *c, struct schema_error *err, bool checking)
{
	unsigned i;

	c->err = err;
	buf_init(&c->path, c->pathbuf, sizeof c->pathbuf);
	c->checking = checking;
	for (i = 0; i < RE_CACHE; i++)
		c->re[i].key = NULL;
	c->re_next = 0;
	c->work_left = SCHEMA_MAX_MATCH_TOTAL;
}

static void
ctx_finish(struct ctx *c)
{
	unsigned i;

	for (i = 0; i < RE_CACHE; i++) {
		if (c->re[i].key != NULL)
			regfree(&c->re[i].re);
		c->re[i].key = NULL;
	}
}

/* Fails if a value inside @v lies more than SCHEMA_MAX_DEPTH levels below
 * the root, @level being that of @v. */
static int
check_depth(struct ctx *c, const json_t *v, int level)
{
	const char *key;
	json_t *obj, *child;
	struct mark m;
	size_t i, klen;
	int r = 0;

	if (level > SCHEMA_MAX_DEPTH)
		return fail(c, "nested deeper than %d levels",
		    SCHEMA_MAX_DEPTH);
	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			m = push_index(c, i);
			r = check_depth(c, child, level + 1);
			pop(c, m);
			if (r != 0)
				break;
		}
	} else if (json_is_object(v)) {
		obj = (json_t *)v;	/* jansson's iterators take non-const */
		json_object_keylen_foreach(obj, key, klen, child) {
			m = push_key(c, key, klen);
			r = check_depth(c, child, level + 1);
			pop(c, m);
			if (r != 0)
				break;
		}
	}
	return r;
}

/* ---- patterns ---- */

/* An output buffer for the rewritten pattern. */
struct emit {
	char	*s;		/* NUL-terminated text */
	size_t	 len;		/* bytes before the NUL */
	size_t	 cap;		/* size of s */
	bool	 over;		/* did not fit */
};

static void
emit(struct emit *e, const char *s, size_t n)
{
	if (e->over || n >= e->cap - e->len) {
		e->over = true;
		return;
	}
	memcpy(e->s + e->len, s, n);
	e->len += n;
	e->s[e->len] = '\0';
}

/* Repetition cost of an open group. */
struct frame {
	uint64_t	 cost;	/* atoms in the group so far */
	uint64_t	 last;	/* atoms of its last element, for {n,m} */
};

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* An escape that ECMA-262 gives a meaning POSIX lacks, or that changes the
 * language (back references). */
static bool
escape_unsupported(char ch)
{
	return is_digit(ch) || strchr("uxcpPk", ch) != NULL;
}

/* The control character an ECMA-262 escape stands for, or 0. */
static char
escape_control(char ch)
{
	switch (ch) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'f':
		return '\f';
	case 'v':
		return '\v';
	}
	return 0;
}

/*
 * Rewrites the bracket expression at @p[*i] (a '[') for POSIX, ECMA-262
 * escapes inside it included, and advances *i past it. Returns 0, or -1
 * with @why filled.
 */
static int
rewrite_bracket(const char *p, size_t len, size_t *i, struct emit *e,
    char *why, size_t whylen)
{
	char bodybuf[RE_SIZE], ctl;
	struct emit body = { .s = bodybuf, .cap = sizeof bodybuf };
	bool neg = false, rbr = false, dash = false, caret = false;
	bool first = true, after_class = false, literal_dash;
	size_t j = *i + 1, k;
	char ch, cls;

	bodybuf[0] = '\0';
	if (j < len && p[j] == '^') {
		neg = true;
		j++;
	}
	for (;;) {
		if (j >= len) {
			snprintf(why, whylen, "unterminated bracket expression");
			return -1;
		}
		ch = p[j];
		if (ch == ']' && !first)
			break;
		/* ECMA-262: "-" next to a class escape or an end is literal */
		literal_dash = ch == '-' && (first || after_class ||
		    (j + 1 < len && p[j + 1] == ']') ||
		    (j + 2 < len && p[j + 1] == '\\' &&
		    strchr("dws", p[j + 2]) != NULL));
		after_class = false;
		if (ch == ']') {
			rbr = true;
			j++;
		} else if (literal_dash) {
			dash = true;
			j++;
		} else if (ch == '[' && j + 1 < len && strchr(":.=",
		    p[j + 1]) != NULL) {
			cls = p[j + 1];
			for (k = j + 2; k + 1 < len; k++)
				if (p[k] == cls && p[k + 1] == ']')
					break;
			if (k + 1 >= len) {
				snprintf(why, whylen,
				    "unterminated [%c in a bracket expression",
				    cls);
				return -1;
			}
			emit(&body, p + j, k + 2 - j);
			j = k + 2;
		} else if (ch == '\\') {
			if (j + 1 >= len) {
				snprintf(why, whylen, "ends with a backslash");
				return -1;
			}
			ch = p[j + 1];
			j += 2;
			after_class = strchr("dws", ch) != NULL;
			if (ch == 'd') {
				emit(&body, "0-9", 3);
			} else if (ch == 'w') {
				emit(&body, "[:alnum:]_", 10);
			} else if (ch == 's') {
				emit(&body, "[:space:]", 9);
			} else if ((ctl = escape_control(ch)) != 0) {
				emit(&body, &ctl, 1);
			} else if (ch == '-') {
				dash = true;
			} else if (ch == ']') {
				rbr = true;
			} else if (ch == '^') {
				caret = true;
			} else if (ch == '\\') {
				emit(&body, "\\", 1);
			} else if ((ch >= 'a' && ch <= 'z') ||
			    (ch >= 'A' && ch <= 'Z') || is_digit(ch)) {
				snprintf(why, whylen, "\\%c is not supported "
				    "inside a bracket expression", ch);
				return -1;
			} else {
				emit(&body, &ch, 1);
			}
		} else if (ch == '^' && body.len == 0) {
			caret = true;	/* would negate if it came first */
			j++;
		} else {
			emit(&body, &ch, 1);
			j++;
		}
		first = false;
	}
	*i = j + 1;
	if (body.over) {
		e->over = true;
		return 0;
	}

	/* POSIX: "]" only first, "-" only last, "^" anywhere but first. */
	if (!neg && !rbr && body.len == 0 && caret) {
		if (dash)
			emit(e, "[-^]", 4);
		else
			emit(e, "\\^", 2);	/* "[\^]": a lone caret */
		return 0;
	}
	emit(e, neg ? "[^" : "[", neg ? 2 : 1);
	if (rbr)
		emit(e, "]", 1);
	emit(e, bodybuf, body.len);
	if (caret)
		emit(e, "^", 1);
	if (dash)
		emit(e, "-", 1);
	emit(e, "]", 1);
	return 0;
}

/* Parses "{n}", "{n,}", "{n,m}" or "{,m}" at @p[i]; returns the largest
 * count it allows (at least 1) and sets *end past it, or 0 if it is none. */
static uint64_t
parse_braces(const char *p, size_t len, size_t i, size_t *end)
{
	uint64_t lo = 0, hi = 0;
	bool has_lo = false, has_hi = false, comma = false;

	for (i++; i < len && is_digit(p[i]); i++, has_lo = true)
		if (lo < 1000000)
			lo = lo * 10 + (uint64_t)(p[i] - '0');
	if (i < len && p[i] == ',') {
		comma = true;
		for (i++; i < len && is_digit(p[i]); i++, has_hi = true)
			if (hi < 1000000)
				hi = hi * 10 + (uint64_t)(p[i] - '0');
	}
	if (i >= len || p[i] != '}' || (!has_lo && !has_hi))
		return 0;
	*end = i + 1;
	if (has_hi)
		lo = hi;
	else if (comma)
		lo++;			/* {n,}: n copies and a star */
	return lo > 0 ? lo : 1;
}

/*
 * Rewrites the ECMA-262 flavoured @p (len bytes) into the POSIX extended
 * regex @out and bounds what it expands to: glibc copies the expression
 * under "{n,m}" m times and under "+" twice. Returns 0 with *cost set to
 * that expanded size, or -1 with @why filled.
 */
static int
rewrite_pattern(const char *p, size_t len, char *out, size_t outlen,
    uint64_t *cost, char *why, size_t whylen)
{
	struct frame frames[SCHEMA_MAX_PATTERN + 2];
	struct emit e = { .s = out, .cap = outlen };
	size_t i = 0, end = 0, depth = 0, d;
	uint64_t atom, k = 0, total;
	int quant = 0;	/* 1 after a quantifier, 2 after a lazy one */
	char ch, ctl;

	out[0] = '\0';
	if (len > SCHEMA_MAX_PATTERN) {
		snprintf(why, whylen, "longer than %d bytes",
		    SCHEMA_MAX_PATTERN);
		return -1;
	}
	if (memchr(p, '\0', len) != NULL) {
		snprintf(why, whylen, "contains a NUL character");
		return -1;
	}
	/* An unanchored search restarts at every byte, quadratic in glibc;
	 * "^(any byte)*(pattern)" searches from the start only. */
	emit(&e, "^(x|[^x])*(", 11);
	frames[0] = (struct frame){ 3, 0 };
	while (i < len) {
		ch = p[i];
		atom = 1;
		if (ch == '*' || ch == '?' || ch == '+' || (ch == '{' &&
		    (k = parse_braces(p, len, i, &end)) != 0)) {
			/* ECMA-262 "x*?" is lazy, the same for a yes/no match;
			 * stacked quantifiers make glibc's regcomp slow */
			if (quant == 1 && ch == '?') {
				quant = 2;
				i++;
				continue;
			}
			if (quant != 0) {
				snprintf(why, whylen, "a quantifier follows "
				    "another one");
				return -1;
			}
			quant = 1;
		} else {
			quant = 0;
		}
		if (ch == '\\') {
			if (i + 1 >= len) {
				snprintf(why, whylen, "ends with a backslash");
				return -1;
			}
			ch = p[i + 1];
			i += 2;
			if (escape_unsupported(ch)) {
				snprintf(why, whylen, "\\%c is not supported",
				    ch);
				return -1;
			}
			if (ch == 'd')
				emit(&e, "[0-9]", 5);
			else if (ch == 'D')
				emit(&e, "[^0-9]", 6);
			else if ((ctl = escape_control(ch)) != 0)
				emit(&e, &ctl, 1);
			else {
				emit(&e, "\\", 1);
				emit(&e, &ch, 1);
			}
		} else if (ch == '[') {
			if (rewrite_bracket(p, len, &i, &e, why, whylen) != 0)
				return -1;
		} else if (ch == '(') {
			if (depth == SCHEMA_MAX_PATTERN_DEPTH) {
				snprintf(why, whylen, "groups nested deeper than %d",
				    SCHEMA_MAX_PATTERN_DEPTH);
				return -1;
			}
			emit(&e, "(", 1);
			i++;
			frames[++depth] = (struct frame){ 0, 0 };
			continue;
		} else if (ch == ')') {
			if (depth == 0) {
				snprintf(why, whylen, "unmatched )");
				return -1;
			}
			emit(&e, ")", 1);
			i++;
			atom = frames[depth--].cost + 1;
		} else if (ch == '|') {
			emit(&e, "|", 1);
			i++;
			frames[depth].last = 0;
			continue;
		} else if (ch == '*' || ch == '?') {
			emit(&e, &ch, 1);
			i++;
			continue;
		} else if (ch == '+' || (ch == '{' && quant == 1)) {
			if (ch == '+') {
				k = 2;		/* "x+" is "xx*" */
				end = i + 1;
			}
			emit(&e, p + i, end - i);
			i = end;
			frames[depth].cost += frames[depth].last * (k - 1);
			frames[depth].last *= k;
			if (frames[depth].cost > SCHEMA_MAX_PATTERN_COST)
				goto complex;
			continue;
		} else {
			emit(&e, &ch, 1);
			i++;
		}
		frames[depth].cost += atom;
		frames[depth].last = atom;
		if (frames[depth].cost > SCHEMA_MAX_PATTERN_COST)
			goto complex;
	}
	emit(&e, ")", 1);
	for (total = 0, d = 0; d <= depth; d++)
		total += frames[d].cost;
	if (total > SCHEMA_MAX_PATTERN_COST)
		goto complex;
	if (e.over) {
		snprintf(why, whylen, "too long once rewritten");
		return -1;
	}
	*cost = total > 0 ? total : 1;
	return 0;
complex:
	snprintf(why, whylen, "repetitions expand to more than %d atoms",
	    SCHEMA_MAX_PATTERN_COST);
	return -1;
}

/* Compiles the "pattern" string @pat into @re (regfree() it on success)
 * and sets *cost. */
static int
compile_pattern(struct ctx *c, const json_t *pat, regex_t *re, uint64_t *cost)
{
	char src[RE_SIZE], why[128];
	int rc;

	if (rewrite_pattern(json_string_value(pat), json_string_length(pat),
	    src, sizeof src, cost, why, sizeof why) != 0)
		return fail(c, "invalid pattern: %s", why);
	if ((rc = regcomp(re, src, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, re, why, sizeof why);
		return fail(c, "invalid pattern: %s", why);
	}
	return 0;
}

/*
 * Returns in *out the slot holding @pat compiled, from the cache or
 * compiled now; compiled afresh if @work more would take it past
 * SCHEMA_MAX_MATCH_WORK.
 */
static int
get_pattern(struct ctx *c, const json_t *pat, uint64_t work,
    struct re_slot **out)
{
	struct re_slot *slot = NULL;
	unsigned i;
	int r;

	for (i = 0; i < RE_CACHE; i++)
		if (c->re[i].key == pat)
			slot = &c->re[i];
	if (slot != NULL && slot->work + work <= SCHEMA_MAX_MATCH_WORK)
		goto out;
	if (slot == NULL) {
		slot = &c->re[c->re_next];
		c->re_next = (c->re_next + 1) % RE_CACHE;
	}
	if (slot->key != NULL)
		regfree(&slot->re);
	slot->key = NULL;
	if ((r = compile_pattern(c, pat, &slot->re, &slot->cost)) != 0)
		return r;
	slot->key = pat;
	slot->work = 0;
out:
	*out = slot;
	return 0;
}

/* The expanded size of @pat, for a work estimate before compiling. */
static int
pattern_cost(struct ctx *c, const json_t *pat, uint64_t *cost)
{
	char src[RE_SIZE], why[128];
	unsigned i;

	for (i = 0; i < RE_CACHE; i++) {
		if (c->re[i].key == pat) {
			*cost = c->re[i].cost;
			return 0;
		}
	}
	if (rewrite_pattern(json_string_value(pat), json_string_length(pat),
	    src, sizeof src, cost, why, sizeof why) != 0)
		return fail(c, "invalid pattern: %s", why);
	return 0;
}

/* ---- schema nodes ---- */

static unsigned
type_bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(type_names); i++)
		if (strlen(type_names[i].name) == n &&
		    memcmp(type_names[i].name, s, n) == 0)
			return type_names[i].bit;
	return 0;
}

static int
parse_type_name(struct ctx *c, const json_t *v, unsigned *bit)
{
	char q[QUOTE_SIZE];

	if (!json_is_string(v))
		return fail(c, "must be a type name, got %s", type_name(v));
	if ((*bit = type_bit(json_string_value(v),
	    json_string_length(v))) == 0) {
		quote_json(q, sizeof q, v);
		return fail(c, "unknown type %s (expected string, number, "
		    "integer, boolean, object, array or null)", q);
	}
	return 0;
}

static int
parse_type(struct ctx *c, const json_t *v, unsigned *types)
{
	const json_t *name;
	char q[QUOTE_SIZE];
	struct mark m;
	unsigned bit, all = 0;
	size_t i;
	int r = 0;

	if (json_is_string(v)) {
		if ((r = parse_type_name(c, v, &all)) != 0)
			goto out;
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, name) {
			m = push_index(c, i);
			if ((r = parse_type_name(c, name, &bit)) == 0 &&
			    (all & bit) != 0) {
				quote_json(q, sizeof q, name);
				r = fail(c, "duplicate type %s", q);
			}
			pop(c, m);
			if (r != 0)
				goto out;
			all |= bit;
		}
	} else {
		r = fail(c, "must be a type name or a non-empty array of "
		    "them, got %s", json_is_array(v) ? "an empty array" :
		    type_name(v));
		goto out;
	}
	*types = all;
out:
	return r;
}

/* Checks one keyword's value @v and stores it into @n. */
static int
parse_keyword(struct ctx *c, const struct keyword *kw, const json_t *v,
    struct node *n)
{
	void *field = (char *)n + kw->off;
	const json_t *el;
	struct mark m;
	uint64_t cost;
	regex_t re;
	size_t i;
	int r = 0;

	switch (kw->kind) {
	case K_ANNOTATION:
		return 0;
	case K_TYPE:
		return parse_type(c, v, &n->types);
	case K_VALUES:
		if (!json_is_array(v) || json_array_size(v) == 0)
			return fail(c, "must be a non-empty array, got %s",
			    json_is_array(v) ? "an empty one" : type_name(v));
		if (c->checking)
			r = check_depth(c, v, 0);
		break;
	case K_VALUE:
		if (c->checking)
			r = check_depth(c, v, 0);
		break;
	case K_NAMES:
		if (!json_is_array(v))
			return fail(c, "must be an array of property names, "
			    "got %s", type_name(v));
		json_array_foreach(v, i, el) {
			if (json_is_string(el))
				continue;
			m = push_index(c, i);
			r = fail(c, "must be a property name string, got %s",
			    type_name(el));
			pop(c, m);
			return r;
		}
		break;
	case K_SCHEMAS:
		if (!json_is_object(v))
			return fail(c, "must be an object of schemas, got %s",
			    type_name(v));
		break;
	case K_ADDITIONAL:
		if (!json_is_boolean(v) && !json_is_object(v))
			return fail(c, "must be a boolean or a schema object, "
			    "got %s", type_name(v));
		break;
	case K_SCHEMA:
		if (json_is_array(v))
			return fail(c, "must be a schema object (the array "
			    "form is not supported)");
		if (!json_is_object(v))
			return fail(c, "must be a schema object, got %s",
			    type_name(v));
		break;
	case K_NUMBER:
		if (json_is_boolean(v))
			return fail(c, "must be a number, got boolean (the "
			    "draft-4 boolean form is not supported)");
		if (!json_is_number(v))
			return fail(c, "must be a number, got %s",
			    type_name(v));
		break;
	case K_COUNT:
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			if (json_is_integer(v))
				return fail(c, "must be a non-negative "
				    "integer, got %" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
			return fail(c, "must be a non-negative integer, "
			    "got %s", type_name(v));
		}
		*(json_int_t *)field = json_integer_value(v);
		return 0;
	case K_PATTERN:
		if (!json_is_string(v))
			return fail(c, "must be a string, got %s",
			    type_name(v));
		if (c->checking && (r = compile_pattern(c, v, &re,
		    &cost)) == 0)
			regfree(&re);
		break;
	case K_FLAG:
		if (!json_is_boolean(v))
			return fail(c, "must be a boolean, got %s",
			    type_name(v));
		*(bool *)field = json_is_true(v);
		return 0;
	}
	if (r == 0)
		*(const json_t **)field = v;
	return r;
}

/* Reads the keywords of @schema into @n, checking each. */
static int
parse_node(struct ctx *c, const json_t *schema, struct node *n)
{
	const struct keyword *kw;
	char q[QUOTE_SIZE];
	const char *key;
	json_t *obj, *v;
	struct mark m;
	size_t i, klen;
	int r = 0;

	*n = (struct node){
		.min_length = -1, .max_length = -1,
		.min_items = -1, .max_items = -1,
		.min_props = -1, .max_props = -1,
	};
	if (!json_is_object(schema))
		return fail(c, "schema must be an object, got %s",
		    type_name(schema));
	obj = (json_t *)schema;		/* jansson's iterators take non-const */
	json_object_keylen_foreach(obj, key, klen, v) {
		kw = NULL;
		for (i = 0; i < ARRAY_LEN(keywords); i++) {
			if (strlen(keywords[i].name) == klen &&
			    memcmp(keywords[i].name, key, klen) == 0) {
				kw = &keywords[i];
				break;
			}
		}
		m = push_key(c, key, klen);
		if (kw == NULL) {
			quote(q, sizeof q, key, klen);
			r = fail(c, "unsupported keyword %s", q);
		} else {
			r = parse_keyword(c, kw, v, n);
		}
		pop(c, m);
		if (r != 0)
			break;
	}
	return r;
}

/* schema_check() of one schema object and everything below it. */
static int
check_node(struct ctx *c, const json_t *schema, int depth)
{
	struct node n;
	struct mark m, m2;
	const char *key;
	json_t *obj, *sub;
	size_t klen;
	int r;

	if (depth > SCHEMA_MAX_DEPTH)
		return fail(c, "schema nested deeper than %d levels",
		    SCHEMA_MAX_DEPTH);
	if ((r = parse_node(c, schema, &n)) != 0)
		return r;
	if (n.properties != NULL) {
		m = push_key(c, "properties", 10);
		obj = (json_t *)n.properties;
		json_object_keylen_foreach(obj, key, klen, sub) {
			m2 = push_key(c, key, klen);
			r = check_node(c, sub, depth + 1);
			pop(c, m2);
			if (r != 0)
				break;
		}
		pop(c, m);
		if (r != 0)
			return r;
	}
	if (json_is_object(n.additional)) {
		m = push_key(c, "additionalProperties", 20);
		r = check_node(c, n.additional, depth + 1);
		pop(c, m);
		if (r != 0)
			return r;
	}
	if (n.items != NULL) {
		m = push_key(c, "items", 5);
		r = check_node(c, n.items, depth + 1);
		pop(c, m);
	}
	return r;
}

/* ---- validation ---- */

static unsigned
instance_types(const json_t *v)
{
	double d;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return T_OBJECT;
	case JSON_ARRAY:
		return T_ARRAY;
	case JSON_STRING:
		return T_STRING;
	case JSON_INTEGER:
		return T_INTEGER | T_NUMBER;
	case JSON_REAL:
		/* Doubles this large have no fractional part. */
		d = json_real_value(v);
		if (d >= 9007199254740992.0 || d <= -9007199254740992.0 ||
		    d == (double)(json_int_t)d)
			return T_INTEGER | T_NUMBER;
		return T_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE:
		return T_BOOLEAN;
	case JSON_NULL:
		return T_NULL;
	}
	return 0;
}

/* Compares an integer with a finite double exactly: -1, 0 or 1. */
static int
cmp_int_real(json_int_t i, double d)
{
	json_int_t t;
	double frac;

	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	t = (json_int_t)d;		/* in range, truncates toward 0 */
	if (i != t)
		return i < t ? -1 : 1;
	frac = d - (double)t;
	return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

/* Compares two JSON numbers: -1, 0 or 1. */
static int
numcmp(const json_t *a, const json_t *b)
{
	json_int_t x, y;
	double p, q;

	if (json_is_integer(a) && json_is_integer(b)) {
		x = json_integer_value(a);
		y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	if (json_is_integer(a))
		return cmp_int_real(json_integer_value(a), json_real_value(b));
	if (json_is_integer(b))
		return -cmp_int_real(json_integer_value(b), json_real_value(a));
	p = json_real_value(a);
	q = json_real_value(b);
	return (p > q) - (p < q);
}

static int
fail_type(struct ctx *c, unsigned types, const json_t *inst)
{
	char want[128];
	struct buf b;
	size_t i, n = 0, total = 0;

	for (i = 0; i < ARRAY_LEN(type_names); i++)
		total += (types & type_names[i].bit) != 0;
	buf_init(&b, want, sizeof want);
	for (i = 0; i < ARRAY_LEN(type_names); i++) {
		if ((types & type_names[i].bit) == 0)
			continue;
		if (total == 1) {
			buf_str(&b, type_names[i].article);
			break;
		}
		if (n > 0)
			buf_str(&b, n + 1 == total ? " or " : ", ");
		buf_str(&b, type_names[i].name);
		n++;
	}
	return fail(c, "must be %s, got %s", want, type_name(inst));
}

static int
fail_enum(struct ctx *c, const json_t *values)
{
	char msg[MSG_SIZE], val[QUOTE_SIZE];
	const json_t *v;
	struct buf b;
	size_t i;

	buf_init(&b, msg, sizeof msg);
	buf_str(&b, "must be one of ");
	json_array_foreach(values, i, v) {
		if (i > 0)
			buf_str(&b, ", ");
		valstr(val, sizeof val, v);
		buf_str(&b, val);
		if (b.cut)
			break;
	}
	return fail(c, "%s", msg);
}

static const char *
plural(json_int_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int
check_number(struct ctx *c, const struct node *n, const json_t *inst)
{
	/* bad: bit (cmp + 1) set when comparing inst with the bound fails */
	static const struct {
		size_t		 off;	/* bound in struct node */
		unsigned	 bad;	/* failing comparisons */
		const char	*op;	/* for the message */
	} bounds[] = {
		{ NODE_FIELD(minimum),	1 << 0,			">=" },
		{ NODE_FIELD(maximum),	1 << 2,			"<=" },
		{ NODE_FIELD(xminimum),	1 << 0 | 1 << 1,	">" },
		{ NODE_FIELD(xmaximum),	1 << 1 | 1 << 2,	"<" },
	};
	const json_t *bound;
	char want[32], got[32];
	size_t i;

	for (i = 0; i < ARRAY_LEN(bounds); i++) {
		bound = *(const json_t *const *)(const void *)
		    ((const char *)n + bounds[i].off);
		if (bound == NULL ||
		    (bounds[i].bad & 1u << (numcmp(inst, bound) + 1)) == 0)
			continue;
		numstr(want, sizeof want, bound);
		numstr(got, sizeof got, inst);
		return fail(c, "must be %s %s (got %s)", bounds[i].op, want,
		    got);
	}
	return 0;
}

static int
check_string(struct ctx *c, const struct node *n, const json_t *inst)
{
	const char *s = json_string_value(inst);
	size_t len = json_string_length(inst), count;
	struct re_slot *slot;
	uint64_t cost, work;
	char q[QUOTE_SIZE];
	regmatch_t match;
	int r, rc;

	count = utf8_count(s, len);
	if (n->min_length >= 0 && (uint64_t)count < (uint64_t)n->min_length)
		return fail(c, "must be at least %" JSON_INTEGER_FORMAT
		    " character%s (got %zu)", n->min_length,
		    plural(n->min_length, "", "s"), count);
	if (n->max_length >= 0 && (uint64_t)count > (uint64_t)n->max_length)
		return fail(c, "must be at most %" JSON_INTEGER_FORMAT
		    " character%s (got %zu)", n->max_length,
		    plural(n->max_length, "", "s"), count);
	if (n->pattern == NULL)
		return 0;

	/* glibc's matcher can take time and memory quadratic in the
	 * string, so what it is given is bounded. */
	if ((r = pattern_cost(c, n->pattern, &cost)) != 0)
		return r;
	quote_json(q, sizeof q, n->pattern);
	if (len >= SCHEMA_MAX_MATCH_WORK / cost)
		return fail(c, "is too long to check against pattern %s "
		    "(%zu bytes, at most %" PRIu64 ")", q, len,
		    SCHEMA_MAX_MATCH_WORK / cost - 1);
	work = cost * (len + 1);
	if (work > c->work_left)
		return fail(c, "cannot be checked against pattern %s: too "
		    "much pattern matching in one call", q);
	c->work_left -= work;
	if ((r = get_pattern(c, n->pattern, work, &slot)) != 0)
		return r;
	slot->work += work;
	match.rm_so = 0;
	match.rm_eo = (regoff_t)len;
	rc = regexec(&slot->re, s, 1, &match, REG_STARTEND);
	if (rc == 0)
		return 0;
	if (rc == REG_NOMATCH)
		return fail(c, "must match pattern %s", q);
	return fail(c, "could not be matched against pattern %s", q);
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A hash that agrees with json_equal(): equal values hash the same. */
static uint64_t
hash_value(const json_t *v, int level)
{
	uint64_t h = (uint64_t)json_typeof(v) + 1, sum = 0, bits;
	const char *key;
	json_t *obj, *child;
	size_t i, klen;
	double d;

	switch (json_typeof(v)) {
	case JSON_STRING:
		h ^= hash_bytes(json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		h ^= mix((uint64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		d = json_real_value(v);
		if (d == 0)
			d = 0;		/* -0.0 equals 0.0 */
		memcpy(&bits, &d, sizeof bits);
		h ^= mix(bits);
		break;
	case JSON_ARRAY:
		h ^= mix(json_array_size(v));
		if (level >= SCHEMA_MAX_DEPTH)
			break;
		json_array_foreach(v, i, child)
			h = mix(h) ^ hash_value(child, level + 1);
		break;
	case JSON_OBJECT:
		h ^= mix(json_object_size(v));
		if (level >= SCHEMA_MAX_DEPTH)
			break;
		obj = (json_t *)v;	/* jansson's iterators take non-const */
		json_object_keylen_foreach(obj, key, klen, child)
			sum += mix(hash_bytes(key, klen) ^
			    mix(hash_value(child, level + 1)));
		h ^= sum;
		break;
	default:
		break;
	}
	return mix(h);
}

static int
check_unique(struct ctx *c, const json_t *inst)
{
	size_t i, j, n = json_array_size(inst);

	if (n > SCHEMA_MAX_UNIQUE)
		return fail(c, "has too many items to check that they are "
		    "unique (%zu, at most %d)", n, SCHEMA_MAX_UNIQUE);
	for (i = 0; i < n; i++)
		c->hash[i] = hash_value(json_array_get(inst, i), 0);
	for (j = 1; j < n; j++)
		for (i = 0; i < j; i++)
			if (c->hash[i] == c->hash[j] &&
			    json_equal(json_array_get(inst, i),
			    json_array_get(inst, j)))
				return fail(c, "must have unique items "
				    "(items %zu and %zu are equal)", i, j);
	return 0;
}

static int
check_array(struct ctx *c, const struct node *n, const json_t *inst,
    int depth)
{
	size_t i, size = json_array_size(inst);
	const json_t *el;
	struct mark m;
	int r;

	if (n->min_items >= 0 && (uint64_t)size < (uint64_t)n->min_items)
		return fail(c, "must have at least %" JSON_INTEGER_FORMAT
		    " item%s (got %zu)", n->min_items,
		    plural(n->min_items, "", "s"), size);
	if (n->max_items >= 0 && (uint64_t)size > (uint64_t)n->max_items)
		return fail(c, "must have at most %" JSON_INTEGER_FORMAT
		    " item%s (got %zu)", n->max_items,
		    plural(n->max_items, "", "s"), size);
	if (n->unique && (r = check_unique(c, inst)) != 0)
		return r;
	if (n->items == NULL)
		return 0;
	json_array_foreach(inst, i, el) {
		m = push_index(c, i);
		r = validate_node(c, n->items, el, depth + 1);
		pop(c, m);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
check_object(struct ctx *c, const struct node *n, const json_t *inst,
    int depth)
{
	size_t i, klen, size = json_object_size(inst);
	const json_t *name;
	json_t *obj, *v, *sub;
	char q[QUOTE_SIZE];
	const char *key;
	struct mark m;
	int r;

	if (n->min_props >= 0 && (uint64_t)size < (uint64_t)n->min_props)
		return fail(c, "must have at least %" JSON_INTEGER_FORMAT
		    " propert%s (got %zu)", n->min_props,
		    plural(n->min_props, "y", "ies"), size);
	if (n->max_props >= 0 && (uint64_t)size > (uint64_t)n->max_props)
		return fail(c, "must have at most %" JSON_INTEGER_FORMAT
		    " propert%s (got %zu)", n->max_props,
		    plural(n->max_props, "y", "ies"), size);
	if (n->required != NULL) {
		json_array_foreach(n->required, i, name) {
			if (json_object_getn(inst, json_string_value(name),
			    json_string_length(name)) != NULL)
				continue;
			quote_json(q, sizeof q, name);
			return fail(c, "missing required property %s", q);
		}
	}
	if (n->properties != NULL) {
		obj = (json_t *)n->properties;
		json_object_keylen_foreach(obj, key, klen, sub) {
			if ((v = json_object_getn(inst, key, klen)) == NULL)
				continue;
			m = push_key(c, key, klen);
			r = validate_node(c, sub, v, depth + 1);
			pop(c, m);
			if (r != 0)
				return r;
		}
	}
	if (n->additional == NULL || json_is_true(n->additional))
		return 0;
	obj = (json_t *)inst;
	json_object_keylen_foreach(obj, key, klen, v) {
		if (n->properties != NULL &&
		    json_object_getn(n->properties, key, klen) != NULL)
			continue;
		if (!json_is_object(n->additional)) {
			quote(q, sizeof q, key, klen);
			return fail(c, "unexpected property %s", q);
		}
		m = push_key(c, key, klen);
		r = validate_node(c, n->additional, v, depth + 1);
		pop(c, m);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
validate_node(struct ctx *c, const json_t *schema, const json_t *inst,
    int depth)
{
	char val[QUOTE_SIZE];
	const json_t *v;
	struct node n;
	size_t i;
	int r;

	if (depth > SCHEMA_MAX_DEPTH)
		return fail(c, "nested deeper than %d levels",
		    SCHEMA_MAX_DEPTH);
	if ((r = parse_node(c, schema, &n)) != 0)
		return r;
	if (n.types != 0 && (n.types & instance_types(inst)) == 0)
		return fail_type(c, n.types, inst);
	if (n.enumv != NULL) {
		json_array_foreach(n.enumv, i, v)
			if (json_equal(v, inst))
				break;
		if (i == json_array_size(n.enumv))
			return fail_enum(c, n.enumv);
	}
	if (n.constv != NULL && !json_equal(n.constv, inst)) {
		valstr(val, sizeof val, n.constv);
		return fail(c, "must be equal to %s", val);
	}
	switch (json_typeof(inst)) {
	case JSON_INTEGER:
	case JSON_REAL:
		return check_number(c, &n, inst);
	case JSON_STRING:
		return check_string(c, &n, inst);
	case JSON_ARRAY:
		return check_array(c, &n, inst, depth);
	case JSON_OBJECT:
		return check_object(c, &n, inst, depth);
	default:
		return 0;
	}
}

/* ---- API ---- */

int
schema_check(const json_t *schema, struct schema_error *err)
{
	struct ctx c;
	int r;

	ctx_init(&c, err, true);
	if (schema == NULL)
		r = fail(&c, "schema is missing");
	else
		r = check_node(&c, schema, 0);
	ctx_finish(&c);
	return r;
}

int
schema_validate(const json_t *schema, const json_t *instance,
    struct schema_error *err)
{
	struct ctx c;
	int r;

	ctx_init(&c, err, false);
	if (schema == NULL || instance == NULL)
		r = fail(&c, "%s is missing", schema == NULL ? "schema" :
		    "instance");
	else if ((r = check_depth(&c, instance, 0)) == 0)
		r = validate_node(&c, schema, instance, 0);
	ctx_finish(&c);
	return r;
}

void
schema_error_format(const struct schema_error *err, char *out, size_t outlen)
{
	struct buf b;
	size_t plen;

	if (outlen == 0)
		return;
	if (outlen < 4) {
		out[0] = '\0';
		return;
	}
	buf_init(&b, out, outlen);
	if (err == NULL) {
		buf_str(&b, "no error");
		return;
	}
	plen = strnlen(err->path, sizeof err->path);
	if (plen > 0) {
		buf_str(&b, "at ");
		buf_escaped(&b, err->path, plen, false);
		buf_str(&b, ": ");
	}
	buf_escaped(&b, err->message, strnlen(err->message,
	    sizeof err->message), false);
}
