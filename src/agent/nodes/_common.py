"""What every node shares: the bound logger and the offline/llm engine switch with fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from agent.logging import get_logger
from agent.state import DraftState, LLMUsage
from tools.model.trace import Span

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
        # Calls the server answered before the node gave up (invalid JSON, a schema-invalid reply)
        # still cost tokens; calls that never got an answer are not counted.
        spent = getattr(exc, "usage", None)
        if spent is not None and spent.completion_tokens:
            extra["usage"] = [*state.usage, LLMUsage(
                node=node, prompt_tokens=spent.prompt_tokens, completion_tokens=spent.completion_tokens,
                calls=_count(getattr(spent, "calls", 1)),
            )]
        return offline_result, extra
    notes = [n for n in getattr(usage, "notes", []) if n not in state.notes]
    if notes:
        extra["notes"] = [*state.notes, *notes]
    extra["usage"] = [*state.usage, *per_call(usage)]
    return result, extra


def per_call(u: LLMUsage) -> list[LLMUsage]:
    """One plain LLMUsage per HTTP call, so provenance lists every call's tokens."""
    calls = getattr(u, "per_call", None)
    model = getattr(u, "model", None)
    if calls is None:
        return [LLMUsage(**u.model_dump(include=set(LLMUsage.model_fields)))]
    return [
        LLMUsage(node=u.node, prompt_tokens=c.prompt_tokens, completion_tokens=c.completion_tokens, calls=1,
                 prompt_version=u.prompt_version, model=model)
        for c in calls
    ]


def decision_span(state: DraftState) -> Span | None:
    """The span of the decision the draft states (the LLM engine may have picked another one than
    the offline engine): every later node reasons from that one."""
    from agent.workspace import workspace

    picked = next((i for i in state.inferences if i.is_decision), None)
    if picked is None:
        return None
    return workspace(state.bundle_path).index.span(picked.span_id)


def _count(calls: object) -> int:
    return len(calls) if isinstance(calls, list) else int(calls) if isinstance(calls, int) else 1
