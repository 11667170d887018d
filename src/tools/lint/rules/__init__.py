"""One module per flag code. Each exposes `check(doc, ctx) -> list[LintFlag]`."""

from __future__ import annotations

from collections.abc import Callable

from tools.lint.context import Context
from tools.lint.document import Document
from tools.lint.models import LintFlag
from tools.lint.rules import blame, prompt, runbook, uncategorized, unmeasurable

Rule = Callable[[Document, Context], list[LintFlag]]

RULES: tuple[Rule, ...] = (prompt.check, runbook.check, uncategorized.check, unmeasurable.check, blame.check)

__all__ = ["RULES", "Rule"]
