"""Chat readers: an incident channel in any supported form → `ChatLog`.

`load_chat` takes a bundle's `chat/` folder or one file and decides the form from content
(spec/bundle.md §1, spec/formats.md §8): a Slack export channel folder, a saved
`conversations.history` / `.replies` response, a bare JSON array of message objects, or a
plain-text transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tools.chat import slack_export, transcript
from tools.chat.detect import ChatFile, classify_file
from tools.errors import BadInput
from tools.model.chat import ChatLog

__all__ = ["CHAT_FORMATS", "describe_formats", "load_chat"]

CHAT_FORMATS: tuple[str, ...] = (
    "a Slack export channel folder (YYYY-MM-DD.json day files, users.json beside or one level up)",
    'a conversations.history/replies JSON ({"messages": [...]} or a list of such pages)',
    "a JSON array of Slack message objects",
    'a "[HH:MM] name: text" transcript',
)

# Left behind by archivers and file managers; never chat.
_IGNORED_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})


def describe_formats() -> str:
    """The supported forms, for error messages."""
    return "expected " + "; or ".join(CHAT_FORMATS)


def load_chat(path: Path, *, date_hint: datetime | None = None, agent_names: Sequence[str] = ()) -> ChatLog:
    """Read an incident channel.

    `date_hint` (the incident's opened_at) dates transcript lines, which carry only a time;
    `agent_names` marks the incident's AI agents as bots wherever they post.
    """
    path = Path(path)
    agents = tuple(agent_names)
    if path.is_dir():
        return _load_folder(path, date_hint, agents)
    if path.is_file():
        return _load_file(path, date_hint, agents)
    raise BadInput(path, "no such file or folder")


def _load_file(path: Path, date_hint: datetime | None, agents: tuple[str, ...]) -> ChatLog:
    item = classify_file(path)
    if item.problem is not None:
        raise item.problem
    near: list[ChatFile] = []
    warnings: list[str] = []
    if item.kind in ("messages", "history"):
        # A day file copied out on its own still has its directory beside it or one level up.
        for folder in (path.parent, path.parent.parent):
            found, problems = slack_export.files_by_export_name(folder)
            near += [f for f in found if f.path != path]
            warnings += problems
    chat = _from_items(path, [item], near, date_hint, agents, warnings)
    if chat is None:
        raise _nothing_found(path, [item], folder=False)
    return chat


def _load_folder(folder: Path, date_hint: datetime | None, agents: tuple[str, ...]) -> ChatLog:
    files, subdirs = _children(folder)
    if not files and not subdirs:
        raise BadInput(folder, f"folder is empty; {describe_formats()}")
    items = [classify_file(f) for f in files]
    near, warnings = slack_export.files_by_export_name(folder.parent)
    chat = _from_items(folder, items, near, date_hint, agents, warnings + _skipped(items))
    if chat is not None:
        return chat
    chat = _from_channel_folder(folder, subdirs, items, agents)
    if chat is not None:
        return chat
    raise _nothing_found(folder, items, folder=True)


def _from_items(
    source: Path,
    items: list[ChatFile],
    near: list[ChatFile],
    date_hint: datetime | None,
    agents: tuple[str, ...],
    warnings: list[str],
) -> ChatLog | None:
    slack = [i for i in items if i.kind in ("messages", "history")]
    transcripts = [i for i in items if i.kind == "transcript"]
    if slack:
        if transcripts:
            warnings = [
                *warnings,
                *(f"{i.path.name}: transcript ignored next to Slack data" for i in transcripts),
            ]
        return slack_export.load_slack(source, items, near=near, agent_names=agents, warnings=warnings)
    if transcripts:
        texts = [(i.path, i.text or "") for i in transcripts]
        return transcript.load_transcripts(
            source, texts, date_hint=date_hint, agent_names=agents, warnings=warnings
        )
    return None


def _from_channel_folder(
    root: Path, subdirs: list[Path], root_items: list[ChatFile], agents: tuple[str, ...]
) -> ChatLog | None:
    """A whole export was given: its channel folder(s) below, users.json/channels.json at the root."""
    channels: list[tuple[Path, list[ChatFile]]] = []
    for sub in subdirs:
        files, _ = _children(sub)
        items = [classify_file(f) for f in files]
        if any(i.kind == "messages" for i in items):
            channels.append((sub, items))
    if len(channels) > 1:
        names = ", ".join(sub.name for sub, _ in channels)
        raise BadInput(
            root, f"Slack export holds {len(channels)} channels ({names}); point at one channel folder"
        )
    if not channels:
        return None
    sub, items = channels[0]
    near = [i for i in root_items if i.kind in ("users", "channels")]
    return slack_export.load_slack(sub, items, near=near, agent_names=agents, warnings=_skipped(items))


def _children(folder: Path) -> tuple[list[Path], list[Path]]:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise BadInput(folder, f"cannot read folder ({exc.strerror or exc})") from None
    visible = [e for e in entries if not e.name.startswith(".") and e.name not in _IGNORED_NAMES]
    return [e for e in visible if e.is_file()], [e for e in visible if e.is_dir()]


def _skipped(items: list[ChatFile]) -> list[str]:
    """Warnings for files that hold no chat (kept quiet for the user directory and channel list)."""
    out = []
    for item in items:
        if item.kind in ("other", "empty", "unreadable") and item.path.name.lower().startswith("readme"):
            continue  # a note left for humans next to the export
        if item.kind == "unreadable" and item.problem is not None:
            out.append(f"{item.path.name}: skipped ({item.problem.problem})")
        elif item.kind in ("other", "empty"):
            out.append(
                f"{item.path.name}: skipped (not a chat: {'empty' if item.kind == 'empty' else 'unknown content'})"
            )
    return out


def _nothing_found(path: Path, items: list[ChatFile], *, folder: bool) -> BadInput:
    if len(items) == 1 and items[0].problem is not None:
        return items[0].problem
    if not folder:
        return BadInput(path, f"{_what_it_is(items[0])}; {describe_formats()}")
    found = (
        ", ".join(f"{i.path.name}: {_what_it_is(i)}" for i in items) or "only subfolders without day files"
    )
    return BadInput(path, f"no day files or other chat in folder ({found}); {describe_formats()}")


def _what_it_is(item: ChatFile) -> str:
    if item.problem is not None:
        return item.problem.problem
    if item.kind == "empty":
        return "JSON holds no messages (empty array)" if item.data is not None else "file is empty"
    if item.kind == "users":
        return "this is a Slack user directory, not a chat"
    if item.kind == "channels":
        return "this is a Slack channel list, not a chat"
    if item.data is not None or item.text is None:
        return "JSON is not a chat (no Slack message objects or messages list)"
    return 'not a transcript: no "[HH:MM] name: text" lines'
