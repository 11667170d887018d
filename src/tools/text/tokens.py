"""Tokens and terms: the unit the offline engine compares texts with.

A *term* is a lowercase word or identifier with separators normalized, so that `row_count`,
`row-count` and `row count` compare equal, and `v2.31.0` or `pricing-review.co` stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Identifiers keep inner dots, dashes, underscores, slashes and colons: versions (v2.31.0),
# hosts (api.example.com), metrics (orders_producer_heartbeat), paths (conf.d/x.conf).
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/:#@%+']*[A-Za-z0-9%]|[A-Za-z0-9]")
_SEP_RE = re.compile(r"[_\-\s]+")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
    let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out
    over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those through
    to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
    where's which while who who's whom why why's will with won't would wouldn't you you'd you'll you're
    you've your yours yourself yourselves just now still yet already really actually also ok okay yes yeah
    hmm oh well got get gets getting go going went gone one two three let lets like want need needs think
    know see seen saw look looks looking thing things way much many lot bit anyway ever even since per via
    back new old same sure right left etc e.g i.e vs us im dont doesnt didnt cant wont isnt its thats
    whether either neither
    """.split()
)


def words(text: str) -> list[str]:
    """Lowercase word/identifier tokens, trailing punctuation stripped."""
    return [m.group(0).lower().rstrip(".:'") for m in _WORD_RE.finditer(text)]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1 and not w.isdigit()]


def norm_term(term: str) -> str:
    """`Row_Count` → `row count`; used for separator-insensitive containment."""
    return _SEP_RE.sub(" ", term.lower()).strip()


def norm_text(text: str) -> str:
    """Whole text normalized like terms, with a space at both ends for word-boundary tests."""
    return " " + _SEP_RE.sub(" ", re.sub(r"[^\w.\-/:#@%+ ]+", " ", text.lower())) + " "


def contains_term(normalized_text: str, term: str) -> bool:
    """Word-boundary containment of a normalized term in a `norm_text` result."""
    t = norm_term(term)
    if not t:
        return False
    idx = normalized_text.find(t)
    while idx >= 0:
        before = normalized_text[idx - 1] if idx > 0 else " "
        after_i = idx + len(t)
        after = normalized_text[after_i] if after_i < len(normalized_text) else " "
        if not (before.isalnum()) and not (after.isalnum()):
            return True
        idx = normalized_text.find(t, idx + 1)
    return False


def coverage(part: Iterable[str], whole: Iterable[str]) -> float:
    """Share of `part`'s distinct tokens found in `whole`."""
    sp, sw = set(part), set(whole)
    if not sp:
        return 0.0
    return len(sp & sw) / len(sp)
