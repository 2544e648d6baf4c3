/*
 * Safe builtin tools. Each validates nothing itself: arguments have already
 * passed the schema given here. Each returns an output object or an error
 * string the model will read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tools/tool.h"
#include "util.h"

#define FILE_READ_MAX	(64 * 1024)

static void
fail_with(struct tool_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_with(struct tool_result *out, const char *format, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	out->error = xstrdup(buf);
}

static void
clock_now(const json_t *args, const struct tool_env *env, struct tool_result *out)
{
	char stamp[40];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	out->output = json_pack("{s:s, s:I}", "utc", stamp,
	    "unix_ms", (json_int_t)now_ms());
}

static void
echo(const json_t *args, const struct tool_env *env, struct tool_result *out)
{
	out->output = json_pack("{s:O}", "text", json_object_get(args, "text"));
}

static void
text_stats(const json_t *args, const struct tool_env *env, struct tool_result *out)
{
	const char *s = json_string_value(json_object_get(args, "text"));
	json_int_t chars = 0, words = 0, lines = 0;
	bool in_word = false;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			chars++;
		if (*s == '\n')
			lines++;
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			in_word = false;
		} else if (!in_word) {
			in_word = true;
			words++;
		}
	}
	if (chars > 0 && s[-1] != '\n')
		lines++;
	out->output = json_pack("{s:I, s:I, s:I}", "chars", chars, "words", words,
	    "lines", lines);
}

/* calc: + - * / % ^ and parentheses over decimal numbers. */
struct expr {
	const char *p;
	int depth;
	const char *error;
};

static double parse_sum(struct expr *e);

static void
skip_space(struct expr *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
}

static double
parse_atom(struct expr *e)
{
	double v;
	char *end;

	skip_space(e);
	if (++e->depth > 64) {
		e->error = "expression nested too deeply";
		return 0;
	}
	if (*e->p == '(') {
		e->p++;
		v = parse_sum(e);
		skip_space(e);
		if (*e->p != ')' && e->error == NULL)
			e->error = "missing closing parenthesis";
		else
			e->p++;
	} else if (*e->p == '-') {
		e->p++;
		v = -parse_atom(e);
	} else {
		v = strtod(e->p, &end);
		if (end == e->p && e->error == NULL)
			e->error = "expected a number or '('";
		e->p = end;
	}
	e->depth--;
	return v;
}

static double
parse_power(struct expr *e)
{
	double base = parse_atom(e);

	skip_space(e);
	if (*e->p == '^') {
		e->p++;
		return pow(base, parse_power(e));
	}
	return base;
}

static double
parse_product(struct expr *e)
{
	double v = parse_power(e), rhs;
	char op;

	for (;;) {
		skip_space(e);
		op = *e->p;
		if (op != '*' && op != '/' && op != '%')
			return v;
		e->p++;
		rhs = parse_power(e);
		if (op != '*' && rhs == 0 && e->error == NULL)
			e->error = "division by zero";
		else if (op == '*')
			v *= rhs;
		else if (op == '/')
			v /= rhs;
		else
			v = fmod(v, rhs);
	}
}

static double
parse_sum(struct expr *e)
{
	double v = parse_product(e);
	char op;

	for (;;) {
		skip_space(e);
		op = *e->p;
		if (op != '+' && op != '-')
			return v;
		e->p++;
		if (op == '+')
			v += parse_product(e);
		else
			v -= parse_product(e);
	}
}

static void
calc(const json_t *args, const struct tool_env *env, struct tool_result *out)
{
	struct expr e = { .p = json_string_value(json_object_get(args,
	    "expression")) };
	double v = parse_sum(&e);

	skip_space(&e);
	if (e.error == NULL && *e.p != '\0')
		e.error = "unexpected character";
	if (e.error == NULL && !isfinite(v))
		e.error = "result is not a finite number";
	if (e.error != NULL)
		fail_with(out, "calc: %s", e.error);
	else
		out->output = json_pack("{s:f}", "value", v);
}

static void
sleep_ms(const json_t *args, const struct tool_env *env, struct tool_result *out)
{
	json_int_t ms = json_integer_value(json_object_get(args, "ms"));

	out->output = json_pack("{s:I}", "slept_ms", ms);
	out->delay_ms = ms;
}

/* Reads a file below the jail: no absolute paths, no "..", no symlinks out. */
static void
file_read(const json_t *args, const struct tool_env *env, struct tool_result *out)
{
	const char *path = json_string_value(json_object_get(args, "path"));
	char full[PATH_MAX], real[PATH_MAX], jail[PATH_MAX];
	char buf[FILE_READ_MAX + 1];
	size_t jl;
	ssize_t n;
	int fd = -1;

	if (env->jail_dir == NULL) {
		fail_with(out, "file_read: no file jail is configured");
		return;
	}
	if (path[0] == '/' || strstr(path, "..") != NULL) {
		fail_with(out, "file_read: path must be relative to the jail and "
		    "must not contain \"..\"");
		return;
	}
	if (realpath(env->jail_dir, jail) == NULL ||
	    fmt(full, sizeof(full), "%s/%s", jail, path) < 0 ||
	    realpath(full, real) == NULL) {
		fail_with(out, "file_read: %s: %s", path, strerror(errno));
		return;
	}
	jl = strlen(jail);
	if (strncmp(real, jail, jl) != 0 || (real[jl] != '/' && real[jl] != '\0')) {
		fail_with(out, "file_read: %s leaves the jail", path);
		return;
	}
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    (n = read(fd, buf, FILE_READ_MAX + 1)) < 0) {
		fail_with(out, "file_read: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (n > FILE_READ_MAX) {
		/* cut before a character that the limit splits */
		n = FILE_READ_MAX;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;
		out->output = json_pack("{s:s%, s:b}", "content", buf, (size_t)n,
		    "truncated", 1);
	} else {
		out->output = json_pack("{s:s%, s:b}", "content", buf, (size_t)n,
		    "truncated", 0);
	}
	if (out->output == NULL)
		fail_with(out, "file_read: %s is not UTF-8 text", path);
}

static const struct builtin_tool builtins[] = {
	{ "clock_now", "The current UTC time.",
	  "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
	  false, clock_now },
	{ "echo", "Returns its text unchanged.",
	  "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\","
	  "\"maxLength\":4096}},\"required\":[\"text\"],"
	  "\"additionalProperties\":false}", false, echo },
	{ "text_stats", "Counts characters, words and lines of a text.",
	  "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\","
	  "\"maxLength\":100000}},\"required\":[\"text\"],"
	  "\"additionalProperties\":false}", false, text_stats },
	{ "calc", "Evaluates an arithmetic expression: + - * / % ^ ( ).",
	  "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":"
	  "\"string\",\"minLength\":1,\"maxLength\":256}},\"required\":"
	  "[\"expression\"],\"additionalProperties\":false}", false, calc },
	{ "sleep", "Waits for a number of milliseconds.",
	  "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\","
	  "\"minimum\":0,\"maximum\":600000}},\"required\":[\"ms\"],"
	  "\"additionalProperties\":false}", false, sleep_ms },
	{ "file_read", "Reads a text file (at most 64 KiB) from the agent's "
	  "file jail.",
	  "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\","
	  "\"minLength\":1,\"maxLength\":512}},\"required\":[\"path\"],"
	  "\"additionalProperties\":false}", false, file_read },
};

const struct builtin_tool *
builtin_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(builtins); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

size_t
builtin_count(void)
{
	return ARRAY_LEN(builtins);
}

const struct builtin_tool *
builtin_at(size_t i)
{
	return i < ARRAY_LEN(builtins) ? &builtins[i] : NULL;
}
