"""Classifiers for single statements, shared by the rules and by the document context.

"Does this action item edit a runbook?" is asked by the runbook rule (to flag it) and by the
context (to know that an item is *not* a tool/data fix), so it lives here, not in either.
"""

from __future__ import annotations

import re

from tools.lint import vocab

_PROMPT_RX = re.compile(vocab.PROMPT_NOUN, re.I)

P = vocab.PROMPT_NOUN
# The prompt as the object of an edit, not as a modifier: "prompt changes", "prompt registry" and
# "prompt evals" name a process around prompts ("run the eval on every prompt change").
P_OBJECT = rf"{P}(?!\s+(?:changes?|revisions?|versions?|updates?|registry|regressions?|library|store|repo\w*|evals?\b"
P_OBJECT += r"|tests?|reviews?|diffs?|logs?|history|owners?)\b)"


def blank_other_prompt_senses(text: str) -> str:
    """"prompt injection", "confirmation prompt", "prompted the on-call" blanked out, offsets kept."""
    return vocab.PROMPT_OTHER_SENSE.sub(lambda m: "#" * len(m.group(0)), text)


def first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for rx in patterns:
        m = rx.search(text)
        if m:
            return m
    return None


_EDIT = (
    r"(?:update|tweak|clarify|reword|re-?write|revise|improve|adjust|tune|refine|change|edit|fix|amend|extend"
    r"|strengthen|expand|harden|modify|rephrase|tighten|iterate on|make|stress|emphasi[sz]e|patch|polish|rework)\w*"
)
# The prompt as the fix: edit it, add to it, better prompt engineering.
_FIX = (
    re.compile(rf"\b{_EDIT}\b(?:\W+(?!(?:and|but|so|then)\b)\w+){{0,8}}?\W+(?:the\W+|its\W+|our\W+|their\W+)?"
               rf"(?:[\w-]+\W+){{0,3}}?{P_OBJECT}", re.I),
    re.compile(rf"\b(?:add|append|insert|include|put|inject|move|repeat|restate|state|mention|list|spell out|bold"
               rf"|highlight|reorder|copy|write)\w*\b.{{0,120}}?\b(?:to|in|into)\s+(?:the\s+|its\s+|our\s+"
               rf"|their\s+)?(?:[\w'-]+\s+){{0,3}}?{P_OBJECT}", re.I),
    re.compile(r"\bprompt[- ]engineering\b|\bbetter prompt(?:s|ing)?\b|\bmore instructions?\b", re.I),
    re.compile(rf"\b(?:a|another|one more)\s+(?:small\s+|quick\s+|minor\s+)?{P}\s+(?:tweak|change|update|fix)\b", re.I),
)
# Moving a rule *out of* the prompt into code, or rolling a revision back, is not a prompt tweak.
_AWAY = re.compile(rf"\b(?:move|moving|moved|remove|removing|removed|take|taking|pull)\w*\b.{{0,60}}\b(?:from|out of)\s+"
                   rf"(?:the\s+|its\s+)?(?:[\w-]+\s+)?{P}|\broll(?:ed|ing)?\s+(?:back\s+)?(?:the\s+)?{P}\s*(?:\w+\s+)?back"
                   r"|\bversion(?:ed|ing)?\s+(?:the\s+)?prompts?\b", re.I)


def prompt_edit_match(text: str) -> re.Match[str] | None:
    """The statement edits the agent's prompt (adds to it, rewords it, "better prompt engineering")."""
    if not re.search(r"prompt|system message|instruct|few-shot", text, re.I) or _AWAY.search(text):
        return None
    return first_match(_FIX, blank_other_prompt_senses(text))


def mentions_prompt(text: str) -> bool:
    """The agent's prompt is named in its instruction sense (not "prompt injection", "confirmation prompt")."""
    return bool(_PROMPT_RX.search(vocab.PROMPT_OTHER_SENSE.sub(" ", text)))


_EDIT_VERB = (
    r"(?:updat\w*|reword\w*|re-?writ\w*|clarif\w*|tighten\w*|fix\w*|amend\w*|revis\w*|edit\w*|correct\w*|expand\w*"
    r"|extend\w*|improv\w*|document\w*|defin\w*|mention\w*|add\w*|note|writ\w*|creat\w*|annotat\w*|simplif\w*"
    r"|restructur\w*|overhaul\w*|refresh\w*|review\w*|make)"
)
_RUNBOOK_EDIT = re.compile(
    rf"\b{_EDIT_VERB}\b(?:\W+\w+){{0,10}}?\W+(?:the\W+|our\W+|a\W+|an\W+)?(?:[\w-]+\W+){{0,3}}{vocab.RUNBOOK_NOUN}"
    rf"|{vocab.RUNBOOK_NOUN}(?:\W+\w+){{0,3}}?\W+(?:wording|language|text|step|section)\b",
    re.I,
)
# Operations on documents as data (archive, re-index, metadata), which are data fixes, not rewording.
_DOC_AS_DATA = re.compile(
    r"\b(?:archiv\w*|delet\w*|remov\w*|deprecat\w*|re-?index\w*|index\w*|expir\w*|tag\w*|fields?|metadata|freshness"
    r"|last[- ]updated|ingest\w*|sync\w*|supersed\w*|retriev\w*|embed\w*|automat\w*|convert\w*)\b",
    re.I,
)


_DOC_RX = re.compile(vocab.RUNBOOK_NOUN, re.I)


def _doc_as_data(text: str) -> bool:
    """The item's own verb, or a word right next to the document noun, treats the document as data."""
    first = re.match(r"\W*(\S+)", text)
    if first and _DOC_AS_DATA.fullmatch(first.group(1).strip(".,:;")):
        return True
    for m in _DOC_RX.finditer(text):
        window = text[max(0, m.start() - 40) : m.end() + 40]
        if _DOC_AS_DATA.search(window):
            return True
    return False


def is_runbook_edit(text: str) -> bool:
    """An action that changes the words of a runbook/doc/playbook (not the doc as data)."""
    return bool(_RUNBOOK_EDIT.search(text)) and not _doc_as_data(text)


CAUSAL_CUE = re.compile(
    r"\b(?:root[- ]?causes?|caused by|the cause|cause was|causes? (?:is|was|were)|due to|because|result(?:ed)? (?:of|from)"
    r"|stemmed from|traced (?:back )?to|led to|was the reason|blame|responsible for|why"
    r"|(?:it|this|that) (?:was|is) (?:\w+ )?(?:an?|the|just|simply|basically|purely|ultimately))\b",
    re.I,
)
FIX_CUE = re.compile(
    r"\b(?:we will|we'll|we are going to|we're going to|going forward|the fix (?:is|was|will be)|fix:|to prevent"
    r" (?:this|recurrence|a repeat)|should prevent|will prevent|we (?:have )?(?:added|updated|changed|reworded|rewrote"
    r"|tweaked|clarified|amended|extended)|we need\b|we should|next time|we(?:'re| are) (?:now )?(?:re-?)?(?:writ|updat"
    r"|chang|add|revis|edit|reword|tweak|clarif|extend|improv)\w*ing|(?:is|are) being (?:re-?)?(?:written|updated|revised"
    r"|changed|reworded|extended))\b",
    re.I,
)


# --- vague action items ------------------------------------------------------------------------

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


def is_vague(text: str) -> bool:
    """An action phrased as a wish ("Improve …", "Better …", "Look into …") rather than a change."""
    head = _LEAD_NOISE.sub("", text.strip(), count=1)
    return bool(_VAGUE_LEAD.match(head) or _VAGUE_ANYWHERE.search(text))
