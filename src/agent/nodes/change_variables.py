"""Node: what moved — prompt revision, model requested vs served, judge, index, tool schemas, traffic."""

from __future__ import annotations

from typing import Any

from agent.nodes._common import log
from agent.offline.what_moved import change_variables as offline_change_variables
from agent.state import DraftState
from agent.workspace import workspace


def change_variables(state: DraftState) -> dict[str, Any]:
    # Deterministic by nature (read from trace attributes): no LLM engine for this node.
    ws = workspace(state.bundle_path)
    result = offline_change_variables(ws.index)
    log(state, "change_variables").info("change_variables", captured=[k for k, v in result if v and k != "evidence"])
    return {"change_variables": result}
