"""The shared document model every rule reads: blocks with their section, sentences, action items.

A postmortem arrives either as Markdown (any template) or as the drafter's own text fields. Both
become the same `Document`, so a rule is written once: it asks for the sentences of the cause
sections, or for the action items, and never parses Markdown itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from tools.lint.sections import SectionKind


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"
    HEADING = "heading"


@dataclass(frozen=True)
class Block:
    """One unit of text: a paragraph (wrapped lines joined), a list item, a table row or a heading."""

    line: int
    text: str  # plain text: Markdown emphasis and links removed, lines joined with a space
    kind: BlockKind
    section: SectionKind
    heading: str = ""
    field: str | None = None
    # (offset in `text`, line number) for every source line, to map a match back to its line
    line_starts: tuple[tuple[int, int], ...] = ()
    cells: tuple[str, ...] = ()  # table rows only
    header: tuple[str, ...] = ()  # table rows only: the table's header cells, lower-case

    def line_at(self, offset: int) -> int:
        line = self.line
        for start, no in self.line_starts:
            if start > offset:
                break
            line = no
        return line


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    block: Block
    start: int  # offset of the sentence in block.text

    @property
    def section(self) -> SectionKind:
        return self.block.section


@dataclass(frozen=True)
class ActionItem:
    """An action item, from a table row or a list item under an action-item heading."""

    line: int
    text: str  # what will be done (the action/title cell)
    target: str = ""  # target / done-when / eval cells, if the template has them
    owner: str = ""
    kind: str = ""  # the Type/Kind column (tool_change, prevent, ...)
    field: str | None = None
    block: Block | None = None

    @property
    def full(self) -> str:
        return f"{self.text} {self.target}".strip()


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    # Names the document shows as people: authors, owners, @-mentions, transcript speakers.
    people_hints: set[str] = field(default_factory=set)

    _all: list[Sentence] | None = field(default=None, init=False, repr=False)
    _next: dict[tuple[int, int], str] = field(default_factory=dict, init=False, repr=False)
    _section_text: dict[tuple[SectionKind, str], str] = field(default_factory=dict, init=False, repr=False)

    def all_sentences(self) -> list[Sentence]:
        """Every sentence, split once (rules ask many times; big files must stay linear)."""
        if self._all is None:
            self._all = [s for b in self.blocks if b.kind is not BlockKind.HEADING for s in split_sentences(b)]
            for cur, nxt in zip(self._all, self._all[1:], strict=False):
                if nxt.block is cur.block:
                    self._next[(id(cur.block), cur.start)] = nxt.text
        return self._all

    def sentences(self, sections: Iterable[SectionKind] | None = None) -> Iterator[Sentence]:
        """Sentences of the given sections; by default all but META (the drafter's own flag table)."""
        wanted = set(sections) if sections is not None else None
        for s in self.all_sentences():
            if (s.section is SectionKind.META) if wanted is None else (s.section not in wanted):
                continue
            yield s

    def next_sentence(self, sentence: Sentence) -> str:
        """The sentence after this one in the same block, or ''."""
        self.all_sentences()
        return self._next.get((id(sentence.block), sentence.start), "")

    def section_text(self, block: Block) -> str:
        """All text under the same heading as the block."""
        key = (block.section, block.heading)
        if key not in self._section_text:
            self._section_text[key] = " ".join(
                b.text for b in self.blocks if b.section == block.section and b.heading == block.heading
            )
        return self._section_text[key]

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks if b.section is not SectionKind.META)


# --- inline Markdown → plain text ------------------------------------------------------------

_LINK_RX = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPH_RX = re.compile(r"(\*\*|__|~~)(.+?)\1")
_SINGLE_EMPH_RX = re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])")
_HTML_RX = re.compile(r"<[^>]{1,80}>")


def plain(text: str) -> str:
    """Inline Markdown removed; backticks kept because rules read them as identifiers."""
    text = _LINK_RX.sub(r"\1", text)
    text = _EMPH_RX.sub(r"\2", text)
    text = _SINGLE_EMPH_RX.sub(r"\1", text)
    text = _HTML_RX.sub("", text)
    return text.replace("\\|", "|").strip()


# --- sentences -------------------------------------------------------------------------------

_ABBREV = ("e.g.", "i.e.", "vs.", "etc.", "approx.", "incl.", "no.", "cf.", "fig.", "mr.", "ms.", "dr.", "st.")
_SENT_END_RX = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[`@*]?[A-Z0-9@])")


def split_sentences(block: Block) -> Iterator[Sentence]:
    text = block.text
    start = 0
    for m in _SENT_END_RX.finditer(text):
        candidate = text[start : m.start()]
        if candidate.lower().endswith(_ABBREV) or re.search(r"\b[A-Z]\.$", candidate):
            continue  # an abbreviation or an initial, not the end of a sentence
        yield _sentence(block, start, m.start())
        start = m.end()
    if text[start:].strip():
        yield _sentence(block, start, len(text))


def _sentence(block: Block, start: int, end: int) -> Sentence:
    raw = block.text[start:end]
    lead = len(raw) - len(raw.lstrip())
    return Sentence(text=raw.strip(), line=block.line_at(start + lead), block=block, start=start + lead)
