"""Node: root cause split over agent / tool / data / handoff, plus the dependency table."""

from __future__ import annotations

from typing import Any

from agent.nodes._common import decision_span, log, with_engine
from agent.offline.dependencies import dependencies
from agent.offline.root_cause import root_cause as offline_root_cause
from agent.offline.upstream import upstream
from agent.state import DraftState
from agent.workspace import workspace


def root_cause(state: DraftState) -> dict[str, Any]:
    ws = workspace(state.bundle_path)
    decision = decision_span(state)
    deps = dependencies(ws.index)
    up = upstream(ws.index, deps, decision)
    offline = offline_root_cause(
        ws.index, ws.findings, decision, state.missed_signals, state.agent_was_right,
        upstream=up, handoff_loss=ws.handoff_receiver if decision is not None else None,
    )
    offline.upstream = up
    result, extra = with_engine(state, "root_cause", offline)
    log(state, "root_cause").info("root_cause", primary=result.primary, upstream=bool(result.upstream))
    return {"root_cause": result, "dependencies": deps, **extra}
