#!/usr/bin/env bash
# Operator controls: pause, resume, kill, the global kill switch.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"

r=$(ctl submit runaway "wait for the nightly ETL")
sleep 0.3
ctl pause "$r" >/dev/null; ok $? "pause"
wait_state "$r" paused 10; ok $? "the run holds"
is "$(ctl show "$r" --json | jq -r .waiting.on)" pause "it says it waits on pause"
steps=$(ctl show "$r" --json | jq .step)
sleep 1.5
is "$(ctl show "$r" --json | jq .step)" "$steps" "a paused run makes no progress"
ctl resume "$r" >/dev/null; ok $? "resume"
moved=1
for _ in $(seq 1 100); do
  [ "$(ctl show "$r" --json | jq .step)" -gt "$steps" ] && { moved=0; break; }
  sleep 0.1
done
ok $moved "the resumed run goes on"
ctl kill "$r" --reason "runaway" >/dev/null; ok $? "kill"
is "$(state_of "$r")" killed "the run is killed at once"
like "$(ctl show "$r" --json | jq -r .reason)" "runaway" "with the operator's reason"
out=$(ctl kill "$r" 2>&1); s=$?
is "$s" 1 "killing a finished run fails"
like "$out" "already killed" "and says so"

loop=$(ctl submit runaway "poll again")
wait_state "$loop" failed 30; ok $? "the runaway agent is stopped"
like "$(ctl show "$loop" --json | jq -r .reason)" "^loop:job_status" "by the loop guard"
spend=$(ctl submit spendthrift "summarise the annual report")
wait_state "$spend" failed 30; ok $? "the spendthrift agent is stopped"
is "$(ctl show "$spend" --json | jq -r .reason)" "budget:cost_usd" "by its cost budget"
ev=$(ctl events --run "$spend" --type budget.)
is "$(echo "$ev" | jq -s -c '[.[] | select(.kind == "cost_usd") | .level]')" "[50,80,100]" "after warnings at 50% and 80%"
ok "$(ctl show "$spend" --json | jq '.usage.cost_usd <= .budget.cost_usd' | grep -qx true; echo $?)" "without overspending"

x=$(ctl submit deploy "ship")
y=$(ctl submit support-triage "ticket")
sleep 0.3
out=$(ctl killswitch on --reason "incident 7")
ok $? "kill switch on"
is "$(state_of "$x")" killed "it kills every live run"
is "$(state_of "$y")" killed "all of them"
out=$(ctl submit support-triage "another" 2>&1); s=$?
is "$s" 1 "new runs are refused"
like "$out" "killswitch" "because of the kill switch"
is "$(ctl health --json | jq .killswitch)" true "health shows it engaged"
ctl killswitch off >/dev/null; ok $? "kill switch off"
z=$(ctl submit support-triage "after the incident"); ok $? "runs are accepted again"
wait_state "$z" done 20; ok $? "and finish"

stop_agentd
done_testing
