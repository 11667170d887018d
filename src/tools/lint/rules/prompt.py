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
    Statement,
    cause_statements,
    fix_statements,
    flag,
    in_agent_story,
    is_rejected,
    next_sentence,
)

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
    re.compile(r"\bprompt[- ]engineering\b", re.I),
)
_EDIT = (
    r"(?:update|tweak|clarify|reword|re-?write|revise|improve|adjust|tune|refine|change|edit|fix|amend|extend"
    r"|strengthen|expand|harden|modify|rephrase|tighten|iterate on|make|stress|emphasi[sz]e|patch|polish|rework)\w*"
)
# The prompt as the fix: edit it, add to it, better prompt engineering.
_FIX = (
    re.compile(rf"\b{_EDIT}\b(?:\W+(?!(?:and|but|so|then)\b)\w+){{0,8}}?\W+(?:the\W+|its\W+|our\W+|their\W+)?"
               rf"(?:[\w-]+\W+){{0,3}}?{P}", re.I),
    re.compile(rf"\b(?:add|append|insert|include|put|inject)\w*\b.{{0,120}}?\b(?:to|in|into)\s+(?:the\s+|its\s+|our\s+"
               rf"|their\s+)?(?:[\w'-]+\s+){{0,3}}?{P}", re.I),
    re.compile(r"\bprompt[- ]engineering\b|\bbetter prompt(?:s|ing)?\b|\bmore instructions?\b", re.I),
    re.compile(rf"{P}\s+(?:tweaks?|changes?|updates?|fix(?:es)?|wording changes?)\b", re.I),
)
# Moving a rule *out of* the prompt into code, or rolling a revision back, is not a prompt tweak.
_AWAY = re.compile(rf"\b(?:move|moving|moved|remove|removing|removed|take|taking|pull)\w*\b.{{0,60}}\b(?:from|out of)\s+"
                   rf"(?:the\s+|its\s+)?(?:[\w-]+\s+)?{P}|\broll(?:ed|ing)?\s+(?:back\s+)?(?:the\s+)?{P}\s*(?:\w+\s+)?back"
                   r"|\bversion(?:ed|ing)?\s+(?:the\s+)?prompts?\b", re.I)

WHY_CAUSE = ("The cause is put in the agent's prompt. A prompt wording is not a checkable fix and hides which "
             "signal, tool or data the agent lacked, so the same class of failure recurs.")
WHY_FIX = ("The fix is a prompt tweak with no named eval and target rate: nobody can tell whether it worked, "
           "and it does not change what the agent could see or do.")
SUGGESTION = ("Re-attribute: say which signal the agent missed and why (a tool that hid it, stale data, a handoff "
              "that dropped it) and change that. If a prompt change stays, tie it to an eval: "
              "'rate of <wrong action> on eval <name> below N% over M cases'.")


def _prompt_span(text: str, patterns: tuple[re.Pattern[str], ...]) -> re.Match[str] | None:
    if not _mentions(text):
        return None
    cleaned = vocab.PROMPT_OTHER_SENSE.sub(lambda m: "#" * len(m.group(0)), text)
    for rx in patterns:
        m = rx.search(cleaned)
        if m:
            return m
    return None


def _mentions(text: str) -> bool:
    return bool(re.search(r"prompt|system message|instruct|told|few-shot|guidance", text, re.I))


def _check_causes(doc: Document, ctx: Context) -> list[LintFlag]:
    if ctx.evaluated_prompt_change:
        return []  # the prompt claim is backed by an eval target elsewhere in the document
    out = []
    for st in cause_statements(doc):
        m = _prompt_span(st.text, _CAUSE)
        if m and in_agent_story(doc, ctx, st) and not _rejected(doc, st, m):
            out.append(flag(FlagCode.FIX_THE_PROMPT, st, WHY_CAUSE, SUGGESTION))
    return out


def _check_fixes(doc: Document, ctx: Context) -> list[LintFlag]:
    out = []
    for st in fix_statements(doc):
        m = _prompt_span(st.text, _FIX)
        if not m or _AWAY.search(st.text) or _rejected(doc, st, m) or not in_agent_story(doc, ctx, st):
            continue
        if vocab.has_eval_target(st.full) or ctx.evaluated_prompt_change:
            continue
        out.append(flag(FlagCode.FIX_THE_PROMPT, st, WHY_FIX, SUGGESTION))
    return out


def _rejected(doc: Document, st: Statement, m: re.Match[str]) -> bool:
    following = next_sentence(doc, st.sentence) if st.sentence is not None else ""
    return is_rejected(st.text, m.start(), m.end(), following)


def check(doc: Document, ctx: Context) -> list[LintFlag]:
    return _check_causes(doc, ctx) + _check_fixes(doc, ctx)
