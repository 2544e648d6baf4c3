#!/usr/bin/env bash
# Remote providers against the fake OpenAI/Anthropic server on 127.0.0.1:
# both wire formats, streamed and not, retries, Retry-After, no retry on a
# 4xx, hangs, cut streams, malformed JSON, invalid tool calls fed back, the
# circuit breaker (runs wait for it; 30 % faults), rate limits, the response
# cache, tiered routing, kill and pause in the middle of a call, pricing, and
# keys that never leak.
. "$(dirname "$0")/lib.sh"

# our own agents: the demo ones, a tiered one, and prices for the fake models
. "$(dirname "$0")/fake.sh"
jq '.models["openai:support-triage"] = {"input_per_mtok": 0.15, "output_per_mtok": 0.6}' \
  "$SRCDIR/examples/agents/pricing.json" >"$AGENTS/pricing.json"
jq '.name = "tiered" | .model = "anthropic:support-triage"
    | .routing = {"model": "openai:support-triage", "turns": [1]}' \
  "$SRCDIR/examples/agents/support-triage.json" >"$AGENTS/tiered.json"

start_fake
[ -n "$PORT" ]; ok $? "the fake provider listens on 127.0.0.1"
start_with; ok $? "agentd starts with OpenAI and Anthropic endpoints"

