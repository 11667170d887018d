"""The span being mapped: decoded OTel fields plus the normalized fields dialects fill in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.model.trace import SpanEvent, SpanKind, SpanStatus
from tools.traces.dialects.indexed import Groups, group_lists, ordered

# Fields whose first writer decides the span's dialect label ("where the content came from").
CONTENT_FIELDS = frozenset(
    {"input_messages", "output_text", "output_tool_calls", "tool_args", "tool_result", "documents"}
)


@dataclass(slots=True)
class Draft:
    """One span on its way to `Span`. Dialects read `attrs`/`events` and `put` normalized fields.

    `put` is first-writer-wins: dialects run in precedence order, so where two dialects record
    the same thing on one span (OpenInference and GenAI side by side), the earlier one is kept.
    """

    name: str
    attrs: dict[str, Any]
    events: list[SpanEvent]
    otel_kind: int = 0
    scope: str | None = None  # instrumentation scope (library) name
    status: SpanStatus = "unset"
    status_message: str | None = None
    log_events: list[SpanEvent] = field(default_factory=list)  # joined from an OTLP logs file
    kind: SpanKind | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    error_parts: list[str] = field(default_factory=list)  # dialect-specific error text (e.g. Langfuse level)
    label: str | None = None  # dialect currently writing (set by the runner)
    kind_label: str | None = None
    content_label: str | None = None
    _lists: Groups | None = None

    def put(self, key: str, value: Any) -> None:
        if value is None or value == "" or value == []:
            return
        if key in self.fields:
            return
        self.fields[key] = value
        if self.content_label is None and key in CONTENT_FIELDS:
            self.content_label = self.label

    def has(self, key: str) -> bool:
        return key in self.fields

    def indexed(self, prefix: str) -> list[dict[str, Any]]:
        """A flattened top-level list (`llm.input_messages`, `gen_ai.prompt`, …), items in order."""
        if self._lists is None:
            self._lists = group_lists(self.attrs)
        return ordered(self._lists.get(prefix))
