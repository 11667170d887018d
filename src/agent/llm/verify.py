"""Checking what a model returned against the trace and the channel, never trusting it.

Quotes must be verbatim (whitespace aside) in the redacted text of the span or message they cite:
the model only ever saw redacted text, so a quote containing `[redacted]` verifies and the draft
shows `[redacted]`, never the secret. Refs must exist in the evidence index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.nodes.extract_inferences import verify_quote
from tools.evidence.index import EvidenceIndex
from tools.redact import Redactor

# Labels our evidence rendering puts in front of span text; a model may copy them into a quote.
_LABEL = re.compile(r"^\s*\[(?:output|args|error|input [a-z]+)\]\s*")
_QUOTE_MARKS = "\"'“”‘’«»`"


def clean_quote(quote: str) -> str:
    """The quote without what models add around it: quotation marks, our labels, an ellipsis."""
    q = quote.strip()
    for _ in range(2):  # marks and labels come in either order: “[output] …”, [output] "…"
        q = _LABEL.sub("", q.strip().strip(_QUOTE_MARKS).strip())
        for tail in ("…", "..."):
            if q.endswith(tail):
                q = q[: -len(tail)].rstrip()
    return q


def ref_text(index: EvidenceIndex, ref: str, redactor: Redactor, *, output_only: bool = False) -> str | None:
    """The redacted text a quote from `ref` must come from; None when the ref does not exist."""
    if ref.startswith("span:"):
        span = index.span(ref)
        if span is None:
            return None
        return redactor.redact(span.recorded_output() if output_only else span.recorded_content())
    if ref.startswith("chat:"):
        msg = index.message(ref)
        return redactor.redact(msg.text) if msg is not None else None
    return None


def verified(index: EvidenceIndex, ref: str, quote: str, redactor: Redactor, *, output_only: bool = False) -> str | None:
    """The cleaned quote if it is verbatim in `ref`'s text, else None."""
    text = ref_text(index, ref, redactor, output_only=output_only)
    if text is None:
        return None
    q = clean_quote(quote)
    if len(q) < 4:
        return None
    return q if verify_quote(q, text) else None


def as_ref(value: str) -> str:
    """Accept a bare span id or chat ts as well as a full ref (models drop prefixes)."""
    v = value.strip()
    if v.startswith(("span:", "chat:")):
        return v
    return f"chat:{v}" if re.fullmatch(r"\d{9,11}\.\d{1,6}", v) else f"span:{v}"


def split_refs(index: EvidenceIndex, refs: Iterable[str]) -> tuple[list[str], list[str]]:
    """(existing refs, unknown refs), each deduplicated in order."""
    good: list[str] = []
    bad: list[str] = []
    for raw in refs:
        ref = as_ref(raw)
        bucket = good if index.has_ref(ref) else bad
        if ref not in bucket:
            bucket.append(ref)
    return good, bad
