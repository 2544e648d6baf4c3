#include "t.h"
#include "providers/endpoints.h"
#include "secret.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY "sk-test-0123456789abcdefghijKLMNOP"
#define KEY2 "sk-other-ZYXWVUTSRQPONMLKJIHGFEDCBA"

static char tmp_paths[16][64];
static size_t n_tmp;

/* A new temp file holding @text with @mode; removed at the end of the test
 * by cleanup(). */
static const char *
temp_file(const char *text, mode_t mode)
{
	char *path = tmp_paths[n_tmp++ % 16];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(path, sizeof(tmp_paths[0]), "%s/test_endpoints.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		T_DIAG("mkstemp: %s", strerror(errno));
		return "/nonexistent";
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		T_DIAG("write failed");
	close(fd);
	chmod(path, mode);
	return path;
}

static void
cleanup(void)
{
	for (size_t i = 0; i < n_tmp && i < 16; i++)
		unlink(tmp_paths[i]);
	n_tmp = 0;
}

static int
parse(const char *text, char *const *envp, struct endpoints *eps, char *err,
    size_t errlen)
{
	return endpoints_parse(text, strlen(text), "agentd.conf", envp, eps,
	    err, errlen);
}

/* A one-line summary of an endpoint's settings, to compare in tables. */
static const char *
describe(const struct endpoint_config *c)
{
	static char buf[1024];
	char think[48] = "";

	if (c == NULL)
		return "(none)";
	if (c->thinking_budget != 0)
		snprintf(think, sizeof(think), "thinking=%lld ",
		    (long long)c->thinking_budget);
	snprintf(buf, sizeof(buf), "%s format=%s url=%s rpm=%.0f tpm=%.0f "
	    "timeout=%lld idle=%lld whole=%lld attempts=%d failures=%d "
	    "cooldown=%lld probes=%d stream=%d conns=%ld %skey=%s", c->name,
	    c->format, c->base_url, c->rpm, c->tpm, (long long)c->timeout_ms,
	    (long long)c->idle_timeout_ms, (long long)c->stream_timeout_ms,
	    c->max_attempts,
	    c->breaker.failures, (long long)c->breaker.cooldown_ms,
	    c->breaker.probes, c->stream, c->max_connections, think,
	    c->key ? c->key_source : "-");
	return buf;
}

static void
defaults_without_anything(void)
{
	struct endpoints eps;
	char err[512];

	is_int(endpoints_load(NULL, false, NULL, &eps, err, sizeof(err)), 0);
	is_int(eps.n, 2);
	is_str(describe(&eps.items[0]), "openai format=openai "
	    "url=https://api.openai.com/v1 rpm=0 tpm=0 timeout=120000 "
	    "idle=30000 whole=1800000 attempts=5 failures=5 cooldown=30000 probes=1 stream=1 conns=256 "
	    "key=-");
	is_str(describe(&eps.items[1]), "anthropic format=anthropic "
	    "url=https://api.anthropic.com rpm=0 tpm=0 timeout=120000 "
	    "idle=30000 whole=1800000 attempts=5 failures=5 cooldown=30000 probes=1 stream=1 conns=256 "
	    "key=-");
	ok(eps.items[0].key == NULL);
	is_str(eps.items[0].key_source, "");
	is_int(eps.cache_ttl_s, 0);
	endpoints_finish(&eps);
	is_int(eps.n, 0);
	endpoints_finish(&eps);		/* twice is fine */
	endpoints_finish(NULL);
}

static void
settings_table(void)
{
	static const struct {
		const char *text, *name, *want;
	} cases[] = {
		{ "OPENAI_RPM=60", "openai", "rpm=60 " },
		{ "OPENAI_TPM=1000000", "openai", "tpm=1000000 " },
		{ "ANTHROPIC_TIMEOUT_MS=5000", "anthropic", "timeout=5000 " },
		{ "OPENAI_IDLE_TIMEOUT_MS=2500", "openai", "idle=2500 " },
		{ "OPENAI_IDLE_TIMEOUT_MS=0", "openai", "idle=0 " },
		{ "OPENAI_IDLE_TIMEOUT_MS=86400000", "openai", "idle=86400000 " },
		{ "OPENAI_STREAM_TIMEOUT_MS=0", "openai", "whole=0 " },
		{ "OPENAI_STREAM_TIMEOUT_MS=600000", "openai", "whole=600000 " },
		{ "ANTHROPIC_MAX_ATTEMPTS=1", "anthropic", "attempts=1 " },
		{ "OPENAI_BREAKER_FAILURES=2", "openai", "failures=2 " },
		{ "OPENAI_BREAKER_COOLDOWN_MS=0", "openai", "cooldown=0 " },
		{ "OPENAI_STREAM=0", "openai", "stream=0 " },
		{ "OPENAI_STREAM=1", "openai", "stream=1 " },
		{ "OPENAI_MAX_CONNECTIONS=4", "openai", "conns=4 " },
		{ "ANTHROPIC_THINKING_BUDGET=2048", "anthropic", "thinking=2048 " },
		{ "ANTHROPIC_THINKING_BUDGET=0", "anthropic", "conns=256 key" },
		{ "OPENAI_BASE_URL=http://127.0.0.1:8080/v1/", "openai",
		    "url=http://127.0.0.1:8080/v1 " },
		{ "OPENAI_BASE_URL=https://x.example///", "openai",
		    "url=https://x.example " },
		{ "ANTHROPIC_FORMAT=openai", "anthropic", "format=openai " },
		/* syntax */
		{ "export OPENAI_RPM=61", "openai", "rpm=61 " },
		{ "  export\tOPENAI_RPM = 62  ", "openai", "rpm=62 " },
		{ "OPENAI_RPM=\"63\"", "openai", "rpm=63 " },
		{ "OPENAI_RPM='64'", "openai", "rpm=64 " },
		{ "OPENAI_RPM = ' 65'", "openai", "(error)" },	/* quoted space kept */
		{ "# a comment\n\n   # another\nOPENAI_RPM=66\n", "openai", "rpm=66 " },
		{ "OPENAI_RPM=67\r\nOPENAI_TPM=5\r\n", "openai", "rpm=67 tpm=5 " },
		{ "OPENAI_RPM=068", "openai", "rpm=68 " },
		{ "OPENAI_TPM=1000000000000", "openai", "tpm=1000000000000 " },
		{ "OLLAMA_FORMAT=openai\nOLLAMA_BASE_URL=http://localhost:11434/v1",
		    "ollama", "ollama format=openai url=http://localhost:11434/v1 " },
		{ "X9_BASE_URL=http://h\nX9_FORMAT=anthropic\nX9_RPM=3", "x9",
		    "x9 format=anthropic url=http://h rpm=3 " },
		{ "", "openai", "openai format=openai " },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct endpoints eps;
		char err[512] = "";
		const char *got;

		if (parse(cases[i].text, NULL, &eps, err, sizeof(err)) != 0) {
			if (strcmp(cases[i].want, "(error)") != 0)
				T_DIAG("case %zu: %s", i, err);
			continue;
		}
		got = describe(endpoints_find(&eps, cases[i].name));
		if (strstr(got, cases[i].want) == NULL)
			T_DIAG("case %zu: \"%s\" has no \"%s\"", i, got,
			    cases[i].want);
		endpoints_finish(&eps);
	}
}

static void
errors_table(void)
{
	static char long_line[5000], long_comment[4200];
	/* with A8 these make 8 endpoints, the most */
	static const char *five =
	    "A1_FORMAT=openai\nA1_BASE_URL=http://h\n"
	    "A2_FORMAT=openai\nA2_BASE_URL=http://h\n"
	    "A3_FORMAT=openai\nA3_BASE_URL=http://h\n"
	    "A4_FORMAT=openai\nA4_BASE_URL=http://h\n"
	    "A5_FORMAT=openai\nA5_BASE_URL=http://h\n";
	const struct {
		const char *text, *want;
	} cases[] = {
		{ "\n\n\n\n\n\nOPENAI_RPM=abc",
		    "agentd.conf:7: OPENAI_RPM: \"abc\" is not a number" },
		{ "OPENAI_RPM=", "agentd.conf:1: OPENAI_RPM: empty value" },
		{ "OPENAI_RPM=-1",
		    "agentd.conf:1: OPENAI_RPM: -1 is out of range (0 to 10000000)" },
		{ "OPENAI_RPM=+1", "OPENAI_RPM: \"+1\" is not a number" },
		{ "OPENAI_RPM=1.5", "OPENAI_RPM: \"1.5\" is not a number" },
		{ "OPENAI_RPM=60 # per minute", "is not a number" },
		{ "OPENAI_TPM=99999999999999999999999", "is out of range" },
		{ "OPENAI_MAX_ATTEMPTS=0", "OPENAI_MAX_ATTEMPTS: 0 is out of range (1 to 100)" },
		{ "OPENAI_TIMEOUT_MS=0", "OPENAI_TIMEOUT_MS: 0 is out of range" },
		{ "\nANTHROPIC_IDLE_TIMEOUT_MS=-1", "agentd.conf:2: "
		    "ANTHROPIC_IDLE_TIMEOUT_MS: -1 is out of range (0 to 86400000)" },
		{ "OPENAI_IDLE_TIMEOUT_MS=30s",
		    "OPENAI_IDLE_TIMEOUT_MS: \"30s\" is not a number" },
		{ "OPENAI_IDLE_TIMEOUT_MS=86400001", "is out of range" },
		{ "OPENAI_STREAM_TIMEOUT_MS=86400001",
		  "OPENAI_STREAM_TIMEOUT_MS: 86400001 is out of range (0 to 86400000)" },
		{ "OPENAI_IDLE_TIMEOUT=5000", "unknown name OPENAI_IDLE_TIMEOUT" },
		{ "OPENAI_BREAKER_FAILURES=0", "OPENAI_BREAKER_FAILURES: 0 is out" },
		{ "OPENAI_MAX_CONNECTIONS=100000", "OPENAI_MAX_CONNECTIONS: 100000" },
		{ "OPENAI_STREAM=yes", "OPENAI_STREAM: \"yes\" is not 0 or 1" },
		{ "ANTHROPIC_THINKING_BUDGET=1000", "ANTHROPIC_THINKING_BUDGET: "
		    "1000 is under the 1024 tokens the Anthropic API asks at least" },
		{ "ANTHROPIC_THINKING_BUDGET=2000000", "is out of range (0 to 1000000)" },
		{ "OPENAI_BASE_URL=ftp://x", "does not start with http:// or https://" },
		{ "OPENAI_BASE_URL=api.openai.com", "does not start with http://" },
		{ "OPENAI_BASE_URL=https://", "has no host" },
		{ "OPENAI_BASE_URL=https:////", "has no host" },
		{ "OPENAI_BASE_URL=https://a b", "contains a space" },
		{ "OPENAI_BASE_URL=https://u:pw@h/v1", "agentd.conf:1: "
		    "OPENAI_BASE_URL: has a user or password (user@host): put "
		    "the key in OPENAI_API_KEY or OPENAI_API_KEY_FILE instead" },
		{ "OPENAI_BASE_URL=http://u@h", "has a user or password" },
		/* found before any error that would repeat the value */
		{ "OPENAI_BASE_URL=HTTPS://u:pw@h", "has a user or password" },
		{ "OPENAI_BASE_URL=u:pw@host", "has a user or password" },
		{ "OPENAI_BASE_URL=https://u:pw@", "has a user or password" },
		{ "OPENAI_BASE_URL=https://u:pw@h/a b", "has a user or password" },
		{ "OPENAI_BASE_URL=http://h/v1?x=a@b", "(ok)" },
		{ "OPENAI_BASE_URL=http://h/@v1", "has a user or password" },
		{ "OPENAI_BASE_URL=u:secretpw@host/?r=http://a",
		    "has a user or password" },
		{ "OPENAI_BASE_URL=http:/u:secretpw@h", "has a user or password" },
		{ "OPENAI_BASE_URL=http://u:se/cretpw@h", "has a user or password" },
		{ "OPENAI_API_KEY_FILE=sk-proj-abcdefghijklmnop",
		    "agentd.conf:1: OPENAI_API_KEY_FILE: cannot open it (No such "
		    "file or directory), and it looks like a key, not a file "
		    "name: a key itself goes in OPENAI_API_KEY" },
		{ "OPENAI_API_KEY_FILE=/nonexistent/key",
		    "OPENAI_API_KEY_FILE: /nonexistent/key: No such file" },
		{ "OPENAI_API_KEY_FILE=~/openai.key", "OPENAI_API_KEY_FILE: "
		    "~/openai.key: No such file or directory (~ is not expanded "
		    "here: write the whole path)" },
		{ "OPENAI_FORMAT=gemini",
		    "OPENAI_FORMAT: \"gemini\" is not a format (openai or anthropic)" },
		{ "OPENAI_RPM=1\nOPENAI_ORG_ID=x", "agentd.conf:2: unknown name OPENAI_ORG_ID" },
		{ "openai_rpm=1", "agentd.conf:1: unknown name openai_rpm" },
		{ "AGENTD_FORMAT=openai", "unknown name AGENTD_FORMAT" },
		{ "FOO=1", "agentd.conf:1: unknown name FOO" },
		{ "_RPM=1", "unknown name _RPM" },
		{ "OLLAMA_RPM=5", "agentd.conf:1: unknown name OLLAMA_RPM (no "
		    "OLLAMA_FORMAT declares that endpoint)" },
		{ "OLLAMA_FORMAT=openai",
		    "agentd.conf:1: OLLAMA_FORMAT: OLLAMA_BASE_URL is not set" },
		{ "OPENAI_RPM=1\nOPENAI_RPM=2", "agentd.conf:2: OPENAI_RPM is "
		    "already set on line 1" },
		{ "OPENAI_RPM", "agentd.conf:1: expected NAME=value" },
		{ "=5", "agentd.conf:1: expected NAME=value" },
		{ "9X_RPM=5", "agentd.conf:1: expected NAME=value" },
		{ "OPEN-AI=5", "agentd.conf:1: a name is letters, digits and '_'" },
		{ "OPENAI_RPM=\"5", "agentd.conf:1: OPENAI_RPM: unbalanced quotes" },
		{ "OPENAI_RPM='5\"", "unbalanced quotes" },
		{ "OPENAI_RPM=\"5\"6\"", "unbalanced quotes" },
		{ "OPENAI_RPM=\"", "unbalanced quotes" },
		{ long_line, "agentd.conf:2: line longer than 4096 bytes" },
		{ "AGENTD_CACHE_TTL_S=-5", "AGENTD_CACHE_TTL_S: -5 is out of range" },
		{ "AGENTD_CACHE_TTL_S=x", "AGENTD_CACHE_TTL_S: \"x\" is not a number" },
		{ "OPENAI_API_KEY=sk-1\nOPENAI_API_KEY_FILE=/x",
		    "agentd.conf:2: OPENAI_API_KEY_FILE: OPENAI_API_KEY is set too" },
		{ "OPENAI_API_KEY=\"\"", "OPENAI_API_KEY: empty value" },
		{ "OPENAI_API_KEY=a\tb", "OPENAI_API_KEY: holds a control character" },
		{ "A8_FORMAT=openai\nA8_BASE_URL=http://h\n", "(ok)" },
		{ "A8_FORMAT=openai\nA8_BASE_URL=http://h\nA9_FORMAT=openai\n",
		    "(nine)" },
		{ "B_FORMAT=openai\nB_BASE_URL=http://h\nB_FORMAT=anthropic",
		    "agentd.conf:3: B_FORMAT is already set on line 1" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_FORMAT=openai",
		    "unknown name AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_FORMAT" },
		{ long_comment, "(ok)" },
	};
	char text[8192];

	memset(long_line, 'x', sizeof(long_line) - 1);
	memcpy(long_line, "# ok\nOPENAI_RPM=", 16);
	long_comment[0] = '#';
	memset(long_comment + 1, 'c', 4095);		/* exactly 4096: fine */
	memcpy(long_comment + 4096, "\nOPENAI_RPM=1\n", 15);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct endpoints eps;
		char err[512] = "";
		int r;

		snprintf(text, sizeof(text), "%s%s",
		    strncmp(cases[i].want, "(nine)", 6) == 0 ||
		    (strcmp(cases[i].want, "(ok)") == 0 && cases[i].text[0] == 'A')
		    ? five : "", cases[i].text);
		r = cases[i].text == long_line || cases[i].text == long_comment ?
		    parse(cases[i].text, NULL, &eps, err, sizeof(err)) :
		    parse(text, NULL, &eps, err, sizeof(err));
		if (strcmp(cases[i].want, "(ok)") == 0) {
			if (r != 0)
				T_DIAG("case %zu: %s", i, err);
			else
				endpoints_finish(&eps);
			continue;
		}
		if (strcmp(cases[i].want, "(nine)") == 0) {
			if (r == 0)
				endpoints_finish(&eps);
			if (r == 0 || strstr(err, "A9_FORMAT: more than 8 endpoints") == NULL)
				T_DIAG("case %zu: %d \"%s\"", i, r, err);
			continue;
		}
		if (r == 0) {
			T_DIAG("case %zu: accepted, want \"%s\"", i, cases[i].want);
			endpoints_finish(&eps);
		} else if (r >= 0 || strstr(err, cases[i].want) == NULL) {
			T_DIAG("case %zu: %d \"%s\", want \"%s\"", i, r, err,
			    cases[i].want);
		}
		/* a password in a base URL is never repeated */
		if (strstr(err, "pw") != NULL)
			T_DIAG("case %zu: the error repeats a password: %s", i, err);
	}
}

