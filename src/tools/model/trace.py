"""The normalized trace model every trace reader produces.

One `Span` shape for OTLP (OpenInference, OTel GenAI in all its dialects), LangSmith runs,
Langfuse observations and OpenAI Agents SDK spans. Readers keep the original attributes in
`Span.attributes` so a draft can cite what the exporter actually recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

SpanKind = Literal["llm", "tool", "retrieval", "agent", "chain", "guardrail", "handoff", "other"]
SpanStatus = Literal["ok", "error", "unset"]


class ToolCall(BaseModel):
    """A tool call the model asked for (in an LLM output) or that a message carries."""

    id: str | None = Field(default=None, description="Call id as recorded (call_…, toolu_…), if any.")
    name: str = Field(description="Tool/function name.")
    arguments: str = Field(
        default="",
        description="Arguments exactly as recorded; a JSON object is serialized compactly.",
    )


class ChatMessage(BaseModel):
    """One message of an LLM call's input (or output) conversation."""

    role: str = Field(description="system | user | assistant | tool | other role string as recorded.")
    content: str = Field(default="", description="Text content; multi-part content is joined with newlines.")
    name: str | None = Field(default=None, description="Optional author/tool name on the message.")
    tool_call_id: str | None = Field(default=None, description="For tool results: the call they answer.")
    tool_calls: list[ToolCall] = Field(default_factory=list, description="Tool calls on an assistant message.")


class RetrievedDocument(BaseModel):
    """A document a retrieval step returned."""

    id: str | None = Field(default=None, description="Document id as recorded.")
    content: str = Field(default="", description="Document text as recorded.")
    score: float | None = Field(default=None, description="Relevance score, if recorded.")
    version: str | None = Field(default=None, description="Document version, from metadata when present.")
    updated_at: str | None = Field(default=None, description="Last-updated/indexed timestamp from metadata.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Remaining metadata, decoded.")


class SpanEvent(BaseModel):
    """A span event (OTLP event, exception, stream marker) kept for citation."""

    name: str
    time_ns: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class Span(BaseModel):
    """One unit of agent work: an LLM call, a tool execution, a retrieval, an agent turn…"""

    trace_id: str = Field(description="Trace id, normalized (lowercase hex for OTLP).")
    span_id: str = Field(description="Span id exactly as the format spells it (16-hex, UUID, span_…).")
    parent_id: str | None = Field(default=None, description="Parent span id; None for roots.")
    kind: SpanKind = Field(default="other", description="Normalized span kind.")
    name: str = Field(default="", description="Span/run/observation name.")
    start_ns: int | None = Field(default=None, description="Start, nanoseconds since the Unix epoch (UTC).")
    end_ns: int | None = Field(default=None, description="End, nanoseconds since the Unix epoch (UTC).")
    status: SpanStatus = Field(default="unset", description="ok | error | unset.")
    error: str | None = Field(default=None, description="Error type/message when the span failed.")
    agent: str | None = Field(default=None, description="Name of the agent this span belongs to, if known.")
    service: str | None = Field(default=None, description="Service name from the resource, if any.")
    session_id: str | None = Field(default=None, description="Session/conversation/thread id, if recorded.")
    model: str | None = Field(default=None, description="Requested model name.")
    response_model: str | None = Field(default=None, description="Model the provider says it served.")
    provider: str | None = Field(default=None, description="Model or tool provider (openai, anthropic, …).")
    tokens_in: int | None = Field(default=None, description="Prompt/input tokens.")
    tokens_out: int | None = Field(default=None, description="Completion/output tokens.")
    input_messages: list[ChatMessage] = Field(
        default_factory=list, description="LLM input conversation (system, user, assistant, tool turns)."
    )
    output_text: str | None = Field(default=None, description="LLM output text (assistant content).")
    output_tool_calls: list[ToolCall] = Field(
        default_factory=list, description="Tool calls the LLM output requested."
    )
    tool_name: str | None = Field(default=None, description="For tool spans: the tool executed.")
    tool_args: str | None = Field(default=None, description="For tool spans: arguments as recorded.")
    tool_result: str | None = Field(default=None, description="For tool spans: result as recorded.")
    input_text: str | None = Field(
        default=None, description="Generic input value (chain/agent/retrieval query) when not messages."
    )
    documents: list[RetrievedDocument] = Field(default_factory=list, description="Retrieved documents.")
    events: list[SpanEvent] = Field(default_factory=list, description="Span events as recorded.")
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="Raw attributes/metadata as the exporter recorded them."
    )
    source_file: str | None = Field(default=None, description="File the span was read from.")
    source_format: str | None = Field(default=None, description="Detected format/dialect of that file.")

    @property
    def ref(self) -> str:
        return f"span:{self.span_id}"

    @property
    def start(self) -> datetime | None:
        return ns_to_datetime(self.start_ns)

    @property
    def end(self) -> datetime | None:
        return ns_to_datetime(self.end_ns)

    @property
    def duration_ms(self) -> float | None:
        if self.start_ns is None or self.end_ns is None:
            return None
        return (self.end_ns - self.start_ns) / 1e6

    def recorded_output(self) -> str:
        """What this span produced, as recorded: the text a verbatim quote must come from."""
        parts: list[str] = []
        if self.output_text:
            parts.append(self.output_text)
        for call in self.output_tool_calls:
            parts.append(f"{call.name}({call.arguments})")
        if self.tool_result:
            parts.append(self.tool_result)
        for doc in self.documents:
            if doc.content:
                parts.append(doc.content)
        return "\n".join(parts)

    def recorded_content(self) -> str:
        """Everything recorded on the span, input and output, for quote verification and search."""
        parts: list[str] = [m.content for m in self.input_messages if m.content]
        for m in self.input_messages:
            parts.extend(f"{c.name}({c.arguments})" for c in m.tool_calls)
        if self.input_text:
            parts.append(self.input_text)
        if self.tool_args:
            parts.append(self.tool_args)
        parts.append(self.recorded_output())
        if self.error:
            parts.append(self.error)
        return "\n".join(p for p in parts if p)


class Trace(BaseModel):
    """The spans of one trace file (a file may hold several trace ids; spans keep their own)."""

    source_file: str = Field(description="Path of the file (or first file of a multi-page export).")
    format: str = Field(description="Detected format, e.g. 'otlp-json/openinference', 'langsmith-jsonl'.")
    spans: list[Span] = Field(default_factory=list, description="Spans in start-time order.")
    warnings: list[str] = Field(default_factory=list, description="Non-fatal problems met while reading.")


def ns_to_datetime(ns: int | None) -> datetime | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, tz=UTC)


def datetime_to_ns(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # Integer arithmetic keeps microseconds exact (a float of ns since 1970 loses them).
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
