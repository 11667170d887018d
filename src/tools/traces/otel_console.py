"""Non-OTLP OTel span JSON: the Python SDK's ConsoleSpanExporter and Phoenix's span export.

Users paste these because they look like traces, but neither is OTLP (formats.md §1 pitfall 9,
§3 pitfall 3):
- ConsoleSpanExporter / `ReadableSpan.to_json()`: pretty-printed objects written one after
  another (not an array, not JSON Lines): `{"name", "context": {"trace_id": "0x…", "span_id":
  "0x…"}, "kind": "SpanKind.INTERNAL", "parent_id": "0x…"|null, "start_time"/"end_time": ISO,
  "status": {"status_code": "ERROR", "description"}, "attributes": {flat map}, "events":
  [{name, timestamp, attributes}], "links", "resource": {"attributes": {...}}}`.
- Phoenix span JSON: the same `context` block with `span_kind` (an OpenInference kind such as
  "LLM", or an OTel "SPAN_KIND_*"), `parent_id`, ISO times, `status_code`/`status_message`, and
  attributes flat or nested (`{"llm": {"input_messages": [{"message": {...}}]}}`); alone, in a
  JSON array, as JSON Lines, or in a REST page `{"data": [...]}`.
Both are mapped through the same attribute dialects as OTLP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from tools.errors import BadInput
from tools.jsonio import decode, read_bytes
from tools.model.trace import Span, SpanEvent, Trace
from tools.traces.dialects import Draft, to_span
from tools.traces.otlp_values import first_str, iso_to_ns, iter_dicts, norm_id, span_kind, status_of, time_ns
from tools.traces.sniff import Sample
from tools.traces.tree import finalize

FORMAT = "otel-console"

Progress = Callable[[str, int, int], None]

_HEAD_RE = re.compile(rb'"context"\s*:\s*\{\s*"(?:trace_id|span_id)"')
_OI_KINDS = {
    "LLM",
    "TOOL",
    "CHAIN",
    "AGENT",
    "RETRIEVER",
    "RERANKER",
    "EMBEDDING",
    "GUARDRAIL",
    "EVALUATOR",
    "PROMPT",
}
# Values that are JSON objects by design: keep them whole when un-nesting Phoenix attributes.
_OPAQUE = ("metadata", "invocation_parameters", "parameters", "variables", "json_schema")


def detect(sample: Sample) -> bool:
    first = sample.first
    if isinstance(first, dict) and isinstance(first.get("data"), list):
        first = first["data"]
    if isinstance(first, list):
        first = first[0] if first else None
    if isinstance(first, dict):
        return _is_span(first)
    return bool(_HEAD_RE.search(sample.head[:16384]))


def read(paths: list[Path], progress: Progress | None = None) -> list[Trace]:
    return [_read_file(path, progress) for path in paths]


def _read_file(path: Path, progress: Progress | None) -> Trace:
    data = read_bytes(path)
    if progress is not None:
        progress(f"reading {path.name}", 0, len(data))
    spans: list[Span] = []
    for obj in _span_objects(path, decode(path, data)):
        span = _to_span(obj, str(path))
        if span is not None:
            spans.append(span)
    if not spans:
        raise BadInput(path, "no spans found (expected OTel console / Phoenix span objects with a context)")
    if progress is not None:
        progress(f"reading {path.name}", len(data), len(data))
    container = spans[0].source_format.split("/")[0] if spans[0].source_format else FORMAT
    labels = sorted(
        {s.source_format.split("/", 1)[1] for s in spans if s.source_format and "/" in s.source_format}
    )
    fmt = f"{container}/{'+'.join(labels)}" if labels else container
    return Trace(source_file=str(path), format=fmt, spans=finalize(spans))


# --- values ---------------------------------------------------------------------------------


def _span_objects(path: Path, text: str) -> Iterator[dict[str, Any]]:
    for value in _values(path, text):
        items = value.get("data") if isinstance(value, dict) and "context" not in value else value
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict) and _is_span(item):
                yield item


def _values(path: Path, text: str) -> Iterator[Any]:
    """One JSON value, or several written back to back (the console exporter's output)."""
    try:
        yield orjson.loads(text)
        return
    except orjson.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= end:
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip()):
                problem = "JSON ends early (truncated file?)"
            else:
                problem = f"malformed JSON: {exc.msg} (column {exc.colno})"
            raise BadInput(path, problem, line=exc.lineno) from None
        yield value


