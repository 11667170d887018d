"""The synthetic channel, spelled in each supported chat format.

- `slack-export`: a channel folder of `YYYY-MM-DD.json` day files with `users.json` beside it;
- `history`: one saved `conversations.history` response (newest first, as the API returns it);
- `transcript`: `[HH:MM:SS] name: text` lines.
People post as users (U…), the pager and incident bot as bot messages, the agent through its app.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

from agent.bench import synth_story as story
from agent.bench.synth import T0_NS, SynMessage, SynthSpec


def write_chat(folder: Path, messages: list[SynMessage], spec: SynthSpec) -> int:
    """Write `messages` in `spec.chat_format` under `folder`; returns the bytes written."""
    if spec.chat_format == "transcript":
        return _transcript(folder, messages)
    users = {name: f"U{k + 1:08X}" for k, name in enumerate(story.PEOPLE)}
    records = [_record(m, users) for m in messages]
    if spec.chat_format == "history":
        doc = {"ok": True, "channel": {"id": "C0SYN0304", "name": story.CHANNEL.lstrip("#")},
               "messages": records[::-1], "has_more": False}
        return _write(folder / "conversations.history.json", doc)
    size = _write(folder / "users.json", [_user(name, uid) for name, uid in users.items()])
    days: dict[str, list[dict[str, Any]]] = {}
    for m, rec in zip(messages, records, strict=True):
        days.setdefault(_day(m), []).append(rec)
    for day, recs in days.items():
        size += _write(folder / f"{day}.json", recs)
    return size


def ts_of(m: SynMessage) -> str:
    """The Slack ts of a message: seconds since the epoch with 6 decimals."""
    us = T0_NS // 1000 + round(m.at_s * 1_000_000)
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def _record(m: SynMessage, users: dict[str, str]) -> dict[str, Any]:
    ts = ts_of(m)
    if not m.bot:
        return {"type": "message", "user": users[m.author], "text": m.text, "ts": ts, "team": "T0SYN"}
    rec: dict[str, Any] = {"type": "message", "subtype": "bot_message", "text": m.text, "ts": ts,
                           "username": m.author, "bot_id": "B" + format(abs(hash_name(m.author)), "010X")}
    if m.author == story.AGENT:
        rec["app_id"] = "A0CAPACITY"
    return rec


def hash_name(name: str) -> int:
    """A stable small number per name (Python's hash() is salted per process)."""
    return sum((k + 1) * ord(c) for k, c in enumerate(name)) % 10**9


def _user(name: str, uid: str) -> dict[str, Any]:
    first = name.split()[0].lower()
    return {"id": uid, "team_id": "T0SYN", "name": first, "real_name": name, "is_bot": False,
            "profile": {"display_name": first, "real_name": name, "team": "T0SYN"}}


def _day(m: SynMessage) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(T0_NS // 1_000_000_000 + int(m.at_s)))


def _write(path: Path, value: Any) -> int:
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    path.write_bytes(data)
    return len(data)


def _transcript(folder: Path, messages: list[SynMessage]) -> int:
    lines = [f"Incident channel {story.CHANNEL}, exported by hand"]
    for m in messages:
        sec = T0_NS // 1_000_000_000 + int(m.at_s)
        lines.append(f"[{time.strftime('%H:%M:%S', time.gmtime(sec))}] {m.author}: {m.text}")
    data = ("\n".join(lines) + "\n").encode()
    (folder / "channel.txt").write_bytes(data)
    return len(data)
