"""Recorded conversation content → `ChatMessage` / `ToolCall` / `RetrievedDocument`.

The JSON trace exports (LangSmith runs, Langfuse observations, OpenAI Agents SDK spans) store
an LLM call's prompt and answer as whatever the instrumented code held: OpenAI chat messages,
LangChain-serialised message objects (often in nested lists), Responses-API items, plain
strings. This module turns all of them into the normalized model, keeping text and tool-call
arguments exactly as recorded (a structured value becomes compact JSON, a string stays as is).

It also holds the few value helpers those three readers share (timestamps, loading a file that
is either one JSON document or JSON Lines), so each reader stays about its own format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from tools.errors import BadInput
from tools.jsonio import dumps_compact, iter_jsonl, loads, normalize_utf8, read_bytes
from tools.model.trace import ChatMessage, RetrievedDocument, ToolCall, datetime_to_ns

Progress = Callable[[str, int, int], None]  # (label, done, total), as in tools.traces

# Nested lists deeper than this are not message containers; stop rather than recurse forever.
_MAX_DEPTH = 8

# LangChain message classes (last element of the serialised "id" path) and `type` strings.
_LC_CLASS_ROLE = {
    "HumanMessage": "user",
    "HumanMessageChunk": "user",
    "AIMessage": "assistant",
    "AIMessageChunk": "assistant",
    "SystemMessage": "system",
    "SystemMessageChunk": "system",
    "ToolMessage": "tool",
    "ToolMessageChunk": "tool",
    "FunctionMessage": "function",
    "FunctionMessageChunk": "function",
}
_LC_TYPE_ROLE = {
    "human": "user",
    "user": "user",
    "ai": "assistant",
    "assistant": "assistant",
    "system": "system",
    "developer": "developer",
    "tool": "tool",
    "function": "function",
}
# Roles an OpenAI-style `{"role": …}` dict or a ("role", "text") tuple may carry.
_KNOWN_ROLES = {"user", "assistant", "system", "developer", "tool", "function", "human", "ai", "model"}
_ROLE_ALIASES = {"human": "user", "ai": "assistant", "model": "assistant"}
_TEXT_PART_TYPES = {"text", "input_text", "output_text"}


# ---------------------------------------------------------------------------------------------
# Small value helpers
# ---------------------------------------------------------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty dict (odd-but-valid input must not crash)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """A non-empty string, or a number rendered as text; None for anything else."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def first_str(mapping: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        found = as_str(mapping.get(key))
        if found is not None:
            return found
    return None


def recorded_text(value: Any) -> str | None:
    """A recorded value as text: strings unchanged, structured values as compact JSON."""
    if value is None:
        return None
    return dumps_compact(value)


# ---------------------------------------------------------------------------------------------
# Timestamps
# ---------------------------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$",
    re.ASCII,
)