# ---- both wire formats, streamed ------------------------------------------
r=$(ctl submit support-triage "refund for T-4821" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a demo agent runs on openai: (streamed) to the end"
spans=$(llm_spans "$r")
is "$(echo "$spans" | jq -s -c '[.[].tokens_in]')" "[900,1300,1450,1600]" \
  "usage comes from the responses"
is "$(echo "$spans" | jq -s -c '[.[].stop_reason] | unique')" '["end_turn","tool_use"]' \
  "stop reasons are recorded"
is "$(echo "$spans" | jq -s 'all(.[]; .streamed == true and .attempts == 1)')" true \
  "every answer came as a stream, first try"
is "$(echo "$spans" | jq -s 'all(.[]; (.cost_usd | type) == "number" and .cost_usd > 0)')" true \
  "a priced model has a cost on every span"
is "$(echo "$spans" | jq -s -c '[.[0].cached_tokens, (.[0] | has("cache_read_tokens"))]')" '[0,false]' \
  "OpenAI format's cached_tokens are cached_tokens on the span, not priced cache reads"
like "$(ctl show "$r" --json | jq -r .output)" "T-4821 tagged" "the final answer is the model's"
req=$(requests | jq -c '[.[] | select(.path == "/v1/chat/completions")] | last')
is "$(echo "$req" | jq -r '.headers.authorization')" "Bearer $KEY_OPENAI" "OpenAI: the key goes as a bearer token"
is "$(echo "$req" | jq -c '[.body.messages[].role]')" \
  '["system","user","assistant","tool","assistant","tool","assistant","tool"]' \
  "OpenAI: system prompt, tool calls and tool results in the conversation"
is "$(echo "$req" | jq -c '[.body.tools[].function.name]')" '["kb_search","ticket_update","clock_now"]' \
  "OpenAI: tools as function definitions"
is "$(echo "$req" | jq -c '[.body.tools[].function.parameters.properties | keys_unsorted]')" \
  "$(jq -c '[.tools[] | (.input_schema.properties // {}) | keys_unsorted]' "$AGENTS/support-triage.json")" \
  "OpenAI: schema properties keep the spec's order (query before limit)"
is "$(echo "$req" | jq -c '[.body.stream, .body.stream_options.include_usage]')" '[true,true]' \
  "OpenAI: streaming with usage asked for"

r=$(ctl submit support-triage "refund for T-4821" --model anthropic:support-triage)
wait_state "$r" done 20; ok $? "the same agent runs on anthropic: (streamed)"
is "$(llm_spans "$r" | jq -s -c '[.[].tokens_out]')" "[60,70,20,120]" "Anthropic usage recorded"
is "$(llm_spans "$r" | jq -s -c '[.[0].cache_read_tokens, (.[0] | has("cached_tokens"))]')" '[0,false]' \
  "Anthropic's prompt-cache reads are cache_read_tokens"
is "$(llm_spans "$r" | jq -s 'all(.[]; .cost_usd == null)')" true \
  "a model with no price has an unknown cost, not zero"
is "$(ctl show "$r" --json | jq .cost_unknown)" true "and the run says its cost is unknown"
is "$(ctl runs | awk -v r="$r" '$1 == r { print $6 }')" "?" "agentctl runs shows its cost as ?"
is "$(grep -c 'model anthropic:support-triage has no price in the pricing table' "$T/agentd.log")" 1 \
  "the log warns once that the model has no price"
req=$(requests | jq -c '[.[] | select(.path == "/v1/messages")] | last')
is "$(echo "$req" | jq -r '.headers["x-api-key"] + " " + .headers["anthropic-version"]')" \
  "$KEY_ANTHROPIC 2023-06-01" "Anthropic: x-api-key and anthropic-version headers"
is "$(echo "$req" | jq -c '[.body.messages[].role]')" '["user","assistant","user","assistant","user","assistant","user"]' \
  "Anthropic: roles alternate (tool results in user turns)"
is "$(echo "$req" | jq -c '[.body.messages[2].content[].type]')" '["tool_result"]' \
  "Anthropic: tool results as tool_result blocks"
is "$(echo "$req" | jq -r '.body.system | type')" string "Anthropic: the system prompt is top-level"

# ---- not streamed ----------------------------------------------------------
stop_agentd
start_with OPENAI_STREAM=0 ANTHROPIC_STREAM=0; ok $? "agentd restarts with streaming off"
r=$(ctl submit support-triage "t" --model openai:support-triage)
s=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20 && wait_state "$s" done 20; ok $? "both formats run without streaming"
is "$(llm_spans "$r" | jq -s 'any(.[]; .streamed == true)')" false "OpenAI answers were whole JSON bodies"
is "$(requests | jq '[.[-8:][] | .body.stream // false] | any')" false \
  "the requests did not ask for a stream"

# ---- resilience -------------------------------------------------------------
faults '[{"status":429,"retry_after":"1","model":"support-triage"}]'
t0=$(date +%s%N)
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a 429 is retried and the run finishes"
retry=$(ctl events --run "$r" --type llm.retry | head -1)
is "$(echo "$retry" | jq .delay_ms)" 1000 "after the Retry-After delay (1 s)"
like "$(echo "$retry" | jq -r .reason)" "HTTP 429" "the retry says why"
is "$(llm_spans "$r" | jq -s '.[0].attempts')" 2 "the span counts 2 attempts"

faults '[{"status":500},{"status":503}]'
r=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20; ok $? "500 and 503 are retried with backoff"
is "$(ctl events --run "$r" --type llm.retry | jq -s length)" 2 "two retries"

faults '[{"status":400}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" failed 10; ok $? "a 400 fails the run"
is "$(ctl events --run "$r" --type llm.retry | jq -s length)" 0 "without a retry"
like "$(ctl show "$r" --json | jq -r .reason)" "HTTP 400" "and says what the provider said"

faults '[{"kind":"hang"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a hung request times out (1.5 s) and is retried"
like "$(ctl events --run "$r" --type llm.retry | jq -r .reason)" "within 1500 ms" "the retry names the timeout"

faults '[{"kind":"hang"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage --budget '{"wall_ms":800}')
wait_state "$r" failed 10; ok $? "the run's wall-time budget is a per-run timeout, also mid-call"
is "$(ctl show "$r" --json | jq -r .reason)" "budget:wall_ms" "it says so"
is "$(llm_spans "$r" | jq -r .status)" cancelled "and the hung call is cancelled"

faults '[{"kind":"malformed"}]'
r=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20; ok $? "malformed JSON is retried"

stop_agentd
start_with; ok $? "agentd restarts streaming"
faults '[{"kind":"cut","after_events":3}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a stream cut in the middle is retried"
like "$(ctl events --run "$r" --type llm.retry | jq -r .reason)" "stream|cut|ended" "as an error, not a half answer"
is "$(ctl show "$r" --json | jq '[.messages[] | select(.role == "assistant")] | length')" 4 \
  "no half answer entered the conversation"
faults '[{"kind":"cut","after_events":2}]'
r=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20; ok $? "a cut Anthropic stream too"
faults '[{"kind":"stream_error"}]'
r=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20; ok $? "an overloaded error event in a stream is retried"
for fmt in openai anthropic; do
  faults '[{"kind":"stream_error","error_type":"invalid_request_error","message":"prompt is too long"}]'
  r=$(ctl submit support-triage "t" --model $fmt:support-triage)
  wait_state "$r" failed 20; ok $? "$fmt: an error event saying the request is wrong fails the run"
  like "$(ctl show "$r" --json | jq -r .reason)" "prompt is too long" "$fmt: with the provider's message"
  is "$(llm_spans "$r" | jq -s 'last | .attempts')" 1 "$fmt: at the first attempt (no retry)"
done

faults '[{"kind":"bad_args"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "unparseable tool arguments do not stop the run"
like "$(ctl events --run "$r" --type tool.invalid_args | jq -r .error)" "not valid JSON" \
  "they are refused as invalid"
like "$(ctl show "$r" --json | jq -r '[.messages[] | select(.role == "tool" and .is_error)][0].content')" \
  "not valid JSON" "and the error goes back to the model"
last_chat() { requests | jq -c '[.[] | select(.path == "/v1/chat/completions")] | last'; }
is "$(last_chat | jq -c '[.body.messages[] | .tool_calls[]? | .function.arguments] | .[0]')" '"{}"' \
  "the broken call goes back as {} (the fake, like llama-server, answers 500 to a history that does not parse)"
is "$(ctl events --run "$r" --type llm.retry | jq -s length)" 0 "so the next request is not refused"
like "$(ctl show "$r" --json | jq -r '[.messages[] | select(.role == "tool" and .is_error)][0].content')" \
  'they began: \{"query": "refund' "the model is told what it sent"
faults '[{"kind":"bad_args","arguments":"{\"query\": \"refund\", \"limit\": 1e999}"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a number the JSON parser cannot hold does not poison the run either"
like "$(ctl events --run "$r" --type tool.invalid_args | jq -r .error)" "not valid JSON" \
  "it is refused as invalid"

# one run's request that keeps failing the same way is that run's failure:
# it does not open the endpoint's breaker for the others
cp "$AGENTS/scenarios/support-triage.json" "$AGENTS/scenarios/poisoned.json"
faults '[{"status":500,"model":"poisoned"},{"status":500,"model":"poisoned"},
  {"status":500,"model":"poisoned"},{"status":500,"model":"poisoned"},
  {"status":500,"model":"poisoned"}]'