static void
nul_byte_is_an_error(void)
{
	static const char text[] = "OPENAI_RPM=1\nOPENAI\0_TPM=2\n";
	struct endpoints eps;
	char err[512];

	ok(endpoints_parse(text, sizeof(text) - 1, "c", NULL, &eps, err,
	    sizeof(err)) != 0);
	is_str(err, "c:2: NUL byte");
	/* without a length the text ends at len: nothing after is read */
	is_int(endpoints_parse(text, 12, "c", NULL, &eps, err, sizeof(err)), 0);
	is_int(eps.items[0].rpm, 1);
	endpoints_finish(&eps);
	is_int(endpoints_parse(NULL, 0, NULL, NULL, &eps, NULL, 0), 0);
	endpoints_finish(&eps);
}

static void
extra_endpoints_in_order(void)
{
	char *env[] = {
		"ZED_FORMAT=anthropic",
		"ZED_BASE_URL=https://zed.example/",
		"OLLAMA_FORMAT=openai",		/* also in the file: keeps its place */
		NULL,
	};
	struct endpoints eps;
	char err[512];

	is_int(parse("OLLAMA_FORMAT=openai\n"
	    "OLLAMA_BASE_URL=http://127.0.0.1:11434/v1\n"
	    "ZED_RPM=7\n", env, &eps, err, sizeof(err)), 0);
	t_bail_if(eps.n != 4);
	is_str(eps.items[0].name, "openai");
	is_str(eps.items[1].name, "anthropic");
	is_str(eps.items[2].name, "ollama");
	is_str(eps.items[3].name, "zed");
	is_str(eps.items[3].format, "anthropic");
	is_str(eps.items[3].base_url, "https://zed.example");
	is_int(eps.items[3].rpm, 7);		/* the file sets what env declared */
	ok(endpoints_find(&eps, "zed") == &eps.items[3]);
	ok(endpoints_find(&eps, "ZED") == NULL);
	ok(endpoints_find(&eps, "nope") == NULL);
	ok(endpoints_find(NULL, "zed") == NULL);
	ok(endpoints_find(&eps, NULL) == NULL);
	endpoints_finish(&eps);
}

