"""LangSmith runs (API `{"runs": [...], "cursors": ...}`, a list of runs, one run, or JSON Lines).

Spec: shared/spec/formats.md §5. The tree comes from `parent_run_id` (or, failing that, the
`dotted_order` path); `dotted_order` also gives start times when `start_time` is missing.
Times are ISO-8601 without offset (UTC) from Python, epoch milliseconds from the JS SDK.
Tokens are looked up where the LangSmith exporter looks, then in provider blocks, then in the
run-level counters. Inputs/outputs are free-form, so every field is read defensively.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.errors import BadInput
from tools.model.trace import Span, SpanEvent, SpanKind, SpanStatus, Trace, datetime_to_ns
from tools.traces.messages import (
    Progress,
    as_dict,
    as_int,
    as_list,
    as_str,
    assistant_output,
    content_text,
    first_str,
    flatten,
    is_lc_serialized,
    lc_class,
    load_values,
    normalize_messages,
    parse_time_ns,
    recorded_text,
    to_documents,
)
from tools.traces.sniff import Sample
from tools.traces.tree import finalize

FORMAT = "langsmith"

_KINDS: dict[str, SpanKind] = {
    "llm": "llm",
    "tool": "tool",
    "retriever": "retrieval",
    "chain": "chain",
    "prompt": "chain",
    "parser": "chain",
    "embedding": "other",
}
# Keys that, next to run_type, mark LangSmith runs when the file is too big to parse in the sniff.
_RUN_MARKERS = {"dotted_order", "parent_run_id", "start_time", "inputs", "trace_id"}
_FOREIGN_KEYS = {"resourceSpans", "resourceLogs", "scopeSpans", "span_data", "parentObservationId"}
# Left out of `attributes`: the content (mapped to fields) and bulky internals.
_BULKY = {
    "inputs",
    "outputs",
    "events",
    "child_runs",
    "serialized",
    "attachments",
    "inputs_s3_urls",
    "outputs_s3_urls",
    "s3_urls",
}
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_RE = re.compile(_UUID)
# One dotted_order segment: UTC start %Y%m%dT%H%M%S, fraction of any width, "Z", run UUID.
_SEGMENT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d*)Z(" + _UUID + ")")
_SESSION_KEYS = ("thread_id", "session_id", "conversation_id")


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


def detect(sample: Sample) -> bool:
    if sample.first is not None:
        return _holds_runs(sample.first)
    # Too big to parse in the sniff: judge by the keys seen in the head.
    keys = sample.keys
    return "run_type" in keys and bool(keys & _RUN_MARKERS) and not keys & _FOREIGN_KEYS


def _holds_runs(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and _looks_like_run(value[0])
    if not isinstance(value, dict):
        return False
    runs = value.get("runs")
    if isinstance(runs, list):
        return any(_looks_like_run(r) for r in runs[:5]) or (not runs and "cursors" in value)
    return _looks_like_run(value)


def _looks_like_run(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("run_type"), str)
        and bool({"id", "name", "inputs", "start_time", "dotted_order", "trace_id"} & value.keys())
    )


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read(paths: list[Path], progress: Progress | None = None) -> list[Trace]:
    from tools.traces import read_each  # the package imports this module: import at call time

    return read_each(paths, progress, "LangSmith runs", read_file)


def read_file(path: Path) -> Trace:
    shape, values = load_values(path)
    source_format = f"langsmith-{shape}"
    warnings: list[str] = []
    runs = _dedupe(list(_collect_runs(path, values, warnings)))
    if not runs:
        raise BadInput(
            path, 'no LangSmith runs found (expected {"runs": [...]}, a list of runs or one run per line)'
        )
    del values  # `runs` holds every run now
    parents = {run_id: _parent_of(run, run_id) for run_id, run in runs.items()}
    # Each raw run is dropped once converted, so the spans reuse its memory: at 100k runs the
    # raw tree and all the spans at once would add ~200 MB to the peak. (`parents` has every id.)
    spans = [_to_span(runs.pop(run_id), run_id, parents, parents, path, source_format) for run_id in parents]
    _share_sessions(spans)
    return Trace(source_file=str(path), format=source_format, spans=finalize(spans), warnings=warnings)


def _collect_runs(
    path: Path, values: list[tuple[int | None, Any]], warnings: list[str]
) -> Iterator[tuple[int | None, dict[str, Any]]]:
    for line, value in values:
        if isinstance(value, dict) and isinstance(value.get("runs"), list):
            items: list[Any] = value["runs"]
        elif isinstance(value, list):
            items = value
        else:
            items = [value]
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                where = f"line {line}" if line else f"runs[{index}]"
                raise BadInput(path, f"{where} is not a JSON object (a LangSmith run)", line=line)
            if not _looks_like_run(item) and "id" not in item:
                warnings.append(
                    f"{'line ' + str(line) if line else f'item {index}'}: not a LangSmith run, skipped"
                )
                continue
            yield from _with_children(path, item, line, None)


def _with_children(
    path: Path, run: dict[str, Any], line: int | None, parent: str | None
) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """A run and, depth first, its nested `child_runs` (the tree form of `read_run`)."""
    run_id = as_str(run.get("id"))
    if run_id is None:
        name = as_str(run.get("name"))
        raise BadInput(
            path, f"LangSmith run {name!r} has no 'id'" if name else "LangSmith run has no 'id'", line=line
        )
    if parent and not run.get("parent_run_id"):
        run = {**run, "parent_run_id": parent}
    yield line, run
    for child in as_list(run.get("child_runs")):
        if isinstance(child, dict):
            yield from _with_children(path, child, line, run_id)


def _dedupe(items: list[tuple[int | None, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One run per id. A run can be listed twice (create then update); the finished one wins."""
    runs: dict[str, dict[str, Any]] = {}
    for _line, run in items:
        run_id = str(run["id"])
        previous = runs.get(run_id)
        if previous is None or run.get("end_time") is not None or previous.get("end_time") is None:
            runs[run_id] = run if previous is None else {**previous, **_non_null(run)}
    return runs


