"""Node: the signal the agent missed, and whether it was in its context before the decision."""

from __future__ import annotations

from typing import Any

from agent.nodes._common import decision_span, log, with_engine
from agent.offline.missed_signals import missed_signals as offline_missed
from agent.state import DraftState
from agent.workspace import workspace


def missed_signals(state: DraftState) -> dict[str, Any]:
    ws = workspace(state.bundle_path)
    decision = decision_span(state)
    offline = offline_missed(ws.index, ws.findings, decision)
    result, extra = with_engine(state, "missed_signals", offline)
    log(state, "missed_signals").info(
        "missed_signals", names=[s.name for s in result], in_context=[s.in_agent_context for s in result]
    )
    return {"missed_signals": result, **extra}
