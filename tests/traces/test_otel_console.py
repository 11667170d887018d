"""Non-OTLP span JSON: OTel Python ConsoleSpanExporter output and Phoenix span exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import BadInput
from tools.model.trace import Span
from tools.traces import otel_console
from tools.traces.sniff import sample_file

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "otlp"


def spans_of(path: Path) -> dict[str, Span]:
    (trace,) = otel_console.read([path])
    return {s.span_id: s for s in trace.spans}


def test_console_exporter_back_to_back_objects() -> None:
    (trace,) = otel_console.read([FIX / "console_exporter.txt"])
    assert trace.format == "otel-console/openinference"
    spans = {s.span_id: s for s in trace.spans}
    assert list(spans) == ["53995c3f42cd8ad8", "00f067aa0ba902b7", "1234567890abcdef"]  # by start time
    llm = spans["00f067aa0ba902b7"]
    assert llm.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # "0x…" prefix dropped
    assert llm.parent_id == "53995c3f42cd8ad8"
    assert llm.kind == "llm"
    assert llm.start_ns == 1772632661123456000
    assert llm.output_text == "Consumer deadlock; running recovery."
    assert (llm.tokens_in, llm.tokens_out) == (120, 9)
    assert llm.agent == "ops-agent" and llm.service == "ops-agent"
    http = spans["1234567890abcdef"]
    assert (http.kind, http.status) == ("other", "error")
    assert http.error == "httpx.ReadTimeout: The read operation timed out"
    assert http.events[0].time_ns == 1772632662500000000
    root = spans["53995c3f42cd8ad8"]
    assert (root.parent_id, root.status, root.kind) == (None, "ok", "agent")


def test_phoenix_nested_attributes_and_iso_nanoseconds() -> None:
    spans = spans_of(FIX / "phoenix_spans.json")
    llm = spans["a1b2c3d4e5f60718"]
    assert llm.kind == "llm"
    assert llm.source_format == "phoenix-json/openinference"
    assert llm.start_ns == 1777636800123456789
    assert [(m.role, m.content) for m in llm.input_messages] == [
        ("system", "You help with refunds."),
        ("user", "How long do card refunds take?"),
    ]
    assert llm.output_text == "Card refunds take 7 hours."
    assert [(c.id, c.name, c.arguments) for c in llm.output_tool_calls] == [("call_1", "log", '{"x": 1}')]
    assert llm.session_id == "sess-9"
    assert llm.attributes["metadata"] == {"prompt_version": "v7"}  # JSON-object values kept whole
    assert llm.attributes["llm.input_messages.1.message.role"] == "user"
    ret = spans["0f1e2d3c4b5a6978"]
    assert (ret.kind, ret.status) == ("retrieval", "error")
    assert ret.error == "index unavailable; IndexError: shard 2 offline"
    assert (ret.documents[0].id, ret.documents[0].version) == ("refund-policy#v3", "v3")


def test_phoenix_list_and_jsonl_forms(tmp_path: Path) -> None:
    data = json.loads((FIX / "phoenix_spans.json").read_text())["data"]
    as_list = tmp_path / "spans.json"
    as_list.write_text(json.dumps(data))
    as_lines = tmp_path / "spans.jsonl"
    as_lines.write_text("\n".join(json.dumps(s) for s in data) + "\n")
    assert set(spans_of(as_list)) == set(spans_of(as_lines)) == {"a1b2c3d4e5f60718", "0f1e2d3c4b5a6978"}


@pytest.mark.parametrize("name", ["console_exporter.txt", "phoenix_spans.json"])
def test_detect(name: str) -> None:
    assert otel_console.detect(sample_file(FIX / name))


@pytest.mark.parametrize("name", ["openinference.json", "filexporter.jsonl"])
def test_detect_rejects_otlp(name: str) -> None:
    assert not otel_console.detect(sample_file(FIX / name))


def test_truncated_console_output(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_text((FIX / "console_exporter.txt").read_text()[:-30])
    with pytest.raises(BadInput, match="truncated"):
        otel_console.read([path])


def test_no_spans(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"data": [{"name": "x"}]}')
    with pytest.raises(BadInput, match="no spans"):
        otel_console.read([path])