def parse_time_ns(value: Any) -> int | None:
    """ISO-8601 (offset missing = UTC, any fraction width) or epoch number → ns since the epoch.

    Numbers are epoch time in the unit their size implies (the LangSmith JS SDK writes epoch
    milliseconds); anything unparseable gives None rather than an error.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _epoch_to_ns(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return _epoch_to_ns(int(text))
    if re.fullmatch(r"\d+\.\d+", text):
        return _epoch_to_ns(float(text))
    match = _ISO_RE.match(text)
    if not match:
        return None
    return _iso_match_to_ns(match)


def _epoch_to_ns(number: int | float) -> int | None:
    if not 0 < number < 10**20:  # also rejects NaN; 1e20 ns is year 5138
        return None
    # Seconds (~1.7e9), ms (~1.7e12), µs (~1.7e15), ns (~1.7e18). Integers scale exactly.
    for limit, scale in ((10**11, 10**9), (10**14, 10**6), (10**17, 10**3)):
        if number < limit:
            return number * scale if isinstance(number, int) else round(number * scale)
    return int(number)


def _iso_match_to_ns(match: re.Match[str]) -> int | None:
    minute_ns = _minute_ns(*match.group(1, 2, 3, 4, 5, 8))
    if minute_ns is None:
        return None
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    # Fractions are kept to the nanosecond, whatever their width (3, 6 or 9 digits).
    frac_ns = int((fraction + "000000000")[:9]) if fraction else 0
    return minute_ns + min(second, 59) * 1_000_000_000 + frac_ns


@lru_cache(maxsize=4096)
def _minute_ns(year: str, month: str, day: str, hour: str, minute: str, offset: str | None) -> int | None:
    """The start of a minute, in ns since the epoch (None when it is no valid time). A trace's
    timestamps share a few hundred minutes: each is converted once."""
    try:
        tz = UTC
        if offset and offset[0] in "+-":
            digits = offset[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            tz = timezone(delta if offset[0] == "+" else -delta)
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
    except ValueError:
        return None
    return datetime_to_ns(moment)


# ---------------------------------------------------------------------------------------------
# Loading a file that is one JSON document or JSON Lines
# ---------------------------------------------------------------------------------------------


def load_values(path: Path) -> tuple[str, list[tuple[int | None, Any]]]:
    """Read a trace file → ("json" | "jsonl", [(line number or None, value), …]).

    Decided by content: JSON Lines when the first line is a complete JSON value and more
    follows. A broken line fails with its line number, a truncated document says so.
    """
    data = normalize_utf8(path, read_bytes(path))
    if _looks_like_jsonl(data):
        return "jsonl", [(line, value) for line, value in iter_jsonl(path, data)]
    try:
        return "json", [(None, loads(path, data))]
    except BadInput:
        # A JSON Lines file whose first line is the broken one: report it per line.
        if _object_lines(data) >= 2:
            return "jsonl", [(line, value) for line, value in iter_jsonl(path, data)]
        raise


def _looks_like_jsonl(data: bytes) -> bool:
    stripped = data.lstrip()
    first, _, rest = stripped.partition(b"\n")
    first = first.strip()
    if not rest.strip() or first[:1] not in (b"{", b"[") or first[-1:] not in (b"}", b"]"):
        return False
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return True


def _object_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines()[:50] if line.startswith(b"{"))


# ---------------------------------------------------------------------------------------------
# Content and tool calls
# ---------------------------------------------------------------------------------------------


def content_text(content: Any) -> str:
    """Message content → text. Multi-part content keeps its text parts, joined by newlines."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [_part_text(part) for part in content]
        return "\n".join(t for t in texts if t)
    if isinstance(content, dict):
        text = content.get("text")
        return text if isinstance(text, str) else dumps_compact(content)
    return dumps_compact(content)


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return ""
    kind = part.get("type")
    if kind in _TEXT_PART_TYPES or (kind is None and isinstance(part.get("text"), str)):
        text = part.get("text")
        # Some SDKs nest {"text": {"value": …}} (Assistants API); keep whatever string is there.
        if isinstance(text, dict):
            text = text.get("value")
        return text if isinstance(text, str) else ""
    if kind == "refusal":
        return as_str(part.get("refusal")) or ""
    if kind == "tool_result":
        return content_text(part.get("content"))
    return ""


def arguments_text(value: Any) -> str:
    """Tool-call arguments exactly as recorded: a string unchanged, a structure as compact JSON."""
    if value is None:
        return ""
    return dumps_compact(value)


def tool_call(entry: Any) -> ToolCall | None:
    """One tool call in any of the recorded shapes, or None if it names no tool.

    OpenAI chat `{id, type, function: {name, arguments}}`, LangChain `{name, args, id}`,
    Anthropic `{type: tool_use, id, name, input}`, Responses `{type: function_call, call_id, …}`.
    """
    if not isinstance(entry, dict):
        return None
    function = as_dict(entry.get("function"))
    name = as_str(function.get("name")) or as_str(entry.get("name"))
    if name is None:
        return None
    if function:
        raw = function.get("arguments")
    elif "arguments" in entry:
        raw = entry.get("arguments")
    elif "args" in entry:
        raw = entry.get("args")
    else:
        raw = entry.get("input")
    call_id = as_str(entry.get("call_id")) or as_str(entry.get("id"))
    return ToolCall(id=call_id, name=name, arguments=arguments_text(raw))


