"""Langfuse reader (formats.md §6): fixtures written from the spec, plus the shared eval cases."""

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
LF = FIXTURES / "langfuse"
CASES = Path(__file__).resolve().parents[2].parent / "shared" / "evals-dev" / "cases"
needs_shared = pytest.mark.skipif(not CASES.is_dir(), reason="shared/evals-dev is not next to the repo")

TRACE_ID = "3f9a0c1b2d4e5f60718293a4b5c6d7e8"
V2_PAGES = [LF / "observations-v2-page-1.json", LF / "observations-v2-page-2.json"]
NS_2026 = 1772360100 * 10**9  # 2026-03-01T10:15:00Z


def by_id(trace: Trace) -> dict[str, Span]:
    return {s.span_id: s for s in trace.spans}


def read_one(paths: list[Path]) -> Trace:
    traces = langfuse.read(paths, None)
    assert len(traces) == 1
    return traces[0]


def write(tmp_path: Path, payload: Any, name: str = "obs.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload))
    return path


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "trace-detail.json",
        "observations-v2-page-1.json",
        "observations-v2-page-2.json",
        "observations-v1.json",
        "observations-list.json",
    ],
)
def test_detects_langfuse_fixtures(name: str) -> None:
    sample = sample_file(LF / name)
    assert langfuse.detect(sample)
    assert not langsmith.detect(sample)
    assert not openai_agents.detect(sample)


@pytest.mark.parametrize("sub", ["langsmith", "openai_agents"])
def test_does_not_claim_other_formats(sub: str) -> None:
    for path in sorted((FIXTURES / sub).glob("*.json*")):
        if not path.name.startswith("bad"):
            assert not langfuse.detect(sample_file(path)), path.name


def test_does_not_claim_otlp(tmp_path: Path) -> None:
    span = {"traceId": "ab" * 16, "spanId": "cd" * 8, "name": "x", "startTimeUnixNano": "1"}
    path = write(tmp_path, {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})
    assert not langfuse.detect(sample_file(path))


def test_detects_a_page_too_big_for_the_sniff(tmp_path: Path) -> None:
    obs = {
        "id": "x1",
        "traceId": "t1",
        "startTime": "2026-03-01T10:15:00Z",
        "parentObservationId": None,
        "type": "SPAN",
        "input": "y" * 70_000,
    }
    sample = sample_file(write(tmp_path, {"data": [obs], "meta": {"cursor": None}}))
    assert sample.first is None
    assert langfuse.detect(sample)
    assert not langsmith.detect(sample) and not openai_agents.detect(sample)


# --- trace detail ------------------------------------------------------------------------------


def test_trace_detail_tree_kinds_and_session() -> None:
    trace = read_one([LF / "trace-detail.json"])
    assert trace.format == "langfuse-trace"
    assert len(trace.spans) == 10
    spans = by_id(trace)
    assert {s.trace_id for s in trace.spans} == {TRACE_ID}
    assert {s.session_id for s in trace.spans} == {"conv-77"}  # from the trace
    assert [s.kind for s in trace.spans] == [
        "agent",
        "chain",
        "llm",
        "tool",
        "tool",
        "retrieval",
        "llm",
        "guardrail",
        "chain",
        "other",
    ]
    assert spans["a000000000000001"].parent_id is None
    assert spans["a000000000000003"].parent_id == "a000000000000002"
    # the AGENT observation names the agent; finalize() hands it down the tree
    assert {s.agent for s in trace.spans} == {"shopbot"}
    assert spans["a000000000000001"].start_ns == NS_2026
    root_attrs = spans["a000000000000001"].attributes
    assert root_attrs["trace"]["name"] == "shopbot-chat" and root_attrs["trace"]["userId"] == "cust-5512"
    assert root_attrs["trace_scores"][0]["name"] == "user-feedback"
    assert "input" not in root_attrs and root_attrs["metadata"] == {"channel": "web"}


