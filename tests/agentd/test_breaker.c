#include "t.h"
#include "providers/breaker.h"

static const struct breaker_config cfg3 = {
	.failures = 3, .cooldown_ms = 1000, .probes = 2,
};

/* One step of a scenario: an operation at a time and what must follow. */
enum op { ALLOW, OK, FAIL, RELEASE };
struct step {
	enum op op;
	int64_t now;
	bool ret;			/* allow()'s answer or record()'s "changed" */
	enum breaker_state state;	/* after the step */
	int64_t wait;			/* breaker_wait_ms() after the step */
};

static void
run_steps(const struct step *steps, size_t n)
{
	struct breaker b;
	enum breaker_state from;
	bool changed, ret = false;

	breaker_init(&b, &cfg3, 0);
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		switch (s->op) {
		case ALLOW:
			ret = breaker_allow(&b, s->now, &changed, &from);
			break;
		case OK:
		case FAIL:
			ret = breaker_record(&b, s->op == OK, s->now, &from);
			break;
		case RELEASE:
			breaker_release(&b);
			ret = s->ret;
			break;
		}
		if (ret != s->ret || b.state != s->state ||
		    breaker_wait_ms(&b, s->now) != s->wait)
			T_DIAG("step %zu: ret %d state %s wait %lld, want %d %s %lld",
			    i, ret, breaker_state_name(b.state),
			    (long long)breaker_wait_ms(&b, s->now), s->ret,
			    breaker_state_name(s->state), (long long)s->wait);
	}
}

static void
full_cycle_table(void)
{
	static const struct step steps[] = {
		{ ALLOW, 0, true, BREAKER_CLOSED, 0 },
		{ FAIL, 1, false, BREAKER_CLOSED, 0 },
		{ FAIL, 2, false, BREAKER_CLOSED, 0 },
		{ OK, 3, false, BREAKER_CLOSED, 0 },	/* resets the count */
		{ FAIL, 4, false, BREAKER_CLOSED, 0 },
		{ FAIL, 5, false, BREAKER_CLOSED, 0 },
		{ FAIL, 10, true, BREAKER_OPEN, 1000 },	/* third in a row */
		{ ALLOW, 10, false, BREAKER_OPEN, 1000 },
		{ ALLOW, 500, false, BREAKER_OPEN, 510 },
		{ ALLOW, 1009, false, BREAKER_OPEN, 1 },
		{ ALLOW, 1010, true, BREAKER_HALF_OPEN, 100 },	/* the probe */
		{ ALLOW, 1011, false, BREAKER_HALF_OPEN, 100 },	/* one at a time */
		{ OK, 1020, false, BREAKER_HALF_OPEN, 0 },	/* 1 of 2 */
		{ ALLOW, 1021, true, BREAKER_HALF_OPEN, 100 },
		{ FAIL, 1030, true, BREAKER_OPEN, 1000 },	/* fresh cooldown */
		{ ALLOW, 2029, false, BREAKER_OPEN, 1 },
		{ ALLOW, 2030, true, BREAKER_HALF_OPEN, 100 },
		{ RELEASE, 2031, false, BREAKER_HALF_OPEN, 0 },	/* cancelled */
		{ ALLOW, 2032, true, BREAKER_HALF_OPEN, 100 },
		{ OK, 2040, false, BREAKER_HALF_OPEN, 0 },
		{ ALLOW, 2041, true, BREAKER_HALF_OPEN, 100 },
		{ OK, 2050, true, BREAKER_CLOSED, 0 },		/* 2 of 2 */
		{ FAIL, 2060, false, BREAKER_CLOSED, 0 },	/* count starts over */
		{ FAIL, 2061, false, BREAKER_CLOSED, 0 },
		{ FAIL, 2062, true, BREAKER_OPEN, 1000 },
	};

	run_steps(steps, sizeof(steps) / sizeof(steps[0]));
}

static void
changed_and_from_reported(void)
{
	struct breaker b;
	enum breaker_state from = BREAKER_CLOSED;
	bool changed = true;

	breaker_init(&b, &cfg3, 100);
	is_int(b.changed_at, 100);
	ok(breaker_allow(&b, 100, &changed, &from));
	ok(!changed);
	for (int i = 0; i < 2; i++)
		ok(!breaker_record(&b, false, 200, &from));
	ok(breaker_record(&b, false, 300, &from));
	is_int(from, BREAKER_CLOSED);
	is_int(b.opened_at, 300);
	is_int(b.changed_at, 300);
	ok(breaker_allow(&b, 1300, &changed, &from));
	ok(changed);
	is_int(from, BREAKER_OPEN);
	is_int(b.changed_at, 1300);
	ok(b.probing);
	ok(breaker_record(&b, false, 1400, &from));
	is_int(from, BREAKER_HALF_OPEN);
	is_int(b.opened_at, 1400);
	ok(!b.probing);
}

