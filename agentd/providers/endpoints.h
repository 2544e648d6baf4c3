/*
 * Where the remote providers are and how agentd talks to them: base URL,
 * key, rate limits, timeouts, retries, circuit breaker, streaming. Read
 * from agentd's environment and its config file, with the names the
 * official SDKs use (docs/providers.md):
 *
 *   OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
 *
 * plus, for any endpoint NAME (OPENAI, ANTHROPIC, or one more declared by
 * NAME_FORMAT=openai|anthropic, e.g. OLLAMA_FORMAT=openai makes the
 * provider "ollama:"):
 *
 *   NAME_API_KEY_FILE      a file holding the key; it must not be readable
 *                          by group or others (0600)
 *   NAME_RPM, NAME_TPM     requests and tokens per minute (0: no limit)
 *   NAME_TIMEOUT_MS        per HTTP attempt: the whole response, or until
 *                          the first data of a stream (default 120000)
 *   NAME_IDLE_TIMEOUT_MS   a stream's longest silence after its first data
 *                          (default 30000; 0: none)
 *   NAME_STREAM_TIMEOUT_MS a stream's whole time (default 1800000; 0: none)
 *   NAME_MAX_ATTEMPTS      attempts of one call incl. retries (default 5)
 *   NAME_BREAKER_FAILURES  consecutive failures that open the breaker (5)
 *   NAME_BREAKER_COOLDOWN_MS   open this long before a probe (30000)
 *   NAME_STREAM            1 (default) or 0
 *   NAME_MAX_CONNECTIONS   parallel connections to the endpoint (256)
 *   AGENTD_CACHE_TTL_S     response cache lifetime; 0 (default): no cache
 *
 * The config file has one NAME=value a line, '#' comments, optional
 * double or single quotes around the value. Unknown names are errors (with
 * the line). A config file that holds a key must not be readable by group
 * or others. The environment overrides the file, name by name.
 */
#ifndef AGENTD_ENDPOINTS_H
#define AGENTD_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/breaker.h"

struct secret;

#define ENDPOINTS_MAX 8

struct endpoint_config {
	char name[32];			/* provider name, lower case: "openai" */
	char format[16];		/* wire format: "openai" or "anthropic" */
	char *base_url;			/* owned; no trailing '/' */
	struct secret *key;		/* owned; NULL: send no key */
	char key_source[300];		/* "OPENAI_API_KEY (environment)", "file …" */
	char key_env[48];		/* the variable of a key from the environment */
	double rpm, tpm;		/* 0: no limit */
	int64_t timeout_ms;		/* per attempt: a whole response, or
					 * until a stream's head */
	int64_t idle_timeout_ms;	/* a stream's longest silence; 0: none */
	int64_t stream_timeout_ms;	/* a stream's whole time; 0: none */
	int max_attempts;		/* >= 1 */
	struct breaker_config breaker;
	bool stream;
	long max_connections;
	int64_t thinking_budget;	/* Anthropic format: extended thinking
					 * with up to this many tokens (>= 1024;
					 * 0: not asked for) */
};

struct endpoints {
	struct endpoint_config items[ENDPOINTS_MAX];
	size_t n;			/* openai and anthropic always, then others */
	int64_t cache_ttl_s;		/* 0: response cache off */
	bool file_read;			/* a config file was read (not missing) */
	/* OPENAI_… and ANTHROPIC_… variables of the environment that are no
	 * setting (a typo, another program's): "OPENAI_BASEURL, …"; "" none */
	char ignored_env[256];
};

/*
 * Reads @path (NULL or a missing file when @path_optional: none) and then
 * @envp (NULL-terminated "NAME=value" strings; NULL: none). Names in the
 * environment that are not ours are ignored; in the file they are errors.
 * Errors say the file, line and name, or the variable, and never contain a
 * key. On success *out is filled (endpoints_finish()).
 */
int endpoints_load(const char *path, bool path_optional, char *const *envp,
    struct endpoints *out, char *err, size_t errlen);
/* Same, from a file's text (for tests and the fuzzer): @where names it. */
int endpoints_parse(const char *text, size_t len, const char *where,
    char *const *envp, struct endpoints *out, char *err, size_t errlen);
void endpoints_finish(struct endpoints *eps);
/* By provider name, or NULL. Borrowed. */
const struct endpoint_config *endpoints_find(const struct endpoints *eps,
    const char *name);

#endif
