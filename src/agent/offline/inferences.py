"""The agent's decision points, and which one went wrong.

A decision point is an LLM output that led to a consequential action (a tool call that changes
something, a hand-off, an answer to a user). Each is scored on: how consequential its action is,
whether its text concludes rather than plans, whether people in the channel quote or discuss it,
and how much it shares with the finding that contradicts it. The drafter's pick is the earliest
strong candidate — the first wrong turn, not the last echo of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.offline.findings import ScoredMessage
from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.model.trace import Span, ToolCall
from tools.text import cues
from tools.text.actions import ActionClass, classify_tool, is_read_call, is_status_post
from tools.text.sentences import quotes_with_context, split_sentences
from tools.text.tokens import content_words

# "report": a status post or notification — it tells people a conclusion rather than acting on it.
_ACTION_WEIGHT: dict[str, float] = {
    "act": 2.0, "handoff": 1.3, "answer": 1.5, "report": 0.9, "neutral": 0.6, "read": 0.0,
}
MAX_QUOTE = 420
# Among near-equal candidates the earliest wins: the first wrong turn, not its repetitions.
EARLIEST_MARGIN = 0.35
# Share of an echo's words that must come from an earlier output for it to count as a repeat.
ECHO_OVERLAP = 0.3


@dataclass
class Candidate:
    span: Span
    action_class: str  # an ActionClass, or "report" for status posts
    action: str | None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    quote: str = ""
    led_to: str | None = None  # a later action this conclusion's plan led to
    link: float = 0.0  # how much the channel quotes/discusses this output (part of score)


@dataclass
class ChatSignals:
    """What the channel says about the agent's reasoning, precomputed once."""

    quotes: list[str]
    discussion_words: set[str]
    finding_words: set[str]
    quote_weight: dict[str, float] = field(default_factory=dict)


def chat_signals(index: EvidenceIndex, finding_texts: list[str]) -> ChatSignals:
    quotes: list[str] = []
    weights: dict[str, float] = {}
    discussion: set[str] = set()
    for m in index.messages:
        for q in quotes_with_context(m.text):
            if len(q.text) < 8:
                continue
            # A quote introduced as the agent's words ("its reasoning: '…'") is strong evidence;
            # a command in backticks much less so.
            w = 2.5 if cues.QUOTE_INTRO.search(q.before) else (0.8 if q.code else 1.6)
            if q.text not in weights:
                quotes.append(q.text)
            weights[q.text] = max(weights.get(q.text, 0.0), w)
        if not m.is_bot and _discusses_agent(m, index.agent_names):
            discussion.update(content_words(m.text))
    finding: set[str] = set()
    for t in finding_texts:
        finding.update(content_words(t))
    return ChatSignals(quotes, discussion, finding, weights)


def _discusses_agent(m: Message, agent_names: list[str]) -> bool:
    low = m.text.lower()
    if any(a and a.lower() in low for a in agent_names):
        return True
    return cues.count(cues.AGENT_REASONING, m.text) >= 2


def candidates(index: EvidenceIndex, signals: ChatSignals) -> list[Candidate]:
    llm = [s for s in index.llm_spans if s.output_text or s.output_tool_calls]
    last_by_parent: dict[str | None, Span] = {}
    for s in llm:
        last_by_parent[s.parent_id] = s
    out: list[Candidate] = []
    for s in llm:
        klass, action = classify_output(s, is_last=last_by_parent.get(s.parent_id) is s or s is llm[-1])
        c = Candidate(s, klass, action)
        _score(c, index, signals)
        c.quote = pick_quote(s, signals)
        out.append(c)
    _credit_plans(out)
    _credit_origins(out)
    return out


