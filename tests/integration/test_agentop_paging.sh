#!/usr/bin/env bash
# agentop follows the lists' pages (issue 10, point 17): about 70 runs with
# 60 KB tasks are more than one reply can hold; the runs view still lists
# every one of them (ended too), history's default listing too, task
# excerpts end in an ellipsis, and the run detail has the whole task.
# Needs agentd's side of the paging contract (docs/protocol.md).
. "$(dirname "$0")/lib.sh"
: "${AGENTOP:?}"

export LC_ALL=C.UTF-8
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
export TMUX_TMPDIR=$T
session=op
trap 'tmux kill-server 2>/dev/null; cleanup' EXIT

N=70
start_agentd || done_testing
filler=$(head -c 45000 /dev/zero | tr '\0' 'x')
ids=()
for i in $(seq 1 $N); do
  # 60 KB: words (so that it wraps), then one marker at the very end
  task="Paged run $i: $(printf 'lorem ipsum %.0s' $(seq 1 1200)) $filler END-OF-TASK-$i"
  ids+=("$(ctl submit support-triage "$task")")
done
is "${#ids[@]}" "$N" "$N runs with 60 KB tasks submitted"
# they end at once (waiting for 70 runs of 60 KB to finish takes minutes
# under AddressSanitizer on a busy machine)
ctl killswitch on --reason "end them" >/dev/null && ctl killswitch off >/dev/null
left=0
for id in "${ids[@]}"; do
  case $(state_of "$id") in done|killed|failed) ;; *) left=$((left + 1)) ;; esac
done
is "$left" 0 "they all ended"

tmux new-session -d -s op -x 120 -y 30 \
  "TERM=screen-256color '$AGENTOP' --socket-dir '$SOCK'; sleep 60"
wait_screen " live " 10; ok $? "agentop connects"
sleep 1
! screen | grep -q -i 'too.big'; ok $? "no list is refused as too big"
wait_screen "rows 1-[0-9]+ of $N( |$)" 15; ok $? "the runs view lists all $N ended runs"

wait_screen "Paged run [0-9]+: lorem.*…" 5; ok $? "tasks show as excerpts ending in an ellipsis"
keys G; sleep 0.3
wait_screen "${ids[0]}" 5; ok $? "the oldest is there at the end of the list"

keys 3; sleep 0.2; keys Enter
wait_screen " [0-9]+ runs" 15; ok $? "history lists the latest runs"
# its pages come as the cursor nears the end of what came
for _ in $(seq 1 30); do
  screen | grep -q " $N runs *$" && break
  keys G; sleep 0.3
done
wait_screen " $N runs *$" 5; ok $? "scrolled to the end, history's default listing has them all"
keys G
wait_screen "${ids[0]}" 5; ok $? "down to the oldest"

# the detail: the whole task from runs.get
keys : ; sleep 0.2; keys "show ${ids[5]}" Enter
wait_screen "more bytes: the whole task is the first message" 10
ok $? "the detail's header says the task continues below"
keys / ; sleep 0.2; keys "END-OF-TASK-6" Enter
wait_screen "\"END-OF-TASK-6\": 1 match in run ${ids[5]}" 5; ok $? "and the whole task is there, to its last word"
keys q; sleep 0.2
keys q
done_testing