p=$(ctl submit support-triage "t" --model openai:poisoned)
wait_state "$p" failed 40; ok $? "a request failing 5 times fails its run"
like "$(ctl show "$p" --json | jq -r .reason)" "the same answer each time \(this request fails, not the endpoint\)" \
  "the reason says the request, not the endpoint, is at fault"
is "$(ctl health --json | jq -c '.providers[] | select(.name == "openai") | [.breaker, .consecutive_failures]')" \
  '["closed",1]' "the breaker counted it once and stayed closed"
is "$(ctl events --type provider.breaker | jq -s length)" 0 "no breaker event"
faults '[{"status":500,"model":"poisoned"},{"status":500,"model":"poisoned"},
  {"status":500,"model":"poisoned"},{"status":500,"model":"poisoned"},
  {"status":500,"model":"poisoned"}]'
p=$(ctl submit support-triage "t" --model openai:poisoned)
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a healthy run on the same endpoint finishes meanwhile"
is "$(ctl events --run "$r" --type run.waiting | jq -r 'select(.on == "breaker")' | wc -l)" 0 \
  "without waiting for a breaker"
wait_state "$p" failed 40; ok $? "while the poisoned run fails on its own"
is "$(ctl health --json | jq -r '.providers[] | select(.name == "openai") | .breaker')" closed \
  "the breaker is still closed"

