/*
 * The provider endpoints' settings (endpoints.h): read the config file's
 * lines and our names in the environment into entries, declare the
 * endpoints (builtins, then NAME_FORMAT in the file, then in the
 * environment), apply the file's entries and then the environment's, so the
 * environment wins name by name, and last load the keys. A key's text never
 * reaches an error message: errors name the variable, and as a last guard
 * every error is redacted with every key value that was seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "providers/endpoints.h"
#include "secret.h"
#include "util.h"

#define LINE_MAX_LEN 4096	/* longest line of the config file */
#define FILE_MAX_LEN (1 << 20)	/* largest config file */
#define KEY_MAX_LEN 4000	/* as secret_create() */
#define VAR_MAX_LEN 64		/* longest name we know: NAME (31) + suffix */

enum setting {
	S_API_KEY,
	S_API_KEY_FILE,
	S_BASE_URL,
	S_FORMAT,
	S_RPM,
	S_TPM,
	S_TIMEOUT_MS,
	S_IDLE_TIMEOUT_MS,
	S_STREAM_TIMEOUT_MS,
	S_MAX_ATTEMPTS,
	S_BREAKER_FAILURES,
	S_BREAKER_COOLDOWN_MS,
	S_STREAM,
	S_MAX_CONNECTIONS,
	S_THINKING_BUDGET,
	S_CACHE_TTL_S,		/* AGENTD_CACHE_TTL_S, not per endpoint */
};

/* The per-endpoint names: NAME_<suffix>, with the range of the numbers. */
static const struct {
	const char *suffix;
	enum setting set;
	int64_t min, max;
} suffixes[] = {
	{ "API_KEY", S_API_KEY, 0, 0 },
	{ "API_KEY_FILE", S_API_KEY_FILE, 0, 0 },
	{ "BASE_URL", S_BASE_URL, 0, 0 },
	{ "FORMAT", S_FORMAT, 0, 0 },
	{ "RPM", S_RPM, 0, 10000000 },
	{ "TPM", S_TPM, 0, 1000000000000 },
	{ "TIMEOUT_MS", S_TIMEOUT_MS, 1, 86400000 },
	{ "IDLE_TIMEOUT_MS", S_IDLE_TIMEOUT_MS, 0, 86400000 },
	{ "STREAM_TIMEOUT_MS", S_STREAM_TIMEOUT_MS, 0, 86400000 },
	{ "MAX_ATTEMPTS", S_MAX_ATTEMPTS, 1, 100 },
	{ "BREAKER_FAILURES", S_BREAKER_FAILURES, 1, 1000000 },
	{ "BREAKER_COOLDOWN_MS", S_BREAKER_COOLDOWN_MS, 0, 86400000 },
	{ "STREAM", S_STREAM, 0, 1 },
	{ "MAX_CONNECTIONS", S_MAX_CONNECTIONS, 1, 65536 },
	{ "THINKING_BUDGET", S_THINKING_BUDGET, 0, 1000000 },
};

#define THINKING_MIN 1024	/* budget_tokens the Anthropic API accepts */
#define CACHE_TTL_NAME "AGENTD_CACHE_TTL_S"
#define CACHE_TTL_MAX 2147483647

static const struct {
	const char *upper, *name, *format, *base_url;
} builtins[] = {
	{ "OPENAI", "openai", "openai", "https://api.openai.com/v1" },
	{ "ANTHROPIC", "anthropic", "anthropic", "https://api.anthropic.com" },
};

/* One NAME=value, from a line of the file or from the environment. */
struct entry {
	char var[VAR_MAX_LEN];		/* the whole name */
	char upper[32];			/* its endpoint's NAME; "" for AGENTD_ */
	enum setting set;
	char *value;			/* owned, wiped when freed */
	size_t value_len;
	int line;			/* in the file; 0: environment */
	int ep;				/* index in eps.items; -1: none */
};

