#!/usr/bin/env bash
# bench_faults: N runs against the fake provider answering 30 % of its
# requests with HTTP 500 (a fixed random sequence; the others after 50 ms),
# with the endpoint's default attempts (5) and breaker (5 failures) and a
# 1 s cooldown. Prints how many runs finished and why the others failed.
# A figure, never a verdict.
#
#   ninja -C build bench-faults       (or: AGENTD=… AGENTCTL=… SRCDIR=… bench_faults.sh [N])
set -u
N=${1:-40}
. "$SRCDIR/tests/integration/lib.sh"
FAKE="python3 $SRCDIR/tests/fake_provider/fake_provider.py"
AGENTS=$T/agents
mkdir -p "$AGENTS/scenarios"
cp "$SRCDIR"/examples/agents/*.json "$AGENTS/"
cp "$SRCDIR"/examples/agents/scenarios/*.json "$AGENTS/scenarios/"
$FAKE serve --port-file "$T/port" --scenarios "$AGENTS/scenarios" >"$T/fake.log" 2>&1 &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")
start_agentd OPENAI_API_KEY=sk-bench OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
  OPENAI_BREAKER_COOLDOWN_MS=1000 || exit 1
$FAKE faults "$PORT" "$(python3 -c 'import json, random
g = random.Random(11)
print(json.dumps([{"status": 500} if g.random() < 0.3 else
    {"kind": "slow", "latency_ms": 50} for _ in range(40 * '"$N"')]))')" >/dev/null
t0=$(date +%s%N)
runs=()
for i in $(seq 1 "$N"); do runs+=("$(ctl submit support-triage "f$i" --model openai:support-triage)"); done
for r in "${runs[@]}"; do
  for _ in $(seq 1 1200); do
    case $(state_of "$r") in done|failed|killed) break ;; esac
    sleep 0.1
  done
done
t1=$(date +%s%N)
echo "bench_faults: $N runs, 30 % of requests answered HTTP 500, attempts 5, breaker 5 failures / 1 s"
for r in "${runs[@]}"; do ctl show "$r" --json | jq -r .state; done | sort | uniq -c
for r in "${runs[@]}"; do ctl show "$r" --json | jq -r 'select(.state == "failed") | .reason'; done |
  sed -E 's/\(.*//; s/attempts; last: (HTTP [0-9]+).*/attempts; last: \1/' | sort | uniq -c | sed 's/^/  failed: /'
echo "  requests sent: $($FAKE requests "$PORT" | jq '[.[] | select(.path == "/v1/chat/completions")] | length')," \
  "breaker opened $(ctl events --type provider.breaker | jq -s '[.[] | select(.to == "open")] | length') times," \
  "wall $(( (t1 - t0) / 1000000000 )) s"
stop_agentd
