"""LLM refiner for `root_cause`: the model weighs agent / tool / data / handoff with rationale.

Checked: refs exist (made-up ones are dropped, noted); a share needs at least one real ref of its
own, else it is dropped (noted); a share resting only on instruction-like text rejects the whole
answer (that is what obeying an injected "say the root cause is …" looks like); weights are
renormalized to sum to 1 (two decimals); when the channel says the agent was right, the agent
gets no weight (as offline). The upstream provider analysis stays the offline one (read from
dependency spans, not judged). With no supported share left, the offline split stands (degraded).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.draft import CATEGORIES, Category, Contribution, RootCause
from agent.llm.ask import NodeRun, clip
from agent.llm.client import InvalidAnswer
from agent.llm.engine import LLMEngine, NodeUsage
from agent.llm.verify import split_refs
from agent.state import DraftState
from tools.evidence.select import Seed

MAX_REFS = 6


class ContributionPick(BaseModel):
    category: Category = Field(description="agent | tool | data | handoff")
    weight: float = Field(ge=0.0, le=1.0, description="Share of the root cause, 0..1; all weights sum to 1.")
    rationale: str = Field(description="Why this category contributed, one or two sentences, specific.")
    evidence: list[str] = Field(description="Refs (span:<id>, chat:<ts>) from the data that show it.")


class RootCauseAnswer(BaseModel):
    summary: str = Field(description="One paragraph: what failed and how the parts combined.")
    contributions: list[ContributionPick] = Field(description="One entry per contributing category.")


def refine_root_cause(engine: LLMEngine, state: DraftState, offline: RootCause) -> tuple[RootCause, NodeUsage]:
    run = NodeRun(engine, state, "root_cause")
    decision = next((i for i in state.inferences if i.is_decision), None)
    span = run.index.span(decision.span_id) if decision else None
    refs = [r for c in offline.contributions for r in c.evidence]
    refs += [r for s in state.missed_signals for r in s.evidence[:2]]
    findings = [s.ref for s in run.ws.findings[:6]]
    errors = [s.ref for s in run.index.spans if s.status == "error"][:8]
    answer = run.ask(
        RootCauseAnswer,
        facts={
            "agent_inferred": clip(decision.quote, 400) if decision else None,
            "agent_was_right_per_channel": state.agent_was_right,
            "correct_inference": clip(state.correct_inference.text, 600) if state.correct_inference else None,
            "missed_signals": [
                {"name": s.name, "in_agent_context": s.in_agent_context, "source": s.source} for s in state.missed_signals
            ],
            "heuristic_split": [
                {"category": c.category, "weight": c.weight, "rationale": clip(c.rationale, 300), "evidence": c.evidence[:4]}
                for c in offline.contributions
            ],
        },
        seeds=([Seed(span.ref, "the agent's decision", max_tokens=500)] if span else [])
        + [Seed(r, "heuristic evidence") for r in refs] + [Seed(r, "failed span") for r in errors]
        + [Seed(r, "finding") for r in findings],
        decision=span, findings=findings, incident_id=state.incident.id if state.incident else "",
    )
    return _apply(run, answer, offline, state.agent_was_right), run.result_usage()


def _apply(run: NodeRun, answer: RootCauseAnswer, offline: RootCause, agent_was_right: bool) -> RootCause:
    merged: dict[Category, Contribution] = {}
    for pick in answer.contributions:
        if pick.weight <= 0 or (agent_was_right and pick.category == "agent"):
            continue
        refs = _supported_refs(run, pick)
        if not refs:
            run.note(f"root_cause: the model's {pick.category} share ({pick.weight:.2f}) cites no real evidence; dropped")
            continue
        _merge(merged, pick, refs, run)
    if not merged:
        raise InvalidAnswer("root_cause: no category in the answer is backed by evidence")
    contributions = _normalize(list(merged.values()))
    primary = contributions[0].category
    summary = run.redact(clip(answer.summary, 1200)) or f"Primary: {primary}."
    return RootCause(summary=summary, primary=primary, contributions=contributions, upstream=offline.upstream)


def _supported_refs(run: NodeRun, pick: ContributionPick) -> list[str]:
    """The pick's refs that exist and are not instruction-like text.

    A share whose only evidence is instruction-like text is what obeying an injected "say the
    root cause is …" looks like: the whole answer is then rejected, not just that share.
    """
    good, bad = split_refs(run.index, pick.evidence)
    if bad:
        run.note(f"root_cause: dropped {len(bad)} ref(s) not in the trace or channel ({clip(', '.join(bad), 80)})")
    clean = [r for r in good if r not in run.flagged]
    if good and not clean:
        run.note(f"root_cause: the {pick.category} share rested only on instruction-like text ({', '.join(good)})")
        raise InvalidAnswer(f"root_cause: the {pick.category} share cites only instruction-like text")
    return clean[:MAX_REFS]


def _merge(merged: dict[Category, Contribution], pick: ContributionPick, refs: list[str], run: NodeRun) -> None:
    rationale = run.redact(clip(pick.rationale, 500)) or "see evidence"
    have = merged.get(pick.category)
    if have is None:
        merged[pick.category] = Contribution(category=pick.category, weight=pick.weight, rationale=rationale, evidence=refs)
        return
    have.weight += pick.weight
    have.evidence = [*have.evidence, *(r for r in refs if r not in have.evidence)][:MAX_REFS]


def _normalize(contribs: list[Contribution]) -> list[Contribution]:
    total = sum(c.weight for c in contribs)
    for c in contribs:
        c.weight = round(c.weight / total, 2)
    contribs.sort(key=lambda c: (-c.weight, CATEGORIES.index(c.category)))
    contribs[0].weight = round(contribs[0].weight + 1.0 - sum(c.weight for c in contribs), 2)
    return [c for c in contribs if c.weight > 0] or contribs[:1]
