"""uncategorized-ai-failure: "AI error" with no agent/tool/data/handoff attribution."""

from __future__ import annotations

import pytest

from tools.lint import lint_markdown

CODE = "uncategorized-ai-failure"


@pytest.mark.parametrize(
    "text",
    [
        "## Root cause\nThe assistant hallucinated a discount code.\n",
        "## Root cause\nLLM error.\n",
        "## Summary\nThe outage was caused by an AI glitch in the routing bot.\n",
        "## Root cause\nThe chatbot malfunctioned and told users their accounts were closed.\n",
    ],
)
def test_flags_bare_ai_failure(text):
    assert CODE in {f.code for f in lint_markdown(text)}


@pytest.mark.parametrize(
    "text",
    [
        "## Root cause\nThe assistant hallucinated a discount code: retrieval returned no document above the "
        "threshold and nothing made it abstain (agent 0.7, data 0.3).\n",
        "## Timeline\n- 10:02 the bot hallucinates a discount code\n\n## Root cause\nThe `coupon_lookup` tool "
        "returned an empty list on a 504.\n",
        "## Root cause\nNot an AI failure: the `coupon_lookup` tool dropped the error.\n",
        "## Impact\nThe ranking model error rate rose to 3%.\n",
        "## Action items\n- Add 50 cases to eval `coupons`; target: hallucinated-code rate below 1%\n",
    ],
)
def test_attributed_or_rejected_pass(text):
    assert CODE not in {f.code for f in lint_markdown(text)}
