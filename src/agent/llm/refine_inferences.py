"""LLM refiner for `extract_inferences`: the model picks the wrong inference among the offline
candidates and quotes it; every quote is verified verbatim against the span's recorded output.

What is kept from the model: which candidates are decision points, which one is the wrong
inference, the verbatim quotes, the "why". What is never taken from it: span ids it made up,
quotes not in the span (replaced by the offline quote of that span, noted), the action (read
from the trace), and whether the agent was right (the channel's vindication, as offline).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.draft import AgentInference
from agent.llm.ask import NodeRun, clip
from agent.llm.client import InvalidAnswer
from agent.llm.engine import LLMEngine, NodeUsage
from agent.llm.verify import verified
from agent.nodes.extract_inferences import MAX_LISTED, to_inference
from agent.offline.inferences import Candidate
from agent.state import DraftState
from tools.evidence.select import Seed

MAX_CANDIDATES = 10


class PickedInference(BaseModel):
    span_id: str = Field(description="span_id of one of the listed candidates, exactly as given.")
    quote: str = Field(description="One to three sentences copied character for character from that span's output.")
    why: str = Field(default="", description="One or two sentences for the reviewer: what the agent concluded and why it matters.")


class InferencesAnswer(BaseModel):
    decision_span_id: str | None = Field(
        description="span_id of the wrong inference that led to the incident; null if the agent was right."
    )
    inferences: list[PickedInference] = Field(
        description="Up to 6 decision points in time order, including the wrong inference."
    )


def refine_inferences(engine: LLMEngine, state: DraftState, offline: list[AgentInference]) -> tuple[list[AgentInference], NodeUsage]:
    run = NodeRun(engine, state, "extract_inferences")
    cands = _offered(run)
    if not cands:
        return offline, run.result_usage()  # nothing to choose among: no call
    answer = run.ask(
        InferencesAnswer,
        facts=[_fact(c, c is run.ws.decision) for c in cands],
        seeds=[Seed(c.span.ref, "candidate", max_tokens=900 if c is run.ws.decision else 450) for c in cands]
        + [Seed(s.ref, "finding") for s in run.ws.findings[:6]],
        decision=run.ws.decision.span if run.ws.decision else None,
        findings=[s.ref for s in run.ws.findings[:3]],
        incident_id=state.incident.id if state.incident else "",
        n_candidates=len(cands),
    )
    return _apply(run, answer, cands, offline), run.result_usage()


def _offered(run: NodeRun) -> list[Candidate]:
    ranked = sorted(run.ws.candidates, key=lambda c: -c.score)
    listed = [c for c in ranked if c.action_class != "read"][:MAX_CANDIDATES]
    d = run.ws.decision
    if d is not None and d not in listed:
        listed = [d, *listed[: MAX_CANDIDATES - 1]]
    return listed


def _fact(c: Candidate, is_pick: bool) -> dict[str, object]:
    return {
        "span_id": c.span.span_id, "agent": c.span.agent, "action": c.action, "offline_score": round(c.score, 2),
        "offline_pick": is_pick, "offline_quote": clip(c.quote, 300),
    }


def _apply(run: NodeRun, answer: InferencesAnswer, cands: list[Candidate], offline: list[AgentInference]) -> list[AgentInference]:
    by_id = {c.span.span_id: c for c in cands}
    picked: dict[str, AgentInference] = {}
    for pick in answer.inferences[: MAX_LISTED + 2]:
        inf = _checked(run, pick, by_id)
        if inf is not None and inf.span_id not in picked:
            picked[inf.span_id] = inf
    if not picked:
        raise InvalidAnswer("extract_inferences: no candidate span with a verifiable quote in the answer")
    decision_id = _decision(run, answer.decision_span_id, picked, by_id)
    if decision_id is not None and decision_id not in picked:
        picked[decision_id] = to_inference(by_id[decision_id], is_decision=False)
    out = list(picked.values())
    for inf in out:
        inf.is_decision = inf.span_id == decision_id
    out.sort(key=lambda i: by_id[i.span_id].span.start_ns or 0)
    return _trim(out)


def _checked(run: NodeRun, pick: PickedInference, by_id: dict[str, Candidate]) -> AgentInference | None:
    sid = pick.span_id.strip().removeprefix("span:")
    c = by_id.get(sid)
    if c is None:
        known = "a span that is not a candidate" if run.index.span(sid) else "a span id that is not in the trace"
        run.note(f"extract_inferences: the model named {known} ({clip(sid, 40)}); ignored")
        return None
    inf = to_inference(c, is_decision=False)
    quote = verified(run.index, c.span.ref, pick.quote, run.engine.redactor, output_only=True)
    if quote is None:
        run.note(f"extract_inferences: the model's quote for span:{sid} is not verbatim in the span; the offline quote is used")
    else:
        inf.quote, inf.verified = quote, True
    if pick.why.strip():
        inf.why = run.redact(clip(pick.why, 400))
    return inf


def _decision(run: NodeRun, named: str | None, picked: dict[str, AgentInference], by_id: dict[str, Candidate]) -> str | None:
    """The model's pick when it is a verified candidate; the offline pick otherwise (noted)."""
    offline_id = run.ws.decision.span.span_id if run.ws.decision else None
    if run.ws.vindicating:
        if named:
            run.note("extract_inferences: the channel says the agent was right; the model's wrong-inference pick is not used")
        return None
    sid = (named or "").strip().removeprefix("span:")
    if sid and sid in picked and picked[sid].verified:
        return sid
    if not sid and offline_id is not None:
        run.note("extract_inferences: the model named no wrong inference; the offline pick is kept")
    elif sid and offline_id is not None:
        run.note(f"extract_inferences: the model's wrong-inference pick ({clip(sid, 40)}) is not a verified candidate; the offline pick is used")
    return offline_id if offline_id in by_id else None


def _trim(out: list[AgentInference]) -> list[AgentInference]:
    if len(out) <= MAX_LISTED:
        return out
    decision = [i for i in out if i.is_decision]
    rest = [i for i in out if not i.is_decision][: MAX_LISTED - len(decision)]
    return sorted(decision + rest, key=lambda i: i.at or "")