static void
environment_overrides_file(void)
{
	char *env[] = {
		"PATH=/usr/bin",
		"OPENAI_RPM=20",
		"OPENAI_RPM=30",	/* a second one: ignored, as getenv() */
		"OPENAI_ORG_ID=org-1",	/* not ours */
		"OLLAMA_RPM=abc",	/* no such endpoint: ignored */
		"FOO_BAR_BAZ=1",
		"AGENTD_SOCKET=/run/x",
		"AGENTD_CACHE_TTL_S=60",
		"ANTHROPIC_FORMAT=anthropic",
		"NOEQUALS",
		"=x",
		NULL,
	};
	struct endpoints eps;
	char err[512];

	is_int(parse("OPENAI_RPM=10\nOPENAI_TPM=100\nAGENTD_CACHE_TTL_S=5\n"
	    "ANTHROPIC_FORMAT=openai\n", env, &eps, err, sizeof(err)), 0);
	is_int(eps.items[0].rpm, 20);
	is_int(eps.items[0].tpm, 100);
	is_int(eps.cache_ttl_s, 60);
	is_str(eps.items[1].format, "anthropic");
	is_int(eps.n, 2);
	endpoints_finish(&eps);
}

/* Other programs' *_FORMAT variables are not endpoints (in the file they
 * would be errors: the file is ours). */
