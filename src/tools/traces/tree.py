"""Shared post-processing for every reader: order spans and inherit the agent name down the tree."""

from __future__ import annotations

from tools.model.trace import Span


def finalize(spans: list[Span]) -> list[Span]:
    """Sort by start time and give each span the name of the agent it runs under.

    The agent is the nearest ancestor (or the span itself) that names one; failing that, the
    service that emitted the span. Readers set `agent` only where the format records it.
    """
    by_id = {s.span_id: s for s in spans}
    resolved: dict[str, str | None] = {}

    def agent_of(span: Span) -> str | None:
        chain: list[Span] = []
        cur: Span | None = span
        found: str | None = None
        seen: set[str] = set()
        while cur is not None and cur.span_id not in seen:
            if cur.span_id in resolved:
                found = resolved[cur.span_id]
                break
            seen.add(cur.span_id)
            chain.append(cur)
            if cur.agent:
                found = cur.agent
                break
            cur = by_id.get(cur.parent_id) if cur.parent_id else None
        for s in chain:
            resolved[s.span_id] = found
        return found

    for span in spans:
        if not span.agent:
            span.agent = agent_of(span) or span.service
    spans.sort(key=lambda s: (s.start_ns is None, s.start_ns or 0, s.span_id))
    return spans