def _is_span(obj: dict[str, Any]) -> bool:
    ctx = obj.get("context")
    return isinstance(ctx, dict) and ("trace_id" in ctx or "span_id" in ctx)


# --- mapping --------------------------------------------------------------------------------


def _to_span(obj: dict[str, Any], source_file: str) -> Span | None:
    ctx = obj["context"]
    span_id = norm_id(_id_text(ctx.get("span_id")))
    if span_id is None:
        return None
    phoenix = "span_kind" in obj or "status_code" in obj
    attrs = _flatten(obj.get("attributes"))
    kind_raw = obj.get("span_kind") if phoenix else obj.get("kind")
    if isinstance(kind_raw, str) and kind_raw.upper() in _OI_KINDS:
        attrs.setdefault("openinference.span.kind", kind_raw.upper())
    raw_status = obj.get("status")
    status: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
    name = obj.get("name")
    d = Draft(
        name=name if isinstance(name, str) else "",
        attrs=attrs,
        events=[_event(e) for e in iter_dicts(obj.get("events"))],
        otel_kind=span_kind(kind_raw),
        status=status_of(obj.get("status_code", status.get("status_code"))),
        status_message=first_str(obj.get("status_message"), status.get("description")),
    )
    d.fields = {
        "trace_id": norm_id(_id_text(ctx.get("trace_id"))) or "",
        "span_id": span_id,
        "parent_id": norm_id(_id_text(obj.get("parent_id"))),
        "name": d.name,
        "start_ns": _time(obj.get("start_time")),
        "end_ns": _time(obj.get("end_time")),
        "service": _service(obj.get("resource")),
        "source_file": source_file,
    }
    return to_span(d, "phoenix-json" if phoenix else FORMAT)


def _event(e: dict[str, Any]) -> SpanEvent:
    return SpanEvent(
        name=str(e.get("name") or ""),
        time_ns=_time(e.get("timestamp")),
        attributes=_flatten(e.get("attributes")),
    )


def _time(raw: Any) -> int | None:
    return iso_to_ns(raw) if isinstance(raw, str) and not raw.strip().isdigit() else time_ns(raw)


def _id_text(raw: Any) -> Any:
    # The SDK prints ids as "0x…" hex; Phoenix as bare hex. An int id (rare) is formatted as hex.
    return f"{raw:x}" if isinstance(raw, int) and not isinstance(raw, bool) else raw


def _service(resource: Any) -> str | None:
    if not isinstance(resource, dict):
        return None
    attrs = resource.get("attributes")
    return first_str(attrs.get("service.name")) if isinstance(attrs, dict) else None


def _flatten(attrs: Any) -> dict[str, Any]:
    """Flat OTel attributes as is; Phoenix's nested form back to dotted OpenInference keys."""
    if not isinstance(attrs, dict):
        return {}
    if not any(isinstance(v, dict) and "." not in k for k, v in attrs.items()):
        return dict(attrs)
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        _walk(out, str(key), value)
    return out


def _walk(out: dict[str, Any], path: str, value: Any) -> None:
    opaque = path.startswith("gen_ai.") or path.rsplit(".", 1)[-1] in _OPAQUE
    if isinstance(value, dict) and value and not opaque:
        for k, v in value.items():
            _walk(out, f"{path}.{k}", v)
    elif isinstance(value, list) and value and not opaque and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _walk(out, f"{path}.{i}", v)
    else:
        out[path] = value
