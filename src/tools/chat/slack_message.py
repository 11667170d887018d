"""One Slack message object → `Message`, and a list of them → the channel's messages.

The Slack export and the Web API (`conversations.history` / `.replies`) share the message
object, so both readers come through here. Unknown subtypes and fields are tolerated: a
message keeps its subtype and whatever text it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field

from tools.chat.markup import render_blocks, resolve
from tools.chat.names import looks_like_bot
from tools.model.chat import Message, Reaction

_MESSAGE_KEYS = ("type", "text", "user", "bot_id", "subtype", "blocks", "attachments", "files")
_CONTENT_KEYS = ("text", "blocks", "attachments", "files")
# Where thread-dumping tools (slackdump and friends) nest full reply objects under the parent.
_NESTED_REPLY_KEYS = ("slackdump_thread_replies", "replies", "thread_replies")
_EDIT_SUBTYPES = ("message_changed", "message_replied")


class SlackUser(BaseModel):
    """A user directory entry, reduced to what the chat needs."""

    id: str
    name: str = Field(description="Display name: profile.display_name, else real_name, else name.")
    is_bot: bool = False


class SlackContext(BaseModel):
    """What a message needs from around it: who is who, channel names, the incident's agents."""

    users: dict[str, SlackUser] = Field(default_factory=dict)
    names: dict[str, str] = Field(default_factory=dict, description="user id → display name, for mentions.")
    channels: dict[str, str] = Field(default_factory=dict, description="channel id → name, for <#C…>.")
    agent_names: tuple[str, ...] = ()


def is_message_record(value: Any) -> bool:
    return isinstance(value, dict) and "ts" in value and any(k in value for k in _MESSAGE_KEYS)


def is_user_record(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and "ts" not in value
        and any(k in value for k in ("profile", "real_name", "is_bot"))
    )


def parse_users(value: Any) -> dict[str, SlackUser]:
    """users.json / org_users.json (a list) or a users.list response ({"members": [...]})."""
    records = value.get("members") if isinstance(value, dict) else value
    if not isinstance(records, list):
        return {}
    users = (user_from_record(r) for r in records if is_user_record(r))
    return {u.id: u for u in users if u is not None}


def user_from_record(record: dict[str, Any]) -> SlackUser | None:
    profile = _dict(record.get("profile"))
    name = _first(
        profile.get("display_name"), profile.get("real_name"), record.get("real_name"), record.get("name")
    )
    is_bot = bool(record.get("is_bot") or record.get("is_app_user") or profile.get("bot_id"))
    return SlackUser(id=record["id"], name=name or record["id"], is_bot=is_bot)


def make_context(
    raws: Sequence[Any],
    users: Mapping[str, SlackUser],
    channels: Mapping[str, str] | None = None,
    agent_names: Sequence[str] = (),
) -> SlackContext:
    """Directory plus what messages say about their own authors (user_profile, bot_profile)."""
    known = dict(users)
    for raw in iter_records(raws):
        for record in (raw, _dict(raw.get("message"))):
            _harvest(record, known)
    return SlackContext(
        users=known,
        names={uid: u.name for uid, u in known.items()},
        channels=dict(channels or {}),
        agent_names=tuple(agent_names),
    )


def _harvest(raw: dict[str, Any], known: dict[str, SlackUser]) -> None:
    user_id = raw.get("user")
    if not isinstance(user_id, str) or user_id in known:
        return
    profile_name = _profile_name(raw.get("user_profile"))
    bot_name = _first(_dict(raw.get("bot_profile")).get("name"))
    if profile_name:
        known[user_id] = SlackUser(id=user_id, name=profile_name)
    elif bot_name:
        known[user_id] = SlackUser(id=user_id, name=bot_name, is_bot=True)


