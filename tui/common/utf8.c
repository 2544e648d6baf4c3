/* UTF-8 decoding and display width (utf8.h). */
#include <string.h>
#include <wchar.h>

#include "utf8.h"

size_t
utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t v;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		len = 1;
		v = s[0];
		goto out;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;	/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;	/* beyond U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if (!utf8_cont(s[i]))
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
out:
	if (cp != NULL)
		*cp = v;
	return len;
}

size_t
utf8_prefix(const char *s, size_t n, size_t max)
{
	size_t cut;

	if (n <= max)
		return n;
	cut = max;
	/* s[cut] is the first byte left out: back up while it continues a
	 * character that started before it */
	while (cut > 0 && utf8_cont((unsigned char)s[cut]))
		cut--;
	return cut;
}

size_t
utf8_tail(const char *s, size_t n, size_t max)
{
	size_t cut;

	if (n <= max)
		return 0;
	cut = n - max;
	while (cut < n && utf8_cont((unsigned char)s[cut]))
		cut++;
	return cut;
}

void
utf8_copy(char *dst, size_t n, const char *src)
{
	size_t o = 0, k, left = strlen(src);

	if (dst == NULL || n == 0)
		return;
	while (left > 0) {
		if ((k = utf8_decode(src, left, NULL)) == 0) {
			if (o + 1 >= n)
				break;
			dst[o++] = '?';
			src++;
			left--;
			continue;
		}
		if (o + k >= n)
			break;
		memcpy(dst + o, src, k);
		o += k;
		src += k;
		left -= k;
	}
	dst[o] = '\0';
}

int
utf8_cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x20 || cp == 0x7f)
		return 1;		/* drawn as a space */
	if (cp < 0x7f)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w > 2 ? 2 : w;
}

size_t
utf8_next(const char *s, size_t n, int *width)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	if (len == 0) {
		*width = 1;		/* drawn as '?' */
		return 1;
	}
	*width = utf8_cp_width(cp);
	return len;
}

int
utf8_width_n(const char *s, size_t n)
{
	size_t i = 0;
	int w = 0, cw;

	while (i < n) {
		i += utf8_next(s + i, n - i, &cw);
		w += cw;
	}
	return w;
}

int
utf8_width(const char *s)
{
	return utf8_width_n(s, strlen(s));
}

size_t
utf8_fit(const char *s, int width)
{
	size_t i = 0, n = strlen(s), len;
	int w = 0, cw;

	while (i < n) {
		len = utf8_next(s + i, n - i, &cw);
		if (w + cw > width)
			break;
		w += cw;
		i += len;
	}
	return i;
}
