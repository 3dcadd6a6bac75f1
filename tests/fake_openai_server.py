"""A scriptable OpenAI-compatible HTTP server on 127.0.0.1, for tests (no real LLM).

Usage::

    from tests.fake_openai_server import FakeOpenAIServer, REFUSAL

    with FakeOpenAIServer() as server:            # or the ``openai_server`` fixture
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        ChatOpenAI(model="cheap", base_url=server.base_url, api_key="sk-test", max_retries=0)
        OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test")  # LlamaIndex

Endpoints: ``POST /v1/chat/completions`` (plain and SSE streaming; a final usage
chunk when ``stream_options.include_usage``), ``POST /v1/completions`` (legacy),
``POST /v1/embeddings`` (deterministic hashed unit vectors, 64 dims unless
``dimensions``; float or base64), ``GET /v1/models``.

Default behaviour (no script):

* reply text: ``default_reply(model)`` = ``"Reply from <model>: ..."`` (deterministic).
* ``tools`` given: if ``tool_choice`` is ``"required"`` or names a function, that
  (or the first) tool is called; with ``"auto"``/absent, the first tool is called
  when the last message is a user message, and after a tool result it answers in
  text; ``"none"`` never calls. Arguments are generated from the tool's schema.
* ``response_format`` ``json_schema``: the content is a JSON object valid for the
  schema; ``json_object``: ``{"answer": "<default reply>"}``.
* usage: ``prompt_tokens = chars_of_all_message_texts // 4 + 1``,
  ``completion_tokens = max(1, len(answer) // 4)`` (tool-call arguments count).
* ``max_tokens`` / ``max_completion_tokens`` smaller than the answer: the text is
  cut to ``4 * max_tokens`` chars and ``finish_reason="length"``.
* ``n`` (and ``best_of``, legacy completions) on a non-streamed request: ``n`` copies
  of the answer, and ``completion_tokens`` of ``max(n, best_of)`` answers (each is billed).

Scripting (rules match by ``model``; ``None`` = any model; ``match`` = extra
predicate over the :class:`RecordedRequest`; ``times=None`` = forever):

* ``server.script(model=, reply=str | [str, ...] | callable(req)->str, tool_calls=
  [{"name":..., "arguments": {...}}] | True | False, refusal=True, finish_reason=,
  cached_tokens=N, usage={...}, no_usage=True, delay=seconds, first_chunk_delay=seconds,
  chunk_delay=seconds, times=, match=)``: ``no_usage`` sends no usage at all (no ``usage``
  key, no usage chunk); ``delay`` waits before anything is sent, ``first_chunk_delay``
  (streams) sends the headers at once and waits before the first chunk, ``chunk_delay``
  (streams) waits before each later chunk, as a provider generating; a rule naming the
  model beats a wildcard rule, then the newest wins; a list reply is consumed one per
  call and its last item repeats.
* ``server.refuse(model=)``: answer :data:`REFUSAL` ("I'm sorry, I can't help with that.").
* ``server.fail(model=, status=429|500|503|..., kind=, times=1, delay=2.0, message=,
  retry_after=, after_chunks=1, match=)``: failures are checked before scripts, oldest
  first. Kinds:

  - ``timeout``: sleep ``delay`` s, then close without answering (give the client a
    shorter timeout and ``max_retries=0``);
  - ``reset``: close the socket (RST) right after reading the request;
  - ``malformed``: 200 with an invalid JSON body (streaming: an SSE event whose data
    is invalid JSON);
  - ``cut_stream``: send ``after_chunks`` SSE chunks (0: only the headers), then close
    mid-body (on a
    non-streaming request: like ``reset``);
  - ``end_stream``: send ``after_chunks`` SSE chunks, then end the body cleanly with no
    ``[DONE]``, no finish reason and no usage (a stream that stops mid-way without an
    error; a non-streaming request is answered normally);
  - ``content_filter``: Azure's 400 with ``code="content_filter"``;
  - ``empty_choices``: 200 with ``"choices": []`` and a usage (streaming: one chunk with
    no choices, then ``[DONE]``);
  - ``error_event`` (streams): send ``after_chunks`` chunks (0: none), then an SSE event
    ``data: {"error": {...}}`` (``error=`` gives its fields; default OpenAI's
    ``server_error``) and ``[DONE]``, as OpenAI reports a failure found mid-request; a
    non-streaming request gets that error as an HTTP 500.
* ``server.reset()`` forgets rules and recorded requests.

Note: ``server.models`` is in arrival order; calls made concurrently (``batch``,
``gather``) arrive in any order.

Recording: ``server.requests`` (list of :class:`RecordedRequest`: ``path``, ``model``,
``messages``, ``max_tokens``, ``max_completion_tokens``, ``tools``, ``tool_choice``,
``stream``, ``response_format``, ``headers`` (lower-case keys), ``body``, ``chunks_sent``,
``client_gone``, ``done``; helpers ``system_prompt``, ``last_user_text``),
``server.chat_requests``, ``server.models`` (model of every chat/completions request, in
order), ``server.last``.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fake_responses import build_chat, build_completion, build_embeddings, message_text

REFUSAL = "I'm sorry, I can't help with that."
FAIL_KINDS = (
    "timeout", "reset", "malformed", "cut_stream", "end_stream", "content_filter", "empty_choices",
    "error_event",
)
STREAM_ERROR = {
    "message": "The server had an error while processing your request. Sorry about that!",
    "type": "server_error", "param": None, "code": None,
}
"""OpenAI's error event for a failure found while a stream is under way."""


