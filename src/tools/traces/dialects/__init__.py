"""Attribute dialects inside OTel spans → the normalized `Span` (formats.md §2–§4, §10).

One span can carry several dialects (OpenInference beside GenAI keys, Traceloop decorators
beside flattened `gen_ai.prompt.{i}` content). Precedence, for the kind (first dialect that
names one) and for every field (first writer wins, see `Draft.put`):

  1. OpenInference   `openinference.span.kind`, `llm.*`, `input.value`/`output.value`
  2. OTel GenAI      `gen_ai.operation.name`, `gen_ai.{system_instructions,input,output}.*` (≥1.37)
  3. GenAI events    `gen_ai.*.message` / `gen_ai.choice` span events, then joined log records
  4. legacy prompts  `gen_ai.prompt.{i}.*` / `gen_ai.completion.{i}.*`, whole `gen_ai.prompt`
  5. Traceloop       `traceloop.span.kind`, `llm.request.type`, `traceloop.entity.*`
  6. Langfuse-OTel   `langfuse.observation.*`
  7. LangSmith-OTel  `langsmith.span.kind`

Why this order: OpenInference's kind is an explicit attribute required on every OI span and
its instrumentations that also emit GenAI keys treat their own as primary; GenAI attributes are
the standard and the newest form of the content; events are the older form of the same
convention; the remaining dialects are one SDK's private vocabulary, usually accompanied by
one of the above.

Fallbacks: a span whose name starts with "handoff" that a dialect called a tool or chain
(how OpenAI Agents SDK handoffs are instrumented) is a handoff; a span no dialect classifies
(HTTP/DB client spans, application spans) is "other". A tool span without a tool name uses its
span name, an agent span without an agent name likewise (minus the GenAI operation prefix).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from tools.model.trace import Span, SpanEvent, SpanKind
from tools.traces.dialects import (
    genai,
    genai_events,
    langfuse_otel,
    langsmith_otel,
    legacy_prompts,
    openinference,
    traceloop,
)
from tools.traces.dialects.draft import Draft
from tools.traces.otlp_values import KIND_LABELS

__all__ = ["Draft", "to_span"]

_DIALECTS = (openinference, genai, genai_events, legacy_prompts, traceloop, langfuse_otel, langsmith_otel)
_HANDOFF_FROM: frozenset[SpanKind | None] = frozenset({None, "tool", "chain"})
_OP_PREFIXES = ("invoke_agent ", "create_agent ", "execute_tool ")
_formats: dict[tuple[str, str | None], str] = {}


def to_span(d: Draft, container: str) -> Span:
    """Classify, fill from every dialect, and build the `Span` (source_format = container/dialect)."""
    dialects = _active(d)
    _classify(d, dialects)
    if d.kind == "llm" and legacy_prompts not in dialects:
        dialects = _active(d)  # LLM spans may carry flattened legacy content without index 0
    for dialect in dialects:
        d.label = dialect.LABEL
        dialect.fill(d)
    _fallbacks(d)
    fields = d.fields
    fields["kind"] = d.kind
    error = _error_text(d)
    if d.status == "unset" and d.attrs.get("error.type"):
        d.status = "error"  # semconv: error.type is only set when the operation failed
    fields["status"] = d.status
    fields["error"] = error
    fields["events"] = _merged_events(d)
    fields["attributes"] = _with_span_facts(d)
    fields["source_format"] = source_format(container, d.content_label or d.kind_label)
    return Span(**fields)


def source_format(container: str, label: str | None) -> str:
    key = (container, label)
    found = _formats.get(key)
    if found is None:
        found = _formats[key] = f"{container}/{label}" if label else container
    return found


def _active(d: Draft) -> list[ModuleType]:
    """The dialects this span carries, in precedence order (most spans carry none: a cheap test)."""
    keys = d.attrs.keys()
    events = bool(d.events or d.log_events)
    llm = d.kind == "llm"
    return [
        dl
        for dl in _DIALECTS
        if not keys.isdisjoint(dl.MARKERS)
        or (events and dl is genai_events)
        or (llm and dl is legacy_prompts)
    ]


def _classify(d: Draft, dialects: list[ModuleType]) -> None:
    for dialect in dialects:
        kind = dialect.kind_of(d)
        if kind is not None:
            d.kind, d.kind_label = kind, dialect.LABEL
            break
    if d.kind is None and (genai_events.has_content(d.events) or genai_events.has_content(d.log_events)):
        d.kind, d.kind_label = "llm", genai_events.LABEL
    if d.kind in _HANDOFF_FROM and d.name[:7].lower() == "handoff":
        d.kind = "handoff"
    if d.kind is None:
        d.kind = "other"


def _fallbacks(d: Draft) -> None:
    if d.kind == "tool" and not d.has("tool_name"):
        d.put("tool_name", _strip_op(d.name))
    elif d.kind == "agent" and not d.has("agent"):
        d.put("agent", _strip_op(d.name))


def _strip_op(name: str) -> str | None:
    for prefix in _OP_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :].strip() or None
    return name or None


def _error_text(d: Draft) -> str | None:
    """error.type + status message + exception events + dialect errors, without repeats."""
    if d.status == "ok":
        return None  # an exception event on an OK span was handled; it stays in `events`
    if d.status == "unset" and not d.events and not d.error_parts and "error.type" not in d.attrs:
        return None  # the common case, decided without building anything
    parts: list[str] = []
    _add(parts, d.attrs.get("error.type"))
    _add(parts, d.status_message)
    for event in d.events:
        if event.name == "exception":
            a = event.attributes
            etype, emsg = a.get("exception.type"), a.get("exception.message")
            _add(parts, f"{etype}: {emsg}" if etype and emsg else etype or emsg)
    for part in d.error_parts:
        _add(parts, part)
    return "; ".join(parts) or None


def _add(parts: list[str], piece: object) -> None:
    """Append unless already said; a longer piece replaces the shorter ones it contains."""
    if piece is None or piece == "":
        return
    text = piece if isinstance(piece, str) else str(piece)
    if any(text in p for p in parts):
        return
    parts[:] = [p for p in parts if p not in text]
    parts.append(text)


def _with_span_facts(d: Draft) -> dict[str, Any]:
    """Span-level OTel facts a draft may cite, under the names non-OTLP exporters use for them
    (Jaeger/Zipkin `span.kind`, OTel `otel.scope.name`); a recorded attribute is never replaced."""
    attrs = d.attrs
    if d.otel_kind in KIND_LABELS and "span.kind" not in attrs:
        attrs["span.kind"] = KIND_LABELS[d.otel_kind]
    if d.scope and "otel.scope.name" not in attrs:
        attrs["otel.scope.name"] = d.scope
    return attrs


def _merged_events(d: Draft) -> list[SpanEvent]:
    if not d.log_events:
        return d.events
    merged = d.events + d.log_events
    # Stable: events recorded at the same instant keep their recorded order.
    merged.sort(key=lambda e: (e.time_ns is None, e.time_ns or 0))
    return merged