struct parser {
	const char *where;		/* the file's name for errors */
	int file_mode;			/* its permission bits; -1: unknown */
	char *err;
	size_t errlen;
	struct entry *e;		/* the file's entries, then the environment's */
	size_t n, cap;
	struct endpoints eps;
	char upper[ENDPOINTS_MAX][32];	/* NAME of each endpoint */
	int key_entry[ENDPOINTS_MAX];	/* entry that gives the key; -1: none */
	int format_entry[ENDPOINTS_MAX];	/* entry that declared it; -1: builtin */
};

static void __attribute__((format(printf, 2, 3)))
say(struct parser *p, const char *format, ...)
{
	va_list ap;

	if (p->err == NULL || p->errlen == 0)
		return;
	va_start(ap, format);
	vsnprintf(p->err, p->errlen, format, ap);
	va_end(ap);
}

/* An error about @e: "file:line: NAME: …" or "environment: NAME: …". */
static int __attribute__((format(printf, 3, 4)))
fail(struct parser *p, const struct entry *e, const char *format, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, format);
	vsnprintf(msg, sizeof(msg), format, ap);
	va_end(ap);
	if (e->line > 0)
		say(p, "%s:%d: %s: %s", p->where, e->line, e->var, msg);
	else
		say(p, "environment: %s: %s", e->var, msg);
	return -EINVAL;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Is @var one of ours? AGENTD_CACHE_TTL_S, or NAME_SUFFIX with NAME
 * [A-Z][A-Z0-9]* (at most 31, not AGENTD) and a known suffix. Fills the
 * entry's name fields.
 */
static bool
classify(const char *var, struct entry *e)
{
	const char *us;
	size_t n;

	if (strlen(var) >= sizeof(e->var))
		return false;
	if (strcmp(var, CACHE_TTL_NAME) == 0) {
		copy_str(e->var, sizeof(e->var), var);
		e->upper[0] = '\0';
		e->set = S_CACHE_TTL_S;
		return true;
	}
	if ((us = strchr(var, '_')) == NULL)
		return false;
	n = (size_t)(us - var);
	if (n == 0 || n >= sizeof(e->upper) || !is_upper(var[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_upper(var[i]) && !is_digit(var[i]))
			return false;
	if (n == 6 && memcmp(var, "AGENTD", 6) == 0)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		if (strcmp(us + 1, suffixes[i].suffix) != 0)
			continue;
		copy_str(e->var, sizeof(e->var), var);
		memcpy(e->upper, var, n);
		e->upper[n] = '\0';
		e->set = suffixes[i].set;
		return true;
	}
	return false;
}

static void
wipe_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

static struct entry *
add_entry(struct parser *p, const struct entry *proto, const char *value,
    size_t len)
{
	struct entry *e;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->e = xrealloc(p->e, p->cap * sizeof(*p->e));
	}
	e = &p->e[p->n++];
	*e = *proto;
	e->value = xstrndup(value, len);
	e->value_len = len;
	e->ep = -1;
	return e;
}

static struct entry *
find_entry(struct parser *p, const char *var, bool from_file)
{
	for (size_t i = 0; i < p->n; i++)
		if ((p->e[i].line > 0) == from_file && strcmp(p->e[i].var, var) == 0)
			return &p->e[i];
	return NULL;
}

