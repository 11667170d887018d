"""The shared document model: sections from any template, tables, list items, line numbers."""

from __future__ import annotations

from tools.lint.fields import fields_document
from tools.lint.markdown import parse_markdown
from tools.lint.sections import SectionKind, classify_heading, classify_label


def test_headings_of_different_templates_map_to_sections():
    assert classify_heading("Root Cause(s)") is SectionKind.ROOT_CAUSE
    assert classify_heading("What went wrong") is SectionKind.ROOT_CAUSE
    assert classify_heading("5. Root cause split") is SectionKind.ROOT_CAUSE
    assert classify_heading("Contributing factors") is SectionKind.CONTRIBUTING
    assert classify_heading("Corrective actions") is SectionKind.ACTION_ITEMS
    assert classify_heading("Follow-ups") is SectionKind.ACTION_ITEMS
    assert classify_heading("What went well") is SectionKind.WENT_WELL
    assert classify_heading("Timeline (UTC)") is SectionKind.TIMELINE
    assert classify_heading("11. Drafter flags") is SectionKind.META
    assert classify_heading("Because of reasons") is None  # "because" is not "cause"


def test_inline_labels():
    assert classify_label("**Root cause:** the tool hid it")[0] is SectionKind.ROOT_CAUSE
    assert classify_label("Cause: model error.")[0] is SectionKind.ROOT_CAUSE
    assert classify_label("**Mitigation.** We rolled back")[0] is SectionKind.RESOLUTION
    assert classify_label("14:02 Priya declared the incident") is None


MD = """---
title: front matter is skipped
summary: The runbook was wrong.
---
# Postmortem: INC-1 — something broke

## Root cause
The parser accepted trailing prose;
the retry hid it.

**What went well**
- Fast rollback.

| Action item | Owner | Target |
|---|---|---|
| Reject trailing prose in the parser | @ana | 0 malformed outputs in 200 replays |

```
## not a heading inside code
```
"""


def test_blocks_sections_and_line_numbers():
    doc = parse_markdown(MD)
    root = [b for b in doc.blocks if b.section is SectionKind.ROOT_CAUSE and b.kind.value == "paragraph"]
    assert len(root) == 1 and root[0].line == 8
    assert root[0].line_at(root[0].text.index("the retry")) == 9
    assert all("front matter" not in b.text for b in doc.blocks)
    assert all("not a heading" not in b.text for b in doc.blocks)
    went_well = [b for b in doc.blocks if b.section is SectionKind.WENT_WELL and b.kind.value == "list_item"]
    assert [b.text for b in went_well] == ["Fast rollback."]


def test_action_items_from_a_table_outside_an_action_heading():
    doc = parse_markdown(MD)
    (item,) = doc.action_items
    assert item.line == 16
    assert item.text == "Reject trailing prose in the parser"
    assert item.owner == "@ana" and item.target.startswith("0 malformed")
    assert "ana" in doc.people_hints


def test_action_items_from_a_list_with_inline_owner():
    doc = parse_markdown("## Next steps\n- [ ] Add a lock to `apply_credit` (owner: Ravi)\n- Owner: Platform\n")
    assert [i.text for i in doc.action_items] == ["Add a lock to `apply_credit` (owner: Ravi)"]
    assert doc.action_items[0].owner == "Ravi"


def test_sentences_keep_abbreviations_together():
    doc = parse_markdown("## Root cause\nThe agent used e.g. the cache. Then it stopped.\n")
    assert [s.text for s in doc.sentences()] == ["The agent used e.g. the cache.", "Then it stopped."]


def test_fields_document_groups_action_item_parts():
    doc = fields_document({
        "root_cause.summary": "Line one.\nLine two.",
        "action_items[0].title": "Add the trace to eval `x`",
        "action_items[0].target": "wrong-inference rate below 5%",
        "context_changes[0].change": "return the heartbeat",
    })
    (item,) = doc.action_items
    assert item.field == "action_items[0].title" and item.target == "wrong-inference rate below 5%"
    sections = {b.field: b.section for b in doc.blocks}
    assert sections["root_cause.summary"] is SectionKind.ROOT_CAUSE
    assert sections["context_changes[0].change"] is SectionKind.CONTEXT_CHANGE
