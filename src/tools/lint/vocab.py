"""Shared phrase patterns: what names an AI agent, a prompt, a runbook, a rejection, a measure.

Kept in one place so that two rules never disagree about, say, whether "confirmation prompt"
is a prompt. Every pattern is about the *kind* of statement, never about one incident's words.
"""

from __future__ import annotations

import re

IGNORECASE = re.I

# --- the agent -------------------------------------------------------------------------------

# Words that on their own say a model/agent is part of the story.
AI_STRONG = re.compile(
    r"\b(?:LLMs?|large language models?|language models?|hallucinat\w*|system prompts?|system messages?"
    r"|prompt[- ]engineering|prompt templates?|few-shot|tool[- ]calls?|agentic|AI[- ](?:agents?|assistants?)"
    r"|retrieval[- ]augmented|prompt[- ]injection|[\w]+-(?:agent|assistant|copilot)s?|[\w-]+'s (?:system )?prompt"
    r"|(?:agent|bot|assistant|model|planner|classifier)(?:'s)? prompts?"
    r"|(?:ops|coding|triage|remediation|pipeline|migration|merge|deploy|planner|paging|routing|autoscaling|scaling"
    r"|inventory|research)\s(?:agent|assistant)s?)\b",
    IGNORECASE,
)
# Weaker hints; several together make the case.
AI_WEAK = re.compile(
    r"\b(?:AI|GPT[-\w.]*|ChatGPT|Claude|Gemini|Copilot|chat-?bots?|bots?|assistants?|agents?|model|RAG|retriever"
    r"|embeddings?|vector (?:store|index)|inference|its prompt|the prompt)\b"
)
# Software "agents" that are not AI: monitoring daemons, build agents, user agents, human support staff.
NON_AI_AGENT = re.compile(
    r"\b(?:user|consul|monitoring|datadog|ssm|host|build|puppet|collection|reporting|collector|metrics|logging"
    r"|ssh|travel|insurance|human|customer service|call[- ]cent(?:er|re)|anetd|cloudwatch|kubelet|node)[- ]agents?\b",
    IGNORECASE,
)
# The agent as the subject of a reasoning or acting verb: "the agent concluded", "ops-agent ran".
AGENT_ACTS = re.compile(
    r"\b(?:the|its|our|an?)\s+(?:\w+[- ])?(?:agent|assistant|bot|copilot|model|LLM)s?(?:'s)?\s+"
    r"(?:(?:can(?:'t|not)?|could(?:n't)?|would(?:n't)?|did(?:n't)?|does(?:n't)?|will|may|might|had)\s+(?:not\s+)?)?"
    r"(?:infer\w*|conclu\w*|decid\w*|assum\w*|judg\w*|believ\w*|reason\w*|misread\w*|misinterpret\w*|treat\w*"
    r"|called|chose|picked|ran|executed|restarted|deleted|followed|answered|replied|told|closed|paged|retried"
    r"|applied|quoted|invented|made up|hallucinat\w*|read|saw|had|took|generated|suggested|proposed|recommended"
    r"|approved|sent|emailed|merged|purged|dropped|zeroed|refunded|offered|promised|misunderstood|got|kept|was|did)\b",
    IGNORECASE,
)

# An AI actor named in a statement: enough to put that statement in an agent's story even when
# the rest of the excerpt says little. Software daemons ("consul agent") are removed first.
AI_ACTOR_MENTION = re.compile(r"\b(?:AI|LLMs?|copilots?|agents?|agent's|assistants?|assistant's|chat-?bots?)\b")

# Nouns naming the AI actor itself (for "the AI hallucinated", "the bot malfunctioned").
AI_ACTOR = (
    r"(?:(?:the|an?|our|this)\s+)?(?:[\w-]+\s+)?(?:AI|A\.I\.|LLM|model|bot|chat-?bot|assistant|agent|copilot"
    r"|GPT[-\w.]*|ChatGPT|Claude|Gemini)"
)

# --- prompts ---------------------------------------------------------------------------------

# "prompt" in a sense that is not the agent's instructions.
PROMPT_OTHER_SENSE = re.compile(
    r"prompt[- ]injections?|injection\W+prompt|(?:confirmation|approval|login|password|shell|command|sudo|mfa|2fa"
    r"|consent|permission|security|cookie|upgrade|install|update|ui|dialog|modal|interactive|terminal|bash|cli"
    r"|user|browser|captcha)[- ]prompts?|prompts?\s+(?:the|a|an)\s+(?:user|human|operator|on-?call|reviewer|customer"
    r"|engineer|approver|person)|prompt(?:ed|ing)?\s+(?:the|a|an)\s+\w*\s*(?:user|human|operator|on-?call|reviewer"
    r"|customer|engineer|approver|person|team|rollback|restart)|\bprompt(?:ly)?\s+(?:response|reply|action|rollback"
    r"|attention|escalation|fix|mitigation|restore|recovery)|\bpromptly\b|\bprompted\b|\bprompting\s+(?:the|a|an|us|them|him|her|engineers?|teams?)\b",
    IGNORECASE,
)
# The agent's instructions, whatever the team calls them.
PROMPT_NOUN = (
    r"(?:system[- ]prompts?|system messages?|system instructions?|prompt templates?|prompts?(?![-\w])"
    r"|(?:agent|bot|assistant|model|LLM)(?:'s)?"
    r" instructions?|(?:its|their|the agent's|the bot's|the model's) instructions?|few-shot examples?|meta-?prompts?"
    r"|custom instructions?|prompt wording)"
)

