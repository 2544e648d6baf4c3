#!/usr/bin/env bash
# Reasoning models against the fake provider (tests/data/reasoning/
# thinker.json): the reasoning is kept in the transcript and the trace,
# counted, streamed live as llm.delta marked "reasoning", and sent back the
# way each API requires (the fake answers 400 as the real APIs do when it is
# not); a reasoning-only answer cut by max_tokens reaches the engine as one.
# And every streamed answer is published live to its last byte (the tail
# after the last 100 ms tick too).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/fake.sh"
cp "$SRCDIR/tests/data/reasoning/thinker.json" "$AGENTS/scenarios/"
jq '.name = "thinker" | .model = "openai:thinker" | .max_tokens = 4096
    | .budget.tokens_out = 50000
    | .tools = [.tools[] | select(.name == "kb_search" or .builtin == "clock_now")]' \
  "$SRCDIR/examples/agents/support-triage.json" >"$AGENTS/thinker.json"
SCEN=$SRCDIR/tests/data/reasoning/thinker.json
R0=$(jq -r '.turns[0].reasoning' "$SCEN")
R1=$(jq -r '.turns[1].reasoning' "$SCEN")
R2=$(jq -r '.turns[2].reasoning' "$SCEN")
ANSWER=$(jq -r '.turns[2].text' "$SCEN")