def test_generation_fields() -> None:
    plan = by_id(read_one([LF / "trace-detail.json"]))["a000000000000003"]
    assert [(m.role, m.content) for m in plan.input_messages] == [
        ("system", "You are Shopbot."),
        ("user", "Where is my order 5512?"),
    ]
    assert plan.output_text == "Let me look that up."
    assert [(c.id, c.name, c.arguments) for c in plan.output_tool_calls] == [
        ("call_o1", "get_order", '{"order_id": "5512"}')
    ]
    assert (plan.model, plan.provider, plan.tokens_in, plan.tokens_out) == ("gpt-4o", "openai", 150, 21)
    assert plan.attributes["promptName"] == "shopbot-plan" and plan.attributes["promptVersion"] == 3


def test_generation_tokens_fall_back_to_view_counts_and_string_output() -> None:
    answer = by_id(read_one([LF / "trace-detail.json"]))["a000000000000007"]
    assert (answer.tokens_in, answer.tokens_out) == (210, 12)
    assert answer.output_text == "It is packed and ships tomorrow, March 2."
    assert [m.role for m in answer.input_messages] == ["user", "tool"]


def test_level_error_and_warning() -> None:
    spans = by_id(read_one([LF / "trace-detail.json"]))
    failed = spans["a000000000000004"]
    assert (failed.status, failed.error) == ("error", "timeout after 30s")
    assert failed.tool_name == "get_order" and failed.tool_args == '{"order_id":"5512"}'
    assert failed.tool_result is None
    ok = spans["a000000000000005"]
    assert ok.status == "ok" and ok.tool_result == '{"status":"packed","ship_date":"2026-03-02"}'
    warned = spans["a000000000000009"]
    assert warned.status == "ok" and warned.error is None
    assert (warned.attributes["level"], warned.attributes["statusMessage"]) == ("WARNING", "render took 2s")


def test_retriever_documents() -> None:
    retr = by_id(read_one([LF / "trace-detail.json"]))["a000000000000006"]
    assert retr.input_text == "shipping times"
    assert [(d.id, d.score, d.version, d.updated_at) for d in retr.documents] == [
        ("faq-7", 0.77, "5", "2026-02-01T00:00:00Z"),
        ("faq-9", 0.52, "2", None),
    ]


def test_other_kinds_keep_input_and_output() -> None:
    spans = by_id(read_one([LF / "trace-detail.json"]))
    guard = spans["a000000000000008"]
    assert guard.input_text == '{"text":"It is packed and ships tomorrow, March 2."}'
    assert guard.attributes["output"] == '{"passed":true}'


# --- v2 observation pages -----------------------------------------------------------------------


def test_v2_pages_merge_into_one_trace() -> None:
    trace = read_one(V2_PAGES)
    assert trace.format == "langfuse-observations-v2"
    assert trace.source_file == str(V2_PAGES[0])
    # five observations; run_sql sat on both pages
    assert len(trace.spans) == 5
    # newest-first pages come back in start order
    assert [s.name for s in trace.spans] == ["etl-agent", "plan", "run_sql", "partition 2026-02-28", "report"]
    assert {s.source_file for s in trace.spans} == {str(p) for p in V2_PAGES}


def test_v2_root_flag_is_authoritative() -> None:
    root = by_id(read_one(V2_PAGES))["b000000000000001"]
    assert root.parent_id is None
    assert root.attributes["parentObservationId"] == "ffffffffffffffff"  # kept for citation
    assert root.agent == "etl-agent"


def test_v2_raw_string_input_output_are_decoded() -> None:
    spans = by_id(read_one(V2_PAGES))
    root = spans["b000000000000001"]
    assert root.input_text == "Backfill 2026-02-28"  # '"Backfill 2026-02-28"' decoded
    assert root.attributes["output"] == "done"
    plan = spans["b000000000000002"]
    assert [m.role for m in plan.input_messages] == ["system", "user"]
    assert plan.output_text == "The column is stored in UTC, so I will shift it."
    assert plan.output_tool_calls[0].arguments == '{"sql":"SELECT 1"}'
    assert (plan.model, plan.tokens_in, plan.tokens_out) == ("gpt-4.1", 300, 40)
    tool = spans["b000000000000003"]
    assert (tool.tool_args, tool.tool_result) == ('{"sql":"SELECT 1"}', "1 row")
    part = spans["b000000000000004"]
    assert (part.status, part.error) == ("error", "deadlock detected; retrying")
    assert {s.session_id for s in spans.values()} == {"JOB-17"}


