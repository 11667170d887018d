"""Behavior rate: N replays of the decision point, classified, with a Wilson 95% interval."""

from __future__ import annotations

import json
import queue
from pathlib import Path

import pytest
from llm_support import case_dir, llm_env, run_llm  # noqa: F401

from agent.draft import AgentInference
from agent.llm.replay import Reference, lexical_same, recorded_temperature, replay_messages, wilson
from agent.workspace import workspace
from conftest import needs_shared
from fakes.openai_server import OpenAIServer, Reply
from fakes.responders import EchoModel, node_of
from tools.model.trace import ChatMessage, Span, ToolCall
from tools.redact import default_redactor

CASE = "01-queue-stuck"
WRONG = "Diagnosis: consumer deadlock in ingest-workers. I'll run the deadlock recovery for the consumer group."
RIGHT = "Deliver rate 0 with 0 unacked means nothing is being published; check whether the producer stopped publishing."


@pytest.mark.parametrize(("bad", "n", "low", "high"), [(0, 20, 0.0, 0.161), (3, 20, 0.052, 0.360), (20, 20, 0.839, 1.0),
                                                        (5, 10, 0.237, 0.763)])
def test_wilson_interval(bad: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(bad, n)
    assert (round(lo, 3), round(hi, 3)) == (low, high)
    assert wilson(0, 0) == (0.0, 1.0)


def test_lexical_classifier() -> None:
    ref = Reference.build(
        AgentInference(span_id="s", quote="Diagnosis: consumer deadlock in ingest-workers, consumers waiting with 0 acks.",
                       action="run_recovery({\"scenario\": \"consumer_deadlock\"})", verified=True, is_decision=True),
        "dana.w: the producer stopped publishing at 13:41, its Vault lease expired",
    )
    assert lexical_same(WRONG, ref)
    assert lexical_same("Calling run_recovery now.", ref)
    assert not lexical_same(RIGHT, ref)
    assert not lexical_same("I need more data before acting.", ref)


def test_replay_messages_are_plain_turns_redacted_and_fitted() -> None:
    span = Span(trace_id="t", span_id="s", kind="llm", input_messages=[
        ChatMessage(role="system", content="You are the ops agent."),
        ChatMessage(role="user", content="queue stuck " * 2000),
        ChatMessage(role="assistant", content="", tool_calls=[ToolCall(id="c1", name="queue_diagnostics", arguments="{}")]),
        ChatMessage(role="tool", name="queue_diagnostics", content='{"consumers": 8, "token": "sk-proj-Abc123def456GHI789jkl012"}'),
    ])
    msgs = replay_messages(span, default_redactor(), budget=600)
    assert [m["role"] for m in msgs] == ["system", "assistant", "user"]  # oldest turn dropped to fit
    assert msgs[1]["content"] == "[called queue_diagnostics({})]"
    assert msgs[2]["content"].startswith("[tool result queue_diagnostics]") and "[redacted]" in msgs[2]["content"]
    assert recorded_temperature(Span(trace_id="t", span_id="s", attributes={"gen_ai.request.temperature": 0.3})) == 0.3
    assert recorded_temperature(Span(trace_id="t", span_id="s", attributes={"llm.invocation_parameters": '{"temperature": 0.7}'})) == 0.7


@needs_shared
def test_replays_fill_the_behavior_rate(llm_env, tmp_path: Path) -> None:  # noqa: F811
    answers: queue.Queue[str] = queue.Queue()  # replays arrive concurrently: a thread-safe script
    for a in [WRONG, RIGHT, WRONG, RIGHT, RIGHT, WRONG, RIGHT, RIGHT]:
        answers.put(a)
    model = EchoModel()
    with OpenAIServer(lambda req: Reply.completion(answers.get_nowait()) if node_of(req) == "chat" else model(req)) as srv:
        llm_env.setenv("OPENAI_BASE_URL", srv.base_url)
        llm_env.setenv("PMDRAFT_LLM_MAX_CONCURRENCY", "3")
        draft = run_llm(case_dir(CASE), tmp_path / "out", replays=8)
        replays = [r for r in srv.requests if node_of(r) == "chat"]
    rate = draft.behavior_rate
    assert rate is not None and (rate.replays, rate.bad, rate.rate) == (8, 3, 0.375)
    assert (rate.ci_low, rate.ci_high) == tuple(round(x, 3) for x in wilson(3, 8)) and rate.model == "fake-model"
    decision = workspace(str(case_dir(CASE))).index.span(next(i.span_id for i in draft.agent_inferences if i.is_decision))
    assert decision is not None
    for req in replays:
        assert not {"tools", "functions", "tool_choice", "response_format"} & set(req)
        assert req["temperature"] == recorded_temperature(decision) == 0.1  # as the agent's call was made
        assert req["messages"][0]["content"] == decision.input_messages[0].content
    assert [c["node"] for c in draft.provenance.calls].count("replay") == 8
    assert "replay" not in draft.provenance.degraded_nodes
    assert "3 of 8" not in json.dumps(draft.provenance.notes)


@needs_shared
def test_llm_judge_classifies_with_its_own_prompt(llm_env, tmp_path: Path) -> None:  # noqa: F811
    verdicts = iter([True, False, True])
    model = EchoModel(overrides={"replay_judge": lambda req: {"same_wrong_inference": next(verdicts), "reason": "r"}},
                      chat_text="Some answer.")
    with OpenAIServer(model) as srv:
        llm_env.setenv("OPENAI_BASE_URL", srv.base_url)
        llm_env.setenv("PMDRAFT_REPLAY_JUDGE", "llm")
        draft = run_llm(case_dir(CASE), tmp_path / "out", replays=3)
        judged = [r for r in srv.requests if node_of(r) == "replay_judge"]
    assert draft.behavior_rate is not None and (draft.behavior_rate.replays, draft.behavior_rate.bad) == (3, 2)
    assert draft.provenance.prompt_versions["replay"] == "replay_judge@1"
    assert len(judged) == 3 and "Some answer." in judged[0]["messages"][-1]["content"]


@needs_shared
def test_failed_replays_degrade_the_replay_node_only(llm_env, tmp_path: Path) -> None:  # noqa: F811
    model = EchoModel(overrides={})
    with OpenAIServer(lambda req: Reply.error(503, "busy") if node_of(req) == "chat" else model(req)) as srv:
        llm_env.setenv("OPENAI_BASE_URL", srv.base_url)
        draft = run_llm(case_dir(CASE), tmp_path / "out", replays=4)
    assert draft.behavior_rate is None
    assert draft.provenance.degraded_nodes == ["replay"]
    assert any(n.startswith("replay: behavior rate not measured") for n in draft.provenance.notes)


@needs_shared
def test_no_replays_without_the_flag_and_none_offline(llm_env, tmp_path: Path) -> None:  # noqa: F811
    with OpenAIServer(EchoModel()) as srv:
        llm_env.setenv("OPENAI_BASE_URL", srv.base_url)
        draft = run_llm(case_dir(CASE), tmp_path / "llm")
        assert draft.behavior_rate is None and all(node_of(r) != "chat" for r in srv.requests)
        offline = run_llm(case_dir(CASE), tmp_path / "offline", engine="offline", replays=5)
        assert offline.behavior_rate is None and offline.provenance.llm_calls == 0
