"""OpenTelemetry GenAI semantic-convention attributes (v1.37+ content) → span fields (formats.md §2).

Classification is by `gen_ai.operation.name`. Content lives in `gen_ai.system_instructions`,
`gen_ai.input.messages` and `gen_ai.output.messages`, either structured (kvlist/array
AnyValues, already decoded to dicts/lists) or as JSON strings; both are parsed. The same
attributes may instead sit on a `gen_ai.client.inference.operation.details` event.
Model/provider/token attributes are read for every GenAI span, including the pre-1.37 names
(`gen_ai.system`, `gen_ai.usage.prompt_tokens`) that the older event-based dialect still uses.
"""

from __future__ import annotations

from typing import Any

from tools.model.trace import ChatMessage, SpanKind
from tools.traces.dialects import chat, documents
from tools.traces.dialects.draft import Draft
from tools.traces.otlp_values import as_int, first_str, iter_dicts

LABEL = "genai"

_KINDS: dict[str, SpanKind] = {
    "chat": "llm",
    "text_completion": "llm",
    "generate_content": "llm",
    "execute_tool": "tool",
    "retrieval": "retrieval",
    "invoke_agent": "agent",
    "create_agent": "agent",
    "invoke_workflow": "chain",
    "plan": "chain",
    "embeddings": "other",
    "handoff": "handoff",
}
MARKERS = frozenset(
    {
        "gen_ai.operation.name",
        "gen_ai.request.model",
        "gen_ai.provider.name",
        "gen_ai.system",
        "gen_ai.agent.name",
        "gen_ai.tool.name",
        "gen_ai.conversation.id",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.response.model",
        "gen_ai.usage.input_tokens",
        "gen_ai.system_instructions",
        "gen_ai.tool.call.arguments",
        "gen_ai.retrieval.documents",
    }
)
_DETAILS_EVENT = "gen_ai.client.inference.operation.details"
_NAME_PREFIXES = ("invoke_agent ", "create_agent ", "execute_tool ", "invoke_workflow ")


def kind_of(d: Draft) -> SpanKind | None:
    op = d.attrs.get("gen_ai.operation.name")
    return _KINDS.get(op.strip().lower()) if isinstance(op, str) else None


def fill(d: Draft) -> bool:
    a = d.attrs
    d.put("model", first_str(a.get("gen_ai.request.model")))
    d.put("response_model", first_str(a.get("gen_ai.response.model")))
    d.put("provider", first_str(a.get("gen_ai.provider.name"), a.get("gen_ai.system")))
    d.put("tokens_in", as_int(_first(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")))
    d.put("tokens_out", as_int(_first(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")))
    d.put("session_id", first_str(a.get("gen_ai.conversation.id")))
    d.put("agent", first_str(a.get("gen_ai.agent.name")))
    if d.kind == "llm":
        _content(d, a)
        details = next((e.attributes for e in d.events if e.name == _DETAILS_EVENT), None)
        if details:
            _content(d, details)
    elif d.kind == "tool":
        d.put("tool_name", first_str(a.get("gen_ai.tool.name")) or _strip_prefix(d.name))
        d.put("tool_args", _recorded(a.get("gen_ai.tool.call.arguments")))
        d.put("tool_result", _recorded(a.get("gen_ai.tool.call.result")))
    elif d.kind == "retrieval":
        docs = chat.parse_loose(a.get("gen_ai.retrieval.documents"))
        d.put("documents", [documents.from_dict(x) for x in iter_dicts(docs)])
        d.put("input_text", first_str(a.get("gen_ai.retrieval.query.text")))
    elif d.kind == "agent":
        d.put("agent", _strip_prefix(d.name))
    return True


def _content(d: Draft, a: dict[str, Any]) -> None:
    system = _system_messages(a.get("gen_ai.system_instructions"))
    inputs = chat.messages(a.get("gen_ai.input.messages")) if "gen_ai.input.messages" in a else []
    if system or inputs:
        d.put("input_messages", system + inputs)
    if "gen_ai.output.messages" in a:
        out = chat.output_of(a["gen_ai.output.messages"])
        d.put("output_text", out.text)
        d.put("output_tool_calls", out.tool_calls)
        if out.reasoning:
            # The model has no reasoning field yet; keep it citable next to the raw attributes.
            d.attrs.setdefault("pmdraft.output.reasoning", out.reasoning)


def _system_messages(raw: Any) -> list[ChatMessage]:
    """gen_ai.system_instructions: a list of parts (or a bare string) → one system message."""
    value = chat.parse_loose(raw)
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, dict):
        value = [value]
    text = chat.text_of(value)
    return [ChatMessage(role="system", content=text)] if text else []


def _first(a: dict[str, Any], *keys: str) -> Any:
    return next((a[k] for k in keys if a.get(k) is not None), None)


def _recorded(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return chat.arguments(value)


def _strip_prefix(name: str) -> str | None:
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :].strip() or None
    return None
