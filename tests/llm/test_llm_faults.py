"""Every fault degrades only the node it hits: the node falls back to offline, the draft is still
written, and provenance.degraded_nodes names it. Runs through the real graph and a real HTTP
server on loopback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from llm_support import case_dir, echo_server, llm_env, run_llm  # noqa: F401

from agent.draft import PostmortemDraft
from conftest import needs_shared
from fakes.openai_server import OpenAIServer, Reply
from fakes.responders import EchoModel

CASE = "01-queue-stuck"
NODES = ("extract_inferences", "correct_inference", "missed_signals", "root_cause", "action_items")
pytestmark = needs_shared


@pytest.fixture(scope="module")
def offline_draft(tmp_path_factory: pytest.TempPathFactory) -> PostmortemDraft:
    return run_llm(case_dir(CASE), tmp_path_factory.mktemp("offline"), engine="offline")


FAULTS = {
    "http_500": Reply.error(500, "internal error"),
    "http_429": Reply.error(429, "rate limited", retry_after=0.01),
    "http_503": Reply.error(503, "overloaded"),
    "timeout": Reply(delay=1.5, body={}),
    "malformed_json": Reply.completion("{'not': json, at all"),
    "schema_invalid": Reply.json_answer({"unexpected": "shape"}),
    "empty_answer": Reply.completion(None),
    "not_a_completion": Reply(200, "<html>502 Bad Gateway</html>"),
}
HALLUCINATED = {
    "extract_inferences": {"decision_span_id": "deadbeefdeadbeef",
                           "inferences": [{"span_id": "deadbeefdeadbeef", "quote": "The consumers are deadlocked.", "why": "x"}]},
    "correct_inference": {"text": "It was the producer.", "supporting_quotes": [{"ref": "chat:1.000000", "quote": "producer"}]},
    "missed_signals": {"signals": [{"name": "heartbeat", "description": "d", "ref": "span:0000000000000000", "quote": "heartbeat"}]},
    "root_cause": {"summary": "s", "contributions": [{"category": "data", "weight": 1.0, "rationale": "r",
                                                      "evidence": ["span:0000000000000000", "chat:9.9"]}]},
    "action_items": {"context_changes": [{"kind": "context", "target": "the agent", "change": "update the system prompt"}],
                     "action_items": [{"kind": "process", "title": "Improve the prompt instructions", "target": "n/a"}]},
}


def _node_result(d: PostmortemDraft, node: str) -> object:
    return {
        "extract_inferences": [(i.span_id, i.quote, i.is_decision) for i in d.agent_inferences],
        "correct_inference": d.correct_inference.text if d.correct_inference else None,
        "missed_signals": [s.name for s in d.missed_signals],
        "root_cause": {c.category: c.weight for c in d.root_cause.contributions} if d.root_cause else None,
        "action_items": [(i.kind, i.title) for i in d.action_items],
    }[node]


def _run_with(env: pytest.MonkeyPatch, tmp_path: Path, overrides: dict, **server_kw: bool) -> tuple[PostmortemDraft, OpenAIServer]:
    with OpenAIServer(EchoModel(overrides), **server_kw) as srv:
        env.setenv("OPENAI_BASE_URL", srv.base_url)
        return run_llm(case_dir(CASE), tmp_path / "out"), srv


@pytest.mark.parametrize("node", NODES)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_degrades_only_its_node(
    llm_env, tmp_path: Path, offline_draft: PostmortemDraft, node: str, fault: str  # noqa: F811
) -> None:
    llm_env.setenv("PMDRAFT_LLM_TIMEOUT", "0.3")
    llm_env.setenv("PMDRAFT_LLM_RETRIES", "1")
    draft, _ = _run_with(llm_env, tmp_path, {node: FAULTS[fault]})
    assert (tmp_path / "out" / "draft.md").is_file()
    assert draft.provenance.degraded_nodes == [node]
    assert draft.provenance.engine == "llm"
    assert _node_result(draft, node) == _node_result(offline_draft, node)
    assert any(n.startswith(f"{node}: LLM call failed") for n in draft.provenance.notes)
    assert node not in draft.provenance.prompt_versions


@pytest.mark.parametrize("node", NODES)
def test_hallucinated_ids_and_refs_fall_back_to_offline(
    llm_env, tmp_path: Path, offline_draft: PostmortemDraft, node: str  # noqa: F811
) -> None:
    draft, _ = _run_with(llm_env, tmp_path, {node: HALLUCINATED[node]})
    assert draft.provenance.degraded_nodes == [node]
    if node != "action_items":  # action_items keeps the offline eval item, the rest is rejected
        assert _node_result(draft, node) == _node_result(offline_draft, node)


def test_an_unverifiable_quote_is_replaced_and_noted_without_degrading(
    llm_env, tmp_path: Path, offline_draft: PostmortemDraft  # noqa: F811
) -> None:
    def paraphrase(req: dict) -> dict:
        from fakes.responders import ANSWERS, data_of

        facts, items = data_of(req)
        answer = ANSWERS["extract_inferences"](facts, {i["ref"]: i for i in items})
        answer["inferences"][0]["quote"] = "The agent thought everything was deadlocked, more or less."
        return answer

    draft, _ = _run_with(llm_env, tmp_path, {"extract_inferences": paraphrase})
    assert draft.provenance.degraded_nodes == []
    assert _node_result(draft, "extract_inferences") == _node_result(offline_draft, "extract_inferences")
    assert all(i.verified for i in draft.agent_inferences)
    assert any("not verbatim in the span; the offline quote is used" in n for n in draft.provenance.notes)


def test_an_unreachable_endpoint_degrades_every_node_quickly(llm_env, tmp_path: Path) -> None:  # noqa: F811
    llm_env.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    t0 = time.monotonic()
    draft = run_llm(case_dir(CASE), tmp_path / "out", replays=3)
    assert time.monotonic() - t0 < 30
    assert draft.provenance.degraded_nodes == [*NODES, "replay"]
    assert draft.behavior_rate is None and draft.provenance.llm_calls == 0
    assert (tmp_path / "out" / "draft.json").is_file()


def test_json_schema_rejection_costs_one_request_then_json_object_serves_the_run(
    llm_env, tmp_path: Path  # noqa: F811
) -> None:
    draft, srv = _run_with(llm_env, tmp_path, {}, reject_json_schema=True)
    kinds = [(r.get("response_format") or {}).get("type") for r in srv.requests]
    assert kinds == ["json_schema", *["json_object"] * 5]
    assert draft.provenance.degraded_nodes == []
    assert draft.provenance.llm_calls == 6
