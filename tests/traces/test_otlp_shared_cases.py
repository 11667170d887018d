"""The OTLP cases of the shared dev eval set, read end to end (skipped when the set is absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.model.trace import Span, Trace
from tools.traces import otlp

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = SHARED / "evals-dev" / "cases"

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason="shared eval set not present")

# case → (trace format, span count)
EXPECTED = {
    "01-queue-stuck": ("otlp-json/openinference", 37),
    "04-migration-approval": ("otlp-json/genai", 31),
    "05-oom-restarts": ("otlp-jsonl/openinference", 38),
    "07-threat-intel-timeout": ("otlp-json/genai-events", 25),
    "10-wrong-team-paged": ("otlp-jsonl/genai+logs", 26),
    "11-deleted-managed-config": ("otlp-json/genai", 33),
}


def load(case: str) -> tuple[Trace, dict[str, Any]]:
    traces = otlp.read(sorted((CASES / case / "traces").iterdir()))
    assert len(traces) == 1
    return traces[0], json.loads((CASES / case / "expected.json").read_text())


def by_id(trace: Trace) -> dict[str, Span]:
    return {s.span_id: s for s in trace.spans}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_loads_with_decision_spans(case: str) -> None:
    trace, expected = load(case)
    fmt, count = EXPECTED[case]
    assert (trace.format, len(trace.spans), trace.warnings) == (fmt, count, [])
    spans = by_id(trace)
    assert expected["decision_span_ids"]
    for span_id in expected["decision_span_ids"]:
        span = spans[span_id]
        assert span.kind == "llm"
        recorded = (span.output_text or "") + "\n" + "\n".join(c.arguments for c in span.output_tool_calls)
        for phrase in expected["inference_phrases"]:
            assert phrase.lower() in recorded.lower(), (span_id, phrase)
        assert span.input_messages, span_id
        assert span.input_messages[0].role == "system"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_tree_is_whole(case: str) -> None:
    trace, _ = load(case)
    ids = {s.span_id for s in trace.spans}
    roots = [s for s in trace.spans if s.parent_id is None]
    assert len(roots) == 1 and roots[0].kind == "agent"
    assert all(s.parent_id in ids for s in trace.spans if s.parent_id is not None)
    assert all(s.agent == roots[0].agent for s in trace.spans)
    assert all(len(s.trace_id) == 32 and len(s.span_id) == 16 for s in trace.spans)


def test_01_openinference_details() -> None:
    trace, _ = load("01-queue-stuck")
    spans = by_id(trace)
    decision = spans["eed5d785672d1d81"]
    assert (decision.model, decision.response_model, decision.provider) == (
        "gpt-4.1",
        "gpt-4.1-2025-04-14",
        "openai",
    )
    assert (decision.tokens_in, decision.tokens_out, decision.session_id) == (1395, 207, "pd-Q3N8X2")
    assert [c.name for c in decision.output_tool_calls] == ["post_to_channel", "run_recovery"]
    assert len(decision.input_messages) == 12  # indices 0…11: 10 and 11 after 9
    assert decision.input_messages[10].role == "assistant" and decision.input_messages[11].role == "tool"
    rate_limited = spans["adc34ec495f15429"]
    assert rate_limited.status == "error"
    assert (rate_limited.error or "").startswith("RateLimitError: Error code: 429")
    retriever = spans["df12a6b0864ad9fa"]
    assert retriever.kind == "retrieval"
    top = retriever.documents[0]
    assert (top.id, top.updated_at) == ("RB-queue-stuck#s3", "2025-11-20")
    assert spans["e501be4e29de0682"].kind == "guardrail"
    diag = spans["2c8c4b322950888b"]
    assert (diag.kind, diag.tool_name) == ("tool", "queue_diagnostics")
    assert '"tool_version": "2.1.0"' in (diag.tool_result or "")
    assert sum(s.kind == "other" for s in trace.spans) == 15  # the httpx client spans


def test_05_jsonl_batches_out_of_order() -> None:
    trace, _ = load("05-oom-restarts")
    starts = [s.start_ns or 0 for s in trace.spans]
    assert starts == sorted(starts)
    first_decision = by_id(trace)["3b4e57874c87e6c2"]
    assert any(
        "unbounded" in m.content.lower() for m in first_decision.input_messages
    )  # the signal was in context


def test_07_http_child_span_carries_the_read_timeout() -> None:
    trace, _ = load("07-threat-intel-timeout")
    spans = by_id(trace)
    http = spans["0c942c223359e2c6"]
    assert http.parent_id == "f9904ee629d10699"
    assert spans["f9904ee629d10699"].tool_name == "lookup_threat_intel"
    assert (http.kind, http.status) == ("other", "error")
    assert http.error == "httpx.ReadTimeout: The read operation timed out (10.0s)"
    decision = spans["b43d5821af6d9755"]
    assert decision.source_format == "otlp-json/genai-events"
    assert decision.provider == "openai"
    assert not any("timeout" in m.content.lower() for m in decision.input_messages)


def test_10_chat_content_comes_from_the_logs_file() -> None:
    trace, _ = load("10-wrong-team-paged")
    assert trace.source_file.endswith("page-router.spans.jsonl")
    chats = [s for s in trace.spans if s.kind == "llm"]
    assert len(chats) == 9
    for chat in chats:
        assert chat.input_messages and chat.source_format == "otlp-jsonl/genai+logs"
        assert not any(k.startswith("gen_ai.input") for k in chat.attributes)  # nothing on the span itself
        assert all(e.attributes.get("body") is not None for e in chat.events)
    decision = by_id(trace)["3a6994ac72f2f3ab"]
    assert "payments-core" in (decision.output_text or "")
    assert [c.name for c in decision.output_tool_calls] == ["page"]


def test_04_and_11_genai_attributes() -> None:
    trace04, _ = load("04-migration-approval")
    migration = by_id(trace04)["cde66a68fbd9c21e"]
    assert (migration.kind, migration.status) == ("tool", "error")
    assert (migration.error or "").startswith("MigrationFailed: ERROR: canceling statement")
    trace11, _ = load("11-deleted-managed-config")
    shell = by_id(trace11)["d97922e65d1d6c93"]
    assert shell.tool_args == '{"command":"nginx -t","timeout_s":30}'  # kvlist → compact JSON
    decision = by_id(trace11)["1906ac06cf40a4ed"]
    assert [c.name for c in decision.output_tool_calls] == ["delete_file"] * 4


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_registry_detects_and_groups_spans_with_their_logs(case: str) -> None:
    from tools.traces import load_traces  # the registry imports every reader

    files = sorted((CASES / case / "traces").iterdir())
    (trace,) = load_traces(files)
    assert (trace.format, len(trace.spans)) == EXPECTED[case]
