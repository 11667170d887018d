"""OTLP transport pitfalls: ids, times, defaults, JSON Lines, streaming, progress, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import BadInput
from tools.model.trace import Span, Trace
from tools.traces import otlp, otlp_source
from tools.traces.sniff import sample_file

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "otlp"


def read_one(name: str) -> Trace:
    traces = otlp.read([FIX / name])
    assert len(traces) == 1
    return traces[0]


def by_id(trace: Trace) -> dict[str, Span]:
    return {s.span_id: s for s in trace.spans}


# --- ids, times, enums, defaults ------------------------------------------------------------


def test_base64_and_uppercase_ids_become_lowercase_hex() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    root = spans["00f067aa0ba902b7"]  # spanId was "APBnqgupArc="
    assert root.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # traceId was base64
    child = spans["b7ad6b7169203331"]  # spanId was uppercase hex
    assert child.trace_id == root.trace_id
    assert child.parent_id == "00f067aa0ba902b7"  # parentSpanId was uppercase hex


def test_missing_empty_and_zero_parent_ids_mean_root() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    assert spans["00f067aa0ba902b7"].parent_id is None  # key missing
    assert spans["eee19b7ec3c1b174"].parent_id is None  # ""
    assert spans["0af7651916cd43dd"].parent_id is None  # all zeros


def test_nanosecond_times_exact_from_strings_and_numbers() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    root = spans["00f067aa0ba902b7"]
    assert root.start_ns == 1767225600000000001  # a JSON number above 2^53
    assert root.end_ns == 1767225600900000001  # a decimal string
    assert spans["0af7651916cd43dd"].end_ns is None


def test_missing_status_and_kind_default_to_unset_and_other() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    root = spans["00f067aa0ba902b7"]
    assert (root.status, root.kind, root.error) == ("unset", "other", None)
    assert spans["eee19b7ec3c1b174"].status == "unset"  # status {}


def test_enum_names_are_accepted() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    named = spans["0af7651916cd43dd"]  # "STATUS_CODE_OK", "SPAN_KIND_PRODUCER"
    assert named.status == "ok"
    assert named.error is None  # error.type on an OK span is not a failure


def test_status_error_message_and_exception_events() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    assert spans["b7ad6b7169203331"].status == "error"
    assert spans["b7ad6b7169203331"].error == "upstream reset"
    db = spans["eee19b7ec3c1b174"]
    assert db.error == "TimeoutError: query exceeded 500 ms"
    assert [e.name for e in db.events] == ["exception", "retry"]
    assert db.events[0].time_ns == 1767225601400000000
    assert db.events[1].time_ns is None


def test_attributes_are_decoded_flat_with_last_duplicate_winning() -> None:
    attrs = by_id(read_one("transport_pitfalls.json"))["b7ad6b7169203331"].attributes
    assert attrs["http.route"] == "/checkout"
    assert attrs["count.as.number"] == 42
    assert attrs["count.above.2pow53"] == 9007199254740993
    assert attrs["ratio"] == 0.5
    assert attrs["ratio.infinite"] == float("inf")
    assert attrs["cache.hit"] is True
    assert attrs["payload"] == "aGVsbG8="
    assert attrs["tags"] == ["a", 2, False]
    assert attrs["nested"] == {"outer": [{"inner": 1}], "empty.list": []}
    assert attrs["empty.value"] is None and attrs["no.value"] is None
    assert attrs["json.in.string"] == '{"kept": "as a string"}'


def test_unknown_fields_ignored_span_without_id_skipped_with_warning() -> None:
    trace = read_one("transport_pitfalls.json")
    assert len(trace.spans) == 4
    assert trace.warnings == ["1 span(s) without a spanId were skipped"]
    assert trace.format == "otlp-json"
    assert all(s.source_file == str(FIX / "transport_pitfalls.json") for s in trace.spans)
    assert {s.service for s in trace.spans} == {"edge-proxy"}


def test_spans_sorted_by_start_time() -> None:
    starts = [s.start_ns for s in read_one("transport_pitfalls.json").spans]
    assert starts == sorted(starts)


# --- JSON Lines file-exporter form -----------------------------------------------------------


def test_jsonl_lines_out_of_order_trace_split_across_lines() -> None:
    trace = read_one("filexporter.jsonl")
    spans = by_id(trace)
    assert trace.format == "otlp-jsonl/openinference"
    assert set(spans) == {"f000000000000001", "f000000000000002", "f000000000000003", "f000000000000009"}
    # The root came on the last line; its children (first line) still resolve to it.
    assert spans["f000000000000002"].parent_id == "f000000000000001"
    assert spans["f000000000000002"].agent == "kube-remediator"
    assert {s.trace_id for s in trace.spans} == {
        "aaaabbbbccccddddeeeeffff00001111",
        "99998888777766665555444433332222",
    }
    assert trace.warnings == ["1 duplicate span(s) (same traceId/spanId) were dropped"]
    assert [s.span_id for s in trace.spans][:2] == ["f000000000000009", "f000000000000001"]


def test_jsonl_line_that_is_not_traces_data(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = (FIX / "filexporter.jsonl").read_text().splitlines()[0]
    path.write_text(good + "\n" + '{"foo": 1}\n')
    with pytest.raises(BadInput) as err:
        otlp.read([path])
    assert err.value.line == 2
    assert "not an OTLP TracesData" in str(err.value)


def test_jsonl_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    lines = (FIX / "filexporter.jsonl").read_text().splitlines()
    path.write_text(lines[0] + "\n" + lines[2][:100])
    with pytest.raises(BadInput) as err:
        otlp.read([path])
    assert err.value.line == 2
    assert "cut off" in str(err.value)


def test_jsonl_mixing_signals_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    first = (FIX / "filexporter.jsonl").read_text().splitlines()[0]
    path.write_text(first + "\n" + '{"resourceLogs": []}\n')
    with pytest.raises(BadInput, match="mixes OTLP signals"):
        otlp.read([path])


# --- single documents: bad input, arrays, streaming ------------------------------------------


def test_truncated_document(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text((FIX / "openinference.json").read_text()[:-40])
    with pytest.raises(BadInput, match="truncated"):
        otlp.read([path])


def test_document_without_spans(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": []}]}]}')
    with pytest.raises(BadInput, match="OTLP document has no spans"):
        otlp.read([path])


def test_document_that_is_not_traces_data(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"resourceSpanz": []}')
    with pytest.raises(BadInput, match="not an OTLP TracesData"):
        otlp.read([path])


def test_bad_input_message_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"resourceSpans": [\n{"scopeSpans": [')
    with pytest.raises(BadInput) as err:
        otlp.read([path])
    assert "\n" not in str(err.value)
    assert str(err.value).startswith(str(path))


def test_json_array_of_traces_data_and_old_instrumentation_library_names(tmp_path: Path) -> None:
    doc = json.loads((FIX / "filexporter.jsonl").read_text().splitlines()[0])
    old = {
        "resourceSpans": [
            {
                "resource": {},
                "instrumentationLibrarySpans": [
                    {
                        "instrumentationLibrary": {"name": "old"},
                        "spans": [{"traceId": "ab" * 16, "spanId": "cd" * 8}],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "array.json"
    path.write_text(json.dumps([doc, old]))
    trace = otlp.read([path])[0]
    assert {s.span_id for s in trace.spans} == {"f000000000000002", "f000000000000003", "cd" * 8}


def test_tempo_batches_document(tmp_path: Path) -> None:
    doc = json.loads((FIX / "openinference.json").read_text())
    path = tmp_path / "tempo.json"
    path.write_text(json.dumps({"batches": doc["resourceSpans"]}))
    sample = sample_file(path)
    assert otlp.detect(sample)
    assert len(otlp.read([path])[0].spans) == 10


def force_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(otlp_source, "STREAM_THRESHOLD", 0)
    monkeypatch.setattr(otlp_source, "_MIN_STREAM_ITEMS", 1)


@pytest.mark.parametrize("name", ["openinference.json", "genai.json", "transport_pitfalls.json"])
def test_streamed_document_reads_the_same(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    whole = read_one(name)
    force_streaming(monkeypatch)
    streamed = read_one(name)
    assert [s.model_dump() for s in streamed.spans] == [s.model_dump() for s in whole.spans]
    assert streamed.format == whole.format


def test_streamed_array_and_truncation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    force_streaming(monkeypatch)
    doc = json.loads((FIX / "openinference.json").read_text())
    path = tmp_path / "array.json"
    path.write_text(json.dumps([doc]))
    assert len(otlp.read([path])[0].spans) == 10
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(doc)[:-200])
    with pytest.raises(BadInput, match="truncated"):
        otlp.read([cut])


def test_one_giant_item_is_not_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streaming bounds memory by the largest resourceSpans item: pointless for a single item."""
    monkeypatch.setattr(otlp_source, "STREAM_THRESHOLD", 0)

    def no_streaming(*_: object) -> None:
        raise AssertionError("streamed a one-item document")

    monkeypatch.setattr(otlp_source.Source, "_stream", no_streaming)
    assert len(read_one("genai.json").spans) == 10