faults '[{"kind":"unknown_tool"}]'
r=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20; ok $? "an unknown tool does not stop the run"
like "$(ctl events --run "$r" --type tool.invalid_args | jq -r .error)" "unknown tool" "it is fed back"
is "$(ctl show "$r" --json | jq -c '[.usage.llm_calls, .usage.tool_calls]')" "[4,2]" \
  "the turn that asked for it counts as a model call; no tool ran for it"

# ---- kill and pause stop a call in flight --------------------------------------
faults '[{"kind":"hang"}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
sleep 0.5
open=$($FAKE stats "$PORT" | jq .open_connections)
ctl kill "$r" >/dev/null; ok $? "kill during a model call"
is "$(state_of "$r")" killed "the run is killed at once"
is "$(llm_spans "$r" | jq -r .status)" cancelled "the call's span is cancelled"
for _ in $(seq 1 30); do
  [ "$($FAKE stats "$PORT" | jq .open_connections)" -lt "$open" ] && break
  sleep 0.1
done
is "$($FAKE stats "$PORT" | jq .open_connections)" "$((open - 1))" "its connection is closed"
faults '[{"kind":"slow","latency_ms":5000}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
sleep 0.5
ctl pause "$r" >/dev/null
is "$(state_of "$r")" paused "pause during a model call holds the run at once"
ctl resume "$r" >/dev/null
wait_state "$r" done 20; ok $? "after resume it asks again and finishes"

# ---- streamed text is visible live ---------------------------------------------
# (under the 1.5 s timeout: 90% of it before the first byte, the rest
# spread over the stream's events)
faults '[{"kind":"slow","latency_ms":1400}]'
"$AGENTCTL" --socket-dir "$SOCK" events --follow --type llm.delta >"$T/deltas" 2>&1 &
fpid=$!
sleep 0.5
r=$(ctl submit support-triage "t" --model anthropic:support-triage)
wait_state "$r" done 20
sleep 0.3; kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
n=$(jq -s --arg r "$r" '[.[] | select(.run == $r)] | length' "$T/deltas")
[ "$n" -ge 1 ]; ok $? "a slow stream arrives live as llm.delta events ($n)"
is "$(jq -s -r --arg r "$r" '[.[] | select(.run == $r) | .text] | add' "$T/deltas" | cut -c1-17)" \
  "The customer asks" "carrying the answer's text as it streams"
is "$(jq -s -r --arg r "$r" '[.[] | select(.run == $r)][0].ephemeral' "$T/deltas")" true \
  "they are marked ephemeral"
is "$(ctl events --run "$r" --type llm.delta | jq -s length)" 0 "and are not stored"

# ---- tiered routing -------------------------------------------------------------
r=$(ctl submit tiered "t")
wait_state "$r" done 20; ok $? "a tiered agent runs"
is "$(llm_spans "$r" | jq -s -c '[.[] | .name + "/" + .tier]')" \
  '["openai:support-triage/routing","anthropic:support-triage/reasoning","anthropic:support-triage/reasoning","anthropic:support-triage/reasoning"]' \
  "turn 1 goes to the cheap model, the others to the strong one"

# ---- the circuit breaker ---------------------------------------------------------
stop_agentd
start_with OPENAI_BREAKER_FAILURES=2 OPENAI_BREAKER_COOLDOWN_MS=1500 OPENAI_MAX_ATTEMPTS=8
ok $? "agentd restarts with a breaker of 2 failures"
# three different answers: each is evidence against the endpoint (the same
# answer to the same request again would count once)
faults '[{"status":500},{"status":503},{"status":502}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 30; ok $? "the run outlives the breaker"
br=$(ctl events --type provider.breaker | jq -s -c '[.[] | .from + ">" + .to]')
is "$br" '["closed>open","open>half_open","half_open>open","open>half_open","half_open>closed"]' \
  "the breaker opens, probes, reopens and closes, as events"
