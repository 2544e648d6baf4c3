# Shared helpers of the integration tests: TAP output, a private agentd on
# a temp dir, agentctl against it. Source it; set AGENTS to choose agents.
# Meson passes AGENTD, AGENTCTL and SRCDIR in the environment.
set -u

: "${AGENTD:?}" "${AGENTCTL:?}" "${SRCDIR:?}"
AGENTS=${AGENTS:-$SRCDIR/examples/agents}
T=$(mktemp -d /tmp/agentd-it-XXXXXX)
SOCK=$T/sock
DATA=$T/data
AGENTD_PID=
t_n=0
t_failed=0

cleanup() {
  [ -n "$AGENTD_PID" ] && kill -9 "$AGENTD_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# ok STATUS DESCRIPTION: one TAP line; STATUS 0 passes.
ok() {
  t_n=$((t_n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $t_n - $2"
  else
    echo "not ok $t_n - $2"
    t_failed=$((t_failed + 1))
  fi
}

# check DESCRIPTION COMMAND...: runs the command, ok if it succeeds.
check() {
  local desc=$1; shift
  "$@" >/dev/null 2>&1
  ok $? "$desc"
}

# is GOT WANT DESCRIPTION
is() {
  if [ "$1" = "$2" ]; then ok 0 "$3"; else
    echo "# got:  '$1'"; echo "# want: '$2'"; ok 1 "$3"; fi
}

# like GOT REGEX DESCRIPTION
like() {
  if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
    echo "# got: '$1'"; echo "# want match: '$2'"; ok 1 "$3"; fi
}

done_testing() {
  echo "1..$t_n"
  [ "$t_failed" -eq 0 ]
  exit $?
}

diag() { echo "# $*"; }

ctl() { "$AGENTCTL" --socket-dir "$SOCK" "$@"; }

# start_agentd [VAR=value...] [extra args]: starts it (with those variables
# in its environment) and waits until it answers.
start_agentd() {
  local -a vars=()
  while [ $# -gt 0 ] && [[ $1 =~ ^[A-Z][A-Z0-9_]*= ]]; do vars+=("$1"); shift; done
  env "${vars[@]}" "$AGENTD" --data-dir "$DATA" --agents "$AGENTS" \
    --socket-dir "$SOCK" --foreground "$@" >>"$T/agentd.log" 2>&1 &
  AGENTD_PID=$!
  for _ in $(seq 1 100); do
    ctl hello >/dev/null 2>&1 && return 0
    kill -0 "$AGENTD_PID" 2>/dev/null || break
    sleep 0.1
  done
  diag "agentd did not start:"; sed 's/^/# /' "$T/agentd.log" | tail -20
  return 1
}

stop_agentd() {	# SIGTERM and wait
  [ -n "$AGENTD_PID" ] || return 0
  kill -TERM "$AGENTD_PID"
  wait "$AGENTD_PID"
  local s=$?
  AGENTD_PID=
  return $s
}

crash_agentd() {	# kill -9
  kill -9 "$AGENTD_PID"
  wait "$AGENTD_PID" 2>/dev/null
  AGENTD_PID=
}

state_of() { ctl show "$1" --json 2>/dev/null | jq -r .state; }

# wait_state RUN STATE [SECONDS]
wait_state() {
  local run=$1 want=$2 secs=${3:-20} s=
  for _ in $(seq 1 $((secs * 10))); do
    s=$(state_of "$run")
    [ "$s" = "$want" ] && return 0
    sleep 0.1
  done
  diag "run $run is '$s', wanted '$want'"
  return 1
}

# run_reached FILE RUN STATE: the JSON-lines FILE has RUN's transition to
# STATE (jq -s: jq 1.6's -e only looks at the last input)
run_reached() {
  jq -s -e --arg r "$2" --arg s "$3" \
    'any(.[]; .run == $r and .type == "run.state" and .to == $s)' "$1" >/dev/null 2>&1
}

# pending_escalation RUN: prints its pending escalation id
pending_escalation() {
  local id=
  for _ in $(seq 1 100); do
    id=$(ctl escalations --json | jq -r --arg r "$1" '.[] | select(.run == $r) | .id' | head -1)
    [ -n "$id" ] && { echo "$id"; return 0; }
    sleep 0.1
  done
  return 1
}

# agentop under tmux: $session names the tmux session (TMUX_TMPDIR private)
screen() { tmux capture-pane -t "$session" -p; }
keys() { tmux send-keys -t "$session" "$@"; }
# wait_screen REGEX [SECONDS]: until the screen matches
wait_screen() {
  for _ in $(seq 1 $((${2:-10} * 10))); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  diag "screen does not match /$1/:"; screen | sed 's/^/#   /'
  return 1
}
# start_agentop: agentop on $SOCK, 140x40, in tmux session "op" on a private
# tmux server ($T), UTF-8 from here on; ok if it connects (one TAP line)
start_agentop() {
  export LC_ALL=C.UTF-8 TMUX_TMPDIR=$T
  session=op
  tmux new-session -d -s $session -x 140 -y 40 \
    "TERM=screen-256color '${AGENTOP:?}' --socket-dir '$SOCK'; sleep 30"
  wait_screen " live " 10; ok $? "agentop connects"
}
# open_run RUN: from the runs view, RUN's detail (filtered to it, Enter)
open_run() {
  wait_screen "$1" 5
  keys / ; sleep 0.2; keys C-u "$1" Enter; sleep 0.3
  keys Enter
}
stop_agentop() { tmux kill-server 2>/dev/null; }
