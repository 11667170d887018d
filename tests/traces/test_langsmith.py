"""LangSmith runs reader (formats.md §5): fixtures written from the spec, plus the shared eval cases."""

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
LS = FIXTURES / "langsmith"
CASES = Path(__file__).resolve().parents[2].parent / "shared" / "evals-dev" / "cases"
needs_shared = pytest.mark.skipif(not CASES.is_dir(), reason="shared/evals-dev is not next to the repo")

ROOT = "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c1001"
LLM1 = "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c1003"
TOOL1 = "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c1005"
RETR = "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c1007"
LLM_FAILED = "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c100a"
LLM_RETRIED = "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c100b"
NS_2026 = 1772360100 * 10**9  # 2026-03-01T10:15:00Z


def read_one(path: Path) -> Trace:
    traces = langsmith.read([path], None)
    assert len(traces) == 1
    return traces[0]


def by_id(trace: Trace) -> dict[str, Span]:
    return {s.span_id: s for s in trace.spans}


def write_runs(tmp_path: Path, runs: list[dict[str, Any]], name: str = "runs.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"runs": runs}))
    return path


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["runs-page.json", "runs.jsonl", "dotted-order.jsonl", "bad-no-ids.json"])
def test_detects_langsmith_fixtures(name: str) -> None:
    sample = sample_file(LS / name)
    assert langsmith.detect(sample)
    assert not langfuse.detect(sample)
    assert not openai_agents.detect(sample)


@pytest.mark.parametrize("sub", ["langfuse", "openai_agents"])
def test_does_not_claim_other_formats(sub: str) -> None:
    for path in sorted((FIXTURES / sub).glob("*.json*")):
        if not path.name.startswith("bad"):
            assert not langsmith.detect(sample_file(path)), path.name


def test_does_not_claim_otlp(tmp_path: Path) -> None:
    otlp = tmp_path / "t.json"
    otlp.write_text(
        json.dumps(
            {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "ab", "spanId": "cd", "name": "x"}]}]}]}
        )
    )
    assert not langsmith.detect(sample_file(otlp))


def test_detects_a_file_too_big_for_the_sniff(tmp_path: Path) -> None:
    run = {
        "id": ROOT,
        "name": "big",
        "run_type": "chain",
        "start_time": "2026-03-01T10:15:00",
        "dotted_order": "x",
        "inputs": {"text": "x" * 70_000},
    }
    path = write_runs(tmp_path, [run])
    sample = sample_file(path)
    assert sample.first is None  # only the keys of the head were seen
    assert langsmith.detect(sample)
    assert not langfuse.detect(sample) and not openai_agents.detect(sample)


# --- the API page fixture ----------------------------------------------------------------------


def test_page_tree_kinds_and_format() -> None:
    trace = read_one(LS / "runs-page.json")
    assert trace.format == "langsmith-json"
    assert len(trace.spans) == 11
    spans = by_id(trace)
    assert spans[ROOT].parent_id is None
    assert spans[LLM1].parent_id == "0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c1002"
    assert {s.trace_id for s in trace.spans} == {ROOT}
    assert [s.kind for s in trace.spans].count("llm") == 3
    assert spans[TOOL1].kind == "tool" and spans[RETR].kind == "retrieval" and spans[ROOT].kind == "chain"
    assert all(
        s.source_format == "langsmith-json" and s.source_file == str(LS / "runs-page.json")
        for s in trace.spans
    )
    # spans come back in execution order
    starts = [s.start_ns for s in trace.spans]
    assert starts == sorted(starts)


def test_page_times_without_offset_are_utc() -> None:
    spans = by_id(read_one(LS / "runs-page.json"))
    assert spans[ROOT].start_ns == NS_2026 + 100_000_000
    assert spans[ROOT].end_ns == NS_2026 + 40 * 10**9