def default_reply(model: str) -> str:
    """The deterministic answer given when nothing is scripted."""
    return f"Reply from {model}: here is a short, deterministic test answer to your request."


@dataclass
class RecordedRequest:
    """One HTTP request as the server saw it."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    usage: dict[str, Any] | None = None
    """The usage the server reported for this request (``None``: it failed or sent none)."""
    chunks_sent: int = 0
    """SSE chunks of a stream written to the connection (``[DONE]`` not counted)."""
    client_gone: bool = False
    """A write failed: the client had closed the connection before the stream's end (with
    ``chunk_delay``, a client that stops reading early is seen here)."""
    done: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    """Set once the server is through with the request."""

    @property
    def model(self) -> str | None:
        return self.body.get("model")

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages") or []

    @property
    def max_tokens(self) -> int | None:
        return self.body.get("max_tokens")

    @property
    def max_completion_tokens(self) -> int | None:
        return self.body.get("max_completion_tokens")

    @property
    def token_limit(self) -> int | None:
        """``max_completion_tokens`` if sent, else ``max_tokens``."""
        return self.max_completion_tokens or self.max_tokens

    @property
    def tools(self) -> list[dict[str, Any]] | None:
        return self.body.get("tools")

    @property
    def tool_choice(self) -> Any:
        return self.body.get("tool_choice")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def response_format(self) -> dict[str, Any] | None:
        return self.body.get("response_format")

    @property
    def prompt(self) -> Any:
        """Legacy completions prompt (``/v1/completions``)."""
        return self.body.get("prompt")

    @property
    def system_prompt(self) -> str | None:
        """Text of the first system/developer message, if any."""
        for m in self.messages:
            if m.get("role") in ("system", "developer"):
                return message_text(m.get("content"))
        return None

    @property
    def last_user_text(self) -> str:
        for m in reversed(self.messages):
            if m.get("role") == "user":
                return message_text(m.get("content"))
        return ""


@dataclass
class _Rule:
    model: str | None
    times: int | None
    match: Callable[[RecordedRequest], bool] | None
    params: dict[str, Any] = field(default_factory=dict)
    used: int = 0

    def applies(self, req: RecordedRequest) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.model is not None and req.model != self.model:
            return False
        return self.match is None or bool(self.match(req))


class FakeOpenAIServer:
    """OpenAI-compatible server in a background thread; see the module docstring."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[RecordedRequest] = []
        self._scripts: list[_Rule] = []
        self._fails: list[_Rule] = []
        self._counter = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        handler = type("_BoundHandler", (_Handler,), {"server_ref": self})
        self._httpd = _QuietServer((self._host, self._port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, daemon=True, name="fake-openai-server"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no ``/v1``)."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``: pass as ``base_url`` / ``api_base``."""
        return self.url + "/v1"

    # -- scripting -------------------------------------------------------------------------
    def script(
        self,
        model: str | None = None,
        reply: Any = None,
        *,
        times: int | None = None,
        match: Callable[[RecordedRequest], bool] | None = None,
        **params: Any,
    ) -> None:
        """Script answers (see module docstring for the keyword arguments)."""
        allowed = {
            "tool_calls", "refusal", "finish_reason", "cached_tokens", "usage", "delay",
            "first_chunk_delay", "chunk_delay", "no_usage",
        }
        unknown = set(params) - allowed
        if unknown:
            raise TypeError(
                f"script(): unknown arguments {sorted(unknown)}; allowed {sorted(allowed)}"
            )
        params["reply"] = reply
        with self._lock:
            self._scripts.append(_Rule(model, times, match, params))

    def refuse(self, model: str | None = None, *, times: int | None = None) -> None:
        """Answer with :data:`REFUSAL`."""
        self.script(model, REFUSAL, times=times)

    def fail(
        self,
        model: str | None = None,
        status: int | None = None,
        *,
        kind: str | None = None,
        times: int | None = 1,
        delay: float = 2.0,
        message: str | None = None,
        retry_after: float | None = None,
        after_chunks: int = 1,
        match: Callable[[RecordedRequest], bool] | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        """Inject a failure: an HTTP ``status`` or a transport ``kind`` (module docstring)."""
        if (status is None) == (kind is None):
            raise TypeError("fail(): give exactly one of status=... or kind=...")
        if kind is not None and kind not in FAIL_KINDS:
            raise ValueError(f"fail(): kind={kind!r}; expected one of {FAIL_KINDS}")
        params = {
            "status": status,
            "kind": kind,
            "delay": delay,
            "message": message,
            "retry_after": retry_after,
            "after_chunks": max(0, int(after_chunks)),
            "error": {**STREAM_ERROR, **(error or {})},
        }
        with self._lock:
            self._fails.append(_Rule(model, times, match, params))

    def reset(self) -> None:
        """Forget all rules and recorded requests; wake any sleeping ``timeout`` handler."""
        with self._lock:
            self._stop.set()
            self._stop = threading.Event()
            self.requests.clear()
            self._scripts.clear()
            self._fails.clear()
            self._counter = 0

    # -- inspection ------------------------------------------------------------------------
    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if r.path.endswith("/chat/completions")]

    @property
    def models(self) -> list[str | None]:
        """Model of every chat / legacy completion request, in arrival order."""
        return [r.model for r in list(self.requests) if r.path.endswith("completions")]

    @property
    def last(self) -> RecordedRequest:
        if not self.requests:
            raise AssertionError("the fake OpenAI server has received no request")
        return self.requests[-1]

    # -- internals used by the handler -------------------------------------------------------
    def _record(
        self, req: RecordedRequest
    ) -> tuple[dict[str, Any] | None, dict[str, Any], int, threading.Event]:
        with self._lock:
            self.requests.append(req)
            failure = next((r for r in self._fails if r.applies(req)), None)
            if failure is not None:
                failure.used += 1
            # a rule for this model beats a wildcard rule; among equals the newest wins
            candidates = [
                (r.model is not None, i) for i, r in enumerate(self._scripts) if r.applies(req)
            ]
            script = self._scripts[max(candidates)[1]] if candidates else None
            params: dict[str, Any] = {}
            if failure is None and script is not None:
                params = dict(script.params)
                reply = params.get("reply")
                if isinstance(reply, list):
                    params["reply"] = reply[min(script.used, len(reply) - 1)] if reply else ""
                script.used += 1
            self._counter += 1
            return (failure.params if failure else None), params, self._counter, self._stop


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients dropping connections (timeouts, resets) are expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_ref: FakeOpenAIServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            models = sorted({m for m in self.server_ref.models if m})
            self._json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                        for m in models
                    ],
                },
            )
        else:
            self._error(404, f"no route GET {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
            assert isinstance(body, dict)
        except Exception:
            self._error(400, "request body is not a JSON object", "invalid_request_error")
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = RecordedRequest(self.path.split("?")[0], body, headers)
        try:
            self._answer(req)
        finally:
            req.done.set()

    def _answer(self, req: RecordedRequest) -> None:
        failure, params, n, stop = self.server_ref._record(req)
        cut: int | None = None
        ended = False
        event: dict[str, Any] | None = None
        if failure is not None and failure["kind"] in ("cut_stream", "end_stream", "error_event") and req.stream:
            cut, ended = failure["after_chunks"], failure["kind"] == "end_stream"
            event = failure["error"] if failure["kind"] == "error_event" else None
        if failure is not None and failure["kind"] == "end_stream" and not req.stream:
            failure = None
        if failure is not None and cut is None:
            self._inject(failure, req, stop)
            return
        if params.get("delay"):
            stop.wait(float(params["delay"]))
        if params.get("refusal"):
            params["reply"] = REFUSAL
        reply = params.get("reply")
        if callable(reply):
            params["reply"] = reply(req)
        path = req.path.rstrip("/")
        if path.endswith("/chat/completions"):
            first_wait = float(params.get("first_chunk_delay") or 0.0)
            self._respond(
                req, build_chat(req.body, params, n, default_reply), cut, first_wait, stop, ended,
                float(params.get("chunk_delay") or 0.0), event,
            )
        elif path.endswith("/completions"):
            self._respond(req, build_completion(req.body, params, n, default_reply), cut)
        elif path.endswith("/embeddings"):
            self._json(200, build_embeddings(req.body))
        else:
            self._error(404, f"no route POST {self.path}", "not_found")

    # -- failures ----------------------------------------------------------------------------
    def _inject(self, failure: dict[str, Any], req: RecordedRequest, stop: threading.Event) -> None:
        kind, status = failure["kind"], failure["status"]
        if status is not None:
            headers = {}
            if failure["retry_after"] is not None:
                headers["retry-after"] = str(failure["retry_after"])
            etype = {429: "rate_limit_exceeded", 408: "timeout"}.get(status, "server_error")
            if status < 500 and status not in (429, 408):
                etype = "invalid_request_error"
            msg = failure["message"] or f"fake server: injected HTTP {status}"
            self._error(status, msg, etype, headers=headers)
            return
        if kind == "content_filter":
            msg = failure["message"] or (
                "The response was filtered due to the prompt triggering "
                "Azure OpenAI's content management policy."
            )
            self._error(400, msg, "invalid_request_error", code="content_filter")
        elif kind == "timeout":
            stop.wait(float(failure["delay"]))
            self._drop(rst=False)
        elif kind in ("reset", "cut_stream"):  # cut_stream on a non-streaming request
            self._drop(rst=True)
        elif kind == "empty_choices":
            whole, chunks = build_chat(req.body, {}, 0, default_reply)
            whole["choices"] = []
            empty = [{**chunks[0], "choices": [], "usage": whole["usage"]}]
            self._respond(req, (whole, empty))
        elif kind == "error_event":  # a non-streaming request: the same fault as an HTTP 500
            self._json(500, {"error": failure["error"]})
        elif kind == "malformed":
            payload = b'{"id": "chatcmpl-broken", "choices": [{"message": '
            ctype = "application/json"
            if req.stream:  # an SSE event whose data is not JSON
                payload, ctype = b"data: " + payload + b"\n\n", "text/event-stream"
            self.send_response(200)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def _drop(self, rst: bool) -> None:
        self.close_connection = True
        try:
            if rst:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- normal responses --------------------------------------------------------------------
    def _respond(
        self,
        req: RecordedRequest,
        result: tuple[dict[str, Any], list[dict[str, Any]]],
        cut: int | None = None,
        first_wait: float = 0.0,
        stop: threading.Event | None = None,
        ended: bool = False,
        chunk_wait: float = 0.0,
        event: dict[str, Any] | None = None,
    ) -> None:
        whole, chunks = result
        if cut is None and (not req.stream or (req.body.get("stream_options") or {}).get("include_usage")):
            req.usage = whole.get("usage")  # what the client is told
        if not req.stream:
            if first_wait and stop is not None:
                stop.wait(first_wait)
            self._json(200, whole)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            if event is not None and cut == 0:
                self._error_event(event)
                return
            if cut == 0:  # the headers only, then the body ends (cleanly or not)
                if ended:
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                if not ended:
                    self._drop(rst=False)
                return
            if first_wait and stop is not None:
                self.wfile.flush()  # the headers are out; the first chunk is late
                if stop.wait(first_wait):
                    self._drop(rst=False)
                    return
            for i, chunk in enumerate(chunks):
                if i and chunk_wait and stop is not None and stop.wait(chunk_wait):
                    self._drop(rst=False)
                    return
                self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                req.chunks_sent += 1
                if cut and i == cut - 1 and event is not None:
                    self._error_event(event)
                    return
                if cut and i == cut - 1 and ended:  # a clean end: no [DONE], nothing wrong
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
                if cut and i == cut - 1:
                    self._drop(rst=False)  # FIN, not RST: the first chunk is surely delivered
                    return
            self._chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            req.client_gone = True
            self.close_connection = True

    def _error_event(self, error: dict[str, Any]) -> None:
        """OpenAI's report of a failure found mid-request: an error event, then the end."""
        self._chunk(f"data: {json.dumps({'error': error})}\n\n".encode())
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _error(
        self,
        status: int,
        message: str,
        etype: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        err = {"message": message, "type": etype, "param": None, "code": code or etype}
        self._json(status, {"error": err}, headers)