static void
foreign_format_variables_ignored(void)
{
	char *env[] = { (char *)"DATE_FORMAT=%Y-%m-%d", (char *)"X_FORMAT=grpc",
	    (char *)"OLLAMA_FORMAT=openai",
	    (char *)"OLLAMA_BASE_URL=http://127.0.0.1:11434/v1", NULL };
	struct endpoints eps;
	char err[512] = "";

	is_int(parse("", env, &eps, err, sizeof(err)), 0);
	is_int(eps.n, 3);
	is_str(eps.items[2].name, "ollama");
	endpoints_finish(&eps);
	ok(parse("X_FORMAT=grpc\n", NULL, &eps, err, sizeof(err)) != 0);
	has_str(err, "is not a format");
}

/* OPENAI_… / ANTHROPIC_… names that are no setting are listed (for a
 * warning): a typo in the environment is not silently lost. */
static void
unknown_environment_names_are_listed(void)
{
	char *env[] = { (char *)"OPENAI_BASEURL=http://x", (char *)"OPENAI_RPM=5",
	    (char *)"ANTHROPIC_VERSION=2023-06-01", (char *)"DATE_FORMAT=%Y",
	    (char *)"OPENAIX=1", NULL };
	char *many[41], names[39][32];
	struct endpoints eps;
	char err[512] = "";

	is_int(parse("", env, &eps, err, sizeof(err)), 0);
	is_str(eps.ignored_env, "OPENAI_BASEURL, ANTHROPIC_VERSION");
	endpoints_finish(&eps);
	is_int(parse("", NULL, &eps, err, sizeof(err)), 0);
	is_str(eps.ignored_env, "");
	endpoints_finish(&eps);
	/* a long list is cut, says so, and stays cut */
	for (int i = 0; i < 39; i++) {
		snprintf(names[i], sizeof(names[i]), "OPENAI_UNKNOWN_%02d=1", i);
		many[i] = names[i];
	}
	many[39] = (char *)"OPENAI_Q=1";	/* short: would still fit */
	many[40] = NULL;
	is_int(parse("", many, &eps, err, sizeof(err)), 0);
	has_str(eps.ignored_env, "OPENAI_UNKNOWN_00, OPENAI_UNKNOWN_01");
	ok(strlen(eps.ignored_env) > 200);
	is_str(eps.ignored_env + strlen(eps.ignored_env) - 5, ", …");
	endpoints_finish(&eps);
}

