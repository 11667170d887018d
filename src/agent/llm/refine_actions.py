"""LLM refiner for `action_items`: context/tool changes and typed, measurable action items.

Checked: a change or item phrased as a prompt or runbook edit is dropped (noted) — the template
wants tool, context, data or escalation changes; a tool change must target a tool the trace
knows (else the offline tool target is used); the eval_coverage item is always present (the
offline one when the model left it out). Targets without a number are left to the linter,
which flags them as unmeasurable for the reviewer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.draft import ActionItem, ActionKind, ChangeKind, ContextChange
from agent.llm.ask import NodeRun, clip
from agent.llm.client import InvalidAnswer
from agent.llm.engine import LLMEngine, NodeUsage
from agent.llm.guard import prompt_tweak
from agent.offline.remedies import eval_name
from agent.state import DraftState
from tools.evidence.select import Seed

MAX_CHANGES = 5
MAX_ITEMS = 7
Result = tuple[list[ContextChange], list[ActionItem]]


class ChangePick(BaseModel):
    kind: ChangeKind = Field(description="tool | context | data | escalation")
    target: str = Field(description="The tool, data source, context or escalation path to change.")
    change: str = Field(description="The change, one sentence.")


class ItemPick(BaseModel):
    kind: ActionKind = Field(description="eval_coverage | guardrail | escalation_threshold | tool_change | data_fix | process")
    title: str = Field(description="Short imperative title.")
    target: str = Field(description="Measurable target with a number: a rate on a named eval, a threshold, a lag.")
    eval: str | None = Field(default=None, description="The named eval or metric the target is measured on.")


class ActionsAnswer(BaseModel):
    context_changes: list[ChangePick] = Field(description="Changes that would have produced the correct inference.")
    action_items: list[ItemPick] = Field(description="Typed action items, exactly one of kind eval_coverage.")


def refine_action_items(engine: LLMEngine, state: DraftState, offline: Result) -> tuple[Result, NodeUsage]:
    run = NodeRun(engine, state, "action_items")
    changes, items = offline
    incident_id = state.incident.id if state.incident else ""
    decision = next((i for i in state.inferences if i.is_decision), None)
    span = run.index.span(decision.span_id) if decision else None
    tools = _tool_names(run)
    answer = run.ask(
        ActionsAnswer,
        facts={
            "agent_inferred": clip(decision.quote, 300) if decision else None,
            "decision_ref": span.ref if span else None,
            "correct_inference": clip(state.correct_inference.text, 500) if state.correct_inference else None,
            "missed_signals": [{"name": s.name, "in_agent_context": s.in_agent_context, "source": s.source}
                               for s in state.missed_signals],
            "root_cause": [{"category": c.category, "weight": c.weight, "rationale": clip(c.rationale, 250)}
                           for c in state.root_cause.contributions] if state.root_cause else [],
            "heuristic_changes": [c.model_dump() for c in changes],
            "heuristic_items": [i.model_dump(exclude_none=True) for i in items],
        },
        seeds=([Seed(span.ref, "the agent's decision", max_tokens=400)] if span else [])
        + [Seed(s.ref, "finding") for s in run.ws.findings[:4]],
        decision=span, findings=[s.ref for s in run.ws.findings[:3]], item_tokens=300, include_context=False,
        incident_id=incident_id, eval_name=eval_name(incident_id), tool_names=", ".join(tools) or "none recorded",
    )
    return _apply(run, answer, offline, set(tools)), run.result_usage()


def _tool_names(run: NodeRun) -> list[str]:
    names = {s.tool_name or s.name for s in run.index.spans if s.kind == "tool"}
    return sorted(n for n in names if n)[:40]


def _apply(run: NodeRun, answer: ActionsAnswer, offline: Result, tools: set[str]) -> Result:
    off_changes, off_items = offline
    changes = [c for c in (_change(run, p, off_changes, tools) for p in answer.context_changes[:MAX_CHANGES]) if c]
    items = [i for i in (_item(run, p) for p in answer.action_items) if i]
    evals = [i for i in items if i.kind == "eval_coverage"]
    if not evals:
        run.note("action_items: the model gave no eval_coverage item; the offline one is used")
        evals = [i for i in off_items if i.kind == "eval_coverage"][:1]
    items = evals[:1] + [i for i in items if i.kind != "eval_coverage"][: MAX_ITEMS - 1]
    if not changes and len(items) <= 1:
        raise InvalidAnswer("action_items: no usable context change or action item in the answer")
    return (changes or off_changes), items


def _change(run: NodeRun, pick: ChangePick, offline: list[ContextChange], tools: set[str]) -> ContextChange | None:
    if prompt_tweak(pick.change) or prompt_tweak(pick.target):
        run.note(f"action_items: dropped a context change phrased as a prompt/runbook edit ({clip(pick.change, 80)})")
        return None
    target = pick.target.strip()
    named = next((t for t in sorted(tools, key=len, reverse=True) if t and t in target), None)
    if pick.kind == "tool" and named is not None:
        target = named  # "the queue_diagnostics tool" → queue_diagnostics
    elif pick.kind == "tool":
        known = next((c.target for c in offline if c.kind == "tool"), None)
        if known is None:
            run.note(f"action_items: dropped a tool change for a tool the trace does not know ({clip(target, 60)})")
            return None
        run.note(f"action_items: tool change target {clip(target, 60)} is not a tool in the trace; {known} is used")
        target = known
    return ContextChange(kind=pick.kind, target=run.redact(clip(target, 120)), change=run.redact(clip(pick.change, 500)))


def _item(run: NodeRun, pick: ItemPick) -> ActionItem | None:
    if prompt_tweak(pick.title) or prompt_tweak(pick.target):
        run.note(f"action_items: dropped an action item phrased as a prompt/runbook edit ({clip(pick.title, 80)})")
        return None
    return ActionItem(
        kind=pick.kind, title=run.redact(clip(pick.title, 200)), target=run.redact(clip(pick.target, 400)),
        eval=run.redact(clip(pick.eval, 120)) if pick.eval else None,
    )