/* One line of the file, NUL-terminated in @s (which may be changed). */
static int
parse_line(struct parser *p, char *s, int line)
{
	struct entry proto = { .line = line }, *dup;
	char *eq, *name, *end, *value;
	size_t vlen, nlen;

	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		*--end = '\0';
	if (*s == '\0' || *s == '#')
		return 0;
	if (strncmp(s, "export", 6) == 0 && is_space(s[6]))
		for (s += 6; is_space(*s); s++)
			;
	if ((eq = strchr(s, '=')) == NULL) {
		say(p, "%s:%d: expected NAME=value", p->where, line);
		return -EINVAL;
	}
	name = s;
	for (end = eq; end > name && is_space(end[-1]); end--)
		;
	*end = '\0';
	nlen = (size_t)(end - name);
	if (nlen == 0 || is_digit(name[0])) {
		say(p, "%s:%d: expected NAME=value", p->where, line);
		return -EINVAL;
	}
	for (size_t i = 0; i < nlen; i++) {
		char c = name[i];
		if (!is_upper(c) && !is_digit(c) && c != '_' && !(c >= 'a' && c <= 'z')) {
			say(p, "%s:%d: a name is letters, digits and '_'",
			    p->where, line);
			return -EINVAL;
		}
	}
	for (value = eq + 1; is_space(*value); value++)
		;
	vlen = strlen(value);
	if (vlen > 0 && (value[0] == '"' || value[0] == '\'')) {
		if (vlen < 2 || value[vlen - 1] != value[0] ||
		    memchr(value + 1, value[0], vlen - 2) != NULL) {
			say(p, "%s:%d: %s: unbalanced quotes", p->where, line,
			    name);
			return -EINVAL;
		}
		value++;
		vlen -= 2;
	}
	/* the mode check first: it holds for any key line, ours or not */
	if (nlen > 8 && strcmp(name + nlen - 8, "_API_KEY") == 0 &&
	    p->file_mode >= 0 && (p->file_mode & 077) != 0) {
		say(p, "%s: mode %04o, must not be readable by group or others "
		    "(chmod 600 %s): line %d holds %s", p->where,
		    (unsigned)p->file_mode, p->where, line, name);
		return -EACCES;
	}
	if (!classify(name, &proto)) {
		say(p, "%s:%d: unknown name %s", p->where, line, name);
		return -EINVAL;
	}
	if ((dup = find_entry(p, name, true)) != NULL) {
		say(p, "%s:%d: %s is already set on line %d", p->where, line,
		    name, dup->line);
		return -EINVAL;
	}
	add_entry(p, &proto, value, vlen);
	return 0;
}

static int
parse_text(struct parser *p, const char *text, size_t len)
{
	char buf[LINE_MAX_LEN + 1];
	size_t pos = 0, n;
	const char *nl;
	int line = 1, r = 0;

	while (pos < len && r == 0) {
		nl = memchr(text + pos, '\n', len - pos);
		n = (nl != NULL ? (size_t)(nl - text) : len) - pos;
		if (n > LINE_MAX_LEN) {
			say(p, "%s:%d: line longer than %d bytes", p->where, line,
			    LINE_MAX_LEN);
			r = -EINVAL;
		} else if (memchr(text + pos, '\0', n) != NULL) {
			say(p, "%s:%d: NUL byte", p->where, line);
			r = -EINVAL;
		} else {
			memcpy(buf, text + pos, n);
			buf[n] = '\0';
			r = parse_line(p, buf, line);
			explicit_bzero(buf, n);		/* may hold a key */
		}
		pos += n + 1;
		line++;
	}
	return r;
}

/* A variable of the builtin endpoints' prefixes that is no setting: said
 * at start, since the environment's unknown names are not errors. */
static void
note_ignored(struct parser *p, const char *var)
{
	char *list = p->eps.ignored_env;
	size_t len = strlen(list), room = sizeof(p->eps.ignored_env);

	if ((strncmp(var, "OPENAI_", 7) != 0 &&
	    strncmp(var, "ANTHROPIC_", 10) != 0) ||
	    (len >= 3 && strcmp(list + len - 3, "…") == 0))
		return;			/* not ours to note, or the list is cut */
	/* room is kept for a last ", …" (6 bytes with the NUL) */
	if (len + 2 + strlen(var) + 6 >= room) {
		snprintf(list + len, room - len, ", …");
		return;
	}
	snprintf(list + len, room - len, "%s%s", len > 0 ? ", " : "", var);
}

/* Our names in @envp; the first of a name counts, as with getenv(). */
static void
read_env(struct parser *p, char *const *envp)
{
	struct entry proto = { .line = 0 };
	char var[VAR_MAX_LEN];
	const char *eq;

	for (; envp != NULL && *envp != NULL; envp++) {
		if ((eq = strchr(*envp, '=')) == NULL ||
		    (size_t)(eq - *envp) >= sizeof(var))
			continue;
		memcpy(var, *envp, (size_t)(eq - *envp));
		var[eq - *envp] = '\0';
		if (!classify(var, &proto)) {
			note_ignored(p, var);
			continue;
		}
		if (find_entry(p, var, false) != NULL)
			continue;
		/* the environment is everyone's: DATE_FORMAT=%Y is not an
		 * endpoint; only a format we speak declares one there */
		if (proto.set == S_FORMAT && strcmp(eq + 1, "openai") != 0 &&
		    strcmp(eq + 1, "anthropic") != 0)
			continue;
		add_entry(p, &proto, eq + 1, strlen(eq + 1));
	}
}

