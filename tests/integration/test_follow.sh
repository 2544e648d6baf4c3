#!/usr/bin/env bash
# agentctl events --follow: live events in seq order, backfill, resync
# after the daemon goes away and comes back.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"
"$AGENTCTL" --socket-dir "$SOCK" events --follow > "$T/follow.jsonl" 2>"$T/follow.err" &
follower=$!
sleep 0.5
r=$(ctl submit support-triage "follow me")
for _ in $(seq 1 200); do
  grep -q '"to":"done"' "$T/follow.jsonl" 2>/dev/null && break
  sleep 0.1
done
grep -q '"to":"done"' "$T/follow.jsonl"; ok $? "--follow shows the run's events live, to the end"
is "$(jq -s '[.[].seq] | . == sort and length == (unique | length)' "$T/follow.jsonl")" true "in strictly increasing seq, no duplicates"
first=$(jq -s '.[0].seq' "$T/follow.jsonl")
last=$(jq -s '.[-1].seq' "$T/follow.jsonl")
is "$(jq -s 'length' "$T/follow.jsonl")" "$((last - first + 1))" "without gaps"

# the daemon goes away and comes back: the follower resyncs
stop_agentd
start_agentd; ok $? "agentd restarts"
r2=$(ctl submit support-triage "after the restart")
for _ in $(seq 1 200); do
  run_reached "$T/follow.jsonl" "$r2" done && break
  sleep 0.1
done
run_reached "$T/follow.jsonl" "$r2" done
ok $? "the follower sees runs after a daemon restart"
if ! run_reached "$T/follow.jsonl" "$r2" done; then
  diag "follower stderr:"; sed 's/^/#   /' "$T/follow.err"
  diag "last lines:"; tail -3 "$T/follow.jsonl" | cut -c1-160 | sed 's/^/#   /'
fi
is "$(jq -s '[.[].seq] | . == sort and length == (unique | length)' "$T/follow.jsonl")" true "still in order without duplicates"
kill -INT $follower
for _ in $(seq 1 50); do kill -0 $follower 2>/dev/null || break; sleep 0.1; done
kill -0 $follower 2>/dev/null && { diag "follower ignores SIGINT"; kill -9 $follower; }
wait $follower; s=$?
ok $([ $s -eq 0 ] || [ $s -eq 130 ]; echo $?) "SIGINT ends --follow cleanly"

# --follow --run: from the run's first event to its end, then exits
r3=$(ctl submit support-triage "follow me to the end")
timeout 60 "$AGENTCTL" --socket-dir "$SOCK" events --follow --run "$r3" > "$T/run.jsonl" 2>"$T/run.err"
is "$?" 0 "--follow --run exits by itself (status 0) when the run ends"
is "$(jq -r -s '.[0].type' "$T/run.jsonl")" run.submitted "from the run's first event"
is "$(jq -r -s '[.[] | select(.type == "run.state")][-1].to' "$T/run.jsonl")" done "to its end"
is "$(jq -r .run "$T/run.jsonl" | sort -u)" "$r3" "only that run's events"
is "$(jq -s '[.[].seq] | . == sort and length == (unique | length)' "$T/run.jsonl")" true "in order, no duplicates"
is "$(jq -s 'length' "$T/run.jsonl")" "$(ctl events --run "$r3" | wc -l)" "every stored event of the run"
r4=$(ctl submit support-triage "follow my spans")
timeout 60 "$AGENTCTL" --socket-dir "$SOCK" events --follow --run "$r4" --type span.end > "$T/spans.jsonl"
is "$?" 0 "with --type too, it ends with the run"
is "$(jq -r .type "$T/spans.jsonl" | sort -u)" span.end "printing only that type"
is "$(wc -l < "$T/spans.jsonl")" "$(ctl events --run "$r4" --type span.end | wc -l)" "all of them"
timeout 10 "$AGENTCTL" --socket-dir "$SOCK" events --follow --run "$r3" > "$T/again.jsonl"
is "$?" 0 "following a run that has ended prints its events and exits"
cmp -s "$T/run.jsonl" "$T/again.jsonl"; ok $? "the same events"
end=$(jq -s '.[-1].seq' "$T/run.jsonl")
out=$(timeout 10 "$AGENTCTL" --socket-dir "$SOCK" events --follow --run "$r3" --since "$end"); s=$?
is "$s" 0 "--since past the end of an ended run: exits too"
is "$out" "" "with nothing to print"
is "$(ctl events --run "$r4" --type SPAN.END | wc -l)" "$(wc -l < "$T/spans.jsonl")" \
  "--type matches in any case, as agentd's filter does"
out=$(timeout 10 "$AGENTCTL" --socket-dir "$SOCK" events --follow --run r-nosuchrun 2>&1); s=$?
is "$s" 1 "following an unknown run is an error"
like "$out" "not_found.*r-nosuchrun" "naming the run"

# --since replays history; --run filters
n=$(ctl events --since 0 --run "$r" | wc -l)
ok $([ "$n" -gt 10 ]; echo $?) "--since 0 --run replays one run's events ($n)"
is "$(ctl events --since 0 --run "$r" | jq -r .run | sort -u)" "$r" "only that run's"
stop_agentd
done_testing
