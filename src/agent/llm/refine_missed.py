"""LLM refiner for `missed_signals`: the model names the missed signal(s), quoting where they are
stated; whether each was in the agent's context is read from the trace, never from the model.

An unverifiable signal (made-up ref, quote not verbatim, name not in its own quote, or backed
only by instruction-like text) is replaced by the offline candidate of the same rank, noted.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.draft import MissedSignal
from agent.llm.ask import NodeRun, clip
from agent.llm.client import InvalidAnswer
from agent.llm.engine import LLMEngine, NodeUsage
from agent.llm.verify import as_ref, verified
from agent.offline.missed_signals import MAX_SIGNALS
from agent.state import DraftState
from tools.evidence.index import ContextPiece
from tools.evidence.select import Seed
from tools.text.terms import numbers
from tools.text.tokens import contains_term, norm_term, norm_text


class SignalPick(BaseModel):
    name: str = Field(description="Two to five words naming the signal; they must appear in the quote.")
    description: str = Field(description="What the signal showed and why it mattered, one or two sentences.")
    source: str | None = Field(default=None, description="The tool, document or system that carried it, or should have.")
    ref: str = Field(description="chat:<ts> or span:<id> of the evidence item where the signal is stated.")
    quote: str = Field(description="Words copied character for character from that item, stating the signal.")


class MissedAnswer(BaseModel):
    signals: list[SignalPick] = Field(description="One to three missed signals, the most decisive first.")


def refine_missed_signals(
    engine: LLMEngine, state: DraftState, offline: list[MissedSignal]
) -> tuple[list[MissedSignal], NodeUsage]:
    run = NodeRun(engine, state, "missed_signals")
    decision = next((i for i in state.inferences if i.is_decision), None)
    span = run.index.span(decision.span_id) if decision else None
    if span is None or not run.ws.findings:
        return offline, run.result_usage()  # no wrong inference or no channel: nothing was missed
    refs = [r for s in offline for r in [*s.evidence, *s.context_refs]]
    findings = [s.ref for s in run.ws.findings[:6]]
    answer = run.ask(
        MissedAnswer,
        facts={
            "agent_inferred": clip(decision.quote if decision else "", 400),
            "correct_inference": clip(state.correct_inference.text if state.correct_inference else "", 600),
            "heuristic_signals": [
                {"name": s.name, "description": clip(s.description, 300), "evidence": s.evidence[:3]} for s in offline
            ],
        },
        seeds=[Seed(span.ref, "the agent's decision", max_tokens=700, with_input=True)]
        + [Seed(r, "heuristic signal evidence") for r in refs] + [Seed(r, "finding") for r in findings],
        decision=span, findings=findings, incident_id=state.incident.id if state.incident else "",
    )
    return _apply(run, answer, offline, run.index.agent_context(span)), run.result_usage()


def _apply(run: NodeRun, answer: MissedAnswer, offline: list[MissedSignal], context: list[ContextPiece]) -> list[MissedSignal]:
    checked = [_checked(run, pick, offline, context) for pick in answer.signals[:MAX_SIGNALS]]
    if not any(checked):
        raise InvalidAnswer("missed_signals: no verifiable signal in the answer")
    out: list[MissedSignal] = []
    for rank, sig in enumerate(checked):
        if sig is None and rank < len(offline):
            run.note(f"missed_signals: signal {rank + 1} from the model could not be verified; the offline candidate is used")
            sig = offline[rank]
        if sig is not None and all(norm_term(sig.name) != norm_term(s.name) for s in out):
            out.append(sig)
    return out


def _checked(run: NodeRun, pick: SignalPick, offline: list[MissedSignal], context: list[ContextPiece]) -> MissedSignal | None:
    ref = as_ref(pick.ref)
    quote = verified(run.index, ref, pick.quote, run.engine.redactor)
    name = " ".join(pick.name.split())[:80]
    if quote is None or not name or not run.supported([ref]):
        return None
    if not contains_term(norm_text(quote), name):
        return None  # a name the evidence does not state is the model's, not the channel's
    known = next((s for s in offline if norm_term(s.name) == norm_term(name)), None)
    if known is not None:
        in_context, context_refs, source = known.in_agent_context, known.context_refs, known.source
    else:
        context_refs = _in_context(run, name, quote, context)
        in_context = bool(context_refs)
        source = _source(run, context_refs, pick.source)
    return MissedSignal(
        name=run.redact(name), description=run.redact(clip(pick.description, 500)) or quote,
        in_agent_context=in_context, source=source,
        evidence=_dedupe([ref, *context_refs[:3]]), context_refs=context_refs[:5],
    )


def _in_context(run: NodeRun, name: str, quote: str, context: list[ContextPiece]) -> list[str]:
    """Where the agent had the signal before deciding: the name, else a number stated with it."""
    hits = run.index.find_in_context(name, context)
    if hits:
        return hits
    for num in numbers(quote):
        hits = run.index.find_in_context(num, context)
        if hits:
            return hits
    return []


def _source(run: NodeRun, hits: list[str], model_source: str | None) -> str:
    if hits:
        span = run.index.span(hits[0])
        where = "the agent's input messages" if span and span.kind == "llm" else f"{(span.tool_name or span.name) if span else hits[0]} output"
        return f"in {where} before the decision (found in the trace)"
    said = run.redact(clip(model_source, 120)) if model_source else None
    return f"not in the agent's context; should have come from {said}" if said else "not in the agent's context"


def _dedupe(refs: list[str]) -> list[str]:
    out: list[str] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out