static int
find_ep(const struct parser *p, const char *upper)
{
	for (size_t i = 0; i < p->eps.n; i++)
		if (strcmp(p->upper[i], upper) == 0)
			return (int)i;
	return -1;
}

static void
add_ep(struct parser *p, const char *upper, const char *name,
    const char *format, const char *base_url, int format_entry)
{
	struct endpoint_config *c = &p->eps.items[p->eps.n];

	*c = (struct endpoint_config){
		.base_url = base_url != NULL ? xstrdup(base_url) : NULL,
		.timeout_ms = 120000,
		.idle_timeout_ms = 30000,
		.stream_timeout_ms = 1800000,
		.max_attempts = 5,
		.breaker = { .failures = 5, .cooldown_ms = 30000, .probes = 1 },
		.stream = true,
		.max_connections = 256,
	};
	copy_str(c->name, sizeof(c->name), name);
	copy_str(c->format, sizeof(c->format), format);
	copy_str(p->upper[p->eps.n], sizeof(p->upper[0]), upper);
	p->key_entry[p->eps.n] = -1;
	p->format_entry[p->eps.n] = format_entry;
	p->eps.n++;
}

/* The builtins, then each NAME_FORMAT's endpoint; every entry gets its
 * endpoint. Entries of the environment for no endpoint are dropped. */
static int
declare(struct parser *p)
{
	char name[32];
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(builtins); i++)
		add_ep(p, builtins[i].upper, builtins[i].name,
		    builtins[i].format, builtins[i].base_url, -1);
	for (i = 0; i < p->n; i++) {
		struct entry *e = &p->e[i];
		if (e->set != S_FORMAT || find_ep(p, e->upper) >= 0)
			continue;
		if (p->eps.n == ENDPOINTS_MAX)
			return fail(p, e, "more than %d endpoints", ENDPOINTS_MAX);
		for (j = 0; e->upper[j] != '\0'; j++)
			name[j] = is_upper(e->upper[j]) ?
			    (char)(e->upper[j] - 'A' + 'a') : e->upper[j];
		name[j] = '\0';
		add_ep(p, e->upper, name, "openai", NULL, (int)i);
	}
	for (i = 0; i < p->n; i++) {
		struct entry *e = &p->e[i];
		if (e->set == S_CACHE_TTL_S)
			continue;
		e->ep = find_ep(p, e->upper);
		if (e->ep < 0 && e->line > 0) {
			say(p, "%s:%d: unknown name %s (no %s_FORMAT declares "
			    "that endpoint)", p->where, e->line, e->var, e->upper);
			return -EINVAL;
		}
	}
	return 0;
}

