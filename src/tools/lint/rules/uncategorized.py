"""uncategorized-ai-failure: "the AI hallucinated" / "model error" given as the cause, with no category.

"AI error" explains nothing a team can change. Each agent failure belongs to a category with a
different fix: the agent (it had what it needed and concluded wrongly), a tool (its contract hid
or misrepresented the fact), data (stale or missing), or the human-agent handoff. A hallucination
that the document attributes to one of these is fine; so is the phrase quoted in order to reject it.
"""

from __future__ import annotations

import re

from tools.lint import vocab
from tools.lint.context import Context
from tools.lint.document import Document
from tools.lint.models import FlagCode, LintFlag
from tools.lint.rules.base import (
    cause_statements,
    flag,
    in_agent_story,
    is_rejected,
    next_sentence,
    section_text,
)

A = vocab.AI_ACTOR
_VAGUE = (
    re.compile(r"\b(?:AI|A\.I\.|LLM|model|GenAI|bot|chat-?bot)[- ](?:error|failure|mistake|glitch|bug|malfunction"
               r"|issue|problem|hallucination|screw-?up|misfire)s?\b(?!\s+rates?)", re.I),
    re.compile(r"\b(?:a|an|the)\s+(?:bug|glitch|error|fault|problem|malfunction)\s+(?:in|with|of)\s+(?:the\s+|our\s+)?"
               r"(?:AI|LLM|model|bot|chat-?bot|assistant)\b", re.I),
    re.compile(rf"{A}\s+(?:\w+ly\s+)?(?:hallucinat\w*|malfunction\w*|glitch\w*|got confused|was confused|became confused"
               r"|misunderstood|misbehav\w*|went rogue|went haywire|screwed up|messed up|got it wrong|was wrong"
               r"|made (?:a |an )?(?:mistake|error)s?|made (?:it|things|stuff|something|\w+) up|went off[- ](?:the rails|script)"
               r"|acted up|behaved (?:unexpectedly|erratically|strangely|weirdly)|did something (?:weird|wrong|unexpected)"
               r"|(?:did ?n[o']t|failed to|would ?n[o']t|refused to) (?:follow|obey|listen to) (?:its |the |our )?"
               r"(?:instructions|rules|prompt)|ignored (?:its |the |our )?(?:instructions|rules|prompt))\b", re.I),
    re.compile(r"\b(?:caused by|due to|because of|result of|blame)\s+(?:an?\s+|the\s+)?(?:AI\s+|model\s+|LLM\s+)?"
               r"hallucinations?\b", re.I),
    re.compile(r"^\W*(?:(?:an?|the)\s+)?(?:(?:AI|LLM|model)\s+(?:error|failure|glitch|hallucination|malfunction|mistake)s?"
               r"|(?:AI\s+|LLM\s+|model\s+)?hallucinations?)\W*$", re.I),
)
# The document names a category or the mechanism behind the failure: then it is categorized.
_ATTRIBUTION = re.compile(
    r"\b(?:tools?|tool's|retriev\w*|index\w*|knowledge[- ]base|context|handoff|hand-off|escalat\w*|approv\w*|stale"
    r"|superseded|outdated|threshold|schema|contract|missing from|relevance|grounding|api returned|returned (?:an? )?"
    r"(?:empty|no|nothing)|categor(?:y|ies)|weights?)\b"
    r"|\b(?:agent|tool|data|handoff)\s*(?:\(|:|\d|\|)|\((?:agent|tool|data|handoff)\b",
    re.I,
)

WHY = ("The failure is called an AI error/hallucination without saying which kind: the agent (its context held "
       "what it needed), a tool (its output hid the fact), data (stale or missing), or the handoff. Each needs a "
       "different fix; 'the AI failed' gets none.")
SUGGESTION = ("Attribute it: what the agent inferred, what was true, the signal it missed and whether that signal "
              "was in its context. Then split the cause across agent / tool / data / handoff and give the fix an "
              "eval target, e.g. 'unsupported-answer rate on eval <name> below N%'.")


def check(doc: Document, ctx: Context) -> list[LintFlag]:
    out = []
    for st in cause_statements(doc):
        m = next((mm for rx in _VAGUE for mm in [rx.search(st.text)] if mm), None)
        if m is None or st.sentence is None or not in_agent_story(doc, ctx, st):
            continue
        if _ATTRIBUTION.search(section_text(doc, st.sentence)):
            continue
        if is_rejected(st.text, m.start(), m.end(), next_sentence(doc, st.sentence)):
            continue
        out.append(flag(FlagCode.UNCATEGORIZED_AI_FAILURE, st, WHY, SUGGESTION))
    return out