static void
environment_errors(void)
{
	static const struct {
		const char *var, *want;
	} cases[] = {
		{ "OPENAI_RPM=abc", "environment: OPENAI_RPM: \"abc\" is not a number" },
		{ "OPENAI_STREAM=", "environment: OPENAI_STREAM: empty value" },
		{ "OPENAI_IDLE_TIMEOUT_MS=1e4",
		    "environment: OPENAI_IDLE_TIMEOUT_MS: \"1e4\" is not a number" },
		{ "X_FORMAT=openai", "environment: X_FORMAT: X_BASE_URL is not set" },
		{ "AGENTD_CACHE_TTL_S=-1", "environment: AGENTD_CACHE_TTL_S: -1 is out" },
		{ "OPENAI_API_KEY=", "environment: OPENAI_API_KEY: empty value" },
		{ "OPENAI_API_KEY_FILE=/nonexistent/key",
		    "environment: OPENAI_API_KEY_FILE: /nonexistent/key: No such file" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *env[] = { (char *)cases[i].var, NULL };
		struct endpoints eps;
		char err[512] = "";

		if (parse("", env, &eps, err, sizeof(err)) == 0) {
			T_DIAG("case %zu accepted", i);
			endpoints_finish(&eps);
		} else if (strstr(err, cases[i].want) == NULL) {
			T_DIAG("case %zu: \"%s\", want \"%s\"", i, err, cases[i].want);
		}
	}
}

static void
key_from_environment_and_file(void)
{
	char *env[] = { "OPENAI_API_KEY=" KEY, NULL };
	struct endpoints eps;
	char err[512];

	is_int(parse("ANTHROPIC_API_KEY='" KEY2 "'\n", env, &eps, err,
	    sizeof(err)), 0);
	t_bail_if(eps.items[0].key == NULL || eps.items[1].key == NULL);
	is_str(secret_value(eps.items[0].key), KEY);
	is_str(eps.items[0].key_source, "OPENAI_API_KEY (environment)");
	is_str(secret_value(eps.items[1].key), KEY2);
	is_str(eps.items[1].key_source, "ANTHROPIC_API_KEY (agentd.conf:1)");
	endpoints_finish(&eps);
}

static void
key_file_read_and_trimmed(void)
{
	const char *path = temp_file(KEY "  \n\n", 0600);
	char text[256], src[300];
	struct endpoints eps;
	char err[512];

	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s\n", path);
	is_int(parse(text, NULL, &eps, err, sizeof(err)), 0);
	t_bail_if(eps.items[0].key == NULL);
	is_str(secret_value(eps.items[0].key), KEY);
	snprintf(src, sizeof(src), "OPENAI_API_KEY_FILE %s", path);
	is_str(eps.items[0].key_source, src);
	ok(strstr(eps.items[0].key_source, KEY) == NULL);
	endpoints_finish(&eps);
	/* 0400 is fine too */
	chmod(path, 0400);
	is_int(parse(text, NULL, &eps, err, sizeof(err)), 0);
	endpoints_finish(&eps);
	cleanup();
}

static void
environment_key_overrides_file_key(void)
{
	const char *path = temp_file(KEY2 "\n", 0600);
	char text[256], envkf[256];
	char *env1[] = { "OPENAI_API_KEY=" KEY, NULL };
	char *env2[] = { envkf, NULL };
	struct endpoints eps;
	char err[512];

	/* the file's key file is never read: it need not even exist */
	is_int(parse("OPENAI_API_KEY_FILE=/nonexistent\n", env1, &eps, err,
	    sizeof(err)), 0);
	is_str(secret_value(eps.items[0].key), KEY);
	is_str(eps.items[0].key_source, "OPENAI_API_KEY (environment)");
	endpoints_finish(&eps);
	/* and the other way round */
	snprintf(envkf, sizeof(envkf), "OPENAI_API_KEY_FILE=%s", path);
	is_int(parse("OPENAI_API_KEY=" KEY "\n", env2, &eps, err,
	    sizeof(err)), 0);
	is_str(secret_value(eps.items[0].key), KEY2);
	has_str(eps.items[0].key_source, "OPENAI_API_KEY_FILE /");
	endpoints_finish(&eps);
	/* both in the environment: which one is meant? */
	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s", path);
	{
		char *env3[] = { "OPENAI_API_KEY=" KEY, text, NULL };
		ok(parse("", env3, &eps, err, sizeof(err)) != 0);
		has_str(err, "environment: OPENAI_API_KEY_FILE: OPENAI_API_KEY "
		    "is set too");
		ok(strstr(err, KEY) == NULL);
	}
	cleanup();
}

static void
key_file_errors(void)
{
	const char *loose = temp_file(KEY "\n", 0644);
	const char *group = temp_file(KEY "\n", 0640);
	const char *empty = temp_file(" \n\t\n", 0600);
	const char *twolines = temp_file(KEY "\n" KEY2 "\n", 0600);
	static char big[6000];
	const char *huge;
	char text[256], want[512];
	struct endpoints eps;
	char err[512];
	int r;

	memset(big, 'k', sizeof(big) - 1);
	huge = temp_file(big, 0600);
	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s", loose);
	r = parse(text, NULL, &eps, err, sizeof(err));
	is_int(r, -EACCES);
	snprintf(want, sizeof(want), "agentd.conf:1: OPENAI_API_KEY_FILE: %s: "
	    "mode 0644, must not be readable by group or others (chmod 600 %s)",
	    loose, loose);
	is_str(err, want);
	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s", group);
	ok(parse(text, NULL, &eps, err, sizeof(err)) != 0);
	has_str(err, "mode 0640");
	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s", empty);
	ok(parse(text, NULL, &eps, err, sizeof(err)) != 0);
	has_str(err, ": is empty");
	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s", twolines);
	ok(parse(text, NULL, &eps, err, sizeof(err)) != 0);
	has_str(err, "holds a control character or a line break");
	ok(strstr(err, "sk-") == NULL);
	snprintf(text, sizeof(text), "OPENAI_API_KEY_FILE=%s", huge);
	ok(parse(text, NULL, &eps, err, sizeof(err)) != 0);
	has_str(err, "larger than");
	ok(parse("OPENAI_API_KEY_FILE=/", NULL, &eps, err, sizeof(err)) != 0);
	has_str(err, "OPENAI_API_KEY_FILE: /: not a regular file");
	ok(parse("OPENAI_API_KEY_FILE=/nonexistent/k", NULL, &eps, err,
	    sizeof(err)) != 0);
	has_str(err, "agentd.conf:1: OPENAI_API_KEY_FILE: /nonexistent/k: No such");
	ok(strstr(err, KEY) == NULL);
	cleanup();
}

/* Every error path near a key: the key never shows. */
static void
errors_never_contain_the_key(void)
{
	static const char *texts[] = {
		"OPENAI_API_KEY=" KEY "\nOPENAI_RPM=" KEY "\n",
		"OPENAI_API_KEY=" KEY "\nOPENAI_BASE_URL=" KEY "\n",
		"OPENAI_API_KEY=" KEY "\nOPENAI_FORMAT=x" KEY "\n",
		"OPENAI_API_KEY=" KEY "\nOPENAI_API_KEY=" KEY "\n",
		"OPENAI_API_KEY=" KEY "\nX_FORMAT=openai\n",
		"OPENAI_API_KEY=" KEY "\n" KEY "\n",
		"OPENAI_API_KEY=\"" KEY "\n",
		"OPENAI_API_KEY=" KEY "\x01\n",
		"OPENAI_API_KEY=" KEY "\nANTHROPIC_BASE_URL=" KEY2 "\n",
		"OPENAI_API_KEY=" KEY "\nAGENTD_CACHE_TTL_S=" KEY "\n",
		"OPENAI_RPM=" KEY2 "\n",	/* the key is only in the environment */
		"OPENAI_TPM=" KEY2 "0\n",
	};
	char *env[] = { "ANTHROPIC_API_KEY=" KEY2, NULL };

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct endpoints eps;
		char err[512] = "";

		if (parse(texts[i], env, &eps, err, sizeof(err)) == 0) {
			T_DIAG("case %zu accepted", i);
			endpoints_finish(&eps);
			continue;
		}
		if (strstr(err, "sk-test-01234") != NULL ||
		    strstr(err, "sk-other-ZYX") != NULL ||
		    strstr(err, "KLMNOP") != NULL || err[0] == '\0')
			T_DIAG("case %zu: \"%s\"", i, err);
	}
}

