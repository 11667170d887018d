"""`pmdraft lint` and `pmdraft audit` as a user runs them: exit codes, --json shape, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import agent.cli.audit  # registers `audit` on the app
import agent.cli.lint  # noqa: F401 - registers `lint` on the app
from agent.cli.app import app

FLAGGED = "# Postmortem\n\nThe support agent quoted a stale policy.\n\n## Root cause\nThe AI hallucinated.\n"
CLEAN = "# Postmortem\n\n## Root cause\nThe `policy_search` tool returned v3 because v3 was never removed from the index.\n"


def pmdraft(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("pmdraft")
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from agent.cli.main import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=60)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_exit_0_when_clean_and_1_when_flagged(tmp_path):
    clean, flagged = tmp_path / "clean.md", tmp_path / "flagged.md"
    clean.write_text(CLEAN)
    flagged.write_text(FLAGGED)
    assert invoke("lint", str(clean)).exit_code == 0
    result = invoke("lint", str(flagged))
    assert result.exit_code == 1
    assert f"{flagged}:6 uncategorized-ai-failure — The AI hallucinated." in result.stdout


def test_json_is_a_list_of_flags_and_nothing_else(tmp_path):
    path = tmp_path / "pm.md"
    path.write_text(FLAGGED)
    proc = pmdraft("lint", "--json", str(path))
    assert proc.returncode == 1
    flags = json.loads(proc.stdout)
    assert isinstance(flags, list) and flags
    for f in flags:
        assert set(f) == {"code", "line", "text", "why", "suggestion"}
        assert isinstance(f["line"], int) and all(isinstance(f[k], str) for k in ("code", "text", "why", "suggestion"))
    empty = tmp_path / "clean.md"
    empty.write_text(CLEAN)
    proc = pmdraft("lint", "--json", str(empty))
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("missing.md", None, "no such file"),
        ("folder", "dir", "directory"),
        ("binary.md", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
        ("latin1.md", "## Root cause\ncaf\u00e9 outage\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(tmp_path, name, content, problem):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    proc = pmdraft("lint", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in proc.stderr


def test_agents_from_the_bundle_are_not_people(tmp_path):
    (tmp_path / "incident.json").write_text(json.dumps({"id": "INC-9", "agents": ["Ava"]}))
    (tmp_path / "postmortem.md").write_text("## Root cause\nAva forgot to check the queue depth before restarting.\n")
    assert invoke("lint", str(tmp_path / "postmortem.md")).exit_code == 0


def test_audit_bad_input(tmp_path):
    assert invoke("audit", str(tmp_path / "nope")).exit_code == 2
    assert invoke("audit", str(tmp_path), "--since", "last week").exit_code == 2
