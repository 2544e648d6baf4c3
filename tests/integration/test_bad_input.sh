#!/usr/bin/env bash
# Bad input gets a clear error and loses nothing: malformed requests over
# the raw socket (nngcat, as any client could), bad files, bad arguments.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"
r=$(ctl submit support-triage "keep me")

raw() { nngcat --req --connect "ipc://$SOCK/ctl.sock" --data "$1" --ascii --recv-timeout 5 2>&1 | head -c 2000; }

like "$(raw 'not json at all')" '"code":"parse"' "garbage is a parse error"
like "$(raw '{"v":1,"type":"runs.nuke","id":1}')" '"code":"unknown_op".*runs.nuke' "an unknown op is named"
like "$(raw '{"v":9,"type":"hello","id":1}')" '"code":"version"' "a future protocol version is refused"
like "$(raw '{"v":1,"type":"runs.get","id":2,"body":{"run":42}}')" '"code":"bad_request"' "a wrong field type is a bad request"
like "$(raw '{"v":1,"type":"runs.get","id":3,"body":{"run":"r-nope"}}')" '"code":"not_found".*r-nope' "an unknown run is named"
like "$(raw '{"v":1,"type":"escalations.decide","id":4,"body":{"escalation":"e-nope","decision":"approve"}}')" '"code":"not_found"' "an unknown escalation is not found"
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
like "$(raw "{\"v\":1,\"type\":\"runs.submit\",\"id\":5,\"body\":{\"agent\":\"support-triage\",\"task\":\"$big\"}}")" '"code":"bad_request".*task' "an oversized task is refused"
like "$(raw '{"v":1,"type":"hello","id":6}')" '"ok":true' "the daemon still answers"
wait_state "$r" done 20; ok $? "and the run submitted before finishes"

# nngcat subscribes to events like any client
nngcat --sub --connect "ipc://$SOCK/events.sock" --subscribe run.state --ascii --recv-timeout 8 > "$T/sub.txt" 2>/dev/null &
sub=$!
sleep 0.5
r2=$(ctl submit support-triage "watched by nngcat")
wait_state "$r2" done 20
wait $sub 2>/dev/null
like "$(head -1 "$T/sub.txt")" '^run\.state \{' "nngcat receives topic-prefixed events"
is "$(grep -vc '^run\.state' "$T/sub.txt")" 0 "only the subscribed topic"
stop_agentd

# bad agent files: named, skipped, the daemon still starts
AGENTS=$SRCDIR/tests/data/bad-agents
start_agentd; ok $? "agentd starts with broken agent files"
errs=$(ctl agents --json | jq -r '.errors[].error')
like "$errs" "notjson.json:2" "a JSON syntax error names file and line"
like "$errs" "badtool.json: tools\[0\]: input_schema" "a bad tool schema names the tool"
like "$errs" "does-not-exist" "a missing scenario is named"
is "$(ctl agents --json | jq -r '.agents[].name')" ok "the good agent loads"
like "$(ctl submit elsewhere t 2>&1)" 'agent "elsewhere" was rejected at start: .*unserved.json: model "gemini:x": unknown provider' \
  "a submit to a rejected agent says why it was rejected"
stop_agentd

# one agentd per data directory
start_agentd; ok $? "agentd starts again"
out=$("$AGENTD" --data-dir "$DATA" --agents "$SRCDIR/examples/agents" --socket-dir "$T/sock2" 2>&1); s=$?
is "$s" 1 "a second agentd on the same data directory refuses to start"
like "$out" "another agentd \(pid $AGENTD_PID\) uses the data directory" "naming the pid that holds it"
out=$("$AGENTD" --data-dir "$T/data2" --agents "$SRCDIR/examples/agents" --socket-dir "$SOCK" 2>&1); s=$?
is "$s" 1 "a second agentd on the same socket directory refuses to start"
like "$out" "another agentd running there" "saying why"
stop_agentd

# bad configuration stops agentd with a message naming it
echo '{"models": {"sim:*": {"input_per_mtok": -1}}}' > "$T/pricing.json"
out=$("$AGENTD" --data-dir "$DATA" --agents "$SRCDIR/examples/agents" --socket-dir "$SOCK" --pricing "$T/pricing.json" 2>&1); s=$?
is "$s" 1 "a bad pricing file stops agentd"
like "$out" "pricing.json" "naming the file"
out=$("$AGENTD" --agents x 2>&1); s=$?
is "$s" 2 "missing --data-dir is a usage error"
like "$out" "data-dir" "naming the option"
out=$("$AGENTD" --data-dir "$DATA" --agents "$T/none" --socket-dir "$SOCK" 2>&1); s=$?
is "$s" 1 "a missing agents directory stops agentd"
like "$out" "none" "naming it"
done_testing
