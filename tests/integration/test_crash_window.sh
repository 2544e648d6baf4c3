#!/usr/bin/env bash
# kill -9 in the window of an action (issue 10, point 9): 20 trials in which
# agentd dies right after the Nth commit counted from a submit or a decision
# (AGENTD_FAULT_KILL_AT_COMMIT, a test hook), before it answers. The client
# resends the same request id to the restarted daemon, as nng's REQ does:
# it gets the answer, exactly one run exists, the decision is applied once
# and audited once.
. "$(dirname "$0")/lib.sh"

req() {	# req JSON: one request on the raw socket, the reply on stdout
  nngcat --req --connect "ipc://$SOCK/ctl.sock" --data "$1" --ascii \
    --recv-timeout 5 2>/dev/null | head -c 4000
}

# send_then_die JSON: sends it, waits for the fault (or kills agentd after
# 2 s if the Nth commit did not come: still a kill -9 in mid-flight)
send_then_die() {
  nngcat --req --connect "ipc://$SOCK/ctl.sock" --data "$1" --ascii \
    --recv-timeout 4 >"$T/first" 2>/dev/null &
  local client=$!
  for _ in $(seq 1 20); do
    kill -0 "$AGENTD_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$AGENTD_PID" 2>/dev/null && kill -9 "$AGENTD_PID"
  wait "$AGENTD_PID" 2>/dev/null
  AGENTD_PID=
  kill "$client" 2>/dev/null
  wait "$client" 2>/dev/null
}

audited() {	# audited OP TEXT: operator.action events of OP whose detail has TEXT
  ctl events --type operator.action --json 2>/dev/null |
    jq -s --arg op "$1" --arg t "$2" \
      '[.[] | select(.op == $op and .result == "ok" and (.detail | contains($t)))] | length'
}

for k in $(seq 1 10); do
  start_agentd AGENTD_FAULT_KILL_AT_COMMIT=runs.submit:$k || exit 1
  body="{\"v\":1,\"type\":\"runs.submit\",\"id\":$((910000 + k)),\"body\":{\"agent\":\"support-triage\",\"task\":\"crash trial $k\"}}"
  send_then_die "$body"
  start_agentd || exit 1
  reply=$(req "$body")
  is "$(printf '%s' "$reply" | jq -r .ok)" true "submit trial $k: the resent request is answered"
  runs=$(ctl history --grep "crash trial $k" --json | jq --arg t "crash trial $k" '[.[] | select(.task == $t)] | length')
  is "$runs" 1 "submit trial $k: exactly one run"
  first=$(jq -r '.body.run.id // empty' "$T/first" 2>/dev/null)
  [ -n "$first" ] && is "$(printf '%s' "$reply" | jq -r .body.run.id)" "$first" \
    "submit trial $k: the same run as the first answer"
  is "$(audited runs.submit "crash trial $k")" 1 "submit trial $k: audited once"
  crash_agentd
done

# ten rollouts waiting for approval, made ready in one go
start_agentd || exit 1
declare -a runs escs
for k in $(seq 1 10); do
  runs[$k]=$(ctl submit deploy "Roll out checkout-api v2.4.$k to production" --json | jq -r .id)
done
for k in $(seq 1 10); do
  escs[$k]=$(pending_escalation "${runs[$k]}")
done
stop_agentd

for k in $(seq 1 10); do
  run=${runs[$k]} esc=${escs[$k]}
  start_agentd AGENTD_FAULT_KILL_AT_COMMIT=escalations.decide:$k || exit 1
  body="{\"v\":1,\"type\":\"escalations.decide\",\"id\":$((920000 + k)),\"body\":{\"escalation\":\"$esc\",\"decision\":\"approve\"}}"
  send_then_die "$body"
  start_agentd || exit 1
  reply=$(req "$body")
  is "$(printf '%s' "$reply" | jq -r .ok)" true "decide trial $k: the resent decision is answered, not a conflict"
  is "$(printf '%s' "$reply" | jq -r .body.escalation.state)" approved "decide trial $k: approved"
  is "$(audited escalations.decide "$esc")" 1 "decide trial $k: audited once"
  # the run goes on: to its end, or, if agentd died after the rollout's
  # intent was committed, to a new escalation: the outcome is unknown and
  # the trace shows the call (point 10)
  for _ in $(seq 1 100); do
    d=$(ctl show "$run" --json)
    [ "$(jq -r .escalation <<<"$d")" != "$esc" ] && break
    sleep 0.1
  done
  if [ "$(jq -r .state <<<"$d")" = awaiting_human ]; then
    again=$(jq -r .escalation <<<"$d")
    like "$(ctl escalations --json | jq -r --arg e "$again" '.[] | select(.id == $e) | .reason')" \
      "outcome is unknown" "decide trial $k: died in the rollout: a new escalation, outcome unknown"
    is "$(jq -r '[.spans[] | select(.name == "deploy_service")][0].status' <<<"$d")" unknown \
      "decide trial $k: the rollout's span is in the trace, ended unknown"
  else
    like "$(jq -r .state <<<"$d")" "executing|reflecting|done" "decide trial $k: the run goes on"
  fi
  crash_agentd
done

done_testing
