"""A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI chat-completions API for tests.

Scripted per test: a queue of replies (status, body, delay, headers), consumed one per request;
when the queue is empty a `responder(request_json) -> Reply` answers (default: HTTP 500, so an
unscripted call is loud). Every request body is recorded for assertions (prompts, response_format,
redaction). `reject_json_schema=True` answers any `response_format: json_schema` request with
HTTP 500, the way llama.cpp's server does, before consulting the script.

    with OpenAIServer() as srv:
        srv.push(Reply.json_answer({"decision_span_id": "..."}))
        os.environ["OPENAI_BASE_URL"] = srv.base_url
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_DELAY_S = 30.0  # a scripted delay never holds a test longer than this


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str/bytes → sent as is (malformed bodies)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def completion(content: str | None, *, prompt_tokens: int = 11, completion_tokens: int = 7,
                   finish_reason: str = "stop", model: str = "fake-model", usage: bool = True) -> Reply:
        body: dict[str, Any] = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}],
        }
        if usage:
            body["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                             "total_tokens": prompt_tokens + completion_tokens}
        return Reply(200, body)

    @staticmethod
    def json_answer(obj: Any, **kw: Any) -> Reply:
        return Reply.completion(json.dumps(obj), **kw)

    @staticmethod
    def error(status: int, message: str = "scripted error", *, retry_after: float | None = None,
              err_type: str = "server_error") -> Reply:
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        return Reply(status, {"error": {"message": message, "type": err_type, "code": status}}, headers=headers)


Responder = Callable[[dict[str, Any]], Reply]


def _unscripted(_req: dict[str, Any]) -> Reply:
    return Reply.error(500, "unscripted request: the test queued no reply for it")


class OpenAIServer:
    def __init__(self, responder: Responder | None = None, *, reject_json_schema: bool = False) -> None:
        self.responder: Responder = responder or _unscripted
        self.reject_json_schema = reject_json_schema
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)

    # ---- lifecycle -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on a scripted delay
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- scripting -----------------------------------------------------------------------
    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def _next(self, req: dict[str, Any]) -> Reply:
        fmt = (req.get("response_format") or {}).get("type")
        if self.reject_json_schema and fmt == "json_schema":
            # llama.cpp: a grammar it cannot build from the schema is an internal server error.
            return Reply.error(500, "Failed to parse grammar / unsupported JSON schema")
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.responder(req)

    # ---- HTTP ------------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _route(self) -> str:
                return self.path.split("?", 1)[0].rstrip("/")

            def do_GET(self) -> None:
                if self._route().endswith("/models"):
                    self._send(Reply(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]}))
                else:
                    self._send(Reply.error(404, "not found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    req = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._send(Reply.error(400, "request body is not JSON"))
                    return
                with server._lock:
                    server.requests.append(req)
                    server.paths.append(self.path)
                    server.headers.append(dict(self.headers.items()))
                if not self._route().endswith("/chat/completions"):
                    self._send(Reply.error(404, f"no route {self.path}"))
                    return
                reply = server._next(req)
                if reply.delay:
                    server._stopping.wait(min(reply.delay, MAX_DELAY_S))
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                if isinstance(reply.body, bytes):
                    payload = reply.body
                elif isinstance(reply.body, str):
                    payload = reply.body.encode()
                else:
                    payload = json.dumps(reply.body if reply.body is not None else {}).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left: that is what a timeout test wants

        return Handler
