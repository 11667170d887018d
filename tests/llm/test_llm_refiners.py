"""The refiners' checks, with the scripted FakeModelClient (no HTTP): what is taken from the
model, what is verified against the trace, what is replaced by the offline result and noted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llm_support import case_dir

from agent.draft import IncidentHeader
from agent.llm.client import InvalidAnswer, PromptTooLarge
from agent.llm.engine import LLMEngine, engine_for, uninstall
from agent.llm.fake import FakeModelClient
from agent.llm.refine_correct import refine_correct_inference
from agent.llm.refine_inferences import refine_inferences
from agent.nodes.extract_inferences import offline_inferences
from agent.offline.correct_inference import correct_inference as offline_correct
from agent.state import DraftState
from agent.workspace import workspace
from conftest import needs_shared

pytestmark = needs_shared


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    uninstall()


def _state(case: str, **kw: object) -> DraftState:
    ws = workspace(str(case_dir(case)))
    return DraftState(bundle_path=str(case_dir(case)), out_dir="/tmp/unused", engine="llm",
                      incident=IncidentHeader(id=ws.bundle.meta.id), **kw)  # type: ignore[arg-type]


def _engine(script: dict, budget: int = 16_000) -> tuple[LLMEngine, FakeModelClient]:
    fake = FakeModelClient(script, token_budget=budget)
    return engine_for(fake), fake


def test_the_model_may_choose_another_candidate_with_a_verified_quote() -> None:
    state = _state("05-oom-restarts")
    ws = workspace(state.bundle_path)
    offline = offline_inferences(ws)
    other = next(c for c in sorted(ws.candidates, key=lambda c: -c.score) if c is not ws.decision and c.quote)
    sentence = other.quote.split(". ")[0]
    engine, fake = _engine({"extract_inferences": [{
        "decision_span_id": f"span:{other.span.span_id}",
        "inferences": [{"span_id": other.span.span_id, "quote": f"“[output] {sentence}…”", "why": "model's reason"}],
    }]})
    result, usage = refine_inferences(engine, state, offline)
    decision = next(i for i in result if i.is_decision)
    assert decision.span_id == other.span.span_id and decision.verified and decision.quote == sentence.strip()
    assert decision.why == "model's reason" and decision.action == other.action  # the action comes from the trace
    assert usage.calls == 1 and usage.prompt_version == "extract_inferences@1" and usage.notes == []
    assert fake.calls("extract_inferences")[0][0]["role"] == "system"


def test_unknown_spans_are_ignored_and_a_missing_pick_keeps_the_offline_decision() -> None:
    state = _state("01-queue-stuck")
    ws = workspace(state.bundle_path)
    offline = offline_inferences(ws)
    d = ws.decision
    assert d is not None
    engine, _ = _engine({"extract_inferences": [{
        "decision_span_id": None,
        "inferences": [{"span_id": "ffffffffffffffff", "quote": "made up", "why": ""},
                       {"span_id": d.span.span_id, "quote": "not what it said at all", "why": ""}],
    }]})
    result, usage = refine_inferences(engine, state, offline)
    assert [i.span_id for i in result if i.is_decision] == [d.span.span_id]
    assert next(i for i in result if i.is_decision).quote == d.quote
    assert any("not in the trace" in n for n in usage.notes)
    assert any("not verbatim in the span" in n for n in usage.notes)
    assert any("named no wrong inference; the offline pick is kept" in n for n in usage.notes)


def test_when_the_channel_vindicates_the_agent_no_decision_is_taken_from_the_model() -> None:
    state = _state("03-correct-but-powerless")
    ws = workspace(state.bundle_path)
    c = sorted(ws.candidates, key=lambda c: -c.score)[0]
    engine, _ = _engine({"extract_inferences": [{
        "decision_span_id": c.span.span_id, "inferences": [{"span_id": c.span.span_id, "quote": c.quote, "why": ""}],
    }]})
    result, usage = refine_inferences(engine, state, offline_inferences(ws))
    assert not any(i.is_decision for i in result)
    assert any("the agent was right" in n for n in usage.notes)


def test_correct_inference_needs_a_verbatim_quote() -> None:
    state = _state("07-threat-intel-timeout")
    ws = workspace(state.bundle_path)
    offline = offline_correct(ws.findings, ws.vindicating, None)
    assert offline is not None
    msg = ws.index.message(offline.evidence[0])
    assert msg is not None
    words = msg.text.split()[:8]
    engine, _ = _engine({"correct_inference": [
        {"text": "It was a real phish.", "supporting_quotes": [{"ref": msg.ts, "quote": " ".join(words)}]},
        {"text": "It was a real phish.", "supporting_quotes": [{"ref": msg.ref, "quote": "words nobody wrote"}]},
    ]})
    result, _ = refine_correct_inference(engine, state, offline)
    assert result is not None and result.evidence == [msg.ref] and " ".join(words) in result.text
    assert result.text.startswith("It was a real phish.") and f"{msg.author} at" in result.text
    with pytest.raises(InvalidAnswer):
        refine_correct_inference(engine, state, offline)


def test_no_call_when_there_is_nothing_to_choose_from() -> None:
    engine, fake = _engine({})
    result, usage = refine_correct_inference(engine, _state("01-queue-stuck"), None)
    assert result is None and usage.calls == 0 and fake.requests == []


def test_a_budget_too_small_for_the_fixed_prompt_is_refused_not_sent() -> None:
    state = _state("01-queue-stuck")
    engine, fake = _engine({}, budget=1_000)
    with pytest.raises(PromptTooLarge):
        refine_inferences(engine, state, offline_inferences(workspace(state.bundle_path)))
    assert fake.requests == []
