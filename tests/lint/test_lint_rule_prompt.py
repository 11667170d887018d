"""fix-the-prompt: prompt as the cause or the fix of an agent failure; the other senses of "prompt" pass."""

from __future__ import annotations

import pytest

from tools.lint import lint_markdown

CODE = "fix-the-prompt"
AGENT = "The ops agent restarted the wrong deployment.\n\n"


@pytest.mark.parametrize(
    "text",
    [
        AGENT + "## Root cause\nThe system prompt never mentioned that staging and prod share a namespace prefix.\n",
        AGENT + "## Root cause\nThe agent's prompt was too vague about which clusters are production.\n",
        AGENT + "## Action items\n- Add a warning about shared prefixes to the agent's system prompt (OPS-9)\n",
        AGENT + "## Action items\n| Action | Owner |\n|---|---|\n| Reword the planner prompt | ops |\n",
        AGENT + "Root cause: poor prompt engineering.\n",
        "## Why\nThe LLM was never told that refunds above 500 EUR need approval.\n",
    ],
)
def test_flags_prompt_as_cause_or_fix(text):
    assert CODE in {f.code for f in lint_markdown(text)}


@pytest.mark.parametrize(
    "text",
    [
        AGENT + "## Root cause\nA prompt injection in a ticket body made the agent call `delete_user`.\n",
        AGENT + "## Action items\n- `restart` shows a confirmation prompt to the on-call first (OPS-3)\n",
        AGENT + "## Timeline\n- 10:01 the agent prompted the on-call to approve the restart\n",
        AGENT + "## Action items\n- Add the prefix rule to the system prompt; target: wrong-cluster rate below 1% on "
        "eval `cluster-pick` (150 cases)\n",
        AGENT + "## Root cause\nIt is tempting to say \"fix the prompt\". We don't: `list_clusters` hid the env label.\n",
        AGENT + "## What moved\n| variable | value |\n|---|---|\n| prompt revision | v31 |\n",
        "## Action items\n- The CLI will prompt the user for the region (CLI-4)\n",  # no agent at all
    ],
)
def test_other_senses_and_evaluated_changes_pass(text):
    assert CODE not in {f.code for f in lint_markdown(text)}


def test_flag_carries_line_text_why_and_suggestion():
    text = AGENT + "## Root cause\nFine context.\nThe system prompt did not say which cluster is prod.\n"
    (flag,) = [f for f in lint_markdown(text) if f.code == CODE]
    assert flag.line == 5
    assert flag.text.startswith("The system prompt did not say")
    assert "eval" in flag.suggestion and flag.why
