/* Durations, token counts and costs for agentop and agentctl (fmt.h). */
#include <inttypes.h>
#include <stdio.h>

#include "fmt.h"

char *
fmt_duration(char *out, size_t outlen, int64_t ms)
{
	int64_t t;

	if (ms < 0)
		ms = 0;
	if (ms < 1000) {
		snprintf(out, outlen, "%" PRId64 "ms", ms);
		return out;
	}
	/* every unit is cut, so that 59.99 s reads 59.9s, not 60.0s */
	if ((t = ms / 100) < 600) {
		snprintf(out, outlen, "%" PRId64 ".%" PRId64 "s", t / 10, t % 10);
		return out;
	}
	if ((t = ms / 1000) < 3600)
		snprintf(out, outlen, "%" PRId64 "m%02" PRId64 "s", t / 60, t % 60);
	else if ((t = ms / 60000) < 24 * 60)
		snprintf(out, outlen, "%" PRId64 "h%02" PRId64 "m", t / 60, t % 60);
	else
		snprintf(out, outlen, "%" PRId64 "d%02" PRId64 "h", t / (24 * 60),
		    t / 60 % 24);
	return out;
}

char *
fmt_age(char *out, size_t outlen, int64_t since_ms, int64_t now_ms)
{
	return fmt_duration(out, outlen, now_ms - since_ms);
}

static const char units[] = "kMGT";

/* @n / @d rounded half up (n >= 0, d > 0), without overflow. */
static int64_t
half_up(int64_t n, int64_t d)
{
	return n / d + (n % d >= d - d / 2);
}

char *
fmt_tokens(char *out, size_t outlen, int64_t n)
{
	int64_t div = 1000, t;

	if (n < 0)
		n = 0;
	if (n < 1000) {
		snprintf(out, outlen, "%" PRId64, n);
		return out;
	}
	/* one decimal, rounded; 999,950 becomes 1.0M, not 1000.0k */
	for (size_t u = 0; u < sizeof(units) - 1; u++, div *= 1000) {
		t = half_up(n, div / 10);
		if (t < 10000 || u == sizeof(units) - 2) {
			snprintf(out, outlen, "%" PRId64 ".%" PRId64 "%c", t / 10,
			    t % 10, units[u]);
			break;
		}
	}
	return out;
}

char *
fmt_tokens_short(char *out, size_t outlen, int64_t n)
{
	int64_t div = 1000, t;

	if (n < 0)
		n = 0;
	if (n < 1000) {
		snprintf(out, outlen, "%" PRId64, n);
		return out;
	}
	/* one decimal below 10 of a unit, none above; half up as fmt_tokens */
	for (size_t u = 0; u < sizeof(units) - 1; u++, div *= 1000) {
		t = half_up(n, div / 10);
		if (t < 100) {
			snprintf(out, outlen, "%" PRId64 ".%" PRId64 "%c", t / 10,
			    t % 10, units[u]);
			break;
		}
		t = half_up(n, div);
		if (t < 1000 || u == sizeof(units) - 2) {
			snprintf(out, outlen, "%" PRId64 "%c", t, units[u]);
			break;
		}
	}
	return out;
}

char *
fmt_cost(char *out, size_t outlen, double usd)
{
	if (!(usd >= 0))	/* also NaN */
		usd = 0;
	snprintf(out, outlen, "$%.4f", usd);
	return out;
}

char *
fmt_cost_short(char *out, size_t outlen, double usd)
{
	if (!(usd >= 0))
		usd = 0;
	if (usd < 10)
		snprintf(out, outlen, "$%.4f", usd);
	else
		snprintf(out, outlen, "$%.2f", usd);
	return out;
}
