"""Untrusted text: spotting instructions aimed at an AI inside trace or chat data.

Traces and chat are data. The prompts fence them and say so; this module adds two deterministic
checks that do not depend on the model obeying the prompt:

- evidence items whose text reads like instructions to an AI ("ignore previous instructions",
  "[[assistant-directive]]", "say the root cause is …") are marked in the data the model sees,
  and listed in the run's notes;
- a model claim (a root-cause share, the correct inference, a missed signal) whose only support
  is such an item is not accepted: an injected sentence cannot vouch for itself.
An incident *about* an injection (the agent obeyed a spoofed ticket) still works: the injected
span can be quoted and cited next to other evidence; it just cannot be the sole evidence.
"""

from __future__ import annotations

import re

_INSTRUCTION_LIKE = re.compile(
    r"|".join(
        (
            r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+|your\s+)*(previous|prior|above|earlier|preceding|system)\s+"
            r"(instructions?|prompts?|messages?|rules|directions)",
            r"\byou are now\b",
            r"\bnew (system )?instructions?\s*:",
            r"\bsystem prompt\s*:",
            r"^\s*(system|assistant)\s*:\s",
            r"\[\[/?\s*(assistant|system|ai)[-_ ]?(directive|instruction|prompt)s?\s*\]\]",
            r"</?\s*(system|instructions?)\s*>",
            r"\b(say|state|write|answer|conclude|report|declare|claim)\s+(that\s+)?the\s+root\s+cause\s+(is|was)\b",
            r"\bdo not (mention|reveal|disclose|tell)\b.{0,60}\b(step|instruction|directive)s?\b",
        )
    ),
    re.IGNORECASE | re.MULTILINE,
)

# Remedies phrased as prompt or runbook edits: the template wants tool/context/data/escalation changes.
_PROMPT_TWEAK = re.compile(
    r"\b(update|change|tweak|edit|improve|add to|adjust|modify|rewrite|clarify|amend|tighten|reword)\s+"
    r"(the\s+|its\s+|our\s+|agent'?s?\s+)*(system\s+)?(prompt|instructions|runbook)s?\b"
    r"|\bprompt\s+(change|tweak|update|fix|engineering)\b"
    r"|\b(instruct|tell|remind)\s+the\s+(agent|model|assistant|bot)\s+to\b",
    re.IGNORECASE,
)


def instruction_like(text: str) -> bool:
    return bool(text) and _INSTRUCTION_LIKE.search(text) is not None


def prompt_tweak(text: str) -> bool:
    return bool(text) and _PROMPT_TWEAK.search(text) is not None
