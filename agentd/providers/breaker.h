/*
 * A circuit breaker per provider endpoint. Closed: calls go. After
 * cfg.failures consecutive failures it opens: calls are refused for
 * cfg.cooldown_ms. Then it is half-open: one probe call at a time goes;
 * cfg.probes successes in a row close it, a failure opens it again.
 * Pure state (time is an argument), so the engine publishes every change.
 */
#ifndef AGENTD_BREAKER_H
#define AGENTD_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

enum breaker_state {
	BREAKER_CLOSED,
	BREAKER_OPEN,
	BREAKER_HALF_OPEN,
};

struct breaker_config {
	int failures;			/* consecutive failures that open it (>= 1) */
	int64_t cooldown_ms;		/* open this long before a probe */
	int probes;			/* successes in half-open that close it (>= 1) */
};

struct breaker {
	struct breaker_config cfg;
	enum breaker_state state;
	int failures;			/* consecutive, while closed */
	int successes;			/* consecutive probe successes, half-open */
	bool probing;			/* a half-open probe is in flight */
	int64_t opened_at;		/* ms, when it last opened */
	int64_t changed_at;		/* ms, last state change */
	int64_t total_failures;		/* since start, for health */
	int64_t total_successes;
};

/* Starts closed at @now. */
void breaker_init(struct breaker *b, const struct breaker_config *cfg,
    int64_t now);
/* May a call start at @now? Open becomes half-open once the cooldown has
 * passed (then *from is set and the return is true for the probe). A true
 * return must be followed by breaker_record() or breaker_release(). */
bool breaker_allow(struct breaker *b, int64_t now, bool *changed,
    enum breaker_state *from);
/* Ms until breaker_allow() can say yes (0 when it can now). */
int64_t breaker_wait_ms(const struct breaker *b, int64_t now);
/* The outcome of an allowed call. True when the state changed (the old
 * state in *from). */
bool breaker_record(struct breaker *b, bool ok, int64_t now,
    enum breaker_state *from);
/* An allowed call ended with no outcome (cancelled): frees the probe slot. */
void breaker_release(struct breaker *b);
const char *breaker_state_name(enum breaker_state state);

#endif