is "$(ctl health --json | jq -r '.providers[] | select(.name == "openai") | .breaker')" closed \
  "health shows the breaker closed again"
like "$(ctl health)" "openai +breaker closed +0 in flight, 0 waiting, [0-9]+ requests, [0-9]+ retries" \
  "agentctl health lists each provider on a line"

# ---- a run waits for an open breaker without using attempts ------------------------
stop_agentd
start_with OPENAI_BREAKER_FAILURES=1 OPENAI_BREAKER_COOLDOWN_MS=6000 OPENAI_MAX_ATTEMPTS=1
ok $? "agentd restarts with a one-failure breaker, a 6 s cooldown, one attempt a call"
$FAKE reset "$PORT" >/dev/null
faults '[{"status":500}]'
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" failed 10; ok $? "a 500 with one attempt fails its run and opens the breaker"
a=$(ctl submit support-triage "waits" --model openai:support-triage)
p=$(ctl submit support-triage "paused" --model openai:support-triage)
k=$(ctl submit support-triage "killed" --model openai:support-triage)
w=$(ctl submit support-triage "wall" --model openai:support-triage --budget '{"wall_ms":800}')
waiting_on() { ctl show "$1" --json | jq -c '.waiting | [.on, .detail]'; }
for _ in $(seq 1 50); do
  [ "$(waiting_on "$k")" = '["breaker","openai"]' ] && break; sleep 0.1
done
is "$(waiting_on "$a")" '["breaker","openai"]' "a run whose endpoint's breaker is open waits on it"
is "$(ctl events --run "$a" --type run.waiting | jq -r .on | tail -1)" breaker "run.waiting says so"
like "$(ctl runs | awk -v r="$a" '$1 == r')" "breaker" "agentctl runs shows what it waits on"
is "$(state_of "$a")" executing "it has not failed although it has no attempt to spare"
ctl kill "$k" >/dev/null; ok $? "kill a run waiting for the breaker"
is "$(state_of "$k")" killed "it is killed at once"
is "$(llm_spans "$k" | jq -r .status)" cancelled "its call's span is cancelled"
ctl pause "$p" >/dev/null
is "$(state_of "$p")" paused "pause holds a run waiting for the breaker at once"
wait_state "$w" failed 5; ok $? "a run waiting for the breaker still has its wall time counted"
is "$(ctl show "$w" --json | jq -r .reason)" budget:wall_ms "it fails budget:wall_ms"
is "$(requests | jq length)" 1 "nothing was sent while the breaker was open"
ctl resume "$p" >/dev/null
wait_state "$a" done 30 && wait_state "$p" done 30
ok $? "after the cooldown both runs go on and finish"
is "$(llm_spans "$a" | jq -s -c '[.[].attempts]')" "[1,1,1,1]" \
  "their calls count only HTTP attempts"
is "$(ctl events --run "$a" --type llm.retry | jq -s length)" 0 "waiting for the breaker is no retry"

# ---- 30 % of requests fail: runs wait for the breaker, none fails on it --------------
stop_agentd
start_with OPENAI_BREAKER_FAILURES=2 OPENAI_BREAKER_COOLDOWN_MS=1000 OPENAI_MAX_ATTEMPTS=10
ok $? "agentd restarts with a two-failure breaker and a 1 s cooldown"
$FAKE reset "$PORT" >/dev/null
# a fixed random sequence: 30 % 500s; the others answer after 50 ms, so
# requests overlap (10 attempts a call: 0.3^10 that a call fails for real)
faults "$(python3 -c 'import json, random
g = random.Random(11)
print(json.dumps([{"status": 500} if g.random() < 0.3 else
    {"kind": "slow", "latency_ms": 50} for _ in range(600)]))')"
