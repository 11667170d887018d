"""Loopback stand-ins for the services the server talks to, and request signers.

Every fake binds 127.0.0.1 on a free port, serves from memory, records what it was asked, and
stops when the test ends. Nothing here reaches beyond this machine.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from agent.server.signatures import pagerduty_signature, slack_signature, svix_signature

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "server"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PD_SECRET = "pd-subscription-secret"
SVIX_SECRET = "whsec_" + base64.b64encode(b"incident-io-test-signing-key-0001").decode()
REVIEW_TOKEN = "review-token-for-tests"
BOT_TOKEN = "xoxb-test-token"

Handler = Callable[[str, str, dict[str, Any], dict[str, str]], tuple[int, dict[str, str], Any]]


class LoopbackJsonServer:
    """A threaded HTTP server on 127.0.0.1 whose answers come from `handle(method, path, params, headers)`."""

    def __init__(self, handle: Handler) -> None:
        outer = self
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                url = urlsplit(self.path)
                params: dict[str, Any] = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params.update(json.loads(raw))
                    else:
                        params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
                headers = {k.lower(): v for k, v in self.headers.items()}
                with outer._lock:
                    outer.calls.append({"method": self.command, "path": url.path, "params": params,
                                        "headers": headers, "at": time.monotonic()})
                status, extra_headers, body = handle(self.command, url.path, params, headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in extra_headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackJsonServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def calls_to(self, path_suffix: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["path"].endswith(path_suffix)]


class FakeSlack(LoopbackJsonServer):
    """The Web API methods the server uses, over one channel's messages.

    Pages are small (`page_size`) whatever limit the client asks, so pagination is exercised;
    the first conversations.history call answers 429 with Retry-After when `rate_limit_once`.
    """

    def __init__(self, channel: dict[str, Any] | None = None, *, page_size: int = 3, rate_limit_once: bool = True,
                 retry_after: int = 1) -> None:
        fixture = channel or json.loads((FIXTURES / "slack" / "channel.json").read_text())
        self.channel = fixture["channel"]
        self.messages: list[dict[str, Any]] = fixture["messages"]
        self.users = {u["id"]: u for u in fixture["users"]}
        self.page_size = page_size
        self.rate_limit_pending = rate_limit_once
        self.retry_after = retry_after
        self.posted: list[dict[str, Any]] = []
        self._post_lock = threading.Lock()
        super().__init__(self._handle)

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def _handle(self, verb: str, path: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if headers.get("authorization") != f"Bearer {BOT_TOKEN}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        method = path.rsplit("/", 1)[-1]
        if method == "conversations.history":
            if self.rate_limit_pending:
                self.rate_limit_pending = False
                return 429, {"Retry-After": str(self.retry_after)}, {"ok": False, "error": "ratelimited"}
            top = [m for m in self.messages if m.get("thread_ts") in (None, m["ts"])]
            return self._page(sorted(top, key=lambda m: float(m["ts"]), reverse=True), params)
        if method == "conversations.replies":
            root = params.get("ts")
            thread = [m for m in self.messages if m.get("thread_ts") == root or m["ts"] == root]
            return self._page(sorted(thread, key=lambda m: float(m["ts"])), params)
        if method == "conversations.info":
            return 200, {}, {"ok": True, "channel": {"id": params.get("channel"), "name": self.channel["name"],
                                                     "topic": {"value": "Refund payouts stalled"}}}
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"})
        if method == "chat.postMessage":
            with self._post_lock:
                self.posted.append(params)
                n = len(self.posted)
            return 200, {}, {"ok": True, "channel": params.get("channel"), "ts": f"1778600000.{n:06d}"}
        if method == "conversations.join":
            return 200, {}, {"ok": True}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    def _page(self, items: list[dict[str, Any]], params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        start = int(params.get("cursor") or 0)
        chunk = items[start:start + self.page_size]
        nxt = str(start + self.page_size) if start + self.page_size < len(items) else ""
        return 200, {}, {"ok": True, "messages": chunk, "has_more": bool(nxt),
                         "response_metadata": {"next_cursor": nxt}}


# ---- signing -----------------------------------------------------------------------------------
def slack_headers(body: bytes, *, secret: str = SLACK_SECRET, at: float | None = None) -> dict[str, str]:
    ts = str(int(at if at is not None else time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack_signature(secret, ts, body)}


def pagerduty_headers(body: bytes, *, secret: str = PD_SECRET, webhook_id: str = "wh-1") -> dict[str, str]:
    return {"X-PagerDuty-Signature": f"v1=deadbeef,{pagerduty_signature(secret, body)}", "X-Webhook-Id": webhook_id,
            "Content-Type": "application/json"}


def svix_headers(body: bytes, *, secret: str = SVIX_SECRET, msg_id: str = "msg_1", at: float | None = None) -> dict[str, str]:
    ts = str(int(at if at is not None else time.time()))
    return {"webhook-id": msg_id, "webhook-timestamp": ts,
            "webhook-signature": f"v1,bm90LWl0 {svix_signature(secret, msg_id, ts, body)}",
            "Content-Type": "application/json"}


# ---- payloads ------------------------------------------------------------------------------------
def slash_body(text: str = "INC-9001", channel_id: str = "C0INC9001", channel_name: str = "inc-9001-refunds") -> bytes:
    from urllib.parse import urlencode

    return urlencode({"token": "deprecated", "team_id": "T0001", "channel_id": channel_id, "channel_name": channel_name,
                      "user_id": "U0ALICE", "user_name": "alice", "command": "/postmortem", "text": text,
                      "response_url": "http://127.0.0.1:9/commands/none", "trigger_id": "13345224609.738474920.8088930838d88f008e0",
                      "api_app_id": "A0PMDRAFT"}).encode()


def pagerduty_body(number: int, *, event_type: str = "incident.resolved") -> bytes:
    return json.dumps({"event": {
        "id": f"01EVT{number:05d}", "event_type": event_type, "resource_type": "incident",
        "occurred_at": "2026-05-12T09:50:00.000Z", "agent": {"id": "PXYZ123", "type": "user_reference"},
        "data": {"id": f"Q{number:08d}", "type": "incident", "number": number, "status": "resolved",
                 "title": f"Refunds not paid out #{number}", "created_at": "2026-05-12T09:00:00Z",
                 "html_url": f"https://example.pagerduty.com/incidents/Q{number:08d}",
                 "service": {"id": "PSVC001", "summary": "refund-workers", "type": "service_reference"}}}}).encode()


def incident_io_body(reference: str, *, category: str = "learning", channel: str = "C0INC9001") -> bytes:
    event = "public_incident.incident_status_updated_v2"
    return json.dumps({"event_type": event, event: {
        "incident": {"id": f"01HZX{reference}", "reference": reference, "name": "Refunds not paid out",
                     "slack_channel_id": channel, "created_at": "2026-05-12T09:00:00Z",
                     "updated_at": "2026-05-12T09:50:00Z", "severity": {"name": "Minor"},
                     "incident_status": {"name": "Post-incident", "category": category}},
        "previous_status": {"name": "Monitoring", "category": "live"},
        "new_status": {"name": "Post-incident", "category": category}}}).encode()


def slack_event_body(event: dict[str, Any], event_id: str = "Ev0001") -> bytes:
    return json.dumps({"token": "x", "team_id": "T0001", "api_app_id": "A0PMDRAFT", "type": "event_callback",
                       "event": event, "event_id": event_id, "event_time": 1778579400}).encode()


# ---- running the real app on loopback --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_app(app: Any, port: int | None = None) -> Iterator[str]:
    """uvicorn in a thread on 127.0.0.1 (lifespan and workers included); yields the base URL."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def pmdraft_cmd() -> list[str]:
    """The installed console script (what a user runs), else the module."""
    import shutil
    import sys

    script = Path(sys.executable).with_name("pmdraft")
    if script.exists():
        return [str(script)]
    found = shutil.which("pmdraft")
    return [found] if found else [sys.executable, "-m", "agent"]


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()

