#!/usr/bin/env bash
# Builds agentd and runs every test, the way CI does:
#   1. build/        gcc, -Werror: all suites (unit, integration, fuzz corpus)
#   2. build-asan/   AddressSanitizer + UndefinedBehaviorSanitizer: all suites
#   3. build/        valgrind setup: the unit suites
#   4. build-fuzz/   clang + libFuzzer: each fuzz target runs briefly
# Ends with "N passed, N failed" (tests counted from meson's testlogs) and a
# non-zero exit status if anything failed. FUZZ_SECONDS sets the fuzz time.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

.ci/deps || { echo "could not install the dependencies" >&2; exit 1; }

status=0
step() { echo; echo "=== $*"; }

setup() {	# setup DIR [meson options...]
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

rm -f build*/meson-logs/testlog*.json

step "build (gcc)"
setup build && ninja -C build || exit 1
step "tests"
meson test -C build --print-errorlogs --num-processes 2 || status=1

step "build (ASan + UBSan)"
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false && ninja -C build-asan || exit 1
step "tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 || status=1

step "unit tests under valgrind"
meson test -C build --setup=valgrind --suite agentd:ipc --suite agentd:agentd \
  --suite agentd:tui --print-errorlogs --num-processes 2 || status=1

step "fuzz (clang + libFuzzer, ${FUZZ_SECONDS:-20} s a target)"
if command -v clang >/dev/null; then
  CC=clang setup build-fuzz -Db_sanitize=address,undefined -Db_lundef=false \
    -Dfuzz=enabled -Dfuzz_seconds="${FUZZ_SECONDS:-20}" && ninja -C build-fuzz || exit 1
  meson test -C build-fuzz --suite fuzz --print-errorlogs --num-processes 2 || status=1
fi

step "summary"
python3 - "$top" <<'PY' || status=1
import glob, json, sys
passed = failed = 0
for log in sorted(glob.glob(sys.argv[1] + "/build*/meson-logs/testlog*.json")):
    for line in open(log):
        t = json.loads(line)
        if t["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
            passed += t["result"] != "SKIP"
        else:
            failed += 1
            print("FAILED:", log.split("/")[-3], t["name"], t["result"])
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
exit $status
