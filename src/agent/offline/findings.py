"""Which human messages state what actually happened (the finding), as opposed to theories.

Incident channels follow a pattern: theories ("could it be the deploy?"), dismissals ("no, the
cache is fresh"), then a message that establishes the cause, usually long, concrete and
explanatory, often contradicting what the agent concluded. Each human message gets a score from
general cues (`tools.text.cues`), its concreteness, its place in the conversation and its overlap
with the agent's own reasoning; dismissed theories are penalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.text import cues
from tools.text.tokens import content_words

_CONCRETE_RE = re.compile(r"\d|`|[a-z]+_[a-z]+|\b[a-z0-9-]+\.[a-z]{2,}\b|\bv\d", re.IGNORECASE)


@dataclass
class ScoredMessage:
    message: Message
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.message.ref


def score_findings(index: EvidenceIndex, *, after_ns: int | None, agent_text: str = "") -> list[ScoredMessage]:
    """Human messages ranked by how much they read like the established finding."""
    humans = index.human_messages
    if not humans:
        return []
    agent_words = set(content_words(agent_text))
    dismissed = _dismissed_refs(humans)
    n = len(humans)
    scored: list[ScoredMessage] = []
    for pos, m in enumerate(humans):
        s = _score_one(m, pos, n, agent_words, m.ref in dismissed)
        if after_ns is not None and index.message_ns(m) < after_ns:
            s.score -= 2.0
            s.reasons.append("before the agent's decision")
        scored.append(s)
    scored.sort(key=lambda s: -s.score)
    return scored


def _score_one(m: Message, pos: int, n: int, agent_words: set[str], dismissed: bool) -> ScoredMessage:
    text = m.text
    reasons: list[str] = []
    score = 0.0
    f = cues.count(cues.FINDING, text)
    if f:
        score += min(f, 4) * 1.0
        reasons.append(f"finding cues x{f}")
    t = cues.count(cues.THEORY, text)
    if t:
        score -= min(t, 3) * 0.9
        reasons.append(f"theory cues x{t}")
    if cues.count(cues.DISMISSAL, text):
        score -= 0.6
    words = content_words(text)
    # Findings explain: they are long and concrete (numbers, identifiers, versions, hosts).
    score += min(len(words) / 18.0, 2.0)
    concrete = len(_CONCRETE_RE.findall(text))
    score += min(concrete, 6) * 0.15
    if agent_words and words:
        shared = len(set(words) & agent_words)
        score += min(shared, 8) * 0.12
    if cues.count(cues.AGENT_REASONING, text) >= 2:
        score += 0.6
        reasons.append("talks about the agent's reasoning")
    # Findings come after the theories; the last quarter of the channel is mostly clean-up.
    rel = pos / max(n - 1, 1)
    score += 0.8 * (1.0 - abs(rel - 0.55) * 1.6)
    if dismissed:
        score -= 1.5
        reasons.append("dismissed by a later reply")
    return ScoredMessage(m, score, reasons)


def _dismissed_refs(humans: list[Message]) -> set[str]:
    """Theories that the next reply (in the thread, or the next message) dismisses."""
    out: set[str] = set()
    for i, m in enumerate(humans[:-1]):
        if not cues.count(cues.THEORY, m.text):
            continue
        replies = [r for r in humans[i + 1 : i + 4] if _same_thread(m, r)]
        if replies and cues.count(cues.DISMISSAL, replies[0].text):
            out.add(m.ref)
    return out


def _same_thread(a: Message, b: Message) -> bool:
    ta = a.thread_ts or a.ts
    tb = b.thread_ts or b.ts
    return ta == tb or b.thread_ts is None or a.thread_ts is None


@dataclass
class Vindication:
    message: Message
    agent: str | None  # the agent the channel says was right; None = "the agent" / "it"


def vindication(index: EvidenceIndex) -> list[Vindication]:
    """Human messages saying an agent's own inference was right (the failure was elsewhere)."""
    names = _agent_refs(index.agent_names)
    out: list[Vindication] = []
    for m in index.human_messages:
        found, agent = _vindicated(m.text, names)
        if found:
            out.append(Vindication(m, agent))
    return out


def _vindicated(text: str, names: dict[str, str]) -> tuple[bool, str | None]:
    """Whether the text vindicates an agent, and which one (None when it says "the agent"/"it")."""
    for ref, agent in sorted(names.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(ref)}\b\W+(?:[\w'-]+\W+){{0,5}}?{cues.VINDICATION_PHRASE}", text, re.I):
            return True, agent
    if re.search(rf"\b({cues.GENERIC_AGENT_REF})\b\W+(?:[\w'-]+\W+){{0,5}}?{cues.VINDICATION_PHRASE}", text, re.I):
        return True, None
    return bool(cues.count(cues.VINDICATION_GENERIC, text)), None


def _agent_refs(agent_names: list[str]) -> dict[str, str]:
    """How people refer to each agent: its name, and the distinctive parts of it
    ('survey-extractor' → 'the extractor')."""
    refs: dict[str, str] = {}
    for name in agent_names:
        if not name:
            continue
        refs[name.lower()] = name
        for part in re.split(r"[-_. ]+", name.lower()):
            if len(part) > 3 and part not in _GENERIC_PARTS:
                refs.setdefault(part, name)
    return refs


_GENERIC_PARTS = frozenset({"agent", "bot", "assistant", "service", "worker", "model", "prod", "production"})


def score_corrections(index: EvidenceIndex, *, after_ns: int | None, claim: str) -> list[ScoredMessage]:
    """Human messages that restate the truth about what the agent claimed: they share the claim's
    subject (its words) and read as a summary or a correction rather than a question."""
    claim_words = set(content_words(claim))
    if not claim_words:
        return []
    out: list[ScoredMessage] = []
    for m in index.human_messages:
        if after_ns is not None and index.message_ns(m) < after_ns:
            continue
        words = set(content_words(m.text))
        shared = len(words & claim_words) / min(len(claim_words), 10)
        score = 2.0 * shared + 0.8 * cues.count(cues.CORRECTION, m.text) + 0.4 * min(cues.count(cues.FINDING, m.text), 2)
        score -= 1.0 * cues.count(cues.THEORY, m.text)
        if shared > 0:
            out.append(ScoredMessage(m, score, ["restates the truth about the agent's claim"]))
    out.sort(key=lambda s: -s.score)
    return out
