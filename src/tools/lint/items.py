"""Action items and people, read from the blocks of a parsed document.

Action items come as table rows (columns named Action/Item/Owner/Target/Type… in any order)
or list items under an action-item heading. Columns matter twice: the owner column names
people who are *not* blamed, and a target column can make an item measurable.
"""

from __future__ import annotations

import re

from tools.lint.document import ActionItem, Block, BlockKind, Document
from tools.lint.sections import FIX_SECTIONS

_TITLE_COL = re.compile(r"action|item|task|change|what|description|title|follow|fix|remediation|step")
_OWNER_COL = re.compile(r"owner|assignee|who|responsible|\bdri\b|lead")
_TARGET_COL = re.compile(r"target|done when|success|metric|measure|eval|goal|kpi|acceptance|outcome")
_KIND_COL = re.compile(r"^(type|kind|category|class|priority)$")
_SKIP_COL = re.compile(r"^(#|no\.?|id|bug|ticket|issue|jira|link|status|due|date|eta|priority)$")

_EMPTY_CELL = {"", "-", "—", "–", "n/a", "na", "tbd", "none", "?"}


def _column(header: tuple[str, ...], rx: re.Pattern[str], skip: set[int]) -> int | None:
    for i, name in enumerate(header):
        if i not in skip and rx.search(name):
            return i
    return None


def _row_item(block: Block) -> ActionItem | None:
    header = block.header
    cells = block.cells
    used: set[int] = set()
    owner = _column(header, _OWNER_COL, used)
    used |= {owner} if owner is not None else set()
    kind = next((i for i, h in enumerate(header) if _KIND_COL.match(h)), None)
    used |= {kind} if kind is not None else set()
    targets = [i for i, h in enumerate(header) if i not in used and _TARGET_COL.search(h)]
    used |= set(targets)
    title = _column(header, _TITLE_COL, used)
    if title is None:
        # No named column: the first free column that holds prose.
        title = next(
            (i for i, c in enumerate(cells) if i not in used and not _SKIP_COL.match(header[i] if i < len(header) else "")
             and len(c.split()) >= 2),
            None,
        )
    if title is None or title >= len(cells):
        return None

    def cell(i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    tgt = " ".join(c for c in (cell(i) for i in targets) if c.lower() not in _EMPTY_CELL)
    return ActionItem(
        line=block.line,
        text=cells[title],
        target=tgt,
        owner=cell(owner),
        kind=cell(kind),
        field=block.field,
        block=block,
    )


_INLINE_OWNER = re.compile(r"[(—–-]?\s*\b(?:owner|assignee|dri)\s*[:=]\s*([^,;)]+)", re.I)
_INLINE_TARGET = re.compile(r"\b(?:target|success|done when|measured (?:by|on)|goal)\s*[:=]\s*(.+)$", re.I)
_LABEL_ONLY = re.compile(r"^(owner|due|ticket|status|priority|assignee)\s*:", re.I)


def _list_item(block: Block) -> ActionItem | None:
    text = block.text
    if _LABEL_ONLY.match(text):
        return None
    owner_m = _INLINE_OWNER.search(text)
    target_m = _INLINE_TARGET.search(text)
    return ActionItem(
        line=block.line,
        text=text,
        target=target_m.group(1).strip() if target_m else "",
        owner=owner_m.group(1).strip() if owner_m else "",
        field=block.field,
        block=block,
    )


def collect_action_items(doc: Document) -> list[ActionItem]:
    items: list[ActionItem] = []
    for block in doc.blocks:
        if block.section not in FIX_SECTIONS:
            continue
        if block.kind is BlockKind.TABLE_ROW:
            item = _row_item(block)
        elif block.kind is BlockKind.LIST_ITEM:
            item = _list_item(block)
        else:
            item = None
        if item is not None:
            items.append(item)
    return items


# --- people the document itself names as people ------------------------------------------------

_MENTION_RX = re.compile(r"(?<![\w.])@([A-Za-z][\w.\-]*[A-Za-z0-9])")
_META_RX = re.compile(
    r"^\W*(?:authors?|owner|incident commander|ic|scribe|reviewers?|reporter|on-?call|responders?|"
    r"written by|prepared by|commander)\W*:\W*(.+)$",
    re.I,
)
_SPEAKER_RX = re.compile(r"^\s*\[\d{1,2}:\d{2}(?::\d{2})?\]\s*([^:]{1,40}):", re.M)
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|/|&|\band\b|\bwith\b|[()·])\s*")


def _name_tokens(value: str) -> set[str]:
    out: set[str] = set()
    for part in _SPLIT_NAMES.split(value):
        part = part.strip(" *_`.")
        if not part or len(part) > 40 or any(ch.isdigit() for ch in part):
            continue
        out.add(part.lower())
        out.update(w.lower() for w in part.split() if len(w) > 1)
    return out


def collect_people_hints(doc: Document, raw_text: str) -> set[str]:
    hints: set[str] = set()
    hints.update(m.lower() for m in _MENTION_RX.findall(raw_text))
    hints.update(s.strip().lower() for s in _SPEAKER_RX.findall(raw_text))
    for item in doc.action_items:
        if item.owner:
            hints |= _name_tokens(item.owner)
    for block in doc.blocks:
        m = _META_RX.match(block.text)
        if m and block.kind is not BlockKind.TABLE_ROW:
            hints |= _name_tokens(m.group(1))
    # Team-like owners ("platform", "billing-eng", "SRE") are not people.
    return {h for h in hints if not re.search(r"team|eng\b|ops\b|sre|platform|support|security|billing", h)}
