"""OpenInference (Arize Phoenix) attributes → normalized span fields (formats.md §3).

The kind lives in `openinference.span.kind`; LLM conversations are flattened into
`llm.{input,output}_messages.{i}.message.*` (tool calls one level deeper under
`message.tool_calls.{k}.tool_call.*`); generic I/O is `input.value` / `output.value`;
retrieved documents are `retrieval.documents.{i}.document.*` with JSON-string metadata.
"""

from __future__ import annotations

from typing import Any

from tools.model.trace import ChatMessage, SpanKind, ToolCall
from tools.traces.dialects import chat, documents
from tools.traces.dialects.draft import Draft
from tools.traces.dialects.indexed import indexed
from tools.traces.otlp_values import as_int, first_str

LABEL = "openinference"

_KINDS: dict[str, SpanKind] = {
    "LLM": "llm",
    "TOOL": "tool",
    "RETRIEVER": "retrieval",
    "RERANKER": "retrieval",
    "AGENT": "agent",
    "CHAIN": "chain",
    "GUARDRAIL": "guardrail",
    "EMBEDDING": "other",
    "EVALUATOR": "other",
    "PROMPT": "other",
    "HANDOFF": "handoff",  # not in the enum, but custom instrumentations use it
}
# Keys whose presence means this dialect has something to read (the runner skips it otherwise).
MARKERS = frozenset(
    {
        "openinference.span.kind",
        "input.value",
        "output.value",
        "llm.model_name",
        "llm.provider",
        "llm.system",
        "llm.input_messages.0.message.role",
        "llm.token_count.prompt",
        "tool.name",
        "agent.name",
        "session.id",
    }
)


_PLAIN_KEYS = frozenset({"message.role", "message.content", "message.name", "message.tool_call_id"})


def kind_of(d: Draft) -> SpanKind | None:
    raw = d.attrs.get("openinference.span.kind")
    return _KINDS.get(raw.strip().upper()) if isinstance(raw, str) else None


def fill(d: Draft) -> bool:
    a = d.attrs
    d.put("session_id", first_str(a.get("session.id")))
    d.put("agent", first_str(a.get("agent.name")))
    if d.kind == "llm":
        _llm(d)
    elif d.kind == "tool":
        d.put("tool_name", first_str(a.get("tool.name")))
        d.put("tool_args", _recorded(a.get("input.value")))
        d.put("tool_result", _recorded(a.get("output.value")))
    elif d.kind == "retrieval":
        d.put("documents", _documents(d))
        d.put("input_text", _recorded(a.get("input.value")) or first_str(a.get("reranker.query")))
    else:
        d.put("input_text", _recorded(a.get("input.value")))
        d.put("output_text", _recorded(a.get("output.value")))
    return True


def _llm(d: Draft) -> None:
    a = d.attrs
    params = chat.parse_loose(a.get("llm.invocation_parameters"))
    requested = params.get("model") if isinstance(params, dict) else None
    served = first_str(a.get("llm.model_name"))
    model = first_str(a.get("llm.request.model_name"), requested, served)
    d.put("model", model)
    d.put("response_model", first_str(a.get("llm.response.model_name"), served if served != model else None))
    d.put("provider", first_str(a.get("llm.provider"), a.get("llm.system")))
    d.put("tokens_in", as_int(a.get("llm.token_count.prompt")))
    d.put("tokens_out", as_int(a.get("llm.token_count.completion")))
    inputs = [m for item in d.indexed("llm.input_messages") for m in _message(item)]
    if not inputs:
        inputs = [
            ChatMessage(role="user", content=chat.text_of(p.get("prompt.text")))
            for p in d.indexed("llm.prompts")
        ]
        inputs = [m for m in inputs if m.content]
    d.put("input_messages", inputs)
    outputs = [m for item in d.indexed("llm.output_messages") for m in _message(item)]
    text = "\n".join(m.content for m in outputs if m.content) or None
    if not outputs:
        choices = [chat.text_of(c.get("completion.text")) for c in d.indexed("llm.choices")]
        text = "\n".join(c for c in choices if c) or None
    d.put("output_text", text)
    d.put("output_tool_calls", [c for m in outputs for c in m.tool_calls])
    if not inputs:
        # No flattened messages: fall back to the raw request body in input.value.
        parsed = chat.messages(a["input.value"]) if _is_json(a, "input") else []
        d.put("input_messages", parsed)
        if not parsed:
            d.put("input_text", _recorded(a.get("input.value")))
    if text is None and not outputs and a.get("output.value") not in (None, ""):
        out = chat.output_of(a["output.value"])
        d.put("output_text", out.text if out else _recorded(a["output.value"]))
        d.put("output_tool_calls", out.tool_calls)


def _message(item: dict[str, Any]) -> list[ChatMessage]:
    """One flattened `message.*` group → ChatMessage (several for multi-part tool results)."""
    role = chat.role_of(item.get("message.role"), "user")
    content = item.get("message.content")
    nested = not _PLAIN_KEYS.issuperset(item)  # most messages have no nested lists: skip the scans
    if content is None and nested:
        parts = indexed(item, "message.contents")
        content = "\n".join(
            chat.text_of(p.get("message_content.text")) for p in parts if p.get("message_content.text")
        )
    calls = [c for c in (_tool_call(t) for t in indexed(item, "message.tool_calls")) if c] if nested else []
    return [
        ChatMessage(
            role=role,
            content=chat.text_of(content),
            name=first_str(item.get("message.name")),
            tool_call_id=first_str(item.get("message.tool_call_id")),
            tool_calls=calls,
        )
    ]


def _tool_call(item: dict[str, Any]) -> ToolCall | None:
    name = first_str(item.get("tool_call.function.name"))
    if name is None:
        return None
    return ToolCall(
        id=first_str(item.get("tool_call.id")),
        name=name,
        arguments=chat.arguments(item.get("tool_call.function.arguments")),
    )


def _documents(d: Draft) -> list[Any]:
    items = d.indexed("retrieval.documents") or d.indexed("reranker.output_documents")
    return [
        documents.document(
            i.get("document.id"),
            i.get("document.content"),
            i.get("document.score"),
            i.get("document.metadata"),
        )
        for i in items
    ]


def _recorded(value: Any) -> str | None:
    """input.value/output.value as recorded (a structured value from a loose producer → JSON)."""
    if value is None or value == "":
        return None
    return chat.arguments(value)


def _is_json(a: dict[str, Any], which: str) -> bool:
    value = a.get(f"{which}.value")
    return isinstance(value, str) and (
        a.get(f"{which}.mime_type") == "application/json" or value.lstrip()[:1] in ("{", "[")
    )
