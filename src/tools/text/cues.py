"""Language cues in incident chat and agent output, as compiled patterns with weights.

These describe how people and agents talk during incidents in general — a finding versus a
theory, a correction, a vindication of the agent, a conclusion in an LLM's output — not any
particular incident. Each pattern is a regular expression matched case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


class Cues(tuple[re.Pattern[str], ...]):
    """A cue's patterns, with the counts already computed per text.

    The engine asks about the same text many times (a message is ranked as a finding before and
    after the decision is known, an output is scored and then checked for a plan); at 20k
    messages and 30k LLM outputs the repeats cost seconds. The memo is bounded and emptied by
    `forget_texts()`, so a long-lived process does not keep old incidents' texts alive.
    """

    memo: dict[str, int]


MEMO_LIMIT = 100_000
_ALL: list[Cues] = []


def _c(*patterns: str) -> Cues:
    cue = Cues(re.compile(p, re.IGNORECASE) for p in patterns)
    cue.memo = {}
    _ALL.append(cue)
    return cue


def count(patterns: Sequence[re.Pattern[str]], text: str) -> int:
    """How many of the patterns occur in `text`."""
    memo = patterns.memo if isinstance(patterns, Cues) else None
    if memo is None:
        return sum(1 for p in patterns if p.search(text))
    n = memo.get(text)
    if n is None:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        n = memo[text] = sum(1 for p in patterns if p.search(text))
    return n


def forget_texts() -> None:
    """Drop every memoized count (the texts of incidents already drafted)."""
    for cue in _ALL:
        cue.memo.clear()


# A human stating what actually happened.
FINDING = _c(
    r"\bfound (it|the (cause|problem|issue|bug))\b",
    r"\broot[- ]?cause\b",
    r"\b(got it|that'?s it|that is it|there it is|bingo|aha)\b",
    r"\bconfirmed\b",
    r"\bturns out\b",
    r"\bthe (real |actual )?(problem|issue|cause|reason|culprit|bug) (is|was|here)\b",
    r"\b(caused by|is why|that'?s why|which is why|the reason)\b",
    r"\breproduced\b",
    r"\b(it'?s|it was|this is|that'?s) (the|a|an|our) [\w\- ]{0,30}(bug|regression|injection|leak|problem|issue)\b",
    r"\bclassic\b",
    r"\bnot (a|an|the) [\w\- ]{2,30}(at all|problem|issue)\b",
    r"\b(is|was|were) (wrong|stale|outdated|out of date|superseded|missing|empty|never)\b",
    r"\b(never|no such|there is no|there'?s no|doesn'?t exist|does not exist)\b",
    r"\bmeans\b",
    r"\bso (the|it|nothing|every|this)\b",
    r"\bbecause\b",
)

# A human restating what was true, as a summary or a correction of the agent ("so: she filled
# 60 tablets on October 1 … an early refill", "for the record: …", "it should have …").
CORRECTION = _c(
    r"^\s*so\b[\s:,]",
    r"\b(for the record|to be clear|to sum up|in short|in summary|bottom line|long story short)\b",
    r"\bshould have (been|said|done|inferred|concluded|read|treated|flagged|escalated)\b",
    r"\b(what it should have|the right (answer|call|reading) (is|was|would have been))\b",
    r"\b(actually|in fact|instead|rather than)\b",
    r"\bnot [\w\- ]{1,30}\bbut\b",
)

# A human floating a theory or asking.
THEORY = _c(
    r"\?\s*$",
    r"\b(could|might|may) (it|this|that|they) (be|have)\b",
    r"\b(maybe|perhaps|possibly|i wonder|any chance|my guess|i suspect|probably)\b",
    r"\bwhat about\b",
    r"\b(could be|might be)\b",
    r"^\s*(is|are|was|were|did|does|do|has|have|can|could|should|any)\b",
)

# A human dismissing a theory ("not that", "ruled out") — the message is about a dead end.
DISMISSAL = _c(
    r"^\s*(no|nope|nah|not that|negative)\b",
    r"\bruled? out\b",
    r"\b(can'?t|cannot) (make|explain|be)\b",
    r"\b(is|are|looks?) (fine|normal|healthy|green|flat|fresh)\b",
    r"\bnot (it|that|the cause)\b",
)

# Humans saying an agent's own inference was right (the failure lay elsewhere). The phrase must
# follow a reference to the agent within a few words ("the extractor got it right", "it did its
# job"): "which was right" about some other thing is not a vindication.
VINDICATION_PHRASE = (
    r"(had it right|got it right|was right|were right|was correct|nailed it|was spot on|did (its|it's|their) job|"
    r"(says|said|flagged|called out|found) exactly (this|that|what|the)|"
    r"(assessment|diagnosis|analysis|recommendation|conclusion|warning|call) was (right|correct|accurate|spot on))"
)
VINDICATION_GENERIC = _c(
    r"\b(problem|issue|fault|failure)\b[^.]{0,40}\bnot (the|with the) (agent|bot|assistant|model)\b",
    r"\bnot (on )?the (agent|bot|assistant|model)('s)? (fault|problem)\b",
)
GENERIC_AGENT_REF = r"the (agent|bot|assistant|model|ai)|it|its"


# Words that tie a message to the agent's reasoning.
AGENT_REASONING = _c(
    r"\b(agent|bot|assistant|model|llm|copilot|ai)\b",
    r"\b(decided|decide|concluded|assumed|assume|thought|think|thinks|believed|believe|treated|"
    r"read (it|that|this) as|took (it|that) for|called it|figured|reasoning|rationale|inferred|hallucinat\w*|"
    r"made up|invented|answered|quoted|said)\b",
)

# Words that introduce a quote of the agent's own reasoning or output.
QUOTE_INTRO = re.compile(
    r"\b(said|says|say|wrote|writes|reasoning|rationale|decided|concluded|thought|answered|replied|told|"
    r"claimed|called it|called this|summary|approval said|verdict|its (own )?(words|answer|message))\b[^\"“`]{0,25}$",
    re.IGNORECASE,
)

# Information lost between two agents (or an agent and a system) on the way: the receiver decided
# on what was left.
HANDOFF_LOSS = _c(
    r"\b(dropp(ed|ing|s)|truncat\w+|got lost|was lost|cut off|stripped)\b",
    r"\bonly (passed|passes|kept|keeps|took|takes|gave|gives|carried|carries|delivered|delivers|forwarded|read)\b",
    r"\b(never|didn'?t|did not) (reach(ed)?|make it|got through|pass(ed)?|carr(y|ied)|include[sd]?)\b",
    r"\b(keeps?|kept|limited to|capped at) \d+\b",
    r"\bremoved exactly\b",
)

# Conclusions in an LLM's output (the inference, as opposed to a plan to look further).
CONCLUSION = _c(
    r"\b(risk|severity|priority|rating|status|result|outcome|urgency|classification|category)\s*[:=]\s*\w+",
    r"\b(diagnosis|root cause|conclusion|verdict|assessment|determination)\b",
    r"\b(is|are|was|were) (caused|due|a|an|the|not|likely|probably|safe|transient|unrelated|benign|expected)\b",
    r"\b(likely|probably|appears to|seems to|indicates|suggests|consistent with|matches|confirms?)\b",
    r"\b(because|therefore|so i|since|given that|which means)\b",
    r"\b(false positive|no (matches|issues|impact|risk)|not (applied|needed|required|related|relevant))\b",
    r"\b(safe to|no need to|nothing to|won'?t|will not)\b",
)

# Filler outputs that plan to look rather than conclude.
PLANNING = _c(
    r"^\s*(let me|i'?ll (check|look|start|pull|fetch|get|search|query|read|first)|first,? i'?ll|checking|looking)\b",
)

# Sentences that say the signal was or was not visible to the agent.
SIGNAL_ABSENT = _c(
    r"\bnever (saw|had|got|knew|made it|reached|returned|shows?|showed|included|carried|sees)\b",
    r"\b(wasn'?t|was not|isn'?t|is not|weren'?t) (anywhere |even )?(in|part of|included|returned|shown|visible|there)\b",
    r"\bonly (gives|returns|looks at|shows|renders|includes|has|reports|sees|reads)\b",
    r"\b(no|without|nothing about|nothing that|doesn'?t (return|include|show|carry|report)|"
    r"does not (return|include|show|carry|report))\b",
    r"\b(didn'?t|did not) (see|know|get|have|read|return)\b",
    r"\b(stale|outdated|old version|hasn'?t (refreshed|synced|updated)|stopped refreshing|failing since|"
    r"not refreshed|never removed|superseded)\b",
    r"\b(swallow\w*|catches the exception|returned (an )?empty|empty (list|result)|status ok)\b",
)

SIGNAL_PRESENT = _c(
    r"\b(had|saw|got|read) (that|the|it|this)[\w\- ]{0,30} in (its|it'?s|their) (own )?(tool output|context|output|input|results?)\b",
    r"\b(was|were) (right )?(in|there in) (its|it'?s|the agent'?s) (own )?(context|tool output|output|input|results?)\b",
    r"\b(the )?tool output says so\b",
    r"\b(ignored|dismissed|overlooked|called it unrelated|disregarded|explicitly)\b",
    r"\b(it|the agent|the bot|the model) (had|saw|was given|was told)\b",
)

# Category cues in explanatory messages (used by the root-cause split).
TOOL_CUES = _c(
    r"\b(tool|wrapper|api|endpoint|function|integration|client|sdk)\b[^.]{0,60}\b(only|never|doesn'?t|does not|"
    r"no|without|returns?|returned|catches|swallow\w*|drops?|hides?|gives)\b",
    r"\b(only (gives|returns|looks at|shows|reports))\b",
    r"\b(no|without an?) (idempotency|status|error|retry|dedupe|header|field|flag)\b",
    r"\b(swallow\w*|catches the exception|returned (an )?empty|empty (list|result)|status ok)\b",
    r"\btool (should|could) have (told|returned|said|shown)\b",
    r"\b(schema|contract|payload|description|docstring|tool docs?) (doesn'?t|does not|lacks|has no|never)\b",
    r"\b(doesn'?t|does not|never) (mention|say|document|expose|surface|report)s?\b",
    r"\b(turns|turned|maps|mapped|converts|converted) (any |every |the )?[\w\- ]{0,30}into\b",
    r"\b(truncat\w+|cap(s|ped)? (at|to)|only (keeps|kept|passes|passed|takes|took))\b",
)
DATA_CUES = _c(
    r"\b(stale|outdated|out of date|old version|superseded|obsolete|deprecated)\b",
    r"\b(never (removed|deleted|updated|refreshed|synced))\b",
    r"\b(hasn'?t|has not|hadn'?t) (been )?(refreshed|synced|updated|re-?indexed)\b",
    r"\b(sync|refresh|export|import|index\w*|catalog|crawl\w*)\b[^.]{0,40}\b(fail\w*|broken|expired|stopped|behind)\b",
    r"\b(no|missing) (article|doc|document|entry|record|page|policy)\b",
    r"\b(index|kb|knowledge base|docs?|map|catalog|directory|wiki|config file|table|list|feed|export|cmdb|"
    r"registry|roster|mapping|dataset)\b[^.]{0,40}\b(wrong|stale|still|old|outdated|dated|out of date)\b",
    r"\b(import|export|sync|refresh|ingestion|ingest|etl|load|crawl|backfill)( job)?\b[^.]{0,40}\b(fail\w*|broken|"
    r"skip\w*|stopped|behind|lag\w*)\b",
    r"\b(isn'?t|is not|wasn'?t|was not|never) (in|part of) the (index|kb|table|list|catalog|docs?|map|feed|export)\b",
    r"\b(not ours|no longer ours|released back|reassigned|moved to)\b",
    r"\b(schema change|format change|changed (the )?(file )?(layout|format|schema|locale))\b",
    r"\bstill (says|said|lists|listed|shows|showed|has|had|points|pointed|maps|mapped|contains|reads)\b",
    r"\b(old|previous|last year'?s|outdated|wrong) (version|layer|map|table|list|row|entry|record|schedule|mapping|"
    r"tag|zone|rate|value)s?\b",
    r"\b(import|load|sync|migration|backfill|remap\w*)\b[^.]{0,40}\b(partial|incomplete|missing|skipped|"
    r"didn'?t|wasn'?t|never)\b",
    r"\b(points|pointed|mapped|maps) to the wrong\b",
)
HANDOFF_CUES = _c(
    r"\b(approv\w+)\b",
    r"\b(escalat\w+|paged?|paging|on-?call|queue|ticket|intake|triage queue|p[1-4])\b[^.]{0,60}\b(nobody|no one|"
    r"never|unread|unwatched|didn'?t|wasn'?t|only|twice a day|dropped)\b",
    r"\b(handoff|hand-?off|handed (off|over)|summary (didn'?t|did not|without)|only renders|nobody (opens|reads|looks))\b",
    r"\bdropped (it )?on the floor\b",
    r"\b(no way to page|no rollback tool|couldn'?t act|can'?t act|no permission to)\b",
    r"\b(console|screen|card|ui|dashboard|page|summary|form|approval|ticket)\b[^.]{0,30}\b(only )?(shows|showed|"
    r"displays|displayed|renders|rendered)\b[^.]{0,30}\b(only|not|never|no)\b",
    r"\b(other|new|different|separate) (session|conversation|thread|shift|agent)\b[^.]{0,40}\b(never|didn'?t|"
    r"doesn'?t|not)\b",
)
AGENT_CUES = _c(
    r"\b(ignored|dismissed|overlooked|disregarded|called it unrelated|should have (checked|noticed|read|seen|asked))\b",
    r"\b(hallucinat\w*|made (it )?up|invented|fabricat\w*)\b",
    r"\b(treated|took|read) [^.]{0,40} as (an? )?(instruction|fact|transient|not applied|leftover|artifact)\b",
    r"\b(the agent|the bot|the model|it) (could have|should have|didn'?t (check|read|verify)|never (checked|read|verified))\b",
    r"\bprompt injection\b",
    r"\b(answered|acted|went ahead) anyway\b",
)
