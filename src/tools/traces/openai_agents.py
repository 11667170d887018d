"""OpenAI Agents SDK tracing: JSON Lines of exported `trace` and `trace.span` objects (what a
`TracingProcessor` writes with `item.export()`), or the ingest payload `{"data": [...]}`.

Spec: shared/spec/formats.md §7. Spans usually arrive in end order (children before parents)
and the trace object has no timestamps, so nothing here depends on line order. Top-level spans
have `parent_id: null`. `error` is `{message, data}`. A span exported twice (on start and on
end) is merged, the finished copy winning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tools.errors import BadInput
from tools.model.trace import Span, SpanKind, SpanStatus, Trace
from tools.traces.messages import (
    Progress,
    as_dict,
    as_int,
    as_str,
    assistant_output,
    load_values,
    normalize_messages,
    parse_time_ns,
    recorded_text,
)
from tools.traces.sniff import Sample
from tools.traces.tree import finalize

FORMAT = "openai-agents"

_KINDS: dict[str, SpanKind] = {
    "generation": "llm",
    "response": "llm",
    "function": "tool",
    "mcp_tools": "tool",
    "agent": "agent",
    "handoff": "handoff",
    "guardrail": "guardrail",
    "custom": "chain",
    "transcription": "other",
    "speech": "other",
    "speech_group": "other",
}
_OBJECTS = {"trace", "trace.span"}
# span_data fields mapped to Span fields (or audio payloads): not copied into attributes.
_BULKY_DATA = {"input", "output"}


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


def detect(sample: Sample) -> bool:
    if sample.first is not None:
        return _is_sdk_value(sample.first)
    keys = sample.keys
    if keys & {"resourceSpans", "resourceLogs", "parentObservationId", "run_type"}:
        return False
    return "span_data" in keys and bool(keys & {"started_at", "parent_id", "trace_id"})


def _is_sdk_value(value: Any) -> bool:
    if isinstance(value, dict) and isinstance(value.get("data"), list) and "object" not in value:
        items: list[Any] = value["data"]
        return bool(items) and _is_sdk_item(items[0])
    if isinstance(value, list):
        return bool(value) and _is_sdk_item(value[0])
    return _is_sdk_item(value)


def _is_sdk_item(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    obj = value.get("object")
    if obj == "trace.span":
        return True
    if obj == "trace":
        return "workflow_name" in value or str(value.get("id", "")).startswith("trace_")
    # Exports written without the `object` tag still carry span_data.
    return isinstance(value.get("span_data"), dict) and "trace_id" in value


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read(paths: list[Path], progress: Progress | None = None) -> list[Trace]:
    from tools.traces import read_each  # the package imports this module: import at call time

    return read_each(paths, progress, "Agents SDK", read_file)


def read_file(path: Path) -> Trace:
    shape, values = load_values(path)
    source_format = f"openai-agents-{shape}"
    warnings: list[str] = []
    trace_objects: dict[str, dict[str, Any]] = {}
    spans: dict[str, dict[str, Any]] = {}
    last_trace: str | None = None
    for line, item in _items(values):
        obj = item.get("object")
        if obj == "trace" or (obj is None and "workflow_name" in item and "span_data" not in item):
            trace_id = as_str(item.get("id"))
            if trace_id:
                trace_objects[trace_id] = {**trace_objects.get(trace_id, {}), **item}
                last_trace = trace_id
            continue
        if obj not in (None, "trace.span") or not isinstance(item.get("span_data"), dict):
            warnings.append(
                f"{'line ' + str(line) if line else 'item'}: not an Agents SDK trace or span, skipped"
            )
            continue
        span_id = as_str(item.get("id"))
        if span_id is None:
            raise BadInput(path, "Agents SDK span has no 'id'", line=line)
        if as_str(item.get("trace_id")) is None:
            if last_trace is None:
                raise BadInput(
                    path, f"span {span_id} has no 'trace_id' and no trace object precedes it", line=line
                )
            item = {**item, "trace_id": last_trace}
        spans[span_id] = _merge(spans.get(span_id), item)
    if not spans and not trace_objects:
        raise BadInput(path, "no Agents SDK trace or span objects found")
    built = [_to_span(item, trace_objects, path, source_format) for item in spans.values()]
    if not built:
        warnings.append(f"{path.name}: trace object(s) without any spans")
    return Trace(source_file=str(path), format=source_format, spans=finalize(built), warnings=warnings)


def _items(values: list[tuple[int | None, Any]]) -> list[tuple[int | None, dict[str, Any]]]:
    """Flatten ingest payloads ({"data": [...]}) and lists into (line, object) pairs."""
    items: list[tuple[int | None, dict[str, Any]]] = []
    for line, value in values:
        batch = value["data"] if isinstance(value, dict) and isinstance(value.get("data"), list) else value
        for item in batch if isinstance(batch, list) else [batch]:
            if isinstance(item, dict):
                items.append((line, item))
    return items


def _merge(previous: dict[str, Any] | None, item: dict[str, Any]) -> dict[str, Any]:
    """A span exported at start and at end: the copy with `ended_at` wins, fields it lacks kept."""
    if previous is None:
        return item
    if item.get("ended_at") is None and previous.get("ended_at") is not None:
        return {**item, **{k: v for k, v in previous.items() if v is not None}}
    return {**previous, **{k: v for k, v in item.items() if v is not None}}


# ---------------------------------------------------------------------------------------------
# Exported span → Span
# ---------------------------------------------------------------------------------------------


def _to_span(item: dict[str, Any], traces: dict[str, dict[str, Any]], path: Path, source_format: str) -> Span:
    data = as_dict(item.get("span_data"))
    span_type = as_str(data.get("type")) or "custom"
    trace_id = str(item.get("trace_id"))
    trace = traces.get(trace_id, {})
    parent = as_str(item.get("parent_id"))
    status, error = _status(item)
    span = Span(
        trace_id=trace_id,
        span_id=str(item["id"]),
        parent_id=parent,
        kind=_KINDS.get(span_type, "other"),
        name=_name(span_type, data),
        start_ns=parse_time_ns(item.get("started_at")),
        end_ns=parse_time_ns(item.get("ended_at")),
        status=status,
        error=error,
        agent=_agent(span_type, data),
        session_id=as_str(trace.get("group_id")),
        attributes=_attributes(item, data, trace if parent is None else {}),
        source_file=str(path),
        source_format=source_format,
    )
    _fill(span, span_type, data)
    return span


def _name(span_type: str, data: dict[str, Any]) -> str:
    if span_type == "handoff":
        return f"handoff {data.get('from_agent') or '?'} → {data.get('to_agent') or '?'}"
    if span_type == "generation":
        model = as_str(data.get("model"))
        return f"generation {model}" if model else "generation"
    if span_type == "mcp_tools":
        server = as_str(data.get("server"))
        return f"mcp_tools {server}" if server else "mcp_tools"
    return as_str(data.get("name")) or span_type


def _agent(span_type: str, data: dict[str, Any]) -> str | None:
    if span_type == "agent":
        return as_str(data.get("name"))
    if span_type == "handoff":
        return as_str(data.get("from_agent"))
    # custom `turn` spans name the agent whose turn it is
    return as_str(as_dict(data.get("data")).get("agent_name"))


def _status(item: dict[str, Any]) -> tuple[SpanStatus, str | None]:
    raw = item.get("error")
    if raw:
        error = as_dict(raw)
        message = as_str(error.get("message")) or (raw if isinstance(raw, str) else "error")
        detail = as_str(as_dict(error.get("data")).get("error"))
        # "Error running tool (non-fatal): billing-api request timed out after 15s"
        return "error", f"{message}: {detail}" if detail and detail not in message else message
    if item.get("ended_at") is not None:
        return "ok", None
    return "unset", None


def _attributes(item: dict[str, Any], data: dict[str, Any], trace: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {"span_data": {k: v for k, v in data.items() if k not in _BULKY_DATA}}
    for key in ("object", "error", "metadata", "started_at", "ended_at"):
        if item.get(key) is not None:
            attributes[key] = item[key]
    if data.get("type") == "handoff":
        attributes["from_agent"] = data.get("from_agent")
        attributes["to_agent"] = data.get("to_agent")
    if trace:  # top-level spans carry the trace object's fields (it has no span of its own)
        attributes["trace"] = {k: v for k, v in trace.items() if v is not None}
    return attributes


# ---------------------------------------------------------------------------------------------
# Content by span_data type
# ---------------------------------------------------------------------------------------------


def _fill(span: Span, span_type: str, data: dict[str, Any]) -> None:
    if span_type == "generation":
        _fill_generation(span, data)
    elif span_type == "response":
        span.tokens_in, span.tokens_out = _usage(data.get("usage"))
        span.attributes["response_id"] = data.get("response_id")
    elif span_type == "function":
        span.tool_name = as_str(data.get("name"))
        span.tool_args = recorded_text(data.get("input"))
        # output is str(result): structured results can arrive as Python reprs; kept verbatim.
        span.tool_result = recorded_text(data.get("output"))
    elif span_type == "mcp_tools":
        span.tool_name = span.name
        span.tool_result = recorded_text(data.get("result"))
    elif span_type in ("transcription", "speech", "speech_group"):
        span.model = as_str(data.get("model"))
        text = data.get("output") if span_type == "transcription" else data.get("input")
        span.input_text = text if isinstance(text, str) else None


def _fill_generation(span: Span, data: dict[str, Any]) -> None:
    """Generation spans hold Chat Completions messages: `input` the prompt, `output` the list of
    returned messages (Responses-style items are read too)."""
    span.input_messages = normalize_messages(data.get("input"))
    if not span.input_messages and data.get("input") is not None:
        span.input_text = recorded_text(data.get("input"))
    span.output_text, span.output_tool_calls = assistant_output(data.get("output"))
    span.model = as_str(data.get("model"))
    span.provider = _provider(span.model, as_dict(data.get("model_config")))
    span.tokens_in, span.tokens_out = _usage(data.get("usage"))


def _provider(model: str | None, config: dict[str, Any]) -> str | None:
    """openai when the model is served by OpenAI's API; a LiteLLM model names its provider."""
    if model and model.startswith("litellm/") and model.count("/") >= 2:
        return model.split("/")[1]
    base_url = as_str(config.get("base_url"))
    host = urlparse(base_url).hostname if base_url else None
    if host and host.endswith("openai.com"):
        return "openai"
    impl = str(config.get("model_impl") or "")
    return "openai" if impl.startswith("openai") and host is None else None


def _usage(value: Any) -> tuple[int | None, int | None]:
    usage = as_dict(value)
    tokens_in = as_int(usage.get("input_tokens"))
    tokens_out = as_int(usage.get("output_tokens"))
    if tokens_in is None and tokens_out is None:
        tokens_in, tokens_out = as_int(usage.get("prompt_tokens")), as_int(usage.get("completion_tokens"))
    return tokens_in, tokens_out
