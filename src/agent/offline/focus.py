"""The concrete things the remedies talk about: which tool, which source, which action, which signal.

Context changes and action items must name real targets ("queue_diagnostics", "policy-kb",
"run_recovery"), never "the prompt". This module picks them from the trace and the channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.draft import MissedSignal, RootCause
from tools.evidence.index import EvidenceIndex
from tools.model.trace import Span
from tools.text.actions import classify_tool


@dataclass
class Focus:
    decision: Span | None
    action_tool: str | None  # the consequential tool the decision called
    signal: MissedSignal | None
    tool: str | None  # the tool that should have carried the signal / swallowed the error
    source: str | None  # the data source (index, doc, map) the agent read
    agent: str | None


def focus(index: EvidenceIndex, decision: Span | None, signals: list[MissedSignal], rc: RootCause) -> Focus:
    return Focus(
        decision=decision,
        action_tool=_action_tool(decision),
        signal=signals[0] if signals else None,
        tool=_tool(index, decision, signals, rc),
        source=_source(index, decision) or _data_behind(index, decision, signals),
        agent=(decision.agent if decision else None) or (index.agent_names[0] if index.agent_names else None),
    )


def _action_tool(decision: Span | None) -> str | None:
    if decision is None:
        return None
    for call in decision.output_tool_calls:
        if classify_tool(call.name) in ("act", "handoff"):
            return call.name
    return decision.output_tool_calls[0].name if decision.output_tool_calls else None


def _tool(index: EvidenceIndex, decision: Span | None, signals: list[MissedSignal], rc: RootCause) -> str | None:
    tool_names = {s.tool_name or s.name for s in index.spans if s.kind == "tool"}
    # 1. a tool the root-cause evidence cites (e.g. one that swallowed an error)
    for c in rc.contributions:
        if c.category == "tool":
            for ref in c.evidence:
                span = index.span(ref)
                if span is not None and span.kind == "tool":
                    return span.tool_name or span.name
            for name in sorted(tool_names, key=len, reverse=True):
                if name and name in c.rationale:
                    return name
    # 2. a tool named next to the missed signal
    for sig in signals[:1]:
        for name in sorted(tool_names, key=len, reverse=True):
            if name and (name in sig.description or (sig.source and name in sig.source)):
                return name
    # 3. the last read-type tool the agent called before deciding
    if decision is not None:
        reads = [
            s for s in index.spans
            if s.kind == "tool" and s.trace_id == decision.trace_id and (s.end_ns or 0) <= (decision.start_ns or 0)
            and classify_tool(s.tool_name or s.name) != "act"
        ]
        if reads:
            return reads[-1].tool_name or reads[-1].name
    return None


def _data_behind(index: EvidenceIndex, decision: Span | None, signals: list[MissedSignal]) -> str | None:
    """Without a retrieval step, the data the agent read came through a tool: the one whose output
    carried the signal, else its last read tool."""
    if decision is None:
        return None
    for sig in signals:
        for ref in sig.context_refs:
            span = index.span(ref)
            if span is not None and span.kind == "tool":
                return f"the data behind {span.tool_name or span.name}"
            if span is not None and span.kind == "llm":
                tool = _tool_message_with(span, sig.name)
                if tool:
                    return f"the data behind {tool}"
    reads = [
        s for s in index.spans
        if s.kind == "tool" and s.trace_id == decision.trace_id and (s.end_ns or 0) <= (decision.start_ns or 0)
        and classify_tool(s.tool_name or s.name) == "read"
    ]
    return f"the data behind {reads[-1].tool_name or reads[-1].name}" if reads else None


def _source(index: EvidenceIndex, decision: Span | None) -> str | None:
    """The retrieval source (or document) the agent read before the decision."""
    spans = [s for s in index.spans if s.kind == "retrieval"]
    if decision is not None and decision.start_ns is not None:
        spans = [s for s in spans if (s.end_ns or 0) <= decision.start_ns] or spans
    if not spans:
        return None
    last = spans[-1]
    for key in ("gen_ai.data_source.id", "data_source", "index", "collection"):
        value = last.attributes.get(key)
        if isinstance(value, str) and value:
            return value
    docs = [d.id for d in last.documents if d.id]
    if docs:
        return f"{last.name} ({', '.join(docs[:2])})"
    return last.name


def _tool_message_with(span: Span, term: str) -> str | None:
    """The tool whose result, fed back in the LLM's input messages, contains the term."""
    calls = {c.id: c.name for m in span.input_messages for c in m.tool_calls if c.id}
    low = term.lower()
    for m in span.input_messages:
        if m.role == "tool" and low in m.content.lower():
            return m.name or calls.get(m.tool_call_id or "") or None
    return None
