"""What a heading (or an inline label like "**Root cause:**") says its text is about.

Templates differ ("Root Cause(s)", "What went wrong", "Why did it happen?", "Corrective
actions", "Follow-ups"); rules only care about the role of the text, so every heading is mapped
to one SectionKind. Order matters: the first pattern that matches wins.
"""

from __future__ import annotations

import re
from enum import StrEnum


class SectionKind(StrEnum):
    HEADER = "header"
    SUMMARY = "summary"
    IMPACT = "impact"
    ROOT_CAUSE = "root_cause"
    CONTRIBUTING = "contributing"
    TRIGGER = "trigger"
    RESOLUTION = "resolution"
    DETECTION = "detection"
    ACTION_ITEMS = "action_items"
    CONTEXT_CHANGE = "context_change"
    LESSONS = "lessons"
    WENT_WELL = "went_well"
    TIMELINE = "timeline"
    SUPPORTING = "supporting"
    AGENT_ROWS = "agent_rows"
    WHAT_MOVED = "what_moved"
    META = "meta"  # the drafter's own flags table and reviewer checklist: quotes of findings, never linted
    OTHER = "other"


# Sections whose statements are claims about why the incident happened.
CAUSE_SECTIONS = frozenset({SectionKind.ROOT_CAUSE, SectionKind.CONTRIBUTING, SectionKind.TRIGGER})
# Sections whose statements are what the team will change.
FIX_SECTIONS = frozenset({SectionKind.ACTION_ITEMS, SectionKind.CONTEXT_CHANGE})

_PATTERNS: tuple[tuple[SectionKind, str], ...] = (
    (SectionKind.META, r"drafter flags|lint(?:er)? (?:flags|findings)|^flags$|review(?:er)? checklist"),
    (SectionKind.CONTEXT_CHANGE, r"change to (?:its |the agent's )?context|context changes?|context or tools"),
    (SectionKind.WENT_WELL, r"went (well|right)|got lucky|where we were lucky|^lucky|good news"),
    (SectionKind.ACTION_ITEMS, r"action items?|follow[- ]?ups?|next steps|corrective|preventi|remediation"
     r"|what we('| wi)ll (change|do)|what we('re| are) (doing|changing)|to-?dos?|^fix(es)?$|^actions?$|and actions|recommendations|^improvements$"
     r"|^(?:follow-up )?tasks$|what('s| is) next|going forward|work items"),
    (SectionKind.ROOT_CAUSE, r"root[- ]?causes?|\brca\b|\bcauses?\b|\bwhy\b|whys|what went wrong|went wrong"
     r"|^(technical |incident |failure |causal )?analysis$|what failed|failure mode"),
    (SectionKind.CONTRIBUTING, r"contribut"),
    (SectionKind.TRIGGER, r"^trigger"),
    (SectionKind.AGENT_ROWS, r"agent involvement|what the agent|agent (inference|rows)|correct inference"
     r"|missed signal|context change"),
    (SectionKind.WHAT_MOVED, r"what moved|change variables|variables"),
    (SectionKind.TIMELINE, r"timeline|chronology|sequence of events"),
    (SectionKind.LESSONS, r"lessons?|learnings|takeaways|reflections"),
    (SectionKind.SUPPORTING, r"supporting|references?|links|appendix|related|evidence|glossary"),
    (SectionKind.RESOLUTION, r"resolution|mitigation|recovery|response|how we fixed"),
    (SectionKind.DETECTION, r"detection|how we (found|noticed)"),
    (SectionKind.IMPACT, r"impact|blast radius|customer effect"),
    (SectionKind.SUMMARY, r"summary|overview|what happened|description|background|incident$|tl;?dr"),
)
_COMPILED = tuple((kind, re.compile(p, re.I)) for kind, p in _PATTERNS)


_TITLE_RX = re.compile(r"post-?mortem|incident|\binc-?\d|post-incident|\bPIR\b|\bRCA\b|report\b|outage", re.I)


def is_document_title(level: int, title: str) -> bool:
    """A level-1 heading naming the incident ("# Postmortem: INC-2041 …") is the title, not a section."""
    return level == 1 and bool(_TITLE_RX.search(title))


def classify_heading(title: str) -> SectionKind | None:
    """SectionKind for a heading text, or None when the heading names none of them."""
    clean = re.sub(r"[*_`#:()]+", " ", title).strip().lower()
    clean = re.sub(r"^\d+[.)]?\s*", "", clean)
    for kind, rx in _COMPILED:
        if rx.search(clean):
            return kind
    return None


# "Root cause:", "**What went wrong:**", "Cause -" at the start of a paragraph or list item.
_LABEL_RX = re.compile(r"^\s*(?:\*\*|__)?([A-Za-z][A-Za-z ()'/&-]{1,40}?)\s*(?::\s*(?:\*\*|__)?|(?:\*\*|__)\s*:?|\.\s*\*\*|\s+[-—–]\s+)")


def classify_label(text: str) -> tuple[SectionKind, int] | None:
    """An inline label at the start of a block: its kind and where the labelled text starts."""
    m = _LABEL_RX.match(text)
    if not m:
        return None
    label = m.group(1).strip()
    if len(label.split()) > 5:
        return None
    kind = classify_heading(label)
    return (kind, m.end()) if kind is not None else None
