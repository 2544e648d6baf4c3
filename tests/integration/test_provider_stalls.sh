#!/usr/bin/env bash
# Streams that stop sending, against the fake provider: a silent stream is
# cut after the endpoint's idle timeout and retried; a slow stream that
# keeps sending outlives the per-attempt timeout (which bounds the wait for
# its head); a pause shows on the run as the "stalled" wait and goes back to
# "model" when data comes again. Also health's last error and its time.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/fake.sh"
start_fake
waits_of() { ctl events --run "$1" --type run.waiting | jq -r .on | tr '\n' ' '; }

[ -n "$PORT" ]; ok $? "the fake provider listens on 127.0.0.1"

# ---- (a) a stream that goes silent is cut after the idle timeout -------------
start_with OPENAI_IDLE_TIMEOUT_MS=2000
ok $? "agentd starts with a 2 s idle timeout"
faults '[{"kind":"stall","after_events":3}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 30; ok $? "a stream that goes silent for good: the run still ends done"
retry=$(ctl events --run "$r" --type llm.retry | head -1)
is "$(echo "$retry" | jq -r .reason)" "no data for 2 s in the stream" \
  "the attempt was cut after the idle timeout, and the retry says why"
is "$(llm_spans "$r" | jq -s -c '[.[].attempts]')" "[2,1,1,1]" \
  "the silent attempt was retried once"
like "$(waits_of "$r")" "^queue model stalled backoff model " \
  "the run showed the silence as stalled before the retry"
h=$(ctl health --json | jq -c '.providers[] | select(.name == "openai")')
is "$(echo "$h" | jq -r .last_error)" "no data for 2 s in the stream" \
  "health's last error is the silence"
now=$(date +%s%3N)
is "$(echo "$h" | jq --argjson now "$now" \
  '.last_error_ms > $now - 120000 and .last_error_ms <= $now + 1000')" true \
  "and says when it happened (last_error_ms)"
like "$(ctl health)" "openai .*last error [0-9.]+s ago: no data for 2 s" \
  "agentctl health says how long ago"
stop_agentd

# ---- (b) a slow stream that keeps sending is not cut -------------------------
start_with OPENAI_TIMEOUT_MS=1500
ok $? "agentd restarts with a 1.5 s per-attempt timeout"
faults '[{"kind":"slow","latency_ms":200,"stream_ms":4000}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 30; ok $? "a stream spread over 4 s ends done"
is "$(ctl events --run "$r" --type llm.retry | jq -s length)" 0 \
  "it was not cut by the 1.5 s timeout (no retry)"
s=$(llm_spans "$r" | head -1)
is "$(echo "$s" | jq -c '[.attempts, .streamed]')" "[1,true]" "one streamed attempt"
[ "$(echo "$s" | jq .latency_ms)" -ge 3500 ]; ok $? "which took longer than the timeout ($(echo "$s" | jq .latency_ms) ms)"
faults '[{"kind":"hang"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 30; ok $? "a server that sends no head still times out"
is "$(ctl events --run "$r" --type llm.retry | jq -r .reason)" \
  "no complete response within 1500 ms" "after the per-attempt timeout"
stop_agentd

# ---- (c) a pause shows as the stalled wait, then goes back -------------------
# idle 20 s: stalled shows after min(5 s, idle/2) = 5 s of silence; the
# stream goes on after 10 s. A busy machine has 5 s to see the stall and
# 10 s before the idle timeout would cut the stream.
start_with OPENAI_IDLE_TIMEOUT_MS=20000
ok $? "agentd restarts with a 20 s idle timeout"
faults '[{"kind":"stall","after_events":3,"stall_ms":10000}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
w=
for _ in $(seq 1 200); do
  w=$(ctl show "$r" --json | jq -c '.waiting')
  [ "$(echo "$w" | jq -r .on)" = stalled ] && break
  sleep 0.1
done
is "$(echo "$w" | jq -r '.on + " " + .detail')" "stalled openai:support-triage" \
  "a stream silent for a few seconds: the run waits on stalled, naming the model"
now=$(date +%s%3N)
since=$(echo "$w" | jq ".since_ms // 0")
[ $((now - since)) -ge 4000 ]; ok $? "since the stream's last data ($((now - since)) ms ago)"
like "$(ctl runs | awk -v r="$r" '$1 == r')" "stalled [0-9]" "agentctl runs shows it"
like "$(ctl show "$r")" "waiting +no data for [0-9.]+s from openai:support-triage" \
  "agentctl show says how long no data came"
is "$(state_of "$r")" executing "the run is still executing"
wait_state "$r" done 30; ok $? "the stream goes on and the run ends done"
like "$(waits_of "$r")" "^queue model stalled model " \
  "when data came again the run went back to the model wait"
is "$(ctl events --run "$r" --type run.waiting | jq -s '[.[] | select(.on == "stalled")] | length')" 1 \
  "one event for the stall, not one per second"
ev=$(ctl events --run "$r" --type run.waiting | jq -s -c '[.[] | select(.on == "model")][1]')
first=$(ctl events --run "$r" --type run.waiting | jq -s -c '[.[] | select(.on == "model")][0]')
is "$(echo "$ev" | jq --argjson f "$first" '.since_ms - $f.since_ms < 1000')" true \
  "the model wait goes on from when the attempt went out"
is "$(ctl events --run "$r" --type llm.retry | jq -s length)" 0 "a pause is not a retry"
is "$(llm_spans "$r" | jq -s '.[0].attempts')" 1 "one attempt"

# agentop's run detail says it too (the detail is open before the stall shows)
if command -v tmux >/dev/null; then
  start_agentop
  faults '[{"kind":"stall","after_events":3,"stall_ms":10000}]'
  r=$(ctl submit support-triage "stall in agentop" --model openai:support-triage)
  open_run "$r"
  wait_screen "waits +on openai:support-triage: no data for [0-9.]+s \(the stream stalled\)" 20
  ok $? "agentop's run detail shows how long no data came"
  wait_state "$r" done 30; ok $? "and the run ends done"
  keys q; sleep 0.2; keys q
  stop_agentop
fi
stop_agentd

done_testing
