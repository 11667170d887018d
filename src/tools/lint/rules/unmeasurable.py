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

_LEAD_NOISE = re.compile(
    r"^\W*(?:(?:we|team|owner|they)\s+)?(?:will|'ll|should|shall|must|need to|needs to|to|let's|plan to|going to)?\s*",
    re.I,
)
_VAGUE_LEAD = re.compile(
    r"^(?:improv\w*|better|review\w*|re-?review\w*|re-?evaluat\w*|revisit\w*|look(?:ing)? (?:into|at)|investigat\w*"
    r"|explor\w*|consider\w*|be (?:more |extra |very )?(?:careful|vigilant|cautious|mindful|diligent|aware|proactive)"
    r"|continu\w* (?:to )?\w+|keep (?:an eye|monitoring|watching|track)|monitor\w*|enhanc\w*|strengthen\w*|ensur\w*"
    r"|make sure|increas\w* (?:awareness|visibility|oversight|attention|focus)|rais\w* awareness|educat\w*"
    r"|train(?:ing)? (?:the |our |for )?(?:team|staff|engineers|people|users)|discuss\w*|think\w* about|work(?:ing)? on"
    r"|figur\w* out|understand\w*|assess\w*|audit\w*|evaluat\w*|analy[sz]\w*|retrain\w*|fine-?tun\w*|more\b"
    r"|further\b|additional\b|general\b|optimi[sz]\w*|streamlin\w*|refin\w*|follow(?:ing)? up on|address\w*|harden\w*"
    r"|double[- ]check\w*|pay (?:more )?attention|revamp\w*|rethink\w*|re-?think\w*|tighten up|clean\w* up)\b",
    re.I,
)
_VAGUE_ANYWHERE = re.compile(
    r"\bmore (?:robust|reliable|resilient|careful|safe|stable|accurate|effective|efficient|oversight|monitoring|testing"
    r"|alerting|visibility|guardrails|checks|reviews?)\b|\bless error-prone\b|\bbetter (?:alerting|monitoring|testing"
    r"|process|processes|oversight|guardrails|visibility|communication|practices|prompts?|handling)\b",
    re.I,
)
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


def is_vague(text: str) -> bool:
    head = _LEAD_NOISE.sub("", text.strip(), count=1)
    return bool(_VAGUE_LEAD.match(head) or _VAGUE_ANYWHERE.search(text))


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
