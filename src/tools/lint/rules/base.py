"""What every rule shares: which statements are causes and which are fixes, rejection, flags."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tools.lint import vocab
from tools.lint.context import Context, mentions_ai_actor
from tools.lint.document import ActionItem, BlockKind, Document, Sentence
from tools.lint.models import LintFlag
from tools.lint.sections import CAUSE_SECTIONS, FIX_SECTIONS, SectionKind
from tools.lint.statements import CAUSAL_CUE, FIX_CUE

# Sections where a sentence counts as a cause claim only when it says so ("caused by", "because").
_CAUSE_IF_CUED = frozenset(
    {SectionKind.SUMMARY, SectionKind.OTHER, SectionKind.LESSONS, SectionKind.IMPACT, SectionKind.RESOLUTION,
     SectionKind.DETECTION, SectionKind.AGENT_ROWS, SectionKind.HEADER}
)


@dataclass(frozen=True)
class Statement:
    """A sentence or an action item, with where it came from."""

    text: str
    line: int
    field: str | None
    sentence: Sentence | None = None
    item: ActionItem | None = None

    @property
    def full(self) -> str:
        return self.item.full if self.item is not None else self.text


def cause_statements(doc: Document) -> Iterator[Statement]:
    for s in doc.sentences():
        if s.section in CAUSE_SECTIONS or (s.section in _CAUSE_IF_CUED and CAUSAL_CUE.search(s.text)):
            yield Statement(s.text, s.line, s.block.field, sentence=s)


def fix_statements(doc: Document) -> Iterator[Statement]:
    """Action items, prose in fix sections, and sentences anywhere that announce a fix."""
    for item in doc.action_items:
        yield Statement(item.text, item.line, item.field, item=item)
    for s in doc.sentences():
        in_fix = s.section in FIX_SECTIONS
        if in_fix and s.block.kind in (BlockKind.LIST_ITEM, BlockKind.TABLE_ROW):
            continue  # already an action item
        if in_fix or FIX_CUE.search(s.text):
            yield Statement(s.text, s.line, s.block.field, sentence=s)


def section_text(doc: Document, sentence: Sentence) -> str:
    """All text under the same heading as the sentence."""
    return doc.section_text(sentence.block)


def in_agent_story(doc: Document, ctx: Context, st: Statement) -> bool:
    """The document is about an agent, or the statement (its item, its section) names one itself."""
    if ctx.agent_involved or mentions_ai_actor(st.full):
        return True
    return st.sentence is not None and mentions_ai_actor(section_text(doc, st.sentence))


def next_sentence(doc: Document, sentence: Sentence) -> str:
    return doc.next_sentence(sentence)


_QUOTES = "\"'“”‘’«»"


def _quoted(text: str, start: int, end: int) -> bool:
    before = text[:start]
    after = text[end:]
    opens = sum(before.count(q) for q in "\"“«")
    return (opens % 2 == 1 or any(q in before[-60:] for q in "“«‘")) and any(q in after[:120] for q in _QUOTES)


def is_rejected(text: str, start: int, end: int, following: str = "") -> bool:
    """The match is raised in order to be rejected: a cue before it, quoted and rejected, or only asked."""
    if text.rstrip(" \"'”’)*_").endswith("?"):
        return True  # a question is not a claim ("Was this Olivia's mistake?")
    for m in vocab.REJECTION.finditer(text):
        if m.start() <= start:
            return True
    if vocab.NEGATION_BEFORE.search(text[:start]):
        return True
    if vocab.REJECTION_NEXT.search(following):
        return True
    if _quoted(text, start, end):
        return bool(vocab.REJECTION.search(text) or vocab.REJECTION.search(following))
    return False


def flag(code: str, stmt: Statement, why: str, suggestion: str, text: str | None = None) -> LintFlag:
    offending = (text or stmt.text).strip()
    if len(offending) > 300:
        offending = offending[:297].rstrip() + "…"
    return LintFlag(code=code, line=stmt.line, text=offending, why=why, suggestion=suggestion, field=stmt.field)


def search_all(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for rx in patterns:
        m = rx.search(text)
        if m:
            return m
    return None


def statement_rejected(doc: Document, st: Statement, m: re.Match[str]) -> bool:
    """The matched claim in a statement is quoted in order to reject it (here or in the next sentence)."""
    following = next_sentence(doc, st.sentence) if st.sentence is not None else ""
    return is_rejected(st.text, m.start(), m.end(), following)