def test_agent_session_and_attributes() -> None:
    spans = by_id(read_one(LS / "runs-page.json"))
    # assistant_id is a UUID, so the graph id names the agent; every run inherits it
    assert {s.agent for s in spans.values()} == {"ops-graph"}
    # thread_id is only on the root's metadata here; the whole trace shares it
    assert {s.session_id for s in spans.values()} == {"thread-checkout-7"}
    root = spans[ROOT]
    assert root.attributes["metadata"]["prompt_version"] == "ops-system:v9"
    # the run-level session_id is the project, never taken for a conversation
    assert root.attributes["project_id"] == "77e1d2c3-0000-4aaa-8bbb-123456789abc"
    assert "session_id" not in root.attributes
    assert "inputs" not in root.attributes and "outputs" not in root.attributes


def test_llm_messages_output_model_and_tokens_from_usage_metadata() -> None:
    llm = by_id(read_one(LS / "runs-page.json"))[LLM1]
    assert [(m.role, m.content) for m in llm.input_messages] == [
        ("system", "You are the ops assistant for Larkspur Shop. Use query_logs before guessing."),
        ("user", "Why is checkout failing since 10:10?"),
    ]
    assert llm.output_text == "Checking the checkout logs first."
    # additional_kwargs.tool_calls: the model's raw arguments string, spacing kept
    assert [(c.id, c.name, c.arguments) for c in llm.output_tool_calls] == [
        ("call_q1", "query_logs", '{"service": "checkout", "minutes": 30}')
    ]
    assert (llm.model, llm.response_model, llm.provider) == ("gpt-4o", "gpt-4o-2024-08-06", "openai")
    assert (llm.tokens_in, llm.tokens_out) == (412, 38)
    assert llm.status == "ok"


def test_failed_llm_attempt_and_run_level_token_fallback() -> None:
    spans = by_id(read_one(LS / "runs-page.json"))
    failed = spans[LLM_FAILED]
    assert failed.status == "error"
    assert failed.error == "openai.APITimeoutError: Request timed out."
    assert failed.output_text is None and failed.output_tool_calls == []
    assert (failed.tokens_in, failed.tokens_out) == (None, None)  # all-zero counters mean "not counted"
    assert [e.name for e in failed.events] == ["start", "error"]
    assert failed.events[1].time_ns == NS_2026 + 35_120_000_000
    retried = spans[LLM_RETRIED]
    assert (retried.tokens_in, retried.tokens_out) == (530, 22)  # no usage_metadata: run-level counters
    assert retried.output_text == "payment-gw is returning 503s; the PSP is down, so this is not our deploy."
    assert retried.events == []  # streaming new_token events are not copied


def test_tool_input_python_repr_kept_as_string() -> None:
    spans = by_id(read_one(LS / "runs-page.json"))
    tool = spans[TOOL1]
    assert tool.tool_name == "query_logs"
    assert tool.tool_args == "{'service': 'checkout', 'minutes': 30}"
    assert tool.tool_result == "10:10:02 ERROR payment-gw 503 upstream connect error (x214)"
    runbooks = spans["0b6c1f4e-6a1d-4c3e-9f52-3d8e2a7c1006"]
    assert (runbooks.tool_args, runbooks.tool_result) == (
        "payment-gw 503",
        "RB-112: payment-gw 503s -> fail over to the secondary PSP.",
    )


def test_retriever_documents() -> None:
    retr = by_id(read_one(LS / "runs-page.json"))[RETR]
    assert retr.input_text == "payment-gw 503"
    assert [(d.id, d.version, d.updated_at, d.score) for d in retr.documents] == [
        ("runbooks/rb-112.md", "4", "2026-01-12T08:00:00Z", 0.81),
        ("rb-090#2", "2", "2025-11-02T00:00:00Z", None),
    ]
    assert retr.documents[0].content.startswith("RB-112")


def test_chain_keeps_input_and_output_text() -> None:
    root = by_id(read_one(LS / "runs-page.json"))[ROOT]
    assert (
        root.input_text == '{"messages":[{"role":"user","content":"Why is checkout failing since 10:10?"}]}'
    )
    assert "payment-gw is returning 503s." in root.attributes["output"]


# --- JSON Lines from the JS SDK / @traceable ---------------------------------------------------