runs=()
for i in $(seq 1 20); do runs+=("$(ctl submit support-triage "f$i" --model openai:support-triage)"); done
all=0
for r in "${runs[@]}"; do wait_state "$r" done 120 || all=1; done
ok $all "20 runs against an endpoint failing 30 % of requests all finish"
is "$(for r in "${runs[@]}"; do ctl show "$r" --json | jq -r .reason; done | grep -c 'circuit breaker')" 0 \
  "none failed on the circuit breaker"
n=$(ctl events --type provider.breaker | jq -s '[.[] | select(.to == "open")] | length')
[ "$n" -ge 1 ]; ok $? "the breaker opened ($n times)"
n=$(for r in "${runs[@]}"; do ctl events --run "$r" --type run.waiting; done |
  jq -s '[.[] | select(.on == "breaker")] | length')
[ "$n" -ge 1 ]; ok $? "runs waited on the breaker ($n times)"
is "$(for r in "${runs[@]}"; do llm_spans "$r"; done | jq -s '[.[].attempts] | add')" \
  "$(requests | jq '[.[] | select(.path == "/v1/chat/completions")] | length')" \
  "the spans' attempts add up to the requests the provider saw"
$FAKE reset "$PORT" >/dev/null

# ---- rate limits ------------------------------------------------------------------
stop_agentd
# 120 a minute: a burst of 12, then one every 500 ms; 6 runs make 24 calls
start_with OPENAI_RPM=120; ok $? "agentd restarts with 120 requests a minute"
$FAKE reset "$PORT" >/dev/null
runs=()
for i in 1 2 3 4 5 6; do runs+=("$(ctl submit support-triage "t$i" --model openai:support-triage)"); done
all=0
for r in "${runs[@]}"; do wait_state "$r" done 30 || all=1; done
ok $all "six runs on a rate-limited endpoint all finish"
waits=$(for r in "${runs[@]}"; do ctl events --run "$r" --type run.waiting; done |
  jq -s '[.[] | select(.on == "rate_limit")] | length')
[ "$waits" -ge 6 ]; ok $? "their calls waited on the rate limit ($waits times), visible on the run"
span=$(requests | jq '[.[] | select(.path == "/v1/chat/completions") | .t] | (max - min)')
like "$span" "^([5-9]|[1-9][0-9])" "24 calls were spread over ${span%%.*}+ s, not sent in one burst"
is "$(requests | jq '[.[] | select(.status == 429)] | length')" 0 "the provider never had to say 429"

# ---- the response cache -------------------------------------------------------------
stop_agentd
start_with AGENTD_CACHE_TTL_S=600; ok $? "agentd restarts with the response cache"
a=$(ctl submit support-triage "cache me" --model openai:support-triage)
wait_state "$a" done 20
before=$(requests | jq length)
b=$(ctl submit support-triage "cache me" --model openai:support-triage)
wait_state "$b" done 20; ok $? "the same task again"
# the last turn reads clock_now's answer, which differs: a new request
is "$(llm_spans "$b" | jq -s -c '[.[].cache]')" '["hit","hit","hit","miss"]' \
  "identical requests are answered from the cache, the changed one is not"
is "$(requests | jq length)" "$((before + 1))" "only the changed request reached the provider"
is "$(llm_spans "$a" | jq -s -c '[.[].cache] | unique')" '["miss"]' "the first run's spans said miss"
is "$(llm_spans "$b" | jq -s -c '[.[0:3][] | .cost_usd] | add')" 0 "cached answers cost nothing"