/* A decimal integer in [min, max] into *out. */
static int
parse_int(struct parser *p, const struct entry *e, int64_t min, int64_t max,
    int64_t *out)
{
	const char *s = e->value;
	bool neg = false;
	int64_t v = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0')
		return fail(p, e, "\"%s\" is not a number", e->value);
	for (; *s != '\0'; s++) {
		if (!is_digit(*s))
			return fail(p, e, "\"%s\" is not a number", e->value);
		if (v > (INT64_MAX - 9) / 10)
			return fail(p, e, "%s is out of range (%lld to %lld)",
			    e->value, (long long)min, (long long)max);
		v = v * 10 + (*s - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return fail(p, e, "%s is out of range (%lld to %lld)", e->value,
		    (long long)min, (long long)max);
	*out = v;
	return 0;
}

/* http:// or https://, a host, no spaces or controls; trailing '/' go. */
static int
parse_url(struct parser *p, const struct entry *e, char **out)
{
	const char *v = e->value, *rest;
	size_t len = e->value_len;

	/* the URL shows in health and logs: no password in it, and no error
	 * repeats a value that has one; so this comes first. Any '@' before
	 * a query or fragment, wherever the value seems to put its host (a
	 * password may hold a '/'; the scheme may be misspelt) */
	for (const char *s = v; *s != '\0' && *s != '?' && *s != '#'; s++)
		if (*s == '@')
			return fail(p, e, "has a user or password (user@host): "
			    "put the key in %s_API_KEY or %s_API_KEY_FILE instead",
			    e->upper, e->upper);
	if (strncmp(v, "https://", 8) == 0)
		rest = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		rest = v + 7;
	else
		return fail(p, e, "\"%s\" does not start with http:// or https://",
		    v);
	if (len > 2048)
		return fail(p, e, "longer than 2048 bytes");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return fail(p, e, "contains a space or a control character");
	while (len > (size_t)(rest - v) && v[len - 1] == '/')
		len--;
	if (len == (size_t)(rest - v) || *rest == '/')
		return fail(p, e, "\"%s\" has no host", v);
	*out = xstrndup(v, len);
	return 0;
}

static int
apply(struct parser *p, size_t idx)
{
	struct entry *e = &p->e[idx], *other;
	struct endpoint_config *c;
	int64_t v = 0, min = 0, max = 0;
	char *url = NULL;
	int r;

	if (e->set == S_CACHE_TTL_S) {
		if ((r = parse_int(p, e, 0, CACHE_TTL_MAX, &v)) != 0)
			return r;
		p->eps.cache_ttl_s = v;
		return 0;
	}
	if (e->ep < 0)
		return 0;		/* the environment's, for no endpoint */
	c = &p->eps.items[e->ep];
	if (e->value_len == 0)
		return fail(p, e, "empty value");
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		if (suffixes[i].set == e->set) {
			min = suffixes[i].min;
			max = suffixes[i].max;
		}
	}
	switch (e->set) {
	case S_API_KEY:
	case S_API_KEY_FILE:
		if (p->key_entry[e->ep] >= 0) {
			other = &p->e[p->key_entry[e->ep]];
			/* only the other name can be set in the same place */
			if ((other->line > 0) == (e->line > 0))
				return fail(p, e, "%s is set too: set one of them",
				    other->var);
		}
		p->key_entry[e->ep] = (int)idx;
		return 0;
	case S_BASE_URL:
		if ((r = parse_url(p, e, &url)) != 0)
			return r;
		free(c->base_url);
		c->base_url = url;
		return 0;
	case S_FORMAT:
		if (strcmp(e->value, "openai") != 0 &&
		    strcmp(e->value, "anthropic") != 0)
			return fail(p, e, "\"%s\" is not a format (openai or "
			    "anthropic)", e->value);
		copy_str(c->format, sizeof(c->format), e->value);
		return 0;
	case S_STREAM:
		if (strcmp(e->value, "0") != 0 && strcmp(e->value, "1") != 0)
			return fail(p, e, "\"%s\" is not 0 or 1", e->value);
		c->stream = e->value[0] == '1';
		return 0;
	default:
		break;
	}
	if ((r = parse_int(p, e, min, max, &v)) != 0)
		return r;
	switch (e->set) {
	case S_RPM:
		c->rpm = (double)v;
		break;
	case S_TPM:
		c->tpm = (double)v;
		break;
	case S_TIMEOUT_MS:
		c->timeout_ms = v;
		break;
	case S_IDLE_TIMEOUT_MS:
		c->idle_timeout_ms = v;
		break;
	case S_STREAM_TIMEOUT_MS:
		c->stream_timeout_ms = v;
		break;
	case S_MAX_ATTEMPTS:
		c->max_attempts = (int)v;
		break;
	case S_BREAKER_FAILURES:
		c->breaker.failures = (int)v;
		break;
	case S_BREAKER_COOLDOWN_MS:
		c->breaker.cooldown_ms = v;
		break;
	case S_MAX_CONNECTIONS:
		c->max_connections = (long)v;
		break;
	case S_THINKING_BUDGET:
		if (v > 0 && v < THINKING_MIN)
			return fail(p, e, "%lld is under the %d tokens the "
			    "Anthropic API asks at least (0: no thinking)",
			    (long long)v, THINKING_MIN);
		c->thinking_budget = v;
		break;
	default:
		break;
	}
	return 0;
}

/* A key's bytes: not empty, not too long, no control characters. */
static int
check_key(struct parser *p, const struct entry *e, const char *what,
    const char *key, size_t len)
{
	if (len == 0)
		return fail(p, e, "%sis empty", what);
	if (len > KEY_MAX_LEN)
		return fail(p, e, "%sis longer than %d bytes", what, KEY_MAX_LEN);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)key[i] < ' ' || key[i] == 0x7f)
			return fail(p, e, "%sholds a control character or a "
			    "line break", what);
	return 0;
}