def test_streamed_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    force_streaming(monkeypatch)
    monkeypatch.setattr(otlp_source, "_PROGRESS_STEP", 1)
    calls: list[int] = []
    otlp.read([FIX / "openinference.json"], lambda _label, done, _total: calls.append(done))
    size = (FIX / "openinference.json").stat().st_size
    assert len(calls) >= 2 and calls[-1] == size and calls == sorted(calls)


def test_progress_reports_bytes(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    path = FIX / "filexporter.jsonl"
    otlp.read([path], lambda label, done, total: calls.append((label, done, total)))
    size = path.stat().st_size
    assert calls and calls[-1] == ("reading filexporter.jsonl", size, size)
    assert all(done <= total == size for _, done, total in calls)


def test_bom_and_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    lines = (FIX / "filexporter.jsonl").read_text().splitlines()
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    assert len(otlp.read([path])[0].spans) == 4


# --- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["openinference.json", "filexporter.jsonl", "genai_logs.logs.jsonl", "genai_logs.spans.jsonl"],
)
def test_detect_otlp(name: str) -> None:
    assert otlp.detect(sample_file(FIX / name))


@pytest.mark.parametrize("name", ["console_exporter.txt", "phoenix_spans.json"])
def test_detect_rejects_look_alikes(name: str) -> None:
    assert not otlp.detect(sample_file(FIX / name))


def test_detect_large_document_from_head_only(tmp_path: Path) -> None:
    doc = json.loads((FIX / "openinference.json").read_text())
    doc["resourceSpans"] *= 60  # > 64 KiB: the sampler cannot parse it whole
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, indent=1))
    sample = sample_file(path)
    assert sample.first is None
    assert otlp.detect(sample)


def test_span_kind_and_scope_kept_as_attributes() -> None:
    spans = by_id(read_one("transport_pitfalls.json"))
    assert spans["b7ad6b7169203331"].attributes["span.kind"] == "server"
    assert spans["eee19b7ec3c1b174"].attributes["span.kind"] == "client"  # "SPAN_KIND_CLIENT"
    assert spans["0af7651916cd43dd"].attributes["span.kind"] == "producer"
    assert "span.kind" not in spans["00f067aa0ba902b7"].attributes  # kind missing: unspecified
    assert {s.attributes["otel.scope.name"] for s in spans.values()} == {"hand.written"}
