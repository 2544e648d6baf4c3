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

# --since replays history; --run filters
n=$(ctl events --since 0 --run "$r" | wc -l)
ok $([ "$n" -gt 10 ]; echo $?) "--since 0 --run replays one run's events ($n)"
is "$(ctl events --since 0 --run "$r" | jq -r .run | sort -u)" "$r" "only that run's"
stop_agentd
done_testing
