"""blame-language: a sentence makes a named person the cause of the failure.

Blameless postmortems describe what the system allowed ("the deployment pipeline accepted an
unvalidated config"), not who slipped ("Alice pushed an untested config"); blame teaches people to
hide data. A person is a name from the incident chat, an @-mention, or a proper given name —
never an agent or a service with a person-like name. Not blame: timeline facts, credit, action-item
owners, and blame quoted in order to reject it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tools.lint.context import Context
from tools.lint.document import Document
from tools.lint.models import FlagCode, LintFlag
from tools.lint.names import TECH_NAMES, is_given_name
from tools.lint.rules.base import Statement, flag, is_rejected, next_sentence
from tools.lint.sections import CAUSE_SECTIONS

_CHECK_VERBS = (
    r"(?:check|test|verify|read|follow|review|notice|look|wait|ask|run|update|escalate|validate|double-check|confirm"
    r"|renew|monitor|communicate|tell|warn|inform|coordinate|backup|back up|pay attention|think|consider|realize)\w*"
)
# Verb phrases right after the person: what they did wrong.
_BLAME_VP = re.compile(
    r"^(?:'s?\s+\w+\s+)?,?\s*(?:\([^)]{0,40}\)\s*)?(?:,[^,]{1,60},\s*)?(?:who\s+)?(?:had\s+|has\s+|just\s+|then\s+|also\s+"
    r"|simply\s+|apparently\s+|clearly\s+|unfortunately\s+)?"
    r"(?P<vp>forg[eo]t\w*|neglect\w*|fail(?:ed|s)? to|ignor\w*|overlook\w*|skipp\w*|botch\w*|messed up|screwed up|dropped"
    r" the ball|rubber-?stamp\w*|careless\w*|mistaken\w*|accidental\w*|inadvertent\w*|wrongly|wrongfully|negligent\w*"
    r"|erroneous\w*|sloppily|should(?:n't| not)? have|could have (?:prevented|avoided|caught)|broke\b"
    rf"|did ?n[o']t\s+(?:\w+\s+)?{_CHECK_VERBS}|never\s+{_CHECK_VERBS}"
    r"|caused (?:the|this|an?|our) (?:\w+\s+)?(?:outage|incident|failure|problem|issue|breakage|downtime|regression|bug)"
    r"|(?:pushed|deployed|shipped|merged|released|committed|rolled out|applied) (?:an? |the |his |her |their )?"
    r"(?:\w+\s+)?(?:untested|bad|broken|wrong|incorrect|faulty|unreviewed|buggy|unvalidated|half-baked)"
    r"|(?:ran|run|used|selected|picked|chose|restarted|deleted|dropped|typed|edited|applied|targeted|rebooted|killed)"
    r"(?:\s+[\w`./-]+){0,5}?\s+(?:the\s+)?(?:wrong|incorrect)"
    r"|(?:ran|run|executed|applied|deployed|merged|approved|pushed|shipped|released|changed|edited|deleted|dropped"
    r"|restarted|rebooted|migrated|rolled out)(?:\s+[\w`./-]+){0,6}?\s+without\s+(?:the\s+|a\s+|any\s+|first\s+)?"
    r"(?:[\w`-]+\s+){0,4}?[`-]*(?:dry-?run|flag|review\w*|approv\w*|test\w*|check\w*|read\w*|look\w*|backup|confirm\w*"
    r"|canary|staging|verif\w*|validat\w*|notif\w*|tell\w*|ask\w*|consult\w*|permission|sign-?off)"
    r"|bypass\w*|circumvent\w*|overr(?:o|i)de\w*|went around"
    r"|made (?:a|an|the) (?:\w+\s+)?(?:mistake|error|typo|blunder|slip)"
    r"|introduced (?:a|an|the) (?:\w+\s+)?(?:bug|typo|error|mistake)|(?:is|was) to blame|(?:is|was) at fault"
    r"|(?:is|was) (?:solely |directly )?responsible for (?:the|this|our) (?:\w+\s+)?(?:outage|incident|failure|breakage"
    r"|downtime|regression|problem|mistake))",
    re.I,
)
# Words right before the person: "human error by", "blame lies with", "because", "if … had".
_BEFORE = re.compile(
    r"(?P<pre>(?:human|operator|user|engineer(?:ing)?|admin|manual|configuration|personnel) error\s*(?:by|from|of|on the part of"
    r"|\(|:|—|-|,)?|blame\s+(?:lies|rests|falls|goes)\s+(?:with|on)|(?:carelessness|negligence|sloppiness|incompetence"
    r"|laziness|mistakes?|errors?|fault|blunder|oversight)\s+(?:on|by|of|from)\s+(?:the part of\s+)?"
    r"|\bblam(?:e|ed|ing)(?! (?:lies|rests|falls|goes))|\bfault of|lack of (?:\w+\s+){0,2}?(?:from|by|of|on the part of)"
    r"|(?:outage|incident|failure|this|it|that)\s+(?:is|was|'s)\s+(?:all\s+)?on)\s*$",
    re.I,
)
_CAUSE_BEFORE = re.compile(r"\b(?:because|since|as|due to|comes? down to|came down to|caused by|result of|if|had)\s+$", re.I)
_CAUSE_AFTER = re.compile(
    r"^(?:'s)?\s+(?:not|n't|never|failing|failure|forgetting|forgot|did ?n[o']t|ignor\w*|mistake|error|neglect\w*"
    r"|(?:had\s+)?(?:\w+\s+)?(?:tested|checked|read|followed|reviewed|verified|looked|waited|asked|noticed|paid"
    r"|been (?:more )?careful|double-checked|escalated|run|used))",
    re.I,
)
_POSSESSIVE = re.compile(
    r"^'s?\s+(?:own\s+|\w+\s+)?(?:mistake|error|fault|typo|blunder|carelessness|negligence|oversight|slip|screw-?up"
    r"|bad|botched|untested|faulty|broken|wrong|sloppy|careless)",
    re.I,
)

_MENTION = r"@[A-Za-z][\w.\-]*[A-Za-z0-9]"
_WORD = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
_SURNAME = re.compile(r"\s+(?:(?:van|von|de|da|del|der|di|le|la|bin|al)\s+)?[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?")


@dataclass(frozen=True)
class _Person:
    start: int
    end: int
    name: str


def _people_in(text: str, ctx: Context, handles: re.Pattern[str] | None) -> Iterator[_Person]:
    """Spans in `text` that name a person (not an agent, not a service)."""
    seen: set[int] = set()
    for m in re.finditer(_MENTION, text):
        if m.group(0)[1:].lower() not in ctx.agent_names:
            seen.add(m.start())
            yield _Person(m.start(), m.end(), m.group(0))
    for m in re.finditer(rf"(?<![\w@]){_WORD}", text):
        if m.start() in seen or not _is_person(m.group(0), ctx) or _inside_proper_noun(text, m.start()):
            continue
        end = m.end()
        surname = _SURNAME.match(text, end)
        if surname and surname.group(0).strip().lower() not in TECH_NAMES:
            end = surname.end()  # "Dana Whitfield": the blame verb follows the full name
        yield _Person(m.start(), end, text[m.start() : end])
    if handles is not None:
        # Chat handles ("jsmith", "tom.r") are often lower-case: find them as whole tokens.
        for m in handles.finditer(text):
            if m.start() not in seen and not m.group(0)[0].isupper():
                yield _Person(m.start(), m.end(), m.group(0))


def _handles_rx(ctx: Context) -> re.Pattern[str] | None:
    names = sorted((n for n in ctx.people if len(n) >= 3 and n not in ctx.agent_names), key=len, reverse=True)
    if not names:
        return None
    return re.compile(rf"(?<![\w@.])(?:{'|'.join(map(re.escape, names))})(?![\w-]|\.\w)", re.I)


def _inside_proper_noun(text: str, start: int) -> bool:
    """'Lockheed Martin', 'Wells Fargo': a given name right after a capitalized word mid-sentence is an organisation."""
    prev = re.search(r"([A-Z][\w&.-]*)\s+$", text[:start])
    if prev is None:
        return False
    before = text[: prev.start()]
    # The capitalized word opens the sentence or a clause ("Yesterday Martin …"): the name stands alone.
    if not before.strip() or re.search(r"[.:;!?,(]\s*$", before):
        return False
    return not re.fullmatch(r"(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?", prev.group(1))


def _is_person(name: str, ctx: Context) -> bool:
    low = name.lower()
    if low in ctx.agent_names or low in TECH_NAMES:
        return False
    return low in ctx.people or is_given_name(name)


# "carelessness on X's part", "human error on X's part" — but not "great work on X's part".
_PART_BEFORE = re.compile(r"(?:careless\w*|negligen\w*|sloppi\w*|error|mistake|oversight|lapse|failure|inattention"
                          r"|incompetence|laziness)\W+(?:\w+\W+){0,2}?on\s+$", re.I)
# A cause statement that is nothing but a name: "Root cause: Lucas."
_BARE_CAUSE = re.compile(r"^\W*(?:root[- ]?cause|cause|rca|trigger)\W*:\W*$", re.I)


# In a cause section, "because X hard-coded the URL" makes X's act the cause, whatever the verb.
_BECAUSE_BEFORE = re.compile(r"\b(?:because|since|as a result of|due to)\s+$", re.I)
_PAST_ACT = re.compile(r"^\s+(?:had\s+)?(?:\w+ly\s+)?(?!(?:rolled|restored|fixed|mitigated|noticed|caught|found|paged"
                       r"|escalated|reverted|declared|recovered|resolved|helped|joined|spotted|flagged|reported"
                       r"|stopped|contained|alerted|asked|confirmed)\b)[a-z-]+ed\b", re.I)


def _blames(text: str, person: _Person, in_cause: bool = False) -> re.Match[str] | None:
    before, after = text[: person.start], text[person.end :]
    if in_cause and _BECAUSE_BEFORE.search(before) and _PAST_ACT.match(after):
        return _BECAUSE_BEFORE.search(before)
    if re.match(r"^'s?\s+part\b", after) and _PART_BEFORE.search(before):
        return _PART_BEFORE.search(before)
    if _BARE_CAUSE.match(before) and re.fullmatch(r"\W*", after):
        return _BARE_CAUSE.match(before)
    for m in (_BLAME_VP.match(after), _POSSESSIVE.match(after)):
        if m:
            return m
    if _BEFORE.search(before):
        return _BEFORE.search(before)
    if _CAUSE_BEFORE.search(before) and _CAUSE_AFTER.match(after):
        return _CAUSE_BEFORE.search(before)
    return None


def _is_agent_subject(text: str, person: _Person) -> bool:
    """'Max (the ops agent) …' / 'Ada, the support assistant, …': a person-like name that is an agent."""
    tail = text[person.end : person.end + 50]
    return bool(re.match(r"\s*(?:,|\(|—|-)\s*(?:the|our|an?)\s+(?:[\w-]+\s+){0,3}(?:agent|assistant|bot|model|copilot|AI)\b",
                         tail, re.I))


_SYSTEMIC = (
    (re.compile(r"untested|unvalidated|unreviewed|bad|broken|faulty|buggy|wrong|incorrect", re.I),
     "the deployment pipeline accepted an unvalidated change (no test, schema check or canary blocked it)"),
    (re.compile(r"forg[eo]t|neglect|never|renew", re.I),
     "the step depended on someone remembering it: nothing automated it or alerted when it was missed"),
    (re.compile(r"skipp|fail(?:ed|s)? to|without|rubber", re.I),
     "the process let the step be skipped: nothing required it or showed what was needed to decide"),
    (re.compile(r"did ?n[o']t|ignor|overlook", re.I),
     "the signal was not surfaced where the decision was made (not required, not paged, not in the view)"),
    (re.compile(r"should|could have|if|had", re.I),
     "name the safeguard that was missing instead of the counterfactual: which check, guard or signal would have stopped it"),
)


def _suggestion(matched: str, sentence: str) -> str:
    # The matched blame phrase decides first; the rest of the sentence only when the phrase is silent.
    for text in (matched, sentence):
        for rx, phrase in _SYSTEMIC:
            if rx.search(text):
                return f"Rephrase systemically: describe what the system allowed, e.g. '{phrase}'."
    return ("Rephrase systemically: describe what the system allowed, e.g. 'the deployment pipeline accepted an "
            "unvalidated config', and name the missing check or signal.")


WHY = ("The sentence makes a named person the cause. Blame teaches people to hide information; a blameless "
       "postmortem states what the system allowed and which safeguard was missing.")


def check(doc: Document, ctx: Context) -> list[LintFlag]:
    out = []
    handles = _handles_rx(ctx)
    for s in doc.sentences():
        for person in _people_in(s.text, ctx, handles):
            if _is_agent_subject(s.text, person):
                continue
            m = _blames(s.text, person, in_cause=s.section in CAUSE_SECTIONS)
            if m is None:
                continue
            if is_rejected(s.text, person.start, person.end, next_sentence(doc, s)):
                continue
            st = Statement(s.text, s.line, s.block.field, sentence=s)
            out.append(flag(FlagCode.BLAME_LANGUAGE, st, WHY, _suggestion(m.group(0), s.text)))
            break
    return out
