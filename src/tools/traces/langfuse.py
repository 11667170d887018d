"""Langfuse: trace detail (`GET /traces/{id}`), observation pages (v2 cursor pages, v1 numbered
pages), a bare list of observations, or observations one per line.

Spec: shared/spec/formats.md §6. Pages of one export are merged into one `Trace`. v2 returns
`input`/`output` as raw JSON strings, decoded here; v1 and trace detail give them structured.
`isRootObservation` is authoritative over `parentObservationId`. Failures are `level == "ERROR"`
with `statusMessage`; WARNING is kept in attributes but is not an error. JSON is camelCase;
snake_case (the Python models dumped as-is) is accepted as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tools.errors import BadInput
from tools.jsonio import parse_maybe_json
from tools.model.trace import Span, SpanKind, SpanStatus, Trace
from tools.traces.messages import (
    Progress,
    as_dict,
    as_int,
    as_list,
    as_str,
    assistant_output,
    first_str,
    load_values,
    normalize_messages,
    parse_time_ns,
    recorded_text,
    to_documents,
)
from tools.traces.sniff import Sample
from tools.traces.tree import finalize

FORMAT = "langfuse"

_KINDS: dict[str, SpanKind] = {
    "GENERATION": "llm",
    "TOOL": "tool",
    "RETRIEVER": "retrieval",
    "AGENT": "agent",
    "CHAIN": "chain",
    "SPAN": "chain",
    "GUARDRAIL": "guardrail",
    "EVENT": "other",
    "EVALUATOR": "other",
    "EMBEDDING": "other",
}
_V1_META_KEYS = {"page", "limit", "totalItems", "totalPages"}
# Trace-detail fields copied onto root spans for citation (the rest is content or bulky).
_TRACE_SKIP = {"observations", "scores", "input", "output"}


@dataclass
class _Source:
    """Observations read from one file, with what is needed to interpret them."""

    path: Path
    source_format: str
    observations: list[dict[str, Any]]
    raw_io: bool = False  # input/output are JSON-encoded strings (v2)
    trace: dict[str, Any] = field(default_factory=dict)  # trace-detail fields, if any
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


def detect(sample: Sample) -> bool:
    if sample.first is not None:
        return _is_langfuse(sample.first)
    keys = sample.keys
    if keys & {"resourceSpans", "resourceLogs", "span_data", "dotted_order"}:
        return False
    return "parentObservationId" in keys or (
        "traceId" in keys and "startTime" in keys and bool(keys & {"observations", "type"})
    )


def _is_langfuse(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and _is_observation(value[0])
    if not isinstance(value, dict):
        return False
    if _is_trace_detail(value):
        return True
    data = value.get("data")
    if isinstance(data, list):
        meta = as_dict(value.get("meta"))
        return _is_observation(data[0]) if data else bool(meta.keys() & ({"cursor"} | _V1_META_KEYS))
    return _is_observation(value)


def _is_trace_detail(value: dict[str, Any]) -> bool:
    observations = value.get("observations")
    if not isinstance(observations, list) or "id" not in value:
        return False
    if not observations:
        return bool(value.keys() & {"timestamp", "htmlPath", "sessionId", "projectId"})
    first = observations[0]
    return isinstance(first, str) or _is_observation(first)


def _is_observation(value: Any) -> bool:
    if not isinstance(value, dict) or "id" not in value:
        return False
    if "parentObservationId" in value or "parent_observation_id" in value:
        return True
    obs_type = value.get("type")
    return "traceId" in value and (
        "startTime" in value or (isinstance(obs_type, str) and obs_type.upper() in _KINDS)
    )


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read(paths: list[Path], progress: Progress | None = None) -> list[Trace]:
    """Trace-detail files give one Trace each; observation pages given together are one export
    (cursor pages, numbered pages) and are merged into one Trace."""
    traces: list[Trace] = []
    pages: list[_Source] = []
    for done, path in enumerate(paths):
        if progress:
            progress(f"Langfuse {path.name}", done, len(paths))
        for source in _sources(path):
            if source.trace:
                traces.append(_build([source]))
            else:
                pages.append(source)
    if pages:
        traces.append(_build(pages))
    if progress:
        progress("Langfuse", len(paths), len(paths))
    return traces


def _sources(path: Path) -> list[_Source]:
    shape, values = load_values(path)
    if shape == "json":
        return [_source_of(path, values[0][1])]
    # JSON Lines: observations one per line, or one page / trace detail per line.
    sources: list[_Source] = []
    loose: list[dict[str, Any]] = []
    for line, value in values:
        if _is_observation(value):
            loose.append(value)
        elif _is_langfuse(value):
            sources.append(_source_of(path, value))
        else:
            raise BadInput(path, "not a Langfuse observation, page or trace", line=line)
    if loose:
        sources.append(_Source(path, "langfuse-observations-jsonl", loose, raw_io=_all_raw_strings(loose)))
    return sources


def _source_of(path: Path, value: Any) -> _Source:
    if isinstance(value, dict) and _is_trace_detail(value):
        observations = _observation_dicts(path, value["observations"])
        trace = {k: v for k, v in value.items() if k not in ("observations",)}
        source = _Source(path, "langfuse-trace", observations, raw_io=False, trace=trace)
        if not observations:
            source.warnings.append(f"{path.name}: trace {value.get('id')} has no observations in this export")
        return source
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        observations = _observation_dicts(path, value["data"])
        meta = as_dict(value.get("meta"))
        if "cursor" in meta:
            version = "v2"
        elif meta.keys() & _V1_META_KEYS:
            version = "v1"
        else:  # a last v2 page has an empty meta: tell by the raw-string input/output
            version = "v2" if _all_raw_strings(observations) else "v1"
        return _Source(path, f"langfuse-observations-{version}", observations, raw_io=version == "v2")
    if isinstance(value, list):
        observations = _observation_dicts(path, value)
        return _Source(path, "langfuse-observations", observations, raw_io=_all_raw_strings(observations))
    if _is_observation(value):
        return _Source(path, "langfuse-observations", [value], raw_io=_all_raw_strings([value]))
    raise BadInput(path, "not a Langfuse export (expected a trace with observations or observation pages)")


def _observation_dicts(path: Path, items: list[Any]) -> list[dict[str, Any]]:
    observations: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            continue  # trace list endpoints give observation ids only; nothing to read
        if not isinstance(item, dict):
            raise BadInput(path, f"observation #{index + 1} is not a JSON object")
        if as_str(item.get("id")) is None:
            raise BadInput(path, f"observation #{index + 1} has no 'id'")
        observations.append(item)
    return observations


def _all_raw_strings(observations: list[dict[str, Any]]) -> bool:
    """True when every recorded input/output is a string: the v2 API's raw JSON encoding."""
    values = [o.get(k) for o in observations for k in ("input", "output") if o.get(k) is not None]
    return bool(values) and all(isinstance(v, str) for v in values)


