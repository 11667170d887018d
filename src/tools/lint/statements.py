"""Classifiers for single statements, shared by the rules and by the document context.

"Does this action item edit a runbook?" is asked by the runbook rule (to flag it) and by the
context (to know that an item is *not* a tool/data fix), so it lives here, not in either.
"""

from __future__ import annotations

import re

from tools.lint import vocab

_PROMPT_RX = re.compile(vocab.PROMPT_NOUN, re.I)


def mentions_prompt(text: str) -> bool:
    """The agent's prompt is named in its instruction sense (not "prompt injection", "confirmation prompt")."""
    return bool(_PROMPT_RX.search(vocab.PROMPT_OTHER_SENSE.sub(" ", text)))


_EDIT_VERB = (
    r"(?:update[sd]?|reword\w*|re-?writ\w*|clarif\w*|tighten\w*|fix\w*|amend\w*|revis\w*|edit\w*|correct\w*|expand\w*"
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
    r"|tweaked|clarified|amended|extended)|we need to|we should|next time|we(?:'re| are) (?:now )?(?:re-?)?(?:writ|updat"
    r"|chang|add|revis|edit|reword|tweak|clarif|extend|improv)\w*ing|(?:is|are) being (?:re-?)?(?:written|updated|revised"
    r"|changed|reworded|extended))\b",
    re.I,
)
