"""What is in a chat file? Decided from content, never from the file name.

A Slack export names its day files `YYYY-MM-DD.json` and its directory `users.json`, but
renamed or re-zipped exports are common, so each file is read and its shape decides.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tools.chat.slack_message import is_message_record, is_user_record
from tools.chat.transcript import looks_like_transcript
from tools.errors import BadInput
from tools.jsonio import decode, loads, read_bytes

ChatKind = Literal["messages", "history", "users", "channels", "transcript", "empty", "other", "unreadable"]

# A transcript line starts with "[" too: "[14:02] …" or "[2026-03-04 14:02] …".
_TRANSCRIPT_START_RE = re.compile(r"\[\s*(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}")


class ChatFile(BaseModel):
    """One file of a chat input, classified."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    kind: ChatKind
    data: Any = None  # the parsed JSON value
    text: str | None = None  # transcript text
    problem: BadInput | None = None  # why an "unreadable" file could not be read


def classify_file(path: Path) -> ChatFile:
    """Read and classify.

    Broken JSON raises `BadInput` (with its line): it is clearly meant as chat data. Binary or
    undecodable text comes back as "unreadable" with the error, so a screenshot left in a
    chat folder does not stop the reading; a caller with nothing else to read raises it.
    """
    data = read_bytes(path)
    try:
        text = decode(path, data)
    except BadInput as exc:
        if data.lstrip()[:1] in (b"{", b"[") and b"\x00" not in data[:4096]:
            raise
        return ChatFile(path=path, kind="unreadable", problem=exc)
    stripped = text.lstrip()
    if not stripped:
        return ChatFile(path=path, kind="empty")
    if stripped[0] == "{" or (stripped[0] == "[" and not _TRANSCRIPT_START_RE.match(stripped)):
        try:
            value = loads(path, data)
        except BadInput:
            # "[Exported from Slack] …" then "[14:02] …" lines: a transcript with a header.
            if stripped[0] == "[" and looks_like_transcript(text):
                return ChatFile(path=path, kind="transcript", text=text)
            raise
        return ChatFile(path=path, kind=classify_json(path, value), data=value)
    kind: ChatKind = "transcript" if looks_like_transcript(text) else "other"
    return ChatFile(path=path, kind=kind, text=text)


def classify_json(path: Path, value: Any) -> ChatKind:
    if isinstance(value, dict):
        return _classify_object(path, value)
    if not isinstance(value, list):
        return "other"
    if not value:
        return "empty"
    if all(_is_page(v) for v in value):
        return "history"
    votes = Counter(_record_kind(v) for v in value)
    votes.pop("other", None)
    return votes.most_common(1)[0][0] if votes else "other"


def _classify_object(path: Path, value: dict[str, Any]) -> ChatKind:
    if value.get("ok") is False:
        # The Web API answers errors with HTTP 200, so a saved error response looks like data.
        raise BadInput(path, f"Slack API error response (error: {value.get('error', 'unknown')}), not a chat")
    if _is_page(value):
        return "history"
    if isinstance(value.get("members"), list) and any(is_user_record(m) for m in value["members"]):
        return "users"
    if isinstance(value.get("channels"), list):
        return "channels"
    return "messages" if is_message_record(value) else "other"


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("messages"), list)


def _record_kind(value: Any) -> ChatKind:
    if is_message_record(value):
        return "messages"
    if is_user_record(value):
        return "users"
    if (
        isinstance(value, dict)
        and {"id", "name"} <= value.keys()
        and ({"created", "members", "is_channel", "topic", "purpose"} & value.keys())
    ):
        return "channels"
    return "other"
