"""LLM refiner for `correct_inference`: the model states what was true, backed by verbatim quotes.

Kept from the model: the sentence(s) saying what was true, and which messages establish it.
Checked: every supporting quote is verbatim in the message or span it cites; a quote whose only
source is instruction-like text does not count. With no verified quote, the offline answer
stands (the node is degraded). `agent_was_right` stays the channel's verdict, as offline.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.draft import CorrectInference
from agent.llm.ask import NodeRun, clip
from agent.llm.client import InvalidAnswer
from agent.llm.engine import LLMEngine, NodeUsage
from agent.llm.verify import as_ref, verified
from agent.state import DraftState
from tools.evidence.select import Seed

MAX_QUOTES = 3


class SupportingQuote(BaseModel):
    ref: str = Field(description="chat:<ts> or span:<id> of the evidence item quoted, exactly as given.")
    quote: str = Field(description="Words copied character for character from that item's text.")


class CorrectAnswer(BaseModel):
    text: str = Field(description="One to three sentences: what was actually true, who established it and when.")
    supporting_quotes: list[SupportingQuote] = Field(description="One to three verbatim quotes that establish it.")


def refine_correct_inference(
    engine: LLMEngine, state: DraftState, offline: CorrectInference | None
) -> tuple[CorrectInference | None, NodeUsage]:
    run = NodeRun(engine, state, "correct_inference")
    if offline is None:
        return None, run.result_usage()  # no human messages: nothing to establish it from
    decision = next((i for i in state.inferences if i.is_decision), None)
    decision_span = run.index.span(decision.span_id) if decision else None
    findings = [s.ref for s in run.ws.findings[:6]]
    answer = run.ask(
        CorrectAnswer,
        facts={
            "agent_inferred": clip(decision.quote, 500) if decision else None,
            "agent_was_right_per_channel": offline.agent_was_right,
            "heuristic_answer": clip(offline.text, 900),
            "heuristic_refs": offline.evidence,
        },
        seeds=[Seed(r, "finding") for r in [*offline.evidence, *findings]]
        + ([Seed(decision_span.ref, "the agent's decision", max_tokens=400)] if decision_span else []),
        decision=decision_span, findings=findings, include_context=False,
        incident_id=state.incident.id if state.incident else "",
    )
    return _apply(run, answer, offline), run.result_usage()


def _apply(run: NodeRun, answer: CorrectAnswer, offline: CorrectInference) -> CorrectInference:
    quotes: list[tuple[str, str]] = []
    for q in answer.supporting_quotes[: MAX_QUOTES + 2]:
        ref = as_ref(q.ref)
        text = verified(run.index, ref, q.quote, run.engine.redactor)
        if text is None:
            run.note(f"correct_inference: a supporting quote for {clip(ref, 48)} is not verbatim there; dropped")
        elif (ref, text) not in quotes:
            quotes.append((ref, text))
    refs = [r for r, _ in quotes]
    if not quotes or not run.supported(refs) or not answer.text.strip():
        raise InvalidAnswer("correct_inference: no verified quote supports the answer")
    said = " ".join(_attributed(run, ref, text) for ref, text in quotes[:MAX_QUOTES])
    body = run.redact(clip(answer.text, 700))
    return CorrectInference(
        text=f"{body} Evidence: {said}", evidence=_dedupe(refs[:MAX_QUOTES]), agent_was_right=offline.agent_was_right,
    )


def _attributed(run: NodeRun, ref: str, text: str) -> str:
    msg = run.index.message(ref)
    if msg is not None:
        return f"{msg.author} at {msg.time:%H:%M} UTC: \u201c{text}\u201d"
    span = run.index.span(ref)
    who = (span.tool_name or span.name or span.agent) if span else ref
    return f"{who} ({ref}): \u201c{text}\u201d"


def _dedupe(refs: list[str]) -> list[str]:
    out: list[str] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out
