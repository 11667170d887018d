"""Incident metadata and the loaded bundle."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.model.chat import ChatLog
from tools.model.trace import Span, Trace

OPTIONAL_META_FIELDS = ("title", "severity", "opened_at", "resolved_at", "channel", "services", "agents")


class IncidentMeta(BaseModel):
    """`incident.json`: only `id` is required; missing fields are listed, never invented."""

    id: str = Field(description="Incident id, e.g. INC-2041. Also the LangGraph thread id.")
    title: str | None = Field(default=None, description="Incident title.")
    severity: str | None = Field(default=None, description="Severity label, e.g. SEV2.")
    opened_at: str | None = Field(default=None, description="ISO-8601 time the incident opened.")
    resolved_at: str | None = Field(default=None, description="ISO-8601 time the incident resolved.")
    channel: str | None = Field(default=None, description="Incident channel name.")
    services: list[str] = Field(default_factory=list, description="Services affected.")
    agents: list[str] = Field(default_factory=list, description="Names of the AI agents involved.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Any other keys found in incident.json.")
    missing: list[str] = Field(default_factory=list, description="Optional fields absent from incident.json.")


class Bundle(BaseModel):
    """An incident bundle read from disk (spec/bundle.md §1)."""

    path: str = Field(description="Bundle directory.")
    meta: IncidentMeta
    traces: list[Trace] = Field(default_factory=list, description="One entry per trace file (or paged export).")
    chat: ChatLog | None = Field(default=None, description="The incident channel, if present.")
    postmortem: str | None = Field(default=None, description="The historical postmortem.md, if present.")
    expected: dict[str, Any] | None = Field(default=None, description="Eval labels (expected.json), if present.")
    warnings: list[str] = Field(default_factory=list, description="What is missing or was skipped.")

    def spans(self) -> list[Span]:
        """All spans of all traces in start-time order (spans without a start go last)."""
        out = [s for t in self.traces for s in t.spans]
        out.sort(key=lambda s: (s.start_ns is None, s.start_ns or 0))
        return out
