/*
 * API keys in memory: one page of their own, excluded from core dumps
 * (MADV_DONTDUMP), wiped before it is freed. Code never copies a key into
 * anything that can reach events, the database, logs or error messages;
 * text that came back from a provider goes through secret_redact() first.
 */
#ifndef AGENTD_SECRET_H
#define AGENTD_SECRET_H

#include <stdbool.h>
#include <stddef.h>

struct secret;

/* A copy of @len bytes of @value (at most 4000). NULL when it is empty or
 * too long. */
struct secret *secret_create(const char *value, size_t len);
void secret_destroy(struct secret *s);
/* Borrowed, NUL-terminated; valid until secret_destroy(). */
const char *secret_value(const struct secret *s);
size_t secret_len(const struct secret *s);
/* A buffer inside the secret's page (excluded from dumps, wiped with it)
 * for building a header that contains the key: "PREFIX<key>". Borrowed,
 * valid until secret_destroy(). */
const char *secret_header(const struct secret *s);
int secret_set_header(struct secret *s, const char *prefix);
/* Replaces in @text, in place, every run of 8 or more bytes that is part of
 * the key with "***". Returns how many were replaced. NULL-safe. */
int secret_redact(const struct secret *s, char *text);
/* Wipes, in place, the value of every @name=... in @envp, so that
 * /proc/PID/environ and core dumps no longer hold it; with @unset also
 * removes @name from the process's environment (no child inherits it). */
void secret_wipe_env(char *const *envp, const char *name, bool unset);

#endif
