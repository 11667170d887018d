"""Redaction of secrets and configurable PII before any text leaves the machine for a model.

Built-in patterns cover credentials that turn up in agent traces and incident channels: provider
API keys, cloud access keys, bearer/basic credentials, `password=`-style assignments, private key
blocks, JWTs and credentials in URLs. PII patterns are opt-in (PMDRAFT_REDACT_PATTERNS), because
an address or a domain is often the evidence itself (a phishing sender, a wrong recipient).

Every match becomes `[redacted]`; for assignments the key stays (`password=[redacted]`), so the
reader still sees what was there. Redaction is idempotent: redacting twice changes nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from tools.errors import BadInput

REDACTED = "[redacted]"
ENV_PATTERNS = "PMDRAFT_REDACT_PATTERNS"

# (name, pattern, group to replace: 0 = whole match). Ordered: block and structured forms first,
# so a key inside a PEM block or a URL is replaced once, as part of the larger secret.
_SECRETS: tuple[tuple[str, str, int], ...] = (
    ("private_key", r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)", 0),
    ("url_credentials", r"(?<=://)[^\s/:@'\"]+:([^\s/@'\"]+)(?=@)", 1),
    # A credential after Bearer/Basic has a digit somewhere; "basic troubleshooting" is prose.
    ("bearer", r"(?i)\b(?:bearer|basic)\s+((?=[A-Za-z0-9\-._~+/]*\d)[A-Za-z0-9\-._~+/]{16,}=*)", 1),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b", 0),
    ("openai_key", r"\bsk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d{2}-)?[A-Za-z0-9_-]{20,}", 0),
    ("aws_access_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b", 0),
    ("aws_secret", r"(?i)aws.{0,20}?(?:secret|key).{0,20}?[=:]\s*[\"']?([A-Za-z0-9/+]{40})\b", 1),
    ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b", 0),
    ("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b", 0),
    ("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}\b", 0),
    ("stripe_key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b", 0),
    (
        "assignment",
        r"(?i)\b(?:password|passwd|pwd|passphrase|secret|client_secret|api[_-]?key|apikey|access[_-]?token|"
        r"refresh[_-]?token|auth[_-]?token|private[_-]?key|token)\b[\"']?\s*[:=]\s*[\"']?([^\s\"',;}{]{4,})",
        1,
    ),
)

# Opt-in PII presets: PMDRAFT_REDACT_PATTERNS may name these instead of writing a regex.
PII_PRESETS: dict[str, str] = {
    "email": r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b",
    "phone": r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)",
    "ipv4": r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
    "credit_card": r"\b(?:\d[ -]?){13,16}\b",
    "iban": r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b",
}


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    group: int = 0


@dataclass
class Redactor:
    rules: list[Rule] = field(default_factory=list)

    def redact(self, text: str) -> str:
        if not text:
            return text
        for rule in self.rules:
            text = rule.pattern.sub(lambda m, r=rule: _replace(m, r.group), text)  # type: ignore[misc]
        return text

    def count(self, text: str) -> int:
        """How many values would be redacted (for notes and logs, never the values)."""
        return sum(len(r.pattern.findall(text)) for r in self.rules if text)


def _replace(m: re.Match[str], group: int) -> str:
    """The match with only `group` (the value) replaced: keys and separators stay readable."""
    if group == 0 or m.group(group) is None:
        return REDACTED
    whole = m.group(0)
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    return whole[:start] + REDACTED + whole[end:]


def parse_patterns(raw: str | None) -> list[str]:
    """PMDRAFT_REDACT_PATTERNS: a JSON list of regexes or preset names, or one per line."""
    if not raw or not raw.strip():
        return []
    raw = raw.strip()
    if raw.startswith("["):
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BadInput(ENV_PATTERNS, f"not a JSON list ({exc.msg})") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise BadInput(ENV_PATTERNS, "must be a JSON list of strings")
        return [i for i in items if i]
    return [line.strip() for line in raw.splitlines() if line.strip()]


def build_redactor(extra_patterns: Iterable[str] = ()) -> Redactor:
    rules = [Rule(name, re.compile(p), g) for name, p, g in _SECRETS]
    for i, p in enumerate(extra_patterns):
        source = PII_PRESETS.get(p.lower(), p)
        try:
            rules.append(Rule(p.lower() if p.lower() in PII_PRESETS else f"pattern_{i}", re.compile(source)))
        except re.error as exc:
            raise BadInput(ENV_PATTERNS, f"pattern {i + 1} is not a valid regex ({exc})") from None
    return Redactor(rules)


@lru_cache(maxsize=8)
def _cached(raw: str) -> Redactor:
    return build_redactor(parse_patterns(raw))


def default_redactor() -> Redactor:
    """Built-in secret patterns plus PMDRAFT_REDACT_PATTERNS from the environment."""
    return _cached(os.environ.get(ENV_PATTERNS, ""))


def redact(text: str) -> str:
    return default_redactor().redact(text)