# ---- keys never leak ------------------------------------------------------------------
stop_agentd
WRONG="sk-wrong-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
start_with OPENAI_API_KEY="$WRONG"; ok $? "agentd restarts with a wrong key"
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" failed 10; ok $? "a 401 fails the run at once"
like "$(ctl show "$r" --json | jq -r .reason)" "HTTP 401" "the reason says 401"
is "$(requests | jq -r '.[-1].body | tostring | contains("sk-")')" false "(no key in the request body)"
environ=$(tr '\0' '\n' <"/proc/$AGENTD_PID/environ")
like "$environ" "OPENAI_BASE_URL=http" "(agentd's /proc environ is readable)"
is "$(echo "$environ" | grep -c -e "$WRONG" -e "$KEY_ANTHROPIC")" 0 \
  "the keys are wiped from agentd's environment once read (/proc/PID/environ)"
stop_agentd
leaks=0
for k in "$KEY_OPENAI" "$KEY_ANTHROPIC" "$WRONG"; do
  grep -a -q -- "$k" "$T/agentd.log" && { diag "key in the log"; leaks=1; }
  cat "$DATA"/agentd.db* 2>/dev/null | grep -a -q -- "$k" && { diag "key in the database"; leaks=1; }
done
ok $leaks "no key in agentd's log or database (the provider echoed one)"

# ---- keys from files and the config file ------------------------------------------------
printf '%s\n' "$KEY_OPENAI" >"$T/openai.key"; chmod 644 "$T/openai.key"
out=$(env OPENAI_API_KEY_FILE="$T/openai.key" "$AGENTD" --data-dir "$DATA" --agents "$AGENTS" \
  --socket-dir "$SOCK" 2>&1); s=$?
is "$s" 1 "a key file readable by others is refused"
like "$out" "chmod 600" "with the fix in the message"
chmod 600 "$T/openai.key"
printf 'OPENAI_BASE_URL=http://127.0.0.1:%s/v1\nOPENAI_API_KEY_FILE=%s\n' "$PORT" "$T/openai.key" >"$T/agentd.conf"
"$AGENTD" --data-dir "$DATA" --agents "$AGENTS" --socket-dir "$SOCK" --config "$T/agentd.conf" \
  >>"$T/agentd.log" 2>&1 &
AGENTD_PID=$!
for _ in $(seq 1 100); do ctl hello >/dev/null 2>&1 && break; sleep 0.1; done
r=$(ctl submit support-triage "t" --model openai:support-triage)
wait_state "$r" done 20; ok $? "a config file with a 0600 key file works"
stop_agentd
printf 'OPENAI_RPM=abc\n' >"$T/bad.conf"
out=$("$AGENTD" --data-dir "$DATA" --agents "$AGENTS" --socket-dir "$SOCK" --config "$T/bad.conf" 2>&1)
like "$out" "bad.conf:1: OPENAI_RPM" "a bad config value is refused with file, line and name"

# ---- agentop: streamed text in the trace, breakers in health ----------------------
if command -v tmux >/dev/null; then
  start_with ANTHROPIC_TIMEOUT_MS=30000 ANTHROPIC_BREAKER_FAILURES=1 \
    ANTHROPIC_BREAKER_COOLDOWN_MS=60000
  ok $? "agentd restarts with a slow-stream timeout and a one-failure breaker"
  start_agentop
  faults '[{"kind":"slow","latency_ms":300,"stream_ms":6000}]'
  r=$(ctl submit support-triage "stream slowly" --model anthropic:support-triage)
  open_run "$r"
  wait_screen "streaming: The customer" 8; ok $? "the detail view shows the answer streaming in"
  wait_screen "streaming: The customer asks for a refund; let me" 8
  ok $? "and it grows as tokens arrive"
  keys q; sleep 0.2
  faults '[{"status":500}]'
  b=$(ctl submit support-triage "breaks" --model anthropic:support-triage)
  keys 4
  wait_screen "anthropic +OPEN" 10; ok $? "health shows the open breaker"
  like "$(screen)" "HTTP 500" "with the last error"
  ctl kill "$r" >/dev/null 2>&1; ctl kill "$b" >/dev/null 2>&1
  keys q
  stop_agentop
fi

done_testing
