"""Load an incident bundle (spec/bundle.md §1): incident.json, traces/, chat/, postmortem.md, expected.json.

Only `incident.json` with an `id` is required. Anything else missing becomes a warning that the
draft repeats ("no chat export: correct inference not established from the channel"), never an
invented value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tools.chat import load_chat
from tools.errors import BadInput
from tools.gcpause import paused_gc
from tools.jsonio import decode, load_json, read_bytes
from tools.model.incident import OPTIONAL_META_FIELDS, Bundle, IncidentMeta
from tools.traces import load_traces

Progress = Callable[[str, int, int], None]

_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "README.md", "README.txt"}


def load_bundle(path: str | Path, progress: Progress | None = None) -> Bundle:
    # Every reader's output is long-lived and acyclic: see tools.gcpause.
    with paused_gc():
        return _load_bundle(Path(path), progress)


def _load_bundle(root: Path, progress: Progress | None) -> Bundle:
    if not root.exists():
        raise BadInput(root, "no such incident bundle (expected a directory with incident.json)")
    if not root.is_dir():
        raise BadInput(root, "not a directory; an incident bundle is a folder with incident.json, traces/, chat/")
    meta = load_meta(root / "incident.json")
    warnings: list[str] = []
    traces = load_trace_dir(root / "traces", warnings, progress)
    chat = None
    chat_dir = root / "chat"
    if chat_dir.is_dir() and any(_visible(chat_dir)):
        chat = load_chat(chat_dir, date_hint=_parse_time(meta.opened_at), agent_names=meta.agents)
        if chat.channel is None:
            chat.channel = meta.channel
        warnings.extend(chat.warnings)
    else:
        warnings.append("no chat export (chat/ missing or empty): the correct inference cannot be taken from the channel")
    postmortem = None
    pm = root / "postmortem.md"
    if pm.is_file():
        postmortem = decode(pm, read_bytes(pm))
    expected = None
    exp = root / "expected.json"
    if exp.is_file():
        expected = load_json(exp)
        if not isinstance(expected, dict):
            raise BadInput(exp, "expected.json must be a JSON object of labels")
    if meta.missing:
        warnings.append("incident.json lacks: " + ", ".join(meta.missing))
    return Bundle(
        path=str(root), meta=meta, traces=traces, chat=chat, postmortem=postmortem, expected=expected,
        warnings=warnings,
    )


def load_meta(path: Path) -> IncidentMeta:
    if not path.is_file():
        raise BadInput(path, "missing incident.json (required; it needs at least an \"id\")")
    raw = load_json(path)
    if not isinstance(raw, dict):
        raise BadInput(path, "incident.json must be a JSON object")
    ident = raw.get("id")
    if not isinstance(ident, str | int) or not str(ident).strip():
        raise BadInput(path, "incident.json has no \"id\" (the one required field)")
    fields: dict[str, Any] = {"id": str(ident).strip()}
    missing: list[str] = []
    for key in OPTIONAL_META_FIELDS:
        value = raw.get(key)
        if value in (None, "", []):
            missing.append(key)
            continue
        if key in ("services", "agents"):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise BadInput(path, f"\"{key}\" must be a list of names")
            value = [str(v) for v in value]
        elif not isinstance(value, str):
            value = str(value)
        fields[key] = value
    extra = {k: v for k, v in raw.items() if k not in fields and k not in OPTIONAL_META_FIELDS}
    return IncidentMeta(**fields, extra=extra, missing=missing)


def load_trace_dir(path: Path, warnings: list[str], progress: Progress | None) -> list:
    if not path.is_dir():
        warnings.append("no traces/ folder: the agent's inferences cannot be quoted")
        return []
    files = sorted(p for p in _visible(path) if p.is_file())
    if not files:
        warnings.append("traces/ is empty: the agent's inferences cannot be quoted")
        return []
    traces = load_traces(files, progress)
    for t in traces:
        warnings.extend(f"{Path(t.source_file).name}: {w}" for w in t.warnings)
    if traces and not any(t.spans for t in traces):
        warnings.append("the trace files hold no spans")
    return traces


def _visible(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in _IGNORED_NAMES]


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
