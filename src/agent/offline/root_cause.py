"""Root cause split across agent / tool / data / handoff.

The rules of the design, scored from evidence:
- the missed signal was in the agent's context and it concluded otherwise → agent;
- a tool that was called did not return the signal, or swallowed an error → tool;
- the content the agent read or retrieved was stale, superseded or missing → data;
- approval, escalation, routing or queue problems dropped a right or critical answer → handoff.
Trace facts (a tool span reporting OK over a failed child call, the in-context search) weigh
most; the channel's explanation after the finding adds per-category evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from re import Pattern

from agent.draft import CATEGORIES, Category, Contribution, MissedSignal, RootCause, Upstream
from agent.offline.findings import ScoredMessage
from tools.evidence.index import EvidenceIndex
from tools.model.trace import Span
from tools.text import cues
from tools.text.sentences import split_sentences

_CUES: dict[Category, tuple[Pattern[str], ...]] = {
    "agent": cues.AGENT_CUES,
    "tool": cues.TOOL_CUES,
    "data": cues.DATA_CUES,
    "handoff": cues.HANDOFF_CUES,
}
_MIN_SHARE = 0.08


@dataclass
class Tally:
    score: dict[Category, float] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.0))
    why: dict[Category, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    refs: dict[Category, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})

    def add(self, cat: Category, amount: float, why: str | None = None, refs: list[str] | None = None) -> None:
        self.score[cat] += amount
        if why and why not in self.why[cat]:
            self.why[cat].append(why)
        for r in refs or []:
            if r not in self.refs[cat]:
                self.refs[cat].append(r)


def root_cause(
    index: EvidenceIndex,
    findings: list[ScoredMessage],
    decision: Span | None,
    signals: list[MissedSignal],
    agent_was_right: bool,
    *,
    upstream: Upstream | None = None,
    handoff_loss: str | None = None,
) -> RootCause:
    t = Tally()
    _from_trace(t, index, decision)
    _from_channel(t, findings, loss_is_handoff=handoff_loss is not None)
    _from_signal(t, decision, signals, agent_was_right)
    if upstream is not None:
        # A dependency that failed is a tool-side cause from our system's point of view; the
        # upstream block names the provider (and its own upstream) separately.
        t.add("tool", 1.5, f"{upstream.provider} failed under the agent's calls ({upstream.tier})", upstream.evidence[:3])
    if handoff_loss is not None:
        t.add("handoff", 1.8,
              f"information was lost between agents before {handoff_loss} decided; it acted on what was left",
              [decision.ref] if decision is not None else [])
    if agent_was_right:
        t.score["agent"] = 0.0
    elif decision is not None and t.score["agent"] < 0.3:
        t.add("agent", 0.3, "the agent drew the conclusion that led to the incident", [decision.ref])
    contributions = _normalize(t)
    primary = max(contributions, key=lambda c: c.weight).category
    return RootCause(summary=_summary(contributions), primary=primary, contributions=contributions)


def _from_signal(t: Tally, decision: Span | None, signals: list[MissedSignal], agent_was_right: bool) -> None:
    if agent_was_right:
        # Right but powerless: the failure is in what carried the conclusion onward (usually the
        # handoff); the channel's explanation below decides between handoff and a tool contract.
        t.add("handoff", 0.8, "the agent's inference was right but it did not reach anyone who could act on it in time")
        return
    if decision is None or not signals:
        return
    top = signals[0]
    if top.in_agent_context:
        # Visible but unheeded: the agent owns a share. Whether it is the primary cause depends on
        # why the signal did not register (stale data shown as current, a buried field), which the
        # channel's explanation weighs in on.
        t.add(
            "agent", 1.6,
            f"the signal ({top.name}) was in the agent's context before its decision and it concluded otherwise",
            [decision.ref, *top.context_refs[:2]],
        )
    elif top.in_agent_context is False:
        # Not in context: a tool or a data source should have carried it. The trace and channel
        # evidence already tallied says which; without any, a tool the agent called is likelier
        # (agents see the world through tools), so it gets the larger part.
        tool, data = t.score["tool"] + 0.15, t.score["data"] + 0.1
        base = 1.2
        t.add("tool", base * tool / (tool + data), f"no tool the agent called returned the signal ({top.name})",
              top.evidence[:1])
        t.add("data", base * data / (tool + data), f"no source the agent read carried the signal ({top.name})",
              top.evidence[:1])


def _from_trace(t: Tally, index: EvidenceIndex, decision: Span | None) -> None:
    """Tool spans that report success over a failed child call: the error never reached the agent."""
    cutoff = decision.start_ns if decision is not None and decision.start_ns is not None else None
    for span in index.spans:
        if span.kind != "tool" or span.status == "error":
            continue
        if cutoff is not None and (span.end_ns or 0) > cutoff:
            continue
        failed = [d for d in index.descendants(span) if d.status == "error"]
        if failed:
            name = span.tool_name or span.name
            err = failed[0].error or "an error"
            t.add(
                "tool", 2.0,
                f"{name} reported success while its own call failed ({_clip(err, 80)}); the error never reached the agent",
                [span.ref, failed[0].ref],
            )


def _from_channel(t: Tally, findings: list[ScoredMessage], *, loss_is_handoff: bool = False) -> None:
    for rank, s in enumerate(findings[:8]):
        weight = 1.0 if rank < 3 else 0.5
        for sent in split_sentences(s.message.text):
            lost_between_agents = loss_is_handoff and cues.count(cues.HANDOFF_LOSS, sent.text) > 0
            for cat, pats in _CUES.items():
                n = cues.count(pats, sent.text)
                if lost_between_agents and cat == "tool":
                    # "truncated", "dropped": between two agents this describes the handoff.
                    cat, n = "handoff", max(n, 1)
                if n:
                    t.add(cat, weight * min(n, 2) * 0.55, _clip(sent.text, 220), [s.ref])


def _normalize(t: Tally) -> list[Contribution]:
    total = sum(t.score.values())
    if total <= 0:
        return [Contribution(category="agent", weight=1.0, rationale="no evidence beyond the agent's own decision; "
                             "the channel does not explain the failure — the reviewer should attribute it")]
    shares = {c: v / total for c, v in t.score.items()}
    shares = {c: v for c, v in shares.items() if v >= _MIN_SHARE}
    norm = sum(shares.values())
    rounded = {c: round(v / norm, 2) for c, v in shares.items()}
    top = max(rounded, key=lambda c: rounded[c])
    rounded[top] = round(rounded[top] + 1.0 - sum(rounded.values()), 2)
    out = [
        Contribution(
            category=c, weight=w, rationale="; ".join(t.why[c][:3]) or "minor evidence", evidence=t.refs[c][:6]
        )
        for c, w in rounded.items()
    ]
    out.sort(key=lambda c: -c.weight)
    return out


def _summary(contribs: list[Contribution]) -> str:
    head = contribs[0]
    parts = [f"Primary: {head.category} ({head.weight:.2f}) — {_first(head.rationale)}."]
    for c in contribs[1:]:
        parts.append(f"Also {c.category} ({c.weight:.2f}): {_first(c.rationale)}.")
    return " ".join(parts)


def _first(rationale: str) -> str:
    return _clip(rationale.split("; ")[0].rstrip("."), 200)


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
