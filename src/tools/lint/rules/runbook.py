"""fix-the-runbook: an agent misread or followed a document, and the document takes the blame.

"The runbook was ambiguous" flattens the agent's inference into a documentation bug: the agent
still lacks the signal (a tool output, fresh data, an escalation) that would have told it the
runbook did not apply. Not flagged: a runbook cited or used, a runbook fix for a human-only
incident, and a runbook edit that sits alongside the tool/data fix addressing the cause.
"""

from __future__ import annotations

import re

from tools.lint import vocab
from tools.lint.context import Context
from tools.lint.document import Document
from tools.lint.models import FlagCode, LintFlag
from tools.lint.rules.base import (
    cause_statements,
    fix_statements,
    flag,
    in_agent_story,
    statement_rejected,
)
from tools.lint.statements import is_runbook_edit

D = vocab.RUNBOOK_NOUN
_DEFECT = (
    r"(?:wrong|incorrect|outdated|out[- ]of[- ]date|stale|ambiguous|unclear|incomplete|misleading|inaccurate|vague"
    r"|confusing|erroneous|contradictory|underspecified|deficient|insufficient|inadequate|poorly (?:written|worded)"
    r"|badly (?:written|worded)|silent|lacking|missing (?:a |the |an )?\w+|never updated|not updated|not up[- ]to[- ]date"
    r"|obsolete|too (?:vague|generic|terse|broad)|the (?:root )?cause|to blame|at fault)"
)
# Between the document and its verb: no clause break ("the runbook and the tool was wrong").
_GAP = r"(?:[^.;:!?](?!\b(?:and|but|while|whereas|because|so|though)\b)){0,70}?"
_CAUSE = (
    re.compile(rf"{D}{_GAP}\b(?:was|is|were|are|had been|has been|had become|became|remained)\s+(?:\w+ly\s+)?"
               rf"(?P<neg>not\s+|n't\s+)?{_DEFECT}\b", re.I),
    re.compile(rf"\b{_DEFECT}\s+(?:[\w-]+\s+){{0,2}}?{D}", re.I),
    re.compile(rf"{D}{_GAP}\b(?:did ?n[o']t|does ?n[o']t|never|fails? to|failed to)\s+(?:\w+\s+)?(?:say|mention|include|cover"
               r"|tell|specify|define|list|warn|explain|describe|have|state|contain|account for|distinguish|reflect)\w*\b", re.I),
    re.compile(rf"{D}{_GAP}\b(?:has|had|have|with)\s+no\s+(?:\w+\s+)?(?:step|section|mention|guidance|warning|check|note"
               r"|instructions?|criteria|definition)\b", re.I),
    re.compile(rf"{D}{_GAP}\bwithout\s+(?:defining|saying|mentioning|specifying|explaining|describing|listing)\b", re.I),
    re.compile(rf"\b(?:blame|fault)\s+(?:\w+\s+){{0,2}}(?:with|on)\s+(?:the\s+)?(?:[\w-]+\s+)?{D}", re.I),
    re.compile(rf"{D}{_GAP}\b(?:should|could|ought to) have (?:been )?(?:said|told|mentioned|included|covered|specified"
               r"|explained|listed|warned|clearer|more explicit|more specific|updated|described)\b", re.I),
    re.compile(rf"{D}{_GAP}\bstill\s+(?:\w+\s+){{0,3}}?(?:the\s+)?(?:old|previous|former|deprecated|retired|decommissioned"
               r"|legacy|obsolete|outdated|superseded|wrong)\b", re.I),
    re.compile(rf"{D}[\s-]+gaps?\b|\bgaps?\s+in\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){{0,2}}{D}", re.I),
    re.compile(rf"\b(?:misled|confused|tripped up|led astray|sent (?:us|it|them|the agent)\s+(?:\w+\s+){{0,3}}(?:to|down))"
               rf"\s+(?:\w+\s+){{0,3}}?(?:by\s+)?(?:the\s+|an?\s+|our\s+)?(?:[\w-]+\s+){{0,2}}{D}", re.I),
)
# A sentence that also names the data pipeline behind the stale doc is a data attribution.
_DATA_MECHANISM = re.compile(
    r"\b(?:index\w*|re-?index\w*|sync\w*|refresh\w*|crawl\w*|ingest\w*|pipeline|cache\w*|token)\b",
    re.I,
)

WHY_CAUSE = ("The cause is put on a runbook/document that the agent read. That hides what the agent inferred and "
             "which signal would have shown the document did not apply; rewording it leaves the agent just as blind.")
WHY_FIX = ("The fix rewords a runbook/document after an agent's inference went wrong, with no change to the tool, "
           "data or handoff that misled it.")
SUGGESTION = ("Re-attribute: state what the agent inferred from the document, the signal it lacked and why (tool "
              "output that omitted it, stale data, a handoff). Fix that, and make it checkable: 'rate of <wrong "
              "procedure> on eval <name> below N%'. A runbook edit can stay alongside, not instead.")


def _check_causes(doc: Document, ctx: Context) -> list[LintFlag]:
    out = []
    for st in cause_statements(doc):
        m = _defect(st.text)
        if m is not None and not in_agent_story(doc, ctx, st):
            continue
        if m is None or _DATA_MECHANISM.search(st.text):
            continue
        if not statement_rejected(doc, st, m):
            out.append(flag(FlagCode.FIX_THE_RUNBOOK, st, WHY_CAUSE, SUGGESTION))
    return out


def _defect(text: str) -> re.Match[str] | None:
    for rx in _CAUSE:
        for m in rx.finditer(text):
            neg = m.groupdict().get("neg")
            if neg and not re.search(r"updated|up[- ]to[- ]date", m.group(0), re.I):
                continue  # "the runbook was not wrong"
            return m
    return None


def _check_fixes(doc: Document, ctx: Context) -> list[LintFlag]:
    if ctx.system_fix:
        return []  # the runbook edit sits beside a tool/data fix that addresses the cause
    out = []
    for st in fix_statements(doc):
        if is_runbook_edit(st.text) and in_agent_story(doc, ctx, st):
            m = re.search(D, st.text, re.I)
            if m is not None and not statement_rejected(doc, st, m):
                out.append(flag(FlagCode.FIX_THE_RUNBOOK, st, WHY_FIX, SUGGESTION))
    return out


def check(doc: Document, ctx: Context) -> list[LintFlag]:
    return _check_causes(doc, ctx) + _check_fixes(doc, ctx)