static void
one_failure_opens_when_configured(void)
{
	struct breaker_config c = { .failures = 1, .cooldown_ms = 0, .probes = 1 };
	struct breaker b;
	enum breaker_state from;
	bool changed;

	breaker_init(&b, &c, 0);
	ok(breaker_allow(&b, 0, &changed, &from));
	ok(breaker_record(&b, false, 0, &from));
	is_int(b.state, BREAKER_OPEN);
	/* no cooldown: the probe may go at once */
	is_int(breaker_wait_ms(&b, 0), 0);
	ok(breaker_allow(&b, 0, &changed, &from));
	is_int(b.state, BREAKER_HALF_OPEN);
	ok(breaker_record(&b, true, 1, &from));
	is_int(b.state, BREAKER_CLOSED);
	is_int(from, BREAKER_HALF_OPEN);
}

static void
bad_config_is_clamped(void)
{
	struct breaker_config c = { .failures = 0, .cooldown_ms = -5, .probes = -1 };
	struct breaker b;
	enum breaker_state from;

	breaker_init(&b, &c, 0);
	is_int(b.cfg.failures, 1);
	is_int(b.cfg.probes, 1);
	is_int(b.cfg.cooldown_ms, 0);
	ok(breaker_record(&b, false, 0, &from));
}

static void
null_out_parameters_are_fine(void)
{
	struct breaker b;

	breaker_init(&b, &cfg3, 0);
	for (int i = 0; i < 3; i++)
		breaker_record(&b, false, 0, NULL);
	is_int(b.state, BREAKER_OPEN);
	ok(breaker_allow(&b, 1000, NULL, NULL));
	is_int(b.state, BREAKER_HALF_OPEN);
}

static void
outcomes_while_open_count_only_in_totals(void)
{
	struct breaker b;
	enum breaker_state from;

	breaker_init(&b, &cfg3, 0);
	for (int i = 0; i < 3; i++)
		breaker_record(&b, false, 0, &from);
	/* calls that started while closed finish after it opened */
	ok(!breaker_record(&b, true, 10, &from));
	ok(!breaker_record(&b, false, 20, &from));
	is_int(b.state, BREAKER_OPEN);
	is_int(b.opened_at, 0);		/* the cooldown is not extended */
	is_int(b.total_failures, 4);
	is_int(b.total_successes, 1);
}

static void
release_outside_half_open_is_a_no_op(void)
{
	struct breaker b;

	breaker_init(&b, &cfg3, 0);
	breaker_release(&b);
	is_int(b.state, BREAKER_CLOSED);
	for (int i = 0; i < 3; i++)
		breaker_record(&b, false, 0, NULL);
	breaker_release(&b);
	is_int(b.state, BREAKER_OPEN);
	ok(!breaker_allow(&b, 999, NULL, NULL));
}

static void
totals_count_everything(void)
{
	struct breaker b;

	breaker_init(&b, &cfg3, 0);
	for (int i = 0; i < 10; i++)
		breaker_record(&b, i % 2 == 0, i, NULL);
	is_int(b.total_successes, 5);
	is_int(b.total_failures, 5);
	is_int(b.state, BREAKER_CLOSED);
}

static void
state_names(void)
{
	is_str(breaker_state_name(BREAKER_CLOSED), "closed");
	is_str(breaker_state_name(BREAKER_OPEN), "open");
	is_str(breaker_state_name(BREAKER_HALF_OPEN), "half_open");
	is_str(breaker_state_name((enum breaker_state)42), "unknown");
}

#define TESTS(X) \
	X(full_cycle_table) \
	X(changed_and_from_reported) \
	X(one_failure_opens_when_configured) \
	X(bad_config_is_clamped) \
	X(null_out_parameters_are_fine) \
	X(outcomes_while_open_count_only_in_totals) \
	X(release_outside_half_open_is_a_no_op) \
	X(totals_count_everything) \
	X(state_names)
T_MAIN(TESTS)
