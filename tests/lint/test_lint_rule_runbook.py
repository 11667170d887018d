"""fix-the-runbook: a runbook/doc blamed for an agent's inference; cited runbooks and human incidents pass."""

from __future__ import annotations

import pytest

from tools.lint import lint_markdown

CODE = "fix-the-runbook"
AGENT = "The remediation agent drained the wrong node pool.\n\n"


@pytest.mark.parametrize(
    "text",
    [
        AGENT + "## Root cause\nThe node-drain runbook was ambiguous about pools with PDBs.\n",
        AGENT + "## Root cause\nThe playbook the agent followed did not mention GPU pools.\n",
        AGENT + "## Action items\n- Clarify step 2 of the drain runbook (K8S-7)\n",
        AGENT + "## Contributing factors\n- Outdated documentation on pool labels.\n",
    ],
)
def test_flags_runbook_blame(text):
    assert CODE in {f.code for f in lint_markdown(text)}


@pytest.mark.parametrize(
    "text",
    [
        # human-only incident: a runbook fix is legitimate
        "## Root cause\nThe on-call followed an outdated failover runbook.\n\n## Action items\n- Update the "
        "failover runbook (OPS-1)\n",
        # cited or used
        AGENT + "## Supporting information\n- Runbook: RB-12 (followed; it was correct)\n",
        # alongside the tool fix that addresses the cause
        AGENT + "## Root cause (tool)\n`list_pools` omitted the PDB count.\n\n## Action items\n- `list_pools` returns "
        "`pdb_count` (K8S-8)\n- Mention `pdb_count` in the drain runbook\n",
        # the doc as data: a stale index is a data cause
        AGENT + "## Root cause\nThe agent read outdated documentation because the docs index stopped refreshing.\n",
        AGENT + "## Root cause\nThe runbook was not wrong; `drain` reported success on a timeout.\n",
    ],
)
def test_cited_human_only_and_alongside_pass(text):
    assert CODE not in {f.code for f in lint_markdown(text)}
