#!/usr/bin/env bash
# agentop's operator safety under tmux (issue 10): no red frame while the
# first connection is under way; the cursor stays on its run while runs
# arrive, and the action names it; a run leaving the list is announced;
# the prompt line scrolls at 80 columns; search finds a word the wrap
# split; small terminals keep the header's essentials; views scroll;
# history's text column gets the room.
. "$(dirname "$0")/lib.sh"
: "${AGENTOP:?}"

export LC_ALL=C.UTF-8	# ${#line} counts characters
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
export TMUX_TMPDIR=$T
traffic=
cleanup_tmux() {
  [ -n "$traffic" ] && kill "$traffic" 2>/dev/null
  tmux kill-server 2>/dev/null
}
trap 'cleanup_tmux; cleanup' EXIT

# agentop in a new tmux session NAME COLS ROWS [VAR=value...]
start_op() {
  local name=$1 cols=$2 rows=$3; shift 3
  tmux new-session -d -s "$name" -x "$cols" -y "$rows" \
    "env TERM=screen-256color $* '$AGENTOP' --socket-dir '$SOCK'; sleep 60"
  session=$name
}
# prompt_line: the screen's line before the footer
prompt_line() { screen | tail -2 | head -1; }
# widest: the widest line of the screen, in characters
widest() {
  local w=0 line
  while IFS= read -r line; do [ ${#line} -gt "$w" ] && w=${#line}; done <<< "$(screen)"
  echo "$w"
}

start_agentd || { done_testing; }

# ---- the first frames: neutral while connecting (point 5) ----------------
# everything agentop writes to the terminal, from its first byte
raw=$T/start.raw
tmux new-session -d -s flash -x 80 -y 24 \
  "sleep 0.5; TERM=screen-256color '$AGENTOP' --socket-dir '$SOCK'; sleep 60"
tmux pipe-pane -t flash -o "cat >> '$raw'"
session=flash
wait_screen " live " 10; ok $? "agentop connects"
grep -a -q 'agentop' "$raw"; ok $? "its output from the start is recorded"
! grep -a -q -e 'not connected' -e 'not reachable' "$raw"
ok $? "no 'not connected' frame while the first attempt is under way"
keys q
# and when agentd is not there, it still says so (after the first attempt)
tmux new-session -d -s nod -x 80 -y 24 \
  "TERM=screen-256color '$AGENTOP' --socket-dir '$T/nowhere'; sleep 60"
session=nod
wait_screen "connecting|agentd not reachable" 5
wait_screen "agentd not reachable at $T/nowhere" 5; ok $? "an absent agentd is reported once the attempt had its chance"
keys q

# ---- the cursor follows its run under live traffic (point 1) ------------
start_op op 80 24
wait_screen " live " 10
target=$(ctl submit deploy "Roll out target-api v9.9.9 to production")
wait_screen "$target" 10
wait_state "$target" awaiting_human 20
keys g; sleep 0.3
keys Enter; wait_screen "^$target " 5; ok $? "the cursor is on the target run (Enter opens it)"
keys q; sleep 0.3
# live traffic: new runs arrive above it (newest first), others end
(
  for i in $(seq 1 40); do
    ctl submit deploy "Roll out filler-$i v1.0.$i" >/dev/null 2>&1
    ctl submit support-triage "Ticket $i: refund" >/dev/null 2>&1
    sleep 0.15
  done
) &
traffic=$!
# until at least ten runs are listed above the target
for _ in $(seq 1 100); do
  row=$(screen | grep -n -- "$target" | cut -d: -f1)
  [ -n "$row" ] && [ "$row" -ge 14 ] && break
  sleep 0.1
done
like "$row" '^[0-9]+$' "the target is still on screen"
[ "${row:-0}" -ge 14 ]; ok $? "runs arrived above it (row $row)"
keys p
wait_state "$target" paused 10; ok $? "p pauses the run under the cursor, not the row it was on"
is "$(ctl runs --state paused --json | jq -r '.[].id' | tr '\n' ' ')" "$target " "and no other run"
wait_screen "pause $target: done" 5; ok $? "the result line names the run"
kill "$traffic" 2>/dev/null; wait "$traffic" 2>/dev/null; traffic=
ctl resume "$target" >/dev/null
wait_state "$target" awaiting_human 10

# a run that leaves the list (killed elsewhere): said, cursor on a neighbour
for _ in $(seq 1 100); do
  [ "$(ctl runs --state awaiting_human --json | jq length)" -ge 4 ] && break
  sleep 0.1
done
keys / ; sleep 0.2; keys C-u "state=awaiting_human" Enter; sleep 0.3
keys g; sleep 0.2; keys Enter
wait_screen "^r-[0-9a-z]+ " 5
sel=$(screen | sed -n 3p | awk '{print $1}')
keys q; sleep 0.3
like "$sel" '^r-' "the cursor is on a run awaiting an operator ($sel)"
[ "$sel" != "$target" ]; ok $? "(one not acted on here)"
ctl kill "$sel" --reason "from another console" >/dev/null
wait_screen "run $sel left the list \(killed, filtered out\); now on r-" 10
ok $? "its leaving is said on the prompt line, with the run now under the cursor"
keys / ; sleep 0.2; keys C-u Enter; sleep 0.3

# ---- the prompt line scrolls at 80 columns (point 2) ---------------------
keys K
wait_screen "^Type KILL to confirm: *$" 3; ok $? "the kill switch's 'Type KILL to confirm:' is on screen at 80 columns"
like "$(screen | tail -3 | head -1)" "ENGAGE THE KILL SWITCH" "with its warning on the line above"
keys KILL; sleep 0.3
is "$(prompt_line)" "Type KILL to confirm: KILL" "and what is typed is visible"
keys Escape; sleep 0.3
is "$(ctl health --json | jq .killswitch)" false "Esc leaves it off"

keys 2
wait_screen "decide within" 5
keys e
wait_screen "Ctrl-X opens \\\$EDITOR" 3; ok $? "the arguments prompt offers \$EDITOR"
esc=$(screen | grep -o -m1 'approve e-[0-9a-z]*' | cut -d' ' -f2)
erun=$(ctl escalations --json | jq -r --arg e "$esc" '.[] | select(.id == $e) | .run')
like "$(screen | grep -m1 'approve e-')" "approve $esc \(run $erun\)" "and names the escalation and its run"
long='{"env":"staging","service":"checkout-api-eu-west-1-blue-fleet-primary-cluster","strategy":"rolling","version":"v2.4.2"}'
keys C-u; keys -l "$long"; sleep 0.3
p=$(prompt_line)
like "$p" 'v2\.4\.2"\}$' "typed past the width, the typed end stays visible ($p)"
[ "${#p}" -le 80 ]; ok $? "within 80 columns"
keys Home; sleep 0.3
like "$(prompt_line)" '^args: \{"env":"staging","service":"checkout-api.*>$' "Home shows the start"
keys End Enter
wait_screen "approve \(edited\) $esc \(run $erun\): done" 5; ok $? "Enter approves, naming the escalation and its run"
is "$(ctl escalations --state approved --json | jq -r --arg e "$esc" '.[] | select(.id == $e) | .decided_args.service')" \
  checkout-api-eu-west-1-blue-fleet-primary-cluster "with the arguments as edited"

# ^X: the same arguments in $EDITOR (here a sed), back on the prompt line
tmux kill-session -t op
start_op op 80 24 "EDITOR='sed -i s/canary/all-at-once/'"
wait_screen " live " 10
keys 2; wait_screen "decide within" 5
esc=$(screen | grep -o -m1 '^ e-[0-9a-z]*' | tr -d ' ')
keys e; wait_screen "Ctrl-X" 3
keys C-x
wait_screen 'all-at-once' 5; ok $? "Ctrl-X edits the arguments in \$EDITOR and brings them back"
keys Enter
wait_screen "approve \(edited\) $esc .*: done" 5
is "$(ctl escalations --state approved --json | jq -r --arg e "$esc" '.[] | select(.id == $e) | .decided_args.strategy')" \
  all-at-once "approved with what the editor left"
keys 1

# ---- search across a wrap (point 3) --------------------------------------
# one long word: the message's 67-column lines split "canary" (at 533)
task="$(printf 'x%.0s' $(seq 1 533))canary$(printf 'y%.0s' $(seq 1 20))"
w=$(ctl submit support-triage "$task")
wait_state "$w" done 20
keys : ; sleep 0.2; keys "show $w" Enter
wait_screen "MESSAGES" 5
keys / ; sleep 0.2; keys canary Enter
wait_screen "\"canary\": 1 match in run $w" 5; ok $? "a word split by the wrap is found"
wait_screen "x+can$" 3; ok $? "the lines with its two parts are on screen"
screen | grep -A1 -E 'x+can$' | tail -1 | grep -q '^ *aryy'; ok $? "the rest starts the next line"
tmux capture-pane -t "$session" -p -e | grep -a -q -E $'x+\e\\[[0-9;]*m(\e\\[[0-9;]*m)*can'
ok $? "and the match is highlighted"
keys q; sleep 0.3

# ---- views scroll; text columns get the room (point 4) -------------------
keys 4; wait_screen "lines 1-" 5; ok $? "health says it has more lines than fit at 80x24"
keys G; wait_screen "providers +breaker" 3; ok $? "and scrolls to the providers table"
wait_screen "   sim +closed" 3; ok $? "with its rows"
h=$(ctl submit support-triage "Ticket 77: refund for order 5521")
wait_state "$h" done 20
keys 3; sleep 0.2; keys / ; sleep 0.2; keys C-u "order 5521" Enter
wait_screen "$h .*final answer / Ticket 77" 5; ok $? "history's reason and task column has room at 80 columns"
keys 1

# ---- 60x20 (point 4) -----------------------------------------------------
start_op small 60 20
wait_screen " live " 10
pending=$(ctl escalations --json | jq length)
[ "$pending" -gt 0 ]; ok $? "escalations are pending ($pending)"
wait_screen "^ .* ESC $pending +live" 5
ok $? "at 60x20 the header keeps the escalation count and the connection"
[ "$(widest)" -le 60 ]; ok $? "no line is wider than 60"
like "$(screen | sed -n 3p)" "ID +AGENT +STATE" "the runs table fits"
crash_agentd
wait_screen "^ .* ESC $pending +DISCONNECTED" 10
ok $? "and still when agentd goes away"
keys q
done_testing
