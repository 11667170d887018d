"""Node: context changes and typed, measurable action items (always one eval_coverage item)."""

from __future__ import annotations

from typing import Any

from agent.nodes._common import decision_span, log, with_engine
from agent.offline.focus import focus
from agent.offline.remedies import action_items as offline_items
from agent.offline.remedies import context_changes as offline_changes
from agent.state import DraftState
from agent.workspace import workspace


def action_items(state: DraftState) -> dict[str, Any]:
    ws = workspace(state.bundle_path)
    assert state.root_cause is not None and state.incident is not None
    decision = decision_span(state)
    f = focus(ws.index, decision, state.missed_signals, state.root_cause)
    offline = (
        offline_changes(state.root_cause, f, state.agent_was_right),
        offline_items(state.incident.id, state.root_cause, f, state.agent_was_right),
    )
    (changes, items), extra = with_engine(state, "action_items", offline)
    log(state, "action_items").info("action_items", kinds=[i.kind for i in items])
    return {"context_changes": changes, "action_items": items, **extra}
