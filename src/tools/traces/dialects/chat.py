"""Chat messages in the shapes OTel attribute dialects record → `ChatMessage` / `ToolCall`.

Dialects store conversations in several shapes, often as a JSON string of one of them:
OTel GenAI (`{role, parts: [{type: text|reasoning|tool_call|tool_call_response|…}]}`),
OpenAI Chat Completions (`{role, content, tool_calls: [{id, function: {name, arguments}}]}`),
Anthropic (`content: [{type: text|tool_use|tool_result}]`), LangChain (serialized `lc`
constructors or `{type: human|ai, content}`), and the response envelopes around them
(`choices[]`, `generations[][]`, Responses API `output[]`). One normalizer serves them all.

Tool-call arguments are kept exactly as recorded: a string stays a string, a structured value
is serialized compactly, so a draft can quote them verbatim.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from tools.jsonio import dumps_compact, parse_maybe_json
from tools.model.trace import ChatMessage, ToolCall
from tools.traces.otlp_values import iter_dicts

_ROLE_ALIASES = {"human": "user", "ai": "assistant", "function": "tool"}
_LC_ROLES = {
    "HumanMessage": "user",
    "AIMessage": "assistant",
    "SystemMessage": "system",
    "ToolMessage": "tool",
    "FunctionMessage": "tool",
    "HumanMessageChunk": "user",
    "AIMessageChunk": "assistant",
}
_TEXT_PART_TYPES = {"text", "input_text", "output_text"}
_REASONING_TYPES = {"reasoning", "thinking"}
_TOOL_CALL_TYPES = {"tool_call", "tool_use", "function_call", "server_tool_call"}
_TOOL_RESULT_TYPES = {
    "tool_call_response",
    "tool_result",
    "function_call_output",
    "server_tool_call_response",
}


def arguments(value: Any) -> str:
    """Tool-call arguments as recorded: strings unchanged, structures as compact JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else dumps_compact(value)