static void
load_checks_the_file_mode(void)
{
	const char *with_key = temp_file("# keys\nOPENAI_API_KEY=" KEY "\n", 0644);
	const char *no_key = temp_file("OPENAI_RPM=5\nOPENAI_API_KEY_FILE=/x\n",
	    0644);
	const char *private = temp_file("OPENAI_API_KEY=" KEY "\n", 0600);
	const char *bad = temp_file("OPENAI_RPM=5\n\nFOO=1\n", 0600);
	char *env[] = { "OPENAI_API_KEY_FILE=", NULL };
	char want[512];
	struct endpoints eps;
	char err[512];

	ok(endpoints_load(with_key, false, NULL, &eps, err, sizeof(err)) ==
	    -EACCES);
	snprintf(want, sizeof(want), "%s: mode 0644, must not be readable by "
	    "group or others (chmod 600 %s): line 2 holds OPENAI_API_KEY",
	    with_key, with_key);
	is_str(err, want);
	/* a file without keys may be readable; its key file is not read
	 * when the environment's (empty, so an error) one wins */
	ok(endpoints_load(no_key, false, env, &eps, err, sizeof(err)) != 0);
	has_str(err, "environment: OPENAI_API_KEY_FILE: empty value");
	is_int(endpoints_load(no_key, false, NULL, &eps, err, sizeof(err)),
	    -ENOENT);
	has_str(err, ":2: OPENAI_API_KEY_FILE: /x: No such file");
	is_int(endpoints_load(private, false, NULL, &eps, err, sizeof(err)), 0);
	is_str(secret_value(eps.items[0].key), KEY);
	snprintf(want, sizeof(want), "OPENAI_API_KEY (%s:1)", private);
	is_str(eps.items[0].key_source, want);
	endpoints_finish(&eps);
	ok(endpoints_load(bad, true, NULL, &eps, err, sizeof(err)) != 0);
	snprintf(want, sizeof(want), "%s:3: unknown name FOO", bad);
	is_str(err, want);
	cleanup();
}

