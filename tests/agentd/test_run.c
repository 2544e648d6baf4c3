#include "t.h"
#include "run.h"

static void
table_allows_design_transitions(void)
{
	static const enum run_state allowed[][2] = {
		{ RUN_QUEUED, RUN_PLANNING }, { RUN_QUEUED, RUN_EXECUTING },
		{ RUN_PLANNING, RUN_EXECUTING }, { RUN_EXECUTING, RUN_REFLECTING },
		{ RUN_REFLECTING, RUN_EXECUTING }, { RUN_EXECUTING, RUN_AWAITING_HUMAN },
		{ RUN_AWAITING_HUMAN, RUN_EXECUTING }, { RUN_AWAITING_HUMAN, RUN_FAILED },
		{ RUN_EXECUTING, RUN_DONE }, { RUN_EXECUTING, RUN_PAUSED },
		{ RUN_PAUSED, RUN_EXECUTING }, { RUN_PAUSED, RUN_KILLED },
		{ RUN_QUEUED, RUN_KILLED }, { RUN_AWAITING_HUMAN, RUN_PAUSED },
	};

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		ok(run_transition_allowed(allowed[i][0], allowed[i][1]));
}

static void
table_refuses_everything_else(void)
{
	static const enum run_state refused[][2] = {
		{ RUN_DONE, RUN_EXECUTING }, { RUN_FAILED, RUN_QUEUED },
		{ RUN_KILLED, RUN_PAUSED }, { RUN_QUEUED, RUN_DONE },
		{ RUN_PAUSED, RUN_DONE }, { RUN_PAUSED, RUN_PAUSED },
		{ RUN_EXECUTING, RUN_QUEUED }, { RUN_DONE, RUN_KILLED },
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ok(!run_transition_allowed(refused[i][0], refused[i][1]));
	ok(!run_transition_allowed((enum run_state)99, RUN_DONE));
}

static void
every_live_state_can_be_killed_and_paused(void)
{
	for (int s = 0; s < RUN_STATE__COUNT; s++) {
		if (!run_state_live((enum run_state)s))
			continue;
		ok(run_transition_allowed((enum run_state)s, RUN_KILLED));
		ok(run_transition_allowed((enum run_state)s, RUN_FAILED));
		if (s != RUN_PAUSED)
			ok(run_transition_allowed((enum run_state)s, RUN_PAUSED));
	}
}

static void
names_round_trip(void)
{
	enum run_state s;
	enum run_phase p;

	for (int i = 0; i < RUN_STATE__COUNT; i++) {
		is_int(run_state_from_name(run_state_name((enum run_state)i), &s), 0);
		is_int(s, i);
	}
	ok(run_state_from_name("sleeping", &s) != 0);
	is_int(run_phase_from_name("tools", &p), 0);
	is_int(p, RUN_PHASE_TOOLS);
	is_str(run_wait_name(RUN_WAIT_OPERATOR), "operator");
	ok(!run_state_live(RUN_DONE));
	ok(run_state_live(RUN_AWAITING_HUMAN));
}

#define TESTS(X) \
	X(table_allows_design_transitions) \
	X(table_refuses_everything_else) \
	X(every_live_state_can_be_killed_and_paused) \
	X(names_round_trip)
T_MAIN(TESTS)
