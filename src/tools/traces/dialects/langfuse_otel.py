"""Langfuse SDK v3+ (OTel-based) attributes → span fields (formats.md §4).

`langfuse.observation.type` classifies (GENERATION, TOOL, AGENT, …); I/O is in
`langfuse.observation.input|output` (JSON strings), the model in
`langfuse.observation.model.name`, token usage in `langfuse.observation.usage_details`
(`{"input": n, "output": n}`), and failures as `langfuse.observation.level = ERROR` with a
`status_message`, which count as an error even when the OTel status was left unset.
"""

from __future__ import annotations

from tools.model.trace import SpanKind
from tools.traces.dialects import chat
from tools.traces.dialects.draft import Draft
from tools.traces.otlp_values import as_int, first_str

LABEL = "langfuse-otel"

_KINDS: dict[str, SpanKind] = {
    "generation": "llm",
    "agent": "agent",
    "tool": "tool",
    "chain": "chain",
    "retriever": "retrieval",
    "guardrail": "guardrail",
    "embedding": "other",
    "evaluator": "other",
    "event": "other",
    "handoff": "handoff",
}
_P = "langfuse.observation."
MARKERS = frozenset(_P + k for k in ("type", "input", "output", "level", "model.name"))


def kind_of(d: Draft) -> SpanKind | None:
    raw = d.attrs.get(_P + "type")
    return _KINDS.get(raw.lower()) if isinstance(raw, str) else None


def fill(d: Draft) -> bool:
    a = d.attrs
    if _P + "type" not in a and _P + "input" not in a and _P + "output" not in a:
        return False
    raw_in, raw_out = a.get(_P + "input"), a.get(_P + "output")
    if d.kind == "llm":
        d.put("model", first_str(a.get(_P + "model.name")))
        usage = chat.parse_loose(a.get(_P + "usage_details"))
        if isinstance(usage, dict):
            d.put("tokens_in", as_int(usage.get("input", usage.get("prompt_tokens"))))
            d.put("tokens_out", as_int(usage.get("output", usage.get("completion_tokens"))))
        msgs = chat.messages(raw_in) if raw_in not in (None, "") else []
        d.put("input_messages", msgs)
        if not msgs:
            d.put("input_text", _recorded(raw_in))
        out = chat.output_of(raw_out) if raw_out not in (None, "") else chat.Output()
        d.put("output_text", out.text if out else _recorded(raw_out))
        d.put("output_tool_calls", out.tool_calls)
    elif d.kind == "tool":
        d.put("tool_name", d.name or None)
        d.put("tool_args", _recorded(raw_in))
        d.put("tool_result", _recorded(raw_out))
    else:
        d.put("input_text", _recorded(raw_in))
        d.put("output_text", _recorded(raw_out))
    if str(a.get(_P + "level", "")).upper() == "ERROR":
        d.status = "error" if d.status == "unset" else d.status
        d.error_parts.append(first_str(a.get(_P + "status_message")) or "level ERROR")
    return True


def _recorded(value: object) -> str | None:
    return None if value is None or value == "" else chat.arguments(value)