def _merge_calls(*groups: list[ToolCall]) -> list[ToolCall]:
    """Concatenate tool-call lists, dropping later duplicates of a call already seen.

    A call without an id can't be matched, so id-less calls are only taken from the first group
    that has any calls at all (LangChain records each call twice: raw and parsed).
    """
    merged: list[ToolCall] = []
    seen: set[str] = set()
    first_group = next((i for i, group in enumerate(groups) if group), None)
    for index, group in enumerate(groups):
        for call in group:
            if call.id is None:
                if index != first_group:
                    continue
            elif call.id in seen:
                continue
            else:
                seen.add(call.id)
            merged.append(call)
    return merged


def _calls(entries: Any) -> list[ToolCall]:
    return [c for c in (tool_call(e) for e in as_list(entries)) if c is not None]


def _content_tool_calls(content: Any) -> list[ToolCall]:
    """Tool calls carried as content parts (Anthropic `tool_use`, Responses `function_call`)."""
    parts = [p for p in as_list(content) if isinstance(p, dict)]
    return _calls([p for p in parts if p.get("type") in ("tool_use", "function_call")])


def _legacy_function_call(message: dict[str, Any]) -> list[ToolCall]:
    call = tool_call(as_dict(message.get("function_call")))
    return [call] if call else []


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def is_lc_serialized(value: Any) -> bool:
    """A LangChain `dumpd()` object: {"lc": 1, "type": "constructor", "id": [...], "kwargs": {...}}."""
    return (
        isinstance(value, dict)
        and value.get("lc") == 1
        and value.get("type") == "constructor"
        and isinstance(value.get("id"), list)
        and isinstance(value.get("kwargs"), dict)
    )


def lc_class(value: dict[str, Any]) -> str:
    path = value.get("id")
    return str(path[-1]) if isinstance(path, list) and path else ""


def normalize_messages(value: Any) -> list[ChatMessage]:
    """Every message found in a recorded prompt, flattened, in order."""
    return list(_iter_messages(value, 0))


