"""The signal the agent missed, and whether it was in the agent's context before its decision.

Candidates come from what people said after the decision, weighted towards the finding
messages and towards sentences that explain an absence ("queue_diagnostics only looks at the
consumer side — no producer heartbeat"): identifiers, short quoted snippets, the objects of
absence, and the sources that showed the truth ("the changelog entry says so"). Terms that merely
restate the agent's own inference ("never deadlocked") are discounted: the signal is what
contradicts the inference, not the inference.

The in-context answer is read from the trace, not guessed: the term (or the numbers stated with
it) is searched in what the agent had seen — its input messages, the tool outputs and documents
it was fed before the decision. The channel's wording ("it had that diff in its own tool output")
only decides when the trace search finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.draft import MissedSignal
from agent.offline.findings import ScoredMessage
from tools.evidence.index import ContextPiece, EvidenceIndex
from tools.model.chat import Message
from tools.model.trace import Span
from tools.text import cues
from tools.text.sentences import split_sentences
from tools.text.terms import GENERIC, absences, identifiers, is_ticket_key, numbers, quoted, sources
from tools.text.tokens import content_words, norm_term

MAX_SIGNALS = 3
_KIND_WEIGHT = {"absent": 1.6, "source": 1.3, "ident": 1.0, "quote": 0.8}
_BELIEF = re.compile(
    r"\b(decided|concluded|assumed|thought|believed|treated|read (it|that|this) as|took (it|that) for|called it|"
    r"figured|reasoning|rationale|never|not|no longer|wasn'?t|weren'?t)\b",
    re.IGNORECASE,
)
_SUFFIX = re.compile(r"(ing|ed|es|s|ly)$")


@dataclass
class SignalCandidate:
    term: str
    score: float = 0.0
    sentence: str = ""
    message: Message | None = None
    sentence_weight: float = 0.0
    mentions: int = 0
    kinds: set[str] = field(default_factory=set)
    gains: list[float] = field(default_factory=list)

    def total(self) -> float:
        """The best mention counts fully; repeats add a little (frequent ≠ decisive)."""
        g = sorted(self.gains, reverse=True)
        return (g[0] + 0.25 * sum(g[1:])) if g else 0.0


def stem(word: str) -> str:
    w = word.lower()
    return _SUFFIX.sub("", w) if len(w) > 5 else w


def missed_signals(
    index: EvidenceIndex, findings: list[ScoredMessage], decision: Span | None
) -> list[MissedSignal]:
    if decision is None or not findings:
        return []
    excluded = _excluded(index)
    out_stems = {stem(w) for w in content_words(decision.recorded_output())}
    refs = _referents(index)
    cands: dict[str, SignalCandidate] = {}
    for msg, weight in _message_weights(findings):
        # A message about the agent's own decision (it shares that decision's words) explains the
        # miss; one about a side issue (why the model was weak, clean-up) much less so.
        shared = len({stem(w) for w in content_words(msg.text)} & out_stems)
        weight *= 0.6 + 0.8 * min(1.0, shared / 5.0)
        for sent in split_sentences(msg.text):
            _collect(cands, msg, sent.text, weight, excluded, out_stems, refs)
    ranked = _distinct(_merge(cands))[:MAX_SIGNALS]
    context = index.agent_context(decision)
    return [_to_signal(c, index, context) for c in ranked if c.message is not None]


def _collect(
    cands: dict[str, SignalCandidate], msg: Message, sentence: str, weight: float,
    excluded: set[str], out_stems: set[str], refs: re.Pattern[str] | None,
) -> None:
    absent = min(cues.count(cues.SIGNAL_ABSENT, sentence) + cues.count(cues.SIGNAL_PRESENT, sentence), 2)
    sw = weight * (1.0 + 0.35 * absent)
    if absent and refs is not None and refs.search(sentence):
        sw += 1.5  # "queue_diagnostics only looks at…", "the agent never saw…": an explanation of the miss
    belief = bool(_BELIEF.search(sentence))
    for term in absences(sentence) + sources(sentence) + identifiers(sentence) + quoted(sentence):
        key = norm_term(term.text)
        if not key or key in excluded or key in GENERIC or is_ticket_key(term.text):
            continue
        gain = sw * _KIND_WEIGHT[term.kind]
        term_stems = {stem(w) for w in content_words(term.text)}
        if term_stems and len(term_stems & out_stems) / len(term_stems) >= 0.5:
            # The agent said this itself: when the sentence is about its belief, it is the inference.
            gain *= 0.3 if belief else 0.6
        c = cands.setdefault(key, SignalCandidate(term.text))
        if sw > c.sentence_weight:
            c.sentence, c.message, c.sentence_weight = sentence, msg, sw
        c.gains.append(gain)
        c.mentions += 1
        c.kinds.add(term.kind)


def _message_weights(findings: list[ScoredMessage]) -> list[tuple[Message, float]]:
    """The best finding counts most; others in proportion to how finding-like they are."""
    top = max(findings[0].score, 1e-6)
    out: list[tuple[Message, float]] = []
    for rank, s in enumerate(findings[:12]):
        ratio = max(s.score, 0.0) / top
        out.append((s.message, max(2.0 * ratio, 0.15) if rank else 2.0))
    return out


def _referents(index: EvidenceIndex) -> re.Pattern[str] | None:
    """Words that refer to the agent or one of its tools."""
    names = {n for n in index.agent_names if n} | {s.tool_name or s.name for s in index.spans if s.kind == "tool"}
    names = {n for n in names if n and len(n) > 2}
    alts = [r"the (agent|bot|assistant|model|tool|wrapper)", r"\bit (had|saw|got|never|only|read)"]
    alts += [re.escape(n) for n in sorted(names, key=len, reverse=True)]
    return re.compile("|".join(alts), re.IGNORECASE)


def _excluded(index: EvidenceIndex) -> set[str]:
    """People, agents, tools, the affected services and the incident id never are the signal."""
    out = {norm_term(m.author) for m in index.messages}
    for m in index.messages:
        out.update(norm_term(part) for part in m.author.split())
    out.update(norm_term(a) for a in index.agent_names)
    out.update(norm_term(s.tool_name or s.name) for s in index.spans if s.kind in ("tool", "agent"))
    out.update(norm_term(s) for s in index.bundle.meta.services)
    out.add(norm_term(index.bundle.meta.id))
    return {o for o in out if o}


def _merge(cands: dict[str, SignalCandidate]) -> list[SignalCandidate]:
    """Fold a term into a longer one that contains it ('producer heartbeat' into
    'orders producer heartbeat'): mentions of one signal in different words add up."""
    for c in cands.values():
        c.score = c.total()
    ranked = sorted(cands.values(), key=lambda c: -c.score)
    keys = {id(c): f" {norm_term(c.term)} " for c in ranked}
    for small in ranked:
        for big in ranked:
            if big is small or big.score <= 0 or small.score <= 0:
                continue
            # Only short phrases absorb: a long quote containing a word is not that word's signal.
            if keys[id(small)] in keys[id(big)] and len(keys[id(big)].split()) <= 4:
                winner, loser = (big, small) if big.score >= small.score else (small, big)
                winner.score += loser.score
                winner.mentions += loser.mentions
                if loser.sentence_weight > winner.sentence_weight:
                    winner.sentence, winner.message = loser.sentence, loser.message
                    winner.sentence_weight = loser.sentence_weight
                loser.score = 0.0
    return sorted((c for c in ranked if c.score > 0), key=lambda c: -c.score)


def _distinct(ranked: list[SignalCandidate]) -> list[SignalCandidate]:
    """One signal per sentence: a second term from the same sentence adds nothing for the reader."""
    kept: list[SignalCandidate] = []
    for c in ranked:
        if any(c.sentence == k.sentence for k in kept):
            continue
        kept.append(c)
    return kept


def _to_signal(c: SignalCandidate, index: EvidenceIndex, context: list[ContextPiece]) -> MissedSignal:
    assert c.message is not None
    hits = index.find_in_context(c.term, context)
    if hits and _is_generic_word(c.term):
        # A plain word ("header", "timeout") turning up somewhere in the context says little;
        # require a specific term from the same explanation to be there too.
        specific = [t.text for t in identifiers(c.message.text) if norm_term(t.text) != norm_term(c.term)]
        hits = [h for h in hits if any(index.find_in_context(t, [p for p in context if p.ref == h]) for t in specific)]
    how = "term"
    if not hits:
        for num in numbers(c.sentence):
            hits = index.find_in_context(num, context)
            if hits:
                how = f"value {num}"
                break
    in_context: bool
    if hits:
        in_context = True
    elif cues.count(cues.SIGNAL_PRESENT, c.sentence) and not cues.count(cues.SIGNAL_ABSENT, c.sentence):
        in_context = True  # the channel says the agent had it, in words the trace search cannot match
        how = "channel"
    else:
        in_context = False
    return MissedSignal(
        name=c.term,
        description=c.sentence,
        in_agent_context=in_context,
        source=_source(c, index, hits, how),
        evidence=[c.message.ref, *hits[:3]],
        context_refs=hits[:5],
    )


def _is_generic_word(term: str) -> bool:
    """One lowercase dictionary-looking word: no digits, separators or capitals."""
    return bool(re.fullmatch(r"[a-z]+", term))


def _source(c: SignalCandidate, index: EvidenceIndex, hits: list[str], how: str) -> str:
    if hits:
        span = index.span(hits[0])
        where = (span.tool_name or span.name) if span else hits[0]
        kind = "the agent's input messages" if span and span.kind == "llm" else f"{where} output"
        return f"in {kind} before the decision (matched by {how})"
    if how == "channel":
        return "in the agent's context per the channel (not matched verbatim in the trace)"
    tools = _tools_named(c.message.text if c.message else "", index)
    if tools:
        return f"not in the agent's context; should have come from {', '.join(tools)}"
    return "not in the agent's context; no tool or document the agent used returned it"


def _tools_named(text: str, index: EvidenceIndex) -> list[str]:
    names = {s.tool_name or s.name for s in index.spans if s.kind in ("tool", "retrieval")}
    ws = set(content_words(text))
    low = text.lower()
    return sorted(n for n in names if n and (n.lower() in ws or n.lower() in low))
