#!/usr/bin/env python3
"""Fake LLM provider for agentd's tests: OpenAI Chat Completions and
Anthropic Messages (JSON and SSE), answers scripted by sim scenario files,
programmable faults. Python 3 stdlib only.

  fake_provider.py serve --port-file FILE [--latency-ms N] [--scenarios DIR]
                         [--openai-key K] [--anthropic-key K] [--log FILE]
  fake_provider.py faults PORT '<json list of faults>'
  fake_provider.py reset PORT
  fake_provider.py requests PORT
  fake_provider.py stats PORT

See README.md next to this file.
"""

import argparse
import asyncio
import collections
import email.utils
import hashlib
import json
import os
import random
import signal
import string
import sys
import time
import urllib.request

REASONS = {
    100: "Continue", 200: "OK", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large",
    429: "Too Many Requests", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 529: "Overloaded",
}

MAX_HEAD = 1 << 20          # request line + headers
MAX_BODY = 64 << 20
LOG_KEEP = 5000
BAD_ARGS = '{"query": "refund'
FINISHED_TEXT = "(scenario finished)"
THINK_ONLY_TEXT = ("Let me think about this step by step. First the policy, "
                   "then the order, then whether the customer")
ALNUM = string.ascii_letters + string.digits


def jdump(obj):
    """Compact JSON, as both APIs send it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def rand_id(n):
    return "".join(random.choice(ALNUM) for _ in range(n))


class BadRequest(Exception):
    pass


class Request:
    __slots__ = ("method", "target", "path", "version", "headers", "body",
                 "keep_alive")


async def read_request(reader, writer):
    """One HTTP/1.x request, or None on a clean EOF between requests.
    Raises BadRequest on anything malformed."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if e.partial.strip():
            raise BadRequest("truncated request head")
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest("request head too large")
    head = head.lstrip(b"\r\n")     # RFC 9112: ignore leading empty lines
    lines = head[:-4].split(b"\r\n") if head.endswith(b"\r\n\r\n") else []
    if not lines or not lines[0]:
        raise BadRequest("empty request line")
    try:
        line = lines[0].decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("non-ASCII request line")
    parts = line.split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[1] \
            or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise BadRequest("bad request line")
    req = Request()
    req.method, req.target, req.version = parts
    req.path = req.target.split("?", 1)[0]
    headers = {}
    for raw in lines[1:]:
        if b":" not in raw or raw[:1] in (b" ", b"\t"):
            raise BadRequest("bad header line")
        name, _, value = raw.partition(b":")
        name = name.decode("latin-1")
        if not name or name != name.strip() or " " in name:
            raise BadRequest("bad header name")
        name = name.lower()
        value = value.strip(b" \t").decode("latin-1")
        headers[name] = headers[name] + ", " + value if name in headers \
            else value
    req.headers = headers
    conn = headers.get("connection", "").lower()
    if req.version == "HTTP/1.1":
        req.keep_alive = "close" not in conn
    else:
        req.keep_alive = "keep-alive" in conn
    if "100-continue" in headers.get("expect", "").lower():
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    te = headers.get("transfer-encoding", "").lower()
    try:
        if te:
            if te != "chunked":
                raise BadRequest("unsupported transfer-encoding")
            body = bytearray()
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size < 0 or len(body) + size > MAX_BODY:
                    raise BadRequest("bad chunk size")
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass    # trailers
                    break
                body += await reader.readexactly(size)
                if await reader.readexactly(2) != b"\r\n":
                    raise BadRequest("bad chunk end")
            req.body = bytes(body)
        elif "content-length" in headers:
            cl = headers["content-length"]
            if not cl.isdigit() or int(cl) > MAX_BODY:
                raise BadRequest("bad content-length")
            req.body = await reader.readexactly(int(cl))
        else:
            req.body = b""
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ValueError):
        raise BadRequest("truncated or bad body")
    return req


# ---------------------------------------------------------------- formats

def openai_error(message, etype, param=None, code=None):
    return {"error": {"message": message, "type": etype, "param": param,
                      "code": code}}


def anthropic_error(etype, message):
    return {"type": "error", "error": {"type": etype, "message": message}}


def presented_openai_key(headers):
    auth = headers.get("authorization")
    if auth is None:
        return None
    return auth[7:] if auth[:7].lower() == "bearer " else auth