def _credit_origins(cands: list[Candidate]) -> None:
    """A later output that repeats an earlier conclusion (a status post, a case summary, the
    action's arguments) is an echo: what the channel says about the echo belongs to the output
    where the conclusion was first drawn."""
    for i, echo in enumerate(cands):
        if echo.link <= 0:
            continue
        # Only outputs that carry no reasoning of their own can be echoes: a status post, or a
        # call whose arguments are all the model wrote.
        if echo.span.output_text and echo.action_class != "report":
            continue
        echo_words = {_stem(w) for w in content_words(echo.span.recorded_output())}
        if len(echo_words) < 4:
            continue
        for origin in reversed(cands[max(0, i - 4) : i]):
            if origin.span.trace_id != echo.span.trace_id or origin.span.agent != echo.span.agent:
                continue
            if not origin.span.output_text:
                continue
            origin_words = {_stem(w) for w in content_words(origin.span.output_text)}
            shared = len(echo_words & origin_words) / min(len(echo_words), len(origin_words) or 1)
            if shared >= ECHO_OVERLAP:
                moved = echo.link * 0.5
                origin.score += moved
                origin.link += moved
                echo.score -= moved
                echo.link -= moved
                origin.reasons.append(f"its conclusion is repeated in span:{echo.span.span_id}")
                break


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > 5 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _credit_plans(cands: list[Candidate]) -> None:
    """A concluding output that is executed by the agent's next steps led to that action too.

    Agents often conclude in one call ("created_at is stored in UTC, so I'll convert it") and
    act in a later, terse one ("Running the backfill"). The conclusion gets part of the credit.
    """
    for i, c in enumerate(cands):
        if c.action_class not in ("read", "neutral", "report") or not cues.count(cues.CONCLUSION, c.span.output_text or ""):
            continue
        nxt = [d for d in cands[i + 1 : i + 4] if d.span.trace_id == c.span.trace_id and d.span.agent == c.span.agent]
        acted = next((d for d in nxt if d.action_class in ("act", "handoff", "answer")), None)
        if acted is not None:
            c.score += 0.6 * _ACTION_WEIGHT[acted.action_class]
            c.led_to = acted.action or acted.action_class
            c.reasons.append(f"its plan led to {c.led_to}")


def classify_output(span: Span, *, is_last: bool) -> tuple[str, str | None]:
    calls = span.output_tool_calls
    best: tuple[ActionClass, ToolCall | None] = ("read", None) if calls else ("neutral", None)
    order: list[ActionClass] = ["read", "neutral", "answer", "handoff", "act"]
    for call in calls:
        klass = classify_tool(call.name)
        if klass == "act" and is_read_call(call.name, call.arguments):
            klass = "read"
        better = order.index(klass) > order.index(best[0])
        # Among actions, one that changes something beats a status post about it.
        if not better and klass == best[0] == "act" and best[1] is not None:
            better = is_status_post(best[1].name) and not is_status_post(call.name)
        if better or best[1] is None:
            best = (klass, call)
    klass, chosen = best
    if chosen is not None:
        if klass == "act" and is_status_post(chosen.name):
            return "report", render_call(chosen)
        return klass, render_call(chosen)
    text = (span.output_text or "").strip()
    if text and is_last:
        return "answer", "answered: " + _clip(text, 100)
    return "neutral", None


def render_call(call: ToolCall) -> str:
    return f"{call.name}({_clip(call.arguments, 140)})"


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _score(c: Candidate, index: EvidenceIndex, signals: ChatSignals) -> None:
    s = c.span
    out = s.recorded_output()
    text = s.output_text or ""
    c.score += _ACTION_WEIGHT[c.action_class]
    c.reasons.append(f"action: {c.action_class}")
    concl = cues.count(cues.CONCLUSION, text or out)
    if concl:
        c.score += min(concl, 4) * 0.35
        c.reasons.append(f"concludes (x{concl})")
    if text and cues.count(cues.PLANNING, text) and concl <= 1:
        c.score -= 0.8
        c.reasons.append("plans rather than concludes")
    low = out.lower()
    quoted = sorted((signals.quote_weight.get(q, 1.6) for q in signals.quotes if q.lower() in low), reverse=True)
    if quoted:
        c.link += sum(quoted[:2])
        c.reasons.append("quoted in the channel")
    # The inference is in the words the agent wrote; arguments of its calls execute it and count
    # less (unless the call arguments are all it wrote, e.g. an approval summary).
    text_words = set(content_words(text))
    arg_words = set(content_words(" ".join(call.arguments for call in s.output_tool_calls))) - text_words
    arg_w = 0.4 if text_words else 1.0
    shared = len(text_words & signals.discussion_words) + arg_w * len(arg_words & signals.discussion_words)
    c.link += min(shared / 6.0, 2.0)
    fshared = len(text_words & signals.finding_words) + arg_w * len(arg_words & signals.finding_words)
    c.link += min(fshared / 4.0, 1.6)
    c.score += c.link
    if _reacts_to_error(c.span, index) and c.action_class == "act":
        c.score += 0.5
        c.reasons.append("acts on a failed tool result")


