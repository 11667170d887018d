"""`pmdraft eval` on our own dataset and the reference cases, gated by the committed baselines."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SHARED_CASES, pmdraft_cmd


def run_eval(dataset: Path, baseline: Path, tmp: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    out = tmp / "eval.json"
    r = subprocess.run([*pmdraft_cmd(), "eval", str(dataset), "--baseline", str(baseline), "--json", str(out)],
                       capture_output=True, text=True, timeout=600)
    return r, json.loads(out.read_text()) if out.exists() else {}


def test_own_dataset_meets_its_baseline(tmp_path: Path) -> None:
    r, res = run_eval(REPO / "evals" / "cases", REPO / "evals" / "baseline.json", tmp_path)
    print(r.stdout[-3000:])
    assert r.returncode == 0, r.stderr
    assert len(res["cases"]) >= 24 and res["metrics"]["errors"]["mean"] == 0


@pytest.mark.skipif(not SHARED_CASES.is_dir(), reason="../shared/evals-dev not beside the repo")
def test_reference_cases_meet_their_baseline(tmp_path: Path) -> None:
    r, res = run_eval(SHARED_CASES, REPO / "evals" / "baseline-shared.json", tmp_path)
    assert r.returncode == 0, r.stderr
    assert res["metrics"]["decision_span"]["mean"] >= 10 / 12


def test_a_lower_metric_fails_the_gate(tmp_path: Path) -> None:
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"metrics": {"decision_span": 1.01}}))
    r, _ = run_eval(REPO / "evals" / "cases", strict, tmp_path)
    assert r.returncode == 1 and "below the baseline" in r.stderr
