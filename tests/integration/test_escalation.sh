#!/usr/bin/env bash
# The deploy agent asks for a critical tool: approve one, reject another,
# approve with edited arguments; decisions are consumed exactly once.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"

a=$(ctl submit deploy "Roll out checkout-api v2.4.1")
wait_state "$a" awaiting_human 20; ok $? "deploy waits for an operator"
esc=$(pending_escalation "$a"); ok $? "the escalation is listed"
e=$(ctl escalations --json | jq --arg e "$esc" '.[] | select(.id == $e)')
is "$(echo "$e" | jq -r .tool)" deploy_service "it names the tool"
is "$(echo "$e" | jq -r .risk)" critical "and its risk"
is "$(echo "$e" | jq -r .args.version)" v2.4.1 "and the exact arguments"
like "$(echo "$e" | jq -r .context)" "deploy.*checkout-api" "it says what the agent was doing"
like "$(echo "$e" | jq -r .decision)" "approve" "and the decision needed"
ok "$(echo "$e" | jq '.deadline_ms > .created_ms' | grep -qx true; echo $?)" "it has a deadline"
is "$(ctl show "$a" --json | jq -r .waiting.on)" operator "the run says it waits on an operator"
like "$(ctl escalations)" "$esc" "the escalations table shows it"

ctl approve "$esc" >/dev/null; ok $? "approve"
out=$(ctl approve "$esc" 2>&1); s=$?
is "$s" 1 "a second decision fails"
like "$out" "already decided" "saying it was already decided"
wait_state "$a" done 20; ok $? "the approved deploy finishes"
like "$(ctl show "$a" --json | jq -r .output)" "deployed to production" "and reports the rollout"

b=$(ctl submit deploy "Roll out checkout-api v2.4.1 again")
wait_state "$b" awaiting_human 20
esc=$(pending_escalation "$b")
out=$(ctl reject "$esc" 2>&1); s=$?
ok $([ $s -ne 0 ]; echo $?) "reject without a reason is refused"
ctl reject "$esc" --reason "change freeze until Monday" >/dev/null; ok $? "reject with a reason"
wait_state "$b" done 20; ok $? "the rejected run finishes"
show=$(ctl show "$b" --json)
like "$(echo "$show" | jq -r .output)" "not made" "the agent saw the rejection"
like "$(echo "$show" | jq -r '[.messages[] | select(.role == "tool")][-1].content')" "change freeze until Monday" "the reason reached the agent"
is "$(echo "$show" | jq '.usage.tool_calls')" 1 "the rejected tool never ran"

c=$(ctl submit deploy "Roll out, carefully")
wait_state "$c" awaiting_human 20
esc=$(pending_escalation "$c")
out=$(ctl approve "$esc" --args '{"service":"checkout-api","version":"latest","env":"staging"}' 2>&1); s=$?
is "$s" 1 "edited arguments that break the schema are refused"
like "$out" "version" "naming the field"
out=$(ctl approve "$esc" --args '{not json' 2>&1); s=$?
ok $([ $s -ne 0 ]; echo $?) "edited arguments that are not JSON are refused"
ctl approve "$esc" --args '{"service":"checkout-api","version":"v2.4.1","env":"staging","strategy":"rolling"}' >/dev/null
ok $? "approve with edited arguments"
wait_state "$c" done 20; ok $? "the edited deploy finishes"
is "$(ctl show "$c" --json | jq -r '[.spans[] | select(.name == "deploy_service")][0].args.env')" staging "the tool ran with the edited arguments"

stop_agentd
done_testing
