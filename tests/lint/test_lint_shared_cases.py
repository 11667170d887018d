"""`pmdraft lint` on every shared eval case reports exactly its `postmortem_flags`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import agent.cli.lint  # noqa: F401 - registers `lint` on the app
from agent.cli.app import app

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = sorted((SHARED / "evals-dev" / "cases").glob("*/postmortem.md"))


@pytest.mark.skipif(not CASES, reason="shared/evals-dev is not beside the repo")
@pytest.mark.parametrize("postmortem", CASES, ids=[p.parent.name for p in CASES])
def test_reports_exactly_the_labelled_flags(postmortem):
    expected = set(json.loads((postmortem.parent / "expected.json").read_text())["postmortem_flags"])
    result = CliRunner().invoke(app, ["lint", "--json", str(postmortem)])
    flags = json.loads(result.stdout)
    assert {f["code"] for f in flags} == expected, flags
    assert result.exit_code == (1 if expected else 0)
