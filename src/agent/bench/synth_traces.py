"""The synthetic story's spans, spelled in each supported trace format.

One writer per format family; each turns a `SynSpan` into that format's record the way its
exporter would (ids, times, content fields), so the readers under test do their real work.
Large files are written record by record: a 100k-span bundle never sits in memory as one tree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from agent.bench import synth_story as story
from agent.bench.synth import SynSpan, SynthSpec, hex_id, uuid_id

OTLP_BATCH = 512  # spans per resourceSpans item, as the SDK's batch processor sends them
_KIND_OTLP = {"agent": 1, "llm": 3, "tool": 1, "retrieval": 1, "http": 3}  # INTERNAL / CLIENT


def write_trace(folder: Path, spans: list[SynSpan], spec: SynthSpec) -> int:
    """Write the trace file(s) for `spec.trace_format`; returns the bytes written."""
    fmt = spec.trace_format
    if fmt.startswith("otlp"):
        return _otlp(folder, spans, spec)
    if fmt.startswith("langsmith"):
        return _langsmith(folder, spans, spec)
    if fmt == "langfuse":
        return _langfuse(folder, spans, spec)
    return _openai_agents(folder, spans, spec)


def span_id(spec: SynthSpec, index: int) -> str:
    """The id of span `index` as the format spells it."""
    fmt = spec.trace_format
    if fmt.startswith("otlp"):
        return hex_id(spec.seed, index, 8)
    if fmt == "openai-agents":
        return "span_" + hex_id(spec.seed, index, 12)
    return uuid_id(spec.seed, index)


def _dump(value: Any) -> bytes:
    return orjson.dumps(value)


def _lines(path: Path, records: Iterable[Any]) -> int:
    with path.open("wb") as fh:
        for r in records:
            fh.write(_dump(r))
            fh.write(b"\n")
        return fh.tell()


def _array_doc(fh: IO[bytes], head: bytes, records: Iterable[Any], tail: bytes) -> None:
    """`head` + records joined by commas + `tail`, written record by record."""
    fh.write(head)
    for k, r in enumerate(records):
        if k:
            fh.write(b",")
        fh.write(_dump(r))
    fh.write(tail)


def _iso(ns: int, sep: str = "T", zone: str = "") -> str:
    sec, rem = divmod(ns, 1_000_000_000)
    return time.strftime(f"%Y-%m-%d{sep}%H:%M:%S", time.gmtime(sec)) + f".{rem // 1000:06d}{zone}"


def _tokens(text: str) -> int:
    return max(len(text) // 4, 1)


# ---- OTLP --------------------------------------------------------------------------------------


def _otlp(folder: Path, spans: list[SynSpan], spec: SynthSpec) -> int:
    genai = "genai" in spec.trace_format
    trace = hex_id(spec.seed, -1, 16)
    scope = ("opentelemetry.instrumentation.openai_v2" if genai else "openinference.instrumentation.openai")
    to_attrs = _genai_attrs if genai else _oi_attrs

    def batches() -> Iterator[dict[str, Any]]:
        for lo in range(0, len(spans), OTLP_BATCH):
            yield {
                "resource": {"attributes": _kvs({"service.name": story.SERVICE, "telemetry.sdk.language": "python"})},
                "scopeSpans": [{"scope": {"name": scope},
                                "spans": [_otlp_span(s, spec, trace, to_attrs) for s in spans[lo:lo + OTLP_BATCH]]}],
            }

    if spec.trace_format.endswith("jsonl"):
        # The collector's file exporter: one TracesData per line.
        return _lines(folder / "agent.otlp.jsonl", ({"resourceSpans": [b]} for b in batches()))
    path = folder / "agent.otlp.json"
    with path.open("wb") as fh:
        _array_doc(fh, b'{"resourceSpans":[', batches(), b"]}")
        return fh.tell()


def _otlp_span(s: SynSpan, spec: SynthSpec, trace: str, to_attrs: Callable[[SynSpan], dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "traceId": trace, "spanId": hex_id(spec.seed, s.index, 8),
        "name": s.name if s.kind != "llm" else f"chat {story.MODEL}",
        "kind": _KIND_OTLP[s.kind],
        "startTimeUnixNano": str(s.start_ns), "endTimeUnixNano": str(s.end_ns),
        "attributes": _kvs(to_attrs(s)),
        "status": {"code": 2, "message": s.error} if s.error else {"code": 1},
    }
    if s.parent is not None:
        out["parentSpanId"] = hex_id(spec.seed, s.parent, 8)
    return out


def _kvs(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _any_value(v)} for k, v in attrs.items() if v is not None]


def _any_value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}  # int64 travels as a string in OTLP/JSON
    if isinstance(v, float):
        return {"doubleValue": v}
    return {"stringValue": str(v)}


def _oi_attrs(s: SynSpan) -> dict[str, Any]:
    """OpenInference (Arize Phoenix) flattened attributes."""
    if s.kind == "http":
        return dict(s.http)
    if s.kind == "agent":
        return {"openinference.span.kind": "AGENT", "agent.name": story.AGENT, "input.value": story.ALERT}
    if s.kind == "tool":
        return {"openinference.span.kind": "TOOL", "tool.name": s.name, "input.value": s.args,
                "input.mime_type": "application/json", "output.value": s.result}
    if s.kind == "retrieval":
        a: dict[str, Any] = {"openinference.span.kind": "RETRIEVER", "input.value": s.args}
        for j, (doc_id, text) in enumerate(s.docs):
            a[f"retrieval.documents.{j}.document.id"] = doc_id
            a[f"retrieval.documents.{j}.document.content"] = text
        return a
    a = {"openinference.span.kind": "LLM", "llm.model_name": story.MODEL, "llm.provider": "openai"}
    for j, (role, content) in enumerate(s.inputs):
        a[f"llm.input_messages.{j}.message.role"] = role
        a[f"llm.input_messages.{j}.message.content"] = content
    a["llm.output_messages.0.message.role"] = "assistant"
    a["llm.output_messages.0.message.content"] = s.output
    for k, (call_id, name, args) in enumerate(s.calls):
        p = f"llm.output_messages.0.message.tool_calls.{k}.tool_call"
        a[f"{p}.id"], a[f"{p}.function.name"], a[f"{p}.function.arguments"] = call_id, name, args
    a["llm.token_count.prompt"] = sum(_tokens(c) for _, c in s.inputs)
    a["llm.token_count.completion"] = _tokens(s.output or "")
    return a


def _genai_attrs(s: SynSpan) -> dict[str, Any]:
    """OTel GenAI semantic conventions ≥ 1.37 (content as JSON-string attributes)."""
    if s.kind == "http":
        return dict(s.http)
    if s.kind == "agent":
        return {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": story.AGENT}
    if s.kind == "tool":
        return {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": s.name,
                "gen_ai.tool.call.arguments": s.args, "gen_ai.tool.call.result": s.result,
                "error.type": "ReadTimeout" if s.error else None}
    if s.kind == "retrieval":
        docs = [{"id": d, "content": t} for d, t in s.docs]
        return {"gen_ai.operation.name": "retrieval", "gen_ai.retrieval.query.text": s.args,
                "gen_ai.retrieval.documents": _dump(docs).decode()}
    parts: list[dict[str, Any]] = [{"type": "text", "content": s.output}] if s.output else []
    parts += [{"type": "tool_call", "id": i, "name": n, "arguments": orjson.loads(a)} for i, n, a in s.calls]
    return {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": story.MODEL,
        "gen_ai.input.messages": _dump([_genai_message(r, c) for r, c in s.inputs]).decode(),
        "gen_ai.output.messages": _dump([{"role": "assistant", "parts": parts,
                                          "finish_reason": "tool_call" if s.calls else "stop"}]).decode(),
        "gen_ai.usage.input_tokens": sum(_tokens(c) for _, c in s.inputs),
        "gen_ai.usage.output_tokens": _tokens(s.output or ""),
    }


def _genai_message(role: str, content: str) -> dict[str, Any]:
    if role == "tool":
        return {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_prev", "response": content}]}
    return {"role": role, "parts": [{"type": "text", "content": content}]}


# ---- chat-completions shapes shared by LangSmith, Langfuse and the Agents SDK -------------------


def _messages(s: SynSpan) -> list[dict[str, Any]]:
    return [{"role": r, "content": c, **({"tool_call_id": "call_prev"} if r == "tool" else {})} for r, c in s.inputs]


def _assistant(s: SynSpan) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": s.output}
    if s.calls:
        msg["tool_calls"] = [{"id": i, "type": "function", "function": {"name": n, "arguments": a}} for i, n, a in s.calls]
    return msg


def _usage(s: SynSpan) -> dict[str, int]:
    p, c = sum(_tokens(c) for _, c in s.inputs), _tokens(s.output or "")
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


# ---- LangSmith ---------------------------------------------------------------------------------

_LS_TYPES = {"agent": "chain", "llm": "llm", "tool": "tool", "retrieval": "retriever", "http": "chain"}


def _langsmith(folder: Path, spans: list[SynSpan], spec: SynthSpec) -> int:
    dotted: dict[int, str] = {}

    def runs() -> Iterator[dict[str, Any]]:
        for s in spans:
            yield _ls_run(s, spec, dotted)

    if spec.trace_format.endswith("jsonl"):
        return _lines(folder / "runs.jsonl", runs())
    path = folder / "runs.json"
    with path.open("wb") as fh:
        _array_doc(fh, b'{"runs":[', runs(), b"]}")
        return fh.tell()


def _ls_run(s: SynSpan, spec: SynthSpec, dotted: dict[int, str]) -> dict[str, Any]:
    rid = uuid_id(spec.seed, s.index)
    seg = _iso(s.start_ns, "T").replace("-", "").replace(":", "").replace(".", "") + "Z" + rid
    dotted[s.index] = seg if s.parent is None else f"{dotted[s.parent]}.{seg}"
    inputs, outputs, meta = _ls_io(s)
    return {
        "id": rid, "trace_id": uuid_id(spec.seed, 0), "name": s.name, "run_type": _LS_TYPES[s.kind],
        "parent_run_id": uuid_id(spec.seed, s.parent) if s.parent is not None else None,
        "start_time": _iso(s.start_ns), "end_time": _iso(s.end_ns), "inputs": inputs, "outputs": outputs,
        "error": s.error, "extra": {"metadata": meta}, "dotted_order": dotted[s.index], "tags": [],
    }


def _ls_io(s: SynSpan) -> tuple[Any, Any, dict[str, Any]]:
    if s.kind == "llm":
        return ({"messages": _messages(s)}, {"choices": [{"index": 0, "message": _assistant(s)}], "usage": _usage(s)},
                {"ls_provider": "openai", "ls_model_name": story.MODEL})
    if s.kind == "tool":
        return {"input": s.args}, (None if s.result is None else {"output": s.result}), {}
    if s.kind == "retrieval":
        docs = [{"page_content": t, "metadata": {"id": d}, "type": "Document"} for d, t in s.docs]
        return {"query": s.args}, {"documents": docs}, {}
    if s.kind == "http":
        return {"method": s.http["http.request.method"], "url": s.http["url.full"]}, dict(s.http), {}
    return {"alert": story.ALERT}, None, {"agent_name": story.AGENT}


# ---- Langfuse (GET /traces/{id}: the trace with its observations) -----------------------------

_LF_TYPES = {"agent": "AGENT", "llm": "GENERATION", "tool": "TOOL", "retrieval": "RETRIEVER", "http": "SPAN"}


def _langfuse(folder: Path, spans: list[SynSpan], spec: SynthSpec) -> int:
    trace = hex_id(spec.seed, -1, 16)
    head = {"id": trace, "name": story.AGENT, "timestamp": _lf_time(spans[0].start_ns), "sessionId": "sess-syn-0304",
            "environment": "production", "input": {"alert": story.ALERT}, "metadata": {}, "tags": ["search"]}
    path = folder / "langfuse-trace.json"
    with path.open("wb") as fh:
        _array_doc(fh, _dump(head)[:-1] + b',"observations":[', (_lf_obs(s, spec, trace) for s in spans), b"]}")
        return fh.tell()


def _lf_time(ns: int) -> str:
    sec, rem = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{rem // 1_000_000:03d}Z"


def _lf_obs(s: SynSpan, spec: SynthSpec, trace: str) -> dict[str, Any]:
    inp, out = _lf_io(s)
    obs: dict[str, Any] = {
        "id": uuid_id(spec.seed, s.index), "traceId": trace, "type": _LF_TYPES[s.kind], "name": s.name,
        "parentObservationId": uuid_id(spec.seed, s.parent) if s.parent is not None else None,
        "startTime": _lf_time(s.start_ns), "endTime": _lf_time(s.end_ns), "input": inp, "output": out,
        "metadata": {"provider": "openai"} if s.kind == "llm" else {},
        "level": "ERROR" if s.error else "DEFAULT", "statusMessage": s.error,
    }
    if s.kind == "llm":
        u = _usage(s)
        obs |= {"model": story.MODEL, "usageDetails": {"input": u["prompt_tokens"], "output": u["completion_tokens"]}}
    return obs


def _lf_io(s: SynSpan) -> tuple[Any, Any]:
    if s.kind == "llm":
        return _messages(s), _assistant(s)
    if s.kind == "tool":
        return orjson.loads(s.args or "{}"), (None if s.result is None else orjson.loads(s.result))
    if s.kind == "retrieval":
        return {"query": s.args}, {"documents": [{"id": d, "content": t} for d, t in s.docs]}
    if s.kind == "http":
        return {"method": s.http["http.request.method"], "url": s.http["url.full"]}, dict(s.http)
    return {"alert": story.ALERT}, None


# ---- OpenAI Agents SDK (JSONL of exported trace and span objects) ------------------------------


def _openai_agents(folder: Path, spans: list[SynSpan], spec: SynthSpec) -> int:
    trace = "trace_" + hex_id(spec.seed, -1, 16)
    head = {"object": "trace", "id": trace, "workflow_name": "search latency triage", "group_id": "group_syn_0304",
            "metadata": {"incident": story.INCIDENT_ID}}

    def records() -> Iterator[dict[str, Any]]:
        yield head
        for s in spans:
            yield _oa_span(s, spec, trace)

    return _lines(folder / "agents-trace.jsonl", records())


def _oa_span(s: SynSpan, spec: SynthSpec, trace: str) -> dict[str, Any]:
    error = None
    if s.error:
        error = {"message": "Error running tool (non-fatal)", "data": {"tool_name": s.name, "error": s.error}}
    return {
        "object": "trace.span", "id": "span_" + hex_id(spec.seed, s.index, 12), "trace_id": trace,
        "parent_id": "span_" + hex_id(spec.seed, s.parent, 12) if s.parent is not None else None,
        "started_at": _iso(s.start_ns, "T", "+00:00"), "ended_at": _iso(s.end_ns, "T", "+00:00"),
        "span_data": _oa_data(s), "error": error,
    }


def _oa_data(s: SynSpan) -> dict[str, Any]:
    if s.kind == "llm":
        u = _usage(s)
        return {"type": "generation", "input": _messages(s), "output": [_assistant(s)], "model": story.MODEL,
                "model_config": {"temperature": 0.2, "base_url": "https://api.openai.com/v1/"},
                "usage": {"input_tokens": u["prompt_tokens"], "output_tokens": u["completion_tokens"]}}
    if s.kind == "tool":
        return {"type": "function", "name": s.name, "input": s.args, "output": s.result, "mcp_data": None}
    if s.kind == "retrieval":
        # The Agents SDK has no retrieval span: a retriever is a function tool returning the documents.
        docs = [{"id": d, "content": t} for d, t in s.docs]
        return {"type": "function", "name": s.name, "input": _dump({"query": s.args}).decode(),
                "output": _dump(docs).decode(), "mcp_data": None}
    if s.kind == "http":
        return {"type": "custom", "name": s.name, "data": dict(s.http)}
    return {"type": "agent", "name": story.AGENT, "tools": ["get_node_stats", "get_index_stats", "get_cluster_health",
                                                            "search_runbooks", "move_shards", "post_status_update"],
            "handoffs": [], "output_type": "str"}
