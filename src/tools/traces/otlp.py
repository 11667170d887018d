"""OTLP/JSON trace reader: every OTLP flavour → one normalized `Trace` per spans file.

Accepts a single `TracesData` / `ExportTraceServiceRequest` document (or a JSON array of them,
streamed item by item above 64 MB) and the file exporter's JSON Lines, whose lines may be in
any order and may split one trace across many lines. Spans are grouped per file, not per line.

Content inside the spans is read by attribute dialect (OpenInference, OTel GenAI attributes,
GenAI span events, legacy `gen_ai.prompt.{i}`, Traceloop, Langfuse-OTel, LangSmith-OTel; see
`tools.traces.dialects` for the precedence). OTLP logs files (`resourceLogs`) are not traces on
their own: their records are folded into the spans they name (traceId/spanId), which is how
pre-1.37 GenAI instrumentations deliver prompts and completions.

`Trace.format` / `Span.source_format` read "<container>/<dialect>", e.g.
"otlp-json/openinference", "otlp-json/genai-events", "otlp-jsonl/genai+logs".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tools.errors import BadInput
from tools.gcpause import paused_gc
from tools.model.trace import Span, Trace
from tools.traces.otlp_logs import LogIndex
from tools.traces.otlp_source import Source, signal_of
from tools.traces.otlp_spans import spans_of
from tools.traces.sniff import Sample
from tools.traces.tree import finalize

FORMAT = "otlp"

Progress = Callable[[str, int, int], None]

_SIGNAL_KEYS = ("resourceSpans", "resourceLogs")


def detect(sample: Sample) -> bool:
    """OTLP by content: a top-level `resourceSpans`/`resourceLogs` (or Tempo's `batches`)."""
    first = sample.first
    if isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, dict):
        if any(k in first for k in _SIGNAL_KEYS):
            return True
        batches = first.get("batches")
        return isinstance(batches, list) and _looks_like_resource_spans(batches)
    # Large documents and long JSON Lines: only the head was sampled.
    head = sample.head.lstrip()[:4096]
    return head[:1] in (b"{", b"[") and (b'"resourceSpans"' in head or b'"resourceLogs"' in head)


def read(paths: list[Path], progress: Progress | None = None) -> list[Trace]:
    # Loading creates millions of long-lived objects and no garbage cycles; the cyclic GC would
    # rescan the growing heap again and again (it doubled the load time of a 100k-span file).
    with paused_gc():
        return _read(paths, progress)


def _read(paths: list[Path], progress: Progress | None) -> list[Trace]:
    logs = LogIndex()
    log_files = [p for p in paths if signal_of(p) == "logs"]
    spans_files = [p for p in paths if p not in log_files]
    if log_files and not spans_files:
        raise BadInput(
            log_files[0],
            "OTLP logs file without its traces: the log records annotate spans (joined by "
            "traceId/spanId); pass the matching spans export too",
        )
    for path in log_files:
        logs.add_file(path, progress)
    traces = [_read_spans(path, logs if log_files else None, progress) for path in spans_files]
    if log_files:
        _report_unjoined(traces, logs)
    return traces


def _read_spans(path: Path, logs: LogIndex | None, progress: Progress | None) -> Trace:
    source = Source(path, "spans", progress)
    spans: list[Span] = []
    seen: set[tuple[str, str]] = set()
    dropped = duplicates = 0
    for _line, resource_spans in source.items():
        container = f"otlp-{source.shape}"
        for span in spans_of(resource_spans, container, str(path), logs):
            if span is None:
                dropped += 1
                continue
            key = (span.trace_id, span.span_id)
            if key in seen:
                duplicates += 1  # the same batch exported twice (exporter retry)
                continue
            seen.add(key)
            spans.append(span)
    if not spans:
        raise BadInput(path, "OTLP document has no spans" + (" with a spanId" if dropped else ""))
    warnings = []
    if dropped:
        warnings.append(f"{dropped} span(s) without a spanId were skipped")
    if duplicates:
        warnings.append(f"{duplicates} duplicate span(s) (same traceId/spanId) were dropped")
    return Trace(
        source_file=str(path),
        format=_trace_format(f"otlp-{source.shape}", spans),
        spans=finalize(spans),
        warnings=warnings,
    )


def _trace_format(container: str, spans: list[Span]) -> str:
    """The dialect(s) of the file: those of its LLM spans (the content), else of any span."""
    for pool in ([s for s in spans if s.kind == "llm"], spans):
        labels = Counter(
            s.source_format.split("/", 1)[1] for s in pool if s.source_format and "/" in s.source_format
        )
        if labels:
            return f"{container}/{'+'.join(label for label, _ in labels.most_common())}"
    return container


def _report_unjoined(traces: list[Trace], logs: LogIndex) -> None:
    missing = logs.leftover()
    notes: list[str] = []
    if missing:
        notes.append(
            f"{missing} log record(s) from {', '.join(logs.files)} match no span in the traces given"
        )
    if logs.unlinked:
        notes.append(f"{logs.unlinked} log record(s) carry no spanId and were not joined")
    if notes and traces:
        traces[0].warnings.extend(notes)


def _looks_like_resource_spans(items: list[object]) -> bool:
    first = items[0] if items else None
    return isinstance(first, dict) and ("scopeSpans" in first or "instrumentationLibrarySpans" in first)
