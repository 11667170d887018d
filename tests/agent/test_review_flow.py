"""Draft → pause → resume from other processes → publish, through the real CLI and SQLite."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import SHARED_CASES, needs_shared, pmdraft_cmd

CASE = SHARED_CASES / "04-migration-approval"


def pmdraft(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pmdraft_cmd(), *args], capture_output=True, text=True, env=env, timeout=120
    )


@needs_shared
def test_pause_resume_in_other_processes_then_publish(tmp_path: Path) -> None:
    env = {**os.environ, "PMDRAFT_DB": str(tmp_path / "cp.sqlite"), "USER": "rev.iewer"}
    out = tmp_path / "out"

    first = pmdraft("draft", str(CASE), "--out", str(out), env=env)
    assert first.returncode == 0, first.stderr
    assert "Paused for review" in first.stderr
    draft = json.loads((out / "draft.json").read_text())
    assert draft["review"]["status"] == "pending"
    incident = draft["incident"]["id"]

    # A second draft of the same incident must not silently discard the paused review.
    again = pmdraft("draft", str(CASE), "--out", str(out), env=env)
    assert again.returncode == 2 and "waiting for review" in again.stderr

    # The reviewer edits in another process; the edit blames the prompt → flagged, not published.
    edited = (out / "draft.md").read_text() + (
        "\n## Reviewer note\n\nRoot cause: the system prompt did not tell the agent to check row counts. "
        "Fix: add a line to the system prompt.\n"
    )
    edit_file = tmp_path / "edited.md"
    edit_file.write_text(edited)
    second = pmdraft("review", incident, "--edited", str(edit_file), env=env)
    assert second.returncode == 0, second.stderr
    assert "fix-the-prompt" in second.stderr
    assert "Still waiting" in second.stderr
    assert (out / "draft.md").read_text() == edited  # the edits are on disk, not only in the checkpoint

    # Approve from a third process: published with the reviewer's text and flags kept.
    third = pmdraft("review", incident, "--approve", env=env)
    assert third.returncode == 0, third.stderr
    final = json.loads((out / "draft.json").read_text())
    assert final["review"]["status"] == "approved"
    assert final["review"]["reviewer"] == "rev.iewer"
    assert any(f["source"] == "reviewer" and f["code"] == "fix-the-prompt" for f in final["flags"])
    md = (out / "draft.md").read_text()
    assert "Reviewer note" in md and "APPROVED by rev.iewer" in md

    # Nothing is waiting any more.
    fourth = pmdraft("review", incident, "--approve", env=env)
    assert "waiting" not in fourth.stdout or fourth.returncode == 0
