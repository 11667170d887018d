"""Rebuilding lists that dialects flatten into dotted, indexed attribute keys.

OpenInference writes `llm.input_messages.3.message.role`, Traceloop `gen_ai.prompt.3.content`:
a list of objects spread over flat keys. Indices are zero-based decimal strings, so they must be
sorted numerically (`10` after `9`), and gaps (a dropped or truncated item) must be tolerated.
"""

from __future__ import annotations

from typing import Any

# Top-level list attributes of the dialects. Grouping them in one pass over a span's
# attributes (see `group_lists`) matters: LLM spans carry hundreds of keys.
LIST_PREFIXES = (
    "llm.input_messages.",
    "llm.output_messages.",
    "llm.prompts.",
    "llm.choices.",
    "llm.completions.",
    "retrieval.documents.",
    "reranker.output_documents.",
    "gen_ai.prompt.",
    "gen_ai.completion.",
)

Groups = dict[str, dict[int, dict[str, Any]]]


def group_lists(attrs: dict[str, Any]) -> Groups:
    """{prefix (no trailing dot): {index: {rest: value}}} for every `LIST_PREFIXES` list."""
    out: Groups = {}
    cache = _SPLITS
    for key, value in attrs.items():
        split = cache.get(key, _MISS)
        if split is _MISS:
            split = _split(key)
            if len(cache) < _CACHE_MAX:
                cache[key] = split
        if split is not None:
            head, idx, rest = split
            out.setdefault(head, {}).setdefault(idx, {})[rest] = value
    return out


# Attribute keys repeat across the spans of a file (`llm.input_messages.3.message.role` …), so
# their split is memoized: one dict lookup per key instead of a prefix search.
_SPLITS: dict[str, tuple[str, int, str] | None] = {}
_CACHE_MAX = 200_000
_MISS: Any = object()


def _split(key: str) -> tuple[str, int, str] | None:
    if not key.startswith(LIST_PREFIXES):
        return None
    head = next(p for p in LIST_PREFIXES if key.startswith(p))
    idx, _, rest = key[len(head) :].partition(".")
    if idx.isascii() and idx.isdigit() and len(idx) < 10:
        return head[:-1], int(idx), rest
    return None


def ordered(groups: dict[int, dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [groups[i] for i in sorted(groups)] if groups else []


def indexed(attrs: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """`prefix.{i}.rest = v` keys → [{rest: v, …} for i in numeric order]; gaps are skipped.

    The `rest` keys stay dotted (`message.tool_calls.0.tool_call.id`), so a nested list is
    rebuilt by calling `indexed` again on an item.
    """
    head = prefix + "."
    groups: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        if not key.startswith(head):
            continue
        idx, _, rest = key[len(head) :].partition(".")
        if idx.isascii() and idx.isdigit() and len(idx) < 10:
            groups.setdefault(int(idx), {})[rest] = value
    return ordered(groups)
