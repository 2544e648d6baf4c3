/* agentop themes: file parsing, colour degradation, curses pairs (theme.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>

#include "theme.h"
#include "utf8.h"

#define ERR_MAX		1024	/* a formatted error, before it is copied out */
#define QUOTE_MAX	40	/* bytes of outside input quoted in an error */
#define QUOTE_BUF	192	/* enough for QUOTE_MAX bytes, all escaped */
#define SUGGEST_BUF	(QUOTE_BUF + 32)
#define PATH_BUF	4096

static const char *const role_names[ROLE__COUNT] = {
	[ROLE_NORMAL] = "normal",
	[ROLE_DIM] = "dim",
	[ROLE_TITLE] = "title",
	[ROLE_HEADER] = "header",
	[ROLE_FOOTER] = "footer",
	[ROLE_KEY] = "key",
	[ROLE_BORDER] = "border",
	[ROLE_COLUMN] = "column",
	[ROLE_SELECTED] = "selected",
	[ROLE_MARKED] = "marked",
	[ROLE_BANNER] = "banner",
	[ROLE_ERROR] = "error",
	[ROLE_OK] = "ok",
	[ROLE_WARN] = "warn",
	[ROLE_ESCALATION] = "escalation",
	[ROLE_STATE_QUEUED] = "state.queued",
	[ROLE_STATE_PLANNING] = "state.planning",
	[ROLE_STATE_EXECUTING] = "state.executing",
	[ROLE_STATE_REFLECTING] = "state.reflecting",
	[ROLE_STATE_AWAITING] = "state.awaiting_human",
	[ROLE_STATE_PAUSED] = "state.paused",
	[ROLE_STATE_DONE] = "state.done",
	[ROLE_STATE_FAILED] = "state.failed",
	[ROLE_STATE_KILLED] = "state.killed",
	[ROLE_BUDGET_LOW] = "budget.low",
	[ROLE_BUDGET_MID] = "budget.mid",
	[ROLE_BUDGET_HIGH] = "budget.high",
	[ROLE_SPAN_LLM] = "span.llm",
	[ROLE_SPAN_TOOL] = "span.tool",
	[ROLE_SPAN_RUNNING] = "span.running",
};

/* Colour words; entry i is colour i - 1 (so "default" is -1). */
static const char *const colour_names[] = {
	"default",
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"brightblack", "brightred", "brightgreen", "brightyellow",
	"brightblue", "brightmagenta", "brightcyan", "brightwhite",
};
#define N_COLOUR_NAMES	(sizeof(colour_names) / sizeof(colour_names[0]))

static const char *const attr_names[] = {
	"bold", "dim", "underline", "reverse", "standout", "italic", "blink",
	"none",
};
static const unsigned attr_flags[] = {
	THEME_A_BOLD, THEME_A_DIM, THEME_A_UNDERLINE, THEME_A_REVERSE,
	THEME_A_STANDOUT, THEME_A_ITALIC, THEME_A_BLINK, 0,
};
#define N_ATTR_NAMES	(sizeof(attr_names) / sizeof(attr_names[0]))

static const struct {
	const char *name;	/* the run state as agentd names it */
	enum theme_role role;	/* its role */
} state_roles[] = {
	{ "queued", ROLE_STATE_QUEUED },
	{ "planning", ROLE_STATE_PLANNING },
	{ "executing", ROLE_STATE_EXECUTING },
	{ "reflecting", ROLE_STATE_REFLECTING },
	{ "awaiting_human", ROLE_STATE_AWAITING },
	{ "paused", ROLE_STATE_PAUSED },
	{ "done", ROLE_STATE_DONE },
	{ "failed", ROLE_STATE_FAILED },
	{ "killed", ROLE_STATE_KILLED },
};

/* A file as read, before roles it leaves out are filled in. */
struct raw {
	struct theme_style style[ROLE__COUNT];	/* as written */
	unsigned line[ROLE__COUNT];	/* the line that set it; 0 = not set */
	unsigned n_set;			/* roles set so far */
	char inherit[64];		/* "inherit = NAME", or "" */
	unsigned inherit_line;		/* its line; 0 = none */
};