def test_jsonl_epoch_ms_openai_format_and_token_places() -> None:
    trace = read_one(LS / "runs.jsonl")
    assert trace.format == "langsmith-jsonl"
    spans = {s.name: s for s in trace.spans}
    assert len(trace.spans) == 7
    root = spans["triage_ticket"]
    assert (root.start_ns, root.end_ns) == (NS_2026, NS_2026 + 9 * 10**9)  # epoch milliseconds
    assert root.agent == "ticket-triager" and root.session_id == "sess-88"
    chat = spans["openai.chat.completions.create"]
    assert chat.model == "gpt-4o-mini" and chat.response_model == "gpt-4o-mini-2024-07-18"
    assert chat.input_messages[1].content == "Ticket T-88:\nrefund not received"
    assert chat.output_text is None
    assert [(c.name, c.arguments) for c in chat.output_tool_calls] == [("lookup_refund", '{"ticket":"T-88"}')]
    assert (chat.tokens_in, chat.tokens_out) == (120, 14)  # OpenAI `usage` block
    assert (spans["summarize"].tokens_in, spans["summarize"].tokens_out) == (40, 9)  # outputs.usage_metadata
    assert spans["summarize"].input_messages[0].content == "Summarize: refund pending 9 days"
    anthropic = spans["ChatAnthropic"]  # outputs[key].kwargs.usage_metadata
    assert (anthropic.tokens_in, anthropic.tokens_out) == (61, 17)
    assert anthropic.provider == "anthropic" and anthropic.response_model == "claude-3-5-sonnet-20241022"
    assert [(c.id, c.arguments) for c in anthropic.output_tool_calls] == [
        ("toolu_01", '{"ticket":"T-88","tier":2}')
    ]
    assert (spans["classify"].tokens_in, spans["classify"].tokens_out) == (
        8,
        3,
    )  # outputs[key].usage_metadata
    tool = spans["lookup_refund"]
    assert tool.tool_args == '{"ticket":"T-88","include_history":true}'
    assert tool.tool_result == '{"status":"pending","days":9}'
    assert spans["embed"].kind == "other"


def test_dotted_order_gives_tree_times_and_sibling_order() -> None:
    """No start_time, parent_run_id or trace_id: all from dotted_order, whose fraction width
    varies (none, 3, 4, 6 digits); plain string sorting would order these siblings wrongly."""
    trace = read_one(LS / "dotted-order.jsonl")
    root = "9e8d7c6b-5a49-4838-a726-150f0e0d0c01"
    assert [s.name for s in trace.spans] == ["root", "first", "second", "third"]
    assert [s.start_ns for s in trace.spans] == [
        NS_2026,
        NS_2026 + 1_500_000_000,
        NS_2026 + 1_500_100_000,
        NS_2026 + 1_500_200_000,
    ]
    assert all(s.trace_id == root for s in trace.spans)
    assert [s.parent_id for s in trace.spans] == [None, root, root, root]
    assert trace.spans[0].agent == "root"  # no agent metadata: the root run's name
    assert trace.spans[0].status == "unset"


def test_dotted_segments_parser() -> None:
    uid = "9e8d7c6b-5a49-4838-a726-150f0e0d0c01"
    assert langsmith.dotted_segments(f"20260301T101500123Z{uid}") == [(NS_2026 + 123_000_000, uid)]
    assert langsmith.dotted_segments(f"20260301T101500123456Z{uid}") == [(NS_2026 + 123_456_000, uid)]
    assert langsmith.dotted_segments(None) == []
    assert langsmith.dotted_segments("garbage") == []


# --- token precedence, nested child_runs, duplicates -------------------------------------------


def test_usage_metadata_wins_over_run_level_counters(tmp_path: Path) -> None:
    run = {
        "id": LLM1,
        "name": "m",
        "run_type": "llm",
        "inputs": {},
        "prompt_tokens": 999,
        "completion_tokens": 1,
        "outputs": {"usage_metadata": {"input_tokens": 5, "output_tokens": 6}, "content": "x"},
    }
    span = read_one(write_runs(tmp_path, [run])).spans[0]
    assert (span.tokens_in, span.tokens_out) == (5, 6)