def text_of(value: Any) -> str:
    """Message content as text: a string as is, text parts joined by newlines, else compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = [_part_text(p) for p in value]
        return "\n".join(t for t in texts if t)
    if isinstance(value, dict):
        text = _part_text(value)
        return text if text is not None else dumps_compact(value)
    return str(value)


def _part_text(part: Any) -> str | None:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return None
    kind = _ptype(part)
    if kind in _REASONING_TYPES or kind in _TOOL_CALL_TYPES or kind in _TOOL_RESULT_TYPES:
        return None
    for key in ("text", "content"):
        value = part.get(key)
        if isinstance(value, str):
            return value
    return None


def tool_call(obj: Any) -> ToolCall | None:
    """One tool call in OpenAI, GenAI-part, Anthropic, Responses or LangChain form."""
    if not isinstance(obj, dict):
        return None
    inner = obj.get("function")
    fn: dict[str, Any] = inner if isinstance(inner, dict) else obj
    name = fn.get("name")
    if not isinstance(name, str) or not name:
        return None
    if "arguments" in fn:
        args = fn.get("arguments")
    elif "input" in fn:
        args = fn.get("input")  # Anthropic tool_use
    elif "args" in fn:
        args = fn.get("args")  # LangChain tool_calls
    else:
        args = fn.get("server_tool_call")
    call_id = obj.get("id") or obj.get("call_id") or obj.get("tool_call_id")
    return ToolCall(id=str(call_id) if call_id else None, name=name, arguments=arguments(args))


def tool_calls(value: Any) -> list[ToolCall]:
    calls = (tool_call(v) for v in iter_dicts(parse_maybe_json(value)))
    return [c for c in calls if c is not None]


# --- messages -------------------------------------------------------------------------------


def role_of(raw: Any, default: str = "user") -> str:
    if not isinstance(raw, str) or not raw:
        return default
    return _ROLE_ALIASES.get(raw, raw)


def message(obj: Any, default_role: str = "user") -> list[ChatMessage]:
    """One recorded message → ChatMessage(s); several tool results in one message are split."""
    if isinstance(obj, str):
        return [ChatMessage(role=default_role, content=obj)]
    if not isinstance(obj, dict):
        return []
    if "lc" in obj and isinstance(obj.get("kwargs"), dict):
        return _langchain(obj)
    if isinstance(obj.get("data"), dict) and "type" in obj:  # langchain messages_to_dict
        return message({**obj["data"], "role": obj["type"]}, default_role)
    role = role_of(obj.get("role") or obj.get("type"), default_role)
    if isinstance(obj.get("parts"), list):
        return _from_parts(role, obj["parts"], obj.get("name"))
    return _from_openai(role, obj)


def messages(value: Any, default_role: str = "user") -> list[ChatMessage]:
    """A recorded conversation (list, `{"messages": [...]}`, JSON string, LangChain [[...]])."""
    value = parse_maybe_json(value)
    if isinstance(value, dict):
        inner = value.get("messages")
        if inner is None and isinstance(value.get("inputs"), dict):
            inner = value["inputs"].get("messages")
        value = inner if inner is not None else [value]
    if isinstance(value, str):
        return [ChatMessage(role=default_role, content=value)] if value else []
    out: list[ChatMessage] = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, list):  # LangChain batches: [[msg, msg]]
            out.extend(messages(item, default_role))
        else:
            out.extend(message(item, default_role))
    # A dict that was not a message at all decodes to an empty one: drop those.
    return [m for m in out if m.content or m.tool_calls or m.tool_call_id]


def _from_parts(role: str, parts: list[Any], name: Any) -> list[ChatMessage]:
    texts: list[str] = []
    calls: list[ToolCall] = []
    results: list[ChatMessage] = []
    for part in parts:
        if not isinstance(part, dict):
            if isinstance(part, str):
                texts.append(part)
            continue
        kind = _ptype(part)
        if kind in _TOOL_CALL_TYPES:
            call = tool_call(part)
            if call is not None:
                calls.append(call)
        elif kind in _TOOL_RESULT_TYPES:
            results.append(_tool_result(role, part))
        elif (text := _part_text(part)) is not None:
            texts.append(text)
    first = ChatMessage(role=role, content="\n".join(texts), name=_str(name), tool_calls=calls)
    if results and not texts and not calls:
        return results
    return [first, *results]


def _tool_result(role: str, part: dict[str, Any]) -> ChatMessage:
    payload = next(
        (part[k] for k in ("response", "content", "output", "server_tool_call_response") if k in part),
        None,
    )
    call_id = part.get("id") or part.get("tool_use_id") or part.get("call_id")
    return ChatMessage(
        role=role if role != "user" else "tool",
        content=text_of(payload) if not isinstance(payload, dict) else dumps_compact(payload),
        tool_call_id=str(call_id) if call_id else None,
    )


def _from_openai(role: str, obj: dict[str, Any]) -> list[ChatMessage]:
    content = obj.get("content")
    if isinstance(content, list) and any(isinstance(p, dict) and "type" in p for p in content):
        msgs = _from_parts(role, content, obj.get("name"))  # Anthropic / multimodal parts
    else:
        msgs = [ChatMessage(role=role, content=text_of(content), name=_str(obj.get("name")))]
    calls = tool_calls(obj.get("tool_calls"))
    if not calls and isinstance(obj.get("function_call"), dict):
        call = tool_call(obj["function_call"])
        calls = [call] if call else []
    head = msgs[0]
    head.tool_calls.extend(calls)
    call_id = obj.get("tool_call_id") or (obj.get("id") if role == "tool" else None)
    if call_id and head.tool_call_id is None:
        head.tool_call_id = str(call_id)
    return msgs


def _langchain(obj: dict[str, Any]) -> list[ChatMessage]:
    kwargs = obj["kwargs"]
    ids = obj.get("id")
    cls = ids[-1] if isinstance(ids, list) and ids and isinstance(ids[-1], str) else ""
    role = _LC_ROLES.get(cls) or role_of(kwargs.get("role") or kwargs.get("type"), "user")
    msgs = _from_openai(role, kwargs)
    extra = kwargs.get("additional_kwargs")
    if not msgs[0].tool_calls and isinstance(extra, dict):
        msgs[0].tool_calls.extend(tool_calls(extra.get("tool_calls")))
    return msgs


def _ptype(part: dict[str, Any]) -> str | None:
    """A part's `type` discriminator, only when it is a string (it is used as a set key)."""
    kind = part.get("type")
    return kind if isinstance(kind, str) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# --- outputs --------------------------------------------------------------------------------


