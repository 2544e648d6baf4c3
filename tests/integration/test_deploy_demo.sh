#!/usr/bin/env bash
# The demo deploy agent acts on its task (service, version, environment)
# and its answer names what ran: the operator's edited arguments when they
# were edited (examples/agents/scenarios/deploy.json, docs/agents.md).
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"

# answer RUN: its final output once done
answer() { wait_state "$1" done 30 && ctl show "$1" --json | jq -r .output; }
# escalation_args RUN: the pending escalation's arguments, compact
escalation_args() {
  local esc
  esc=$(pending_escalation "$1") || return 1
  ctl escalations --json | jq -c --arg e "$esc" '.[] | select(.id == $e) | .args'
}

a=$(ctl submit deploy "Roll out cart-api v3.1.0 to staging")
wait_state "$a" awaiting_human 30; ok $? "the deploy waits for an operator"
is "$(escalation_args "$a")" '{"service":"cart-api","version":"v3.1.0","env":"staging","strategy":"canary"}' \
  "it asks to deploy the service, version and environment of its task"
is "$(ctl show "$a" --json | jq -c '[.spans[] | select(.name == "check_health")][0].args')" \
  '{"service":"cart-api","env":"staging"}' "after checking that service's health there"
esc=$(pending_escalation "$a")
ctl approve "$esc" --args '{"service":"cart-api","version":"v3.1.1","env":"staging","strategy":"rolling"}' >/dev/null
ok $? "approve with an edited version and strategy"
out=$(answer "$a")
is "$out" "cart-api v3.1.1 is deployed to staging (rolling, 6 replicas)." \
  "the answer names the edited version and strategy"
ok "$(printf '%s' "$out" | grep -q 'v3\.1\.0'; [ $? -ne 0 ]; echo $?)" "not the one the agent asked for"

b=$(ctl submit deploy "Roll out billing v1.0.0 to production")
wait_state "$b" awaiting_human 30
ctl approve "$(pending_escalation "$b")" >/dev/null; ok $? "approve as asked"
is "$(answer "$b")" "billing v1.0.0 is deployed to production (canary, 6 replicas)." \
  "the answer names the task's service, version and environment"

c=$(ctl submit deploy "Roll out search-api v0.9.0 to staging")
wait_state "$c" awaiting_human 30
ctl approve "$(pending_escalation "$c")" --args '{"service":"search-api","version":"v0.9.0","env":"production"}' >/dev/null
ok $? "approve to another environment, without a strategy"
is "$(answer "$c")" "search-api v0.9.0 is deployed to production (default strategy, 6 replicas)." \
  "the answer says where it went and that no strategy was given"

d=$(ctl submit deploy "Roll out search-api v0.9.1 to staging")
wait_state "$d" awaiting_human 30
ctl reject "$(pending_escalation "$d")" --reason "freeze" >/dev/null; ok $? "reject"
is "$(answer "$d")" "The rollout of search-api v0.9.1 to staging was not made (not approved). Nothing changed." \
  "the answer says which rollout was not made"

e=$(ctl submit deploy "ship it")
wait_state "$e" awaiting_human 30
is "$(escalation_args "$e")" '{"service":"checkout-api","version":"v2.4.1","env":"production","strategy":"canary"}' \
  "a task that names nothing gets the scenario's defaults"
ctl kill "$e" >/dev/null

stop_agentd
done_testing
