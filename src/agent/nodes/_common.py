"""What every node shares: the bound logger and the offline/llm engine switch with fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from agent.logging import get_logger
from agent.state import DraftState, LLMUsage

T = TypeVar("T")

# Nodes register an LLM refinement here (agent.llm installs them); absent → offline only.
LLM_REFINERS: dict[str, Callable[[DraftState, Any], tuple[Any, LLMUsage]]] = {}


def log(state: DraftState, node: str) -> Any:
    incident = state.incident.id if state.incident else None
    return get_logger(incident_id=incident, node=node)


def with_engine(state: DraftState, node: str, offline_result: T) -> tuple[T, dict[str, Any]]:
    """Return the node's result for the state's engine, plus the bookkeeping update.

    The offline result is always computed first: it is the LLM's evidence and its fallback.
    An LLM failure (network, timeout, invalid answer, unverifiable quote) degrades this node to
    the offline result and records the node in `degraded_nodes` — the draft is still written.
    """
    extra: dict[str, Any] = {}
    if state.engine != "llm":
        return offline_result, extra
    refine = LLM_REFINERS.get(node)
    if refine is None:
        return offline_result, extra
    logger = log(state, node)
    try:
        result, usage = refine(state, offline_result)
    except Exception as exc:  # any model failure degrades to offline, by design
        logger.warning("llm_node_degraded", error=type(exc).__name__, detail=str(exc)[:200])
        extra["degraded_nodes"] = [*state.degraded_nodes, node]
        extra["notes"] = [*state.notes, f"{node}: LLM call failed ({type(exc).__name__}: {str(exc)[:160]}); offline result used"]
        return offline_result, extra
    extra["usage"] = [*state.usage, usage]
    return result, extra
