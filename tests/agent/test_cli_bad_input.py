"""Bad input: one line naming the file and the problem, exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import pmdraft_cmd


def run(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMDRAFT_DB": str(tmp / "cp.sqlite")}
    return subprocess.run([*pmdraft_cmd(), *args], capture_output=True, text=True, env=env,
                          timeout=60)


def bundle(tmp: Path, trace: bytes | None = None, incident: bytes | None = b'{"id": "INC-1"}') -> Path:
    case = tmp / "case"
    (case / "traces").mkdir(parents=True)
    (case / "chat").mkdir()
    if incident is not None:
        (case / "incident.json").write_bytes(incident)
    if trace is not None:
        (case / "traces" / "t.json").write_bytes(trace)
    (case / "chat" / "t.txt").write_text("[10:00] Ann: hello\n")
    return case


OTLP_OK = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{
    "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7", "name": "x",
    "startTimeUnixNano": "1767225600000000000", "endTimeUnixNano": "1767225601000000000"}]}]}]})

CASES = {
    "truncated trace": (OTLP_OK[:-20].encode(), b'{"id": "INC-1"}', "t.json"),
    "binary garbage": (bytes(range(256)) * 8, b'{"id": "INC-1"}', "t.json"),
    "wrong encoding": ('{"name": "caf\u00e9"}'.encode("latin-1"), b'{"id": "INC-1"}', "t.json"),
    "unknown format": (b'{"hello": "world"}', b'{"id": "INC-1"}', "unknown trace format"),
    "missing incident.json": (OTLP_OK.encode(), None, "incident.json"),
    "incident without id": (OTLP_OK.encode(), b'{"title": "x"}', "id"),
    "malformed incident.json": (OTLP_OK.encode(), b'{"id": ', "incident.json"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_bundle_one_line_exit_2(name: str, tmp_path: Path) -> None:
    trace, incident, needle = CASES[name]
    case = bundle(tmp_path, trace, incident)
    for cmd in (["draft", str(case), "--out", str(tmp_path / "o"), "--no-review"], ["inspect", str(case)]):
        r = run(*cmd, tmp=tmp_path)
        assert r.returncode == 2, (name, cmd[0], r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, (name, lines)
        assert needle in lines[0], (name, lines[0])
    assert not (tmp_path / "o" / "draft.json").exists()


def test_not_a_bundle(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (empty, tmp_path / "nope", tmp_path / "f.txt"):
        if target.name == "f.txt":
            target.write_text("x")
        r = run("draft", str(target), "--out", str(tmp_path / "o"), "--no-review", tmp=tmp_path)
        assert r.returncode == 2 and "Traceback" not in r.stderr and str(target.name) in r.stderr


def test_partial_bundle_drafts_and_says_what_is_missing(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    (case / "incident.json").write_text('{"id": "INC-7"}')
    r = run("draft", str(case), "--out", str(tmp_path / "o"), "--no-review", tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    d = json.loads((tmp_path / "o" / "draft.json").read_text())
    missing = " ".join(d["missing_data"])
    assert "traces" in missing and "chat" in missing and "title" in missing
    assert d["agent_inferences"] == [] and d["correct_inference"] is None
