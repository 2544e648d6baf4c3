#!/usr/bin/env bash
# Lists longer than one reply can hold (issue 10, point 17): 70 runs with
# 60 KB tasks make a 500-run list of more than 4 MiB. agentd pages it by
# size as well as count (docs/protocol.md#paging); agentctl follows the
# pages to --limit, and `show` reads the whole task with runs.get.
. "$(dirname "$0")/lib.sh"

start_agentd; ok $? "agentd starts"

n=70
pad=$(head -c 60000 /dev/zero | tr '\0' 'x')
first=
for i in $(seq 1 $n); do
  r=$(ctl submit support-triage "Ticket $i: $pad") || break
  [ -n "$first" ] || first=$r
done
is "$(ctl history --json --limit 500 2>/dev/null | jq length)" $n \
  "history --json --limit 500 lists all $n runs with 60 KB tasks"
ctl killswitch on --reason "end them" >/dev/null; ok $? "the kill switch ends the live ones"
ctl killswitch off >/dev/null

out=$(ctl history --limit 500 2>&1); s=$?
is "$s" 0 "history --limit 500 succeeds"
is "$(printf '%s\n' "$out" | grep -c '^r-')" $n "and its table has every run"
list=$(ctl history --json --limit 500)
is "$(echo "$list" | jq length)" $n "history --json --limit 500 has every run"
is "$(echo "$list" | jq '[.[].id] | unique | length')" $n "each once"
is "$(echo "$list" | jq 'all(.[]; (.task | utf8bytelength) <= 512 and .task_truncated == true)')" true \
  "a listed run carries a task excerpt of at most 512 bytes, marked truncated"
is "$(ctl history --json | jq length)" $n "history's default listing (100) works too"
is "$(ctl runs --json --limit 500 | jq length)" $n "runs --limit 500 has every run"
is "$(ctl runs --limit 500 | grep -c '^r-')" $n "and so does its table"
is "$(ctl history --json --limit 30 | jq length)" 30 "--limit 30 stops at 30"
is "$(ctl history --json --limit 30 | jq -r '.[0].id')" "$(echo "$list" | jq -r '.[0].id')" \
  "newest first, as the full list"
is "$(ctl show "$first" --json | jq -r .task)" "Ticket 1: $pad" "show has the whole 60 KB task"
like "$(ctl show "$first" | grep '^task')" "^task +Ticket 1: x{100}" "and prints it"

stop_agentd
done_testing