# --- v1 page, bare list, JSON Lines, snake_case ---------------------------------------------------


def test_v1_page_structured_io_and_python_repr_tool_input() -> None:
    trace = read_one([LF / "observations-v1.json"])
    assert trace.format == "langfuse-observations-v1"
    spans = by_id(trace)
    assert spans["c-tool"].tool_args == "{'text': 'pong'}"  # a recorded string stays as it is
    assert spans["c-gen"].output_text == "pong"
    assert (spans["c-gen"].tokens_in, spans["c-gen"].tokens_out) == (5, 1)  # legacy usage block
    assert spans["c-gen"].input_messages[0].content == "Say pong"
    assert spans["c-root"].input_text == "ping"
    assert spans["c-root"].start_ns == 1772528400 * 10**9


def test_bare_list_and_one_trace_per_detail_file() -> None:
    traces = langfuse.read([LF / "observations-list.json", LF / "trace-detail.json"], None)
    assert sorted(t.format for t in traces) == ["langfuse-observations", "langfuse-trace"]


def test_observations_as_json_lines(tmp_path: Path) -> None:
    items = json.loads((LF / "observations-list.json").read_text())
    path = tmp_path / "obs.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    assert langfuse.detect(sample_file(path))
    trace = read_one([path])
    assert trace.format == "langfuse-observations-jsonl" and len(trace.spans) == 3


def test_snake_case_fields_are_accepted(tmp_path: Path) -> None:
    obs = {
        "id": "s1",
        "trace_id": "t1",
        "type": "generation",
        "name": "g",
        "parent_observation_id": None,
        "start_time": "2026-03-01T10:15:00Z",
        "end_time": "2026-03-01T10:15:01Z",
        "status_message": "boom",
        "level": "ERROR",
        "usage_details": {"input": 3, "output": 4},
        "session_id": "s-9",
        "input": [{"role": "user", "content": "q"}],
        "output": {"role": "assistant", "content": "a"},
    }
    path = write(tmp_path, [obs])
    assert langfuse.detect(sample_file(path))
    span = read_one([path]).spans[0]
    assert (span.trace_id, span.kind, span.start_ns, span.status, span.error) == (
        "t1",
        "llm",
        NS_2026,
        "error",
        "boom",
    )
    assert (span.tokens_in, span.tokens_out, span.session_id, span.output_text) == (3, 4, "s-9", "a")


def test_unknown_type_is_other_and_metadata_string_is_decoded(tmp_path: Path) -> None:
    obs = {
        "id": "u1",
        "traceId": "t1",
        "type": "SOMETHING_NEW",
        "startTime": "2026-03-01T10:15:00Z",
        "parentObservationId": None,
        "metadata": '{"k": "v"}',
    }
    span = read_one([write(tmp_path, {"data": [obs], "meta": {"page": 1, "totalPages": 1}})]).spans[0]
    assert span.kind == "other" and span.attributes["metadata"] == {"k": "v"}
    assert span.status == "unset"  # no endTime, no error


def test_trace_detail_without_observations_warns(tmp_path: Path) -> None:
    path = write(tmp_path, {"id": "t1", "timestamp": "2026-03-01T10:15:00Z", "observations": []})
    assert langfuse.detect(sample_file(path))
    trace = read_one([path])
    assert trace.spans == [] and trace.warnings


# --- bad and odd input -------------------------------------------------------------------------


def test_observation_without_id_fails(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"data": [{"traceId": "t", "type": "SPAN", "startTime": "2026-03-01T10:15:00Z"}], "meta": {}},
    )
    with pytest.raises(BadInput, match="no 'id'"):
        langfuse.read([path])