/* A *_API_KEY_FILE value that cannot be opened and looks like a key rather
 * than a file name ("sk-...", or a long word with no '/' or '.'): the error
 * must not repeat it. */
static bool
looks_like_key(const char *v)
{
	return strchr(v, '/') == NULL && (strncmp(v, "sk-", 3) == 0 ||
	    (strlen(v) >= 20 && strchr(v, '.') == NULL));
}

static int
read_key_file(struct parser *p, const struct entry *e, struct secret **out)
{
	char buf[KEY_MAX_LEN + 512], what[300];
	const char *path = e->value;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	snprintf(what, sizeof(what), "%s: ", path);
	/* O_NONBLOCK: a FIFO must not hang us; it is refused below */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		r = -errno;
		if (looks_like_key(path))
			fail(p, e, "cannot open it (%s), and it looks like a key, "
			    "not a file name: a key itself goes in %s_API_KEY",
			    strerror(-r), e->upper);
		else
			fail(p, e, "%s: %s%s", path, strerror(-r), path[0] == '~' ?
			    " (~ is not expanded here: write the whole path)" : "");
		return r;
	}
	if (fstat(fd, &st) != 0) {
		r = -errno;
		fail(p, e, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = fail(p, e, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		fail(p, e, "%s: mode %04o, must not be readable by group or "
		    "others (chmod 600 %s)", path, (unsigned)(st.st_mode & 07777),
		    path);
		r = -EACCES;
		goto out;
	}
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			fail(p, e, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len == sizeof(buf)) {
		r = fail(p, e, "%s: larger than %zu bytes", path, sizeof(buf) - 1);
		goto out;
	}
	while (len > 0 && (is_space(buf[len - 1]) || buf[len - 1] == '\n'))
		len--;
	if ((r = check_key(p, e, what, buf, len)) != 0)
		goto out;
	if ((*out = secret_create(buf, len)) == NULL) {
		r = fail(p, e, "%s: cannot map memory for the key", path);
		goto out;
	}
	r = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

static int
load_key(struct parser *p, size_t i)
{
	struct endpoint_config *c = &p->eps.items[i];
	const struct entry *e;
	int r;

	if (p->key_entry[i] < 0)
		return 0;
	e = &p->e[p->key_entry[i]];
	if (e->set == S_API_KEY_FILE) {
		if ((r = read_key_file(p, e, &c->key)) != 0)
			return r;
		snprintf(c->key_source, sizeof(c->key_source), "%s %s", e->var,
		    e->value);
		return 0;
	}
	if ((r = check_key(p, e, "", e->value, e->value_len)) != 0)
		return r;
	if ((c->key = secret_create(e->value, e->value_len)) == NULL)
		return fail(p, e, "cannot map memory for the key");
	if (e->line > 0)
		snprintf(c->key_source, sizeof(c->key_source), "%s (%s:%d)",
		    e->var, p->where, e->line);
	else {
		snprintf(c->key_source, sizeof(c->key_source), "%s (environment)",
		    e->var);
		snprintf(c->key_env, sizeof(c->key_env), "%s", e->var);
	}
	return 0;
}

static void
redact_with(struct parser *p, const char *value, size_t len)
{
	struct secret *s;

	if (len == 0)
		return;
	s = secret_create(value, MIN(len, (size_t)KEY_MAX_LEN));
	secret_redact(s, p->err);
	secret_destroy(s);
}

/* The last guard: no key value that was seen, in the file or the
 * environment, survives in the error. */
static void
redact_err(struct parser *p, char *const *envp)
{
	struct entry e;
	const char *eq;
	char var[VAR_MAX_LEN];

	if (p->err == NULL || p->errlen == 0)
		return;
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].set == S_API_KEY)
			redact_with(p, p->e[i].value, p->e[i].value_len);
	for (; envp != NULL && *envp != NULL; envp++) {
		if ((eq = strchr(*envp, '=')) == NULL ||
		    (size_t)(eq - *envp) >= sizeof(var))
			continue;
		memcpy(var, *envp, (size_t)(eq - *envp));
		var[eq - *envp] = '\0';
		if (classify(var, &e) && e.set == S_API_KEY)
			redact_with(p, eq + 1, strlen(eq + 1));
	}
}