@dataclass
class Output:
    """What an LLM call produced: assistant text, requested tool calls, reasoning text."""

    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str | None = None

    def __bool__(self) -> bool:
        return bool(self.text or self.tool_calls or self.reasoning)


def output_of(value: Any) -> Output:
    """An LLM output in any recorded shape: message list, single message, response envelope, text."""
    value = parse_maybe_json(value)
    if isinstance(value, str):
        return Output(text=value or None)
    if isinstance(value, dict):
        value = _unwrap_envelope(value)
    items = value if isinstance(value, list) else [value]
    texts: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    for item in items:
        if isinstance(item, list):
            item = {"role": "assistant", "content": item}
        if isinstance(item, str):
            texts.append(item)
            continue
        if not isinstance(item, dict):
            continue
        reasoning.extend(_reasoning(item))
        for msg in message(item, "assistant"):
            if msg.content and msg.tool_call_id is None:
                texts.append(msg.content)
            calls.extend(msg.tool_calls)
    return Output(
        text="\n".join(texts) or None,
        tool_calls=calls,
        reasoning="\n".join(reasoning) or None,
    )


def _unwrap_envelope(value: dict[str, Any]) -> Any:
    """Response envelopes → the list of output messages they carry."""
    if isinstance(value.get("choices"), list):  # OpenAI Chat Completions / completions
        return [c.get("message") or c.get("delta") or c.get("text") for c in iter_dicts(value["choices"])]
    if isinstance(value.get("generations"), list):  # LangChain LLMResult
        gens = [g for batch in value["generations"] for g in (batch if isinstance(batch, list) else [batch])]
        return [g.get("message") or g.get("text") for g in iter_dicts(gens)]
    if isinstance(value.get("output"), list):  # OpenAI Responses API
        return [_response_item(i) for i in iter_dicts(value["output"])]
    if isinstance(value.get("outputs"), dict | list | str):  # LangSmith / traceloop {"outputs": …}
        return _unwrap_envelope(value["outputs"]) if isinstance(value["outputs"], dict) else value["outputs"]
    if isinstance(value.get("messages"), list):
        return value["messages"]
    return value


def _response_item(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("type") == "function_call":
        return {"role": "assistant", "content": [{**item, "type": "function_call"}]}
    return item


def _reasoning(item: dict[str, Any]) -> list[str]:
    parts = item.get("parts") if isinstance(item.get("parts"), list) else item.get("content")
    out: list[str] = []
    if isinstance(parts, list):
        for p in iter_dicts(parts):
            if _ptype(p) in _REASONING_TYPES:
                text = p.get("content") or p.get("thinking") or p.get("text")
                out.append(text_of(text))
    if item.get("type") == "reasoning" and isinstance(item.get("summary"), list):
        out.append(text_of(item["summary"]))
    return [t for t in out if t]


def parse_loose(value: Any) -> Any:
    """JSON-in-a-string, falling back to a Python-repr literal (some exporters str() a dict)."""
    parsed = parse_maybe_json(value)
    if parsed is value and isinstance(value, str):
        s = value.strip()
        if s[:1] in ("{", "[") and s[-1:] in ("}", "]") and len(s) < 1_000_000:
            try:
                return ast.literal_eval(s)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return value
    return parsed
