#!/usr/bin/env bash
# agentctl against a real agentd running the demo agents.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts on a private socket dir"

hello=$(ctl hello --json)
is "$(echo "$hello" | jq -r .protocol)" 1 "hello reports protocol 1"
is "$(echo "$hello" | jq -r .role)" admin "our own uid is an admin"

agents=$(ctl agents --json)
is "$(echo "$agents" | jq '.agents | length')" 6 "the six demo agents load"
is "$(echo "$agents" | jq '.errors | length')" 0 "no agent file is rejected"

run=$(ctl submit support-triage "Customer 881 wants a refund")
ok $? "submit prints the run id"
like "$run" '^r-[0-9a-z]{10}$' "the run id looks like r-xxxxxxxxxx"
wait_state "$run" done 20; ok $? "support-triage finishes"

show=$(ctl show "$run" --json)
for key in id agent state reason usage budget transitions spans; do
  is "$(echo "$show" | jq "has(\"$key\")")" true "show --json has $key"
done
for kind in llm_calls tool_calls tokens_in tokens_out cost_usd wall_ms; do
  is "$(echo "$show" | jq "(.usage | has(\"$kind\")) and (.budget | has(\"$kind\"))")" true "usage and budget have $kind"
done
is "$(echo "$show" | jq '.usage.llm_calls')" 4 "four model calls were made"
is "$(echo "$show" | jq '[.spans[] | select(.kind == "tool")] | length')" 3 "three tool spans"
is "$(echo "$show" | jq '[.spans[] | select(.status != "ok")] | length')" 0 "every span ended ok"
is "$(echo "$show" | jq -r '.transitions[-1] | "\(.from)>\(.to):\(.reason)"')" "executing>done:final answer" "last transition is to done with its reason"
is "$(echo "$show" | jq '[.transitions[].seq] | sort == . and length == 2')" true "transitions carry increasing seqs"

human=$(ctl show "$run")
like "$human" "support-triage" "human show names the agent"
like "$human" "kb_search" "human show lists the spans"

runs=$(ctl runs --json)
is "$(echo "$runs" | jq --arg r "$run" '[.[] | select(.id == $r)] | length')" 1 "runs lists the run"
table=$(ctl runs)
like "$table" "$run" "runs table shows the run"

events=$(ctl events --run "$run")
is "$(echo "$events" | jq -s 'all(has("seq") and has("ts") and has("type") and has("run"))')" true "event lines carry seq, ts, type, run"
is "$(echo "$events" | jq -s '[.[].seq] == ([.[].seq] | sort) and ([.[].seq] | unique | length) == length')" true "events come in strictly increasing seq"
is "$(echo "$events" | jq -s '[.[] | select(.type == "span.start")] | length')" 7 "every span has a span.start"

hist=$(ctl history --grep "Customer 881" --json)
is "$(echo "$hist" | jq -r '.[0].id')" "$run" "history --grep finds the finished run"
is "$(ctl history --agent deploy --json | jq length)" 0 "history --agent filters"
is "$(ctl history --state done --json | jq length)" 1 "history --state filters"

out=$(ctl submit no-such-agent "x" 2>&1); s=$?
is "$s" 1 "an unknown agent is exit status 1"
like "$out" '^agentctl: not_found: unknown agent "no-such-agent"' "with a one-line error naming it"
is "$(printf '%s\n' "$out" | wc -l)" 1 "exactly one line"
out=$(ctl show r-0000000000 2>&1); s=$?
is "$s" 1 "an unknown run is exit status 1"
like "$out" 'not_found' "with a not_found error"
out=$(ctl bogus 2>&1); s=$?
is "$s" 2 "an unknown command is a usage error (2)"
out=$("$AGENTCTL" --socket-dir "$T/nowhere" runs 2>&1); s=$?
is "$s" 3 "no daemon is exit status 3"
like "$out" "nowhere" "and the error names the socket"

health=$(ctl health --json)
is "$(echo "$health" | jq .killswitch)" false "health says the kill switch is off"
ok "$(echo "$health" | jq '.uptime_ms >= 0 and .events_committed > 0' | grep -qx true; echo $?)" "health has uptime and event counts"

like "$(ctl health)" "p95_step_latency_ms +([0-9.]+m?s|-) +alert above 2.0s, ([0-9]+ samples?|no samples yet)" \
  "agentctl health shows each metric on a line, with its threshold"

stop_agentd; ok $? "SIGTERM stops agentd cleanly"
done_testing
