"""OpenAI Agents SDK reader (formats.md §7): fixtures written from the spec, plus the shared eval cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.errors import BadInput
from tools.model.trace import Span, Trace
from tools.traces import langfuse, langsmith, openai_agents
from tools.traces.sniff import sample_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
OA = FIXTURES / "openai_agents"
CASES = Path(__file__).resolve().parents[2].parent / "shared" / "evals-dev" / "cases"
needs_shared = pytest.mark.skipif(not CASES.is_dir(), reason="shared/evals-dev is not next to the repo")

TRACE_ID = "trace_5e1c0a9b8d7f4e3a2b1c0d9e8f7a6b5c"
GROUP = "group_1a2b3c4d5e6f7a8b9c0d1e2f"
NS_2026 = 1772360100 * 10**9  # 2026-03-01T10:15:00Z


def sid(n: int) -> str:
    return f"span_{n:024x}"


def read_one(path: Path) -> Trace:
    traces = openai_agents.read([path], None)
    assert len(traces) == 1
    return traces[0]


def by_id(trace: Trace) -> dict[str, Span]:
    return {s.span_id: s for s in trace.spans}


def write_jsonl(tmp_path: Path, items: list[Any], name: str = "t.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    return path


def fixture_items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (OA / "trace.jsonl").read_text().splitlines() if line]


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trace.jsonl", "ingest-payload.json", "bad-broken-line.jsonl"])
def test_detects_agents_sdk_fixtures(name: str) -> None:
    sample = sample_file(OA / name)
    assert openai_agents.detect(sample)
    assert not langfuse.detect(sample)
    assert not langsmith.detect(sample)


@pytest.mark.parametrize("sub", ["langsmith", "langfuse"])
def test_does_not_claim_other_formats(sub: str) -> None:
    for path in sorted((FIXTURES / sub).glob("*.json*")):
        if not path.name.startswith("bad"):
            assert not openai_agents.detect(sample_file(path)), path.name


def test_does_not_claim_otlp(tmp_path: Path) -> None:
    path = tmp_path / "otlp.jsonl"
    line = {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "ab", "spanId": "cd", "name": "x"}]}]}]}
    path.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n")
    assert not openai_agents.detect(sample_file(path))


def test_detects_by_keys_when_the_first_line_is_huge(tmp_path: Path) -> None:
    items = fixture_items()
    items[1]["span_data"]["name"] = "x" * 70_000
    sample = sample_file(write_jsonl(tmp_path, items[1:]))
    assert sample.first is None
    assert openai_agents.detect(sample)
    assert not langfuse.detect(sample) and not langsmith.detect(sample)


# --- the JSONL export ---------------------------------------------------------------------------


def test_spans_in_end_order_come_back_in_start_order() -> None:
    trace = read_one(OA / "trace.jsonl")
    assert trace.format == "openai-agents-jsonl"
    # 13 span lines, the Escalation agent exported twice (on start and on end)
    assert len(trace.spans) == 12
    assert [s.span_id for s in trace.spans][:3] == [sid(1), sid(2), sid(8)]
    starts = [s.start_ns for s in trace.spans]
    assert starts == sorted(starts) and starts[0] == NS_2026
    assert all(s.trace_id == TRACE_ID and s.source_format == "openai-agents-jsonl" for s in trace.spans)


def test_null_parent_is_top_level_and_trace_object_fields_go_on_it() -> None:
    spans = by_id(read_one(OA / "trace.jsonl"))
    task = spans[sid(1)]
    assert task.parent_id is None and task.kind == "chain" and task.name == "task"
    assert task.attributes["trace"]["workflow_name"] == "Incident triage"
    assert task.attributes["trace"]["metadata"] == {"incident": "INC-88"}
    # the trace object has no timestamps: nothing derived from it, nothing broken
    assert task.start_ns == NS_2026 and task.end_ns == NS_2026 + 35_200_000_000
    assert {s.session_id for s in spans.values()} == {GROUP}
    assert "trace" not in spans[sid(2)].attributes


def test_kinds_and_agents() -> None:
    spans = by_id(read_one(OA / "trace.jsonl"))
    kinds = {n: spans[sid(n)].kind for n in range(1, 13)}
    assert kinds == {
        1: "chain",
        2: "agent",
        3: "chain",
        4: "llm",
        5: "tool",
        6: "llm",
        7: "tool",
        8: "guardrail",
        9: "handoff",
        10: "agent",
        11: "llm",
        12: "tool",
    }
    assert spans[sid(1)].agent is None
    assert {spans[sid(n)].agent for n in (2, 3, 4, 5, 6, 7, 8, 9)} == {"Triage"}
    assert {spans[sid(n)].agent for n in (10, 11, 12)} == {"Escalation"}


def test_handoff_span() -> None:
    handoff = by_id(read_one(OA / "trace.jsonl"))[sid(9)]
    assert handoff.name == "handoff Triage → Escalation"
    assert (handoff.attributes["from_agent"], handoff.attributes["to_agent"]) == ("Triage", "Escalation")


def test_generation_messages_output_tokens() -> None:
    spans = by_id(read_one(OA / "trace.jsonl"))
    first = spans[sid(4)]
    assert first.name == "generation gpt-4.1"
    assert [(m.role, m.content) for m in first.input_messages] == [
        ("system", "You triage checkout incidents."),
        ("user", "Checkout 5xx since 10:10."),
    ]
    assert first.output_text is None
    assert [(c.id, c.name, c.arguments) for c in first.output_tool_calls] == [
        ("call_l1", "query_logs", '{"service":"checkout"}')
    ]
    assert (first.model, first.provider, first.tokens_in, first.tokens_out) == ("gpt-4.1", "openai", 220, 18)
    second = spans[sid(6)]
    assert second.output_text == "The log query timed out, so there are no errors: the deploy is fine."
    assert second.input_messages[-1].role == "tool" and second.input_messages[-1].tool_call_id == "call_l1"
    assert "input" not in second.attributes["span_data"] and "output" not in second.attributes["span_data"]
    assert second.attributes["span_data"]["model"] == "gpt-4.1"


def test_function_error_object_and_python_repr_output() -> None:
    spans = by_id(read_one(OA / "trace.jsonl"))
    failed = spans[sid(5)]
    assert failed.status == "error"
    assert failed.error == "Error running tool (non-fatal): timeout after 30s"
    assert failed.attributes["error"]["data"]["tool_name"] == "query_logs"
    assert (failed.tool_name, failed.tool_args, failed.tool_result) == (
        "query_logs",
        '{"service":"checkout"}',
        None,
    )
    ok = spans[sid(7)]
    assert ok.status == "ok"
    assert (
        ok.tool_result == "{'deploys': [{'service': 'checkout', 'version': 'v2.31.0'}]}"
    )  # str(output), verbatim


def test_response_mcp_guardrail_and_merged_duplicate() -> None:
    spans = by_id(read_one(OA / "trace.jsonl"))
    response = spans[sid(11)]
    assert (response.tokens_in, response.tokens_out, response.attributes["response_id"]) == (
        90,
        12,
        "resp_abc123",
    )
    assert response.output_text is None
    mcp = spans[sid(12)]
    assert (mcp.name, mcp.tool_result) == ("mcp_tools pager", '["page","ack"]')
    guard = spans[sid(8)]
    assert guard.attributes["span_data"]["triggered"] is True and guard.name == "scope_check"
    escalation = spans[sid(10)]
    assert escalation.end_ns is not None and escalation.status == "ok"
    assert escalation.attributes["span_data"]["output_type"] == "str"


def test_custom_turn_span_keeps_its_data() -> None:
    turn = by_id(read_one(OA / "trace.jsonl"))[sid(3)]
    assert turn.name == "turn" and turn.attributes["span_data"]["data"]["turn"] == 1


# --- the ingest payload and other shapes --------------------------------------------------------


def test_ingest_payload() -> None:
    trace = read_one(OA / "ingest-payload.json")
    assert trace.format == "openai-agents-json"
    assert [s.span_id for s in trace.spans] == [sid(1), sid(2), sid(3), sid(6)]
    assert trace.spans[-1].agent == "Triage"


def test_jsonl_of_ingest_batches(tmp_path: Path) -> None:
    items = fixture_items()
    path = write_jsonl(tmp_path, [{"data": items[:5]}, {"data": items[5:]}])
    assert openai_agents.detect(sample_file(path))
    assert len(read_one(path).spans) == 12


def test_span_without_trace_id_joins_the_preceding_trace(tmp_path: Path) -> None:
    items = fixture_items()
    del items[1]["trace_id"]
    assert by_id(read_one(write_jsonl(tmp_path, items)))[sid(8)].trace_id == TRACE_ID


def test_unfinished_span_is_unset_and_unknown_objects_are_skipped(tmp_path: Path) -> None:
    items = fixture_items()
    items[1]["ended_at"] = None
    items.append({"object": "something.else", "id": "x"})
    trace = read_one(write_jsonl(tmp_path, items))
    assert by_id(trace)[sid(8)].status == "unset"
    assert any("skipped" in w for w in trace.warnings)


def test_unknown_span_type_and_string_error(tmp_path: Path) -> None:
    items = fixture_items()
    items[1]["span_data"] = {"type": "brand_new", "name": "n"}
    items[1]["error"] = "plain failure"
    span = by_id(read_one(write_jsonl(tmp_path, items)))[sid(8)]
    assert (span.kind, span.status, span.error) == ("other", "error", "plain failure")


# --- bad and odd input -------------------------------------------------------------------------


def test_broken_line_is_named() -> None:
    with pytest.raises(BadInput) as err:
        openai_agents.read([OA / "bad-broken-line.jsonl"])
    assert err.value.line == 3


def test_span_without_id_fails(tmp_path: Path) -> None:
    items = fixture_items()
    del items[2]["id"]
    with pytest.raises(BadInput) as err:
        openai_agents.read([write_jsonl(tmp_path, items)])
    assert err.value.line == 3 and "no 'id'" in str(err.value)


def test_orphan_span_without_trace_fails(tmp_path: Path) -> None:
    items = fixture_items()[1:]
    del items[0]["trace_id"]
    with pytest.raises(BadInput, match="trace_id"):
        openai_agents.read([write_jsonl(tmp_path, items)])


def test_truncated_payload_fails(tmp_path: Path) -> None:
    text = (OA / "ingest-payload.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(BadInput, match="truncated"):
        openai_agents.read([path])


@pytest.mark.parametrize(
    "field",
    [
        "span_data",
        "started_at",
        "ended_at",
        "error",
        "parent_id",
        "metadata",
        "input",
        "output",
        "usage",
        "model_config",
        "data",
        "name",
        "from_agent",
    ],
)
def test_odd_but_valid_fields_never_crash(tmp_path: Path, field: str) -> None:
    for value in [None, 0, "text", [], {}, [1, "a"], {"x": None}, True]:
        items = fixture_items()
        for item in items[1:]:
            if field in ("span_data", "started_at", "ended_at", "error", "parent_id", "metadata"):
                item[field] = value
            else:
                item["span_data"][field] = value
        trace = read_one(write_jsonl(tmp_path, items))
        assert trace.spans or trace.warnings


# --- the shared eval cases ---------------------------------------------------------------------


@needs_shared
def test_shared_case_03_correct_but_powerless() -> None:
    path = CASES / "03-correct-but-powerless" / "traces" / "agents-trace.jsonl"
    assert openai_agents.detect(sample_file(path))
    trace = read_one(path)
    assert len(trace.spans) == 30
    spans = by_id(trace)
    expected = json.loads((CASES / "03-correct-but-powerless" / "expected.json").read_text())
    assert "decision_span_ids" not in expected  # no wrong inference in this case
    handoff = spans["span_deab1fe77bcba0824527db4f"]
    assert handoff.kind == "handoff" and handoff.name == "handoff Triage → Escalation"
    assessment = spans["span_4632f65f7566b4ce0032469e"]
    assert assessment.kind == "llm" and assessment.agent == "Triage"
    # the right call, recorded by the agent (the chat later says "rollback")
    assert "v2.31.0" in (assessment.output_text or "") and "roll back" in (assessment.output_text or "")
    assert [c.name for c in assessment.output_tool_calls] == ["transfer_to_escalation"]
    failed = spans["span_ead4b2e3d2d6802928452ba6"]
    assert failed.status == "error" and "30s scan budget" in (failed.error or "")
    assert {s.agent for s in trace.spans if s.parent_id} == {"Triage", "Escalation"}
    assert {s.session_id for s in trace.spans} == {"group_5d0c9b7e1f2a3c4d6e8f9a0b"}


@needs_shared
def test_shared_case_09_double_discount() -> None:
    path = CASES / "09-double-discount" / "traces" / "billing-assistant.jsonl"
    assert openai_agents.detect(sample_file(path))
    trace = read_one(path)
    assert len(trace.spans) == 27
    spans = by_id(trace)
    expected = json.loads((CASES / "09-double-discount" / "expected.json").read_text())
    for span_id in expected["decision_span_ids"]:
        span = spans[span_id]
        assert span.kind == "llm"
        recorded = (span.output_text or "") + " " + " ".join(c.arguments for c in span.output_tool_calls)
        for phrase in expected["inference_phrases"]:
            assert phrase.lower() in recorded.lower()
    decision = spans["span_75361a75d2990ec4da53de2f"]
    assert [c.name for c in decision.output_tool_calls] == ["apply_discount"]
    assert (decision.model, decision.tokens_in, decision.tokens_out) == ("gpt-4.1-mini", 600, 58)
    assert decision.agent == "Billing assistant"
    timeout = spans["span_63a7a1421f475f2c6f8774b1"]
    assert timeout.status == "error" and "timed out after 15s" in (timeout.error or "")
    assert timeout.tool_result is None


@needs_shared
def test_shared_cases_of_other_formats_are_not_claimed() -> None:
    for path in sorted(CASES.glob("*/traces/*")):
        if path.parent.parent.name not in ("03-correct-but-powerless", "09-double-discount"):
            assert not openai_agents.detect(sample_file(path)), path
