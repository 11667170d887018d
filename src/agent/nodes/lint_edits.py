"""Node: lint the reviewer's edits; the reviewer sees these flags before anything is published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.draft import Flag, PostmortemDraft
from agent.nodes._common import log
from agent.nodes.lint import lint_draft
from agent.output import atomic_write, write_draft_files
from agent.state import DraftState
from tools.lint import lint_markdown


def lint_edits(state: DraftState) -> dict[str, Any]:
    assert state.review_decision is not None and state.draft is not None
    update: dict[str, Any] = {}
    flags: list[Flag] = []
    draft = state.draft
    if state.review_decision.edited_draft is not None:
        draft = PostmortemDraft.model_validate(state.review_decision.edited_draft)
        draft.review.edited = True
        update["draft"] = draft
        flags += [f.model_copy(update={"source": "reviewer"}) for f in lint_draft(draft, people=state.people)]
    if state.edited_markdown is not None:
        for lf in lint_markdown(state.edited_markdown, people=state.people):
            flags.append(Flag(
                code=lf.code, field=None, line=lf.line, text=lf.text, why=lf.why, suggestion=lf.suggestion,
                source="reviewer",
            ))
        # The edits are in the checkpoint already; a copy on disk lets the reviewer see them too.
        atomic_write(Path(state.out_dir) / "draft.md", state.edited_markdown.encode())
    else:
        write_draft_files(draft.model_copy(update={"flags": [*state.flags, *flags]}), state.out_dir)
    log(state, "lint_edits").info("lint_edits", flags=[f.code for f in flags])
    return {**update, "reviewer_flags": flags}
