#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		abort();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (p == NULL)
		abort();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s ? s : "", n);

	if (p == NULL)
		abort();
	return p;
}

char *
xasprintf(const char *format, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, format);
	n = vasprintf(&s, format, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
make_id(char *out, size_t outlen, const char *prefix)
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	unsigned char raw[10];
	size_t p = strlen(prefix), i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		uint64_t x = (uint64_t)mono_ms() * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)rand();
		for (i = 0; i < sizeof(raw); i++, x >>= 6)
			raw[i] = (unsigned char)x;
	}
	if (outlen < p + sizeof(raw) + 1) {
		copy_str(out, outlen, prefix);
		return;
	}
	memcpy(out, prefix, p);
	for (i = 0; i < sizeof(raw); i++)
		out[p + i] = alphabet[raw[i] & 31];
	out[p + i] = '\0';
}

int
fmt(char *out, size_t outlen, const char *format, ...)
{
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(out, outlen, format, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

void
copy_str(char *out, size_t outlen, const char *s)
{
	size_t n;

	if (outlen == 0)
		return;
	n = s ? strnlen(s, outlen - 1) : 0;
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

size_t
utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n < max)
		return n;	/* the whole string */
	/* s[n] exists: back off while it continues the character before */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

size_t
utf8_seq_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;		/* overlong */
		else if (c == 0xED)
			hi = 0x9F;		/* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;		/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;		/* past U+10FFFF */
	} else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < need; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return need;
}
