"""One index over a bundle's spans and messages, with stable refs and the agent's view of the world.

Refs are `span:<span_id>` and `chat:<ts>`. The index answers the questions every node asks:
which spans are the agent's LLM calls, what the agent had seen before a given call (its input
messages, the tool outputs and retrieved documents it was fed — not HTTP/DB child spans it never
read), which humans spoke and when, and where a term occurs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from tools.model.chat import Message, ts_to_ns
from tools.model.incident import Bundle
from tools.model.trace import Span
from tools.text.tokens import contains_term, norm_term, norm_text

# Span kinds whose content reaches the agent: its own LLM inputs, tool results, retrieved docs.
AGENT_VISIBLE_KINDS = frozenset({"llm", "tool", "retrieval", "handoff", "agent"})


@dataclass
class ContextPiece:
    ref: str
    source: str  # "input" (LLM input messages), "tool:<name>", "retrieval:<name>"
    text: str
    time_ns: int | None


@dataclass
class EvidenceIndex:
    bundle: Bundle
    spans: list[Span] = field(init=False)
    messages: list[Message] = field(init=False)

    def __post_init__(self) -> None:
        self.spans = self.bundle.spans()
        self.messages = list(self.bundle.chat.messages) if self.bundle.chat else []
        self.by_id: dict[str, Span] = {s.span_id: s for s in self.spans}
        self.children: dict[str, list[Span]] = defaultdict(list)
        for s in self.spans:
            if s.parent_id:
                self.children[s.parent_id].append(s)
        self.by_ts: dict[str, Message] = {m.ts: m for m in self.messages}
        self._norm_cache: dict[str, str] = {}
        self._ctx_text: dict[str, str] = {}

    # ---- lookups -------------------------------------------------------------------------
    def span(self, ref_or_id: str) -> Span | None:
        return self.by_id.get(ref_or_id.removeprefix("span:"))

    def message(self, ref_or_ts: str) -> Message | None:
        return self.by_ts.get(ref_or_ts.removeprefix("chat:"))

    def has_ref(self, ref: str) -> bool:
        if ref.startswith("span:"):
            return ref[5:] in self.by_id
        if ref.startswith("chat:"):
            return ref[5:] in self.by_ts
        return False

    @cached_property
    def llm_spans(self) -> list[Span]:
        return [s for s in self.spans if s.kind == "llm"]

    @cached_property
    def human_messages(self) -> list[Message]:
        agent_names = {a.lower() for a in self.agent_names}
        return [
            m for m in self.messages
            if not m.is_bot and m.author.lower() not in agent_names and m.subtype not in _SYSTEM_SUBTYPES
        ]

    @cached_property
    def agent_names(self) -> list[str]:
        names = list(self.bundle.meta.agents)
        for s in self.spans:
            for cand in (s.agent, s.service):
                if cand and cand not in names:
                    names.append(cand)
        return names

    def descendants(self, span: Span) -> list[Span]:
        out: list[Span] = []
        stack = list(self.children.get(span.span_id, []))
        while stack:
            s = stack.pop()
            out.append(s)
            stack.extend(self.children.get(s.span_id, []))
        return out

    def ancestors(self, span: Span) -> list[Span]:
        out: list[Span] = []
        seen: set[str] = set()
        cur = self.by_id.get(span.parent_id) if span.parent_id else None
        while cur is not None and cur.span_id not in seen:
            seen.add(cur.span_id)
            out.append(cur)
            cur = self.by_id.get(cur.parent_id) if cur.parent_id else None
        return out

    @cached_property
    def _tool_ends(self) -> dict[str, tuple[list[int], list[Span]]]:
        per_trace: dict[str, list[Span]] = defaultdict(list)
        for s in self.spans:
            if s.kind == "tool" and s.end_ns is not None:
                per_trace[s.trace_id].append(s)
        out: dict[str, tuple[list[int], list[Span]]] = {}
        for trace_id, tools in per_trace.items():
            tools.sort(key=lambda t: t.end_ns or 0)
            out[trace_id] = ([t.end_ns or 0 for t in tools], tools)
        return out

    def last_tool_before(self, span: Span) -> Span | None:
        """The tool span of the same trace that finished last before `span` started."""
        if span.start_ns is None or span.trace_id not in self._tool_ends:
            return None
        ends, tools = self._tool_ends[span.trace_id]
        i = bisect_right(ends, span.start_ns)
        return tools[i - 1] if i else None

    # ---- the agent's view ----------------------------------------------------------------
    def agent_context(self, decision: Span) -> list[ContextPiece]:
        """What the agent had seen when it produced `decision`.

        Its own input messages, plus the recorded output of every tool/retrieval span of the
        same trace that finished before the decision started. Spans the agent never reads
        (HTTP/DB clients, guardrail internals) are not context, even when they hold the answer.
        """
        pieces: list[ContextPiece] = []
        if decision.input_messages:
            text = "\n".join(m.content for m in decision.input_messages if m.content)
            pieces.append(ContextPiece(decision.ref, "input", text, decision.start_ns))
        if decision.input_text:
            pieces.append(ContextPiece(decision.ref, "input", decision.input_text, decision.start_ns))
        start = decision.start_ns
        for s in self.spans:
            if s is decision or s.trace_id != decision.trace_id:
                continue
            if start is not None and (s.end_ns or s.start_ns or 0) > start:
                continue
            if s.kind in ("tool", "retrieval") and not self._under_non_agent_kind(s):
                out = s.recorded_output()
                if out:
                    pieces.append(ContextPiece(s.ref, f"{s.kind}:{s.tool_name or s.name}", out, s.end_ns))
            elif s.kind == "llm" and s.input_messages:
                text = "\n".join(m.content for m in s.input_messages if m.content)
                pieces.append(ContextPiece(s.ref, "input", text, s.start_ns))
        return pieces

    def _under_non_agent_kind(self, span: Span) -> bool:
        # A "retrieval" nested under a guardrail is the guardrail's business, not the agent's.
        return any(a.kind == "guardrail" for a in self.ancestors(span))

    # ---- search ---------------------------------------------------------------------------
    def norm(self, key: str, text: str) -> str:
        cached = self._norm_cache.get(key)
        if cached is None:
            cached = norm_text(text)
            self._norm_cache[key] = cached
        return cached

    def find_in_context(self, term: str, context: list[ContextPiece]) -> list[str]:
        t = norm_term(term)
        if not t:
            return []
        # Normalizing only blanks characters out of the lowercased text, so wherever the term
        # matches, each of its words is verbatim in the lowercased text: a piece lacking one
        # cannot match and is not normalized (the context can be tens of MB; the lowercased
        # copies are not kept, they would add as much to the peak memory).
        needles = sorted(set(t.split(" ")), key=len, reverse=True)
        hits: list[str] = []
        for piece in context:
            key = f"ctx:{piece.ref}:{piece.source}:{len(piece.text)}"
            # The text normalized under this key is the first one seen with it, as always.
            text = self._ctx_text.setdefault(key, piece.text)
            if key not in self._norm_cache:
                low = text.lower()
                if any(w not in low for w in needles):
                    continue
            if contains_term(self.norm(key, text), term) and piece.ref not in hits:
                hits.append(piece.ref)
        return hits

    # ---- time ------------------------------------------------------------------------------
    @staticmethod
    def message_ns(m: Message) -> int:
        return ts_to_ns(m.ts)

    def messages_after(self, ns: int | None) -> list[Message]:
        if ns is None:
            return list(self.messages)
        return [m for m in self.messages if self.message_ns(m) >= ns]


_SYSTEM_SUBTYPES = frozenset({"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name"})