def _reacts_to_error(span: Span, index: EvidenceIndex) -> bool:
    """The LLM call comes right after a tool call that failed (acting on an error is a classic wrong turn)."""
    prev = index.last_tool_before(span)
    return prev is not None and prev.status == "error"


def pick_decision(cands: list[Candidate]) -> Candidate | None:
    """The earliest candidate close to the best score among those that acted or answered."""
    acting = [
        c for c in cands
        if c.action_class in ("act", "answer", "handoff", "report") or c.led_to
        or (c.action_class == "neutral" and cues.count(cues.CONCLUSION, c.span.output_text or ""))
    ] or cands
    if not acting:
        return None
    best = max(c.score for c in acting)
    for c in sorted(acting, key=lambda c: c.span.start_ns or 0):
        if c.score >= best - EARLIEST_MARGIN:
            return c
    return None


def pick_quote(span: Span, signals: ChatSignals) -> str:
    """The sentence(s) of the output that carry the inference, verbatim."""
    text = span.output_text or ""
    if not text.strip():
        # No prose: quote one call's arguments as recorded (joining several would not be verbatim).
        args = [c.arguments for c in span.output_tool_calls if c.arguments.strip()]
        text = max(args, key=lambda a: (_sentence_value(a, signals), len(a)), default="")
    if len(text.strip()) <= MAX_QUOTE:
        return text.strip()
    sents = split_sentences(text)
    best_i, best_v = 0, float("-inf")
    for i, sent in enumerate(sents):
        v = _sentence_value(sent.text, signals)
        if v > best_v:
            best_i, best_v = i, v
    lo = hi = best_i
    # Grow to neighbours that also carry weight, within the quote budget.
    while True:
        grown = False
        for j in (hi + 1, lo - 1):
            fits = 0 <= j < len(sents) and sents[max(hi, j)].end - sents[min(lo, j)].start <= MAX_QUOTE
            if fits and _sentence_value(sents[j].text, signals) > 0.8:
                lo, hi = min(lo, j), max(hi, j)
                grown = True
        if not grown:
            break
    return text[sents[lo].start : sents[hi].end]


def _sentence_value(sentence: str, signals: ChatSignals) -> float:
    low = sentence.lower()
    v = 0.0
    v += 3.0 * sum(1 for q in signals.quotes if q.lower() in low or (len(low) > 12 and low in q.lower()))
    words = set(content_words(sentence))
    v += 0.25 * len(words & signals.discussion_words)
    v += 0.2 * len(words & signals.finding_words)
    v += 0.5 * cues.count(cues.CONCLUSION, sentence)
    if cues.count(cues.PLANNING, sentence):
        v -= 1.0
    return v


def handoff_receiver(cands: list[Candidate], findings: list[ScoredMessage]) -> str | None:
    """The agent that came last among several, when the channel explains a loss in between."""
    first_seen: dict[str, int] = {}
    for c in cands:
        if c.span.agent and c.action_class != "read":
            first_seen.setdefault(c.span.agent, c.span.start_ns or 0)
    if len(first_seen) < 2:
        return None
    if not any(cues.count(cues.HANDOFF_LOSS, f.message.text) for f in findings[:6]):
        return None
    return max(first_seen, key=lambda a: first_seen[a])


# Share of the finding's words an output must already contain to count as saying the same thing.
AGREEMENT = 0.45


def agrees(c: Candidate, finding_text: str) -> bool:
    """The output states what the finding states: the agent's inference was right."""
    finding = set(content_words(finding_text))
    if len(finding) < 6:
        return False
    said = set(content_words(c.span.output_text or c.span.recorded_output()))
    return len(finding & said) / len(finding) >= AGREEMENT
