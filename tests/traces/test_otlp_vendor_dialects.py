"""Traceloop/OpenLLMetry, LangSmith-OTel and Langfuse-OTel attribute dialects inside OTLP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.model.trace import Span
from tools.traces import otlp

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "otlp"


@pytest.fixture(scope="module")
def spans() -> dict[str, Span]:
    (trace,) = otlp.read([FIX / "vendor_dialects.json"])
    assert trace.format == "otlp-json/genai-legacy+langfuse-otel"
    return {s.span_id[-1]: s for s in trace.spans}


def test_traceloop_kinds_and_entity_io(spans: dict[str, Span]) -> None:
    workflow, agent, tool = spans["1"], spans["2"], spans["3"]
    assert (workflow.kind, agent.kind, tool.kind) == ("chain", "agent", "tool")
    assert workflow.input_text == '{"args": [], "kwargs": {"alert": "checkout 5xx"}}'
    assert workflow.output_text == '"rolled back"'
    assert workflow.session_id == "thread-77"
    assert agent.agent == "triage_agent"
    assert (tool.tool_name, tool.tool_args, tool.tool_result) == (
        "query_logs",
        '{"args": [], "kwargs": {"service": "checkout"}}',
        '"no errors"',
    )
    assert tool.agent == "triage_agent"  # inherited from the agent span
    assert tool.source_format == "otlp-json/traceloop"


def test_flattened_gen_ai_prompt_and_completion(spans: dict[str, Span]) -> None:
    llm = spans["4"]
    assert llm.kind == "llm"  # llm.request.type=chat
    assert [(m.role, m.content) for m in llm.input_messages] == [
        ("system", "You triage alerts."),
        ("user", "checkout 5xx"),
        ("assistant", ""),
        ("tool", "no errors"),
        ("user", "and the deploy?"),  # index 10 sorts after 3
    ]
    call = llm.input_messages[2].tool_calls[0]
    assert (call.id, call.name, call.arguments) == ("call_a", "query_logs", '{"service": "checkout"}')
    assert llm.input_messages[3].tool_call_id == "call_a"
    assert llm.output_text == "The deploy at 14:02 caused it; rolling back."
    assert [(c.id, c.name, c.arguments) for c in llm.output_tool_calls] == [
        ("call_b", "rollback", '{"to": "v2.30.4"}')
    ]
    assert (llm.model, llm.response_model, llm.provider) == ("gpt-4o", "gpt-4o-2024-08-06", "openai")
    assert (llm.tokens_in, llm.tokens_out) == (50, 10)
    assert llm.source_format == "otlp-json/genai-legacy"


def test_oldest_openllmetry_keys_and_function_call(spans: dict[str, Span]) -> None:
    llm = spans["5"]
    assert [(m.role, m.content) for m in llm.input_messages] == [("user", "Summarize: rollback done")]
    assert [(c.name, c.arguments) for c in llm.output_tool_calls] == [("post_summary", '{"text": "done"}')]


def test_langsmith_otel_whole_prompt_and_completion(spans: dict[str, Span]) -> None:
    llm = spans["6"]
    assert llm.kind == "llm"
    assert [(m.role, m.content) for m in llm.input_messages] == [
        ("system", "You answer refund questions."),
        ("user", "How long does a card refund take?"),
    ]
    assert llm.output_text == "A card refund takes 7 hours."
    assert [(c.id, c.name, c.arguments) for c in llm.output_tool_calls] == [
        ("call_ls", "log_answer", '{"topic":"refund"}')
    ]
    assert llm.session_id == "thr-5"  # not langsmith.trace.session_id, which is the project
    assert (llm.tokens_in, llm.tokens_out) == (30, 8)
    tool = spans["7"]
    assert (tool.kind, tool.tool_name, tool.tool_args, tool.tool_result) == (
        "tool",
        "policy_lookup",
        '{"input": "refund policy"}',
        '{"output": "v3: 7 hours"}',
    )


def test_langfuse_otel_generation_and_error_level(spans: dict[str, Span]) -> None:
    gen = spans["8"]
    assert (gen.kind, gen.model, gen.tokens_in, gen.tokens_out) == ("llm", "gpt-4.1", 12, 9)
    assert [(m.role, m.content) for m in gen.input_messages] == [("user", "Can I stream on two devices?")]
    assert gen.output_text == "Our policy is one device per subscription."
    assert gen.session_id == "lf-session-1"
    tool = spans["9"]
    assert (tool.kind, tool.tool_args, tool.tool_result) == ("tool", '{"q": "devices"}', '{"hits": []}')
    assert (tool.status, tool.error) == ("error", "nothing above the relevance threshold")
