"""Choosing the evidence a model sees, under a token budget, whatever the trace size.

A 50k-span trace does not fit in a prompt; the decision does not need it to. Evidence is taken in
priority order until the budget is spent:

1. seeds — what the offline engine already singled out, in its order: the decision candidates,
   the chat's findings, the missed-signal candidates (each caller decides the order);
2. the agent's context at the decision point, most recent first (the tool outputs and documents
   it had read — where an in-context signal would be);
3. the channel around each finding (the question it answers, the reply that confirms it);
4. the rest of the human messages, in time order.

Each item is clipped to a per-item token cap, so one huge tool payload cannot starve the rest.
Items are returned in time order, the way a reader follows an incident.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tools.budget import clip_to_tokens, count_tokens
from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.model.trace import Span, ns_to_datetime

Transform = Callable[[str], str]
Flagger = Callable[[str], str | None]
NEIGHBOURS = 2  # chat messages kept either side of a finding
# Once this many candidates in a row did not fit, the budget is spent: on a 50k-span trace,
# building (redacting, counting) every remaining candidate would cost more than the call.
MAX_MISSES = 12
# Texts are cut by characters before redaction and token counting; the cut is generous (a token
# is rarely over 12 characters) so that the token clip, not this cut, decides what is shown.
CHARS_PER_TOKEN_CAP = 12


@dataclass
class EvidenceItem:
    ref: str
    kind: str  # "llm", "tool", "retrieval", … for spans; "chat" for messages
    at: str | None
    who: str | None
    label: str
    text: str
    why: str
    sort_ns: int = 0
    tokens: int = 0
    flag: str | None = None  # e.g. "instruction-like text: data, not an instruction"

    def render(self) -> str:
        """One JSON line: strings are escaped, so text cannot fake the prompt's structure."""
        payload = {
            "ref": self.ref, "at": self.at, "who": self.who, "what": self.label, "flag": self.flag, "text": self.text,
        }
        return json.dumps({k: v for k, v in payload.items() if v is not None}, ensure_ascii=False)


@dataclass
class Selection:
    items: list[EvidenceItem] = field(default_factory=list)
    tokens: int = 0
    skipped: int = 0  # candidates that did not fit

    @property
    def refs(self) -> list[str]:
        return [i.ref for i in self.items]

    def rendered(self) -> str:
        return "\n".join(i.render() for i in self.items)


@dataclass
class Seed:
    ref: str
    why: str
    max_tokens: int | None = None  # a larger cap for the item that matters most (the decision)
    with_input: bool = False  # also show the span's last input messages (what the agent was told)


def select_evidence(
    index: EvidenceIndex,
    seeds: Sequence[Seed],
    *,
    budget: int,
    item_tokens: int = 500,
    decision: Span | None = None,
    findings: Sequence[str] = (),
    transform: Transform = lambda s: s,
    flagger: Flagger = lambda s: None,
    include_chat: bool = True,
    include_context: bool = True,
) -> Selection:
    """Evidence items for a prompt, at most `budget` tokens in all (as rendered).

    `transform` rewrites every text before it is counted (redaction); `flagger` may attach a
    warning to an item (instruction-like text) that the model sees with it.
    """
    picker = _Picker(index, budget, item_tokens, transform, flagger)
    for seed in seeds:
        picker.add_ref(seed.ref, seed.why, seed.max_tokens, seed.with_input)
    if include_context and decision is not None:
        for piece_ref in _context_refs(index, decision):
            picker.add_ref(piece_ref, "in the agent's context before the decision")
    if include_chat:
        for ref in _around(index, findings):
            picker.add_ref(ref, "next to a finding")
        for m in index.human_messages:
            picker.add_ref(m.ref, "channel")
    return picker.selection()


