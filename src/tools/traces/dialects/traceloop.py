"""OpenLLMetry / Traceloop attributes → span fields (formats.md §4).

Decorated workflow/task/agent/tool spans carry `traceloop.span.kind`, `traceloop.entity.name`
and the function's I/O as JSON strings in `traceloop.entity.input` / `traceloop.entity.output`
(kept as recorded). LLM spans say `llm.request.type`; their content is the flattened
`gen_ai.prompt.{i}.*` handled by `legacy_prompts`.
"""

from __future__ import annotations

from tools.model.trace import SpanKind
from tools.traces.dialects.draft import Draft
from tools.traces.otlp_values import first_str

LABEL = "traceloop"

MARKERS = frozenset(
    {
        "traceloop.span.kind",
        "traceloop.entity.name",
        "traceloop.entity.input",
        "traceloop.entity.output",
        "llm.request.type",
    }
)
_SPAN_KINDS: dict[str, SpanKind] = {
    "workflow": "chain",
    "task": "chain",
    "agent": "agent",
    "tool": "tool",
    "handoff": "handoff",
}
_REQUEST_TYPES: dict[str, SpanKind] = {
    "chat": "llm",
    "completion": "llm",
    "embedding": "other",
    "rerank": "retrieval",
}
_SESSION_KEYS = tuple(
    f"traceloop.association.properties.{k}" for k in ("session_id", "thread_id", "conversation_id")
)


def kind_of(d: Draft) -> SpanKind | None:
    raw = d.attrs.get("traceloop.span.kind")
    if isinstance(raw, str) and raw.lower() in _SPAN_KINDS:
        return _SPAN_KINDS[raw.lower()]
    req = d.attrs.get("llm.request.type")
    return _REQUEST_TYPES.get(req.lower()) if isinstance(req, str) else None


def fill(d: Draft) -> bool:
    a = d.attrs
    if "traceloop.span.kind" not in a and "traceloop.entity.name" not in a:
        return False
    name = first_str(a.get("traceloop.entity.name"))
    entity_in = first_str(a.get("traceloop.entity.input"))
    entity_out = first_str(a.get("traceloop.entity.output"))
    d.put("session_id", first_str(*(a.get(k) for k in _SESSION_KEYS)))
    if d.kind == "tool":
        d.put("tool_name", name)
        d.put("tool_args", entity_in)
        d.put("tool_result", entity_out)
        return True
    if d.kind == "agent":
        d.put("agent", name)
    if d.kind != "llm":
        d.put("input_text", entity_in)
        d.put("output_text", entity_out)
    return True