def iter_records(raws: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Message objects, with replies that some tools nest under their parent flattened out."""
    for raw in raws:
        if not isinstance(raw, dict):
            continue
        yield raw
        for key in _NESTED_REPLY_KEYS:
            nested = raw.get(key)
            if isinstance(nested, list):
                # Slack's own legacy `replies` is [{user, ts}] without content: not messages.
                yield from (r for r in nested if isinstance(r, dict) and any(k in r for k in _CONTENT_KEYS))


def build_messages(raws: Sequence[Any], ctx: SlackContext) -> tuple[list[Message], list[str]]:
    """All messages sorted by ts: edits applied, deletions dropped, duplicates (pages) merged."""
    collector = _Collector()
    for raw in iter_records(raws):
        collector.add(raw)
    messages = [m for m in (to_message(r, ctx) for r in collector.merged()) if m is not None]
    skipped = collector.skipped
    warnings = [f"{skipped} Slack message object(s) without a valid ts were skipped"] if skipped else []
    return messages, warnings


class _Collector:
    """Message objects by ts, in layers: reply notices < originals < edits; minus deletions."""

    def __init__(self) -> None:
        self.replied: dict[Decimal, dict[str, Any]] = {}
        self.plain: dict[Decimal, dict[str, Any]] = {}
        self.edits: dict[Decimal, tuple[Decimal, dict[str, Any]]] = {}
        self.deleted: set[Decimal] = set()
        self.skipped = 0

    def add(self, raw: dict[str, Any]) -> None:
        subtype = raw.get("subtype")
        if subtype == "message_deleted":
            self.deleted.update(_deleted_keys(raw))
            return
        changed = subtype in _EDIT_SUBTYPES and isinstance(raw.get("message"), dict)
        record = _apply_change(raw) if changed else raw
        ts = _ts(record.get("ts"))
        if ts is None:
            self.skipped += 1
        elif changed and subtype == "message_changed":
            self._add_edit(_key(ts), _key(_ts(raw.get("ts")) or ts), record)
        elif changed:
            self.replied.setdefault(_key(ts), record)
        else:
            # The same message comes twice when history and replies pages are merged.
            self.plain.setdefault(_key(ts), raw)

    def _add_edit(self, key: Decimal, at: Decimal, record: dict[str, Any]) -> None:
        # Several edits of one message: the latest (by the edit event's own ts) wins.
        if key not in self.edits or self.edits[key][0] <= at:
            self.edits[key] = (at, record)

    def merged(self) -> list[dict[str, Any]]:
        keys = sorted((self.replied.keys() | self.plain.keys() | self.edits.keys()) - self.deleted)
        # An edit event may omit reactions or files the original carries: layer it over the original.
        return [
            {**self.replied.get(k, {}), **self.plain.get(k, {}), **self.edits.get(k, (k, {}))[1]}
            for k in keys
        ]


def _deleted_keys(raw: dict[str, Any]) -> Iterator[Decimal]:
    for value in (raw.get("deleted_ts"), _dict(raw.get("previous_message")).get("ts")):
        ts = _ts(value)
        if ts is not None:
            yield _key(ts)


def _apply_change(raw: dict[str, Any]) -> dict[str, Any]:
    """message_changed: the new content under `message`, with gaps filled from `previous_message`."""
    previous = _dict(raw.get("previous_message"))
    new = {**previous, **raw["message"]}
    if previous and _first(new.get("text")) != _first(previous.get("text")):
        new.setdefault("edited", {"ts": raw.get("ts")})
    return new


def to_message(raw: dict[str, Any], ctx: SlackContext) -> Message | None:
    """One message object → `Message`; None when it has no usable ts (it cannot be cited)."""
    ts = _ts(raw.get("ts"))
    if ts is None:
        return None
    author, author_id, is_bot = _author(raw, ctx)
    return Message(
        ts=ts,
        author_id=author_id,
        author=author,
        is_bot=is_bot,
        text=_text(raw, ctx),
        thread_ts=_ts(raw.get("thread_ts")),
        subtype=_first(raw.get("subtype")),
        reactions=_reactions(raw.get("reactions")),
        files=_files(raw.get("files")),
        edited=bool(raw.get("edited")),
    )


def _author(raw: dict[str, Any], ctx: SlackContext) -> tuple[str, str | None, bool]:
    user_id = _first(raw.get("user"))
    bot_id = _first(raw.get("bot_id"))
    entry = ctx.users.get(user_id) if user_id else None
    bot_name = _first(_dict(raw.get("bot_profile")).get("name"))
    username = _first(raw.get("username"))
    app_post = bool(
        bot_id
        or bot_name
        or raw.get("app_id")
        or raw.get("subtype") == "bot_message"
        or (entry and entry.is_bot)
    )
    # A bot post shows its username override or app name in Slack; people show their profile name.
    ordered = (username, bot_name) if app_post else ()
    name = _first(
        *ordered, entry.name if entry else None, _profile_name(raw.get("user_profile")), username, bot_name
    )
    name = name or user_id or bot_id or "unknown"
    return name, user_id or bot_id, app_post or looks_like_bot(name, ctx.agent_names)


def _profile_name(profile: Any) -> str | None:
    p = _dict(profile)
    return _first(p.get("display_name"), p.get("real_name"), p.get("name"))


def _text(raw: dict[str, Any], ctx: SlackContext) -> str:
    text = resolve(raw["text"], ctx.names, ctx.channels) if isinstance(raw.get("text"), str) else ""
    if not text.strip():
        text = render_blocks(raw.get("blocks"), ctx.names)
    lines = [text] if text.strip() else []
    lines += _attachment_lines(raw.get("attachments"), ctx, "\n".join(lines))
    return "\n".join(lines)


def _attachment_lines(attachments: Any, ctx: SlackContext, text: str) -> list[str]:
    """Attachment content a reader of the channel saw, minus what the text already says.

    Integrations (PagerDuty, Datadog, Alertmanager) put the facts that matter (who was
    assigned, which pods) in attachment fields, so those are kept even when `text` is set.
    """
    lines: list[str] = []
    for att in _dicts(attachments):
        parts = [att.get("pretext"), att.get("title"), att.get("text")]
        parts += [_field_line(f) for f in _dicts(att.get("fields"))]
        found = [resolve(p, ctx.names, ctx.channels).strip() for p in parts if isinstance(p, str)]
        seen = text + "\n" + "\n".join(lines)
        new = [p for p in found if p and p not in seen]
        if not new and not text.strip() and not lines and isinstance(att.get("fallback"), str):
            new = [resolve(att["fallback"], ctx.names, ctx.channels).strip()]
        lines += [p for p in new if p]
    return lines


def _field_line(field: dict[str, Any]) -> str | None:
    title, value = _first(field.get("title")), _first(field.get("value"))
    if title and value:
        return f"{title}: {value}"
    return value or title


def _reactions(value: Any) -> list[Reaction]:
    out = []
    for r in _dicts(value):
        name = _first(r.get("name"))
        if not name:
            continue
        count = r.get("count")
        users = r.get("users")
        if not isinstance(count, int) or isinstance(count, bool):
            count = len(users) if isinstance(users, list) and users else 1
        out.append(Reaction(name=name, count=count))
    return out


def _files(value: Any) -> list[str]:
    names = (_first(f.get("name"), f.get("title"), f.get("id")) for f in _dicts(value))
    return [n for n in names if n]


def _ts(value: Any) -> str | None:
    """A Slack ts kept as written; numbers (some dumps) become the 6-digit string form."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0:
        return None
    return value.strip() if isinstance(value, str) else f"{number:.6f}"


def _key(ts: str) -> Decimal:
    return Decimal(ts)


def _first(*values: Any) -> str | None:
    """The first non-blank string among values."""
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
