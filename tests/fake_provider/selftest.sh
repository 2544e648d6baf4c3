#!/bin/bash
# Self-test of fake_provider.py; prints TAP. Needs only python3.
#   tests/fake_provider/selftest.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
FP=$HERE/fake_provider.py
SCEN0=${SCENARIOS:-$HERE/../../examples/agents/scenarios}
T=$(mktemp -d /tmp/fake-provider-st-XXXXXX)
# the demo scenarios and a reasoning model's
SCEN=$T/scenarios
mkdir -p "$SCEN"
cp "$SCEN0"/*.json "$HERE/../data/reasoning/thinker.json" "$SCEN/"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# start NAME ARGS...: one server; its port ends up in $T/NAME.port
start() {
  local name=$1; shift
  python3 "$FP" serve --port-file "$T/$name.port" --scenarios "$SCEN" \
    --log "$T/$name.log" "$@" 2>>"$T/$name.err" &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    [ -s "$T/$name.port" ] && return 0
    sleep 0.05
  done
  echo "Bail out! fake provider $name did not start"; cat "$T/$name.err"
  exit 1
}

start main --openai-key sk-good --anthropic-key ak-good
start fast --latency-ms 200

FP="$FP" T="$T" SCEN="$SCEN" PORT=$(cat "$T/main.port") PORT_LAT=$(cat "$T/fast.port") \
  python3 - <<'PY'
import asyncio, json, os, resource, socket, subprocess, sys, time

PORT = int(os.environ["PORT"]); PORT_LAT = int(os.environ["PORT_LAT"])
FP = os.environ["FP"]; T = os.environ["T"]
n = 0; failed = 0

def ok(cond, desc, diag=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond:
        failed += 1
        if diag is not None:
            for line in str(diag)[:2000].splitlines():
                print("# " + line)
    sys.stdout.flush()

OA = {"Authorization": "Bearer sk-good"}
AN = {"x-api-key": "ak-good", "anthropic-version": "2023-06-01"}
MSGS = [{"role": "user", "content": "I want a refund"}]

def raw(path, body=None, headers=None, port=PORT, timeout=10, method="POST"):
    """One request on its own connection (Connection: close). Returns
    dict(status, headers, body bytes, chunks list or None, complete bool)."""
    data = b"" if body is None else (body if isinstance(body, bytes)
                                     else json.dumps(body).encode())
    h = {"Host": "127.0.0.1", "Content-Type": "application/json",
         "Connection": "close", "Content-Length": str(len(data))}
    h.update(headers or {})
    req = ("%s %s HTTP/1.1\r\n" % (method, path) +
           "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n").encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(req + data)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    finally:
        s.close()
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    out = {"status": status, "headers": hdrs, "chunks": None}
    if hdrs.get("transfer-encoding") == "chunked":
        chunks, complete = [], False
        while rest:
            size_line, sep, rest2 = rest.partition(b"\r\n")
            if not sep:
                break
            size = int(size_line, 16)
            if size == 0:
                complete = True
                break
            if len(rest2) < size + 2:
                break
            chunks.append(rest2[:size].decode())
            rest = rest2[size + 2:]
        out.update(chunks=chunks, complete=complete,
                   body="".join(chunks).encode())
    else:
        cl = int(hdrs.get("content-length", "-1"))
        out.update(body=rest, complete=(cl == len(rest)))
    return out

def js(r):
    return json.loads(r["body"])

def cli(*args):
    return subprocess.run([sys.executable, FP] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=30)

def faults(*fs, port=PORT):
    r = cli("faults", port, json.dumps(list(fs)))
    assert r.returncode == 0, r.stderr

def oa_stream_parse(chunks):
    """Reassembles an OpenAI stream into (message, finish, usage, done)."""
    text, calls, finish, usage, done = "", {}, None, None, False
    global oa_reasoning, oa_order
    oa_reasoning, oa_order = "", ""
    for ch in chunks:
        assert ch.startswith("data: ") and ch.endswith("\n\n"), ch
        d = ch[6:-2]
        if d == "[DONE]":
            done = True
            continue
        c = json.loads(d)
        assert c["object"] == "chat.completion.chunk"
        if c.get("usage"):
            usage = c["usage"]
        for choice in c["choices"]:
            dl = choice["delta"]
            text += dl.get("content") or ""
            for f in ("reasoning_content", "reasoning"):
                if dl.get(f):
                    oa_reasoning += dl[f]
                    oa_order += "r"
            if dl.get("content"):
                oa_order += "t"
            for tc in dl.get("tool_calls") or []:
                e = calls.setdefault(tc["index"], {"id": None, "type": None,
                                                   "function": {"name": "", "arguments": ""}})
                if "id" in tc:
                    e["id"] = tc["id"]; e["type"] = tc["type"]
                f = tc.get("function", {})
                e["function"]["name"] += f.get("name", "")
                e["function"]["arguments"] += f.get("arguments", "")
            if choice.get("finish_reason"):
                finish = choice["finish_reason"]
    return text, [calls[i] for i in sorted(calls)], finish, usage, done

def an_stream_parse(chunks):
    """Reassembles an Anthropic stream into (content, stop, usage, names)."""
    blocks, stop, usage, names, partial = [], None, None, [], {}
    for ch in chunks:
        assert ch.startswith("event: ") and ch.endswith("\n\n"), ch
        ev_line, data_line = ch[:-2].split("\n")
        name = ev_line[7:]
        d = json.loads(data_line[6:])
        assert d["type"] == name, (name, d)
        names.append(name)
        if name == "message_start":
            usage = dict(d["message"]["usage"])
        elif name == "content_block_start":
            blocks.append(dict(d["content_block"]))
            partial[d["index"]] = ""
        elif name == "content_block_delta":
            dl = d["delta"]
            if dl["type"] == "text_delta":
                blocks[d["index"]]["text"] += dl["text"]
            elif dl["type"] == "thinking_delta":
                blocks[d["index"]]["thinking"] += dl["thinking"]
            elif dl["type"] == "signature_delta":
                blocks[d["index"]]["signature"] += dl["signature"]
            else:
                partial[d["index"]] += dl["partial_json"]
        elif name == "content_block_stop":
            b = blocks[d["index"]]
            if b["type"] == "tool_use":
                b["input"] = json.loads(partial[d["index"]] or "{}")
        elif name == "message_delta":
            stop = d["delta"]["stop_reason"]
            usage["output_tokens"] = d["usage"]["output_tokens"]
    return blocks, stop, usage, names

# 1-2: non-stream OpenAI
r = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
o = js(r)
m = o["choices"][0]["message"]
ok(r["status"] == 200 and r["headers"]["content-type"] == "application/json"
   and r["complete"] and o["object"] == "chat.completion", "openai non-stream 200 JSON", r)
ok(m["tool_calls"] == [{"id": "call_0_0", "type": "function", "function": {
       "name": "kb_search", "arguments": '{"query":"refund policy","limit":3}'}}]
   and m["content"].startswith("The customer asks") and
   o["choices"][0]["finish_reason"] == "tool_calls" and
   o["usage"] == {"prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960,
                  "prompt_tokens_details": {"cached_tokens": 0}},
   "openai turn 0 is the kb_search tool call with usage", o)

# 3: non-stream Anthropic
r = raw("/v1/messages", {"model": "support-triage", "max_tokens": 100, "messages": MSGS}, AN)
a = js(r)
ok(r["status"] == 200 and a["type"] == "message" and a["stop_reason"] == "tool_use"
   and a["content"][0]["type"] == "text"
   and a["content"][1] == {"type": "tool_use", "id": "toolu_0_0", "name": "kb_search",
                           "input": {"query": "refund policy", "limit": 3}}
   and a["usage"] == {"input_tokens": 900, "output_tokens": 60,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
   "anthropic turn 0 is text + kb_search tool_use", a)

# 4-5: OpenAI stream, with and without include_usage
r = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS, "stream": True,
                                 "stream_options": {"include_usage": True}}, OA)
text, calls, finish, usage, done = oa_stream_parse(r["chunks"])
ok(r["headers"]["content-type"].startswith("text/event-stream") and r["complete"]
   and text == m["content"] and calls == m["tool_calls"] and finish == "tool_calls"
   and usage == o["usage"] and done and r["chunks"][-1] == "data: [DONE]\n\n"
   and json.loads(r["chunks"][-2][6:])["choices"] == [],
   "openai stream reassembles to the non-stream answer, usage chunk, [DONE]", r["chunks"][:3])
r = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS, "stream": True}, OA)
ok(oa_stream_parse(r["chunks"])[3] is None and r["complete"]
   and all('"usage"' not in c for c in r["chunks"]),
   "openai stream without include_usage has no usage chunk")

# 6: Anthropic stream
r = raw("/v1/messages", {"model": "support-triage", "max_tokens": 100, "messages": MSGS,
                         "stream": True}, AN)
blocks, stop, usage, names = an_stream_parse(r["chunks"])
ok(r["complete"] and blocks == a["content"] and stop == "tool_use" and usage == a["usage"]
   and names[:2] == ["message_start", "ping"] and names[-2:] == ["message_delta", "message_stop"]
   and "content_block_delta" in names,
   "anthropic stream reassembles to the non-stream answer", names)

# 7: turns: assistant count picks the turn; past the end; repeat_from; after_error
hist = MSGS + [{"role": "assistant", "content": "x"}, {"role": "tool", "tool_call_id": "c", "content": "ok"}]
o1 = js(raw("/v1/chat/completions", {"model": "support-triage", "messages": hist}, OA))
o9 = js(raw("/v1/chat/completions", {"model": "support-triage",
                                     "messages": MSGS + [{"role": "assistant", "content": "x"}] * 9}, OA))
orun = js(raw("/v1/chat/completions", {"model": "runaway",
                                       "messages": MSGS + [{"role": "assistant", "content": "x"}] * 5}, OA))
dep = MSGS + [{"role": "assistant", "content": "x"}] * 2
aerr = js(raw("/v1/messages", {"model": "deploy", "max_tokens": 9, "messages": dep + [
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "is_error": True,
                                  "content": "rejected"}]}]}, AN))
oerr = js(raw("/v1/chat/completions", {"model": "deploy", "messages": dep + [
    {"role": "tool", "tool_call_id": "t", "content": "error: rejected"}]}, OA))
ok(o1["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "ticket_update"
   and o9["choices"][0]["message"]["content"] == "(scenario finished)"
   and o9["choices"][0]["finish_reason"] == "stop"
   and orun["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "job_status"
   and aerr["content"][0]["text"].startswith("The rollout of")
   and oerr["choices"][0]["message"]["content"].startswith("The rollout of"),
   "turn selection, scenario finished, repeat_from, after_error", [o9, aerr])

# 8: errors: unknown model, missing anthropic-version, bad JSON, 404 path
r1 = raw("/v1/chat/completions", {"model": "nope", "messages": MSGS}, OA)
r2 = raw("/v1/messages", {"model": "nope", "max_tokens": 1, "messages": MSGS}, AN)
r3 = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS},
         {"x-api-key": "ak-good"})
r4 = raw("/v1/chat/completions", b"{not json", OA)
r5 = raw("/v1/models", None, OA, method="GET")
ok(r1["status"] == 404 and js(r1)["error"]["code"] == "model_not_found"
   and r2["status"] == 404 and js(r2)["error"]["type"] == "not_found_error"
   and r3["status"] == 400 and js(r3)["error"]["type"] == "invalid_request_error"
   and r4["status"] == 400 and js(r4)["error"]["type"] == "invalid_request_error"
   and r5["status"] == 404,
   "unknown model 404, missing anthropic-version 400, bad JSON 400, bad path 404",
   [r1, r2, r3, r4, r5])

# 9: auth failures echo the presented key
r1 = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS},
         {"Authorization": "Bearer sk-LEAKED-0123456789"})
r2 = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS},
         {"x-api-key": "ak-LEAKED-987", "anthropic-version": "2023-06-01"})
ok(r1["status"] == 401 and js(r1) == {"error": {
       "message": "Incorrect API key provided: sk-LEAKED-0123456789. You can find your API key at https://platform.openai.com/account/api-keys.",
       "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}
   and r2["status"] == 401 and js(r2) == {"type": "error", "error": {
       "type": "authentication_error", "message": "invalid x-api-key ak-LEAKED-987"}},
   "401 bodies echo the presented key", [r1, r2])

# 10: 429 with Retry-After (both formats), 529 overloaded, fault model matching
faults({"status": 429, "retry_after": "1"}, {"status": 529, "model": "deploy"},
       {"status": 429, "retry_after": "7"})
r0 = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS}, AN)
r1 = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
r2 = raw("/v1/messages", {"model": "deploy", "max_tokens": 1, "messages": MSGS}, AN)
ok(r0["status"] == 429 and r0["headers"].get("retry-after") == "1"
   and js(r0)["error"]["type"] == "rate_limit_error"
   and r1["status"] == 429 and r1["headers"].get("retry-after") == "7"
   and js(r1)["error"]["code"] == "rate_limit_exceeded"
   and r2["status"] == 529 and js(r2)["error"]["type"] == "overloaded_error",
   "429 + Retry-After in both formats; model-matched 529 overloaded_error", [r0, r1, r2])

# 11: cut: non-stream half body; stream N events and no terminating chunk
faults({"kind": "cut"}, {"kind": "cut", "after_events": 3})
r1 = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
r2 = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS,
                          "stream": True}, AN)
ok(r1["status"] == 200 and not r1["complete"]
   and 0 < len(r1["body"]) < int(r1["headers"]["content-length"])
   and len(r2["chunks"]) == 3 and not r2["complete"],
   "cut: half a JSON body; 3 stream events then close without the 0-chunk",
   [r1, r2["chunks"]])

# 12: hang: client times out
faults({"kind": "hang"})
t0 = time.time()
try:
    raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA, timeout=1)
    hung = False
except socket.timeout:
    hung = True
ok(hung and 0.9 < time.time() - t0 < 3, "hang: no answer, the client times out")

# 12b: stall: a stream goes silent after N events, then goes on (stall_ms)
# or stays silent until the client goes; a JSON body stalls half-way
def timed_read(path, body, headers, timeout):
    """(bytes received, seconds, True if the server closed)."""
    data = json.dumps(body).encode()
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               "Content-Length: %d\r\n" % (path, len(data))).encode() +
              "".join("%s: %s\r\n" % kv for kv in headers.items()).encode() +
              b"\r\n" + data)
    buf, t0, closed = b"", time.time(), False
    try:
        while True:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            buf += d
    except socket.timeout:
        pass
    s.close()
    return buf, time.time() - t0, closed

faults({"kind": "stall", "after_events": 2, "stall_ms": 600},
       {"kind": "stall", "after_events": 3},
       {"kind": "stall", "stall_ms": 600})
SBODY = {"model": "support-triage", "messages": MSGS, "stream": True}
b1, t1, c1 = timed_read("/v1/chat/completions", SBODY, OA, 10)
b2, t2, c2 = timed_read("/v1/messages", dict(SBODY, max_tokens=1), AN, 1.5)
b3, t3, c3 = timed_read("/v1/chat/completions", {"model": "support-triage",
                                                 "messages": MSGS}, OA, 10)
ok(c1 and b1.endswith(b"0\r\n\r\n") and b"[DONE]" in b1 and t1 >= 0.55
   and not c2 and b2.count(b"event: ") == 3 and b"message_stop" not in b2
   and c3 and b3.endswith(b'"fp_fake"}') and t3 >= 0.55,
   "stall: silent after N events, then the rest (stall_ms) or nothing; JSON half-way",
   [t1, b2[-300:], t3])

# 13: other faults
faults({"kind": "malformed"}, {"kind": "bad_args"}, {"kind": "bad_args"},
       {"kind": "unknown_tool"}, {"kind": "stream_error"}, {"kind": "stream_error"},
       {"kind": "slow", "latency_ms": 300})
r_mal = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
r_bad = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
r_bad2 = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS,
                              "stream": True}, AN)
r_unk = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS}, AN)
r_se1 = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS, "stream": True}, OA)
r_se2 = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1, "messages": MSGS,
                             "stream": True}, AN)
t0 = time.time()
r_slow = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
slow_t = time.time() - t0
partial = "".join(json.loads(c.split("\n")[1][6:])["delta"].get("partial_json", "")
                  for c in r_bad2["chunks"] if c.startswith("event: content_block_delta"))
ok(r_mal["status"] == 200 and r_mal["body"] == b'{"choices": ['
   and js(r_bad)["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == '{"query": "refund'
   and partial == '{"query": "refund'
   and js(r_unk)["content"][1]["name"] == "no_such_tool"
   and len(r_se1["chunks"]) == 2 and r_se1["complete"]
   and json.loads(r_se1["chunks"][1][6:])["error"]["type"] == "server_error"
   and len(r_se2["chunks"]) == 2 and r_se2["complete"]
   and r_se2["chunks"][1].startswith("event: error\n")
   and json.loads(r_se2["chunks"][1].split("\n")[1][6:])["error"]["type"] == "overloaded_error"
   and r_slow["status"] == 200 and 0.28 < slow_t < 1.5,
   "malformed, bad_args, unknown_tool, stream_error, slow",
   [r_mal["body"], partial, r_se1["chunks"], r_se2["chunks"], slow_t])

# 13d: length: text cut in half, a tool call's arguments cut; both formats
faults({"kind": "length"}, {"kind": "length"}, {"kind": "length"},
       {"kind": "bad_args", "arguments": '{"limit": 1e999}'})
r_txt = raw("/v1/chat/completions", {"model": "support-triage", "messages":
            MSGS + [{"role": "assistant", "content": "x"}] * 3}, OA)
r_call = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS,
                                      "stream": True}, OA)
r_an = raw("/v1/messages", {"model": "support-triage", "max_tokens": 1,
                            "messages": MSGS}, AN)
r_num = raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS}, OA)
args = "".join(tc["function"].get("arguments", "")
               for c in r_call["chunks"] if c.startswith("data: {")
               for ch in json.loads(c[6:])["choices"]
               for tc in ch["delta"].get("tool_calls", []))
finish = [ch["finish_reason"] for c in r_call["chunks"] if c.startswith("data: {")
          for ch in json.loads(c[6:])["choices"] if ch.get("finish_reason")]
ok(js(r_txt)["choices"][0]["finish_reason"] == "length"
   and len(js(r_txt)["choices"][0]["message"]["content"]) > 0
   and finish == ["length"] and args == '{"query":"refund '
   and js(r_an)["stop_reason"] == "max_tokens"
   and js(r_num)["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
   == '{"limit": 1e999}',
   "length: cut text and cut tool arguments; bad_args with given arguments",
   [r_txt["body"], args, finish, r_an["body"], r_num["body"]])

# 13e: like llama-server, a history whose tool-call arguments do not parse
# (or hold a number out of range) is answered 500
bad = MSGS + [{"role": "assistant", "content": None, "tool_calls": [
    {"id": "c1", "type": "function", "function": {"name": "kb_search",
                                                   "arguments": '{"query": "re'}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "error"}]
r_bad = raw("/v1/chat/completions", {"model": "support-triage", "messages": bad}, OA)
bad[1]["tool_calls"][0]["function"]["arguments"] = '{"limit": 1e999}'
r_big = raw("/v1/chat/completions", {"model": "support-triage", "messages": bad}, OA)
bad[1]["tool_calls"][0]["function"]["arguments"] = '{}'
r_good = raw("/v1/chat/completions", {"model": "support-triage", "messages": bad}, OA)
ok(r_bad["status"] == 500 and "parse error" in js(r_bad)["error"]["message"]
   and r_big["status"] == 500 and r_good["status"] == 200,
   "unparsable arguments in the history: HTTP 500, as llama-server answers",
   [r_bad["body"], r_big["body"], r_good["status"]])

# 13b: a reasoning model (tests/data/reasoning/thinker.json)
TH = json.load(open(os.path.join(os.environ["SCEN"], "thinker.json")))["turns"]
r = raw("/v1/chat/completions", {"model": "thinker", "messages": MSGS}, OA)
o = js(r); m = o["choices"][0]["message"]
ok(m["reasoning_content"] == TH[0]["reasoning"] and m["content"] == TH[0]["text"]
   and m["tool_calls"][0]["function"]["name"] == "kb_search"
   and 0 < o["usage"]["completion_tokens_details"]["reasoning_tokens"] <= 80,
   "openai: reasoning_content beside the answer, reasoning_tokens in usage", o)
r = raw("/v1/chat/completions", {"model": "thinker", "messages": MSGS, "stream": True,
                                 "stream_options": {"include_usage": True}}, OA)
text, calls, finish, usage, done = oa_stream_parse(r["chunks"])
ok(oa_reasoning == TH[0]["reasoning"] and text == TH[0]["text"] and done
   and oa_order.startswith("rr") and "r" not in oa_order[oa_order.index("t"):]
   and usage == o["usage"],
   "openai stream: reasoning_content in pieces, all before the content", oa_order)
r = raw("/v1/messages", {"model": "thinker", "max_tokens": 100, "messages": MSGS}, AN)
a = js(r)
think0 = a["content"][0]
ok(think0["type"] == "thinking" and think0["thinking"] == TH[0]["reasoning"]
   and think0["signature"].startswith("fakesig_")
   and [b["type"] for b in a["content"]] == ["thinking", "text", "tool_use"],
   "anthropic: a thinking block with a signature comes first", a)
r = raw("/v1/messages", {"model": "thinker", "max_tokens": 100, "messages": MSGS,
                         "stream": True}, AN)
blocks, stop, usage, names = an_stream_parse(r["chunks"])
ok(blocks == a["content"] and stop == "tool_use",
   "anthropic stream: thinking_delta and signature_delta rebuild the block", blocks)

# 13c: what the APIs check on the next turn
call0 = m["tool_calls"]
def oa_hist(extra):
    a0 = {"role": "assistant", "content": TH[0]["text"], "tool_calls": call0}
    a0.update(extra)
    return MSGS + [a0, {"role": "tool", "tool_call_id": call0[0]["id"], "content": "hits"}]
r_miss = raw("/v1/chat/completions", {"model": "thinker", "messages": oa_hist({})}, OA)
r_back = raw("/v1/chat/completions", {"model": "thinker", "messages": oa_hist(
    {"reasoning_content": TH[0]["reasoning"]})}, OA)
r_alt = raw("/v1/chat/completions", {"model": "thinker", "messages": oa_hist(
    {"reasoning": TH[0]["reasoning"]})}, OA)
r_diff = raw("/v1/chat/completions", {"model": "thinker", "messages": oa_hist(
    {"reasoning_content": "something else"})}, OA)
ok(r_miss["status"] == 400 and "Missing `reasoning_content`" in js(r_miss)["error"]["message"]
   and "message index 1" in js(r_miss)["error"]["message"]
   and r_back["status"] == 200 and r_alt["status"] == 200 and r_diff["status"] == 400
   and js(r_back)["choices"][0]["message"]["reasoning_content"] == TH[1]["reasoning"],
   "openai: a tool-call turn's reasoning_content must come back (DeepSeek)",
   [r_miss, r_diff])
tool_use = a["content"][2]
def an_hist(content):
    return MSGS + [{"role": "assistant", "content": content},
                   {"role": "user", "content": [{"type": "tool_result",
                    "tool_use_id": tool_use["id"], "content": "hits"}]}]
r_miss = raw("/v1/messages", {"model": "thinker", "max_tokens": 100,
                              "messages": an_hist(a["content"][1:])}, AN)
changed = dict(think0, thinking=think0["thinking"] + " ")
r_chg = raw("/v1/messages", {"model": "thinker", "max_tokens": 100,
                             "messages": an_hist([changed] + a["content"][1:])}, AN)
r_late = raw("/v1/messages", {"model": "thinker", "max_tokens": 100,
                              "messages": an_hist(a["content"][1:2] + [think0, tool_use])}, AN)
r_back = raw("/v1/messages", {"model": "thinker", "max_tokens": 100,
                              "messages": an_hist(a["content"])}, AN)
ok(r_miss["status"] == 400 and "Expected `thinking`" in js(r_miss)["error"]["message"]
   and r_chg["status"] == 400 and "Invalid `signature`" in js(r_chg)["error"]["message"]
   and r_late["status"] == 400 and r_back["status"] == 200
   and js(r_back)["content"][0]["thinking"] == TH[1]["reasoning"],
   "anthropic: thinking blocks must come back first and unchanged with tool use",
   [r_miss, r_chg, r_late])
faults({"kind": "redacted_thinking"})
a2 = js(raw("/v1/messages", {"model": "thinker", "max_tokens": 100, "messages": MSGS}, AN))
red = a2["content"][1]
r_ok = raw("/v1/messages", {"model": "thinker", "max_tokens": 100,
                            "messages": an_hist(a2["content"])}, AN)
r_bad = raw("/v1/messages", {"model": "thinker", "max_tokens": 100,
                             "messages": an_hist([a2["content"][0], dict(red, data="forged")]
                                                 + a2["content"][2:])}, AN)
ok(red["type"] == "redacted_thinking" and r_ok["status"] == 200 and r_bad["status"] == 400
   and "Invalid `data`" in js(r_bad)["error"]["message"],
   "fault redacted_thinking: its data must come back unchanged", [a2, r_bad])

# 13d: all the budget spent thinking; the reasoning field's other name
faults({"kind": "think_only"}, {"kind": "think_only"}, {"kind": "think_only"},
       {"kind": "reasoning_field", "field": "reasoning"})
o = js(raw("/v1/chat/completions", {"model": "support-triage", "messages": MSGS,
                                    "max_tokens": 64}, OA))
m = o["choices"][0]["message"]
a = js(raw("/v1/messages", {"model": "thinker", "max_tokens": 64, "messages": MSGS}, AN))
r = raw("/v1/chat/completions", {"model": "thinker", "messages": MSGS, "stream": True,
                                 "stream_options": {"include_usage": True}}, OA)
text, calls, finish, usage, done = oa_stream_parse(r["chunks"])
ok(m["content"] is None and "tool_calls" not in m and m["reasoning_content"]
   and o["choices"][0]["finish_reason"] == "length"
   and o["usage"]["completion_tokens"] == 64
   and o["usage"]["completion_tokens_details"]["reasoning_tokens"] == 64
   and [b["type"] for b in a["content"]] == ["thinking"] and a["stop_reason"] == "max_tokens"
   and a["content"][0]["thinking"] == TH[0]["reasoning"]
   and text == "" and calls == [] and finish == "length" and oa_reasoning == TH[0]["reasoning"],
   "fault think_only: reasoning, no answer, finish_reason length / stop_reason max_tokens",
   [o, a, r["chunks"][-3:]])
o = js(raw("/v1/chat/completions", {"model": "thinker", "messages": MSGS}, OA))
ok(o["choices"][0]["message"].get("reasoning") == TH[0]["reasoning"]
   and "reasoning_content" not in o["choices"][0]["message"],
   "fault reasoning_field: reasoning as \"reasoning\" (Ollama, OpenRouter)", o)

# 14: keep-alive: several requests on one connection, sent in pieces
s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
body = json.dumps({"model": "support-triage", "messages": MSGS}).encode()
req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-good\r\n"
       b"Content-Length: %d\r\n\r\n" % len(body)) + body
for piece in (req[:7], req[7:40], req[40:-5], req[-5:]):
    s.sendall(piece); time.sleep(0.02)
s.sendall(req + req)
buf = b""
deadline = time.time() + 5
while (buf.count(b"HTTP/1.1 200 OK") < 3 or not buf.endswith(b'"fp_fake"}')) \
        and time.time() < deadline:
    d = s.recv(65536)
    if not d:
        break
    buf += d
s.sendall(b"BOGUS\r\n\r\n")
rest = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    rest += d
s.close()
ok(buf.count(b"HTTP/1.1 200 OK") == 3 and rest.startswith(b"HTTP/1.1 400"),
   "keep-alive, request in pieces, pipelining; malformed HTTP gets 400 and close",
   [buf[-200:], rest])

# 15: the request log
r = cli("requests", PORT)
log = json.loads(r.stdout)
faulted = [e for e in log if e["fault"]]
ok(r.returncode == 0 and len(log) > 20
   and all(set(e) >= {"path", "headers", "body", "fault", "t"} for e in log)
   and log[0]["headers"]["authorization"] == "Bearer sk-good"
   and log[0]["body"]["model"] == "support-triage"
   and any(e["fault"] == {"kind": "hang"} for e in faulted)
   and any(isinstance(e["body"], str) and e["body"] == "{not json" for e in log),
   "GET /_fake/requests lists requests with headers, body and fault", r.stderr)

# 16: stats and reset
st = json.loads(cli("stats", PORT).stdout)
rs = cli("reset", PORT)
log2 = json.loads(cli("requests", PORT).stdout)
ok(st["requests"] == len(log) and st["open_connections"] >= 1 and rs.returncode == 0
   and log2 == [], "stats counts requests; reset clears the log", st)

# 17: 2,000 concurrent requests with --latency-ms 200
try:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass

async def one(i, stream):
    body = json.dumps({"model": "bench-zero", "stream": stream,
                       "messages": [{"role": "user", "content": "go %d" % i}]}).encode()
    r, w = await asyncio.open_connection("127.0.0.1", PORT_LAT)
    w.write(b"POST /v1/%s HTTP/1.1\r\nHost: x\r\nanthropic-version: 1\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (
                b"messages" if i % 2 else b"chat/completions", len(body), body))
    await w.drain()
    data = await r.read()
    w.close()
    return data.startswith(b"HTTP/1.1 200") and (data.endswith(b"0\r\n\r\n") if stream
                                                 else data.endswith(b"}"))

async def storm():
    t0 = time.time()
    res = await asyncio.gather(*(one(i, i % 4 >= 2) for i in range(2000)),
                               return_exceptions=True)
    return res, time.time() - t0

res, dt = asyncio.run(storm())
good = sum(1 for x in res if x is True)
st = json.loads(cli("stats", PORT_LAT).stdout)
ok(good == 2000 and dt < 6 and st["max_open_connections"] >= 1000,
   "2000 concurrent requests at 200 ms latency: %d ok in %.2fs, max open %d" % (
       good, dt, st["max_open_connections"]),
   [x for x in res if x is not True][:5])

log_lines = open(os.path.join(T, "main.log")).read().splitlines()
ok(any("status=429" in l and "retry_after" in l for l in log_lines)
   and any("model=support-triage status=200" in l for l in log_lines),
   "--log has one line per request", log_lines[:5])

print("1..%d" % n)
sys.exit(1 if failed else 0)
PY
rc=$?
exit $rc
