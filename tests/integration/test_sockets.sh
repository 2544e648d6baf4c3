#!/usr/bin/env bash
# The sockets under abuse, from outside clients (nngcat): a request over
# the 4 MiB cap gets a too_big answer and a log line naming the uid and the
# size; a subscriber that stops reading is disconnected and logged instead
# of costing agentd, and comes back when it reads again.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"
uid=$(id -u)

# FILE BYTES TYPE ID: a request of BYTES bytes (a long task)
big_request() {
  local head="{\"v\":1,\"type\":\"$3\",\"id\":$4,\"body\":{\"agent\":\"support-triage\",\"task\":\""
  { printf '%s' "$head"
    head -c $(($2 - ${#head} - 3)) /dev/zero | tr '\0' x
    printf '"}}'; } > "$1"
}
raw_file() { nngcat --req --connect "ipc://$SOCK/ctl.sock" --file "$1" --ascii --recv-timeout "$2" 2>&1 | head -c 2000; }

big_request "$T/big.json" 5000000 runs.submit 9
is "$(stat -c %s "$T/big.json")" 5000000 "a 5 MB request"
out=$(raw_file "$T/big.json" 20)
like "$out" '^\{"v":1,"type":"runs.submit","id":9,"ok":false,"error":\{"code":"too_big","message":"the request is 5000000 bytes, more than the protocol.s 4194304"\}\}' \
  "a request over 4 MiB gets a too_big reply echoing its type and id"
like "$(grep 'refused a request' "$T/agentd.log")" \
  "warn: refused a request of 5000000 bytes from uid $uid \(runs.submit, id 9\): more than the protocol's 4194304; answered too_big" \
  "agentd logs it with the peer's uid and the size"
is "$(ctl runs --json | jq length)" 0 "nothing was submitted"

# over what agentd reads (8 MiB), nng closes the connection unread: no
# answer (documented), and agentd goes on
big_request "$T/huge.json" 9000000 runs.submit 10
out=$(raw_file "$T/huge.json" 2)
is "$(printf '%s' "$out" | grep -c '"ok"')" 0 \
  "a request over 8 MiB gets no answer (nng closes the connection)"
like "$(ctl hello 2>&1)" "protocol 1" "agentd still answers"

# a subscriber that stops reading: nngcat --sub, then kill -STOP
nngcat --sub --connect "ipc://$SOCK/events.sock" --subscribe "" --ascii > "$T/sub.txt" 2>/dev/null &
sub=$!
connected=1
for _ in $(seq 1 100); do
  ctl submit bench-zero "before the stop" >/dev/null
  sleep 0.2
  [ -s "$T/sub.txt" ] && { connected=0; break; }
done
ok $connected "the subscriber receives events"
kill -STOP "$sub"
cut=1
for _ in $(seq 1 150); do	# events until agentd gives up on it (30 s at most)
  for i in 1 2 3; do ctl submit bench-zero "while stopped $i" >/dev/null; done
  grep -q "closed the event connection of pid $sub (uid $uid): it took no event for" "$T/agentd.log" && { cut=0; break; }
  sleep 0.2
done
ok $cut "agentd closes the connection of the stopped subscriber and logs its pid and uid"
like "$(ctl hello 2>&1)" "protocol 1" "and goes on answering"
kill -CONT "$sub"
back=1
for _ in $(seq 1 40); do	# it reads what the kernel held, redials, gets new events
  r=$(ctl submit bench-zero "after the resume")
  sleep 0.5
  grep -q "\"run\":\"$r\"" "$T/sub.txt" && { back=0; break; }
done
ok $back "the resumed subscriber reconnects and receives new events"
kill "$sub" 2>/dev/null
wait "$sub" 2>/dev/null

stop_agentd
done_testing
