#!/bin/sh
# run-fuzzer.sh FUZZER CORPUS SECONDS: a short libFuzzer run that starts
# from the checked-in corpus without writing into it. Fails when the
# fuzzer finds a crash, a leak or a timeout.
set -u
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work"/
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work" > "$work/log" 2>&1
status=$?
tail -n 30 "$work/log"
# libFuzzer exits 77 on a finding, which meson would read as "skipped"
[ $status -eq 0 ] || exit 1
