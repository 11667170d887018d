"""The message posted in the incident channel when a draft is ready for review.

Short on purpose: what the agent inferred vs what was true, the primary cause, the flags, and a
link to the review page. Slack's limits are respected by construction: a section's text is at
most 3000 characters, a header's 150, a message at most 50 blocks (we use a handful).
"""

from __future__ import annotations

from typing import Any

from agent.draft import PostmortemDraft

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MAX_BLOCKS = 50
_FIELD_LIMIT = 600  # per line of the summary: a headline, not the draft


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn control characters (spec/formats.md §8.2: &, <, > are escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def headline_lines(draft: PostmortemDraft) -> list[tuple[str, str]]:
    """(label, text) pairs: the four things a responder wants before opening the draft."""
    lines: list[tuple[str, str]] = []
    decision = next((i for i in draft.agent_inferences if i.is_decision), None)
    ci = draft.correct_inference
    if decision is not None:
        lines.append(("Agent inferred", f"“{decision.quote}” (span:{decision.span_id})"))
    elif ci is not None and ci.agent_was_right:
        lines.append(("Agent inferred", "correctly — the failure was elsewhere"))
    if ci is not None:
        lines.append(("What was true", ci.text))
    rc = draft.root_cause
    if rc is not None:
        split = ", ".join(f"{c.category} {c.weight:.2f}" for c in rc.contributions)
        lines.append(("Primary cause", f"{rc.primary} ({split}) — {rc.summary}"))
    codes = sorted({f.code for f in draft.flags})
    lines.append(("Flags", ", ".join(codes) if codes else "none"))
    return lines


def headline_message(draft: PostmortemDraft, link: str) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for chat.postMessage."""
    inc = draft.incident
    title = f"Postmortem draft: {inc.id}" + (f" — {inc.title}" if inc.title else "")
    body = "\n".join(f"*{label}:* {escape(clip(text, _FIELD_LIMIT))}" for label, text in headline_lines(draft))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(title, HEADER_LIMIT)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(body, SECTION_LIMIT)}},
        {"type": "actions", "elements": [{
            "type": "button", "text": {"type": "plain_text", "text": "Review the draft"},
            "url": link[:3000], "action_id": "pmdraft_review",
        }]},
        {"type": "context", "elements": [{
            "type": "mrkdwn", "text": clip(f"Drafted by pmdraft — needs a human review before it is published. <{link}|Open>", 3000),
        }]},
    ]
    fallback = clip(f"{title}. Review: {link}", 3000)
    return fallback, blocks[:MAX_BLOCKS]