def _build(sources: list[_Source]) -> Trace:
    by_id: dict[str, Span] = {}
    warnings: list[str] = []
    for source in sources:
        warnings.extend(source.warnings)
        for obs in _drain(source.observations):
            span = _to_span(obs, source)
            previous = by_id.get(span.span_id)
            # The same observation on two pages: keep the finished copy, else the later one.
            if previous is None or span.end_ns is not None or previous.end_ns is None:
                by_id[span.span_id] = span
    first = sources[0]
    # A last v2 page with nothing to tell its version by must not rename the export.
    formats = [s.source_format for s in sources]
    fmt = next((f for f in formats if f.endswith(("-v1", "-v2"))), formats[0])
    return Trace(
        source_file=str(first.path), format=fmt, spans=finalize(list(by_id.values())), warnings=warnings
    )


def _drain(items: list[Any]) -> Iterator[Any]:
    """Each item once, the list letting go of it as it is handed out: a converted observation's
    memory is reused by the spans that follow (at 100k observations the raw tree and all the
    spans at once would add ~200 MB to the peak). The list is empty afterwards."""
    for i in range(len(items)):
        item, items[i] = items[i], None
        yield item
    items.clear()


# ---------------------------------------------------------------------------------------------
# Observation → Span
# ---------------------------------------------------------------------------------------------


def _get(obs: dict[str, Any], camel: str, snake: str) -> Any:
    value = obs.get(camel)
    return obs.get(snake) if value is None else value


