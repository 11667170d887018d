"""OTLP logs (`resourceLogs`) → span events, joined to spans by traceId/spanId.

GenAI instrumentations up to semconv v1.36 emit prompt and completion content as log records
(formats.md §2 pitfall 4), so a spans file may have no content at all and a sibling logs file
all of it. Each log record becomes a `SpanEvent` of the span it names:
  name        `eventName` (LogRecord field), else attribute `event.name`, else "log"
  time_ns     `timeUnixNano`, else `observedTimeUnixNano`
  attributes  the record's attributes, plus `body` (the decoded body) and `severity`
              (severityText or severityNumber) when recorded
Records of one span are ordered by time, ties in file order (all prompt messages of one call
share a timestamp and only their order says which came first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.model.trace import SpanEvent
from tools.traces.otlp_source import Source
from tools.traces.otlp_values import any_value, as_int, attributes, first_str, norm_id, time_ns

Progress = Callable[[str, int, int], None]
_SCOPE_KEYS = ("scopeLogs", "instrumentationLibraryLogs")


@dataclass
class LogIndex:
    """Log-derived events waiting for their span, keyed by (trace id, span id)."""

    pending: dict[tuple[str, str], list[tuple[int, int, SpanEvent]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    files: list[str] = field(default_factory=list)
    records: int = 0
    unlinked: int = 0  # records with no span id: nothing to join them to

    def add_file(self, path: Path, progress: Progress | None) -> None:
        self.files.append(str(path))
        for _line, resource_logs in Source(path, "logs", progress).items():
            for scope in _scope_lists(resource_logs):
                records = scope.get("logRecords")
                for record in records if isinstance(records, list) else ():
                    if isinstance(record, dict):
                        self._add(record)

    def _add(self, record: dict[str, Any]) -> None:
        self.records += 1
        span_id = norm_id(record.get("spanId"))
        if span_id is None:
            self.unlinked += 1
            return
        trace_id = norm_id(record.get("traceId")) or ""
        event = to_event(record)
        self.pending[(trace_id, span_id)].append((event.time_ns or 0, self.records, event))

    def take(self, trace_id: str, span_id: str) -> list[SpanEvent]:
        """The span's log events in order (removed from the index: each record joins once)."""
        if not self.pending:
            return []
        found = self.pending.pop((trace_id, span_id), None)
        if not found:
            return []
        found.sort(key=lambda t: (t[0], t[1]))
        return [e for _, _, e in found]

    def leftover(self) -> int:
        return sum(len(v) for v in self.pending.values())


def to_event(record: dict[str, Any]) -> SpanEvent:
    attrs = attributes(record.get("attributes"))
    if "body" in record:
        attrs["body"] = any_value(record["body"])
    severity = first_str(record.get("severityText")) or _severity_name(record.get("severityNumber"))
    if severity is not None:
        attrs["severity"] = severity
    name = first_str(record.get("eventName"), attrs.get("event.name")) or "log"
    when = time_ns(record.get("timeUnixNano")) or time_ns(record.get("observedTimeUnixNano"))
    return SpanEvent(name=name, time_ns=when, attributes=attrs)


def _severity_name(raw: Any) -> str | None:
    """SeverityNumber ranges of the logs data model: 1-4 TRACE … 21-24 FATAL."""
    number = as_int(raw)
    if number is None or not 1 <= number <= 24:
        return None
    return _SEVERITIES[(number - 1) // 4]


_SEVERITIES = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def _scope_lists(resource_logs: dict[str, Any]) -> list[dict[str, Any]]:
    for key in _SCOPE_KEYS:
        scopes = resource_logs.get(key)
        if isinstance(scopes, list):
            return [s for s in scopes if isinstance(s, dict)]
    return []