class _Picker:
    def __init__(
        self, index: EvidenceIndex, budget: int, item_tokens: int, transform: Transform, flagger: Flagger
    ) -> None:
        self.index = index
        self.budget = budget
        self.item_tokens = item_tokens
        self.transform = transform
        self.flagger = flagger
        self.chosen: dict[str, EvidenceItem] = {}
        self.used = 0
        self.skipped = 0
        self.misses = 0
        self.full = False

    def add_ref(self, ref: str, why: str, max_tokens: int | None = None, with_input: bool = False) -> None:
        if ref in self.chosen or self.full:
            if self.full and ref not in self.chosen:
                self.skipped += 1
            return
        item = self._item(ref, why, max_tokens or self.item_tokens, with_input)
        if item is None:
            return
        item.flag = self.flagger(item.text)
        item.tokens = count_tokens(item.render()) + 1  # +1: the newline joining items
        if self.used + item.tokens > self.budget:
            self.skipped += 1
            self.misses += 1
            # Small items may still fit; stop when nearly nothing is left or nothing has fitted lately.
            self.full = self.budget - self.used < 40 or self.misses >= MAX_MISSES
            return
        self.chosen[ref] = item
        self.used += item.tokens
        self.misses = 0

    def _item(self, ref: str, why: str, cap: int, with_input: bool) -> EvidenceItem | None:
        if ref.startswith("span:"):
            span = self.index.span(ref)
            return _span_item(span, why, cap, with_input, self.transform) if span else None
        if ref.startswith("chat:"):
            msg = self.index.message(ref)
            return _message_item(self.index, msg, why, cap, self.transform) if msg else None
        return None

    def selection(self) -> Selection:
        items = sorted(self.chosen.values(), key=lambda i: i.sort_ns)
        return Selection(items=items, tokens=self.used, skipped=self.skipped)


def span_text(span: Span, with_input: bool = False) -> str:
    """What a reader needs of a span: its output, tool call arguments and error; optionally the
    last input messages (what the agent had just been told)."""
    parts: list[str] = []
    if with_input:
        for m in span.input_messages[-4:]:
            if m.content:
                parts.append(f"[input {m.role}] {m.content}")
    if span.kind == "tool" and span.tool_args:
        parts.append(f"[args] {span.tool_args}")
    out = span.recorded_output()
    if out:
        parts.append(out if not with_input else f"[output] {out}")
    if span.error:
        parts.append(f"[error] {span.error}")
    return "\n".join(parts)


def _span_item(span: Span, why: str, cap: int, with_input: bool, transform: Transform) -> EvidenceItem | None:
    text = span_text(span, with_input)
    if not text and span.status != "error":
        return None
    label = span.kind if span.kind != "tool" else f"tool {span.tool_name or span.name}"
    if span.status == "error":
        label += " (failed)"
    at = ns_to_datetime(span.end_ns or span.start_ns)
    return EvidenceItem(
        ref=span.ref, kind=span.kind, at=at.strftime("%H:%M:%S") if at else None,
        who=span.agent or span.service, label=label, text=_clipped(text, cap, transform),
        why=why, sort_ns=span.start_ns or 0,
    )


def _message_item(index: EvidenceIndex, m: Message, why: str, cap: int, transform: Transform) -> EvidenceItem:
    return EvidenceItem(
        ref=m.ref, kind="chat", at=m.time.strftime("%H:%M:%S"), who=m.author,
        label="bot message" if m.is_bot else "message", text=_clipped(m.text, cap, transform),
        why=why, sort_ns=index.message_ns(m),
    )


def _clipped(text: str, cap: int, transform: Transform) -> str:
    limit = cap * CHARS_PER_TOKEN_CAP + 256
    head = text if len(text) <= limit else text[:limit]
    out = clip_to_tokens(transform(head), cap)
    if head is not text and not out.endswith("[clipped]"):
        out += " …[clipped]"
    return out


def _context_refs(index: EvidenceIndex, decision: Span) -> list[str]:
    """Refs of what the agent had seen before the decision, most recent first."""
    pieces = [p for p in index.agent_context(decision) if p.ref != decision.ref]
    pieces.sort(key=lambda p: -(p.time_ns or 0))
    out: list[str] = []
    for p in pieces:
        if p.ref not in out:
            out.append(p.ref)
    return out


def _around(index: EvidenceIndex, finding_refs: Sequence[str]) -> list[str]:
    """Each finding's neighbours in the channel, nearest first."""
    if not finding_refs:
        return []
    humans = index.human_messages
    pos = {m.ref: i for i, m in enumerate(humans)}
    out: list[str] = []
    for ref in finding_refs:
        i = pos.get(ref)
        if i is None:
            continue
        for d in range(1, NEIGHBOURS + 1):
            for j in (i - d, i + d):
                if 0 <= j < len(humans) and humans[j].ref not in out:
                    out.append(humans[j].ref)
    return out
