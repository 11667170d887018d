"""Node: pause for the human reviewer (LangGraph interrupt); the run is checkpointed meanwhile.

Everything before `interrupt()` re-runs on resume, so it only builds the payload (no I/O).
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.state import DraftState, ReviewDecision


def human_review(state: DraftState) -> dict[str, Any]:
    assert state.draft is not None and state.incident is not None
    payload = {
        "incident_id": state.incident.id,
        "out_dir": state.out_dir,
        "round": state.review_rounds + 1,
        "flags": [f.model_dump(mode="json") for f in state.flags],
        "reviewer_flags": [f.model_dump(mode="json") for f in state.reviewer_flags],
        "has_edits": state.edited_markdown is not None,
    }
    raw = interrupt(payload, response_schema=ReviewDecision)
    decision = raw if isinstance(raw, ReviewDecision) else ReviewDecision.model_validate(raw)
    update: dict[str, Any] = {"review_decision": decision, "review_rounds": state.review_rounds + 1}
    if decision.edited_markdown is not None:
        update["edited_markdown"] = decision.edited_markdown
    return update
