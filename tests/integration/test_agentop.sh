#!/usr/bin/env bash
# agentop under tmux against a real agentd running the demo agents: driven
# with send-keys, read with capture-pane.
. "$(dirname "$0")/lib.sh"
: "${AGENTOP:?}"

export LC_ALL=C.UTF-8	# ${#line} counts characters
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
export TMUX_TMPDIR=$T
session=op
cleanup_tmux() { tmux kill-server 2>/dev/null; }
trap 'cleanup_tmux; cleanup' EXIT

# started before agentd: says so, then connects by itself
tmux new-session -d -s early -x 100 -y 24 \
  "TERM=screen-256color '$AGENTOP' --socket-dir '$SOCK'; sleep 30"
session=early
wait_screen "agentd not reachable at $SOCK" 5; ok $? "without agentd the status line says where it looked"
start_agentd; ok $? "agentd starts"
wait_screen " live " 10; ok $? "agentop connects as soon as agentd is there"
keys q
session=op
looper=$(ctl submit runaway "loop until the guard stops it")
tmux new-session -d -s $session -c "$T" -x 120 -y 40 \
  "TERM=screen-256color '$AGENTOP' --socket-dir '$SOCK'; sleep 30"
wait_screen " live " 10; ok $? "agentop connects and says it is live"

a=$(ctl submit support-triage "Ticket 77: refund for order 5521")
d1=$(ctl submit deploy "Roll out checkout-api v2.4.1")
wait_screen "$a" 10; ok $? "the runs view fills with the new runs"
wait_screen "ESC 1" 15; ok $? "the header counts the escalation"
wait_screen "$d1 +deploy +awaiting_human" 5; ok $? "the deploy run shows awaiting_human"
wait_state "$a" done 20
wait_screen "$a +support-triage +done" 10; ok $? "a finished run shows done"

# detail view with spans
keys / ; sleep 0.2; keys C-u "$a" Enter; sleep 0.3; keys Enter
wait_screen "TRACE" 5; ok $? "Enter opens the run detail"
s=$(screen)
like "$s" "llm +sim:support-triage +ok" "the trace lists model calls"
like "$s" "tool +kb_search +ok" "and tool calls"
like "$s" "executing -> done: final answer" "and transitions with their reasons"
like "$s" "llm_calls +4 +10" "and the budget breakdown"
keys q; sleep 0.2
keys / ; sleep 0.2; keys C-u Enter

# approve one escalation from the console, reject another
keys 2
wait_screen "ID +RUN +TOOL" 5; ok $? "2 opens the escalations view"
wait_screen "e-[0-9a-z]+ +$d1 +deploy_service +critical" 5; ok $? "it lists the deploy's escalation"
wait_screen "decide within [0-9]+m" 5; ok $? "with the deadline counting down"
keys a; wait_screen "approve e-.*\(y/n\)" 3; ok $? "approve asks for confirmation"
keys y
wait_screen "approve e-[0-9a-z]+ \(run $d1\): done" 5; ok $? "the approval is confirmed on screen, naming the escalation and its run"
wait_state "$d1" done 20; ok $? "the approved deploy finishes"
d2=$(ctl submit deploy "Roll out again")
wait_state "$d2" awaiting_human 20
wait_screen "$d2" 5
keys d; wait_screen "reason" 3; keys "change freeze until Monday" Enter
wait_screen "reject e-[0-9a-z]+ \(run $d2\): done" 5; ok $? "the rejection is confirmed on screen, naming its run"
wait_state "$d2" done 20; ok $? "the rejected deploy finishes"
is "$(ctl escalations --state rejected --json | jq -r '.[0].decision_reason')" "change freeze until Monday" "with the typed reason"

# pause, resume, kill one run
keys 1
r=$(ctl submit runaway "poll the ETL for a while")
keys / ; sleep 0.2; keys C-u "$r" Enter
wait_screen "$r" 5
keys p; wait_state "$r" paused 10; ok $? "p pauses the selected run"
wait_screen "$r .* paused" 5; ok $? "and the screen shows it paused"
keys r; wait_state "$r" executing 10; ok $? "r resumes it"
keys x; wait_screen "kill $r\? \(y/n\)" 3; ok $? "x asks before killing"
keys y; wait_state "$r" killed 10; ok $? "and kills it"
keys / ; sleep 0.2; keys C-u Enter

