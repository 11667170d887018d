"""Deprecated `gen_ai.prompt` / `gen_ai.completion` content (formats.md §2 "Pre-events", §4).

Two shapes share the deprecated keys:
- OpenLLMetry/Traceloop flattens messages onto them: `gen_ai.prompt.{i}.role|content|tool_call_id`,
  `gen_ai.prompt.{i}.tool_calls.{k}.id|name|arguments`, `gen_ai.completion.{i}.role|content|
  finish_reason|tool_calls.{k}.*` (older releases: `llm.prompts.{i}.*` / `llm.completions.{i}.*`,
  and `function_call.name|arguments`).
- LangSmith's OTel exporter (and pre-1.28 instrumentations) store the whole prompt/completion as
  one JSON string on `gen_ai.prompt` / `gen_ai.completion`.
"""

from __future__ import annotations

from typing import Any

from tools.model.trace import ChatMessage, SpanKind, ToolCall
from tools.traces.dialects import chat
from tools.traces.dialects.draft import Draft
from tools.traces.dialects.indexed import indexed
from tools.traces.otlp_values import first_str

LABEL = "genai-legacy"

# Also run for any span another dialect classified as an LLM call (indices may start above 0).
MARKERS = frozenset(
    {
        "gen_ai.prompt",
        "gen_ai.completion",
        "gen_ai.prompt.0.role",
        "gen_ai.prompt.0.content",
        "gen_ai.completion.0.role",
        "gen_ai.completion.0.content",
        "llm.prompts.0.role",
        "llm.prompts.0.content",
        "llm.completions.0.content",
    }
)
_PROMPT_PREFIXES = ("gen_ai.prompt", "llm.prompts")
_COMPLETION_PREFIXES = ("gen_ai.completion", "llm.completions")


def kind_of(d: Draft) -> SpanKind | None:
    a = d.attrs
    if "gen_ai.prompt.0.content" in a or "gen_ai.completion.0.content" in a or "gen_ai.prompt.0.role" in a:
        return "llm"
    return None


def fill(d: Draft) -> bool:
    if d.kind != "llm":
        return False
    found = False
    for prefix in _PROMPT_PREFIXES:
        inputs = [m for item in d.indexed(prefix) for m in _message(item, "user")]
        if inputs:
            d.put("input_messages", inputs)
            found = True
            break
    for prefix in _COMPLETION_PREFIXES:
        outputs = [m for item in d.indexed(prefix) for m in _message(item, "assistant")]
        if outputs:
            d.put("output_text", "\n".join(m.content for m in outputs if m.content) or None)
            d.put("output_tool_calls", [c for m in outputs for c in m.tool_calls])
            found = True
            break
    return _whole(d) or found


def _whole(d: Draft) -> bool:
    """One JSON (or plain) string on `gen_ai.prompt` / `gen_ai.completion`."""
    prompt, completion = d.attrs.get("gen_ai.prompt"), d.attrs.get("gen_ai.completion")
    if prompt in (None, "") and completion in (None, ""):
        return False
    if prompt not in (None, ""):
        d.put("input_messages", chat.messages(prompt))
    if completion not in (None, ""):
        out = chat.output_of(completion)
        d.put("output_text", out.text if out else chat.arguments(completion))
        d.put("output_tool_calls", out.tool_calls)
    return True


def _message(item: dict[str, Any], default_role: str) -> list[ChatMessage]:
    calls = [c for c in (_tool_call(t) for t in indexed(item, "tool_calls")) if c]
    fn = _tool_call(
        {k[len("function_call.") :]: v for k, v in item.items() if k.startswith("function_call.")}
    )
    if fn is not None:
        calls.append(fn)
    content = item.get("content")
    if content is None and not calls and item.get("role") is None:
        return []  # e.g. OpenInference's `llm.prompts.{i}.prompt.text`, handled there
    return [
        ChatMessage(
            role=chat.role_of(item.get("role"), default_role),
            content=chat.text_of(chat.parse_loose(content) if _is_parts(content) else content),
            name=first_str(item.get("name")),
            tool_call_id=first_str(item.get("tool_call_id")),
            tool_calls=calls,
        )
    ]


def _tool_call(item: dict[str, Any]) -> ToolCall | None:
    name = first_str(item.get("name"), item.get("function.name"))
    if name is None:
        return None
    args = item.get("arguments", item.get("function.arguments"))
    return ToolCall(id=first_str(item.get("id")), name=name, arguments=chat.arguments(args))


def _is_parts(content: Any) -> bool:
    # OpenLLMetry serializes multi-part content as a JSON list of {type, text} parts.
    return isinstance(content, str) and content.lstrip().startswith('[{"type"')
