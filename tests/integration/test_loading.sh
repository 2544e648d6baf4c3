#!/usr/bin/env bash
# Loading the agents directory from bad files: files that are not regular
# (a FIFO used to block start-up forever), two files defining one agent,
# oversized files, type errors that must name the field; the same words in
# request bodies; and SIGTERM while start-up is stuck.
. "$(dirname "$0")/lib.sh"

AGENTS=$T/agents
mkdir -p "$AGENTS"
cp -r "$SRCDIR/examples/agents/." "$AGENTS/"
# not regular files named *.json
mkfifo "$AGENTS/x.json" "$AGENTS/scenarios/fifo.json"
# the deploy spec under support-triage's name: neither may run
sed 's/"name": "deploy"/"name": "support-triage"/' "$SRCDIR/examples/agents/deploy.json" \
  > "$AGENTS/aa-impostor.json"
# 200 MiB and 50 MiB that take no disk: refused before they are read
truncate -s 200M "$AGENTS/big.json"
truncate -s 50M "$AGENTS/scenarios/huge.json"
# a valid spec of 3 MiB (a long system prompt): over the cap all the same
{ printf '{"name": "long", "model": "sim:deploy", "system": "'
  head -c 3145728 /dev/zero | tr '\0' 'x'; printf '"}'; } > "$AGENTS/long.json"
# type errors
echo '{"name": "typed", "model": "sim:deploy", "max_tokens": "5"}' > "$AGENTS/typed.json"
echo '{"name": "frac", "model": "sim:deploy", "budget": {"tokens_in": 1.0}}' > "$AGENTS/frac.json"
echo '{"name": "colour", "model": "sim:deploy", "colour": "red"}' > "$AGENTS/colour.json"
printf '{"name": "nul\\u0000", "model": "sim:deploy"}' > "$AGENTS/nul.json"
echo '{"turns": [{"text": "a", "tokens_in": "12"}]}' > "$AGENTS/scenarios/typedturn.json"

start_agentd; ok $? "agentd starts although x.json is a FIFO"
errs=$(ctl agents --json | jq -r '.errors[] | "\(.file) => \(.error)"')
printf '%s\n' "$errs" | sed 's/^/# /'
like "$errs" "/x.json => .*/x.json: not a regular file \(a FIFO\); only regular files are read" \
  "the FIFO is listed as a load error naming the file"
like "$errs" "/scenarios/fifo.json => .*not a regular file \(a FIFO\)" "so is a FIFO among the scenarios"
like "$(grep 'rejected: .*x.json' "$T/agentd.log")" "agent spec rejected: .*x.json: not a regular file" \
  "and it is logged"

# two files, one name: both rejected, each error naming both files
is "$(ctl agents --json | jq '[.agents[].name] | index("support-triage")')" null \
  "neither file's support-triage is loaded"
like "$(ctl agents --json | jq -r '.agents[].name')" deploy "the other agents still load"
is "$(ctl agents --json | jq '[.errors[] | select(.agent == "support-triage")] | length')" 2 \
  "one error for each of the two files"
like "$errs" "/aa-impostor.json => .*aa-impostor.json: agent \"support-triage\" is also defined by .*/support-triage.json: neither file is loaded" \
  "the impostor's error names both files"
like "$errs" "/support-triage.json => .*support-triage.json: agent \"support-triage\" is also defined by .*/aa-impostor.json" \
  "the real spec's error names both files"
is "$(grep -c 'agent spec rejected: .*agent "support-triage" is also defined by' "$T/agentd.log")" 2 \
  "both are logged"
out=$(ctl submit support-triage "ticket 1" 2>&1); s=$?
is "$s" 1 "a submit to the duplicated name is refused"
like "$out" 'agent "support-triage" was rejected at start: .*is also defined by' "saying why"

# sizes
like "$errs" "/big.json => .*big.json: file is 200 MiB, more than the 1 MiB a spec may be" \
  "a 200 MiB spec is refused, naming the cap"
like "$errs" "/huge.json => .*huge.json: file is 50 MiB, more than the 4 MiB a scenario may be" \
  "a 50 MiB scenario is refused, naming the cap"
like "$errs" "/long.json => .*long.json: file is 3.0 MiB, more than the 1 MiB a spec may be" \
  "a valid 3 MiB spec is refused too"

# type errors name the field and the file, in agentd's words
like "$errs" 'typed.json: field "max_tokens" must be an integer, not a string' "a spec's type error names the field"
like "$errs" 'frac.json: budget: field "tokens_in" must be an integer >= 0, not a decimal number' \
  "tokens_in: 1.0 is refused: counts are integers"
like "$errs" 'colour.json: unknown field "colour" \(known: name, ' "an unknown field is named, with the known ones"
like "$errs" 'nul.json:1:[0-9]+: a string holds \\u0000, which is not accepted' "a NUL is refused in words"
like "$errs" 'typedturn.json: turns\[0\]: field "tokens_in" must be an integer, not a string' \
  "a scenario's type error names the turn and the field"
ok "$(printf '%s' "$errs" | grep -Ec 'Expected|left unpacked|JSON_ALLOW_NUL|item not found')" \
  "no error has jansson's words"