# --- runbooks and documents ------------------------------------------------------------------

RUNBOOK_NOUN = (
    r"(?:run-?books?|play-?books?|\bSOPs?\b|standard operating procedures?|(?:knowledge[- ]base|KB|help[- ]cent(?:er|re)"
    r"|wiki|confluence|FAQ|help|support|policy) (?:articles?|pages?|entr(?:y|ies))|\bFAQs?\b|documentation|\bdocs?\b"
    r"|(?:rules?|policy|process|design|reference|schema|onboarding|operations|ops|procedure) documents?|procedure"
    r"(?: docs?| documents?)?|guides?\b|guidelines?|checklists?)"
)

# --- rejection and negation ------------------------------------------------------------------

# Phrases by which a document raises a framing in order to reject it.
REJECTION = re.compile(
    r"\b(?:tempting|it would be easy|easy to (?:say|blame|conclude|write|call)|we (?:do not|don't|did not|didn't|won't"
    r"|will not|avoid|reject|resist)|(?:is|was) not what happened|that(?:'s| is| was) not (?:what|the|true|right|fair)"
    r"|not (?:a|an|the) (?:root )?cause|is not a root cause|rather than (?:blam|writ|call|say)|instead of (?:blam|writ"
    r"|call|say)|avoid (?:writing|saying|calling|blaming)|would be wrong|wrong framing|(?:asked|ask|wonder(?:ed)?|question(?:ed)?) (?:whether|if)|an? (?:early|earlier|first"
    r"|previous|initial) (?:draft|version)|not (?:a|an) (?:\w+ )?(?:failure|error|mistake|problem)"
    r"|not (?:\w+'s )?(?:fault|mistake)|(?:do not|don't|did not|didn't) (?:think|believe|consider)"
    r"|blameless|we are not blaming|isn't (?:about|a)|wasn't (?:about|a))\b",
    IGNORECASE,
)

# Cues strong enough to reject what the *previous* sentence said, quoted or not.
REJECTION_NEXT = re.compile(
    r"\b(?:(?:that|this|the|such a) framing (?:is|was) (?:wrong|unfair|unhelpful|misleading|not)|(?:is|was) not what"
    r" happened|that(?:'s| is| was) not (?:true|fair|right|the case|what)|we disagree|we reject|misses the point"
    r"|(?:is|was) the wrong (?:question|framing|lesson)|would be (?:wrong|unfair)|not (?:a|the) (?:useful|right) (?:question"
    r"|framing))\b",
    IGNORECASE,
)

NEGATION_BEFORE = re.compile(r"\b(?:not|no|never|n't|nothing|without|nor|isn't|wasn't|rather than|instead of)\W+(?:\w+\W+){0,3}$", IGNORECASE)

# --- measurability ---------------------------------------------------------------------------

# Identifiers whose digits measure nothing: tickets, versions, PR numbers, dates, times.
IDENTIFIER = re.compile(
    r"\b[A-Z][A-Z0-9]*-\d+\b|\bv?\d+(?:\.\d+){1,3}\b|#\d+|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b"
    r"|\b[A-Za-z]+\d+[A-Za-z\d]*\b|\bQ[1-4]\b"
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|m\b|h\b|min|sec|hours?|days?|minutes?|seconds?|x\b)?")
EVAL_REF = re.compile(
    r"\beval(?:uation)?s?\b(?:\s+(?:set|suite|case|cases|dataset))?|\bbenchmark\b|\breplays?\b|\btest suite\b|\bgolden set\b",
    IGNORECASE,
)
RATE_REF = re.compile(
    r"\d+(?:\.\d+)?\s*%|\brate\b|\b(?:below|under|above|at most|at least|less than|more than|no more than|fewer than"
    r"|within|≥|≤|>=|<=|<|>)\s*\d|\b\d+\s*/\s*\d+\b|\b0 (?:\w+ ){0,3}(?:in|over|per|across)\b|\bpass(?:es|ing)?\b"
    r"|\brecall\b|\bprecision\b|\baccuracy\b",
    IGNORECASE,
)


def has_eval_target(text: str) -> bool:
    """A named eval together with a rate or threshold: the measurable form of a behaviour fix."""
    return bool(EVAL_REF.search(text)) and bool(RATE_REF.search(text))


def measures(text: str) -> list[str]:
    """Numbers in `text` that are quantities (counts, thresholds, rates), not identifiers."""
    stripped = IDENTIFIER.sub(" ", text)
    return [m.group(0).strip() for m in NUMBER.finditer(stripped)]