def test_tree_form_with_child_runs(tmp_path: Path) -> None:
    child = {
        "id": LLM1,
        "name": "child",
        "run_type": "llm",
        "inputs": {"messages": [{"role": "user", "content": "q"}]},
        "outputs": {"content": "a"},
        "start_time": "2026-03-01T10:15:01",
    }
    root = {
        "id": ROOT,
        "name": "root",
        "run_type": "chain",
        "start_time": "2026-03-01T10:15:00",
        "child_runs": [child],
    }
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(root))
    spans = by_id(read_one(path))
    assert spans[LLM1].parent_id == ROOT and spans[LLM1].trace_id == ROOT
    assert spans[LLM1].output_text == "a"


def test_duplicate_run_keeps_the_finished_copy(tmp_path: Path) -> None:
    started = {
        "id": ROOT,
        "name": "r",
        "run_type": "chain",
        "start_time": "2026-03-01T10:15:00",
        "inputs": {"q": 1},
    }
    ended = {**started, "end_time": "2026-03-01T10:15:05", "outputs": {"a": 2}, "status": "success"}
    path = tmp_path / "dup.jsonl"
    path.write_text(f"{json.dumps(started)}\n{json.dumps(ended)}\n{json.dumps(started)}\n")
    trace = read_one(path)
    assert len(trace.spans) == 1
    assert trace.spans[0].end_ns == NS_2026 + 5 * 10**9 and trace.spans[0].status == "ok"


def test_tool_message_with_error_status(tmp_path: Path) -> None:
    msg = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "messages", "ToolMessage"],
        "kwargs": {"content": "Error: 403 Forbidden", "tool_call_id": "c", "status": "error"},
    }
    run = {
        "id": TOOL1,
        "name": "fetch",
        "run_type": "tool",
        "inputs": {"input": "x"},
        "outputs": {"output": msg},
    }
    span = read_one(write_runs(tmp_path, [run])).spans[0]
    assert (span.status, span.error, span.tool_result) == (
        "error",
        "Error: 403 Forbidden",
        "Error: 403 Forbidden",
    )


# --- bad and odd input -------------------------------------------------------------------------


def test_runs_without_ids_fail_with_one_line() -> None:
    with pytest.raises(BadInput) as err:
        langsmith.read([LS / "bad-no-ids.json"])
    assert "has no 'id'" in str(err.value) and "\n" not in str(err.value)


def test_truncated_json_fails() -> None:
    with pytest.raises(BadInput, match="truncated"):
        langsmith.read([LS / "bad-truncated.json"])


def test_broken_jsonl_line_is_named() -> None:
    with pytest.raises(BadInput) as err:
        langsmith.read([LS / "bad-broken-line.jsonl"])
    assert err.value.line == 2


def test_jsonl_run_without_id_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a", "run_type": "chain", "name": "x"}\n{"run_type": "llm", "name": "y"}\n')
    with pytest.raises(BadInput) as err:
        langsmith.read([path])
    assert err.value.line == 2


@pytest.mark.parametrize("payload", [{"runs": [1, 2]}, {"runs": []}, {"something": "else"}, [["nested"]]])
def test_no_usable_runs(tmp_path: Path, payload: Any) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(payload))
    with pytest.raises(BadInput):
        langsmith.read([path])


ODD_VALUES: list[Any] = [None, 0, "text", [], {}, [1, "a"], {"x": {"y": None}}, True]


@pytest.mark.parametrize(
    "field",
    [
        "extra",
        "inputs",
        "outputs",
        "events",
        "error",
        "start_time",
        "end_time",
        "dotted_order",
        "parent_run_id",
        "trace_id",
        "status",
        "prompt_tokens",
        "child_runs",
        "parent_run_ids",
        "name",
        "tags",
    ],
)
def test_odd_but_valid_fields_never_crash(tmp_path: Path, field: str) -> None:
    base = json.loads((LS / "runs-page.json").read_text())["runs"]
    for value in ODD_VALUES:
        runs = [{**run, field: value} for run in base]
        trace = read_one(write_runs(tmp_path, runs))
        assert len(trace.spans) == len(base)


