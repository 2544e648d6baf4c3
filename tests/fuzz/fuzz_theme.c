/* libFuzzer target: theme files (theme_parse), then the degradation of
 * whatever parsed. Errors must be terminated, valid UTF-8, name the file,
 * and a short buffer must hold a prefix of the full message. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

#define FILE_NAME	"fuzz.theme"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned char lo = 0x80, hi = 0xbf;
		size_t n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return false;
		if (*p == 0xe0)
			lo = 0xa0;
		else if (*p == 0xed)
			hi = 0x9f;
		else if (*p == 0xf0)
			lo = 0x90;
		else if (*p == 0xf4)
			hi = 0x8f;
		if (p[1] < lo || p[1] > hi)
			return false;
		for (size_t i = 2; i < n; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return false;
		p += n;
	}
	return true;
}

static void
check_style(const struct theme_style *s, int max)
{
	if (s->fg < -1 || s->fg > max || s->bg < -1 || s->bg > max ||
	    (s->attrs & ~THEME_A_ALL) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024], small[24];
	struct theme t, d;
	int r;

	memset(err, 'X', sizeof(err));
	memset(small, 'X', sizeof(small));
	r = theme_parse((const char *)data, size, FILE_NAME, &t, err,
	    sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL || !valid_utf8(err))
		abort();
	if (r != 0) {
		if (r != -EINVAL || strncmp(err, FILE_NAME ":",
		    sizeof(FILE_NAME)) != 0)
			abort();
		/* the same error cut short: a terminated, valid prefix */
		if (theme_parse((const char *)data, size, FILE_NAME, &d, small,
		    sizeof(small)) != r)
			abort();
		if (memchr(small, '\0', sizeof(small)) == NULL ||
		    !valid_utf8(small) ||
		    strncmp(err, small, strlen(small)) != 0)
			abort();
		return 0;
	}
	if (err[0] != '\0' || memchr(t.name, '\0', sizeof(t.name)) == NULL)
		abort();
	for (int i = 0; i < ROLE__COUNT; i++)
		check_style(&t.style[i], 255);

	theme_degrade(&t, 256, false, &d);
	if (memcmp(&t, &d, sizeof(t)) != 0)
		abort();
	theme_degrade(&t, 8, false, &d);
	for (int i = 0; i < ROLE__COUNT; i++)
		check_style(&d.style[i], 7);
	theme_degrade(&t, 8, true, &d);
	for (int i = 0; i < ROLE__COUNT; i++) {
		check_style(&d.style[i], -1);
		if (d.style[i].attrs & (THEME_A_ITALIC | THEME_A_BLINK))
			abort();
	}
	if ((d.style[ROLE_SELECTED].attrs & (THEME_A_REVERSE |
	    THEME_A_STANDOUT)) == 0 || (d.style[ROLE_BANNER].attrs &
	    (THEME_A_REVERSE | THEME_A_STANDOUT)) == 0)
		abort();
	return 0;
}
