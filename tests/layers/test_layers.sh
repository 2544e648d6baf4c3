#!/usr/bin/env bash
# The include rules hold on this tree, and a planted violation of each kind
# fails the check, naming the file, the line and the rule.
set -u
: "${SRCDIR:?}"
check=$SRCDIR/tests/layers/check_layers.sh
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
  echo "not ok $n - $2"; failed=1; fi; }

out=$(bash "$check" "$SRCDIR" 2>&1); rc=$?
ok $rc "the tree keeps the include rules"
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'

T=$(mktemp -d /tmp/agentd-layers-XXXXXX)
trap 'rm -rf "$T"' EXIT
plant() {	# plant FILE HEADER: a copy of the tree whose FILE includes HEADER
  rm -rf "$T/tree"; mkdir -p "$T/tree"
  cp -r "$SRCDIR/agentd" "$T/tree/"
  sed -i "0,/^#include \"/s//#include \"$2\"\n&/" "$T/tree/agentd/$1"
}
for planted in "providers/sse.c engine_impl.h provider" \
    "patterns/react.c store.h pattern" "tools/builtin.c engine.h tool" \
    "store.c ctl.h store" "loop.c agent.h base"; do
  set -- $planted
  plant "$1" "$2"
  out=$(bash "$check" "$T/tree" 2>&1); rc=$?
  [ $rc -eq 1 ]; ok $? "agentd/$1 including $2 fails the check"
  line=$(grep -n "^#include \"$2\"" "$T/tree/agentd/$1" | head -1 | cut -d: -f1)
  printf '%s\n' "$out" | grep -q "^agentd/$1:$line: includes \"$2\": $3"
  ok $? "and names the file, line $line and the $3 rule"
done
echo "1..$n"
exit $failed
