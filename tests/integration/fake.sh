# Helpers of the tests that run agentd against the fake OpenAI/Anthropic
# server (tests/fake_provider): source it after lib.sh. It copies the demo
# agents and scenarios into $AGENTS (tests add their own next to them),
# starts the fake on 127.0.0.1 with random keys, and points agentd's
# openai and anthropic endpoints at it.

FAKE="python3 $SRCDIR/tests/fake_provider/fake_provider.py"
KEY_OPENAI="sk-test-openai-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
KEY_ANTHROPIC="sk-ant-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
FAKE_PID=
PORT=

AGENTS=$T/agents
mkdir -p "$AGENTS/scenarios"
cp "$SRCDIR"/examples/agents/*.json "$AGENTS/"
cp "$SRCDIR"/examples/agents/scenarios/*.json "$AGENTS/scenarios/"

start_fake() {	# start_fake [serve options]
  rm -f "$T/port"
  $FAKE serve --port-file "$T/port" --scenarios "$AGENTS/scenarios" \
    --openai-key "$KEY_OPENAI" --anthropic-key "$KEY_ANTHROPIC" "$@" \
    >>"$T/fake.log" 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.1; done
  PORT=$(cat "$T/port")
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=; }
faults() { $FAKE faults "$PORT" "$1" >/dev/null; }
requests() { $FAKE requests "$PORT"; }
export TMUX_TMPDIR=$T	# a private tmux server, if the test uses one
trap 'stop_fake; tmux kill-server 2>/dev/null; cleanup' EXIT

# start_with [VAR=value...]: agentd with the fake endpoints in its environment
start_with() {
  start_agentd OPENAI_API_KEY="$KEY_OPENAI" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
    ANTHROPIC_API_KEY="$KEY_ANTHROPIC" ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" \
    OPENAI_TIMEOUT_MS=1500 ANTHROPIC_TIMEOUT_MS=1500 "$@"
}

llm_spans() { ctl events --run "$1" --type span.end | jq -c 'select(.kind == "llm")'; }