static int
parse(const char *text, size_t len, const char *where, int file_mode,
    char *const *envp, struct endpoints *out, char *err, size_t errlen)
{
	struct parser p = {
		.where = where != NULL ? where : "config",
		.file_mode = file_mode,
		.err = err,
		.errlen = errlen,
	};
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text != NULL && (r = parse_text(&p, text, len)) != 0)
		goto out;
	read_env(&p, envp);
	if ((r = declare(&p)) != 0)
		goto out;
	for (size_t i = 0; i < p.n; i++)
		if ((r = apply(&p, i)) != 0)
			goto out;
	for (size_t i = 0; i < p.eps.n; i++) {
		if (p.eps.items[i].base_url == NULL) {
			r = fail(&p, &p.e[p.format_entry[i]], "%s_BASE_URL is not "
			    "set", p.upper[i]);
			goto out;
		}
		if ((r = load_key(&p, i)) != 0)
			goto out;
	}
	*out = p.eps;
	p.eps = (struct endpoints){ 0 };	/* moved into *out */
	r = 0;
out:
	if (r != 0)
		redact_err(&p, envp);
	endpoints_finish(&p.eps);
	for (size_t i = 0; i < p.n; i++)
		wipe_free(p.e[i].value, p.e[i].value_len);
	free(p.e);
	return r;
}

int
endpoints_parse(const char *text, size_t len, const char *where,
    char *const *envp, struct endpoints *out, char *err, size_t errlen)
{
	return parse(text != NULL ? text : "", text != NULL ? len : 0, where, -1,
	    envp, out, err, errlen);
}

int
endpoints_load(const char *path, bool path_optional, char *const *envp,
    struct endpoints *out, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1, r;

	if (path == NULL)
		return parse(NULL, 0, NULL, -1, envp, out, err, errlen);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		r = -errno;
		if (r == -ENOENT && path_optional)
			return parse(NULL, 0, NULL, -1, envp, out, err, errlen);
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) != 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > FILE_MAX_LEN) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    FILE_MAX_LEN);
		r = -EFBIG;
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	    (n = read(fd, text + len, (size_t)st.st_size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
			goto out;
		}
		len += (size_t)n;
	}
	r = parse(text, len, path, (int)(st.st_mode & 07777), envp, out, err,
	    errlen);
	if (r == 0)
		out->file_read = true;
out:
	if (text != NULL)
		wipe_free(text, (size_t)st.st_size + 1);
	close(fd);
	return r;
}

void
endpoints_finish(struct endpoints *eps)
{
	if (eps == NULL)
		return;
	for (size_t i = 0; i < eps->n && i < ENDPOINTS_MAX; i++) {
		free(eps->items[i].base_url);
		secret_destroy(eps->items[i].key);
	}
	*eps = (struct endpoints){ 0 };
}

const struct endpoint_config *
endpoints_find(const struct endpoints *eps, const char *name)
{
	if (eps == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < eps->n && i < ENDPOINTS_MAX; i++)
		if (strcmp(eps->items[i].name, name) == 0)
			return &eps->items[i];
	return NULL;
}
