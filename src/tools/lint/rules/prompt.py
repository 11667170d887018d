"""fix-the-prompt: the cause or the fix of an agent failure is the agent's prompt.

A prompt tweak is not a fix anyone can check: the same class of failure recurs under a new
wording. Not flagged: "prompt injection", a confirmation prompt, prompting a person, a prompt
revision recorded as a variable, and a prompt change that comes with a named eval and a rate.
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
from tools.lint.statements import blank_other_prompt_senses, first_match, prompt_edit_match

P = vocab.PROMPT_NOUN
_GAP = r"(?:\W+(?!(?:and|but|while|because|so)\b)\w+){0,8}?\W+"

# The prompt as the cause: it didn't say, was vague, lacked guidance; or "prompt engineering" was poor.
_CAUSE = (
    re.compile(rf"{P}{_GAP}(?:did ?n[o']t|does ?n[o']t|do ?n[o']t|never|failed to|fails to)\s+(?:\w+\s+)?"
               r"(?:say|tell|mention|specify|include|make|instruct|warn|cover|stress|emphasi[sz]e|explain|define"
               r"|ask|require|forbid|prohibit|state|have|contain|give|guide|list|spell)\w*\b", re.I),
    re.compile(rf"{P}\W+(?:\w+\W+){{0,4}}?(?:was|is|were|are|had been|has been)\s+(?:\w+\s+)?(?:too\s+)?(?:vague|ambiguous"
               r"|unclear|incomplete|underspecified|insufficient|missing|weak|confusing|silent|lacking|inadequate"
               r"|misleading|poorly (?:worded|written)|not (?:clear|specific|explicit|precise|detailed)"
               r"|(?:not )?clear enough|wrong|the (?:root )?cause)\b", re.I),
    re.compile(rf"\b(?:insufficient|poor|bad|inadequate|weak|vague|ambiguous|unclear|incomplete|missing|sloppy|naive)"
               rf"\s+(?:prompt(?:[- ]engineering|ing)|{P})", re.I),
    re.compile(rf"{P}\W+(?:\w+\W+){{0,4}}?(?:lacked|lacks|was missing|is missing|had no|has no|omitted|left out|did not"
               r" have|didn't have)\b", re.I),
    re.compile(rf"\bno\s+(?:\w+\s+)?(?:guidance|instructions?|rules?|examples?|warning)\s+(?:\w+\s+){{0,4}}?(?:in|from)"
               rf"\s+(?:the\s+|its\s+|their\s+)?(?:\w+\s+)?{P}", re.I),
    re.compile(rf"{vocab.AI_ACTOR}\s+(?:was|were|had been)\s+(?:never|not)\s+(?:\w+\s+)?(?:told|instructed|prompted"
               r"|asked|taught)\b", re.I),
    re.compile(r"\bnot (?:instructed|told|prompted) (?:clearly|properly|explicitly|well|precisely)", re.I),
    re.compile(rf"{vocab.AI_ACTOR}\s+(?:was|were|is|had been)?\s*(?:n't|not|never)?\s*(?:given|had|got|received|lacked)\s+"
               r"(?:no\s+|any\s+)?(?:clear|explicit|enough|sufficient|proper|precise|adequate|specific)?\s*(?:enough\s+)?"
               r"(?:instructions?|guidance|rules)\b", re.I),
    re.compile(rf"\b(?:nobody|no one|we never|we did ?n[o']t)\s+(?:\w+\s+){{0,6}}?(?:in|to|into)\s+(?:the\s+|its\s+|their\s+)?"
               rf"(?:[\w-]+\s+)?{P}", re.I),
    re.compile(rf"{P}{_GAP}(?:should|could|ought to) have (?:been )?(?:said|told|mentioned|included|stressed|warned"
               r"|covered|specified|explained|clearer|more explicit|more specific|emphasi[sz]ed|required|forbidden"
               r"|instructed|asked)\b", re.I),
    re.compile(r"\b(?:ambiguous|vague|unclear|missing|incomplete|conflicting|contradictory|confusing|insufficient|poor"
               r"|weak|misleading)\s+(?:\w+\s+)?(?:instructions?|wording|guidance|rules|examples)\s+(?:in|of|from)\s+"
               rf"(?:the\s+|its\s+|their\s+)?(?:[\w'-]+\s+){{0,2}}?{P}", re.I),
    re.compile(rf"\b(?:traced|trace|tracked|narrowed)\s+(?:it|this|the \w+)\s+(?:back\s+)?(?:down\s+)?to\s+(?:the\s+|its\s+)?"
               rf"(?:[\w'-]+\s+){{0,2}}?{P}|\b(?:lies|lay|was|is)\s+in\s+(?:the\s+|its\s+)(?:[\w'-]+\s+){{0,2}}?{P}", re.I),
    re.compile(r"\bprompt[- ]engineering\b", re.I),
)
WHY_CAUSE = ("The cause is put in the agent's prompt. A prompt wording is not a checkable fix and hides which "
             "signal, tool or data the agent lacked, so the same class of failure recurs.")
WHY_FIX = ("The fix is a prompt tweak with no named eval and target rate: nobody can tell whether it worked, "
           "and it does not change what the agent could see or do.")
SUGGESTION = ("Re-attribute: say which signal the agent missed and why (a tool that hid it, stale data, a handoff "
              "that dropped it) and change that. If a prompt change stays, tie it to an eval: "
              "'rate of <wrong action> on eval <name> below N% over M cases'.")


def _prompt_cause(text: str) -> re.Match[str] | None:
    if not re.search(r"prompt|system message|instruct|told|few-shot|guidance", text, re.I):
        return None
    return first_match(_CAUSE, blank_other_prompt_senses(text))


def _check_causes(doc: Document, ctx: Context) -> list[LintFlag]:
    if ctx.evaluated_prompt_change:
        return []  # the prompt claim is backed by an eval target elsewhere in the document
    out = []
    for st in cause_statements(doc):
        m = _prompt_cause(st.text)
        if m and in_agent_story(doc, ctx, st) and not statement_rejected(doc, st, m):
            out.append(flag(FlagCode.FIX_THE_PROMPT, st, WHY_CAUSE, SUGGESTION))
    return out


def _check_fixes(doc: Document, ctx: Context) -> list[LintFlag]:
    out = []
    for st in fix_statements(doc):
        m = prompt_edit_match(st.text)
        if not m or statement_rejected(doc, st, m) or not in_agent_story(doc, ctx, st):
            continue
        if vocab.has_eval_target(st.full) or ctx.evaluated_prompt_change:
            continue
        out.append(flag(FlagCode.FIX_THE_PROMPT, st, WHY_FIX, SUGGESTION))
    return out


def check(doc: Document, ctx: Context) -> list[LintFlag]:
    return _check_causes(doc, ctx) + _check_fixes(doc, ctx)
