#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts agentd with the demo
# agents on the embedded sim provider (no API key, no network), keeps live
# traffic coming (a ReAct agent that finishes, a deploy that waits for an
# operator, a runaway loop, a budget overrun, a sloppy tool call) and
# opens agentop on it. Quitting agentop (q) stops everything.
#
# Environment: AGENTD_DEMO_DIR (default /tmp/agentd-demo-$UID) holds the
# database and logs; AGENTD_SOCKET_DIR as for every agentd program.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

.ci/deps
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

demo=${AGENTD_DEMO_DIR:-/tmp/agentd-demo-$(id -u)}
mkdir -p "$demo"
agentd=$top/build/agentd/agentd
agentctl=$top/build/tui/agentctl/agentctl

"$agentd" --data-dir "$demo/data" --agents "$top/examples/agents" \
  >>"$demo/agentd.log" 2>&1 &
daemon=$!
traffic= follower=
stop() {
  [ -n "$follower" ] && kill "$follower" 2>/dev/null
  [ -n "$traffic" ] && kill "$traffic" 2>/dev/null
  kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  echo
  echo "agentd stopped. Database and log: $demo"
}
trap stop EXIT
trap "exit 130" INT
trap "exit 143" TERM

for _ in $(seq 1 50); do "$agentctl" hello >/dev/null 2>&1 && break; sleep 0.1; done
if ! "$agentctl" hello >/dev/null 2>&1; then
  echo "agentd did not start; its log says:" >&2
  tail -5 "$demo/agentd.log" >&2
  exit 1
fi

# live traffic: a steady stream of tickets, and every so often the others
(
  i=0
  while :; do
    "$agentctl" submit support-triage "Ticket $((4800 + i)): customer asks about a refund" >/dev/null 2>&1 || true
    if [ $((i % 6)) -eq 0 ]; then
      "$agentctl" submit deploy "Roll out checkout-api v2.4.$i to production" >/dev/null 2>&1 || true
      "$agentctl" submit runaway "Wait for the nightly ETL job" >/dev/null 2>&1 || true
      "$agentctl" submit spendthrift "Summarise the annual report, chapter by chapter" >/dev/null 2>&1 || true
      "$agentctl" submit sloppy "What is 1200 plus 8% VAT?" >/dev/null 2>&1 || true
    fi
    i=$((i + 1))
    sleep 4
  done
) &
traffic=$!

# the console; without a terminal (e.g. in a pipe), the event stream
if [ -t 0 ] && [ -t 1 ]; then
  "$top/build/tui/agentop/agentop" || true
else
  echo "agentd is running the demo agents (log: $demo/agentd.log); no"
  echo "terminal, so following events instead of opening agentop."
  # in the background: a signal to this script is handled at once (bash
  # waits for a foreground child before it runs a trap)
  "$agentctl" events --follow &
  follower=$!
  wait "$follower" || true
fi