# request bodies and the envelope, as any client sends them
raw() { nngcat --req --connect "ipc://$SOCK/ctl.sock" --data "$1" --ascii --recv-timeout 5 2>&1 | head -c 2000; }
like "$(raw '{"v":1,"type":"runs.list","id":1,"body":{"limit":"5"}}')" \
  '"bad_request","message":"body: field \\"limit\\" must be an integer, not a string"' "a body's type error names the field"
like "$(raw '{"v":1,"type":"runs.list","id":2,"body":{"agent":"deploy","limit":5.0}}')" \
  'body: field \\"limit\\" must be an integer, not a decimal number' "5.0 is not an integer"
like "$(raw '{"v":1,"type":"runs.get","id":3,"body":{"run":"r-1","colour":1}}')" \
  'body: unknown field \\"colour\\"' "an unknown body field is named"
like "$(raw '{"v":1,"type":"runs.get","id":4,"body":{}}')" 'body: field \\"run\\" is required' \
  "a missing field is named"
out=$(raw '{"v":1,"type":"hello","id":5,"extra":1}')
like "$out" '"schema","message":"request: unknown top-level field \\"extra\\" \(a request has v, type, id and body\)"' \
  "an unknown envelope field is named"
out=$out$(raw '{"v":1,"type":"hello","id":6,"body":{"a":"\u0000"}}')
like "$out" 'a string holds \\\\u0000, which is not accepted' "a NUL in a request is refused in words"
ok "$(printf '%s' "$out" | grep -Ec 'left unpacked|JSON_ALLOW_NUL')" "without jansson's words"
out=$(ctl submit deploy "v2" --budget '{"tokens_in": 1.0}' 2>&1)
like "$out" 'budget: field "tokens_in" must be an integer >= 0, not a decimal number' \
  "a submit's budget override is checked the same way"
stop_agentd; ok $? "agentd stops"

# a FIFO as pricing.json: agentd refuses to start, at once
rm -f "$AGENTS/pricing.json"; mkfifo "$AGENTS/pricing.json"
out=$(timeout 20 "$AGENTD" --data-dir "$DATA" --agents "$AGENTS" --socket-dir "$SOCK" 2>&1); s=$?
is "$s" 1 "a FIFO pricing.json stops agentd instead of hanging"
like "$out" "pricing table rejected: .*pricing.json: not a regular file \(a FIFO\)" "naming it"
rm -f "$AGENTS/pricing.json"

# SIGTERM while start-up is stuck: another process holds the database
# locked, so opening it waits (5 s, then fails); agentd must stop at once
mkdir -p "$T/slow"
python3 - "$T/slow/agentd.db" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("create table hold (a)")
db.execute("begin exclusive")
db.execute("insert into hold values (1)")
open(sys.argv[1] + ".held", "w").close()
time.sleep(60)
EOF
holder=$!
for _ in $(seq 1 300); do [ -e "$T/slow/agentd.db.held" ] && break; sleep 0.1; done
"$AGENTD" --data-dir "$T/slow" --agents "$AGENTS" --socket-dir "$T/slowsock" >"$T/slow.log" 2>&1 &
pid=$!
# the pid is written to agentd.lock just before the database is opened
for _ in $(seq 1 400); do
  [ "$(cat "$T/slow/agentd.lock" 2>/dev/null)" = "$pid" ] && break
  sleep 0.05
done
sleep 0.3
kill -TERM "$pid"
t0=$(date +%s%N)
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
ms=$((($(date +%s%N) - t0) / 1000000))
kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
wait "$pid"; s=$?
ok $((ms > 3000)) "SIGTERM during a stuck start-up stops agentd within 3 s (${ms} ms)"
like "$s" '^(0|143)$' "by the signal (status $s)"
like "$(cat "$T/slow.log")" "received SIGTERM during start-up \(opening the database\): stopping" \
  "saying what it was doing"
like "$(cat "$T/slow.log")" "start-up is still opening the database 1000 ms after SIGTERM: exiting now" \
  "and why it did not wait"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# the same signal, when the step it came in ends in time: agentd stops
# cleanly at the next step. Frozen while stuck, signalled, unlocked, thawed:
# opening the database then ends within ~100 ms, well inside the second.
rm -rf "$T/slow"; mkdir -p "$T/slow"
python3 - "$T/slow/agentd.db" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("begin exclusive")
db.execute("create table hold (a)")
open(sys.argv[1] + ".held", "w").close()
time.sleep(60)
EOF
holder=$!
for _ in $(seq 1 300); do [ -e "$T/slow/agentd.db.held" ] && break; sleep 0.1; done
"$AGENTD" --data-dir "$T/slow" --agents "$AGENTS" --socket-dir "$T/slowsock" >"$T/slow.log" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  [ "$(cat "$T/slow/agentd.lock" 2>/dev/null)" = "$pid" ] && break
  sleep 0.05
done
sleep 0.3
kill -STOP "$pid"
kill -TERM "$pid"
kill "$holder"; wait "$holder" 2>/dev/null
kill -CONT "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
wait "$pid"; s=$?
is "$s" 0 "a signal during start-up stops agentd cleanly at the next step"
like "$(cat "$T/slow.log")" "received SIGTERM during start-up \(opening the database\): stopping" \
  "saying what it was doing"
like "$(cat "$T/slow.log")" "stopped during start-up, as asked" "and that it stopped"
ok "$(grep -c 'listening in' "$T/slow.log")" "before it listened"
done_testing