def test_truncated_page_fails(tmp_path: Path) -> None:
    text = (LF / "observations-v2-page-1.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(BadInput, match="truncated"):
        langfuse.read([path])


def test_jsonl_line_that_is_not_langfuse_fails_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text('{"id": "a", "traceId": "t", "parentObservationId": null}\n{"hello": 1}\n')
    with pytest.raises(BadInput) as err:
        langfuse.read([path])
    assert err.value.line == 2


@pytest.mark.parametrize(
    "field",
    [
        "type",
        "name",
        "startTime",
        "endTime",
        "input",
        "output",
        "metadata",
        "level",
        "statusMessage",
        "parentObservationId",
        "usageDetails",
        "usage",
        "model",
        "isRootObservation",
        "promptTokens",
        "sessionId",
    ],
)
def test_odd_but_valid_fields_never_crash(tmp_path: Path, field: str) -> None:
    trace = json.loads((LF / "trace-detail.json").read_text())
    for value in [None, 0, "text", '{"a":', [], {}, [1, "a"], {"x": None}, True]:
        trace["observations"] = [{**o, field: value} for o in trace["observations"]]
        assert len(read_one([write(tmp_path, trace)]).spans) == 10


# --- the shared eval cases ---------------------------------------------------------------------


def _check_decisions(spans: dict[str, Span], case: str, ids: list[str]) -> None:
    expected = json.loads((CASES / case / "expected.json").read_text())
    for span_id in ids:
        span = spans[span_id]
        assert span.kind == "llm"
        recorded = (span.output_text or "") + " " + " ".join(c.arguments for c in span.output_tool_calls)
        for phrase in expected["inference_phrases"]:
            assert phrase.lower() in recorded.lower(), (span_id, phrase)


@needs_shared
def test_shared_case_06_invented_policy() -> None:
    files = sorted((CASES / "06-invented-policy" / "traces").glob("*.json"))
    assert len(files) == 2 and all(langfuse.detect(sample_file(f)) for f in files)
    traces = langfuse.read(files, None)
    assert [t.format for t in traces] == ["langfuse-trace", "langfuse-trace"]
    assert [len(t.spans) for t in traces] == [26, 26]
    assert sorted({s.session_id for t in traces for s in t.spans}) == ["conv_a81f20", "conv_c40e93"]
    spans = {s.span_id: s for t in traces for s in t.spans}
    expected = json.loads((CASES / "06-invented-policy" / "expected.json").read_text())
    _check_decisions(spans, "06-invented-policy", expected["decision_span_ids"])
    decision = spans["7c3fc33aded061e3"]
    assert decision.model == "gpt-4.1" and (decision.tokens_in, decision.tokens_out) == (528, 80)
    assert decision.agent == "helpdesk-bot"
    assert "relevance threshold" in decision.input_messages[0].content
    kinds = {s.kind for s in spans.values()}
    assert kinds == {"agent", "chain", "guardrail", "llm", "tool", "retrieval", "other"}
    retr = spans["83b6aeb265597806"]
    assert [d.id for d in retr.documents] == ["hc-art-1187", "hc-art-0942", "hc-art-0310"]


@needs_shared
def test_shared_case_08_backfill_pages() -> None:
    files = sorted((CASES / "08-backfill-timezone" / "traces").glob("*.json"))
    assert all(langfuse.detect(sample_file(f)) for f in files)
    trace = read_one(files)
    assert trace.format == "langfuse-observations-v2"
    assert len(trace.spans) == 33
    spans = by_id(trace)
    expected = json.loads((CASES / "08-backfill-timezone" / "expected.json").read_text())
    _check_decisions(spans, "08-backfill-timezone", expected["decision_span_ids"])
    decision = spans["7f62396b6c901c6d"]
    assert decision.output_tool_calls[0].name == "run_sql"
    assert decision.input_messages[-1].role == "tool"  # raw JSON string decoded into messages
    assert spans["caecaab997ce1a11"].status == "error"
    assert "could not serialize access" in (spans["caecaab997ce1a11"].error or "")
    starts = [s.start_ns for s in trace.spans]
    assert starts == sorted(starts) and trace.spans[0].span_id == "5b3100a556aec9a7"
    docs = spans["672cdd660680e35f"].documents
    assert docs[0].id == "wd-0117" and docs[0].updated_at == "2026-07-09T03:00:11Z"


@needs_shared
def test_shared_cases_of_other_formats_are_not_claimed() -> None:
    for path in sorted(CASES.glob("*/traces/*")):
        if not path.name.startswith(("langfuse", "observations")):
            assert not langfuse.detect(sample_file(path)), path
