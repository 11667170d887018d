"""The Slack headline stays inside Slack's block limits whatever the draft holds."""

from __future__ import annotations

from agent.draft import (
    AgentInference,
    Contribution,
    CorrectInference,
    Flag,
    IncidentHeader,
    PostmortemDraft,
    RootCause,
)
from agent.server.headline import HEADER_LIMIT, MAX_BLOCKS, SECTION_LIMIT, headline_message


def _draft(size: int) -> PostmortemDraft:
    long = "the <ledger> & its 503s " * size
    return PostmortemDraft(
        incident=IncidentHeader(id="INC-9001", title="Refunds " * size),
        agent_inferences=[AgentInference(span_id="9001000000000003", quote="Diagnosis: deadlock. " + long,
                                         verified=True, is_decision=True)],
        correct_inference=CorrectInference(text="The ledger API was down. " + long, evidence=["chat:1.2"]),
        root_cause=RootCause(summary=long, primary="tool", contributions=[
            Contribution(category="tool", weight=0.88, rationale="x"), Contribution(category="agent", weight=0.12, rationale="y")]),
        flags=[Flag(code="fix-the-prompt", text="t", why="w", suggestion="s")],
    )


def test_blocks_within_limits_for_a_huge_draft() -> None:
    text, blocks = headline_message(_draft(2000), "http://127.0.0.1:8080/drafts/INC-9001?token=abc")
    assert len(blocks) <= MAX_BLOCKS and len(text) <= 3000
    assert len(blocks[0]["text"]["text"]) <= HEADER_LIMIT
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_LIMIT
    body = blocks[1]["text"]["text"]
    assert "*Agent inferred:*" in body and "*What was true:*" in body
    assert "*Primary cause:* tool (tool 0.88, agent 0.12)" in body and "*Flags:* fix-the-prompt" in body
    assert "<ledger>" not in body and "&lt;ledger&gt; &amp;" in body  # mrkdwn control characters escaped
    assert blocks[2]["elements"][0]["url"].endswith("?token=abc")


def test_small_draft_is_not_clipped() -> None:
    _, blocks = headline_message(_draft(1), "http://x/drafts/INC-9001")
    assert "…" not in blocks[1]["text"]["text"]