static void
load_missing_and_odd_files(void)
{
	char *env[] = { "OPENAI_RPM=9", NULL };
	struct endpoints eps;
	char err[512];

	is_int(endpoints_load("/nonexistent/agentd.conf", true, env, &eps, err,
	    sizeof(err)), 0);
	is_int(eps.items[0].rpm, 9);
	endpoints_finish(&eps);
	is_int(endpoints_load("/nonexistent/agentd.conf", false, env, &eps, err,
	    sizeof(err)), -ENOENT);
	has_str(err, "/nonexistent/agentd.conf: No such file or directory");
	ok(endpoints_load("/", true, env, &eps, err, sizeof(err)) != 0);
	is_str(err, "/: not a regular file");
	is_int(endpoints_load(NULL, false, env, &eps, err, sizeof(err)), 0);
	is_int(eps.items[0].rpm, 9);
	endpoints_finish(&eps);
}

#define TESTS(X) \
	X(defaults_without_anything) \
	X(settings_table) \
	X(errors_table) \
	X(nul_byte_is_an_error) \
	X(extra_endpoints_in_order) \
	X(environment_overrides_file) \
	X(environment_errors) \
	X(foreign_format_variables_ignored) \
	X(unknown_environment_names_are_listed) \
	X(key_from_environment_and_file) \
	X(key_file_read_and_trimmed) \
	X(environment_key_overrides_file_key) \
	X(key_file_errors) \
	X(errors_never_contain_the_key) \
	X(load_checks_the_file_mode) \
	X(load_missing_and_odd_files)
T_MAIN(TESTS)
