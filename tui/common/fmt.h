/*
 * Durations, token counts and costs as agentop and agentctl show them: one
 * formatter, so that one figure reads the same in both programs.
 *
 * Rounding, the same everywhere:
 * - durations are cut, never rounded up: every unit shows only what has
 *   fully elapsed, so 59.99 s is "59.9s" (not "60.0s") and 59m59.9s is
 *   "59m59s" (not "60m00s");
 * - token counts round to the nearest shown digit, half up (1,250 is
 *   "1.3k"), and move to the next unit when rounding reaches 1000 of this
 *   one (999,950 is "1.0M", not "1000.0k");
 * - costs round to the nearest shown cent fraction (printf).
 * The _short forms are for narrow columns: the same figure with fewer
 * digits, never a different rounding rule.
 *
 * Each function writes a NUL-terminated string into @out (truncated to
 * @outlen, which must be > 0) and returns @out, so that it can be used as a
 * printf argument. Pure: no I/O, no clock ("now" is a parameter).
 */
#ifndef TUI_FMT_H
#define TUI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any value below. */
#define FMT_SHORT	32

/* 850ms, 12.3s, 4m05s, 2h10m, 3d04h; a negative amount shows as 0ms. At
 * most 6 characters below 100 days. */
char *fmt_duration(char *out, size_t outlen, int64_t ms);
/* How long ago @since_ms was at @now_ms (fmt_duration of the difference;
 * a clock a little behind the daemon's gives 0ms). */
char *fmt_age(char *out, size_t outlen, int64_t since_ms, int64_t now_ms);

/* 850, 1.2k, 110.0k, 4.5M, 1.2G: one decimal from 1000 on. */
char *fmt_tokens(char *out, size_t outlen, int64_t n);
/* At most 4 characters: 850, 1.2k, 12k, 110k, 4.5M, 12M. */
char *fmt_tokens_short(char *out, size_t outlen, int64_t n);

/* $0.0123: dollars with 4 decimals; negative or NaN shows as $0.0000. */
char *fmt_cost(char *out, size_t outlen, double usd);
/* At most 7 characters below $10,000: $0.0123 under $10, $12.35 from $10. */
char *fmt_cost_short(char *out, size_t outlen, double usd);

#endif
