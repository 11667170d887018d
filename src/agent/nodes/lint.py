"""Node: lint the drafter's own text for "fix the prompt" / "fix the runbook" / blame and friends."""

from __future__ import annotations

from typing import Any

from agent.draft import Flag, PostmortemDraft
from agent.nodes._common import log
from agent.state import DraftState
from tools.lint import lint_fields


def lint(state: DraftState) -> dict[str, Any]:
    assert state.draft is not None
    flags = lint_draft(state.draft, people=state.people)
    log(state, "lint").info("lint", flags=[f.code for f in flags], revisions=state.revisions)
    return {"flags": flags}


def authored_fields(draft: PostmortemDraft) -> dict[str, str]:
    """The drafter's own prose (quotes of people and of the agent are evidence, not claims)."""
    fields: dict[str, str] = {"summary": draft.summary}
    if draft.root_cause is not None:
        fields["root_cause.summary"] = draft.root_cause.summary
        for i, c in enumerate(draft.root_cause.contributions):
            fields[f"root_cause.contributions[{i}].rationale"] = c.rationale
        if draft.root_cause.upstream is not None:
            fields["root_cause.upstream.text"] = draft.root_cause.upstream.text
    for i, ch in enumerate(draft.context_changes):
        fields[f"context_changes[{i}].change"] = ch.change
    for i, a in enumerate(draft.action_items):
        fields[f"action_items[{i}].title"] = a.title + " — target: " + a.target
    for i, f in enumerate(draft.contributing_factors):
        fields[f"contributing_factors[{i}]"] = f
    return fields


def lint_draft(draft: PostmortemDraft, *, people: list[str]) -> list[Flag]:
    out = []
    for lf in lint_fields(authored_fields(draft), agent_involved=True, people=people):
        out.append(Flag(
            code=lf.code, field=lf.field, text=lf.text, why=lf.why, suggestion=lf.suggestion, source="drafter",
        ))
    return out