def _to_span(obs: dict[str, Any], source: _Source) -> Span:
    trace = source.trace
    obs_type = str(obs.get("type") or "").upper()
    kind = _KINDS.get(obs_type, "other")
    name = as_str(obs.get("name")) or obs_type.lower()
    status, error = _status(obs)
    parent = as_str(_get(obs, "parentObservationId", "parent_observation_id"))
    is_root = _get(obs, "isRootObservation", "is_root_observation") is True
    metadata = _metadata(obs)
    span = Span(
        trace_id=as_str(_get(obs, "traceId", "trace_id")) or as_str(trace.get("id")) or "",
        span_id=str(obs["id"]),
        parent_id=None if is_root else parent,
        kind=kind,
        name=name,
        start_ns=parse_time_ns(_get(obs, "startTime", "start_time")),
        end_ns=parse_time_ns(_get(obs, "endTime", "end_time")),
        status=status,
        error=error,
        agent=name if kind == "agent" else first_str(metadata, "agent_name", "agent"),
        session_id=as_str(_get(obs, "sessionId", "session_id"))
        or as_str(_get(trace, "sessionId", "session_id")),
        attributes=_attributes(obs, metadata, trace, is_root or parent is None),
        source_file=str(source.path),
        source_format=source.source_format,
    )
    raw_in, raw_out = obs.get("input"), obs.get("output")
    value_in, value_out = _decode(raw_in, source.raw_io), _decode(raw_out, source.raw_io)
    if kind == "llm":
        _fill_llm(span, obs, metadata, value_in, value_out)
    elif kind == "tool":
        span.tool_name = name or None
        span.tool_args = _recorded(raw_in, value_in)
        span.tool_result = _recorded(raw_out, value_out)
    elif kind == "retrieval":
        query = as_dict(value_in).get("query")
        span.input_text = query if isinstance(query, str) else _recorded(raw_in, value_in)
        span.documents = to_documents(value_out)
    else:
        span.input_text = _recorded(raw_in, value_in)
        if value_out is not None:
            span.attributes["output"] = _recorded(raw_out, value_out)
    return span


def _status(obs: dict[str, Any]) -> tuple[SpanStatus, str | None]:
    level = str(obs.get("level") or "").upper()
    message = as_str(_get(obs, "statusMessage", "status_message"))
    if level == "ERROR":
        return "error", message or "ERROR"
    if _get(obs, "endTime", "end_time") is not None:
        return "ok", None
    return "unset", None


def _metadata(obs: dict[str, Any]) -> dict[str, Any]:
    # v2 may hand metadata back as a JSON string (and truncates long values to 200 chars).
    return as_dict(parse_maybe_json(obs.get("metadata")))


def _attributes(
    obs: dict[str, Any], metadata: dict[str, Any], trace: dict[str, Any], root: bool
) -> dict[str, Any]:
    attributes = {k: v for k, v in obs.items() if k not in ("input", "output") and v is not None}
    if metadata:
        attributes["metadata"] = metadata
    if root and trace:
        attributes["trace"] = {k: v for k, v in trace.items() if k not in _TRACE_SKIP and v is not None}
        if as_list(trace.get("scores")):
            attributes["trace_scores"] = trace["scores"]
    return attributes


def _decode(value: Any, raw_io: bool) -> Any:
    """v2 input/output are the JSON text of the recorded value: decode it (a plain string that
    is not JSON stays as it is). Structured exports are used as they are."""
    if not raw_io or not isinstance(value, str):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _recorded(raw: Any, decoded: Any) -> str | None:
    """Arguments/results as recorded: a decoded string as text, a structure as the JSON text the
    export held (v2) or compact JSON of the structured value (v1, trace detail)."""
    if decoded is None:
        return None
    if isinstance(decoded, str):
        return decoded
    if isinstance(raw, str):
        return raw
    return recorded_text(decoded)


def _fill_llm(
    span: Span, obs: dict[str, Any], metadata: dict[str, Any], value_in: Any, value_out: Any
) -> None:
    messages_in = parse_maybe_json(value_in)
    span.input_messages = normalize_messages(messages_in)
    if not span.input_messages and value_in is not None:
        span.input_text = recorded_text(value_in)
    span.output_text, span.output_tool_calls = assistant_output(parse_maybe_json(value_out))
    span.model = as_str(obs.get("model")) or first_str(obs, "providedModelName", "provided_model_name")
    span.response_model = first_str(metadata, "response_model", "gen_ai.response.model")
    span.provider = first_str(metadata, "provider", "ls_provider", "gen_ai.system", "gen_ai.provider.name")
    span.tokens_in, span.tokens_out = _tokens(obs)


def _tokens(obs: dict[str, Any]) -> tuple[int | None, int | None]:
    """usageDetails (current), then the legacy `usage` block, then the view's promptTokens.
    All-zero counts are what Langfuse stores when nothing was reported, so they mean unknown."""
    details = as_dict(_get(obs, "usageDetails", "usage_details"))
    legacy = as_dict(obs.get("usage"))
    candidates = (
        (details.get("input"), details.get("output")),
        (
            details.get("input_tokens") or details.get("prompt_tokens"),
            details.get("output_tokens") or details.get("completion_tokens"),
        ),
        (legacy.get("input"), legacy.get("output")),
        (_get(obs, "promptTokens", "prompt_tokens"), _get(obs, "completionTokens", "completion_tokens")),
    )
    for raw_in, raw_out in candidates:
        tokens_in, tokens_out = as_int(raw_in), as_int(raw_out)
        if tokens_in or tokens_out:
            return tokens_in, tokens_out
    return None, None
