"""Node: behavior rate of the decision point (LLM engine), between action_items and compose.

Runs on the llm engine only (the graph routes around it otherwise). With `--replays N > 0` it
replays the decision point N times and fills `behavior_rate`; a replay failure degrades this node
only.
"""

from __future__ import annotations

from typing import Any

from agent.nodes._common import log, per_call
from agent.state import DraftState, LLMUsage


def replay(state: DraftState) -> dict[str, Any]:
    if state.engine != "llm" or state.replays <= 0:
        return {}
    notes, usage = list(state.notes), list(state.usage)
    update = _replay(state, notes, usage)
    return {"notes": notes, "usage": usage, **update}


def _replay(state: DraftState, notes: list[str], usage: list[LLMUsage]) -> dict[str, Any]:
    from agent.llm.engine import current
    from agent.llm.replay import behavior_rate

    engine = current()
    if engine is None:
        notes.append("replay: not replayed — the LLM engine is not configured in this process")
        return {}
    try:
        outcome = behavior_rate(engine, state, state.replays)
    except Exception as exc:  # a failed replay run degrades this node only, by design
        log(state, "replay").warning("llm_node_degraded", error=type(exc).__name__, detail=str(exc)[:200])
        notes.append(f"replay: behavior rate not measured ({type(exc).__name__}: {str(exc)[:160]})")
        return {"degraded_nodes": [*state.degraded_nodes, "replay"]}
    notes.extend(n for n in outcome.notes if n not in notes)
    usage.extend(per_call(outcome.usage))
    return {"behavior_rate": outcome.rate}
