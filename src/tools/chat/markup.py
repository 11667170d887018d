"""Slack markup → plain text.

Slack stores message text with angle-bracket tokens (`<@U123>`, `<#C1|name>`, `<!here>`,
`<https://x|label>`) and escapes exactly three characters (`&amp;`, `&lt;`, `&gt;`). A literal
`<` typed by a person is always stored escaped, so every raw `<…>` is a token; a token we do
not understand is left as typed rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN_RE = re.compile(r"<([^<>]+)>")
_URL_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_ENTITY_RE = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone", "group"})


def unescape(text: str) -> str:
    """Undo Slack's escaping. Only its three entities: anything else was typed by a person."""
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


def resolve(text: str, users: Mapping[str, str], channels: Mapping[str, str] | None = None) -> str:
    """Plain text for a Slack `text` field; unknown user ids stay visible as `@U123`."""
    out: list[str] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        rendered = _render_token(match.group(1), users, channels or {})
        if rendered is None:
            continue
        out.append(unescape(text[pos : match.start()]))
        out.append(rendered)
        pos = match.end()
    out.append(unescape(text[pos:]))
    return "".join(out)


def _render_token(inner: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str | None:
    target, _, label = inner.partition("|")
    label = unescape(label.strip())
    if target.startswith("@"):
        return mention(target[1:], users, label)
    if target.startswith("#"):
        return "#" + (channels.get(target[1:]) or label.lstrip("#") or target[1:])
    if target.startswith("!"):
        return _special(target[1:], label)
    if _URL_SCHEME_RE.match(target):
        return _link(unescape(target), label)
    return None


def mention(user_id: str, users: Mapping[str, str], label: str = "") -> str:
    # The directory beats the label: the label is the name at posting time, and the same
    # person should read the same everywhere in the draft.
    return "@" + (users.get(user_id) or label.lstrip("@") or user_id)


def _special(command: str, label: str) -> str:
    name, _, arg = command.partition("^")
    if name in _SPECIAL_MENTIONS:
        return "@" + name
    if name == "subteam":
        return label if label.startswith("@") else "@" + (label or arg.split("^")[0] or name)
    if name == "date":
        return label or arg.split("^")[0]
    return label or "@" + name


def _link(url: str, label: str) -> str:
    bare = re.sub(r"^(?:mailto:|tel:|https?://)", "", url)
    if not label:
        # An auto-linked address reads as typed, without the scheme Slack added.
        return bare if url.startswith(("mailto:", "tel:")) else url
    if label in (url, bare):
        return label
    # Keep the address: a postmortem cites the runbook or dashboard, not just its title.
    return f"{label} ({url})"


def render_blocks(blocks: Any, users: Mapping[str, str]) -> str:
    """Plain text of Block Kit content; used only when a message has no `text`."""
    if not isinstance(blocks, list):
        return ""
    parts = [_block_text(block, users) for block in blocks if isinstance(block, dict)]
    return "\n".join(p for p in parts if p)


def _block_text(block: dict[str, Any], users: Mapping[str, str]) -> str:
    kind = block.get("type")
    if kind == "rich_text":
        return "\n".join(_rich_container(el, users) for el in _dicts(block.get("elements")))
    texts = [_text_object(block.get("text"), users)]
    texts += [_text_object(field, users) for field in _dicts(block.get("fields"))]
    if kind == "context":
        texts += [_text_object(el, users) for el in _dicts(block.get("elements"))]
    return "\n".join(t for t in texts if t)


def _text_object(obj: Any, users: Mapping[str, str]) -> str:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return ""
    return resolve(obj["text"], users) if obj.get("type") == "mrkdwn" else obj["text"]


def _rich_container(container: dict[str, Any], users: Mapping[str, str]) -> str:
    kind = container.get("type")
    if kind == "rich_text_list":
        return "\n".join("- " + _rich_container(item, users) for item in _dicts(container.get("elements")))
    text = "".join(_rich_element(el, users) for el in _dicts(container.get("elements")))
    if kind == "rich_text_quote":
        return "\n".join("> " + line for line in text.split("\n"))
    return text


def _rich_element(el: dict[str, Any], users: Mapping[str, str]) -> str:
    kind = el.get("type")
    if kind == "text":
        return _str(el.get("text"))
    if kind == "link":
        return _link(_str(el.get("url")), _str(el.get("text")))
    if kind == "user":
        return mention(_str(el.get("user_id")), users)
    if kind == "channel":
        return "#" + _str(el.get("channel_id"))
    if kind == "usergroup":
        return "@" + _str(el.get("usergroup_id"))
    if kind == "broadcast":
        return "@" + _str(el.get("range"))
    if kind == "emoji":
        return f":{_str(el.get('name'))}:"
    if kind == "date":
        return _str(el.get("fallback")) or _str(el.get("timestamp"))
    return _str(el.get("text"))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
