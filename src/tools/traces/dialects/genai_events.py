"""Pre-1.37 GenAI content carried as events → LLM conversation (formats.md §2 "Older, event-based").

v1.28–v1.36 instrumentations record each prompt message as an event named
`gen_ai.{system,user,assistant,tool}.message` and each completion as `gen_ai.choice`. The
payload is in the span event's attributes, or, when the events were emitted as OTLP log records
(the usual case), in the record's `body` kvlist; the logs reader folds such records into
`Draft.log_events` as events whose attributes carry `body`. Older still,
`gen_ai.content.prompt` / `gen_ai.content.completion` events hold `gen_ai.prompt` /
`gen_ai.completion` strings.

Messages keep recorded order: span events in their list order, log records by timestamp with
ties in file order (all prompt messages of one call share a timestamp).
"""

from __future__ import annotations

from typing import Any

from tools.model.trace import ChatMessage, SpanEvent, ToolCall
from tools.traces.dialects import chat
from tools.traces.dialects.draft import Draft
from tools.traces.otlp_values import as_int, first_str

LABEL = "genai-events"
LOGS_LABEL = "genai+logs"

_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
_CHOICE = "gen_ai.choice"
_LEGACY_PROMPT = "gen_ai.content.prompt"
_LEGACY_COMPLETION = "gen_ai.content.completion"
_NAMES = frozenset({*_ROLES, _CHOICE, _LEGACY_PROMPT, _LEGACY_COMPLETION})
MARKERS: frozenset[str] = frozenset()  # not attribute-driven: the runner calls it for spans with events


def kind_of(d: Draft) -> None:
    return None  # content events only ever sit on spans another dialect already classified


def has_content(events: list[SpanEvent]) -> bool:
    return any(e.name in _NAMES for e in events)


def fill(d: Draft) -> bool:
    for events, label in ((d.events, LABEL), (d.log_events, LOGS_LABEL)):
        if events and has_content(events):
            d.label = label
            _apply(d, events)
            return True
    return False


def _apply(d: Draft, events: list[SpanEvent]) -> None:
    inputs: list[ChatMessage] = []
    texts: list[tuple[int, str]] = []
    calls: list[tuple[int, ToolCall]] = []
    for event in events:
        payload = _payload(event)
        if event.name in _ROLES:
            inputs.extend(_message(payload, _ROLES[event.name]))
        elif event.name == _CHOICE:
            index = as_int(payload.get("index")) or 0
            text, choice_calls = _choice(payload)
            if text:
                texts.append((index, text))
            calls.extend((index, c) for c in choice_calls)
        elif event.name == _LEGACY_PROMPT:
            inputs.extend(chat.messages(payload.get("gen_ai.prompt")))
        elif event.name == _LEGACY_COMPLETION:
            out = chat.output_of(payload.get("gen_ai.completion"))
            if out.text:
                texts.append((0, out.text))
            calls.extend((0, c) for c in out.tool_calls)
        if d.fields.get("provider") is None:
            d.put("provider", first_str(payload.get("gen_ai.system"), event.attributes.get("gen_ai.system")))
    d.put("input_messages", inputs)
    # Choices are ordered by their index (n>1 sampling); the sort is stable for equal indices.
    d.put("output_text", "\n".join(t for _, t in sorted(texts, key=lambda x: x[0])) or None)
    d.put("output_tool_calls", [c for _, c in sorted(calls, key=lambda x: x[0])])


def _payload(event: SpanEvent) -> dict[str, Any]:
    """Where the event's fields are: a log record's body (kvlist or JSON string) or the attributes."""
    body = event.attributes.get("body")
    if body is not None:
        body = chat.parse_loose(body)
        if isinstance(body, dict):
            return body
        return {"content": body}
    return event.attributes


def _message(payload: dict[str, Any], role: str) -> list[ChatMessage]:
    msg = ChatMessage(
        role=chat.role_of(payload.get("role"), role),
        content=chat.text_of(payload.get("content")),
        name=first_str(payload.get("name")),
        tool_call_id=first_str(payload.get("id"), payload.get("tool_call_id")) if role == "tool" else None,
        tool_calls=chat.tool_calls(payload.get("tool_calls")),
    )
    return [msg]


def _choice(payload: dict[str, Any]) -> tuple[str | None, list[ToolCall]]:
    message = chat.parse_loose(payload.get("message"))
    text: str | None = None
    calls: list[ToolCall] = []
    if isinstance(message, dict):
        text = chat.text_of(message.get("content")) or None
        calls = chat.tool_calls(message.get("tool_calls"))
    elif isinstance(message, str):
        text = message or None
    # Some instrumentations put tool_calls beside `message` rather than inside it.
    return text, calls or chat.tool_calls(payload.get("tool_calls"))
