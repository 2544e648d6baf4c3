/* agentctl: pure formatting and parsing of values (see format.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "fmt.h"
#include "format.h"
#include "utf8.h"

#define ELLIPSIS	"\xe2\x80\xa6"	/* U+2026, one column */

/* ---- sbuf --------------------------------------------------------------- */

void
sbuf_init(struct sbuf *b)
{
	*b = (struct sbuf){ 0 };
}

void
sbuf_finish(struct sbuf *b)
{
	if (b == NULL)
		return;
	free(b->s);
	*b = (struct sbuf){ 0 };
}

static void
reserve(struct sbuf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	if ((b->s = realloc(b->s, b->cap)) == NULL)
		abort();
}

void
sbuf_putn(struct sbuf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_putn(b, s, strlen(s));
}

void
sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
sbuf_str(const struct sbuf *b)
{
	return b->s != NULL ? b->s : "";
}

char *
sbuf_steal(struct sbuf *b)
{
	char *s = b->s;

	if (s == NULL && (s = calloc(1, 1)) == NULL)
		abort();
	*b = (struct sbuf){ 0 };
	return s;
}

/* ---- values --------------------------------------------------------------- */

char *
format_waiting(char *out, size_t outlen, const char *on, int64_t since_ms,
    int64_t now_ms)
{
	char d[FORMAT_SHORT];

	if (on == NULL || on[0] == '\0' || strcmp(on, "none") == 0) {
		snprintf(out, outlen, "-");
		return out;
	}
	if (since_ms <= 0) {
		snprintf(out, outlen, "%s", on);
		return out;
	}
	snprintf(out, outlen, "%s %s", on,
	    fmt_age(d, sizeof(d), since_ms, now_ms));
	return out;
}

char *
format_deadline(char *out, size_t outlen, int64_t deadline_ms, int64_t now_ms)
{
	if (deadline_ms <= now_ms)
		snprintf(out, outlen, "expired");
	else
		fmt_duration(out, outlen, deadline_ms - now_ms);
	return out;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *
format_amount(char *out, size_t outlen, const char *kind, double v)
{
	if (has_suffix(kind, "_usd"))
		return fmt_cost(out, outlen, v);
	if (has_suffix(kind, "_ms"))
		return fmt_duration(out, outlen, (int64_t)(v + 0.5));
	if (strncmp(kind, "tokens", 6) == 0)
		return fmt_tokens(out, outlen, (int64_t)(v + 0.5));
	snprintf(out, outlen, "%.0f", v);
	return out;
}

char *
format_time(char *out, size_t outlen, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, outlen, "-");
	return out;
}

/* ---- text for a terminal -------------------------------------------------- */

/* Whether the sequence @p of @len bytes (0: not UTF-8) is shown escaped. */
static bool
needs_escape(const unsigned char *p, size_t len, enum format_esc mode)
{
	if (len == 0)
		return true;
	if (len == 2)
		return p[0] == 0xc2 && p[1] < 0xa0;	/* C1: U+0080..U+009F */
	if (len > 1)
		return false;
	if (p[0] == '\n' || p[0] == '\t')
		return mode == FORMAT_ESC_LINE;
	return p[0] < 0x20 || p[0] == 0x7f;
}

void
format_escape(struct sbuf *b, const char *s, enum format_esc mode)
{
	const unsigned char *p = (const unsigned char *)s, *kept = p;
	size_t left = strlen(s), len;

	while (left > 0) {
		len = utf8_decode((const char *)p, left, NULL);
		if (!needs_escape(p, len, mode)) {
			p += len;
			left -= len;
			continue;
		}
		sbuf_putn(b, (const char *)kept, (size_t)(p - kept));
		if (mode == FORMAT_ESC_JSON)
			/* the code point; a byte that is not UTF-8 cannot be
			 * in JSON text, and is shown as U+FFFD */
			sbuf_printf(b, "\\u%04x", len == 0 ? 0xfffd :
			    len == 2 ? p[1] : p[0]);
		else
			for (size_t i = 0; i < (len > 0 ? len : 1); i++)
				sbuf_printf(b, "\\x%02x", p[i]);
		len = len > 0 ? len : 1;
		p += len;
		left -= len;
		kept = p;
	}
	sbuf_putn(b, (const char *)kept, (size_t)(p - kept));
}

