/*
 * UTF-8 for agentop and agentctl: decoding, prefixes that do not split a
 * character, and display width in terminal columns.
 *
 * Width is wcwidth() of each code point in the program's locale (agentop
 * and agentctl call setlocale(LC_CTYPE, "") at start): CJK ideographs,
 * fullwidth forms and most emoji take two columns, combining marks none.
 * What wcwidth() cannot place (a control character, a code point it does
 * not know, any non-ASCII character when the locale is not UTF-8) and a
 * byte that is not UTF-8 take one column each, which is how agentop draws
 * them (as a space or '?'). Pure: no I/O, no allocation.
 */
#ifndef TUI_UTF8_H
#define TUI_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether @c is a continuation byte (10xxxxxx). */
static inline bool
utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * The length (1 to 4) of the valid UTF-8 sequence at @s, of which @n bytes
 * may be read, or 0 when there is none there (a stray or overlong byte, a
 * surrogate, beyond U+10FFFF, cut short). With @cp, *cp is set to the code
 * point on success.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/*
 * At most @max bytes of @s (@n bytes), shortened so that no character is
 * split: the returned length never ends inside a multibyte sequence.
 */
size_t utf8_prefix(const char *s, size_t n, size_t max);

/*
 * Where the last @max bytes of @s (@n bytes) start, moved forward to the
 * start of a character: s + utf8_tail() is a tail of at most @max bytes
 * that does not begin inside a character.
 */
size_t utf8_tail(const char *s, size_t n, size_t max);

/*
 * Copies @src into @dst (@n bytes, always terminated when @n > 0) as valid
 * UTF-8: a byte that is not UTF-8 becomes '?', and a character that does
 * not fit whole is left out with the rest.
 */
void utf8_copy(char *dst, size_t n, const char *src);

/* Columns of code point @cp: 0, 1 or 2 (see above). */
int utf8_cp_width(uint32_t cp);

/*
 * The character at @s (@n > 0 bytes readable): returns its length in bytes
 * (1 for a byte that is not UTF-8) and sets *width to its columns.
 */
size_t utf8_next(const char *s, size_t n, int *width);

/* Display width of @s (@n bytes). */
int utf8_width_n(const char *s, size_t n);
/* Display width of the terminated string @s. */
int utf8_width(const char *s);

/*
 * Bytes of the terminated string @s that fit in @width columns, whole
 * characters only (a wide character that would straddle the edge is left
 * out). Zero-width characters after the last one that fits are kept.
 */
size_t utf8_fit(const char *s, int width);

#endif