start_with() {
  start_agentd OPENAI_API_KEY="$KEY_OPENAI" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
    ANTHROPIC_API_KEY="$KEY_ANTHROPIC" ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" \
    OPENAI_TIMEOUT_MS=20000 ANTHROPIC_TIMEOUT_MS=20000 ANTHROPIC_THINKING_BUDGET=2048 "$@"
}
# stop_checked: SIGTERM; agentd must exit 0 (under ASan: no leak either)
stop_checked() {
  local s
  stop_agentd; s=$?
  ok $s "agentd stops cleanly (status $s)"
  [ $s -eq 0 ] || grep -A12 -m1 "Sanitizer" "$T/agentd.log" | sed 's/^/# /'
}
assistant() { ctl show "$1" --json | jq -c '[.messages[] | select(.role == "assistant")]'; }
# follow_deltas FILE: live events into FILE from now on; returns once the
# follower is subscribed (it printed a run submitted after it started), as
# llm.delta events are never refilled
follow_deltas() {
  local probe
  "$AGENTCTL" --socket-dir "$SOCK" events --follow >"$1" 2>&1 &
  FOLLOWER=$!
  probe=$(ctl submit support-triage "probe")
  for _ in $(seq 1 100); do grep -q "$probe" "$1" && break; sleep 0.1; done
  ctl kill "$probe" >/dev/null 2>&1
}
stop_follow() { sleep 0.5; kill "$FOLLOWER" 2>/dev/null; wait "$FOLLOWER" 2>/dev/null; }
# deltas FILE RUN SPAN KIND: the concatenated text of RUN's llm.delta events of
# SPAN, answer (KIND false) or reasoning (true)
deltas() {
  jq -s -r --arg r "$2" --arg s "$3" --argjson k "$4" \
    '[.[] | select(.type == "llm.delta" and .run == $r and .span == $s and
      ((.reasoning // false) == $k)) | .text] | add // ""' "$1"
}

start_fake
[ -n "$PORT" ]; ok $? "the fake provider listens"
start_with; ok $? "agentd starts with the fake endpoints"

# ---- OpenAI-compatible, streamed --------------------------------------------
follow_deltas "$T/d1"
r=$(ctl submit thinker "refund for T-4821")
wait_state "$r" done 30; ok $? "openai: a reasoning model's run ends done"
stop_follow
is "$(ctl show "$r" --json | jq -r .output)" "$ANSWER" "the output is the answer, not the reasoning"
msgs=$(assistant "$r")
is "$(echo "$msgs" | jq -r '.[0].reasoning')" "$R0" "the transcript keeps each turn's reasoning"
is "$(echo "$msgs" | jq -c '[.[].reasoning_bytes]')" \
  "[$(printf %s "$R0" | wc -c),$(printf %s "$R1" | wc -c),$(printf %s "$R2" | wc -c)]" \
  "with its size in bytes"
is "$(echo "$msgs" | jq -c '[.[].reasoning_truncated] | unique')" '[false]' "not cut (under 16 KiB)"
is "$(echo "$msgs" | jq '[.[] | has("send_back")] | any')" false \
  "runs.get does not return what goes back to the model"
spans=$(llm_spans "$r")
is "$(echo "$spans" | jq -s -c '[.[] | .reasoning_tokens > 0] | unique')" '[true]' \
  "span.end counts reasoning_tokens as the server reported them"
is "$(echo "$spans" | jq -s -c '[.[].reasoning_bytes]')" "$(echo "$msgs" | jq -c '[.[].reasoning_bytes]')" \
  "and says how much reasoning there was"
is "$(ctl events --run "$r" --type run.message | jq -r 'select(.role == "assistant") | .reasoning' | head -1)" \
  "$R0" "run.message carries a preview of the reasoning"
like "$(ctl show "$r")" "thinking [0-9.]+k? tok" "agentctl show counts the thinking of each model call"
reqs=$(requests | jq -c '[.[] | select(.path == "/v1/chat/completions" and .body.model == "thinker")]')
is "$(echo "$reqs" | jq -r '.[2].body.messages[2].reasoning_content')" "$R0" \
  "the next requests send each turn's reasoning_content back (DeepSeek requires it after tool calls)"
is "$(echo "$reqs" | jq -c '[.[].status] | unique')" "[200]" "the fake's check passed on every request"
# live: one event holds one kind; everything streamed arrives, to the last byte
s1=$(echo "$spans" | jq -s -r '.[0].span')
s3=$(echo "$spans" | jq -s -r '.[2].span')
n=$(jq -s --arg r "$r" '[.[] | select(.type == "llm.delta" and .run == $r and .reasoning == true)] | length' "$T/d1")
[ "$n" -ge 3 ]; ok $? "reasoning streams live as llm.delta marked \"reasoning\": true ($n events)"
is "$(deltas "$T/d1" "$r" "$s1" true)" "$R0" "turn 1: the reasoning deltas add up to the reasoning"
is "$(deltas "$T/d1" "$r" "$s1" false)" "Let me check the policy." "turn 1: the answer deltas add up to the answer"
is "$(deltas "$T/d1" "$r" "$s3" false)" "$ANSWER" \
  "the last answer arrives whole, its tail after the last 100 ms tick included"
like "$(jq -s -r --arg r "$r" --arg s "$s3" \
  '[.[] | select(.type == "llm.delta" and .run == $r and .span == $s)
   | if .reasoning then "r" else "t" end] | join("")' "$T/d1")" \
  "^r+t+$" "the reasoning comes first, then the answer: one event holds one kind"
is "$(jq -s -r --arg r "$r" --arg s "$s3" '[.[] | select(.type == "llm.delta" and .run == $r
  and .span == $s and .reasoning != true)] | last | .total_bytes' "$T/d1")" \
  "$(printf %s "$ANSWER" | wc -c)" "total_bytes counts the answer's bytes"

# ---- Anthropic, streamed: thinking blocks go back with their signatures ---------
follow_deltas "$T/d2"
r=$(ctl submit thinker "refund for T-4821" --model anthropic:thinker)
wait_state "$r" done 30; ok $? "anthropic: a thinking model's run ends done (the fake checked the blocks)"
stop_follow
reqs=$(requests | jq -c '[.[] | select(.path == "/v1/messages" and .body.model == "thinker")]')
is "$(echo "$reqs" | jq -c '[.[].status] | unique')" "[200]" "no request was refused"
is "$(echo "$reqs" | jq -S -c '[.[].body.thinking] | unique')" '[{"budget_tokens":2048,"type":"enabled"}]' \
  "ANTHROPIC_THINKING_BUDGET asks for extended thinking"
