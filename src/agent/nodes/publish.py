"""Node: publish — the approved (or, with --no-review, the unreviewed) draft is written out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.nodes._common import log
from agent.output import write_draft_files
from agent.state import DraftState


def publish(state: DraftState) -> dict[str, Any]:
    assert state.draft is not None
    draft = state.draft.model_copy(deep=True)
    draft.flags = [*state.flags, *state.reviewer_flags]
    if state.review_decision is not None and state.review_decision.approve:
        draft.review.status = "approved"
        draft.review.reviewer = state.review_decision.reviewer
        draft.review.approved_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        draft.review.edited = draft.review.edited or state.edited_markdown is not None
    markdown = state.edited_markdown
    if markdown is not None and draft.review.status == "approved":
        markdown = _mark_approved(markdown, draft.review.reviewer, draft.review.approved_at)
    write_draft_files(draft, state.out_dir, markdown=markdown)
    log(state, "publish").info("published", status=draft.review.status, out_dir=state.out_dir)
    return {"draft": draft, "published": True}


def _mark_approved(markdown: str, reviewer: str | None, at: str | None) -> str:
    stamp = f"APPROVED{f' by {reviewer}' if reviewer else ''}{f' on {at}' if at else ''}"
    return markdown.replace("DRAFT — needs review", stamp, 1)
