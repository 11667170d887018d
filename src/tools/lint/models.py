"""The one result type of the linter: a flag on a line of a postmortem or a draft field."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class FlagCode(StrEnum):
    """Codes fixed by spec/bundle.md §3; more may be added, none renamed."""

    FIX_THE_PROMPT = "fix-the-prompt"
    FIX_THE_RUNBOOK = "fix-the-runbook"
    UNCATEGORIZED_AI_FAILURE = "uncategorized-ai-failure"
    UNMEASURABLE_ACTION_ITEM = "unmeasurable-action-item"
    BLAME_LANGUAGE = "blame-language"


class LintFlag(BaseModel):
    code: str = Field(description="one of FlagCode")
    line: int = Field(ge=1, description="1-based line in the Markdown file, or in the field's text")
    text: str = Field(description="the offending text, as written")
    why: str
    suggestion: str
    field: str | None = Field(default=None, description="draft field the text came from (lint_fields)")

    def public(self) -> dict[str, object]:
        """The `pmdraft lint --json` shape (spec/bundle.md §4)."""
        return {"code": self.code, "line": self.line, "text": self.text, "why": self.why, "suggestion": self.suggestion}
