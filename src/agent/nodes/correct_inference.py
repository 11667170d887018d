"""Node: the correct inference — what the humans established, with evidence refs."""

from __future__ import annotations

from typing import Any

from agent.nodes._common import log, with_engine
from agent.offline.correct_inference import correct_inference as offline_correct
from agent.state import DraftState
from agent.workspace import workspace


def correct_inference(state: DraftState) -> dict[str, Any]:
    ws = workspace(state.bundle_path)
    decision = next((i for i in state.inferences if i.is_decision), None)
    offline = offline_correct(ws.findings, ws.vindicating, decision.quote if decision else None, ws.corrections)
    result, extra = with_engine(state, "correct_inference", offline)
    notes = list(extra.pop("notes", state.notes))
    if result is None:
        notes.append("correct inference not established: no human messages in the channel")
    log(state, "correct_inference").info("correct_inference", refs=result.evidence if result else [])
    return {
        "correct_inference": result,
        "finding_refs": [s.ref for s in ws.findings[:3]],
        "notes": notes,
        **extra,
    }
