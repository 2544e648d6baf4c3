#!/usr/bin/env bash
# Answers cut by the output limit (finish_reason "length", stop_reason
# "max_tokens") against the fake provider, in both wire formats: a cut text
# is continued and joined, a cut tool call is not made, and the agent's
# policy "fail" ends the run "truncated" — never "done" with half an answer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"

cat >"$AGENTS/scenarios/essay.json" <<'J'
{ "turns": [
  { "text": "Refunds are allowed within 30 days of purchase." },
  { "text": " They go back to the original card." } ] }
J
jq '.name = "strict" | .truncation = {"policy": "fail"}' \
  "$AGENTS/support-triage.json" >"$AGENTS/strict.json"

start_fake
start_with; ok $? "agentd starts against the fake provider"

last_request() { requests | jq -c "[.[] | select(.path == \"$1\")] | last"; }
for fmt in openai anthropic; do
  path=/v1/chat/completions; [ $fmt = anthropic ] && path=/v1/messages

  # a cut text: continued, and the parts joined
  faults '[{"kind":"length"}]'
  r=$(ctl submit support-triage "refunds?" --model $fmt:essay)
  wait_state "$r" done 20; ok $? "$fmt: a text cut by max_tokens is continued to the end"
  is "$(ctl show "$r" --json | jq -r .output)" \
    "Refunds are allowed wit They go back to the original card." \
    "$fmt: the output is the cut part and its continuation"
  is "$(llm_spans "$r" | jq -s -c '[.[].stop_reason]')" '["max_tokens","end_turn"]' \
    "$fmt: the first turn's span says max_tokens"
  is "$(ctl show "$r" --json | jq -c '[.messages[] | .stop_reason // .continuation // null]')" \
    '[null,"max_tokens",true,null]' "$fmt: the cut turn and the request to go on are marked"
  like "$(ctl show "$r" --json | jq -r '.transitions[].reason')" \
    "the answer was cut at max_tokens \(1024\): asking the model to go on \(1 of 2\)" \
    "$fmt: the trace says what happened"
  like "$(last_request $path | jq -c .body.messages)" "Continue exactly where it stopped" \
    "$fmt: the model was asked to continue"

  # a cut tool call: not made, not validated, the model asked again
  faults '[{"kind":"length"}]'
  r=$(ctl submit support-triage "refund for T-4821" --model $fmt:support-triage)
  wait_state "$r" done 20; ok $? "$fmt: a turn cut in a tool call does not stop the run"
  is "$(ctl events --run "$r" --type tool.invalid_args | jq -s length)" 0 \
    "$fmt: the cut call is not an invalid call"
  is "$(ctl events --run "$r" --type span.start | jq -s -c '[.[] | select(.kind == "tool") | .name][0]')" \
    '"ticket_update"' "$fmt: kb_search, cut, never ran"
  if [ $fmt = openai ]; then
    like "$(ctl show "$r" --json | jq -r '[.messages[] | select(.role == "tool")][0].content')" \
      "the call was not made: your answer was cut off at the output limit" \
      "$fmt: the model is told its call was cut"
  fi

  # policy fail: the run ends truncated, with the cut text as its output
  faults '[{"kind":"length"}]'
  r=$(ctl submit strict "refunds?" --model $fmt:essay)
  wait_state "$r" failed 20; ok $? "$fmt: with policy fail a cut answer fails the run"
  is "$(ctl show "$r" --json | jq -r .reason)" \
    "truncated: the answer was cut at max_tokens (1024)" "$fmt: the reason says truncated"
  is "$(ctl show "$r" --json | jq -r .output)" "Refunds are allowed wit" \
    "$fmt: the output is what came"
done

# cut again and again: bounded by max_continues, then failed
faults '[{"kind":"length"},{"kind":"length"},{"kind":"length"}]'
r=$(ctl submit support-triage "refunds?" --model openai:essay)
wait_state "$r" failed 20; ok $? "an answer cut three times in a row fails the run"
like "$(ctl show "$r" --json | jq -r .reason)" "again after 2 continuations" \
  "after the 2 continuations the default policy allows"
is "$(llm_spans "$r" | jq -s length)" 3 "three model calls, no more"
is "$(ctl agents --json | jq -c '.agents[] | select(.name == "strict") | .truncation')" \
  '{"policy":"fail"}' "agents list shows the policy"
is "$(ctl agents --json | jq -c '.agents[] | select(.name == "support-triage") | .truncation')" \
  '{"policy":"continue","max_continues":2}' "and the default one"

done_testing
