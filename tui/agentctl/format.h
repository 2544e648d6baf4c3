/*
 * agentctl: pure formatting and parsing of values. Nothing here does I/O or
 * reads the clock: "now" is a parameter, so every function is unit-tested
 * (tests/tui/test_agentctl_format.c).
 *
 * The format_* functions write a NUL-terminated string into @out (always
 * terminated, truncated to @outlen) and return @out, so that they can be
 * used as printf arguments.
 */
#ifndef AGENTCTL_FORMAT_H
#define AGENTCTL_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

struct json_t;

/* Enough for any value below (durations, tokens, costs, times). */
#define FORMAT_SHORT	FMT_SHORT

/* ---- a growable string ----------------------------------------------- */

/* A string that grows as needed; aborts on out-of-memory. */
struct sbuf {
	char *s;		/* NUL-terminated once anything was added (owned) */
	size_t len;		/* bytes in s, without the NUL */
	size_t cap;		/* bytes allocated */
};

void sbuf_init(struct sbuf *b);
void sbuf_finish(struct sbuf *b);	/* accepts a zeroed sbuf */
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putn(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);
/* The contents ("" when empty), borrowed until the next change. */
const char *sbuf_str(const struct sbuf *b);
/* Hands the string over to the caller (free()) and resets @b. */
char *sbuf_steal(struct sbuf *b);

/* ---- values ----------------------------------------------------------- */

/* Durations, tokens and costs: fmt_duration(), fmt_tokens(), fmt_cost()
 * (tui/common/fmt.h), shared with agentop. */

/* What a run waits on and for how long: "model 1.2s", "operator 3m10s";
 * "-" when @on is NULL, empty or "none". */
char *format_waiting(char *out, size_t outlen, const char *on,
    int64_t since_ms, int64_t now_ms);
/* Time left before @deadline_ms: "14m58s", or "expired" once past. */
char *format_deadline(char *out, size_t outlen, int64_t deadline_ms,
    int64_t now_ms);
/* A budget amount of the kind @kind ("llm_calls", "tokens_in", "wall_ms",
 * "cost_usd"…) in the unit that suits it. */
char *format_amount(char *out, size_t outlen, const char *kind, double v);
/* Local time "2026-11-23 16:49:17" of @ms since the epoch. */
char *format_time(char *out, size_t outlen, int64_t ms);

/* ---- text for a terminal ------------------------------------------------ */

/*
 * What reaches a terminal. Text from agentd (tasks, model output, reasons,
 * error messages) may hold bytes a terminal acts on: ESC starts sequences
 * that clear the screen or set the window title, C1 controls (U+0080 to
 * U+009F) do the same in one character. Every text output of agentctl goes
 * through format_escape(), which writes such a byte as "\xHH" (two
 * lower-case hex digits a byte: ESC is \x1b, DEL \x7f, U+009B is
 * \xc2\x9b). Bytes that are not UTF-8 are written the same way. A backslash
 * is left as it is: --json shows the exact text.
 */
enum format_esc {
	FORMAT_ESC_LINE,	/* one line: newline, tab and CR escaped too */
	FORMAT_ESC_TEXT,	/* lines of text: newline and tab kept */
	FORMAT_ESC_JSON,	/* JSON text (events): DEL and C1 as \u00HH, which
				 * is the same JSON value; the encoder already
				 * escaped C0 inside strings */
};

/* Appends @s to @b with every control character made visible (@mode). */
void format_escape(struct sbuf *b, const char *s, enum format_esc mode);
/* The same into a new string (free()). */
char *format_escaped(const char *s, enum format_esc mode);

/* ---- text in columns --------------------------------------------------- */

/* Display width of UTF-8 @s in columns (utf8_width(): CJK and emoji take
 * two). */
size_t format_width(const char *s);
/*
 * Copies @s, text already escaped (format_escape), into @out so that it
 * takes at most @width columns: a string that is too wide is cut at a
 * character boundary (a wide character is kept whole or left out) and ends
 * with "…".
 */
char *format_fit(char *out, size_t outlen, const char *s, size_t width);

/* ---- parsing ------------------------------------------------------------ */

/*
 * A duration such as "30m", "2h", "7d", "1h30m", "500ms", "90s", "1w".
 * Every number needs a unit. Returns 0 with *ms set, or -EINVAL with @err
 * saying what was wrong and where.
 */
int format_parse_duration(const char *s, int64_t *ms, char *err,
    size_t errlen);
/* A decimal integer in [@min, @max], nothing else. 0 or -EINVAL / -ERANGE
 * with @err. */
int format_parse_int(const char *s, int64_t min, int64_t max, int64_t *out,
    char *err, size_t errlen);
/*
 * JSON text that must hold an object, e.g. the value of --args. On success
 * *out is a new reference. On failure @err says where the text is wrong:
 * "line 1, column 12: string or '}' expected near 'x'". @what names the
 * text in messages ("--args").
 */
int format_parse_json_object(const char *text, const char *what,
    struct json_t **out, char *err, size_t errlen);

#endif
