"""OTel GenAI semantic conventions: v1.37+ attributes, pre-1.37 span events and log records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import BadInput
from tools.model.trace import Span, Trace
from tools.traces import otlp

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "otlp"


def spans_of(*names: str) -> tuple[Trace, dict[str, Span]]:
    (trace,) = otlp.read([FIX / n for n in names])
    return trace, {s.span_id: s for s in trace.spans}


# --- v1.37+ attributes -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def genai() -> dict[str, Span]:
    trace, spans = spans_of("genai.json")
    assert trace.format == "otlp-json/genai"
    return spans


def test_operation_names_to_kinds(genai: dict[str, Span]) -> None:
    assert {sid[-1]: s.kind for sid, s in genai.items()} == {
        "1": "agent",
        "2": "llm",
        "3": "llm",
        "4": "tool",
        "5": "tool",
        "6": "retrieval",
        "7": "llm",
        "8": "chain",  # invoke_workflow
        "9": "other",  # embeddings
        "a": "other",  # custom operation names are allowed, not rejected
    }


def test_json_string_messages_with_all_part_types(genai: dict[str, Span]) -> None:
    chat = genai["a000000000000002"]
    assert [(m.role, m.content) for m in chat.input_messages] == [
        ("system", "You are db-change-agent.\nNever run DDL without approval."),
        ("user", "Widen orders.shipment_id to bigint."),
        ("assistant", "Inspecting the tables."),  # reasoning part not mixed into the text
        ("tool", "shipment_id integer not null"),
        ("tool", '{"rows":2318442}'),  # two tool_call_response parts → two tool messages
    ]
    assistant = chat.input_messages[2]
    assert [(c.id, c.name, c.arguments) for c in assistant.tool_calls] == [
        ("toolu_01", "describe_table", '{"table":"orders"}'),  # structured → compact JSON
        ("toolu_02", "table_stats", '{"table": "orders"}'),  # string → as recorded
    ]
    assert [m.tool_call_id for m in chat.input_messages[3:]] == ["toolu_01", "toolu_02"]


def test_output_messages_text_tool_calls_reasoning(genai: dict[str, Span]) -> None:
    chat = genai["a000000000000002"]
    assert chat.output_text == "Risk: low, metadata-only change."
    assert [(c.id, c.name, c.arguments) for c in chat.output_tool_calls] == [
        ("toolu_03", "request_approval", '{"summary":"metadata-only, <1 min","rows":null}'),
        ("toolu_04", "notify", '{"channel": "#db"}'),
    ]
    assert chat.attributes["pmdraft.output.reasoning"] == "Integer to bigint needs a rewrite?"
    assert chat.attributes["gen_ai.output.messages"].startswith('[{"role":"assistant"')  # kept as recorded


def test_model_provider_tokens(genai: dict[str, Span]) -> None:
    chat = genai["a000000000000002"]
    assert (chat.model, chat.response_model, chat.provider) == (
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
        "anthropic",
    )
    assert (chat.tokens_in, chat.tokens_out) == (1103, 157)
    assert chat.attributes["gen_ai.response.finish_reasons"] == ["tool_call"]


def test_structured_kvlist_messages(genai: dict[str, Span]) -> None:
    chat = genai["a000000000000003"]
    assert [(m.role, m.content, m.tool_call_id) for m in chat.input_messages] == [
        ("system", "You are db-change-agent.", None),
        ("user", "Run it.", None),
        ("tool", "approved by tom.r", "toolu_05"),
    ]
    assert chat.output_text == "Running the migration now."
    call = chat.output_tool_calls[0]
    assert (call.id, call.name, call.arguments) == (
        "toolu_06",
        "run_shell",
        '{"command":"psql -f m.sql","timeout_s":30}',
    )
    assert isinstance(chat.attributes["gen_ai.input.messages"], list)


def test_tool_spans(genai: dict[str, Span]) -> None:
    shell = genai["a000000000000004"]
    assert (shell.tool_name, shell.tool_args, shell.tool_result) == (
        "run_shell",
        '{"command":"psql -f m.sql","timeout_s":30}',
        "ALTER TABLE",
    )
    unnamed = genai["a000000000000005"]
    assert unnamed.tool_name == "list_tables"  # from the span name "execute_tool list_tables"
    assert unnamed.tool_args == '{"schema":  "public"}'
    assert unnamed.tool_result == '["orders","customers"]'


def test_retrieval_documents(genai: dict[str, Span]) -> None:
    ret = genai["a000000000000006"]
    assert ret.input_text == "bigint migration lock"
    assert [(d.id, d.score, d.version, d.updated_at) for d in ret.documents] == [
        ("rb-9", 0.91, "v4", "2026-05-01T00:00:00Z"),
        ("rb-2", 0.4, None, None),
    ]
    assert ret.documents[0].content == "ALTER COLUMN TYPE rewrites the table."


def test_error_type_marks_failure_without_status(genai: dict[str, Span]) -> None:
    failed = genai["a000000000000007"]
    assert failed.status == "error"
    assert failed.error == "OverloadedError: Error code: 529 - overloaded"


def test_agent_session_and_inheritance(genai: dict[str, Span]) -> None:
    root = genai["a000000000000001"]
    assert (root.agent, root.session_id, root.provider) == ("db-change-agent", "DBR-318", "anthropic")
    assert genai["a000000000000004"].agent == "db-change-agent"


# --- pre-1.37 content as span events -----------------------------------------------------------


@pytest.fixture(scope="module")
def events() -> dict[str, Span]:
    trace, spans = spans_of("genai_span_events.json")
    assert trace.format == "otlp-json/genai-events"
    return spans


def test_span_event_messages(events: dict[str, Span]) -> None:
    chat = events["e000000000000002"]
    assert [(m.role, m.content) for m in chat.input_messages] == [
        ("system", "You triage reported phish."),
        ("user", "Triage SEC-1."),
        ("assistant", ""),
        ("tool", '{"matches": []}'),
    ]
    call = chat.input_messages[2].tool_calls[0]
    assert (call.id, call.name, call.arguments) == (
        "call_ti",
        "lookup_threat_intel",
        '{"indicators":["evil.example"]}',
    )
    assert chat.input_messages[3].tool_call_id == "call_ti"
    assert chat.output_text == "Verdict: false positive, no matches."
    out = chat.output_tool_calls[0]
    assert (out.id, out.name, out.arguments) == ("call_close", "close_alert", '{"verdict":"false_positive"}')
    assert (chat.provider, chat.tokens_in, chat.tokens_out) == (
        "openai",
        978,
        152,
    )  # gen_ai.system, old token names
    assert chat.source_format == "otlp-json/genai-events"
    assert len(chat.events) == 5  # every event kept


def test_choices_ordered_by_index_and_tool_calls_beside_message(events: dict[str, Span]) -> None:
    chat = events["e000000000000003"]
    assert chat.output_text == "first candidate\nsecond candidate"
    assert [c.name for c in chat.output_tool_calls] == ["noop"]


def test_oldest_prompt_and_completion_events_make_an_llm_span(events: dict[str, Span]) -> None:
    old = events["e000000000000004"]  # no gen_ai.operation.name at all
    assert old.kind == "llm"
    assert [(m.role, m.content) for m in old.input_messages] == [("system", "Be terse."), ("user", "Status?")]
    assert old.output_text == "All green."


# --- pre-1.37 content as log records in a separate logs file -------------------------------------


@pytest.fixture(scope="module")
def logs() -> tuple[Trace, dict[str, Span]]:
    return spans_of("genai_logs.spans.jsonl", "genai_logs.logs.jsonl")


def test_logs_file_folded_into_the_spans_trace(logs: tuple[Trace, dict[str, Span]]) -> None:
    trace, spans = logs
    assert trace.format == "otlp-jsonl/genai+logs"
    assert trace.source_file.endswith("genai_logs.spans.jsonl")
    assert len(trace.spans) == 4
    assert spans["d000000000000004"].source_format == "otlp-jsonl/genai+logs"
    assert spans["d000000000000003"].source_format == "otlp-jsonl/genai"


def test_log_records_ordered_by_time_then_file_order(logs: tuple[Trace, dict[str, Span]]) -> None:
    chat = logs[1]["d000000000000004"]
    assert [m.role for m in chat.input_messages] == ["system", "user", "assistant", "tool"]
    assert (
        chat.input_messages[1].content == "Alert without routing label: checkout-gateway."
    )  # event.name attr only
    assert chat.input_messages[3].tool_call_id == "call_owner"
    assert chat.output_text == "Owner is payments-core per the ownership map; paging them."
    assert [(c.name, c.arguments) for c in chat.output_tool_calls] == [("page", '{"policy":"PD-PAYCORE"}')]
    assert [e.name for e in chat.events][-1] == "gen_ai.choice"
    assert chat.events[0].attributes["severity"] == "INFO"
    assert chat.events[0].attributes["body"] == {"content": "You are page-router."}


def test_log_body_as_json_string_and_choice_without_text(logs: tuple[Trace, dict[str, Span]]) -> None:
    chat = logs[1]["d000000000000002"]
    assert [(m.role, m.content) for m in chat.input_messages] == [
        ("system", "You are page-router."),
        ("user", "Alert without routing label: checkout-gateway."),
    ]
    assert chat.output_text is None
    assert [c.id for c in chat.output_tool_calls] == ["call_owner"]


def test_unjoined_log_records_are_reported(logs: tuple[Trace, dict[str, Span]]) -> None:
    warnings = logs[0].warnings
    assert any("1 log record(s)" in w and "match no span" in w for w in warnings)
    assert any("carry no spanId" in w for w in warnings)


def test_logs_file_alone_is_bad_input() -> None:
    with pytest.raises(BadInput, match="logs file without its traces"):
        otlp.read([FIX / "genai_logs.logs.jsonl"])


def test_logs_single_document_form(tmp_path: Path) -> None:
    lines = (FIX / "genai_logs.logs.jsonl").read_text().splitlines()
    merged = {"resourceLogs": [rl for line in lines for rl in json.loads(line)["resourceLogs"]]}
    logs_path = tmp_path / "logs.json"
    logs_path.write_text(json.dumps(merged, indent=2))
    (trace,) = otlp.read([FIX / "genai_logs.spans.jsonl", logs_path])
    chat = next(s for s in trace.spans if s.span_id == "d000000000000004")
    assert chat.output_text == "Owner is payments-core per the ownership map; paging them."


def test_inference_operation_details_event(tmp_path: Path) -> None:
    """v1.37+ may put the content attributes on a `gen_ai.client.inference.operation.details` event."""

    def text_message(role: str, text: str) -> dict[str, object]:
        part = {"kvlistValue": {"values": [
            {"key": "type", "value": {"stringValue": "text"}},
            {"key": "content", "value": {"stringValue": text}},
        ]}}  # fmt: skip
        return {"kvlistValue": {"values": [
            {"key": "role", "value": {"stringValue": role}},
            {"key": "parts", "value": {"arrayValue": {"values": [part]}}},
        ]}}  # fmt: skip

    span = {
        "traceId": "ab" * 16,
        "spanId": "cd" * 8,
        "name": "chat gpt-4o",
        "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}],
        "events": [
            {
                "name": "gen_ai.client.inference.operation.details",
                "attributes": [
                    {
                        "key": "gen_ai.input.messages",
                        "value": {"arrayValue": {"values": [text_message("user", "hi")]}},
                    },
                    {
                        "key": "gen_ai.output.messages",
                        "value": {"arrayValue": {"values": [text_message("assistant", "hello")]}},
                    },
                ],
            }
        ],
    }
    path = tmp_path / "details.json"
    path.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}))
    (chat,) = otlp.read([path])[0].spans
    assert [(m.role, m.content) for m in chat.input_messages] == [("user", "hi")]
    assert chat.output_text == "hello"