# the kill switch: typed confirmation, banner, release
k=$(ctl submit deploy "about to be killed")
sleep 0.5
keys K; wait_screen "Type KILL" 3; ok $? "K asks for a typed confirmation"
keys "kill" Enter; sleep 0.5
is "$(ctl health --json | jq .killswitch)" false "a wrong confirmation does nothing"
keys K; sleep 0.2; keys "KILL" Enter
wait_screen "KILL SWITCH ENGAGED" 5; ok $? "KILL engages it, with a banner"
is "$(state_of "$k")" killed "live runs were killed"
keys 2; sleep 0.3
like "$(screen)" "KILL SWITCH ENGAGED" "the banner shows on every view"
keys K; sleep 0.2; keys y
wait_screen "1 Runs" 5; ok $? "K then y releases it"
is "$(ctl health --json | jq .killswitch)" false "agentd says it is released"

# history
keys 3; sleep 0.2; keys / ; sleep 0.2; keys "order 5521" Enter
wait_screen "$a" 5; ok $? "history finds the finished run"
keys Enter; wait_screen "TRACE" 5; ok $? "and opens it in the detail view"
keys q; sleep 0.2

# rate a finished run from history; health shows the alert figures
keys 3; sleep 0.2; keys / ; sleep 0.2; keys C-u "order 5521" Enter
wait_screen "$a" 5
keys R; wait_screen "rate $a: good\|bad" 3; ok $? "R asks for a rating"
keys "bad wrong refund policy" Enter
wait_screen "rate $a bad: done" 5; ok $? "the rating is confirmed, naming the run"
is "$(ctl history --grep 'order 5521' --json | jq -r '.[0].rating.note')" "wrong refund policy" "and stored with the run"
keys / ; sleep 0.2; keys Enter
wait_screen "^-$a" 5; ok $? "history marks it rated bad"
wait_state "$looper" failed 30
keys 4; wait_screen "p95_step_latency_ms" 5; ok $? "the health view lists the alert figures"
wait_screen "loop_rate +CROSSED" 5; ok $? "a crossed threshold is flagged"

# theme switch, help
keys : ; sleep 0.2; keys "theme light" Enter
wait_screen "theme light" 3; ok $? ":theme light switches the theme"
keys : ; sleep 0.2; keys "theme nosuch" Enter
wait_screen "theme: .*nosuch" 3; ok $? "an unknown theme is named in an error"
keys '?'; wait_screen "agentop keys" 3; ok $? "? shows the help"
keys x; sleep 0.2

# freeze and write
keys 1; keys f; wait_screen "FROZEN" 3; ok $? "f freezes the screen with a banner"
keys f; sleep 0.3
(cd "$T" && tmux send-keys -t $session w)
wait_screen "screen written to agentop-" 3; ok $? "w writes the view to a file"

# 80x24
tmux resize-window -t $session -x 80 -y 24; sleep 0.5; keys C-l; sleep 0.3
s=$(screen)
wide=0
while IFS= read -r line; do [ ${#line} -gt 80 ] && wide=$((wide + 1)); done <<< "$s"
is "$wide" 0 "at 80x24 no line is wider than 80"
like "$(echo "$s" | head -1)" "agentop" "the header is there"
like "$(echo "$s" | sed -n 3p)" "ID +AGENT +STATE" "and the runs table"
like "$(echo "$s" | tail -1)" "help" "and the key footer"

# the daemon goes away and comes back
crash_agentd
wait_screen "DISCONNECTED" 10; ok $? "killing agentd shows the disconnected status"
start_agentd; ok $? "agentd restarts"
wait_screen " live " 10; ok $? "agentop recovers by itself"
n=$(ctl submit support-triage "after the restart")
wait_screen "$n" 10; ok $? "and shows new runs again"

keys q; sleep 0.5

# read-only: actions are hidden and refused
tmux new-session -d -s ro -x 100 -y 30 "TERM=screen-256color '$AGENTOP' --socket-dir '$SOCK' --read-only; sleep 30"
session=ro
wait_screen "read-only" 10; ok $? "--read-only says so in the header"
footer=$(screen | tail -1)
like "$footer" "q quit  \? help  Enter open  / filter  s sort  : command" "the footer keeps navigation"
is "$(echo "$footer" | grep -c -e kill -e pause -e resume -e mark)" 0 "and hides the actions"
keys x; wait_screen "read-only: started with --read-only" 3; ok $? "an action key is refused with the reason"
keys K; sleep 0.3
is "$(ctl health --json | jq .killswitch)" false "the kill switch cannot be touched"
keys q; sleep 0.3
stop_agentd
done_testing