def _non_null(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if v is not None}


def _share_sessions(spans: list[Span]) -> None:
    """A trace is one invocation, so one conversation; LangGraph puts `thread_id` only on some
    runs (node runs, not the root or the model calls). Fill the rest when it is unambiguous."""
    sessions: dict[str, set[str]] = {}
    for span in spans:
        if span.session_id:
            sessions.setdefault(span.trace_id, set()).add(span.session_id)
    for span in spans:
        found = sessions.get(span.trace_id, set())
        if span.session_id is None and len(found) == 1:
            span.session_id = next(iter(found))


# ---------------------------------------------------------------------------------------------
# Tree and time
# ---------------------------------------------------------------------------------------------


def dotted_segments(value: Any) -> list[tuple[int | None, str]]:
    """`dotted_order` → [(start ns, run id), …] from root to the run itself.

    The fraction width varies (the code writes 6 digits, docs show 3), so segments are found by
    the "Z" that precedes a 36-char UUID rather than by position.
    """
    if not isinstance(value, str):
        return []
    segments: list[tuple[int | None, str]] = []
    for match in _SEGMENT_RE.finditer(value):
        segments.append((_segment_ns(match), match.group(8)))
    return segments


def _segment_ns(match: re.Match[str]) -> int | None:
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    fraction = match.group(7)
    return datetime_to_ns(moment) + (int((fraction + "000000000")[:9]) if fraction else 0)


def _parent_of(run: dict[str, Any], run_id: str) -> str | None:
    parent = as_str(run.get("parent_run_id"))
    if parent is None:
        segments = dotted_segments(run.get("dotted_order"))
        if len(segments) >= 2:
            parent = segments[-2][1]
    if parent is None:
        chain = [p for p in as_list(run.get("parent_run_ids")) if isinstance(p, str)]
        parent = chain[-1] if chain else None
    return parent if parent != run_id else None


def _trace_id(run: dict[str, Any], run_id: str, parents: dict[str, str | None]) -> str:
    """`trace_id` as recorded; else the root of the dotted_order path; else the root ancestor."""
    recorded = as_str(run.get("trace_id"))
    if recorded:
        return recorded
    segments = dotted_segments(run.get("dotted_order"))
    if segments:
        return segments[0][1]
    current, seen = run_id, {run_id}
    while (parent := parents.get(current)) and parent not in seen:
        seen.add(parent)
        current = parent
    return current


def _start_ns(run: dict[str, Any]) -> int | None:
    start = parse_time_ns(run.get("start_time"))
    if start is None:
        segments = dotted_segments(run.get("dotted_order"))
        start = segments[-1][0] if segments else None
    return start


# ---------------------------------------------------------------------------------------------
# Run → Span
# ---------------------------------------------------------------------------------------------


