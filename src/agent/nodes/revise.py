"""Node: revise the drafter's own text where the linter flagged it (bounded by max_revisions).

The offline revision removes the flagged sentence from the field it came from — in the
drafter's prose that is almost always a person's words carried into a rationale — and keeps
the evidence refs, so the claim can still be checked. What cannot be fixed stays flagged.
"""

from __future__ import annotations

import re
from typing import Any

from agent.draft import PostmortemDraft
from agent.nodes._common import log
from agent.output import write_draft_files
from agent.state import DraftState

_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


def revise(state: DraftState) -> dict[str, Any]:
    assert state.draft is not None
    draft = state.draft.model_copy(deep=True)
    for flag in state.flags:
        if flag.field:
            _strip(draft, flag.field, flag.text)
    write_draft_files(draft, state.out_dir)
    log(state, "revise").info("revised", fields=[f.field for f in state.flags])
    return {"draft": draft, "revisions": state.revisions + 1, "root_cause": draft.root_cause}


def _strip(draft: PostmortemDraft, field: str, text: str) -> None:
    if field == "root_cause.summary" and draft.root_cause is not None:
        draft.root_cause.summary = _without(draft.root_cause.summary, text)
        return
    if field == "summary":
        draft.summary = _without(draft.summary, text)
        return
    if field.startswith("root_cause.contributions[") and draft.root_cause is not None:
        i = int(field.split("[")[1].split("]")[0])
        c = draft.root_cause.contributions[i]
        c.rationale = _without(c.rationale, text) or f"see evidence: {', '.join(c.evidence[:3])}"
        return
    m = _INDEXED.match(field)
    if m and m.group(1) == "contributing_factors":
        i = int(m.group(2))
        if i < len(draft.contributing_factors):
            draft.contributing_factors[i] = _without(draft.contributing_factors[i], text)


def _without(value: str, text: str) -> str:
    if not text or text not in value:
        return value
    parts = [p for p in value.split("; ") if text not in p]
    return "; ".join(parts) if parts else value.replace(text, "").strip(" ;—-")
