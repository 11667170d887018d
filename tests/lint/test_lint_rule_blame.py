"""blame-language: a named person made the cause; facts, credit, owners, agents and rejections pass."""

from __future__ import annotations

import pytest

from tools.lint import lint_fields, lint_markdown

CODE = "blame-language"


@pytest.mark.parametrize(
    "text",
    [
        "## Root cause\nMiguel pushed a broken config to the edge proxies.\n",
        "The outage was human error by Svetlana.\n",
        "## Root cause\nIt was Arjun's fault: he skipped the canary.\n",
        "@kim forgot to rotate the token.\n",
        "If Isabel had checked the diff, we would have caught it.\n",
        "## Root cause\nHelena Novak rubber-stamped the change.\n",
    ],
)
def test_flags_blame(text):
    assert CODE in {f.code for f in lint_markdown(text)}


def test_chat_handles_from_people():
    text = "## Root cause\nrbrown's typo in the allow-list blocked all traffic.\n"
    assert CODE in {f.code for f in lint_markdown(text, people=["rbrown"])}
    assert CODE not in {f.code for f in lint_markdown(text)}


@pytest.mark.parametrize(
    "text",
    [
        "## Timeline\n- 09:40 Miguel rolled back the proxies.\n",
        "Thanks to Svetlana for catching the expiry in time.\n",
        "| Action item | Owner |\n|---|---|\n| Validate proxy config in CI | Miguel |\n",
        "Iris, the support bot, failed to escalate because its tool returned no queue.\n",
        "Jenkins failed to publish the artifact.\n",
        "An early draft said \"Arjun forgot the canary\"; that is not what happened.\n",
        "We do not think Isabel made a mistake: the diff viewer hid the change.\n",
    ],
)
def test_not_blame(text):
    assert CODE not in {f.code for f in lint_markdown(text)}


def test_suggestion_is_systemic_and_fields_carry_the_field():
    (flag,) = lint_fields({"root_cause.summary": "Miguel pushed an untested config."}, people=["Miguel"])
    assert flag.code == CODE and flag.field == "root_cause.summary" and flag.line == 1
    assert "pipeline" in flag.suggestion or "system" in flag.suggestion