def _to_span(
    run: dict[str, Any],
    run_id: str,
    parents: dict[str, str | None],
    known: Mapping[str, object],
    path: Path,
    source_format: str,
) -> Span:
    extra = as_dict(run.get("extra"))
    metadata = as_dict(extra.get("metadata")) or as_dict(run.get("metadata"))
    kind = _KINDS.get(str(run.get("run_type")), "other")
    parent = parents.get(run_id)
    status, error = _status(run)
    span = Span(
        trace_id=_trace_id(run, run_id, parents),
        span_id=run_id,
        parent_id=parent,
        kind=kind,
        name=as_str(run.get("name")) or "",
        start_ns=_start_ns(run),
        end_ns=parse_time_ns(run.get("end_time")),
        status=status,
        error=error,
        agent=_agent(metadata) or (as_str(run.get("name")) if parent is None or parent not in known else None),
        session_id=first_str(metadata, *_SESSION_KEYS),
        events=_events(run),
        attributes=_attributes(run),
        source_file=str(path),
        source_format=source_format,
    )
    inputs, outputs = run.get("inputs"), run.get("outputs")
    if kind == "llm":
        _fill_llm(span, run, metadata, extra)
    elif kind == "tool":
        _fill_tool(span, inputs, outputs)
    elif kind == "retrieval":
        span.input_text = _query_text(inputs)
        span.documents = to_documents(outputs)
    else:
        span.input_text = _generic_text(inputs)
        if outputs is not None:
            span.attributes["output"] = _generic_text(outputs)
    return span


def _status(run: dict[str, Any]) -> tuple[SpanStatus, str | None]:
    raw_error = run.get("error")
    if isinstance(raw_error, str):
        error = raw_error.strip() or None
    else:  # not in the schema, but keep a structured error rather than drop it
        error = recorded_text(raw_error) if isinstance(raw_error, dict | list) and raw_error else None
    status = as_str(run.get("status"))
    if error or status == "error":
        return "error", error or "error"
    if status == "success" or (status is None and run.get("end_time") is not None):
        return "ok", None
    return "unset", None


def _agent(metadata: dict[str, Any]) -> str | None:
    """The agent a run belongs to, from metadata that names it.

    LangGraph Platform assistant ids are usually UUIDs, where the graph id is the readable name.
    """
    named = first_str(metadata, "agent_name", "lc_agent_name", "assistant_name", "agent")
    if named:
        return named
    assistant = as_str(metadata.get("assistant_id"))
    if assistant and not _UUID_RE.fullmatch(assistant):
        return assistant
    return first_str(metadata, "graph_id", "graph_name", "langgraph_graph") or assistant


def _attributes(run: dict[str, Any]) -> dict[str, Any]:
    attributes = {k: v for k, v in run.items() if k not in _BULKY and v is not None}
    # The run-level session_id is the LangSmith project, not a conversation: say so by name.
    if "session_id" in attributes:
        attributes["project_id"] = attributes.pop("session_id")
    extra = as_dict(run.get("extra"))
    if "metadata" in extra:  # lifted so citations read metadata.<key>; the rest of extra stays
        attributes["metadata"] = extra["metadata"]
        attributes["extra"] = {k: v for k, v in extra.items() if k != "metadata"}
    return attributes


def _events(run: dict[str, Any]) -> list[SpanEvent]:
    """Run events (start/end/error/retry…). Streaming `new_token` events are one per token, so
    they are counted rather than copied."""
    events: list[SpanEvent] = []
    for raw in as_list(run.get("events")):
        event = as_dict(raw)
        name = as_str(event.get("name")) or "event"
        if name == "new_token":
            continue
        rest = {k: v for k, v in event.items() if k not in ("name", "time")}
        events.append(SpanEvent(name=name, time_ns=parse_time_ns(event.get("time")), attributes=rest))
    return events


# ---------------------------------------------------------------------------------------------
# Kind-specific content
# ---------------------------------------------------------------------------------------------


def _fill_llm(span: Span, run: dict[str, Any], metadata: dict[str, Any], extra: dict[str, Any]) -> None:
    inputs, outputs = run.get("inputs"), run.get("outputs")
    span.input_messages = normalize_messages(inputs)
    if not span.input_messages:
        span.input_text = _generic_text(inputs)
    span.output_text, span.output_tool_calls = assistant_output(outputs)
    params = as_dict(extra.get("invocation_params")) or as_dict(metadata.get("ls_invocation_params"))
    span.model = (
        as_str(metadata.get("ls_model_name"))
        or first_str(params, "model", "model_name", "model_id", "deployment_name")
        or as_str(as_dict(inputs).get("model"))
    )
    span.response_model = _response_model(as_dict(outputs))
    span.provider = as_str(metadata.get("ls_provider"))
    span.tokens_in, span.tokens_out = _tokens(run, as_dict(outputs))