char *
format_escaped(const char *s, enum format_esc mode)
{
	struct sbuf b;

	sbuf_init(&b);
	format_escape(&b, s, mode);
	return sbuf_steal(&b);
}

/* ---- text in columns ------------------------------------------------------ */

size_t
format_width(const char *s)
{
	return (size_t)utf8_width(s);
}

char *
format_fit(char *out, size_t outlen, const char *s, size_t width)
{
	bool cut = format_width(s) > width;
	size_t keep = cut && width > 0 ? width - 1 : width;	/* room for … */
	size_t w = 0, o = 0, len, left = strlen(s);
	int cw;

	if (outlen == 0)
		return out;
	while (left > 0) {
		len = utf8_next(s, left, &cw);
		/* a whole character or nothing: a wide one that would pass
		 * the edge is left out, and room is left for "…" */
		if (w + (size_t)cw > keep)
			break;
		if (o + len + sizeof(ELLIPSIS) > outlen) {
			cut = true;
			break;
		}
		memcpy(out + o, s, len);
		o += len;
		s += len;
		left -= len;
		w += (size_t)cw;
	}
	if (cut && width > 0 && o + sizeof(ELLIPSIS) <= outlen) {
		memcpy(out + o, ELLIPSIS, sizeof(ELLIPSIS) - 1);
		o += sizeof(ELLIPSIS) - 1;
	}
	out[o] = '\0';
	return out;
}

/* ---- parsing ------------------------------------------------------------------ */

int
format_parse_duration(const char *s, int64_t *ms, char *err, size_t errlen)
{
	static const struct { const char *name; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 7 * 86400000LL },
	};
	const char *p = s;
	int64_t total = 0;

	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty duration (e.g. 30m, 2h, 7d)");
		return -EINVAL;
	}
	while (*p != '\0') {
		const char *start = p;
		int64_t n = 0;
		size_t i, len;

		if (!isdigit((unsigned char)*p)) {
			snprintf(err, errlen, "duration \"%s\": a number was expected "
			    "at \"%s\"", s, p);
			return -EINVAL;
		}
		for (; isdigit((unsigned char)*p); p++) {
			if (n > (INT64_MAX - 9) / 10) {
				snprintf(err, errlen, "duration \"%s\" is too long", s);
				return -ERANGE;
			}
			n = n * 10 + (*p - '0');
		}
		for (len = 0; isalpha((unsigned char)p[len]); len++)
			;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (len == strlen(units[i].name) &&
			    strncmp(p, units[i].name, len) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0])) {
			snprintf(err, errlen, "duration \"%s\": \"%.*s\" needs a unit "
			    "(ms, s, m, h, d or w), e.g. 30m, 2h, 7d", s,
			    (int)(p - start + (int)len), start);
			return -EINVAL;
		}
		if (n > (INT64_MAX - total) / units[i].ms) {
			snprintf(err, errlen, "duration \"%s\" is too long", s);
			return -ERANGE;
		}
		total += n * units[i].ms;
		p += len;
	}
	*ms = total;
	return 0;
}

int
format_parse_int(const char *s, int64_t min, int64_t max, int64_t *out,
    char *err, size_t errlen)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		snprintf(err, errlen, "\"%s\" is not a number", s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		snprintf(err, errlen, "\"%s\" is not a number (at \"%s\")", s, end);
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s is out of range (%" PRId64 " to %" PRId64 ")",
		    s, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int
format_parse_json_object(const char *text, const char *what, json_t **out,
    char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *v;

	v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (v == NULL) {
		snprintf(err, errlen, "%s is not valid JSON: line %d, column %d "
		    "(byte %d): %s", what, jerr.line, jerr.column, jerr.position,
		    jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(v)) {
		snprintf(err, errlen, "%s must be a JSON object ({...}), not %s",
		    what, json_is_array(v) ? "an array" : json_is_string(v) ?
		    "a string" : json_is_null(v) ? "null" : json_is_boolean(v) ?
		    "a boolean" : "a number");
		json_decref(v);
		return -EINVAL;
	}
	*out = v;
	return 0;
}