is "$(echo "$reqs" | jq -c '[.[1].body.messages[1].content[].type]')" '["thinking","text","tool_use"]' \
  "the next request has the turn's thinking block first"
like "$(echo "$reqs" | jq -r '.[2].body.messages[3].content[0].signature')" "^fakesig_" "with its signature"
is "$(echo "$reqs" | jq -r '.[2].body.messages[3].content[0].thinking')" "$R1" "unchanged"
msgs=$(assistant "$r")
is "$(echo "$msgs" | jq -r '.[2].reasoning')" "$R2" "the transcript keeps the thinking"
is "$(ctl show "$r" --json | jq -r .output)" "$ANSWER" "the output is the answer"
s1=$(llm_spans "$r" | jq -s -r '.[0].span')
is "$(deltas "$T/d2" "$r" "$s1" true)" "$R0" "thinking_delta streams live, marked reasoning"
is "$(llm_spans "$r" | jq -s -c '[.[] | has("reasoning_tokens")] | unique')" '[false]' \
  "Anthropic does not count thinking apart: no reasoning_tokens"
is "$(llm_spans "$r" | jq -s -c '[.[] | .reasoning_bytes > 0] | unique')" '[true]' "but reasoning_bytes"
faults '[{"kind":"redacted_thinking"}]'
r=$(ctl submit thinker "refund" --model anthropic:thinker)
wait_state "$r" done 30; ok $? "a redacted_thinking block goes back unchanged too"
is "$(assistant "$r" | jq '.[0].reasoning_redacted')" 1 "the transcript says a block was redacted"

# ---- not streamed ----------------------------------------------------------------
stop_checked
start_with OPENAI_STREAM=0 ANTHROPIC_STREAM=0; ok $? "agentd restarts with streaming off"
r=$(ctl submit thinker "t")
s=$(ctl submit thinker "t" --model anthropic:thinker)
wait_state "$r" done 30 && wait_state "$s" done 30; ok $? "both formats work from whole bodies"
is "$(assistant "$r" | jq -r '.[1].reasoning')" "$R1" "openai: reasoning_content of a body is kept"
is "$(assistant "$s" | jq -r '.[1].reasoning')" "$R1" "anthropic: a thinking block of a body is kept"
is "$(llm_spans "$r" | jq -s 'any(.[]; .streamed == true)')" false "(no streams)"

# ---- all the budget spent thinking ---------------------------------------------
stop_checked
start_with; ok $? "agentd restarts streaming"
for fmt in openai anthropic; do
  faults '[{"kind":"think_only"}]'
  r=$(ctl submit thinker "t" --model $fmt:thinker)
  for _ in $(seq 1 100); do
    [ "$(llm_spans "$r" | head -1)" != "" ] && break; sleep 0.1
  done
  sp=$(llm_spans "$r" | head -1)
  is "$(echo "$sp" | jq -r .stop_reason)" max_tokens "$fmt: a reasoning-only answer cut by max_tokens says so"
  is "$(echo "$sp" | jq '.reasoning_bytes > 0')" true "$fmt: with its reasoning"
  for _ in $(seq 1 50); do
    [ "$(assistant "$r" | jq length)" -ge 1 ] && break; sleep 0.1
  done
  is "$(assistant "$r" | jq -c '.[0] | [.content, (.reasoning | length > 0)]')" '[null,true]' \
    "$fmt: the turn has no answer text, only its reasoning"
  wait_state "$r" done 20; ok $? "$fmt: the run goes on (truncation: asked to answer now) to the end"
  is "$(ctl show "$r" --json | jq -c '[.messages[] | .stop_reason // .continuation // null][1:3]')" \
    '["max_tokens",true]' "$fmt: the thinking-only turn is marked cut and the model asked to answer"
  like "$(ctl show "$r" --json | jq -r '[.messages[] | select(.continuation)][0].content')" \
    "used up before you gave any answer" "$fmt: in words that say so"
  is "$(ctl show "$r" --json | jq -r '.output | length > 0')" true "$fmt: the run's output is an answer, not empty"
