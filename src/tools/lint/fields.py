"""The drafter's own text fields → Document, so the same rules lint a draft and a Markdown file.

Keys follow draft.json paths ("root_cause.summary", "action_items[2].title",
"context_changes[0].change"); the key decides the section. An action item's title, target and
eval fields are one item, so a target in its own field makes the title measurable.
"""

from __future__ import annotations

import re
from collections import defaultdict

from tools.lint.document import ActionItem, Block, BlockKind, Document, plain
from tools.lint.sections import SectionKind

_KEY_SECTIONS: tuple[tuple[str, SectionKind], ...] = (
    (r"^root_cause\b|^contributing|^contributions?\b|^trigger", SectionKind.ROOT_CAUSE),
    (r"^action_items?\b", SectionKind.ACTION_ITEMS),
    (r"^context_changes?\b", SectionKind.CONTEXT_CHANGE),
    (r"^timeline\b", SectionKind.TIMELINE),
    (r"^(?:summary|incident|title|impact)\b", SectionKind.SUMMARY),
    (r"^(?:agent_inferences?|correct_inference|missed_signals?)\b", SectionKind.AGENT_ROWS),
    (r"^lessons?\b", SectionKind.LESSONS),
    (r"^(?:detection|mitigation|resolution)\b", SectionKind.RESOLUTION),
    (r"^change_variables\b", SectionKind.WHAT_MOVED),
)
_ITEM_KEY = re.compile(r"^action_items?\[(\d+)\]\.(\w+)$")
_ITEM_TEXT_PARTS = ("title", "text", "action", "description")
_ITEM_TARGET_PARTS = ("target", "eval", "metric", "done_when")


def section_for_key(key: str) -> SectionKind:
    for rx, kind in _KEY_SECTIONS:
        if re.search(rx, key):
            return kind
    return SectionKind.OTHER


def _blocks(key: str, text: str) -> list[Block]:
    """One block per paragraph of the field; line numbers are within the field's text."""
    section = section_for_key(key)
    blocks: list[Block] = []
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if not para:
            return
        starts, chunks, offset = [], [], 0
        for no, raw in para:
            piece = plain(raw)
            starts.append((offset, no))
            chunks.append(piece)
            offset += len(piece) + 1
        blocks.append(Block(line=para[0][0], text=" ".join(chunks), kind=BlockKind.PARAGRAPH, section=section,
                            heading=key, field=key, line_starts=tuple(starts)))
        para.clear()

    for no, line in enumerate(text.splitlines() or [""], start=1):
        stripped = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
        if not stripped:
            flush()
        else:
            if stripped != line.strip():
                flush()  # a list item starts its own block
            para.append((no, stripped))
    flush()
    return blocks


def fields_document(fields: dict[str, str]) -> Document:
    doc = Document()
    items: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for key, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            continue
        m = _ITEM_KEY.match(key)
        if m:
            items[int(m.group(1))][m.group(2)] = (key, value)
        blocks = _blocks(key, value)
        if m and m.group(2) not in _ITEM_TEXT_PARTS:
            continue  # an item's target/eval/owner text is read with its title, not as prose
        doc.blocks.extend(b if not m else _as_item_block(b) for b in blocks)
    for _index, parts in sorted(items.items()):
        title = next((parts[p] for p in _ITEM_TEXT_PARTS if p in parts), None)
        if title is None:
            continue
        target = " ".join(parts[p][1] for p in _ITEM_TARGET_PARTS if p in parts)
        doc.action_items.append(ActionItem(line=1, text=plain(title[1]), target=target.strip(),
                                           owner=parts.get("owner", ("", ""))[1], kind=parts.get("kind", ("", ""))[1],
                                           field=title[0]))
    return doc


def _as_item_block(block: Block) -> Block:
    # Items are linted as ActionItems; their prose block stays for blame, marked as a list item.
    return Block(line=block.line, text=block.text, kind=BlockKind.LIST_ITEM, section=block.section,
                 heading=block.heading, field=block.field, line_starts=block.line_starts)
