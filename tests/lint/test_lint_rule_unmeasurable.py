"""unmeasurable-action-item: vague items for an agent failure; concrete or targeted items pass."""

from __future__ import annotations

import pytest

from tools.lint import lint_markdown
from tools.lint.document import ActionItem
from tools.lint.rules.unmeasurable import is_measurable, is_vague

CODE = "unmeasurable-action-item"
AGENT = "The billing agent refunded an order twice.\n\n## Action items\n"


@pytest.mark.parametrize(
    "item",
    ["Improve the agent's refund handling", "Better monitoring for refunds", "Look into the retry logic",
     "Review agent permissions (BILL-3)", "We should be more careful with refunds", "Investigate refund issues"],
)
def test_flags_vague_items(item):
    assert CODE in {f.code for f in lint_markdown(AGENT + f"- {item}\n")}


@pytest.mark.parametrize(
    "item",
    ["Add an idempotency key to `refund` (BILL-4)",
     "Alert when refunds per order exceed 1 (BILL-5)",
     "Improve `refund` timeouts: return `status` instead of raising",
     "Review the 12 refunds issued this week",
     "Reduce double-refund rate on eval `refund-retries` below 0.5%"],
)
def test_concrete_items_pass(item):
    assert CODE not in {f.code for f in lint_markdown(AGENT + f"- {item}\n")}


def test_target_column_makes_an_item_measurable():
    assert is_measurable(ActionItem(line=1, text="Improve refund safety", target="0 duplicates in 100 replays"))
    assert not is_measurable(ActionItem(line=1, text="Improve refund safety"))
    assert is_vague("Improve refund safety") and not is_vague("Add a lock to refunds")


def test_human_only_incident_is_out_of_scope():
    text = "A disk filled up on db-3.\n\n## Action items\n- Improve monitoring\n"
    assert CODE not in {f.code for f in lint_markdown(text)}
