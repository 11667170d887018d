"""What the whole document is about, decided once and shared by every rule.

The same sentence is a flag in one postmortem and fine in another: "update the runbook" is a
good fix for a human-only incident and the classic flattening when an agent misread it. The
rules therefore read a `Context`: is an agent involved, which names are agents, which are
people, does a prompt change come with an eval target, is there a tool/data fix.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from tools.lint import vocab
from tools.lint.document import ActionItem, Document
from tools.lint.names import TECH_NAMES
from tools.lint.sections import FIX_SECTIONS
from tools.lint.statements import is_runbook_edit, is_vague, mentions_prompt, prompt_edit_match


@dataclass
class Context:
    agent_involved: bool
    agent_names: set[str] = field(default_factory=set)  # lower-case
    people: set[str] = field(default_factory=set)  # lower-case: given + the document's own hints
    evaluated_prompt_change: bool = False
    system_fix: bool = False


def _without_software_agents(text: str) -> str:
    # A document that names a daemon ("the Consul agent") means that daemon by a bare "the agent".
    if vocab.NON_AI_AGENT.search(text):
        text = vocab.NON_AI_AGENT.sub(" ", text)
        text = re.sub(r"\bagents?\b", " ", text, flags=re.I)
    return text


def agent_score(text: str) -> int:
    """How strongly the text says an AI agent took part (0 = not at all)."""
    text = _without_software_agents(text)
    text = vocab.PROMPT_OTHER_SENSE.sub(" ", text)
    strong = {m.group(0).lower() for m in vocab.AI_STRONG.finditer(text)}
    weak = sum(1 for _ in vocab.AI_WEAK.finditer(text))
    acts = 2 if vocab.AGENT_ACTS.search(text) else 0
    return 2 * len(strong) + min(weak, 4) + acts


def mentions_ai_actor(text: str) -> bool:
    """The text itself names an AI actor (agent, assistant, LLM, copilot), not a software daemon."""
    cleaned = vocab.NON_AI_AGENT.sub(" ", text)
    return bool(vocab.AI_ACTOR_MENTION.search(cleaned) or vocab.AI_STRONG.search(cleaned))


def is_agent_involved(doc: Document) -> bool:
    return agent_score(doc.text()) >= 2


# "Ada, the support assistant," / "Max (the ops agent)" / "the Triage agent" / "agent named Otto"
_AGENT_NAME_RXS = (
    re.compile(
        r"\b([A-Z][\w-]+)\s*(?:,|\(|—|-)\s*(?:the|our|an?)\s+(?:[\w-]+\s+){0,3}"
        r"(?:agent|assistant|bot|chat-?bot|copilot|model|LLM|AI)\b"
    ),
    re.compile(r"\b(?:agent|assistant|bot|copilot)s?\s+(?:named|called)\s+([A-Z][\w-]+)"),
    re.compile(r"\bthe\s+([A-Z][\w-]+)\s+(?:agent|assistant|bot|copilot)\b"),
    re.compile(r"\b([\w-]+-(?:agent|assistant|bot|copilot|remediator|router))\b", re.I),
)


def agent_names(text: str, declared: Collection[str] = ()) -> set[str]:
    names = {n.lower() for n in declared}
    for rx in _AGENT_NAME_RXS:
        names.update(m.group(1).lower() for m in rx.finditer(text))
    return names | TECH_NAMES


# A prompt item that points at an eval target stated elsewhere ("… gated on the eval").
_GATED_RX = re.compile(r"\b(?:gated on|measured (?:on|by|with)|checked (?:on|by|against)|validated (?:on|by|against)"
                       r"|passes? (?:the )?eval|behind (?:the|an?) eval)\b", re.I)


def _evaluated_prompt_change(items: list[ActionItem], fix_texts: list[str]) -> bool:
    """A prompt *edit* that carries, or points at, a named eval with a target rate."""
    texts = [i.full for i in items] + fix_texts
    any_eval_target = any(vocab.has_eval_target(t) for t in texts)
    for text in texts:
        if prompt_edit_match(text) is None:
            continue  # "… checked on every prompt change" mentions prompts but changes none
        if vocab.has_eval_target(text) or (any_eval_target and _GATED_RX.search(text)):
            return True
    return False


_SYSTEM_KIND = re.compile(r"tool|data|guardrail|escalation", re.I)
_SYSTEM_FIX = re.compile(
    r"`[^`]+`|\b(?:tool|api|endpoint|index|re-?index\w*|re-?embed\w*|schema|fields?|cache|idempoten\w*|validat\w*"
    r"|alert(?:s|ing)? (?:when|if|on)|guardrail|allow-?list|deny-?list|feature flag|sync|refresh\w*|timeouts?|retr(?:y|ies)"
    r"|returns?|surfaces?|exposes?|rejects?|blocks?|refuses?|requires?|approval|rate limit|circuit breaker|tests?"
    r"|permissions?|read-only|superseded|stale)\b",
    re.I,
)


def is_system_fix(item: ActionItem) -> bool:
    """An action item that changes a tool, data, guardrail or escalation path (not words in a doc)."""
    if is_runbook_edit(item.text) or mentions_prompt(item.text) or is_vague(item.text):
        return False  # words in a doc or a prompt, or a wish, address no tool or data
    if item.kind and _SYSTEM_KIND.search(item.kind):
        return True
    return bool(_SYSTEM_FIX.search(item.text))


def build_context(
    doc: Document,
    *,
    agent_involved: bool | None = None,
    people: Collection[str] = (),
    agents: Collection[str] = (),
) -> Context:
    text = doc.text()
    fix_texts = [s.text for s in doc.sentences(FIX_SECTIONS)]
    return Context(
        agent_involved=is_agent_involved(doc) if agent_involved is None else agent_involved,
        agent_names=agent_names(text, agents),
        people={p.lower() for p in people} | doc.people_hints,
        evaluated_prompt_change=_evaluated_prompt_change(doc.action_items, fix_texts),
        system_fix=any(is_system_fix(i) for i in doc.action_items),
    )
