"""Candidate signal terms in a sentence: identifiers, quoted snippets, and the nouns after "no"/"never".

People name the signal the agent missed in a few recurring ways: as an identifier
(`orders_producer_heartbeat`, `ReadTimeout`, `v4`, `pricing-review.co`), as a quoted snippet,
or as the object of an absence ("no producer heartbeat", "never the header", "nothing above the
relevance threshold", "the row count wasn't anywhere"). This module finds those spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.text.tokens import STOPWORDS

_IDENT_RE = re.compile(
    r"(?<![\w@/])("
    r"[A-Za-z][A-Za-z0-9]*(?:[_.\-/][A-Za-z0-9]+)+"  # snake/dotted/kebab ids, hosts, paths
    r"|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+"  # CamelCase (ReadTimeout)
    r"|[A-Z]{2,}[A-Z0-9]*"  # ACRONYMS
    r"|v\d+(?:\.\d+)*"  # versions
    r"|\d+(?:\.\d+){1,3}"  # dotted numbers (8.14, 2.31.0)
    r")(?![\w@])"
)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
_SOURCE_RE = re.compile(
    r"\b(?:the|its|our|their|this|that)\s+((?:[\w\-.]+\s+){0,5}[\w\-.]+)\s+"
    r"(?:says|said|shows|showed|reads|read|lists|listed|records|recorded|indicates|indicated|has been flat|was flat)\b",
    re.IGNORECASE,
)
_TIME_RE = re.compile(r"^\d{1,2}[:.]\d{2}([:.]\d{2})?$|^\d{4}-\d{2}-\d{2}")
_TICKET_RE = re.compile(r"^[A-Z][A-Z0-9]+-\d+$")
_NUMBER_RE = re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d{4,}(?:\.\d+)?\b")
_ABSENCE_BEFORE = re.compile(
    r"\b(?:no|without|never (?:the|any|a|an)|nothing (?:about|above|on|in|from)(?: the)?|lacks?(?: the| a| an)?|"
    r"missing(?: the| a| an)?|doesn'?t (?:return|include|show|carry|have)(?: the| a| an| any)?|"
    r"does not (?:return|include|show|carry|have)(?: the| a| an| any)?|not the)\s+",
    re.IGNORECASE,
)
_ABSENCE_AFTER = re.compile(
    r"\s+(?:wasn'?t|was not|isn'?t|is not|weren'?t|never made|never reached|never got|never arrived|never came|"
    r"never showed|never landed|didn'?t arrive|didn'?t make it|"
    r"was never|were never|is missing|was missing|was dropped)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
_BREAK = re.compile(r"[,;:()\[\]{}.!?\"“”]|\s[-–—]\s")

# Words that never name a signal by themselves.
GENERIC = frozenset(
    """
    agent bot tool tools model llm ai incident issue problem thing things customer customers user users
    minute minutes min mins hour hours second seconds day days today yesterday tonight morning channel trace
    traces team prod production staging way time times point reason error errors alert alerts page pm
    postmortem everyone someone anyone nobody something anything nothing people person call calls output
    input result results data one way part case lot side
    """.split()
)


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # "ident" | "quote" | "absent" | "phrase"
    start: int


def identifiers(sentence: str) -> list[Term]:
    out: list[Term] = []
    emails = list(_EMAIL_RE.finditer(sentence))
    for m in emails:
        out.append(Term(m.group(0), "ident", m.start()))
    for m in _IDENT_RE.finditer(sentence):
        if any(e.start() <= m.start(1) < e.end() for e in emails):
            continue
        tok = m.group(1).rstrip(".-/")
        if len(tok) < 2 or _TIME_RE.match(tok) or tok.lower() in STOPWORDS:
            continue
        if tok.isupper() and len(tok) <= 3 and tok not in ("TTL",):
            continue  # SEV, UTC, API, CPU: too generic to be the signal on their own
        out.append(Term(tok, "ident", m.start(1)))
    return out


def quoted(sentence: str) -> list[Term]:
    """Short quoted snippets that can name a signal: several words, or an identifier-like token."""
    out: list[Term] = []
    for m in re.finditer(r"`([^`]{2,80})`|\"([^\"]{2,60})\"|“([^”]{2,60})”", sentence):
        text = next(g for g in m.groups() if g).strip()
        if " " in text or re.search(r"[_.\-\d]", text):
            out.append(Term(text, "quote", m.start()))
    return out


def sources(sentence: str) -> list[Term]:
    """The thing that showed the truth: 'the changelog entry says so' → 'changelog entry'."""
    out: list[Term] = []
    for m in _SOURCE_RE.finditer(sentence):
        words: list[str] = []
        for w in m.group(1).split():
            if w.lower() in STOPWORDS:
                break  # "changelog entry for raw.orders" → "changelog entry"
            words.append(w)
        phrase = _clean_phrase(words)
        if phrase:
            out.append(Term(phrase, "source", m.start(1)))
    return out


def absences(sentence: str) -> list[Term]:
    """Noun phrases that the sentence says were absent: 'no producer heartbeat' → 'producer heartbeat'."""
    out: list[Term] = []
    for m in _ABSENCE_BEFORE.finditer(sentence):
        phrase = _phrase_after(sentence, m.end())
        if phrase:
            out.append(Term(phrase, "absent", m.end()))
    for m in _ABSENCE_AFTER.finditer(sentence):
        phrase = _phrase_before(sentence, m.start())
        if phrase:
            out.append(Term(phrase, "absent", m.start() - len(phrase)))
    return out


def _phrase_after(text: str, pos: int, max_words: int = 3) -> str | None:
    words: list[str] = []
    cursor = pos
    for m in _WORD.finditer(text, pos):
        if _BREAK.search(text[cursor : m.start()]):
            break
        w = m.group(0)
        if w.lower() in STOPWORDS or len(words) >= max_words:
            break
        words.append(w)
        cursor = m.end()
    return _clean_phrase(words)


def _phrase_before(text: str, pos: int, max_words: int = 2) -> str | None:
    words: list[str] = []
    cursor = pos
    for m in reversed(list(_WORD.finditer(text, 0, pos))):
        if _BREAK.search(text[m.end() : cursor]):
            break
        w = m.group(0)
        if w.lower() in STOPWORDS or len(words) >= max_words:
            break
        words.insert(0, w)
        cursor = m.start()
    return _clean_phrase(words)


def _clean_phrase(words: list[str]) -> str | None:
    while words and words[-1].lower() in GENERIC:
        words.pop()
    if not words or all(w.lower() in GENERIC for w in words):
        return None
    phrase = " ".join(words).strip(".-")
    return phrase if len(phrase) >= 3 else None


def numbers(sentence: str) -> list[str]:
    """Large numbers in the sentence, as written and without separators ('2,318,442', '2318442')."""
    out: list[str] = []
    for m in _NUMBER_RE.finditer(sentence):
        raw = m.group(0)
        for v in (raw, raw.replace(",", "")):
            if v not in out:
                out.append(v)
    return out


def is_ticket_key(term: str) -> bool:
    return bool(_TICKET_RE.match(term))
