"""What a `span:` or `chat:` ref points at, for the review page's evidence panel."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from tools.bundle import load_bundle
from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.model.trace import ChatMessage, Span

_SECTION_LIMIT = 20_000


class EvidenceCache:
    """A few loaded bundles (the reviewer clicks many refs of one draft), newest kept."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int], EvidenceIndex] = OrderedDict()
        self._lock = threading.Lock()

    def index(self, bundle_path: str) -> EvidenceIndex:
        path = Path(bundle_path)
        key = (str(path.resolve()), (path / "incident.json").stat().st_mtime_ns)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        index = EvidenceIndex(load_bundle(path))
        with self._lock:
            self._items[key] = index
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return index


def describe(index: EvidenceIndex, ref: str) -> dict[str, Any] | None:
    if ref.startswith("span:"):
        span = index.span(ref)
        return _span(span) if span else None
    if ref.startswith("chat:"):
        msg = index.message(ref)
        return _message(index, msg) if msg else None
    return None


def _clip(text: str) -> str:
    return text if len(text) <= _SECTION_LIMIT else text[:_SECTION_LIMIT] + "\n… (clipped)"


def _span(span: Span) -> dict[str, Any]:
    sections: list[dict[str, str]] = []
    if span.input_messages:
        sections.append({"label": "input messages", "text": _clip("\n\n".join(_turn(m) for m in span.input_messages))})
    if span.input_text:
        sections.append({"label": "input", "text": _clip(span.input_text)})
    if span.tool_args:
        sections.append({"label": f"tool call {span.tool_name or ''}".strip(), "text": _clip(span.tool_args)})
    output = span.recorded_output()
    if output:
        sections.append({"label": "recorded output", "text": _clip(output)})
    if span.error:
        sections.append({"label": "error", "text": _clip(span.error)})
    meta = {
        "kind": span.kind, "name": span.name, "agent": span.agent, "model": span.model,
        "start": span.start.isoformat() if span.start else None, "end": span.end.isoformat() if span.end else None,
        "status": span.status, "trace": span.trace_id,
        "file": Path(span.source_file).name if span.source_file else None,
    }
    title = f"{span.kind} span {span.name}".strip()
    return {"ref": span.ref, "type": "span", "title": title, "meta": _compact(meta), "sections": sections}


def _turn(m: ChatMessage) -> str:
    calls = " ".join(f"→ {c.name}({c.arguments})" for c in m.tool_calls)
    return f"[{m.role}{f' {m.name}' if m.name else ''}] {m.content} {calls}".strip()


def _message(index: EvidenceIndex, msg: Message) -> dict[str, Any]:
    sections = [{"label": "message", "text": _clip(msg.text)}]
    root = msg.thread_ts
    if root:
        thread = [m for m in index.messages if m.thread_ts == root and m.ts != msg.ts]
        if thread:
            sections.append({"label": "thread", "text": _clip("\n".join(
                f"{m.time.strftime('%H:%M:%S')} {m.author}: {m.text}" for m in thread[:30]))})
    meta = {"author": msg.author, "time": msg.time.isoformat(), "bot": msg.is_bot or None,
            "thread": msg.thread_ts if msg.is_reply else None}
    return {"ref": msg.ref, "type": "chat", "title": f"{msg.author} at {msg.time.strftime('%Y-%m-%d %H:%M:%S UTC')}",
            "meta": _compact(meta), "sections": sections}


def _compact(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v not in (None, "")}
