#!/usr/bin/env bash
# A client that hangs up during the handshake (a raw connect-and-close, a
# dial that gives up while agentd is stopped) must not leave agentd deaf:
# nng 1.5.2 stops accepting on such a listener (nng #1518) and spins on the
# dead connection; agentd probes its sockets every second and listens
# afresh on one that no longer takes connections.
. "$(dirname "$0")/lib.sh"

hangup() {	# hangup SOCKET: connect, then close before any handshake
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$1"
}

answers_within() {	# answers_within SECONDS: hello answers in that time
  for _ in $(seq 1 "$1"); do
    timeout 2 "$AGENTCTL" --socket-dir "$SOCK" hello >/dev/null 2>&1 && return 0
  done
  return 1
}

# nng keeps what the broken listener held until the process ends: under
# AddressSanitizer that is a leak of nng's, not of agentd's
start_agentd "ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0" || exit 1
# while agentd is stopped the hang-ups wait in the backlog: each is a
# connection that is gone by the time agentd's handshake starts
kill -STOP "$AGENTD_PID"
hangup "$SOCK/ctl.sock"
hangup "$SOCK/events.sock"
kill -CONT "$AGENTD_PID"
answers_within 8; ok $? "after a hang-up in the handshake, agentd answers again"
logged() {	# logged REGEX: the log has it within 8 s
  for _ in $(seq 1 80); do grep -Eq -- "$1" "$T/agentd.log" && return 0; sleep 0.1; done
  return 1
}
logged "control socket .* stopped accepting connections.*listening on it afresh"
ok $? "the log says what happened to the control socket"
logged "events socket .* stopped accepting connections.*listening on it afresh"
ok $? "and to the events socket"
sleep 2
ticks1=$(awk '{print $14 + $15}' "/proc/$AGENTD_PID/stat")
sleep 2
ticks2=$(awk '{print $14 + $15}' "/proc/$AGENTD_PID/stat")
ok $(( ticks2 - ticks1 < 100 ? 0 : 1 )) "and it does not spin (CPU ticks in 2 s idle: $((ticks2 - ticks1)))"

# a subscriber gets events again
ctl events --follow --type run.submitted --json >"$T/follow" 2>/dev/null &
follower=$!
sleep 1
run=$(ctl submit support-triage "after the hang-up" --json | jq -r .id)
for _ in $(seq 1 50); do grep -q "$run" "$T/follow" && break; sleep 0.1; done
grep -q "$run" "$T/follow"; ok $? "a subscriber gets events after the events socket was listened on afresh"
kill "$follower" 2>/dev/null; wait "$follower" 2>/dev/null

# a raw hang-up while agentd runs, and a dial that gives up while agentd
# is stopped
hangup "$SOCK/ctl.sock"
kill -STOP "$AGENTD_PID"
nngcat --req --connect "ipc://$SOCK/ctl.sock" --data '{"v":1,"type":"hello","id":1}' \
  --ascii --recv-timeout 1 >/dev/null 2>&1
kill -CONT "$AGENTD_PID"
answers_within 8; ok $? "after a dial given up while agentd was stopped, agentd answers again"
stop_agentd; ok $? "agentd stops cleanly"

done_testing
