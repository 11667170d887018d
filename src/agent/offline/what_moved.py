"""What moved: the variables a code-centric template never lists, read from trace attributes.

Prompt revision, model (requested vs served), judge/eval configuration, retrieval index state,
tool schema versions and traffic mix. A variable the trace does not carry stays `None` and the
template says "not captured" — itself an observability gap worth an action item.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from agent.draft import ChangeVariables
from tools.evidence.index import EvidenceIndex
from tools.model.trace import Span

_PROMPT_KEY = re.compile(r"prompt[._]?(template[._])?(version|revision|name|id|hash)|prompt$|promptversion|promptname", re.I)
_PROMPT_EXCLUDE = re.compile(r"tokens?|input\.|output\.|messages|content|text$|\.\d+\.", re.I)
_JUDGE_KEY = re.compile(r"judge|evaluator|eval[._](name|config|model|version)|grader|rubric", re.I)
_INDEX_KEY = re.compile(r"(index|collection|vector[._]?store|data_source\.id|kb|knowledge)[^.]*$|index[._](version|name|snapshot|updated)", re.I)
_SCHEMA_KEY = re.compile(r"(tool[._])?schema[._]?version|tool[._]version|contract[._]version", re.I)
_TRAFFIC_KEY = re.compile(r"traffic|cohort|experiment|variant|slice|route[r]?[._]|ab[._]test|canary|rollout", re.I)
_MAX_VALUE = 120


def change_variables(index: EvidenceIndex) -> ChangeVariables:
    cv = ChangeVariables()
    prompts = _collect(index.llm_spans, _PROMPT_KEY, exclude=_PROMPT_EXCLUDE)
    cv.prompt_revision, cv.evidence["prompt_revision"] = _render(prompts)
    cv.model, cv.evidence["model"] = _models(index.llm_spans)
    cv.judge_config, cv.evidence["judge_config"] = _render(_collect(index.spans, _JUDGE_KEY))
    retrieval = [s for s in index.spans if s.kind == "retrieval"] or index.spans
    cv.retrieval_index, cv.evidence["retrieval_index"] = _render(_collect(retrieval, _INDEX_KEY), docs=_doc_versions(index))
    cv.tool_schema_versions, cv.evidence["tool_schema_versions"] = _schemas(index)
    cv.traffic_mix, cv.evidence["traffic_mix"] = _render(_collect(index.spans, _TRAFFIC_KEY))
    cv.evidence = {k: v for k, v in cv.evidence.items() if v}
    return cv


def flatten(attrs: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in attrs.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from flatten(value, path)
        else:
            yield path, value


def _collect(
    spans: list[Span], key_re: re.Pattern[str], exclude: re.Pattern[str] | None = None
) -> dict[str, tuple[Counter[str], list[str]]]:
    """key → (value counts, refs) over the spans' flattened attributes."""
    out: dict[str, tuple[Counter[str], list[str]]] = {}
    # Spans repeat the same few attribute keys: each key is tested against the patterns once.
    wanted: dict[str, bool] = {}
    for s in spans:
        for key, value in flatten(s.attributes):
            ok = wanted.get(key)
            if ok is None:
                ok = wanted[key] = bool(key_re.search(key)) and not (exclude and exclude.search(key))
            if not ok:
                continue
            if isinstance(value, list | dict) or value in (None, ""):
                continue
            text = str(value)
            if len(text) > _MAX_VALUE:
                continue
            counts, refs = out.setdefault(key, (Counter(), []))
            counts[text] += 1
            if len(refs) < 3 and s.ref not in refs:
                refs.append(s.ref)
    return out


def _render(
    found: dict[str, tuple[Counter[str], list[str]]], docs: str | None = None
) -> tuple[str | None, list[str]]:
    parts: list[str] = []
    refs: list[str] = []
    for key, (counts, krefs) in sorted(found.items()):
        values = ", ".join(f"{v}" + (f" ×{n}" if len(counts) > 1 else "") for v, n in counts.most_common(4))
        parts.append(f"{values} ({key})")
        refs.extend(r for r in krefs if r not in refs)
    if docs:
        parts.append(docs)
    if not parts:
        return None, []
    return "; ".join(parts[:5]), refs[:5]


def _models(spans: list[Span]) -> tuple[str | None, list[str]]:
    pairs: Counter[tuple[str | None, str | None]] = Counter()
    refs: dict[tuple[str | None, str | None], str] = {}
    for s in spans:
        if s.model or s.response_model:
            key = (s.model, s.response_model)
            pairs[key] += 1
            refs.setdefault(key, s.ref)
    if not pairs:
        return None, []
    parts = []
    for (req, served), n in pairs.most_common(4):
        if req and served and not _same_model(req, served):
            parts.append(f"requested {req}, served {served} ({n} calls) — a silent model change")
        elif req and served and req != served:
            parts.append(f"requested {req}, served {served} (dated snapshot; {n} calls)")
        else:
            parts.append(f"{req or served} ({n} calls; served model {'not recorded' if not served else 'as requested'})")
    return "; ".join(parts), [refs[k] for k, _ in pairs.most_common(4)]


def _same_model(requested: str, served: str) -> bool:
    """'gpt-4.1' served as 'gpt-4.1-2025-04-14' is the same model; 'large-2' served as 'small-2' is not."""
    r, s = requested.lower(), served.lower()
    return s.startswith(r) or r.startswith(s) or r.split("/")[-1] == s.split("/")[-1]


def _doc_versions(index: EvidenceIndex) -> str | None:
    seen: dict[str, set[str]] = defaultdict(set)
    for s in index.spans:
        for d in s.documents:
            if d.version or d.updated_at:
                seen[d.id or "?"].add(" ".join(x for x in (d.version, d.updated_at) if x))
    if not seen:
        return None
    items = [f"{doc} [{', '.join(sorted(v))}]" for doc, v in sorted(seen.items())[:5]]
    return "documents retrieved: " + "; ".join(items)


def _schemas(index: EvidenceIndex) -> tuple[dict[str, str], list[str]]:
    out: dict[str, str] = {}
    refs: list[str] = []
    wanted: dict[str, bool] = {}  # as in _collect: each distinct key is matched once
    for s in index.spans:
        if s.kind != "tool":
            continue
        for key, value in flatten(s.attributes):
            ok = wanted.get(key)
            if ok is None:
                ok = wanted[key] = bool(_SCHEMA_KEY.search(key))
            if ok and isinstance(value, str | int | float) and str(value):
                name = s.tool_name or s.name
                out.setdefault(name, str(value))
                if len(refs) < 5 and s.ref not in refs:
                    refs.append(s.ref)
    return out, refs
