"""Slack workspace export: a channel folder of day files, with the user directory nearby.

Day files are JSON arrays of message objects (one per day with activity, named
`YYYY-MM-DD.json` by Slack); thread replies are among them. `users.json` (`org_users.json`
in Enterprise Grid exports) sits at the export root, one level above the channel folder, or
beside the day files when a single channel was copied out. Order comes from `ts` alone: day
files are cut at UTC midnight and a thread reply lands in the file of its own day.

Saved `conversations.history` files come through here too (see `history`): the message
objects are the same, and a user directory beside them is used when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tools.chat import history
from tools.chat.detect import ChatFile, classify_file
from tools.chat.slack_message import SlackUser, build_messages, make_context, parse_users
from tools.errors import BadInput
from tools.model.chat import ChatLog

FORMAT = "slack-export"
DIRECTORY_NAMES = ("users.json", "org_users.json", "channels.json", "groups.json")
# The bundle's own folder name (spec/bundle.md): it names the input, not the Slack channel.
_BUNDLE_FOLDER_NAMES = frozenset({"chat"})


def files_by_export_name(folder: Path) -> tuple[list[ChatFile], list[str]]:
    """users.json, org_users.json, channels.json… in `folder`, looked up by their export names.

    Used one level up from the input, where the bundle's other files live: only the names
    Slack gives these files are read there, and only if their content is a directory.
    """
    items: list[ChatFile] = []
    warnings: list[str] = []
    for name in DIRECTORY_NAMES:
        candidate = folder / name
        if not candidate.is_file():
            continue
        try:
            item = classify_file(candidate)
        except BadInput as exc:
            warnings.append(f"directory file not read: {exc}")
            continue
        if item.kind in ("users", "channels"):
            items.append(item)
    return items, warnings


def users_from(items: Iterable[ChatFile]) -> dict[str, SlackUser]:
    users: dict[str, SlackUser] = {}
    for item in items:
        if item.kind == "users":
            users.update(parse_users(item.data))
    return users


def channels_from(items: Iterable[ChatFile]) -> dict[str, str]:
    """channel id → name from channels.json-like files (for `<#C…>` mentions and the channel name)."""
    channels: dict[str, str] = {}
    for item in items:
        if item.kind != "channels":
            continue
        records = item.data.get("channels") if isinstance(item.data, dict) else item.data
        for rec in records if isinstance(records, list) else []:
            if isinstance(rec, dict) and isinstance(rec.get("id"), str) and isinstance(rec.get("name"), str):
                channels[rec["id"]] = rec["name"]
    return channels


def message_records(items: Iterable[ChatFile]) -> list[Any]:
    """Message objects of day files, single-message files and history pages, in input order."""
    out: list[Any] = []
    for item in items:
        if item.kind == "messages":
            out.extend(item.data if isinstance(item.data, list) else [item.data])
        elif item.kind == "history":
            out.extend(history.history_records(item.data))
    return out


def channel_from_folder(folder: Path, channels: dict[str, str]) -> str | None:
    names = set(channels.values())
    if folder.name in names or (folder.name and folder.name not in _BUNDLE_FOLDER_NAMES):
        return folder.name
    return next(iter(names)) if len(names) == 1 else None


def load_slack(
    source: Path,
    items: Sequence[ChatFile],
    *,
    near: Sequence[ChatFile],
    agent_names: Sequence[str],
    warnings: Sequence[str] = (),
) -> ChatLog:
    """A ChatLog from classified files (`items`) and directory files found around them (`near`).

    Files in `items` win over `near`: the directory beside the day files is the closer one.
    """
    users = {**users_from(near), **users_from(items)}
    channels = {**channels_from(near), **channels_from(items)}
    records = message_records(items)
    days = [i for i in items if i.kind == "messages"]
    channel = next(
        (c for i in items if i.kind == "history" and (c := history.history_channel(i.data, channels))), None
    )
    if channel is None and days:
        channel = channel_from_folder(days[0].path.parent, channels)
    ctx = make_context(records, users, channels, agent_names)
    messages, problems = build_messages(records, ctx)
    return ChatLog(
        source=str(source),
        format=FORMAT if days else history.FORMAT,
        channel=channel.lstrip("#") or None if channel else None,
        messages=messages,
        warnings=[*warnings, *problems],
    )