/* Where errors go while parsing one file. */
struct ctx {
	const char *file;	/* named in every error */
	char *err;		/* the caller's buffer, may be NULL */
	size_t errlen;		/* its size */
};

/* ---- errors ------------------------------------------------------------- */

/* Writes @s (outside input) into @buf (QUOTE_BUF bytes) in double quotes,
 * escaping quotes, control characters and invalid UTF-8, and cutting it
 * after QUOTE_MAX bytes. Returns @buf. */
static const char *
quote(char *buf, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, used = 0, k;

	buf[o++] = '"';
	while (*p != '\0') {
		if (used >= QUOTE_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		k = utf8_decode((const char *)p, strnlen((const char *)p, 4),
		    NULL);
		if (k > 1) {
			memcpy(buf + o, p, k);
			o += k;
		} else if (k == 1 && (*p == '"' || *p == '\\')) {
			buf[o++] = '\\';
			buf[o++] = (char)*p;
		} else if (k == 1 && *p >= 0x20 && *p != 0x7f) {
			buf[o++] = (char)*p;
		} else {
			snprintf(buf + o, 5, "\\x%02x", *p);
			o += 4;
			k = 1;
		}
		p += k;
		used += k;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Writes "file:line: message" (or "file: message" for line 0) into the
 * context's buffer. Returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int
fail(const struct ctx *c, unsigned line, const char *fmt, ...)
{
	char msg[ERR_MAX], full[ERR_MAX + 300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%.256s:%u: %s", c->file, line, msg);
	else
		snprintf(full, sizeof(full), "%.256s: %s", c->file, msg);
	utf8_copy(c->err, c->errlen, full);
	return -EINVAL;
}

/* ---- suggestions -------------------------------------------------------- */

/* Case-insensitive optimal string alignment distance (a transposition
 * counts one); INT_MAX when either string is too long to bother. */
static int
distance(const char *a, const char *b)
{
	int d[33][33];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 32 || lb > 32)
		return INT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ca = a[i - 1], cb = b[j - 1], v;

			if (ca >= 'A' && ca <= 'Z')
				ca += 'a' - 'A';
			if (cb >= 'A' && cb <= 'Z')
				cb += 'a' - 'A';
			v = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* Writes " (did you mean "x"?)" into @buf (SUGGEST_BUF bytes) for the
 * closest of @names to @word, or "" when none is close. Returns @buf. */
static const char *
suggest(char *buf, const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	int best_d = INT_MAX, d;
	char q[QUOTE_BUF];

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		d = distance(word, names[i]);
		if (d < best_d && d <= 2 && (size_t)d * 3 <= len) {
			best = names[i];
			best_d = d;
		}
	}
	if (best == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, SUGGEST_BUF, " (did you mean %s?)", quote(q, best));
	return buf;
}

/* ---- parsing ------------------------------------------------------------ */

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	    ch == '\f';
}

static char *
skip_space(char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/* 0 and the colour in *out; -1 for an unknown word, -2 for colorN with N
 * beyond 255. */
static int
parse_colour(const char *s, short *out)
{
	const char *d;
	int v = 0;

	for (size_t i = 0; i < N_COLOUR_NAMES; i++) {
		if (strcasecmp(s, colour_names[i]) == 0) {
			*out = (short)((int)i - 1);
			return 0;
		}
	}
	if (strncasecmp(s, "color", 5) != 0 || s[5] == '\0')
		return -1;
	for (d = s + 5; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			return -1;
		if (v <= 255)
			v = v * 10 + (*d - '0');
	}
	if (v > 255)
		return -2;
	*out = (short)v;
	return 0;
}

static int
find_name(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* A theme name: [A-Za-z0-9._-], not starting with '.', under 64 bytes. */
static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 64 || s[0] == '.')
		return false;
	for (; *s != '\0'; s++) {
		char ch = *s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '-'))
			return false;
	}
	return true;
}

static int
parse_colour_or_fail(const struct ctx *c, unsigned line, const char *key,
    const char *word, short *out)
{
	char qk[QUOTE_BUF], qw[QUOTE_BUF], sg[SUGGEST_BUF];

	switch (parse_colour(word, out)) {
	case 0:
		return 0;
	case -2:
		return fail(c, line, "%s: colour %s out of range "
		    "(color0 to color255)", quote(qk, key), quote(qw, word));
	default:
		return fail(c, line, "%s: unknown colour %s%s", quote(qk, key),
		    quote(qw, word),
		    suggest(sg, word, colour_names, N_COLOUR_NAMES));
	}
}

