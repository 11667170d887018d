"""Node: behavior rate of the decision point (LLM engine), between action_items and compose.

Runs on the llm engine only (the graph routes around it otherwise). With `--replays N > 0` it
replays the decision point N times and fills `behavior_rate`; a replay failure degrades this node
only. It also files the LLM refiners' notes (quotes replaced, refs dropped) into `state.notes`
and stores one usage entry per HTTP call, so provenance lists every call's tokens.
"""

from __future__ import annotations

from typing import Any

from agent.nodes._common import log
from agent.state import DraftState, LLMUsage


def replay(state: DraftState) -> dict[str, Any]:
    notes, usage = _file_refiner_notes(state)
    update: dict[str, Any] = {}
    if state.engine == "llm" and state.replays > 0:
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
    usage.extend(_per_call(outcome.usage))
    return {"behavior_rate": outcome.rate}


def _file_refiner_notes(state: DraftState) -> tuple[list[str], list[LLMUsage]]:
    notes = list(state.notes)
    usage: list[LLMUsage] = []
    for u in state.usage:
        notes.extend(n for n in getattr(u, "notes", []) if n not in notes)
        usage.extend(_per_call(u))
    return notes, usage


def _per_call(u: LLMUsage) -> list[LLMUsage]:
    """One plain LLMUsage per HTTP call (a node without calls used no prompt: it is dropped)."""
    calls = getattr(u, "per_call", None)
    if calls is None:
        return [LLMUsage(**u.model_dump(include=set(LLMUsage.model_fields)))]
    return [
        LLMUsage(node=u.node, prompt_tokens=c.prompt_tokens, completion_tokens=c.completion_tokens, calls=1,
                 prompt_version=u.prompt_version)
        for c in calls
    ]
