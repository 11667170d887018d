"""Saved Web API responses: `conversations.history` and `conversations.replies`.

Both answer `{"ok": true, "messages": [...], "has_more": …}`. History lists messages newest
first and only top-level ones (plus thread_broadcast copies); saved files for the drafter
include the thread replies too (spec/bundle.md §1). A paged dump is a list of responses.
Replies answer parent first; merging them with history repeats the parent, which the
message builder de-duplicates by ts. Output order comes from ts, never from input order.
"""

from __future__ import annotations

import re
from typing import Any

FORMAT = "conversations-history"

_CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]{6,}$")


def pages(value: Any) -> list[dict[str, Any]]:
    """The response objects: one saved response, or a list of pages."""
    items = value if isinstance(value, list) else [value]
    return [p for p in items if isinstance(p, dict) and isinstance(p.get("messages"), list)]


def history_records(value: Any) -> list[Any]:
    return [m for page in pages(value) for m in page["messages"]]


def history_channel(value: Any, channels: dict[str, str]) -> str | None:
    """The channel a saved response names, if any.

    The API itself does not echo the channel; dumps made by scripts often add `channel`
    (an id, a name, or {id, name}) or `channel_name`. An id is mapped through channels.json
    when one is at hand.
    """
    for page in pages(value):
        for field in (page.get("channel_name"), page.get("channel")):
            if isinstance(field, dict):
                field = field.get("name") or field.get("id")
            if isinstance(field, str) and field.strip():
                name = field.strip()
                return channels.get(name, name) if _CHANNEL_ID_RE.match(name) else name
    return None