def test_odd_metadata_and_message_shapes(tmp_path: Path) -> None:
    run = {
        "id": LLM1,
        "run_type": "llm",
        "name": "m",
        "extra": {"metadata": ["not", "a", "dict"], "invocation_params": 3},
        "inputs": {"messages": [[{"lc": 1, "type": "constructor", "id": "bad", "kwargs": None}, 5, None]]},
        "outputs": {"generations": [None, [None, {"message": 3}]], "llm_output": "x"},
        "unknown_field": {"a": 1},
    }
    span = read_one(write_runs(tmp_path, [run])).spans[0]
    assert span.kind == "llm" and span.attributes["unknown_field"] == {"a": 1}


def test_progress_is_reported() -> None:
    calls: list[tuple[str, int, int]] = []
    langsmith.read(
        [LS / "runs.jsonl", LS / "dotted-order.jsonl"],
        lambda label, done, total: calls.append((label, done, total)),
    )
    assert calls[-1][1:] == (2, 2)
    assert [c[1] for c in calls] == [0, 1, 2]


# --- the shared eval cases ---------------------------------------------------------------------


def _expected(case: str) -> dict[str, Any]:
    return json.loads((CASES / case / "expected.json").read_text())


def _check_decisions(spans: dict[str, Span], case: str) -> None:
    expected = _expected(case)
    assert expected["decision_span_ids"]
    for span_id in expected["decision_span_ids"]:
        span = spans[span_id]
        assert span.kind == "llm"
        recorded = (span.output_text or "") + " " + " ".join(c.arguments for c in span.output_tool_calls)
        for phrase in expected["inference_phrases"]:
            assert phrase.lower() in recorded.lower(), (span_id, phrase)


@needs_shared
def test_shared_case_02_refund_sla() -> None:
    path = CASES / "02-refund-sla" / "traces" / "langsmith-runs.json"
    assert langsmith.detect(sample_file(path))
    trace = read_one(path)
    assert trace.format == "langsmith-json"
    assert len(trace.spans) == 30
    spans = by_id(trace)
    _check_decisions(spans, "02-refund-sla")
    decision = spans["450998bd-8ef6-496a-91d3-f18e66998ebf"]
    assert "7 hours" in (decision.output_text or "")
    assert (decision.model, decision.response_model, decision.provider) == (
        "gpt-4.1-mini",
        "gpt-4.1-mini-2025-04-14",
        "openai",
    )
    assert (decision.tokens_in, decision.tokens_out) == (833, 101)
    assert decision.agent == "support-assistant" and decision.session_id == "conv_8812031"
    assert decision.input_messages[0].role == "system"
    # RunnableRetry: the first attempt timed out, the second answered
    failed = spans["90f493a1-5f7a-4e1e-b91f-a54ef492153f"]
    assert failed.status == "error" and "APITimeoutError" in (failed.error or "")
    retriever = spans["4a4addbc-a69e-404d-9798-10ecff83289d"]
    assert retriever.kind == "retrieval"
    first_doc = retriever.documents[0]
    assert (first_doc.id, first_doc.version) == ("policy-kb:refund-policy-v3:4", "v3")
    assert retriever.documents[0].updated_at == "2024-09-03T10:12:44Z"
    tool = spans["e95b7ee7-7861-46c1-b13e-53331fd219da"]
    assert tool.tool_args == "{'invoice_id': 'INV-20931'}"  # Python repr, as recorded


@needs_shared
def test_shared_case_12_injection() -> None:
    path = CASES / "12-injection" / "traces" / "langsmith-runs.jsonl"
    assert langsmith.detect(sample_file(path))
    trace = read_one(path)
    assert trace.format == "langsmith-jsonl"
    assert len(trace.spans) == 37
    spans = by_id(trace)
    _check_decisions(spans, "12-injection")
    send = spans["56916951-5faf-492d-b95f-e70b2e5992fb"]
    assert any(c.name == "send_email" and "pricing-review.co" in c.arguments for c in send.output_tool_calls)
    assert {s.session_id for s in trace.spans} == {"ticket-58213"}
    assert {s.agent for s in trace.spans} == {"support-agent"}


@needs_shared
def test_shared_cases_of_other_formats_are_not_claimed() -> None:
    for path in sorted(CASES.glob("*/traces/*")):
        if "langsmith" not in path.name:
            assert not langsmith.detect(sample_file(path)), path