static int
directive_inherit(const struct ctx *c, struct raw *r, unsigned line,
    char **tok, size_t ntok)
{
	char q[QUOTE_BUF];

	if (r->inherit_line != 0)
		return fail(c, line, "\"inherit\": given twice (first on line "
		    "%u)", r->inherit_line);
	if (r->n_set > 0)
		return fail(c, line, "\"inherit\": must come before any role");
	if (ntok != 1)
		return fail(c, line, "\"inherit\": expected \"inherit = NAME\"");
	if (!valid_name(tok[0]))
		return fail(c, line, "\"inherit\": bad theme name %s",
		    quote(q, tok[0]));
	snprintf(r->inherit, sizeof(r->inherit), "%s", tok[0]);
	r->inherit_line = line;
	return 0;
}

/* Parses one line (terminated, no NUL inside, may be changed) into @r. */
static int
parse_line(const struct ctx *c, struct raw *r, unsigned line, char *s)
{
	char *tok[THEME_MAX_LINE / 2 + 1], *key, *key_end, *p;
	char qk[QUOTE_BUF], qw[QUOTE_BUF], sg[SUGGEST_BUF];
	struct theme_style st;
	size_t ntok = 0;
	int role, a, rc;

	/* '#' starts a comment at the start of a line or after whitespace */
	for (p = s; *p != '\0'; p++) {
		if (*p == '#' && (p == s || is_space(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	key = skip_space(s);
	if (*key == '\0')
		return 0;
	for (p = key; *p != '\0' && !is_space(*p) && *p != '='; p++)
		;
	key_end = p;
	p = skip_space(p);
	if (*p != '=' || key_end == key) {
		if (key_end == key)
			return fail(c, line, "expected \"role = fg bg [attrs]\"");
		*key_end = '\0';
		return fail(c, line, "%s: expected \"role = fg bg [attrs]\"",
		    quote(qk, key));
	}
	p++;
	*key_end = '\0';
	for (;;) {
		p = skip_space(p);
		if (*p == '\0')
			break;
		tok[ntok++] = p;
		while (*p != '\0' && !is_space(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}

	if (strcasecmp(key, "inherit") == 0)
		return directive_inherit(c, r, line, tok, ntok);
	if ((role = find_name(key, role_names, ROLE__COUNT)) < 0)
		return fail(c, line, "%s: unknown role%s", quote(qk, key),
		    suggest(sg, key, role_names, ROLE__COUNT));
	if (r->line[role] != 0)
		return fail(c, line, "%s: set twice (first on line %u)",
		    quote(qk, key), r->line[role]);
	if (ntok < 2)
		return fail(c, line, "%s: expected \"role = fg bg [attrs]\"",
		    quote(qk, key));
	if ((rc = parse_colour_or_fail(c, line, key, tok[0], &st.fg)) != 0 ||
	    (rc = parse_colour_or_fail(c, line, key, tok[1], &st.bg)) != 0)
		return rc;
	st.attrs = 0;
	for (size_t i = 2; i < ntok; i++) {
		if ((a = find_name(tok[i], attr_names, N_ATTR_NAMES)) < 0)
			return fail(c, line, "%s: unknown attribute %s%s",
			    quote(qk, key), quote(qw, tok[i]),
			    suggest(sg, tok[i], attr_names, N_ATTR_NAMES));
		if (attr_flags[a] == 0 && ntok > 3)
			return fail(c, line, "%s: \"none\" cannot be combined "
			    "with other attributes", quote(qk, key));
		st.attrs |= attr_flags[a];
	}
	r->style[role] = st;
	r->line[role] = line;
	r->n_set++;
	return 0;
}

/* Parses a whole file into @r, within the THEME_MAX_* bounds. */
static int
parse_raw(const struct ctx *c, const char *text, size_t len, struct raw *r)
{
	char buf[THEME_MAX_LINE + 1];
	unsigned line = 0;
	size_t pos = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (text == NULL && len > 0)
		return fail(c, 0, "no text");
	if (len > THEME_MAX_BYTES)
		return fail(c, 0, "larger than %d bytes", THEME_MAX_BYTES);
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - pos;

		pos += n + (nl != NULL);
		if (++line > THEME_MAX_LINES)
			return fail(c, line, "more than %d lines",
			    THEME_MAX_LINES);
		if (n > THEME_MAX_LINE)
			return fail(c, line, "line longer than %d bytes",
			    THEME_MAX_LINE);
		if (memchr(p, '\0', n) != NULL)
			return fail(c, line, "NUL byte in line");
		memcpy(buf, p, n);
		buf[n] = '\0';
		if ((rc = parse_line(c, r, line, buf)) != 0)
			return rc;
	}
	return 0;
}

/* Fills @out from @r, taking roles it does not set from @parent (may be
 * NULL) and then from the resulting "normal". */
static void
resolve(const struct raw *r, const struct raw *parent, struct theme *out)
{
	struct theme_style normal = {
		THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0
	};

	memset(out, 0, sizeof(*out));
	if (r->line[ROLE_NORMAL] != 0)
		normal = r->style[ROLE_NORMAL];
	else if (parent != NULL && parent->line[ROLE_NORMAL] != 0)
		normal = parent->style[ROLE_NORMAL];
	for (int i = 0; i < ROLE__COUNT; i++) {
		if (r->line[i] != 0)
			out->style[i] = r->style[i];
		else if (parent != NULL && parent->line[i] != 0)
			out->style[i] = parent->style[i];
		else
			out->style[i] = normal;
	}
}

/* The theme's name from a path: the last component without ".theme". */
static void
set_name(struct theme *t, const char *file)
{
	const char *b = strrchr(file, '/');
	char tmp[sizeof(t->name)];
	size_t n;

	b = b != NULL ? b + 1 : file;
	n = strlen(b);
	if (n > 6 && strcmp(b + n - 6, ".theme") == 0)
		n -= 6;
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, b, n);
	tmp[n] = '\0';
	utf8_copy(t->name, sizeof(t->name), tmp);
}

int
theme_parse(const char *text, size_t len, const char *file,
    struct theme *out, char *err, size_t errlen)
{
	struct ctx c = { file != NULL ? file : "(theme)", err, errlen };
	struct raw r;
	struct theme t;
	int rc;

	if ((rc = parse_raw(&c, text, len, &r)) != 0)
		return rc;
	if (r.inherit_line != 0)
		return fail(&c, r.inherit_line, "\"inherit\": only allowed in "
		    "a theme loaded from a directory");
	resolve(&r, NULL, &t);
	set_name(&t, c.file);
	*out = t;
	utf8_copy(err, errlen, "");
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Reads @path whole (at most THEME_MAX_BYTES) into a new *textp. */
static int
read_file(const char *path, char **textp, size_t *lenp, char *err,
    size_t errlen)
{
	struct ctx c = { path, err, errlen };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	/* O_NONBLOCK: a FIFO must not hang us; it is refused below */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		rc = -errno;
		fail(&c, 0, "%s", strerror(-rc));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		fail(&c, 0, "%s", strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = fail(&c, 0, "not a regular file");
		goto out;
	}
	if ((buf = malloc(THEME_MAX_BYTES + 1)) == NULL)
		abort();
	while (len < THEME_MAX_BYTES + 1) {
		n = read(fd, buf + len, THEME_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			fail(&c, 0, "%s", strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > THEME_MAX_BYTES) {
		rc = fail(&c, 0, "larger than %d bytes", THEME_MAX_BYTES);
		goto out;
	}
	*textp = buf;
	buf = NULL;
	*lenp = len;
	rc = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Finds and reads the file for @name; its path into @path, its directory
 * into @dir (both PATH_BUF bytes). */
static int
find_file(const char *name, const char *const *dirs, char *path, char *dir,
    char **textp, size_t *lenp, char *err, size_t errlen)
{
	struct ctx c = { "theme", err, errlen };
	char q[QUOTE_BUF], looked[512] = "";
	const char *slash;
	size_t used = 0;
	int rc;

	if ((slash = strrchr(name, '/')) != NULL) {
		if (strlen(name) >= PATH_BUF)
			return fail(&c, 0, "path too long");
		snprintf(path, PATH_BUF, "%s", name);
		snprintf(dir, PATH_BUF, "%.*s", slash == name ? 1 :
		    (int)(slash - name), name);
		return read_file(path, textp, lenp, err, errlen);
	}
	if (!valid_name(name))
		return fail(&c, 0, "bad theme name %s", quote(q, name));
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		if (strlen(dirs[i]) + strlen(name) + 8 > PATH_BUF)
			continue;
		snprintf(path, PATH_BUF, "%s/%s.theme", dirs[i], name);
		snprintf(dir, PATH_BUF, "%s", dirs[i]);
		if ((rc = read_file(path, textp, lenp, err, errlen)) != -ENOENT)
			return rc;
		if (used < sizeof(looked))
			used += (size_t)snprintf(looked + used,
			    sizeof(looked) - used, "%s%s", used ? ", " : "",
			    dirs[i]);
	}
	fail(&c, 0, "%s not found (looked in %s)", quote(q, name),
	    used > 0 ? looked : "no directories");
	return -ENOENT;
}

int
theme_load(const char *name, const char *const *dirs, struct theme *out,
    char *err, size_t errlen)
{
	char path[PATH_BUF], dir[PATH_BUF], ppath[PATH_BUF];
	char *text = NULL, *ptext = NULL;
	size_t len = 0, plen = 0;
	struct raw r, pr;
	struct theme t;
	struct ctx c = { path, err, errlen }, pc = { ppath, err, errlen };
	int rc;

	if (name == NULL || name[0] == '\0') {
		utf8_copy(err, errlen, "theme: no name given");
		return -EINVAL;
	}
	if ((rc = find_file(name, dirs, path, dir, &text, &len, err,
	    errlen)) != 0)
		goto out;
	if ((rc = parse_raw(&c, text, len, &r)) != 0)
		goto out;
	if (r.inherit_line == 0) {
		resolve(&r, NULL, &t);
		goto done;
	}
	if (strlen(dir) + strlen(r.inherit) + 8 > PATH_BUF) {
		rc = fail(&c, r.inherit_line, "\"inherit\": path too long");
		goto out;
	}
	snprintf(ppath, sizeof(ppath), "%s/%s.theme", dir, r.inherit);
	if ((rc = read_file(ppath, &ptext, &plen, err, errlen)) != 0) {
		char q[QUOTE_BUF];

		if (rc == -ENOENT)
			rc = fail(&c, r.inherit_line, "\"inherit\": no theme "
			    "%s next to this one", quote(q, r.inherit));
		goto out;
	}
	if ((rc = parse_raw(&pc, ptext, plen, &pr)) != 0)
		goto out;
	if (pr.inherit_line != 0) {
		rc = fail(&pc, pr.inherit_line, "\"inherit\": this theme is "
		    "inherited by %.200s and cannot inherit in turn (one "
		    "level only)", path);
		goto out;
	}
	resolve(&r, &pr, &t);
done:
	set_name(&t, path);
	*out = t;
	utf8_copy(err, errlen, "");
	rc = 0;
out:
	free(ptext);
	free(text);
	return rc;
}

/* ---- names -------------------------------------------------------------- */

const char *
theme_role_name(enum theme_role role)
{
	if ((int)role < 0 || role >= ROLE__COUNT)
		return "?";
	return role_names[role];
}

int
theme_role_for_state(const char *state_name)
{
	if (state_name == NULL)
		return ROLE_NORMAL;
	for (size_t i = 0; i < sizeof(state_roles) / sizeof(state_roles[0]);
	    i++)
		if (strcmp(state_name, state_roles[i].name) == 0)
			return state_roles[i].role;
	return ROLE_NORMAL;
}

/* ---- the built-in theme ------------------------------------------------- */

#define D	THEME_COLOR_DEFAULT
#define S(f, b, a)	{ (short)(f), (short)(b), (a) }

/* Keep in step with themes/default.theme (a test compares them). */
static const struct theme_style builtin[ROLE__COUNT] = {
	[ROLE_NORMAL] = S(D, D, 0),
	[ROLE_DIM] = S(D, D, THEME_A_DIM),
	[ROLE_TITLE] = S(D, D, THEME_A_BOLD),
	[ROLE_HEADER] = S(COLOR_BLACK, COLOR_CYAN, 0),
	[ROLE_FOOTER] = S(D, D, 0),
	[ROLE_KEY] = S(COLOR_CYAN, D, THEME_A_BOLD),
	[ROLE_BORDER] = S(COLOR_BLUE, D, 0),
	[ROLE_COLUMN] = S(D, D, THEME_A_BOLD | THEME_A_UNDERLINE),
	[ROLE_SELECTED] = S(D, D, THEME_A_REVERSE),
	[ROLE_MARKED] = S(COLOR_YELLOW, D, THEME_A_BOLD),
	[ROLE_BANNER] = S(COLOR_WHITE, COLOR_RED, THEME_A_BOLD),
	[ROLE_ERROR] = S(COLOR_RED, D, THEME_A_BOLD),
	[ROLE_OK] = S(COLOR_GREEN, D, 0),
	[ROLE_WARN] = S(COLOR_YELLOW, D, 0),
	[ROLE_ESCALATION] = S(COLOR_YELLOW, D, THEME_A_BOLD),
	[ROLE_STATE_QUEUED] = S(D, D, THEME_A_DIM),
	[ROLE_STATE_PLANNING] = S(COLOR_BLUE, D, THEME_A_BOLD),
	[ROLE_STATE_EXECUTING] = S(COLOR_GREEN, D, 0),
	[ROLE_STATE_REFLECTING] = S(COLOR_CYAN, D, 0),
	[ROLE_STATE_AWAITING] = S(COLOR_YELLOW, D, THEME_A_BOLD),
	[ROLE_STATE_PAUSED] = S(COLOR_MAGENTA, D, 0),
	[ROLE_STATE_DONE] = S(D, D, THEME_A_DIM),
	[ROLE_STATE_FAILED] = S(COLOR_RED, D, 0),
	[ROLE_STATE_KILLED] = S(COLOR_RED, D, THEME_A_BOLD),
	[ROLE_BUDGET_LOW] = S(COLOR_GREEN, D, 0),
	[ROLE_BUDGET_MID] = S(COLOR_YELLOW, D, 0),
	[ROLE_BUDGET_HIGH] = S(COLOR_RED, D, THEME_A_BOLD),
	[ROLE_SPAN_LLM] = S(COLOR_CYAN, D, 0),
	[ROLE_SPAN_TOOL] = S(COLOR_MAGENTA, D, 0),
	[ROLE_SPAN_RUNNING] = S(COLOR_GREEN, D, THEME_A_BOLD),
};

#undef S
#undef D

void
theme_builtin_default(struct theme *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "default");
	memcpy(out->style, builtin, sizeof(out->style));
}

/* ---- degradation -------------------------------------------------------- */

/* xterm's default palette for the 16 ANSI colours. */
static const unsigned char ansi_rgb[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

/* The nearest of the 16 ANSI colours to colour @c (0..255). */
static short
nearest16(short c)
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	int rgb[3], best = 0, best_d = INT_MAX;

	if (c < 16)
		return c;
	if (c < 232) {
		rgb[0] = level[(c - 16) / 36];
		rgb[1] = level[(c - 16) / 6 % 6];
		rgb[2] = level[(c - 16) % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
	for (int i = 0; i < 16; i++) {
		int d = 0;

		for (int k = 0; k < 3; k++)
			d += (rgb[k] - ansi_rgb[i][k]) * (rgb[k] - ansi_rgb[i][k]);
		if (d < best_d) {
			best = i;
			best_d = d;
		}
	}
	return (short)best;
}

static struct theme_style
degrade_8(struct theme_style s)
{
	struct theme_style o = s;

	if (o.fg >= 0) {
		o.fg = nearest16(o.fg);
		if (o.fg >= 8) {
			o.fg = (short)(o.fg - 8);
			o.attrs |= THEME_A_BOLD;
		}
	}
	if (o.bg >= 0) {
		o.bg = nearest16(o.bg);
		if (o.bg >= 8)
			o.bg = (short)(o.bg - 8);
	}
	/* distinct colours that fell together: keep the text readable */
	if (o.fg >= 0 && o.fg == o.bg && s.fg != s.bg) {
		switch (o.bg) {
		case COLOR_BLACK:
		case COLOR_RED:
		case COLOR_BLUE:
		case COLOR_MAGENTA:
			o.fg = COLOR_WHITE;
			break;
		default:
			o.fg = COLOR_BLACK;
			break;
		}
	}
	return o;
}

void
theme_degrade(const struct theme *in, int colors, bool no_color,
    struct theme *out)
{
	const unsigned keep = THEME_A_BOLD | THEME_A_DIM | THEME_A_UNDERLINE |
	    THEME_A_REVERSE | THEME_A_STANDOUT;
	struct theme t = *in;

	for (int i = 0; i < ROLE__COUNT && (colors < 256 || no_color); i++) {
		struct theme_style *s = &t.style[i];

		if (colors >= 8 && !no_color) {
			*s = degrade_8(*s);
			continue;
		}
		s->attrs &= keep;
		/* a bar or highlight (its own background) shows as reverse */
		if (i != ROLE_NORMAL && s->bg != in->style[ROLE_NORMAL].bg)
			s->attrs |= THEME_A_REVERSE;
		if ((i == ROLE_SELECTED || i == ROLE_BANNER) &&
		    (s->attrs & (THEME_A_REVERSE | THEME_A_STANDOUT)) == 0)
			s->attrs |= THEME_A_REVERSE;
		s->fg = s->bg = THEME_COLOR_DEFAULT;
	}
	*out = t;
}

/* ---- curses ------------------------------------------------------------- */

static struct {
	attr_t attr[ROLE__COUNT];	/* per role, COLOR_PAIR included */
	const char *mode;		/* for theme_mode_name() */
} applied = { .mode = "mono" };

static attr_t
curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_A_BOLD)
		r |= A_BOLD;
	if (a & THEME_A_DIM)
		r |= A_DIM;
	if (a & THEME_A_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_A_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_A_STANDOUT)
		r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & THEME_A_ITALIC)
		r |= A_ITALIC;
#endif
	if (a & THEME_A_BLINK)
		r |= A_BLINK;
	return r;
}

void
theme_apply(const struct theme *t)
{
	const char *nc = getenv("NO_COLOR");
	bool no_color = nc != NULL && nc[0] != '\0';
	short pair_fg[256], pair_bg[256];
	int colors = 0, npairs = 0, max_pairs;
	bool defaults;
	struct theme d;

	if (!no_color && has_colors()) {
		if (COLORS == 0)
			start_color();
		colors = COLORS;
	}
	theme_degrade(t, colors, no_color, &d);
	if (no_color || colors < 8) {
		for (int i = 0; i < ROLE__COUNT; i++)
			applied.attr[i] = curses_attrs(d.style[i].attrs);
		applied.mode = "mono";
		return;
	}
	defaults = use_default_colors() == OK;
	max_pairs = COLOR_PAIRS - 1 < 255 ? COLOR_PAIRS - 1 : 255;
	for (int i = 0; i < ROLE__COUNT; i++) {
		short fg = d.style[i].fg, bg = d.style[i].bg;
		int pair = 0, k;

		if (!defaults && fg < 0)
			fg = COLOR_WHITE;
		if (!defaults && bg < 0)
			bg = COLOR_BLACK;
		if (fg >= 0 || bg >= 0) {
			for (k = 0; k < npairs; k++)
				if (pair_fg[k] == fg && pair_bg[k] == bg)
					break;
			if (k < npairs) {
				pair = k + 1;
			} else if (npairs < max_pairs &&
			    init_pair((short)(npairs + 1), fg, bg) == OK) {
				pair_fg[npairs] = fg;
				pair_bg[npairs] = bg;
				pair = ++npairs;
			}
		}
		applied.attr[i] = curses_attrs(d.style[i].attrs) |
		    (attr_t)COLOR_PAIR(pair);
	}
	applied.mode = colors >= 256 ? "256 colours" : "8 colours";
}

int
theme_attr(enum theme_role role)
{
	if ((int)role < 0 || role >= ROLE__COUNT)
		return A_NORMAL;
	return (int)applied.attr[role];
}

const char *
theme_mode_name(void)
{
	return applied.mode;
}
