"""Node: what the agent inferred — decision points quoted verbatim, the wrong one marked."""

from __future__ import annotations

import re
import time
from typing import Any

from agent.draft import AgentInference, IncidentHeader
from agent.nodes._common import log, with_engine
from agent.offline.inferences import Candidate
from agent.state import DraftState
from agent.workspace import Workspace, workspace
from tools.model.trace import ns_to_datetime

MAX_LISTED = 6


def extract_inferences(state: DraftState) -> dict[str, Any]:
    ws = workspace(state.bundle_path)
    meta = ws.bundle.meta
    header = IncidentHeader(
        id=meta.id, title=meta.title, severity=meta.severity, opened_at=meta.opened_at,
        resolved_at=meta.resolved_at, missing=list(meta.missing),
    )
    offline = offline_inferences(ws)
    inferences, extra = with_engine(state.model_copy(update={"incident": header}), "extract_inferences", offline)
    log(state, "extract_inferences").info("inferences", count=len(inferences), decision=_decision_id(inferences))
    return {
        "incident": header,
        "inferences": inferences,
        "agent_was_right": bool(ws.vindicating),
        "people": _people(ws),
        "started_at": state.started_at or time.time(),
        **extra,
    }


def offline_inferences(ws: Workspace) -> list[AgentInference]:
    decision = ws.decision
    ranked = sorted(ws.candidates, key=lambda c: -c.score)
    listed = [c for c in ranked if c.action_class != "read"][:MAX_LISTED]
    if decision is not None and decision not in listed:
        listed = [decision, *listed[: MAX_LISTED - 1]]
    listed.sort(key=lambda c: c.span.start_ns or 0)
    return [to_inference(c, is_decision=c is decision) for c in listed if c.quote]


def to_inference(c: Candidate, *, is_decision: bool) -> AgentInference:
    span = c.span
    at = ns_to_datetime(span.end_ns or span.start_ns)
    return AgentInference(
        span_id=span.span_id,
        trace_id=span.trace_id,
        at=at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else None,
        agent=span.agent,
        quote=c.quote,
        action=c.action,
        verified=verify_quote(c.quote, span.recorded_content()),
        is_decision=is_decision,
        why="; ".join(c.reasons),
        score=round(c.score, 2),
    )


def verify_quote(quote: str, recorded: str) -> bool:
    """Verbatim check: exact substring, tolerating only whitespace differences."""
    if not quote.strip():
        return False
    if quote in recorded:
        return True
    squash = re.compile(r"\s+")
    return squash.sub(" ", quote).strip() in squash.sub(" ", recorded)


def _decision_id(inferences: list[AgentInference]) -> str | None:
    return next((i.span_id for i in inferences if i.is_decision), None)


def _people(ws: Workspace) -> list[str]:
    agents = {a.lower() for a in ws.index.agent_names}
    return sorted({m.author for m in ws.index.human_messages if m.author.lower() not in agents})