def _response_model(outputs: dict[str, Any]) -> str | None:
    for block in _response_metadata_blocks(outputs):
        found = first_str(block, "model_name", "model")
        if found:
            return found
    return as_str(outputs.get("model"))


def _response_metadata_blocks(outputs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield as_dict(outputs.get("llm_output"))
    for message in _output_messages(outputs):
        yield as_dict(message.get("response_metadata"))


def _output_messages(outputs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Message bodies (kwargs of serialised messages, or plain dicts) in an LLM run's outputs."""
    candidates: list[Any] = [outputs]
    candidates += [v for v in outputs.values() if isinstance(v, dict)]
    for gen in flatten(outputs.get("generations")):
        candidates.append(as_dict(gen).get("message"))
    for candidate in candidates:
        if is_lc_serialized(candidate):
            yield candidate["kwargs"]
        elif isinstance(candidate, dict):
            yield candidate


def _tokens(run: dict[str, Any], outputs: dict[str, Any]) -> tuple[int | None, int | None]:
    """Tokens where LangSmith's exporter looks (usage_metadata in outputs, in any output value,
    in a serialised message, in generations), then provider `token_usage`/`usage` blocks, then
    the run-level prompt_tokens/completion_tokens (all-zero there means "not counted")."""
    for usage in _usage_candidates(outputs):
        pair = _usage_pair(usage)
        if pair != (None, None):
            return pair
    prompt, completion = as_int(run.get("prompt_tokens")), as_int(run.get("completion_tokens"))
    if not prompt and not completion and not as_int(run.get("total_tokens")):
        return None, None
    return prompt, completion


def _usage_candidates(outputs: dict[str, Any]) -> Iterator[Any]:
    yield outputs.get("usage_metadata")
    for value in outputs.values():
        if isinstance(value, dict):
            yield value.get("usage_metadata")
            if is_lc_serialized(value):
                yield value["kwargs"].get("usage_metadata")
    for gen in flatten(outputs.get("generations")):
        message = as_dict(as_dict(gen).get("message"))
        yield as_dict(message.get("kwargs")).get("usage_metadata") or message.get("usage_metadata")
    yield as_dict(outputs.get("llm_output")).get("token_usage")
    for message in _output_messages(outputs):
        metadata = as_dict(message.get("response_metadata"))
        yield metadata.get("token_usage") or metadata.get("usage")
    yield outputs.get("usage")


def _usage_pair(usage: Any) -> tuple[int | None, int | None]:
    usage = as_dict(usage)
    tokens_in = next(
        (v for v in map(as_int, (usage.get("input_tokens"), usage.get("prompt_tokens"))) if v is not None),
        None,
    )
    tokens_out = next(
        (
            v
            for v in map(as_int, (usage.get("output_tokens"), usage.get("completion_tokens")))
            if v is not None
        ),
        None,
    )
    return tokens_in, tokens_out


def _fill_tool(span: Span, inputs: Any, outputs: Any) -> None:
    """Tool arguments and result exactly as recorded. LangChain writes `{"input": str(args)}` —
    often a Python repr like "{'id': 'x'}" — which stays a string; other shapes stay JSON."""
    span.tool_name = span.name or None
    if isinstance(inputs, dict) and set(inputs) == {"input"}:
        span.tool_args = recorded_text(inputs["input"])
    else:
        span.tool_args = recorded_text(inputs) if inputs not in (None, {}) else None
    result = outputs["output"] if isinstance(outputs, dict) and set(outputs) == {"output"} else outputs
    if is_lc_serialized(result) and lc_class(result).startswith("ToolMessage"):
        kwargs = result["kwargs"]
        content = kwargs.get("content")
        span.tool_result = content if isinstance(content, str) else content_text(content)
        # A tool that caught its own exception reports it on the message, not as a run error.
        if kwargs.get("status") == "error" and span.status != "error":
            span.status, span.error = "error", span.tool_result or "error"
    else:
        span.tool_result = recorded_text(result)


def _query_text(inputs: Any) -> str | None:
    query = as_dict(inputs).get("query")
    return query if isinstance(query, str) else _generic_text(inputs)


def _generic_text(value: Any) -> str | None:
    """Chain input/output as text: a lone string value as is, anything else as compact JSON."""
    if value is None or value in ({}, [], ""):
        return None
    if isinstance(value, dict) and len(value) == 1:
        only = next(iter(value.values()))
        if isinstance(only, str):
            return only
    return recorded_text(value)
