"""LangSmith's own OTel exporter → span fields (formats.md §4).

It classifies with `langsmith.span.kind` (the run_type) and stores content on the deprecated
`gen_ai.prompt` / `gen_ai.completion` keys (read by `legacy_prompts`) with GenAI token names
(read by `genai`). Thread ids live in `langsmith.metadata.*`; `langsmith.trace.session_id` is
the LangSmith project, not a conversation, so it is deliberately not used as `session_id`.
"""

from __future__ import annotations

from tools.model.trace import SpanKind
from tools.traces.dialects.draft import Draft
from tools.traces.otlp_values import first_str

LABEL = "langsmith-otel"

MARKERS = frozenset({"langsmith.span.kind"})
_KINDS: dict[str, SpanKind] = {
    "llm": "llm",
    "chat_model": "llm",
    "tool": "tool",
    "retriever": "retrieval",
    "chain": "chain",
    "embedding": "other",
    "prompt": "other",
    "parser": "other",
}
_SESSION_KEYS = tuple(f"langsmith.metadata.{k}" for k in ("session_id", "thread_id", "conversation_id"))


def kind_of(d: Draft) -> SpanKind | None:
    raw = d.attrs.get("langsmith.span.kind")
    return _KINDS.get(raw.lower()) if isinstance(raw, str) else None


def fill(d: Draft) -> bool:
    a = d.attrs
    if "langsmith.span.kind" not in a:
        return False
    d.put("session_id", first_str(*(a.get(k) for k in _SESSION_KEYS)))
    # Non-LLM runs keep their inputs/outputs (JSON strings) on the same deprecated keys.
    prompt, completion = first_str(a.get("gen_ai.prompt")), first_str(a.get("gen_ai.completion"))
    if d.kind == "tool":
        d.put("tool_args", prompt)
        d.put("tool_result", completion)
    elif d.kind != "llm":
        d.put("input_text", prompt)
        d.put("output_text", completion)
    return True