def openai_auth_error(headers):
    key = presented_openai_key(headers)
    if key is None:
        return openai_error(
            "You didn't provide an API key. You need to provide your API key "
            "in an Authorization header using Bearer auth (i.e. "
            "Authorization: Bearer YOUR_KEY), or as the password field (with "
            "blank username) if you're accessing the API from your browser "
            "and are prompted for a username. You can obtain an API key from "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error")
    return openai_error(
        "Incorrect API key provided: %s. You can find your API key at "
        "https://platform.openai.com/account/api-keys." % key,
        "invalid_request_error", None, "invalid_api_key")


def anthropic_auth_error(headers):
    key = headers.get("x-api-key")
    if key is None:
        return anthropic_error("authentication_error",
                               "x-api-key header is required")
    return anthropic_error("authentication_error", "invalid x-api-key " + key)


def fault_error_body(style, status, model, headers):
    """Body of an injected error status, in the style's documented shape."""
    if style == "openai":
        if status == 429:
            return openai_error(
                "Rate limit reached for %s in organization org-fake on "
                "requests per min (RPM): Limit 3, Used 3, Requested 1. Please "
                "try again in 1s. Visit "
                "https://platform.openai.com/account/rate-limits to learn "
                "more." % (model or "model"),
                "requests", None, "rate_limit_exceeded")
        if status == 401:
            return openai_auth_error(headers)
        if status == 400:
            return openai_error("Invalid request (injected fault).",
                                "invalid_request_error")
        if status == 404:
            return openai_error(
                "The model `%s` does not exist or you do not have access to "
                "it." % model, "invalid_request_error", None,
                "model_not_found")
        if status in (503, 529):
            return openai_error("The server is overloaded or not ready yet.",
                                "server_error")
        if status >= 500:
            return openai_error(
                "The server had an error while processing your request. "
                "Sorry about that!", "server_error")
        return openai_error("Injected error %d." % status,
                            "invalid_request_error")
    if status == 429:
        return anthropic_error(
            "rate_limit_error",
            "This request would exceed the rate limit for your organization "
            "of 50 requests per minute. Please try again later.")
    if status == 401:
        return anthropic_auth_error(headers)
    if status == 400:
        return anthropic_error("invalid_request_error",
                               "Invalid request (injected fault).")
    if status == 403:
        return anthropic_error("permission_error",
                               "Your API key does not have permission to use "
                               "the specified resource.")
    if status == 404:
        return anthropic_error("not_found_error", "model: %s" % model)
    if status == 413:
        return anthropic_error("request_too_large",
                               "Request exceeds the maximum allowed number of "
                               "bytes.")
    if status == 529:
        return anthropic_error("overloaded_error", "Overloaded")
    if status == 500:
        return anthropic_error("api_error", "Internal server error")
    if status == 503:
        return anthropic_error("api_error", "Service unavailable")
    return anthropic_error("api_error" if status >= 500
                           else "invalid_request_error",
                           "Injected error %d." % status)


def tool_failed_openai(messages):
    if not messages or not isinstance(messages[-1], dict):
        return False
    m = messages[-1]
    if m.get("role") != "tool":
        return False
    c = m.get("content")
    if isinstance(c, list):
        c = "".join(p.get("text", "") for p in c if isinstance(p, dict))
    return isinstance(c, str) and c.startswith("error:")


def tool_failed_anthropic(messages):
    if not messages or not isinstance(messages[-1], dict):
        return False
    c = messages[-1].get("content")
    if not isinstance(c, list):
        return False
    return any(isinstance(b, dict) and b.get("type") == "tool_result"
               and b.get("is_error") is True for b in c)


def split_n(s, n):
    """s in n pieces of about equal length (fewer if s is short)."""
    if not s:
        return []
    size = max(1, -(-len(s) // n))
    return [s[i:i + size] for i in range(0, len(s), size)]


def unparsable_history_args(messages):
    """llama-server renders the history through its chat template, which
    parses every assistant tool call's arguments: the first that is not a
    JSON object (or holds a number it cannot represent) makes the whole
    request fail with HTTP 500. Returns that parser's message, or None."""
    def finite(text):
        v = float(text)
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("number out of range: " + text)
        return v

    def no_constant(name):
        raise ValueError("invalid literal: " + name)

    for m in messages:
        if not isinstance(m, dict) or m.get("role") != "assistant":
            continue
        for tc in m.get("tool_calls") or []:
            fn = tc.get("function") if isinstance(tc, dict) else None
            args = fn.get("arguments") if isinstance(fn, dict) else None
            if not isinstance(args, str):
                continue
            try:
                v = json.loads(args, parse_float=finite,
                               parse_constant=no_constant)
                if not isinstance(v, dict):
                    raise ValueError("arguments are not an object")
            except ValueError as e:
                return ("[json.exception.parse_error.101] parse error: "
                        "syntax error while parsing value - %s; last read: "
                        "'%s'" % (e, args[-20:]))
    return None


def chunks4(s):
    return [s[i:i + 4] for i in range(0, len(s), 4)]


def fake_signature(model, thinking):
    """The signature of a thinking block the fake sent: checked when the
    block comes back (the real API rejects a changed block)."""
    h = hashlib.sha256(("%s\0%s" % (model, thinking)).encode()).hexdigest()
    return "fakesig_" + h[:40]


def reasoning_tokens(reasoning):
    return len((reasoning or "").encode()) // 4 + 1 if reasoning else 0


# ---------------------------------------------------------------- server

class Server:
    def __init__(self, args):
        self.args = args
        self.faults = []
        self.log = collections.deque(maxlen=LOG_KEEP)
        self.requests = 0
        self.open = 0
        self.max_open = 0
        self.writers = set()
        self.scenario_cache = {}
        self.redacted_sent = set()      # redacted_thinking data handed out
        self.logfile = open(args.log, "a", buffering=1) if args.log else None

    # ---- plumbing

    async def send(self, writer, status, body, ctype="application/json",
                   extra=(), keep_alive=True, cut=False, pause=None):
        """pause: an awaitable run after the head and half the body;
        false when the rest must not be sent (the client is gone)."""
        if isinstance(body, (dict, list)):
            body = jdump(body)
        if isinstance(body, str):
            body = body.encode()
        head = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status")),
                "Date: " + email.utils.formatdate(usegmt=True),
                "Content-Type: " + ctype,
                "Content-Length: %d" % len(body)]
        head += ["%s: %s" % kv for kv in extra]
        head.append("Connection: " + ("keep-alive" if keep_alive and not cut
                                      else "close"))
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if cut:
            writer.write(data + body[:len(body) // 2])
        elif pause is not None:
            writer.write(data + body[:len(body) // 2])
            await writer.drain()
            if not await pause:
                return
            writer.write(body[len(body) // 2:])
        else:
            writer.write(data + body)
        await writer.drain()

    async def stall(self, fault, reader):
        """A stall fault's silence: stall_ms, or until the client goes
        (no stall_ms). True when the answer goes on."""
        ms = fault.get("stall_ms")
        if ms is None:
            await self.wait_eof(reader)
            return False
        try:
            await asyncio.sleep(max(0.0, float(ms)) / 1000)
        except (TypeError, ValueError):
            pass
        return True

    async def wait_eof(self, reader):
        try:
            while await reader.read(65536):
                pass
        except (ConnectionError, OSError):
            pass

    def write_log_line(self, req, model, status, fault):
        if not self.logfile:
            return
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        self.logfile.write("%s %s %s model=%s status=%s fault=%s\n" % (
            ts, req.method, req.path, model if model is not None else "-",
            status, jdump(fault) if fault is not None else "-"))

    async def handle_conn(self, reader, writer):
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        self.writers.add(writer)
        try:
            while True:
                try:
                    req = await read_request(reader, writer)
                except BadRequest as e:
                    if self.logfile:
                        self.logfile.write("%s - - model=- status=400 "
                                           "fault=- (malformed HTTP: %s)\n" % (
                                               time.strftime(
                                                   "%Y-%m-%dT%H:%M:%S",
                                                   time.gmtime()), e))
                    await self.send(writer, 400, openai_error(
                        "Malformed HTTP request: %s" % e,
                        "invalid_request_error"), keep_alive=False)
                    break
                if req is None:
                    break
                if not await self.dispatch(req, reader, writer):
                    break
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass        # shutdown; returning quietly avoids 3.11's noise
        except Exception as e:    # never crash on bad input
            print("fake_provider: internal error: %r" % e, file=sys.stderr)
            try:
                await self.send(writer, 500, openai_error(
                    "fake_provider internal error", "server_error"),
                    keep_alive=False)
            except Exception:
                pass
        finally:
            self.open -= 1
            self.writers.discard(writer)
            try:
                writer.close()
            except Exception:
                pass

    # ---- control endpoints

    async def control(self, req, writer):
        p = req.path
        ka = req.keep_alive
        if p == "/_fake/faults" and req.method == "POST":
            try:
                obj = json.loads(req.body or b"null")
                faults = obj["faults"] if isinstance(obj, dict) else obj
                if isinstance(faults, dict):
                    faults = [faults]
                if not isinstance(faults, list) or \
                        not all(isinstance(f, dict) for f in faults):
                    raise ValueError("faults must be a list of objects")
            except (ValueError, KeyError, TypeError) as e:
                await self.send(writer, 400, {"error": str(e)}, keep_alive=ka)
                return ka
            self.faults.extend(faults)
            await self.send(writer, 200, {"queued": len(self.faults)},
                            keep_alive=ka)
        elif p == "/_fake/reset" and req.method == "POST":
            self.faults.clear()
            self.log.clear()
            self.redacted_sent.clear()
            self.requests = 0
            self.max_open = self.open
            await self.send(writer, 200, {"ok": True}, keep_alive=ka)
        elif p == "/_fake/requests" and req.method == "GET":
            await self.send(writer, 200, list(self.log), keep_alive=ka)
        elif p == "/_fake/faults" and req.method == "GET":
            await self.send(writer, 200, self.faults, keep_alive=ka)
        elif p == "/_fake/stats" and req.method == "GET":
            await self.send(writer, 200, {
                "requests": self.requests, "open_connections": self.open,
                "max_open_connections": self.max_open}, keep_alive=ka)
        else:
            await self.send(writer, 404, {"error": "no such control path"},
                            keep_alive=ka)
        return ka

    # ---- scenarios

    def load_scenario(self, model):
        d = self.args.scenarios
        if not d or not isinstance(model, str) or not model or "/" in model \
                or "\\" in model or model.startswith(".") or "\0" in model:
            return None
        fn = os.path.join(d, model + ".json")
        try:
            mtime = os.stat(fn).st_mtime_ns
        except OSError:
            return None
        hit = self.scenario_cache.get(fn)
        if hit and hit[0] == mtime:
            return hit[1]
        try:
            with open(fn, encoding="utf-8") as f:
                sc = json.load(f)
            if not isinstance(sc, dict) or not isinstance(sc.get("turns"),
                                                          list) \
                    or not sc["turns"]:
                return None
        except (OSError, ValueError):
            return None
        self.scenario_cache[fn] = (mtime, sc)
        return sc

    def scenario_turn(self, sc, n, failed):
        """The turn object answering turn @n, or None past the end."""
        turns = sc["turns"]
        if n >= len(turns):
            r = sc.get("repeat_from")
            if isinstance(r, int) and 0 <= r < len(turns):
                n = r + (n - len(turns)) % (len(turns) - r)
            else:
                return None
        t = turns[n]
        if failed and isinstance(t.get("after_error"), dict):
            t = t["after_error"]
        return t if isinstance(t, dict) else {}

    def pick_turn(self, sc, n, failed):
        """-> (text, [(name, args_text)], tokens_in or None, tokens_out or
        None, reasoning or None)."""
        t = self.scenario_turn(sc, n, failed)
        if t is None:
            return FINISHED_TEXT, [], None, None, None
        calls = [(c.get("name", ""), jdump(c.get("arguments", {})))
                 for c in (t.get("tool_calls") or []) if isinstance(c, dict)]
        r = t.get("reasoning")
        return t.get("text"), calls, t.get("tokens_in"), t.get("tokens_out"), \
            r if isinstance(r, str) and r else None

    # ---- reasoning sent back

    def check_sent_back(self, style, sc, model, msgs):
        """What the APIs check in the history of a reasoning model: None,
        or (status, body) to refuse the request with. Anthropic: thinking
        blocks come back unchanged and first in their turn, and the last
        turn, when it thought before it used tools, starts with its
        thinking. OpenAI
        (DeepSeek's thinking mode): a turn that thought before calling tools
        has its reasoning_content back."""
        last = max([i for i, m in enumerate(msgs) if isinstance(m, dict)
                    and m.get("role") == "assistant"], default=-1)
        for i, m in enumerate(msgs):
            if not isinstance(m, dict) or m.get("role") != "assistant":
                continue
            turn = sum(1 for x in msgs[:i] if isinstance(x, dict)
                       and x.get("role") == "assistant")
            prev = msgs[:i]
            failed = tool_failed_openai(prev) if style == "openai" \
                else tool_failed_anthropic(prev)
            t = self.scenario_turn(sc, turn, failed) or {}
            thought = t.get("reasoning") if isinstance(t.get("reasoning"),
                                                       str) else None
            if style == "openai":
                if not thought or not m.get("tool_calls"):
                    continue
                back = m.get("reasoning_content", m.get("reasoning"))
                if back is None:
                    return 400, openai_error(
                        "Missing `reasoning_content` field in the assistant "
                        "message at message index %d. For more information, "
                        "please refer to https://api-docs.deepseek.com/"
                        "guides/thinking_mode#tool-calls" % i,
                        "invalid_request_error", None,
                        "invalid_request_error")
                if back != thought:
                    return 400, openai_error(
                        "The `reasoning_content` in the thinking mode must "
                        "be passed back to the API (message index %d "
                        "differs from what was sent)." % i,
                        "invalid_request_error", None,
                        "invalid_request_error")
                continue
            content = m.get("content")
            if not isinstance(content, list):
                content = []
            seen_other = False
            for j, b in enumerate(content):
                if not isinstance(b, dict):
                    continue
                where = "messages.%d.content.%d" % (i, j)
                if b.get("type") == "thinking":
                    if seen_other:
                        return 400, anthropic_error(
                            "invalid_request_error", "%s: `thinking` blocks "
                            "must come first in an assistant message" % where)
                    if b.get("signature") != fake_signature(
                            model, b.get("thinking", "")):
                        return 400, anthropic_error(
                            "invalid_request_error",
                            "%s: Invalid `signature` in `thinking` block"
                            % where)
                elif b.get("type") == "redacted_thinking":
                    if seen_other:
                        return 400, anthropic_error(
                            "invalid_request_error", "%s: `redacted_thinking` "
                            "blocks must come first in an assistant message"
                            % where)
                    if b.get("data") not in self.redacted_sent:
                        return 400, anthropic_error(
                            "invalid_request_error",
                            "%s: Invalid `data` in `redacted_thinking` block"
                            % where)
                else:
                    seen_other = True
            uses_tools = any(isinstance(b, dict) and b.get("type") ==
                             "tool_use" for b in content)
            # the API asks it of the turn the tool loop is in
            if thought and uses_tools and i == last:
                first = content[0] if content and isinstance(content[0],
                                                              dict) else {}
                if first.get("type") not in ("thinking", "redacted_thinking"):
                    return 400, anthropic_error(
                        "invalid_request_error",
                        "messages.%d.content.0.type: Expected `thinking` or "
                        "`redacted_thinking`, but found `%s`. When `thinking` "
                        "is enabled, a final `assistant` message must start "
                        "with a thinking block (preceeding the lastmost set "
                        "of `tool_use` and `tool_result` blocks)."
                        % (i, first.get("type")))
        return None

    # ---- API requests

    def take_fault(self, model):
        for i, f in enumerate(self.faults):
            if "model" not in f or f["model"] == model:
                return self.faults.pop(i)
        return None

    async def dispatch(self, req, reader, writer):
        if req.path.startswith("/_fake/"):
            return await self.control(req, writer)
        self.requests += 1
        ka = req.keep_alive
        h = req.headers
        try:
            body = json.loads(req.body)
        except ValueError:
            body = req.body.decode("utf-8", "replace")
        rec = {"method": req.method, "path": req.path, "headers": h,
               "body": body, "fault": None, "t": time.time(), "status": None}
        self.log.append(rec)
        model = body.get("model") if isinstance(body, dict) else None

        if req.path == "/v1/chat/completions":
            style = "openai"
        elif req.path == "/v1/messages":
            style = "anthropic"
        else:
            style = "anthropic" if ("x-api-key" in h or
                                    "anthropic-version" in h) else "openai"
        rid = "req_" + rand_id(24)
        extra = [("request-id", rid)] if style == "anthropic" else \
            [("x-request-id", rid), ("openai-processing-ms", "1")]

        async def error(status, obj, more=()):
            rec["status"] = status
            self.write_log_line(req, model, status, rec["fault"])
            await self.send(writer, status, obj, extra=extra + list(more),
                            keep_alive=ka)
            return ka

        route = {"/v1/chat/completions": "openai",
                 "/v1/messages": "anthropic"}.get(req.path)
        if req.method != "POST" or route is None:
            if style == "openai":
                return await error(404, openai_error(
                    "Invalid URL (%s %s)" % (req.method, req.path),
                    "invalid_request_error"))
            return await error(404, anthropic_error("not_found_error",
                                                    "Not Found"))

        fault = self.take_fault(model)
        rec["fault"] = fault
        kind = fault.get("kind") if fault else None
        latency = self.args.latency_ms
        if kind == "slow":
            try:
                latency = max(0, int(fault.get("latency_ms", 0)))
            except (TypeError, ValueError):
                pass

        if kind == "hang":
            rec["status"] = "hang"
            self.write_log_line(req, model, "hang", fault)
            await self.wait_eof(reader)
            return False

        if latency:
            await asyncio.sleep(latency / 1000 * (0.9 if isinstance(body, dict)
                                                  and body.get("stream") is True
                                                  else 1.0))

        if fault and "status" in fault:
            try:
                status = int(fault["status"])
            except (TypeError, ValueError):
                status = 500
            more = []
            if fault.get("retry_after") is not None:
                more.append(("Retry-After", str(fault["retry_after"])))
            if status == 429:
                if style == "anthropic":
                    more.append(("anthropic-ratelimit-requests-remaining",
                                 "0"))
                else:
                    more.append(("x-ratelimit-remaining-requests", "0"))
            return await error(status, fault_error_body(style, status, model,
                                                        h), more)

        # auth and validation
        if style == "openai":
            key = self.args.openai_key
            if key is not None and h.get("authorization") != "Bearer " + key:
                return await error(401, openai_auth_error(h))
        else:
            key = self.args.anthropic_key
            if key is not None and h.get("x-api-key") != key:
                return await error(401, anthropic_auth_error(h))
            if "anthropic-version" not in h:
                return await error(400, anthropic_error(
                    "invalid_request_error",
                    "anthropic-version: header is required"))
        if not isinstance(body, dict):
            if style == "openai":
                return await error(400, openai_error(
                    "We could not parse the JSON body of your request. (HINT: "
                    "This likely means you aren't using your HTTP library "
                    "correctly. The OpenAI API expects a JSON payload, but "
                    "what was sent was not valid JSON. If you have trouble "
                    "figuring out how to fix this, please contact us through "
                    "our help center at help.openai.com.)",
                    "invalid_request_error"))
            return await error(400, anthropic_error(
                "invalid_request_error",
                "There was an issue with the request body: it is not a valid "
                "JSON object"))
        for field in ("model", "messages"):
            v = body.get(field)
            okv = isinstance(v, str) and v if field == "model" \
                else isinstance(v, list)
            if not okv:
                if style == "openai":
                    return await error(400, openai_error(
                        "Missing required parameter: '%s'." % field,
                        "invalid_request_error", field,
                        "missing_required_parameter"))
                return await error(400, anthropic_error(
                    "invalid_request_error", "%s: Field required" % field))

        sc = self.load_scenario(model)
        if sc is None:
            if style == "openai":
                return await error(404, openai_error(
                    "The model `%s` does not exist or you do not have access "
                    "to it." % model, "invalid_request_error", None,
                    "model_not_found"))
            return await error(404, anthropic_error("not_found_error",
                                                    "model: %s" % model))

        msgs = body["messages"]
        bad = unparsable_history_args(msgs) if style == "openai" else None
        if bad is not None and not self.args.lenient_history:
            return await error(500, {"error": {
                "code": 500, "message": bad, "type": "server_error"}})
        refused = self.check_sent_back(style, sc, model, msgs)
        if refused is not None:
            return await error(*refused)
        turn = sum(1 for m in msgs
                   if isinstance(m, dict) and m.get("role") == "assistant")
        failed = tool_failed_openai(msgs) if style == "openai" \
            else tool_failed_anthropic(msgs)
        text, calls, tin, tout, reasoning = self.pick_turn(sc, turn, failed)
        stop = None
        if kind == "think_only":
            # every token spent thinking: no answer, cut by max_tokens
            text, calls, stop = None, [], "length"
            reasoning = fault.get("reasoning") or reasoning or THINK_ONLY_TEXT
            mt = body.get("max_tokens")
            if isinstance(mt, int) and mt > 0:
                tout = mt           # the whole budget
            elif not isinstance(tout, int):
                tout = reasoning_tokens(reasoning)
        if not isinstance(tin, int):
            tin = len(req.body) // 4
        if not isinstance(tout, int):
            tout = len((text or "").encode()) // 4 + 1 + \
                reasoning_tokens(reasoning)
        think = {"text": reasoning, "tokens": min(tout, reasoning_tokens(
            reasoning)) if kind != "think_only" else tout,
            "field": fault.get("field") if kind == "reasoning_field" and
            isinstance(fault.get("field"), str) else "reasoning_content",
            "signature": fake_signature(model, reasoning) if reasoning
            else None, "redacted": None, "stop": stop}
        if kind == "redacted_thinking":
            think["redacted"] = "fakeredacted_" + rand_id(24)
            self.redacted_sent.add(think["redacted"])

        stream = body.get("stream") is True
        if kind == "bad_args" and calls:
            raw = fault.get("arguments")
            raw = raw if isinstance(raw, str) else BAD_ARGS
            if style == "anthropic" and not stream:
                calls[0] = ("no_such_tool", calls[0][1])
            else:
                calls[0] = (calls[0][0], raw)
        elif kind == "length":
            # the output limit cut the answer: the text in the middle, or
            # the last tool call's arguments (then invalid JSON)
            think["stop"] = "length"
            if calls:
                n, a = calls[-1]
                calls[-1] = (n, a[:max(1, len(a) // 2)])
                if style == "anthropic" and not stream:
                    calls.pop()     # a cut input is not an object: dropped
            elif text:
                text = text[:max(1, len(text) // 2)]
        elif kind == "unknown_tool":
            if calls:
                calls[0] = ("no_such_tool", calls[0][1])
            else:
                calls = [("no_such_tool", "{}")]

        rec["status"] = 200
        self.write_log_line(req, model, 200, fault)

        if kind == "malformed":
            await self.send(writer, 200, '{"choices": [', extra=extra,
                            keep_alive=ka)
            return ka

        cut = kind == "cut"
        if not stream:
            obj = (self.openai_json if style == "openai" else
                   self.anthropic_json)(model, turn, text, calls, tin, tout,
                                        think)
            await self.send(writer, 200, obj, extra=extra, keep_alive=ka,
                            cut=cut, pause=self.stall(fault, reader)
                            if kind == "stall" else None)
            return ka and not cut and not (kind == "stall" and
                                           fault.get("stall_ms") is None)

        if style == "openai":
            events = self.openai_events(body, model, turn, text, calls, tin,
                                        tout, think)
        else:
            events = self.anthropic_events(model, turn, text, calls, tin,
                                           tout, think)
        if kind == "stream_error":
            etype = fault.get("error_type")
            if style == "openai":
                err = "data: " + jdump(openai_error(
                    fault.get("message", "The server had an error while "
                              "processing your request. Sorry about that!"),
                    etype if isinstance(etype, str) else "server_error"))
            else:
                err = "event: error\ndata: " + jdump(anthropic_error(
                    etype if isinstance(etype, str) else "overloaded_error",
                    fault.get("message", "Overloaded")))
            events = events[:1] + [err + "\n\n"]
        limit = None
        if cut or kind == "stall":
            try:
                limit = max(0, int(fault.get("after_events", 0)))
            except (TypeError, ValueError):
                limit = 0
        stall_at, limit = (limit, None) if kind == "stall" else (None, limit)
        head = ["HTTP/1.1 200 OK",
                "Date: " + email.utils.formatdate(usegmt=True),
                "Content-Type: text/event-stream",
                "Cache-Control: no-cache",
                "Transfer-Encoding: chunked"]
        head += ["%s: %s" % kv for kv in extra]
        head.append("Connection: " + ("keep-alive" if ka and not cut
                                      else "close"))
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        gap = latency * 0.1 / 1000 / max(1, len(events))
        if fault and fault.get("kind") == "slow" and "stream_ms" in fault:
            try:   # the whole stream spread over stream_ms
                gap = max(0.0, float(fault["stream_ms"])) / 1000 / max(1, len(events))
            except (TypeError, ValueError):
                pass
        for i, ev in enumerate(events):
            if limit is not None and i >= limit:
                return False
            if i == stall_at and not await self.stall(fault, reader):
                return False
            if gap and i:
                await asyncio.sleep(gap)
            data = ev.encode()
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
        if limit is not None:
            return False        # cut after all events: still no 0-chunk
        if stall_at is not None and stall_at >= len(events) and \
                not await self.stall(fault, reader):
            return False        # silent before the 0-chunk
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return ka

    # ---- OpenAI shapes

    @staticmethod
    def openai_usage(tin, tout, think):
        u = {"prompt_tokens": tin, "completion_tokens": tout,
             "total_tokens": tin + tout,
             "prompt_tokens_details": {"cached_tokens": 0}}
        if think["text"]:   # as DeepSeek reports it for a reasoning model
            u["completion_tokens_details"] = {
                "reasoning_tokens": think["tokens"]}
        return u

    @staticmethod
    def openai_finish(calls, think):
        return think["stop"] or ("tool_calls" if calls else "stop")

    def openai_json(self, model, turn, text, calls, tin, tout, think):
        msg = {"role": "assistant", "content": text, "refusal": None}
        if think["text"]:
            msg[think["field"]] = think["text"]
        if calls:
            msg["tool_calls"] = [
                {"id": "call_%d_%d" % (turn, i), "type": "function",
                 "function": {"name": n, "arguments": a}}
                for i, (n, a) in enumerate(calls)]
        return {"id": "chatcmpl-" + rand_id(29), "object": "chat.completion",
                "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": msg, "logprobs": None,
                             "finish_reason": self.openai_finish(calls,
                                                                 think)}],
                "usage": self.openai_usage(tin, tout, think),
                "system_fingerprint": "fp_fake"}

    def openai_events(self, body, model, turn, text, calls, tin, tout,
                      think):
        so = body.get("stream_options")
        inc = isinstance(so, dict) and so.get("include_usage") is True
        cid = "chatcmpl-" + rand_id(29)
        created = int(time.time())

        def chunk(delta, finish=None, choices=True):
            c = {"id": cid, "object": "chat.completion.chunk",
                 "created": created, "model": model,
                 "system_fingerprint": "fp_fake",
                 "choices": [{"index": 0, "delta": delta, "logprobs": None,
                              "finish_reason": finish}] if choices else []}
            if inc:
                c["usage"] = None
            return c

        out = [chunk({"role": "assistant", "content": "", "refusal": None})]
        for piece in chunks4(think["text"] or ""):
            out.append(chunk({think["field"]: piece}))
        for piece in chunks4(text or ""):
            out.append(chunk({"content": piece}))
        for i, (n, a) in enumerate(calls):
            out.append(chunk({"tool_calls": [
                {"index": i, "id": "call_%d_%d" % (turn, i),
                 "type": "function",
                 "function": {"name": n, "arguments": ""}}]}))
            for piece in split_n(a, 3):
                out.append(chunk({"tool_calls": [
                    {"index": i, "function": {"arguments": piece}}]}))
        out.append(chunk({}, self.openai_finish(calls, think)))
        if inc:
            u = chunk(None, choices=False)
            u["usage"] = self.openai_usage(tin, tout, think)
            out.append(u)
        ev = ["data: " + jdump(c) + "\n\n" for c in out]
        ev.append("data: [DONE]\n\n")
        return ev

    # ---- Anthropic shapes

    @staticmethod
    def anthropic_usage(tin, tout):
        return {"input_tokens": tin, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0, "output_tokens": tout}

    @staticmethod
    def anthropic_stop(calls, think):
        return "max_tokens" if think["stop"] else \
            "tool_use" if calls else "end_turn"

    def anthropic_json(self, model, turn, text, calls, tin, tout, think):
        content = []
        if think["text"]:
            content.append({"type": "thinking", "thinking": think["text"],
                            "signature": think["signature"]})
        if think["redacted"]:
            content.append({"type": "redacted_thinking",
                            "data": think["redacted"]})
        if text:
            content.append({"type": "text", "text": text})
        for i, (n, a) in enumerate(calls):
            try:
                inp = json.loads(a)
            except ValueError:
                inp = {}
            if not isinstance(inp, dict):
                inp = {}
            content.append({"type": "tool_use", "id": "toolu_%d_%d" % (turn, i),
                            "name": n, "input": inp})
        return {"id": "msg_01" + rand_id(22), "type": "message",
                "role": "assistant", "model": model, "content": content,
                "stop_reason": self.anthropic_stop(calls, think),
                "stop_sequence": None,
                "usage": self.anthropic_usage(tin, tout)}

    def anthropic_events(self, model, turn, text, calls, tin, tout, think):
        out = []

        def ev(name, obj):
            out.append("event: %s\ndata: %s\n\n" % (name, jdump(obj)))

        ev("message_start", {"type": "message_start", "message": {
            "id": "msg_01" + rand_id(22), "type": "message",
            "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": self.anthropic_usage(tin, 1)}})
        ev("ping", {"type": "ping"})
        idx = 0
        if think["text"]:
            ev("content_block_start", {"type": "content_block_start",
                                       "index": idx, "content_block":
                                       {"type": "thinking", "thinking": "",
                                        "signature": ""}})
            for piece in chunks4(think["text"]):
                ev("content_block_delta", {"type": "content_block_delta",
                                           "index": idx, "delta":
                                           {"type": "thinking_delta",
                                            "thinking": piece}})
            ev("content_block_delta", {"type": "content_block_delta",
                                       "index": idx, "delta":
                                       {"type": "signature_delta",
                                        "signature": think["signature"]}})
            ev("content_block_stop", {"type": "content_block_stop",
                                      "index": idx})
            idx += 1
        if think["redacted"]:
            ev("content_block_start", {"type": "content_block_start",
                                       "index": idx, "content_block":
                                       {"type": "redacted_thinking",
                                        "data": think["redacted"]}})
            ev("content_block_stop", {"type": "content_block_stop",
                                      "index": idx})
            idx += 1
        if text:
            ev("content_block_start", {"type": "content_block_start",
                                       "index": idx, "content_block":
                                       {"type": "text", "text": ""}})
            for piece in chunks4(text):
                ev("content_block_delta", {"type": "content_block_delta",
                                           "index": idx, "delta":
                                           {"type": "text_delta",
                                            "text": piece}})
            ev("content_block_stop", {"type": "content_block_stop",
                                      "index": idx})
            idx += 1
        for i, (n, a) in enumerate(calls):
            ev("content_block_start", {"type": "content_block_start",
                                       "index": idx, "content_block":
                                       {"type": "tool_use",
                                        "id": "toolu_%d_%d" % (turn, i),
                                        "name": n, "input": {}}})
            for piece in split_n(a, 3):
                ev("content_block_delta", {"type": "content_block_delta",
                                           "index": idx, "delta":
                                           {"type": "input_json_delta",
                                            "partial_json": piece}})
            ev("content_block_stop", {"type": "content_block_stop",
                                      "index": idx})
            idx += 1
        ev("message_delta", {"type": "message_delta", "delta": {
            "stop_reason": self.anthropic_stop(calls, think),
            "stop_sequence": None}, "usage": {"output_tokens": tout}})
        ev("message_stop", {"type": "message_stop"})
        return out


def raise_nofile():
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


async def serve(args):
    raise_nofile()
    srv = Server(args)
    server = await asyncio.start_server(srv.handle_conn, "127.0.0.1", 0,
                                        limit=MAX_HEAD, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    tmp = "%s.tmp.%d" % (args.port_file, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    server.close()
    for w in list(srv.writers):
        try:
            w.close()
        except Exception:
            pass
    if srv.logfile:
        srv.logfile.close()


# ---------------------------------------------------------------- client CLI

def call(port, method, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                                 data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port-file", required=True)
    s.add_argument("--latency-ms", type=int, default=0)
    s.add_argument("--scenarios")
    s.add_argument("--openai-key")
    s.add_argument("--anthropic-key")
    s.add_argument("--log")
    s.add_argument("--lenient-history", action="store_true",
                   help="accept tool-call arguments in the history that are "
                   "not JSON objects (llama-server answers 500)")
    f = sub.add_parser("faults")
    f.add_argument("port")
    f.add_argument("faults", help="JSON list of faults (or one fault)")
    for name in ("reset", "requests", "stats"):
        sub.add_parser(name).add_argument("port")
    a = ap.parse_args(argv)
    if a.cmd == "serve":
        try:
            asyncio.run(serve(a))
        except KeyboardInterrupt:
            pass
        return 0
    if a.cmd == "faults":
        faults = json.loads(a.faults)
        if isinstance(faults, dict) and "faults" not in faults:
            faults = [faults]
        if isinstance(faults, list):
            faults = {"faults": faults}
        out = call(a.port, "POST", "/_fake/faults", faults)
    elif a.cmd == "reset":
        out = call(a.port, "POST", "/_fake/reset", {})
    elif a.cmd == "requests":
        out = call(a.port, "GET", "/_fake/requests")
    else:
        out = call(a.port, "GET", "/_fake/stats")
    print(json.dumps(out, indent=1 if a.cmd == "requests" else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
