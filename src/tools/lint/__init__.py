"""The "fix the prompt / fix the runbook" linter, with the blame-language check.

    from tools.lint import lint_markdown, lint_fields, LintFlag

`lint_markdown(text, people=...)` lints any Markdown postmortem; `lint_fields({"root_cause.summary":
…}, agent_involved=True, people=...)` lints the drafter's own text fields. Codes: see `FlagCode`.
Layout: `markdown`/`fields` build a `Document` (sections, sentences, action items), `context` decides
what the document is about, and `rules/` holds one module per code.
"""

from tools.lint.engine import lint_fields, lint_markdown
from tools.lint.models import FlagCode, LintFlag

__all__ = ["FlagCode", "LintFlag", "lint_fields", "lint_markdown"]
