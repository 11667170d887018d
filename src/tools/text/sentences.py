"""Sentence and clause splitting, and quoted-span extraction, for chat messages and LLM outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Split after . ! ? ; or a line break, when followed by space/end — but not inside versions (v2.3.1),
# decimals (0.55), hosts or abbreviations like "e.g.". A dash surrounded by spaces also separates clauses.
_SENT_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'“(A-Za-z0-9`*])|\n+|\s+[-–—]\s+")
_ABBREV = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "no.", "dr.", "mr.", "ms.")

_QUOTE_PATTERNS = (
    re.compile(r"\"([^\"\n]{3,400})\""),
    re.compile(r"“([^”\n]{3,400})”"),
    re.compile(r"`([^`\n]{3,400})`"),
    re.compile(r"(?<![A-Za-z])'([^'\n]{6,400})'(?![A-Za-z])"),
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the source text
    end: int


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    protected = _quoted_ranges(text)
    for m in _SENT_END.finditer(text):
        if any(a < m.start() < b for a, b in protected):
            continue  # never split inside a quote or a code span
        piece = text[pos : m.start()]
        if piece.strip().lower().endswith(_ABBREV):
            continue
        _add(out, text, pos, m.start())
        pos = m.end()
    _add(out, text, pos, len(text))
    return out


def _quoted_ranges(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for pat in _QUOTE_PATTERNS for m in pat.finditer(text)]


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    out.append(Sentence(stripped, start + lead, start + lead + len(stripped)))


@dataclass(frozen=True)
class Quote:
    text: str
    before: str  # the text just before the opening quote (what introduces it)
    code: bool  # in backticks: a command or snippet rather than words


def quotes_with_context(text: str) -> list[Quote]:
    found: list[Quote] = []
    seen: set[str] = set()
    for i, pat in enumerate(_QUOTE_PATTERNS):
        for m in pat.finditer(text):
            q = m.group(1).strip()
            if q and q not in seen:
                seen.add(q)
                found.append(Quote(q, text[max(0, m.start() - 40) : m.start()], code=i == 2))
    return found
