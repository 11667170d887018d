"""Trace-only failure attribution: which agent turn put the run on the wrong path.

The chat-driven heuristics (`inferences`, `findings`) lean on what people said about the agent.
Many incidents have little of that: a task, a multi-agent trace, and the known correct outcome.
This module reads the trace itself, with signals that hold in any domain:

* provenance — the run's final answer makes specific claims (numbers, names, quoted values) that
  the known correct outcome does not contain; the turn that first introduced them, or, when a
  tool printed them, the turn whose call produced that output, is where the error entered;
* unverified assertion — a turn that says it assumes, simulates, approximates or uses
  placeholder data instead of obtaining it;
* task drift — the first turn that restates the task shares little with the task as posed;
* rejected work — a later turn by another agent calls a turn's result wrong or irrelevant, or
  the code a turn asked to run failed.

Each agent turn (an LLM span with output) gets a score from these plus an optional prior per
span (the drafter's own decision-point score); the pick is the earliest turn close to the best,
the drafter's "first wrong turn, not the last echo of it" rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.offline.findings import ScoredMessage
from agent.offline.inferences import Candidate
from tools.evidence.index import EvidenceIndex
from tools.model.trace import Span
from tools.text.cues import count
from tools.text.sentences import split_sentences
from tools.text.tokens import STOPWORDS, contains_term, content_words, coverage, norm_text

# Weights of the signals, in units of the drafter's decision-point score (which runs ~1–6).
W_PROVENANCE = 3.0
W_UNVERIFIED = 1.2
W_DRIFT = 3.0
W_REJECTED = 1.5
W_FAILED = 0.4
W_PRIOR = 0.5
MARGIN = 0.35
DRIFT_BELOW = 0.5  # share of the task's words the first restatement must carry
MAX_CLAIMS = 8


def _c(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


# An answer being stated (the claim the run ends on).
ANSWER_MARK = re.compile(
    r"\bfinal (?:answer|output|result)s?\b|\b(?:the )?answer (?:is|was|would be)\b|\banswer\s*[:=]|"
    r"\bresult (?:is|was)\b|\bresult\s*:|\bconclusion\s*:",
    re.IGNORECASE,
)
# Sentences that state a settled result.
CONCLUDES = _c(
    r"\b(is|are|was|were) (confirmed|verified|indeed|correct|accurate)\b",
    r"\b(confirm|confirms|confirmed|verified|concluded?|determined|identified|found) (that|to be|as)\b",
    r"\b(accurately|correctly) (represents?|identifies|identified|reflects?)\b",
)
_CODE_BLOCK_RE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
MAX_ANSWER = 600
# A turn saying its facts are assumed, simulated or made up rather than obtained.
UNVERIFIED = _c(
    r"\bhypothetical(ly)?\b",
    r"\b(simulat\w+|mock(ed)?|dummy|placeholders?|synthetic|fictional|fictitious|made[- ]up)\b",
    r"\b(sample|example|illustrative|assumed|approximate[d]?|estimated|typical) (data|values?|numbers?|dataset|figures?|records?|file|density|prices?)\b",
    r"\bfor (demonstration|illustration|illustrative) purposes\b",
    r"\b(let'?s|we(?:'ll| will| can)?|i(?:'ll| will| can)?) (assume|suppose|pretend)\b",
    r"\bassuming (that |the |a |an |there )",
    r"\b(based on|from|using|rely on|relying on) (my|our|general|common|prior|internal|existing|background|standard) "
    r"(knowledge|information|understanding|reference data)\b",
    r"\b(roughly|approximately) (approximated|estimated)\b|\bcan be (roughly )?approximated\b",
)
# A later turn saying an earlier result was wrong or beside the point. The verdict must sit in a
# sentence that points back at earlier work, so page text or code that merely contains "wrong"
# is not a verdict.
REJECTION = _c(
    r"\b(incorrect|inaccurate|wrong|erroneous|irrelevant|unrelated|not relevant|misinterpret\w*)\b",
    r"\bnot (correct|accurate|useful|helpful|what we need)\b",
    r"\b(stalled|stuck|in a loop|looping|repeat\w* (the )?same|unsuccessful|failed to)\b",
    r"\b(no|not making) (new |forward |further )?progress\b",
    r"\bnot (been )?(successful|productive)\b",
    r"\b(have|has) not (yet )?(been able|found|succeeded|provided|yielded)\b|\bdid not (find|provide|yield|return)\b",
)
BACK_REFERENCE = re.compile(
    r"\b(previous|recent|last|earlier|above|so far|(the|this|that|these|those|its|their) "
    r"(search|searches|page|pages|result|results|output|code|answer|click|website|site|link|data|response|approach|"
    r"action|actions|attempt|attempts|step|steps|message|messages|information|list|value|values|calculation))\b",
    re.IGNORECASE,
)
_TERMINATION = re.compile(r"^\W*(terminate|exit|done|stop)\W*$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?<![\w.])-?\$?\d[\d,]*(?:\.\d+)?%?(?![\w])")
# Values are short: a quoted sentence is context, not a claim.
_QUOTED_RE = re.compile(r"\*\*([^*\n]{1,40})\*\*|\"([^\"\n]{1,40})\"|“([^”\n]{1,40})”|`([^`\n]{1,40})`|(?<![A-Za-z])'([^'\n]{2,40})'(?![A-Za-z])")
# Proper names: capitalized words on one line, with the usual lowercase joiners ("Bank of America").
_NAME_RE = re.compile(r"(?<![\w.])[A-Z][\w'’\-]*(?:[ \t]+(?:(?:of|the|de|la|von|van|and|&)[ \t]+)?[A-Z][\w'’\-]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[-*]\s+)$")


@dataclass
class Blame:
    span: Span
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, weight: float, reason: str) -> None:
        if weight:
            self.score += weight
            self.reasons.append(reason)


@dataclass
class Attribution:
    blames: list[Blame]
    pick: Blame | None
    final_answer: str | None = None
    claims: list[str] = field(default_factory=list)


def attribute(
    index: EvidenceIndex,
    *,
    task: str | None,
    truth: str | None,
    prior: dict[str, float] | None = None,
) -> Attribution:
    """Score every agent turn of the bundle and pick the first wrong one.

    `task` is what the agents were asked (the incident title or request), `truth` the known
    correct outcome (the established finding); `prior` maps span ids to an existing score.
    """
    turns = agent_turns(index)
    blames = {s.span_id: Blame(s) for s in turns}
    for b in blames.values():
        base = (prior or {}).get(b.span.span_id, 0.0)
        b.add(W_PRIOR * base, f"decision-point score {base:.1f}")
        _unverified(b)
    _, answer = final_answer(turns)
    claims = wrong_claims(answer, task, truth, index.agent_names) if answer else []
    _provenance(index, blames, claims)
    if task:
        _drift(blames, turns, task)
    _rejections(index, blames, turns)
    ordered = [blames[s.span_id] for s in turns]
    return Attribution(ordered, pick_first(ordered), answer, claims)


def trace_decision(
    index: EvidenceIndex, cands: list[Candidate], findings: list[ScoredMessage], task: str | None
) -> tuple[Candidate | None, Attribution]:
    """The drafter's decision point as trace-only attribution picks it.

    For incidents where the channel gives the chat heuristics nothing to go on (nobody quotes or
    discusses the agent): the candidates' scores are the prior, the top finding is the known
    correct outcome, the incident title or request is the task.
    """
    truth = findings[0].message.text if findings else None
    result = attribute(index, task=task, truth=truth, prior={c.span.span_id: c.score for c in cands})
    if result.pick is None:
        return None, result
    chosen = next((c for c in cands if c.span.span_id == result.pick.span.span_id), None)
    return chosen, result


def agent_turns(index: EvidenceIndex) -> list[Span]:
    return [s for s in index.llm_spans if (s.output_text or "").strip() or s.output_tool_calls]


def pick_first(blames: list[Blame]) -> Blame | None:
    if not blames:
        return None
    best = max(b.score for b in blames)
    return next(b for b in blames if b.score >= best - MARGIN)


# ---- the final answer and its claims --------------------------------------------------------
def final_answer(turns: list[Span]) -> tuple[Span | None, str | None]:
    """The answer the run ended on, from its last substantive turn.

    A last turn that still asks for something to be run or handed off has not concluded: there
    is no final answer to trace. Otherwise the answer is what follows the last answer marker
    ("final answer:", "the answer is"), or failing that the turn's prose without code.
    """
    last = next((s for s in reversed(turns) if not _TERMINATION.match((s.output_text or "").strip())), None)
    if last is None or last.output_tool_calls:
        return None, None
    text = (last.output_text or "").strip()
    marks = list(ANSWER_MARK.finditer(text))
    if marks:
        return last, _answer_clause(text, marks[-1].end())
    # No marker: the sentences that conclude or confirm carry the answer ("… is confirmed to be 3 m").
    prose = _CODE_BLOCK_RE.sub(" ", text)
    concluding = [x.text for x in split_sentences(prose) if count(CONCLUDES, x.text)]
    return (last, " ".join(concluding)[:MAX_ANSWER]) if concluding else (None, None)


def _answer_clause(text: str, start: int) -> str:
    # The answer is what follows the marker: the rest of its line, or the next line when the
    # marker ends one ("The final answer is:\n**42**").
    rest = text[start:].lstrip(" \t:*=")
    lines = [ln.strip(" \t*`") for ln in rest.split("\n")]
    first = next((ln for ln in lines if ln.strip(" *:`")), "")
    return first[:MAX_ANSWER]


def wrong_claims(answer: str, task: str | None, truth: str | None, agents: list[str] | None = None) -> list[str]:
    """Specific values in the answer that neither the task gave nor the correct outcome contains.

    Agent names are not claims ("As the Verification_Expert, …"), nor are they values.
    """
    given = _alnum((task or "") + "\n" + (truth or ""))
    names = [norm_text(a) for a in agents or [] if a]
    out: list[str] = []
    for term in _claim_terms(answer):
        if not _is_specific(term) or _alnum(term) in given or term in out:
            continue
        low = norm_text(term)
        if any(n.strip() and (n.strip() in low or low.strip() in n) for n in names):
            continue
        out.append(term)
    return out[:MAX_CLAIMS]


def _alnum(text: str) -> str:
    # Punctuation-blind form for "is this value the correct one?": "CSI Cyber" is "CSI: Cyber".
    return " " + " ".join(re.findall(r"[0-9a-z]+", text.casefold())) + " "


def _claim_terms(text: str) -> list[str]:
    terms = [m.group(0).strip("$%,") for m in _NUMBER_RE.finditer(text)]
    for m in _QUOTED_RE.finditer(text):
        value = next(g for g in m.groups() if g).strip()
        if not value.endswith(":"):  # "**Verified Zip Codes:**" labels a value, it is not one
            terms.append(value)
    for m in _NAME_RE.finditer(text):
        name = m.group(0)
        # A lone capitalized word opening a sentence ("Verify", "Based") is grammar, not a name.
        if " " not in name and _SENTENCE_START.search(text[: m.start()]) and not name.isupper():
            continue
        if text[m.end() : m.end() + 1] == ":":
            continue  # a label ("Distance Verification:"), not a value
        terms.append(name)
    return [t for t in terms if t]


def _is_specific(term: str) -> bool:
    digits = re.sub(r"\D", "", term)
    if digits and digits == re.sub(r"[\s,.$%-]", "", term):
        return len(digits) >= 2  # "2" occurs everywhere (list items, steps); "1,148" does not
    words = content_words(term)
    return bool(words) and not all(w in STOPWORDS or w in _ANSWER_WORDS for w in words)


# Words that frame an answer or say there is none: never the wrong value itself.
_ANSWER_WORDS = frozenset(
    """final answer result conclusion therefore thus hence terminate true false yes none unknown unable
    determine determined found available n/a na""".split()
)


def _provenance(index: EvidenceIndex, blames: dict[str, Blame], claims: list[str]) -> None:
    """Each wrong claim credits the turn that first introduced it (equal shares per claim)."""
    if not claims:
        return
    share = 1.0 / len(claims)
    for term in claims:
        origin = first_mention(index, term)
        if origin is None or origin.kind not in ("llm", "tool"):
            continue  # unseen, or given by a person: not introduced by an agent
        turn = origin if origin.kind == "llm" else requester(index, origin)
        if turn is not None and turn.span_id in blames:
            via = "" if turn is origin else f" (printed by {origin.tool_name or origin.name})"
            blames[turn.span_id].add(W_PROVENANCE * share, f"introduced {term!r} of the wrong final answer{via}")


def first_mention(index: EvidenceIndex, term: str) -> Span | None:
    for s in index.spans:
        text = _produced(s)
        if text and _mentions(index.norm(f"out:{s.span_id}", text), term):
            return s
    return None


def _mentions(normalized_text: str, term: str) -> bool:
    # Normalize the term like the text ("12,480" → "12 480"), or punctuated values never match.
    return contains_term(normalized_text, " ".join(norm_text(term).split()))


def _produced(span: Span) -> str:
    # What the span put into the run: an agent's or tool's output; for a person's turn, its text.
    if span.kind in ("llm", "tool", "retrieval"):
        return span.recorded_output()
    return span.input_text or span.output_text or ""


def requester(index: EvidenceIndex, tool: Span) -> Span | None:
    """The agent turn whose call a tool span executed: an LLM ancestor, else the last LLM turn before it.

    Exporters nest a tool span under the agent or chain span, beside (after) the LLM call that
    asked for it, so the nearest earlier LLM turn of the same trace is the one that asked.
    """
    for a in index.ancestors(tool):
        if a.kind == "llm":
            return a
    start = tool.start_ns or 0
    before = [s for s in index.llm_spans if s.trace_id == tool.trace_id and (s.start_ns or 0) <= start]
    return before[-1] if before else None


# ---- per-turn signals -----------------------------------------------------------------------
def _unverified(b: Blame) -> None:
    text = b.span.output_text or ""
    n = count(UNVERIFIED, text)
    if n:
        b.add(W_UNVERIFIED * min(n, 3), f"asserts unverified facts (x{n})")


def _drift(blames: dict[str, Blame], turns: list[Span], task: str) -> None:
    """The first turn restating the task should carry most of it; little overlap means drift."""
    task_words = set(content_words(task))
    if len(task_words) < 5 or not turns:
        return
    first = turns[0]
    cov = coverage(task_words, content_words(first.recorded_output()))
    if cov < DRIFT_BELOW:
        blames[first.span_id].add(W_DRIFT * (1 - cov / DRIFT_BELOW), f"restates only {cov:.0%} of the task")


def _rejections(index: EvidenceIndex, blames: dict[str, Blame], turns: list[Span]) -> None:
    for s in index.spans:
        if s.kind == "tool" and s.status == "error":
            turn = requester(index, s)
            if turn is not None and turn.span_id in blames:
                blames[turn.span_id].add(W_FAILED, f"its call failed ({s.tool_name or s.name})")
    for i, s in enumerate(turns):
        if not _rejects(s.output_text or ""):
            continue
        prev = next((t for t in reversed(turns[:i]) if t.agent != s.agent), None)
        if prev is not None:
            blames[prev.span_id].add(W_REJECTED, f"{s.agent or 'a later turn'} called its result wrong or irrelevant")


def _rejects(text: str) -> bool:
    for pattern in REJECTION:
        for m in pattern.finditer(text):
            if BACK_REFERENCE.search(_sentence_at(text, m.start(), m.end())):
                return True
    return False


def _sentence_at(text: str, start: int, end: int) -> str:
    # A cheap sentence window around a match: long page dumps make full sentence splitting costly.
    lo = max(text.rfind(ch, 0, start) for ch in ".!?\n") + 1
    hi = min((i for i in (text.find(ch, end) for ch in ".!?\n") if i >= 0), default=len(text))
    return text[lo:hi]
