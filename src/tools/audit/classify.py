"""Per postmortem: which agent rows it uses, and which root-cause category its text gives.

Category from the root-cause text, most explicit first: a weight per category ("Tool | 0.5",
"agent 0.6"), then a labelled first cause ("**Handoff (approval):** …", "Root cause (data)"),
then the mechanism words. A root cause the linter flags as "fix the prompt/runbook" or "AI error"
and that names no category is `unattributed`: that is the flattening the audit is looking for.
"""

from __future__ import annotations

import re

from tools.lint.document import BlockKind, Document
from tools.lint.models import FlagCode, LintFlag
from tools.lint.sections import SectionKind

_ROWS: dict[str, re.Pattern[str]] = {
    "inferred": re.compile(r"what (?:the )?agent (?:inferred|concluded|believed|decided)|agent(?:'s)? inference"
                           r"|inferred by the agent", re.I),
    "correct_inference": re.compile(r"correct inference|what (?:was|would have been) (?:actually )?(?:true|correct)", re.I),
    "missed_signal": re.compile(r"missed signals?|signals? (?:that )?(?:the agent )?missed|what signal", re.I),
    "context_change": re.compile(r"changes? to (?:its |the agent's )?context|context changes?|context or tools", re.I),
}


def agent_rows(doc: Document) -> list[str]:
    """The agent rows present as headings, labels or first table cells."""
    heads = []
    for block in doc.blocks:
        if block.kind is BlockKind.HEADING:
            heads.append(block.text)
        elif block.kind is BlockKind.TABLE_ROW and block.cells:
            heads.append(block.cells[0])
        else:
            heads.append(block.text[:80])
    joined = "\n".join(heads)
    return [name for name, rx in _ROWS.items() if rx.search(joined)]


_CATEGORY = r"(agent|tool|data|handoff|human[- ]agent handoff|hand-off)"
_WEIGHT_RX = re.compile(rf"\b{_CATEGORY}\b[^\d\n|]{{0,25}}?(?:\|\s*)?(0?\.\d+|1(?:\.0+)?|\d{{1,3}}\s*%)", re.I)
_LABEL_RX = re.compile(rf"^\W*{_CATEGORY}\b[^:]{{0,30}}:|^\W*root[- ]?causes?\s*\(\s*{_CATEGORY}", re.I)
_KEYWORDS: dict[str, re.Pattern[str]] = {
    "tool": re.compile(r"\btools?\b|tool's|\breturns?\b|\breturned\b|\boutput\b|payload|\bAPI\b|contract|\bfields?\b"
                       r"|idempoten\w*|\bschema\b|swallow\w*|empty (?:list|result|match)|\bheaders?\b", re.I),
    "data": re.compile(r"\bstale\b|outdated|out of date|superseded|\bindex\w*|re-?index|retriev\w*|knowledge base"
                       r"|catalog|\bsync\w*|refresh\w*|old version|ownership map|snapshot", re.I),
    "handoff": re.compile(r"handoff|hand-off|approv\w*|escalat\w*|\bqueue\b|\bpag(?:e|ed|ing)\b|routed|on-?call"
                          r"|\bhuman\b|reviewer", re.I),
    "agent": re.compile(r"\binferred\b|concluded|judged|decided|assumed|hallucinat\w*|\bmisread\b|generali[sz]\w*"
                        r"|reasoning|made up|invented|followed (?:the )?instructions|prompt injection", re.I),
}
_FLATTENING = {FlagCode.FIX_THE_PROMPT, FlagCode.FIX_THE_RUNBOOK, FlagCode.UNCATEGORIZED_AI_FAILURE}


def _norm(category: str) -> str:
    low = category.lower()
    return "handoff" if "hand" in low else low


def _root_cause_blocks(doc: Document) -> list[tuple[int, str]]:
    return [(b.line, b.text) for b in doc.blocks if b.section is SectionKind.ROOT_CAUSE]


def root_cause_category(doc: Document, flags: list[LintFlag]) -> str:
    blocks = _root_cause_blocks(doc)
    text = "\n".join(t for _, t in blocks)
    weights: dict[str, float] = {}
    for m in _WEIGHT_RX.finditer(text):
        raw = m.group(2).replace(" ", "")
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        weights[_norm(m.group(1))] = max(weights.get(_norm(m.group(1)), 0.0), value)
    if weights:
        return max(weights, key=lambda k: weights[k])
    for _, t in blocks:
        label = _LABEL_RX.match(t)
        if label:
            return _norm(next(g for g in label.groups() if g))
    lines = {line for line, _ in blocks}
    if any(f.code in _FLATTENING and f.line in lines for f in flags):
        return "unattributed"
    scores = {cat: len(rx.findall(text)) for cat, rx in _KEYWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "unattributed"