def _iter_messages(value: Any, depth: int) -> Iterator[ChatMessage]:
    if depth > _MAX_DEPTH or value is None:
        return
    if isinstance(value, str):
        if value:
            yield ChatMessage(role="user", content=value)
        return
    if isinstance(value, list):
        tuple_message = _tuple_message(value)
        if tuple_message is not None:
            yield tuple_message
            return
        for item in value:
            yield from _iter_messages(item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if is_lc_serialized(value):
        yield from _lc_messages(value, depth)
        return
    message = message_from_dict(value)
    if message is not None:
        yield message
        return
    # Containers: {"messages": [...]} (LangChain chat inputs, Langfuse), {"input": [...]}.
    for key in ("messages", "input", "prompts", "prompt"):
        if key in value:
            yield from _iter_messages(value[key], depth + 1)
            return


def _tuple_message(value: list[Any]) -> ChatMessage | None:
    """LangChain accepts ("human", "text") tuples; they are serialised as 2-item lists."""
    if len(value) == 2 and all(isinstance(v, str) for v in value) and value[0] in _KNOWN_ROLES:
        return ChatMessage(role=_ROLE_ALIASES.get(value[0], value[0]), content=value[1])
    return None


def _lc_messages(value: dict[str, Any], depth: int) -> Iterator[ChatMessage]:
    cls = lc_class(value)
    kwargs = as_dict(value.get("kwargs"))
    if cls in _LC_CLASS_ROLE or cls == "ChatMessage" or cls.endswith("Message"):
        role = _LC_CLASS_ROLE.get(cls) or as_str(kwargs.get("role"))
        role = role or _LC_TYPE_ROLE.get(str(kwargs.get("type")), "other")
        yield _lc_message(role, kwargs)
    elif cls == "ChatPromptValue":
        yield from _iter_messages(kwargs.get("messages"), depth + 1)
    elif cls == "StringPromptValue":
        yield from _iter_messages(kwargs.get("text"), depth + 1)


def _lc_message(role: str, kwargs: dict[str, Any]) -> ChatMessage:
    """A LangChain message's kwargs. Raw provider tool calls (additional_kwargs) come first:
    their `arguments` is the exact string the model produced; parsed `tool_calls` and
    `invalid_tool_calls` only add calls the raw list lacks."""
    extra = as_dict(kwargs.get("additional_kwargs"))
    calls = _merge_calls(
        _calls(extra.get("tool_calls")),
        _legacy_function_call(extra),
        _calls(kwargs.get("tool_calls")),
        _calls(kwargs.get("invalid_tool_calls")),
        _content_tool_calls(kwargs.get("content")),
    )
    return ChatMessage(
        role=role,
        content=content_text(kwargs.get("content")),
        name=as_str(kwargs.get("name")),
        tool_call_id=as_str(kwargs.get("tool_call_id")),
        tool_calls=calls,
    )


def message_from_dict(value: dict[str, Any]) -> ChatMessage | None:
    """A plain-dict message (OpenAI chat, LangChain dict forms, Responses items), else None."""
    role = value.get("role")
    if isinstance(role, str) and role:
        return _chat_message(_ROLE_ALIASES.get(role, role), value)
    kind = value.get("type")
    if kind == "message":  # Responses API message item without a role is odd; call it assistant
        return _chat_message("assistant", value)
    if kind == "function_call":
        call = tool_call(value)
        return ChatMessage(role="assistant", tool_calls=[call]) if call else None
    if kind in ("function_call_output", "custom_tool_call_output"):
        return ChatMessage(
            role="tool",
            content=content_text(value.get("output")),
            tool_call_id=as_str(value.get("call_id")),
        )
    if isinstance(kind, str) and kind in _LC_TYPE_ROLE:
        # messages_to_dict() gives {"type": "human", "data": {...}}; message.dict() is flat.
        data = as_dict(value.get("data")) or value
        if "content" in data:
            return _lc_message(_LC_TYPE_ROLE[kind], data)
    return None


def _chat_message(role: str, value: dict[str, Any]) -> ChatMessage:
    content = value.get("content")
    calls = _merge_calls(
        _calls(value.get("tool_calls")),
        _legacy_function_call(value),
        _content_tool_calls(content),
    )
    return ChatMessage(
        role=role,
        content=content_text(content),
        name=as_str(value.get("name")),
        tool_call_id=as_str(value.get("tool_call_id")) or as_str(value.get("call_id")),
        tool_calls=calls,
    )


# ---------------------------------------------------------------------------------------------
# LLM output
# ---------------------------------------------------------------------------------------------


def assistant_output(value: Any, _depth: int = 0) -> tuple[str | None, list[ToolCall]]:
    """What an LLM call answered → (assistant text or None, tool calls it requested).

    Handles LangChain `LLMResult` ({"generations": [[…]]}), OpenAI chat responses
    ({"choices": […]}), Responses-API responses ({"output": [items]}), a message or list of
    messages, and plain strings. A structure with no message in it is kept as compact JSON.
    """
    if value is None:
        return None, []
    if isinstance(value, str):
        return value or None, []
    if isinstance(value, dict) and not is_lc_serialized(value) and _depth < _MAX_DEPTH:
        found = _output_from_envelope(value, _depth)
        if found is not None:
            return found
    messages = normalize_messages(value)
    if not messages and isinstance(value, dict) and "content" in value:
        messages = [_chat_message("assistant", value)]
    if not messages:
        return _fallback_text(value), []
    answers = [m for m in messages if m.role == "assistant"] or messages[-1:]
    return _join_messages(answers)


def _output_from_envelope(value: dict[str, Any], depth: int) -> tuple[str | None, list[ToolCall]] | None:
    if isinstance(value.get("generations"), list):
        return _from_generations(value["generations"], depth)
    if isinstance(value.get("choices"), list):
        return _from_choices(value["choices"])
    if isinstance(value.get("output"), list) and any(
        isinstance(i, dict) and "type" in i for i in value["output"]
    ):
        return _join_messages(normalize_messages(value["output"]))
    if "role" not in value and "content" not in value and "messages" not in value:
        # {"output": <message or text>, …}, {"completion": "…"}: the answer under a known key.
        for key in ("output", "message", "completion", "text", "response", "answer"):
            inner = value.get(key)
            if (isinstance(inner, str) and inner) or normalize_messages(as_dict(inner) or as_list(inner)):
                return assistant_output(inner, depth + 1)
    return None


def _from_generations(generations: list[Any], depth: int) -> tuple[str | None, list[ToolCall]]:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for gen in flatten(generations):
        gen_dict = as_dict(gen)
        message = gen_dict.get("message")
        text, gen_calls = assistant_output(message, depth + 1) if message is not None else (None, [])
        text = text or as_str(gen_dict.get("text"))
        if text:
            texts.append(text)
        calls = _merge_calls(calls, gen_calls)
    return ("\n".join(texts) or None), calls


def _from_choices(choices: list[Any]) -> tuple[str | None, list[ToolCall]]:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for choice in choices:
        choice_dict = as_dict(choice)
        message = choice_dict.get("message") or choice_dict.get("delta")
        if isinstance(message, dict):
            chat = _chat_message("assistant", message)
            if chat.content:
                texts.append(chat.content)
            calls = _merge_calls(calls, chat.tool_calls)
        elif isinstance(choice_dict.get("text"), str):
            texts.append(choice_dict["text"])
    return ("\n".join(texts) or None), calls


def _join_messages(messages: list[ChatMessage]) -> tuple[str | None, list[ToolCall]]:
    text = "\n".join(m.content for m in messages if m.content)
    calls = _merge_calls(*[m.tool_calls for m in messages])
    return (text or None), calls


def _fallback_text(value: Any) -> str | None:
    if isinstance(value, list | dict) and not value:
        return None
    return dumps_compact(value)


def flatten(value: Any, depth: int = 0) -> Iterator[Any]:
    """Items of arbitrarily nested lists (LangChain batches nest generations and documents)."""
    if isinstance(value, list) and depth <= _MAX_DEPTH:
        for item in value:
            yield from flatten(item, depth + 1)
    else:
        yield value


# ---------------------------------------------------------------------------------------------
# Retrieved documents
# ---------------------------------------------------------------------------------------------

_DOC_ID_KEYS = ("id", "doc_id", "document_id", "source")
_DOC_VERSION_KEYS = ("version", "doc_version", "document_version", "page_version")
_DOC_UPDATED_KEYS = ("updated_at", "last_modified", "lastModified", "indexed_at", "last_indexed", "updated")
_DOC_SCORE_KEYS = ("score", "relevance_score", "similarity", "similarity_score", "_score")
_DOC_TEXT_KEYS = ("page_content", "content", "text", "pageContent", "snippet")


def to_documents(value: Any) -> list[RetrievedDocument]:
    """Documents from a retriever output: {"documents": [...]}, a (nested) list, LangChain
    `Document` objects (plain or serialised). Version and freshness come from metadata."""
    if isinstance(value, dict) and not is_lc_serialized(value):
        for key in ("documents", "docs", "results", "output"):
            if isinstance(value.get(key), list):
                return to_documents(value[key])
        return []
    docs: list[RetrievedDocument] = []
    for item in flatten(value):
        doc = _document(item)
        if doc is not None:
            docs.append(doc)
    return docs


def _document(item: Any) -> RetrievedDocument | None:
    if isinstance(item, str):
        return RetrievedDocument(content=item)
    if is_lc_serialized(item):
        item = item["kwargs"]
    if not isinstance(item, dict):
        return None
    metadata = as_dict(item.get("metadata"))
    text = next((item[k] for k in _DOC_TEXT_KEYS if isinstance(item.get(k), str)), "")
    score = next((s for s in (as_float(item.get(k)) for k in _DOC_SCORE_KEYS) if s is not None), None)
    if score is None:
        score = next((s for s in (as_float(metadata.get(k)) for k in _DOC_SCORE_KEYS) if s is not None), None)
    return RetrievedDocument(
        id=first_str(item, "id", "doc_id", "document_id") or first_str(metadata, *_DOC_ID_KEYS),
        content=text,
        score=score,
        version=first_str(item, *_DOC_VERSION_KEYS) or first_str(metadata, *_DOC_VERSION_KEYS),
        updated_at=first_str(item, *_DOC_UPDATED_KEYS) or first_str(metadata, *_DOC_UPDATED_KEYS),
        # Metadata is kept whole (including the keys read above) so a draft can cite the field
        # name the index used (indexed_at vs last_modified says different things about staleness).
        metadata=metadata,
    )
