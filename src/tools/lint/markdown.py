"""Markdown → Document: a line-based reader with exact line numbers, for any postmortem template.

Headings, bold-only lines ("**What went wrong**") and inline labels ("Root cause: …") set the
section; tables and lists become blocks; YAML front matter and fenced code are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.lint.document import Block, BlockKind, Document, plain
from tools.lint.items import collect_action_items, collect_people_hints
from tools.lint.sections import SectionKind, classify_heading, classify_label, is_document_title

# --- Markdown parsing ------------------------------------------------------------------------

_ATX_RX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_RX = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_TABLE_SEP_RX = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOLD_LINE_RX = re.compile(r"^\s*(\*\*|__)([^*_]{1,60}?)[:.]?\1\s*:?\s*$")
_FENCE_RX = re.compile(r"^\s*(```|~~~)")
_SETEXT_RX = re.compile(r"^\s*(=+|-{3,})\s*$")
_ACTION_HEADER = re.compile(r"^(?:action(?: items?)?|items?|tasks?|follow[- ]?ups?|remediation|to-?dos?|corrective actions?)$")


@dataclass
class _Heading:
    level: int
    kind: SectionKind
    title: str


class _Parser:
    """Line-based Markdown reader: enough structure for postmortems, and exact line numbers."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.doc = Document()
        self.stack: list[_Heading] = []
        self.sub: _Heading | None = None  # a bold-only line acting as a sub-heading
        self.para: list[tuple[int, str]] = []
        self.item: list[tuple[int, str]] = []
        self.table_header: tuple[str, ...] = ()

    # current section --------------------------------------------------------------------
    def section(self) -> SectionKind:
        if self.sub is not None:
            return self.sub.kind
        return self.stack[-1].kind if self.stack else SectionKind.OTHER

    def heading_title(self) -> str:
        if self.sub is not None:
            return self.sub.title
        return self.stack[-1].title if self.stack else ""

    def push_heading(self, level: int, title: str, line: int) -> None:
        self.flush()
        self.sub = None
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        kind = SectionKind.OTHER if is_document_title(level, title) else classify_heading(title)
        if kind is None:
            # An unnamed sub-heading ("### Tool" under "## Root cause") keeps its parent's role.
            kind = self.stack[-1].kind if self.stack else SectionKind.OTHER
        self.stack.append(_Heading(level, kind, title))
        self.add_block([(line, title)], BlockKind.HEADING)

    def push_subheading(self, title: str, line: int) -> None:
        self.flush()
        kind = classify_heading(title)
        parent = self.stack[-1].kind if self.stack else SectionKind.OTHER
        self.sub = _Heading(99, kind or parent, title)
        self.add_block([(line, title)], BlockKind.HEADING)

    # blocks ------------------------------------------------------------------------------
    def add_block(
        self,
        parts: list[tuple[int, str]],
        kind: BlockKind,
        cells: tuple[str, ...] = (),
        section: SectionKind | None = None,
    ) -> Block:
        starts: list[tuple[int, int]] = []
        chunks: list[str] = []
        offset = 0
        for no, raw in parts:
            piece = plain(raw)
            if not piece:
                continue
            starts.append((offset, no))
            chunks.append(piece)
            offset += len(piece) + 1
        text = " ".join(chunks)
        section = section or self.section()
        if kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM):
            label = classify_label(text)
            if label is not None:
                section = label[0]
        block = Block(
            line=parts[0][0],
            text=text,
            kind=kind,
            section=section,
            heading=self.heading_title(),
            line_starts=tuple(starts),
            cells=cells,
            header=self.table_header if kind is BlockKind.TABLE_ROW else (),
        )
        if text or cells:
            self.doc.blocks.append(block)
        return block

    def flush(self) -> None:
        if self.para:
            self.add_block(self.para, BlockKind.PARAGRAPH)
            self.para = []
        if self.item:
            self.add_block(self.item, BlockKind.LIST_ITEM)
            self.item = []

    # main loop ---------------------------------------------------------------------------
    def parse(self) -> Document:
        i = self.skip_front_matter()
        in_fence = False
        while i < len(self.lines):
            line = self.lines[i]
            no = i + 1
            if _FENCE_RX.match(line):
                self.flush()
                in_fence = not in_fence
            elif in_fence:
                pass
            elif not line.strip():
                self.flush()
            elif self.is_table_start(i):
                i = self.read_table(i)
                continue
            elif self.is_setext(i):
                self.para = []
                self.push_heading(1 if self.lines[i + 1].strip().startswith("=") else 2, line.strip(), no)
                i += 2
                continue
            else:
                self.read_line(line, no)
            i += 1
        self.flush()
        return self.doc

    def read_line(self, line: str, no: int) -> None:
        atx = _ATX_RX.match(line)
        bold = _BOLD_LINE_RX.match(line)
        lst = _LIST_RX.match(line)
        if atx:
            self.push_heading(len(atx.group(1)), atx.group(2), no)
        elif bold and not self.para:
            self.push_subheading(bold.group(2), no)
        elif lst:
            self.flush()
            self.item = [(no, lst.group(2))]
        elif self.item and (line.startswith((" ", "\t")) or not self.para):
            self.item.append((no, line.strip()))  # continuation of a list item
        else:
            self.para.append((no, line.strip()))

    def skip_front_matter(self) -> int:
        # YAML front matter is metadata (collections like icco's), not postmortem prose.
        if self.lines and self.lines[0].strip() == "---":
            for j in range(1, min(len(self.lines), 400)):
                if self.lines[j].strip() in ("---", "..."):
                    return j + 1
        return 0

    def is_setext(self, i: int) -> bool:
        return (
            not self.para
            and i + 1 < len(self.lines)
            and bool(_SETEXT_RX.match(self.lines[i + 1]))
            and not _LIST_RX.match(self.lines[i])
            and "|" not in self.lines[i]
        )

    def is_table_start(self, i: int) -> bool:
        return "|" in self.lines[i] and i + 1 < len(self.lines) and bool(_TABLE_SEP_RX.match(self.lines[i + 1]))

    def read_table(self, i: int) -> int:
        self.flush()
        self.table_header = tuple(plain(c).lower() for c in _cells(self.lines[i]))
        self.add_block([(i + 1, " ; ".join(_cells(self.lines[i])))], BlockKind.HEADING)
        # A table whose header says "Action item" holds action items, whatever heading it sits under.
        section = SectionKind.ACTION_ITEMS if any(_ACTION_HEADER.match(h) for h in self.table_header) else None
        j = i + 2
        while j < len(self.lines) and "|" in self.lines[j] and self.lines[j].strip():
            cells = tuple(plain(c) for c in _cells(self.lines[j]))
            self.add_block([(j + 1, " ; ".join(c for c in cells if c))], BlockKind.TABLE_ROW, cells, section)
            j += 1
        self.table_header = ()
        return j


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", s)]


def parse_markdown(text: str) -> Document:
    doc = _Parser(text).parse()
    doc.action_items = collect_action_items(doc)
    doc.people_hints = collect_people_hints(doc, text)
    return doc
