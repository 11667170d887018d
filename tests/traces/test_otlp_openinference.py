"""OpenInference attributes inside OTLP → normalized spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.model.trace import Span
from tools.traces import otlp

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "otlp"


@pytest.fixture(scope="module")
def spans() -> dict[str, Span]:
    (trace,) = otlp.read([FIX / "openinference.json"])
    assert trace.format == "otlp-json/openinference"
    return {s.span_id: s for s in trace.spans}


def test_kinds(spans: dict[str, Span]) -> None:
    kinds = {sid[:1]: s.kind for sid, s in spans.items()}
    assert kinds == {
        "a": "agent",
        "1": "llm",
        "2": "llm",
        "8": "llm",
        "3": "tool",
        "4": "retrieval",
        "5": "guardrail",
        "6": "other",  # plain HTTP client span from another scope
        "7": "handoff",  # a TOOL span named "handoff to …"
        "9": "other",  # EMBEDDING
    }


def test_input_messages_sorted_numerically_with_gaps(spans: dict[str, Span]) -> None:
    llm = spans["1111111111111111"]
    assert [m.role for m in llm.input_messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "user",
    ]
    assert llm.input_messages[-1].content == "Anything else before we roll back?"  # index 11, after 10
    assert llm.input_messages[5].tool_call_id == "call_9"  # index 10
    call = llm.input_messages[2].tool_calls[0]
    assert (call.id, call.name, call.arguments) == ("call_1", "query_logs", '{"service": "checkout"}')
    tool_msg = llm.input_messages[3]
    assert (tool_msg.tool_call_id, tool_msg.name, tool_msg.content) == (
        "call_1",
        "query_logs",
        "no errors in the last hour",
    )
    # message.contents.{j} parts (listed out of order) joined in index order
    assert llm.input_messages[4].content == "Logs are clean; checking metrics,\nthen the 5xx rate."


def test_output_text_and_tool_calls_as_recorded(spans: dict[str, Span]) -> None:
    llm = spans["1111111111111111"]
    assert llm.output_text == "The v2.31.0 deploy broke checkout; rolling back to v2.30.4."
    assert [(c.id, c.name, c.arguments) for c in llm.output_tool_calls] == [
        ("call_10", "rollback", '{"to":"v2.30.4"}'),
        ("call_11", "post_update", '{"text": "rolling back"}'),  # spacing kept as recorded
    ]
    assert "rollback" in llm.recorded_output()


def test_llm_model_provider_tokens_session(spans: dict[str, Span]) -> None:
    llm = spans["1111111111111111"]
    assert (llm.model, llm.response_model) == ("gpt-4o", "gpt-4o-2024-11-20")
    assert llm.provider == "openai"
    assert (llm.tokens_in, llm.tokens_out) == (812, 64)  # intValue as string and as number
    assert llm.session_id == "sess-42"
    assert llm.start_ns == 1767225601000000001
    assert llm.attributes["llm.invocation_parameters"] == '{"model":"gpt-4o","temperature":0}'


def test_failed_llm_call(spans: dict[str, Span]) -> None:
    failed = spans["2222222222222222"]
    assert failed.status == "error"
    assert failed.error == "RateLimitError: 429 from provider"
    assert failed.output_text is None and failed.output_tool_calls == []
    assert failed.events[0].attributes["exception.escaped"] is False


def test_llm_without_flattened_messages_falls_back_to_io_values(spans: dict[str, Span]) -> None:
    llm = spans["8888888888888888"]
    assert [(m.role, m.content) for m in llm.input_messages] == [("user", "Summarize the rollback.")]
    assert llm.output_text == "Rolled back at 14:12."
    assert [(c.name, c.arguments) for c in llm.output_tool_calls] == [("close_incident", '{"id": 7}')]


def test_tool_span_io_and_duplicate_keys(spans: dict[str, Span]) -> None:
    tool = spans["3333333333333333"]
    assert tool.tool_name == "query_logs"  # the later of two tool.name attributes
    assert tool.tool_args == '{"service": "checkout"}'
    assert tool.tool_result == "no errors in the last hour"
    assert tool.attributes["metadata"] == '{"tool_schema_version": "1.2"}'


def test_retrieval_documents_with_version_and_freshness(spans: dict[str, Span]) -> None:
    ret = spans["4444444444444444"]
    assert ret.input_text == "checkout 500s"
    first, second = ret.documents
    assert (first.id, first.score, first.version, first.updated_at) == (
        "runbook-17",
        0.82,
        "v3",
        "2025-11-20",
    )
    assert first.metadata == {"owner": "sre"}
    assert first.content.startswith("Roll back the last deploy")
    # Python-repr metadata and a double sent as a string
    assert (second.score, second.version, second.updated_at) == (0.5, "4", "2026-01-02")
    assert second.metadata == {"title": "Deps"}


def test_agent_and_guardrail_io(spans: dict[str, Span]) -> None:
    root = spans["aaaaaaaaaaaaaaaa"]
    assert root.agent == "checkout-triage"  # AGENT span without agent.name: its name
    assert (root.input_text, root.output_text) == ("Why is checkout failing?", "Rolled back v2.31.0.")
    guard = spans["5555555555555555"]
    assert (guard.input_text, guard.output_text) == ('{"tool": "rollback"}', '{"allowed": true}')


def test_agent_inherited_and_service_kept(spans: dict[str, Span]) -> None:
    http = spans["6666666666666666"]
    assert http.parent_id == "3333333333333333"
    assert http.agent == "checkout-triage"
    assert http.service == "checkout-triage"
    assert http.source_format == "otlp-json"
    assert spans["1111111111111111"].source_format == "otlp-json/openinference"
