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

# Text from agentd reaches the terminal escaped (ESC as \x1b, C1 as \xc2\x9b),
# --json has it exactly: a task that would clear the screen, set the window
# title and start a C1 sequence
hostile=$'Roll out checkout-api v2.4.1\e[2J\e]0;pwned\a now\xc2\x9b31m\x7f\ttab'
# raw_controls: stdin holds a byte a terminal acts on (C0 but newline and
# tab, DEL, a C1 control)
raw_controls() { LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\\|\xc2[\x80-\x9f]'; }
h=$(ctl submit deploy "$hostile"); ok $? "a task full of control characters is accepted"
wait_state "$h" awaiting_human 20
is "$(ctl --json show "$h" | jq -j .task)" "$hostile" "show --json has the task exactly"
out=$(ctl show "$h")
ok "$(raw_controls <<<"$out"; [ $? -ne 0 ]; echo $?)" "show prints no raw control character"
like "$out" 'task +Roll out checkout-api v2\.4\.1\\x1b\[2J\\x1b\]0;pwned\\x07 now\\xc2\\x9b31m\\x7f\\x09tab$' \
  "show prints them as \\xHH"
for cmd in runs history escalations; do
  out=$(ctl $cmd)
  ok "$(raw_controls <<<"$out"; [ $? -ne 0 ]; echo $?)" "$cmd prints no raw control character"
done
like "$(ctl escalations)" 'pwned\\x07' "escalations shows the task escaped"
out=$(ctl events --run "$h")
ok "$(raw_controls <<<"$out"; [ $? -ne 0 ]; echo $?)" "events lines carry no raw control character"
is "$(jq -sj '[.[] | select(.type == "run.submitted")][0].task' <<<"$out")" "$hostile" \
  "and still hold the exact task as JSON"
ok "$(ctl --json events --run "$h" | LC_ALL=C grep -q $'\xc2\x9b'; echo $?)" "events --json is byte-exact"
ctl kill "$h" --reason "$hostile" >/dev/null; ok $? "kill with such a reason"
out=$(ctl show "$h")
ok "$(raw_controls <<<"$out"; [ $? -ne 0 ]; echo $?)" "the reason is shown escaped too"
out=$(ctl submit "$hostile" x 2>&1); s=$?
is "$s" 1 "an agent named so is unknown"
ok "$(raw_controls <<<"$out"; [ $? -ne 0 ]; echo $?)" "and the error echoing it is escaped"
like "$out" '^agentctl: not_found: .*pwned\\x07' "on one line"

stop_agentd; ok $? "SIGTERM stops agentd cleanly"
done_testing
