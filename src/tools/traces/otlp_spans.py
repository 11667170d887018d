"""One OTLP `ResourceSpans` → normalized `Span`s (formats.md §1).

The transport-level decoding lives here: ids to lowercase hex, nanosecond times from strings or
numbers, kind and status from ints or names, defaults for omitted fields, attributes flattened
to a dict of decoded values, events kept. What the attributes *mean* is the dialects' job.
The OTel span kind and the instrumentation scope name have no `Span` field; they are added to
`attributes` as `span.kind` (lowercase, as Jaeger/Zipkin tag it) and `otel.scope.name`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.model.trace import Span, SpanEvent
from tools.traces.dialects import Draft, to_span
from tools.traces.otlp_logs import LogIndex
from tools.traces.otlp_values import attributes, first_str, norm_id, span_kind, status_of, time_ns

_SCOPE_KEYS = ("scopeSpans", "instrumentationLibrarySpans")  # the latter: OTLP < 0.15, old Tempo


def spans_of(
    resource_spans: dict[str, Any], container: str, source_file: str, logs: LogIndex | None
) -> Iterator[Span | None]:
    """Every span of the item; None for a span without a usable spanId (counted by the caller)."""
    resource = resource_spans.get("resource")
    res_attrs = attributes(resource.get("attributes")) if isinstance(resource, dict) else {}
    service = first_str(res_attrs.get("service.name"))
    for scope in _scope_lists(resource_spans):
        spans = scope.get("spans")
        scope_name = _scope_name(scope)
        for raw in spans if isinstance(spans, list) else ():
            if type(raw) is dict:
                yield span_of(raw, service, container, source_file, logs, scope_name)


def span_of(
    raw: dict[str, Any],
    service: str | None,
    container: str,
    source_file: str,
    logs: LogIndex | None,
    scope: str | None = None,
) -> Span | None:
    span_id = norm_id(raw.get("spanId"))
    if span_id is None:
        return None
    trace_id = norm_id(raw.get("traceId")) or ""
    status = raw.get("status")
    if type(status) is not dict:
        status = {}  # missing or {} means UNSET
    name = raw.get("name")
    d = Draft(
        name=name if isinstance(name, str) else "",
        attrs=attributes(raw.get("attributes")),
        events=_events(raw.get("events")),
        otel_kind=span_kind(raw.get("kind")),
        scope=scope,
        status=status_of(status.get("code")),
        status_message=first_str(status.get("message")),
    )
    d.fields = {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_id": norm_id(raw.get("parentSpanId")),
        "name": d.name,
        "start_ns": time_ns(raw.get("startTimeUnixNano")),
        "end_ns": time_ns(raw.get("endTimeUnixNano")),
        "service": service,
        "source_file": source_file,
    }
    if logs is not None:
        d.log_events = logs.take(trace_id, span_id)
    return to_span(d, container)


def _events(raw: Any) -> list[SpanEvent]:
    if not isinstance(raw, list):
        return []
    out: list[SpanEvent] = []
    for e in raw:
        if type(e) is dict:
            name = e.get("name")
            out.append(
                SpanEvent(
                    name=name if isinstance(name, str) else "",
                    time_ns=time_ns(e.get("timeUnixNano")),
                    attributes=attributes(e.get("attributes")),
                )
            )
    return out


def _scope_name(scope: dict[str, Any]) -> str | None:
    info = scope.get("scope", scope.get("instrumentationLibrary"))
    return first_str(info.get("name")) if isinstance(info, dict) else None


def _scope_lists(resource_spans: dict[str, Any]) -> list[dict[str, Any]]:
    for key in _SCOPE_KEYS:
        scopes = resource_spans.get(key)
        if isinstance(scopes, list):
            return [s for s in scopes if isinstance(s, dict)]
    return []
