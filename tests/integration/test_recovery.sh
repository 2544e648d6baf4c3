#!/usr/bin/env bash
# kill -9 in the middle of live runs: after a restart every live run
# resumes from its checkpoint and finishes, no committed event is lost and
# no seq is duplicated; a pending escalation stays pending.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"
gate=$(ctl submit deploy "deploy during a crash")
wait_state "$gate" awaiting_human 30; ok $? "an escalation is pending"
esc=$(pending_escalation "$gate")
runs=()
for i in 1 2 3 4 5; do runs+=("$(ctl submit support-triage "ticket $i")"); done
sleep 1	# each run takes about 3 s: all are mid-flight
ctl events --since 0 > "$T/before.jsonl"
crash_agentd; ok 0 "agentd killed with SIGKILL mid-run"
live=0
for r in "${runs[@]}"; do
  run_reached "$T/before.jsonl" "$r" done || live=$((live + 1))
done
ok $([ "$live" -gt 0 ]; echo $?) "$live of 5 runs were live at the crash"

start_agentd; ok $? "agentd restarts on the same data"
# a run that was inside ticket_update (side effects, not idempotent) when
# it died must not run it again blindly: it asks an operator, who answers
unknown=0
for r in "${runs[@]}"; do
  for _ in $(seq 1 300); do
    s=$(state_of "$r")
    [ "$s" = done ] && break
    if [ "$s" = awaiting_human ]; then
      e=$(ctl escalations --json | jq -r --arg r "$r" '.[] | select(.run == $r) | .id')
      reason=$(ctl escalations --json | jq -r --arg r "$r" '.[] | select(.run == $r) | .reason')
      like "$reason" "outcome is unknown" "run $r: a call cut by the crash is an escalation"
      ctl reject "$e" --reason "checked by hand: the ticket was updated" >/dev/null
      unknown=$((unknown + 1))
    fi
    sleep 0.1
  done
  is "$(state_of "$r")" done "run $r finishes after the restart"
done
diag "$unknown run(s) were inside a side effect at the crash"
is "$(state_of "$gate")" awaiting_human "the escalated run still waits"
is "$(ctl escalations --json | jq -r --arg e "$esc" '.[] | select(.id == $e) | .state')" pending "its escalation is still pending, not approved"
ctl approve "$esc" >/dev/null; ok $? "it can be approved after the restart"
wait_state "$gate" done 20; ok $? "and finishes"

ctl events --since 0 > "$T/after.jsonl"
is "$(jq -s '[.[].seq] | length == (unique | length)' "$T/after.jsonl")" true "no seq is duplicated"
is "$(jq -s '[.[].seq] == ([.[].seq] | sort)' "$T/after.jsonl")" true "seqs are in order"
missing=$(jq -c . "$T/before.jsonl" | sort > "$T/b"; jq -c . "$T/after.jsonl" | sort > "$T/a"; comm -23 "$T/b" "$T/a" | wc -l)
is "$missing" 0 "every event committed before the crash is still there, unchanged"

# a clean stop (SIGTERM) with live runs: checkpointed, resumed at the next start
late=$(ctl submit support-triage "stopped politely")
sleep 0.5
stop_agentd; ok $? "SIGTERM stops agentd with a live run (exit status 0)"
grep -Eq "[1-9][0-9]* live runs checkpointed" "$T/agentd.log"; ok $? "it says the live runs were checkpointed"
start_agentd; ok $? "agentd starts again"
wait_state "$late" done 20; ok $? "the run resumes and finishes"
stop_agentd
done_testing