done

# ---- the tail of every answer is published (issue 11, point 6) ----------------
# the whole answer inside one 100 ms tick: before, nothing of it was published
follow_deltas "$T/d3"
r=$(ctl submit support-triage "t" --model openai:support-triage)
s=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 30 && wait_state "$s" done 30; ok $? "two demo runs end"
stop_follow
for run in "$r" "$s"; do
  bad=0
  while read -r span; do
    want=$(ctl show "$run" --json | jq -r --arg s "$span" '[.spans[] | select(.span == $s)][0].step as $n
      | [.messages[] | select(.role == "assistant")][$n - 1].content // ""')
    got=$(deltas "$T/d3" "$run" "$span" false)
    [ "$got" = "$want" ] || { diag "span $span: got '$got', want '$want'"; bad=1; }
  done < <(llm_spans "$run" | jq -r .span)
  ok $bad "$(ctl show "$run" --json | jq -r .model): the llm.delta texts of each call add up to its answer"
done
# a retried attempt: what it streamed is published before llm.retry voids it
follow_deltas "$T/d4"
faults '[{"kind":"cut","after_events":8,"model":"support-triage"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 30; ok $? "a run whose first stream was cut ends"
stop_follow
T0=$(jq -r '.turns[0].text' "$AGENTS/scenarios/support-triage.json")
split='[.[] | select(.run == $r and (.type == "llm.delta" or .type == "llm.retry"))]
  | (map(.type) | index("llm.retry")) as $i'
is "$(jq -s -r --arg r "$r" "$split"' | .[:$i] | map(.text) | add // ""' "$T/d4")" "${T0:0:28}" \
  "the cut attempt's text (7 chunks of 4) is published, before llm.retry"
is "$(jq -s -r --arg r "$r" "$split"' | .[$i].span as $s
  | .[$i + 1:] | map(select(.span == $s)) | map(.text) | add // ""' "$T/d4")" "$T0" \
  "the next attempt streams the whole answer again"
is "$(requests | jq -c '[.[] | select(.path == "/v1/messages" and .body.model == "support-triage")
  | .body.thinking] | unique')" '[null]' \
  "no extended thinking when the agent's max_tokens (1024) leaves no room for it"

# ---- agentop shows the thinking -----------------------------------------------------
if command -v tmux >/dev/null; then
  export LC_ALL=C.UTF-8
  session=op
  tmux new-session -d -s $session -x 150 -y 45 \
    "TERM=screen-256color '$AGENTOP' --socket-dir '$SOCK'; sleep 30"
  wait_screen " live " 10; ok $? "agentop connects"
  faults '[{"kind":"slow","latency_ms":300,"stream_ms":8000,"model":"thinker"}]'
  r=$(ctl submit thinker "think slowly")
  wait_screen "$r" 5
  keys / ; sleep 0.2; keys C-u "$r" Enter; sleep 0.3
  keys Enter
  wait_screen "thinking: The customer wants" 10; ok $? "the detail view shows the reasoning streaming in as thinking"
  wait_screen "streaming: Let me" 15; ok $? "then the answer"
  wait_state "$r" done 30
  keys / ; sleep 0.2; keys C-u "assistant thinking" Enter
  wait_screen "assistant thinking: The customer wants" 10
  ok $? "the transcript shows each turn's thinking, marked"
  like "$(screen)" "thinking [0-9]+ tok" "the trace counts it per call"
  keys q
  tmux kill-server 2>/dev/null
fi

stop_checked
done_testing
