"""The incident channel from the Slack Web API, and posting back into it.

History: `conversations.history` (top-level messages, newest first) then `conversations.replies`
for every thread parent, both paginated by `response_metadata.next_cursor`; user names from
`users.info`. Rate limits (HTTP 429, or `{"ok": false, "error": "ratelimited"}`) are waited out
per Retry-After. `base_url` points the client at a test server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tools.sources.base import Sleep, SourceError, retry_after_seconds, write_json

DEFAULT_BASE_URL = "https://slack.com/api/"
_MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)")
# Non-retryable answers whose meaning a user needs spelled out.
_HINTS = {
    "not_in_channel": "invite the app to the channel",
    "channel_not_found": "the channel id is wrong or the app cannot see it",
    "missing_scope": "the app lacks a scope (see slack-app-manifest.yaml)",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid",
    "not_authed": "SLACK_BOT_TOKEN is not set",
}


class ChannelDump(BaseModel):
    """What was fetched from one channel, ready to be written as chat/ of a bundle."""

    channel_id: str = Field(description="Channel id (C…/G…).")
    channel_name: str | None = Field(default=None, description="Channel name, when conversations.info answered.")
    topic: str | None = Field(default=None, description="Channel topic, if any.")
    messages: list[dict[str, Any]] = Field(default_factory=list, description="Messages and replies, by ts.")
    users: list[dict[str, Any]] = Field(default_factory=list, description="users.info objects of the authors.")
    warnings: list[str] = Field(default_factory=list, description="What could not be fetched.")

    def write(self, chat_dir: Path) -> list[Path]:
        """chat/history.json in conversations.history shape (replies included) and chat/users.json."""
        chat_dir.mkdir(parents=True, exist_ok=True)
        page = {"ok": True, "channel": {"id": self.channel_id, "name": self.channel_name},
                "messages": self.messages, "has_more": False}
        written = [write_json(chat_dir / "history.json", page)]
        if self.users:
            written.append(write_json(chat_dir / "users.json", self.users))
        return written

    def first_ts(self) -> str | None:
        return self.messages[0]["ts"] if self.messages else None

    def last_ts(self) -> str | None:
        return self.messages[-1]["ts"] if self.messages else None


class SlackSource:
    """A bot-token WebClient with rate-limit handling and one-line errors."""

    name = "slack"

    def __init__(self, token: str, *, base_url: str = DEFAULT_BASE_URL, timeout: int = 15,
                 max_retries: int = 5, page_size: int = 200, max_messages: int = 20_000,
                 sleep: Sleep = time.sleep) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.client = WebClient(token=token, base_url=self.base_url, timeout=timeout)
        self.max_retries = max_retries
        self.page_size = page_size
        self.max_messages = max_messages
        self.sleep = sleep

    # ---- calls -----------------------------------------------------------------------------
    def call(self, method: str, *, http_verb: str = "GET", **params: Any) -> dict[str, Any]:
        clean = {k: v for k, v in params.items() if v is not None}
        for attempt in range(self.max_retries + 1):
            try:
                if http_verb == "GET":
                    return dict(self.client.api_call(method, http_verb="GET", params=clean).data)  # type: ignore[arg-type]
                return dict(self.client.api_call(method, json=clean).data)  # type: ignore[arg-type]
            except SlackApiError as exc:
                if _rate_limited(exc) and attempt < self.max_retries:
                    self.sleep(retry_after_seconds(exc.response.headers or {}))
                    continue
                raise SourceError(f"slack {method}", _api_problem(exc)) from None
            except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections
                raise SourceError(f"slack {method}", f"cannot reach {self.base_url} ({_reason(exc)})") from None
        raise AssertionError("unreachable")

    def _pages(self, method: str, **params: Any) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            page = self.call(method, cursor=cursor, limit=self.page_size, **params)
            yield page
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    # ---- channel history ------------------------------------------------------------------
    def fetch_channel(self, channel_id: str, *, oldest: str | None = None) -> ChannelDump:
        dump = ChannelDump(channel_id=channel_id)
        self._channel_info(dump)
        by_ts: dict[str, dict[str, Any]] = {}
        for page in self._pages("conversations.history", channel=channel_id, oldest=oldest):
            for msg in page.get("messages") or []:
                if isinstance(msg, dict) and isinstance(msg.get("ts"), str):
                    by_ts.setdefault(msg["ts"], msg)
            if len(by_ts) >= self.max_messages:
                dump.warnings.append(f"stopped at {self.max_messages} messages; older history not fetched")
                break
        for parent in [m for m in by_ts.values() if _has_replies(m)]:
            for page in self._pages("conversations.replies", channel=channel_id, ts=parent["ts"]):
                for msg in page.get("messages") or []:
                    if isinstance(msg, dict) and isinstance(msg.get("ts"), str):
                        by_ts.setdefault(msg["ts"], msg)
        dump.messages = sorted(by_ts.values(), key=lambda m: _ts_key(m["ts"]))
        dump.users = self._users(dump)
        return dump

    def _channel_info(self, dump: ChannelDump) -> None:
        try:
            info = self.call("conversations.info", channel=dump.channel_id).get("channel") or {}
        except SourceError as exc:
            dump.warnings.append(f"channel name unknown ({exc.problem})")
            return
        dump.channel_name = info.get("name") or None
        dump.topic = ((info.get("topic") or {}).get("value") or None) if isinstance(info.get("topic"), dict) else None

    def _users(self, dump: ChannelDump) -> list[dict[str, Any]]:
        ids: list[str] = []
        for msg in dump.messages:
            for uid in [msg.get("user"), *_MENTION_RE.findall(str(msg.get("text") or ""))]:
                if isinstance(uid, str) and uid not in ids:
                    ids.append(uid)
        users: list[dict[str, Any]] = []
        for uid in ids[:500]:
            try:
                user = self.call("users.info", user=uid).get("user")
            except SourceError as exc:
                # Names are a nicety: without users:read the draft shows ids, it does not fail.
                dump.warnings.append(f"user names not resolved ({exc.problem})")
                break
            if isinstance(user, dict):
                users.append(user)
        return users

    # ---- posting back -----------------------------------------------------------------------
    def post_message(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str | None:
        """chat.postMessage; joins a public channel once when the app is not in it. Returns the ts."""
        body: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks:
            body["blocks"] = blocks
        try:
            answer = self.call("chat.postMessage", http_verb="POST", **body)
        except SourceError as exc:
            if "not_in_channel" not in exc.problem:
                raise
            self.call("conversations.join", http_verb="POST", channel=channel)
            answer = self.call("chat.postMessage", http_verb="POST", **body)
        ts = answer.get("ts")
        return ts if isinstance(ts, str) else None

    def channel_name(self, channel_id: str) -> str | None:
        info = self.call("conversations.info", channel=channel_id).get("channel") or {}
        name = info.get("name")
        return name if isinstance(name, str) else None


def _has_replies(msg: dict[str, Any]) -> bool:
    reply_count = msg.get("reply_count")
    return bool(isinstance(reply_count, int) and reply_count > 0) or (
        msg.get("thread_ts") == msg.get("ts") and bool(msg.get("latest_reply"))
    )


def _rate_limited(exc: SlackApiError) -> bool:
    resp = exc.response
    return getattr(resp, "status_code", None) == 429 or (resp.get("error") if resp else None) == "ratelimited"


def _api_problem(exc: SlackApiError) -> str:
    resp = exc.response
    status = getattr(resp, "status_code", None)
    error = None
    try:
        error = resp.get("error") if resp is not None else None
    except (AttributeError, TypeError):
        error = None
    if not error:
        return f"HTTP {status}"
    hint = _HINTS.get(str(error))
    return f"{error}{f' ({hint})' if hint else ''}"


def _reason(exc: Exception) -> str:
    inner = getattr(exc, "reason", None)
    text = str(inner or exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _ts_key(ts: str) -> tuple[int, int]:
    sec, _, frac = ts.partition(".")
    try:
        return int(sec), int((frac + "000000")[:6])
    except ValueError:
        return 0, 0
