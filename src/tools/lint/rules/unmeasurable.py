"""unmeasurable-action-item: an action item for an agent failure with no checkable outcome.

"Improve reliability of the assistant", "Better alerting", "Review …", "Look into …" close no
loop: nobody can say when they are done or whether they worked. An item is measurable when it
names a target, threshold, count or named eval, or spells out the concrete change.
"""

from __future__ import annotations

import re

from tools.lint import vocab
from tools.lint.context import Context
from tools.lint.document import ActionItem, Document
from tools.lint.models import FlagCode, LintFlag
from tools.lint.rules.base import Statement, flag, in_agent_story
from tools.lint.statements import is_vague

# The item spells out the concrete change: "Improve X: return Y instead of Z", "… by adding a lock".
_CONCRETE = re.compile(
    r":\s*\S+(?:\s+\S+){2,}|\binstead of\b|\brather than\b|\bby (?:adding|returning|requiring|blocking|rejecting"
    r"|removing|making|setting|enabling|disabling|switching|moving|routing|paging|limiting|capping)\b"
    r"|\bfile (?:a|one) ticket per\b",
    re.I,
)

WHY = ("This action item has no checkable outcome (no target, threshold, count or named eval), so nobody can tell "
       "when it is done or whether the agent failure stopped recurring.")


def _suggestion(item: ActionItem) -> str:
    return (f"Make it measurable and typed by what it changes (eval coverage, guardrail, escalation threshold, tool "
            f"change, data fix): e.g. 'rate of <the wrong action> on eval <name> below N% over M replays', or "
            f"'alert when <metric> exceeds N per hour'. Rewrite: \"{item.text.rstrip('.')}\" → name the change and its target.")


def is_measurable(item: ActionItem) -> bool:
    if item.target:
        return True
    text = item.text
    return bool(vocab.measures(text) or vocab.has_eval_target(text) or _CONCRETE.search(text))


def check(doc: Document, ctx: Context) -> list[LintFlag]:
    out = []
    for item in doc.action_items:
        st = Statement(item.text, item.line, item.field, item=item)
        if is_vague(item.text) and not is_measurable(item) and in_agent_story(doc, ctx, st):
            out.append(flag(FlagCode.UNMEASURABLE_ACTION_ITEM, st, WHY, _suggestion(item)))
    return out
