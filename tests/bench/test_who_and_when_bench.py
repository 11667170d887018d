"""The Who&When benchmark end to end: the command on small fixtures, and the full data when it is beside the repo."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from agent.bench.attribution_bench import PAPER, predict, report, same_agent
from agent.bench.who_and_when import SPLITS, find_runs, load_run
from conftest import pmdraft_cmd

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "who_and_when"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/datasets/who_and_when not beside the repo")

HAND = {
    "question": "Which gym near Tompkins Square Park opens before 7am?",
    "ground_truth": "CrossFit East River",
    "history": [
        {"role": "human", "content": "Which gym near Tompkins Square Park opens before 7am?"},
        {"role": "Orchestrator (thought)", "content": "Initial plan: find gyms near Tompkins Square Park and their hours."},
        {"role": "Orchestrator (-> WebSurfer)", "content": "Please search for gyms near Tompkins Square Park."},
        {"role": "WebSurfer", "content": "I typed 'gyms'. The page lists Nimble Fitness (opens 6am)."},
        {"role": "Orchestrator (termination condition)", "content": "FINAL ANSWER: Nimble Fitness"},
    ],
    "mistake_agent": "WebSurfer",
    "mistake_step": "3",
}


def test_agent_names_compare_loosely() -> None:
    assert same_agent("Websurfer", "WebSurfer")
    assert same_agent("Orchestrator (thought)", "Orchestrator")
    assert same_agent("VerificationExpert", "Verification_Expert")
    assert not same_agent(None, "WebSurfer") and not same_agent("Assistant", "WebSurfer")


def test_command_on_fixtures_writes_json(tmp_path: Path) -> None:
    folder = tmp_path / "Hand-Crafted"
    folder.mkdir()
    (folder / "1.json").write_text(json.dumps(HAND), encoding="utf-8")
    out = tmp_path / "out" / "ww.json"
    r = subprocess.run([*pmdraft_cmd(), "bench", "who-and-when", str(tmp_path), "--json", str(out), "--runs"],
                       capture_output=True, text=True, env={**os.environ}, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "hand-crafted" in r.stdout and "paper: random" in r.stdout and "per run" in r.stdout
    payload = json.loads(out.read_text())
    [split] = payload["splits"]
    assert split["split"] == "hand-crafted" and split["ours"]["runs"] == 1
    [pred] = payload["predictions"]
    # The wrong final answer's value first appears in the WebSurfer's page: that is the pick.
    assert (pred["agent"], pred["step"]) == ("WebSurfer", 3)
    assert pred["agent_ok"] and pred["step_ok"] and pred["claims"] == ["Nimble Fitness"]


@needs_data
def test_full_benchmark_beats_random_on_both_levels() -> None:
    t0 = time.perf_counter()
    groups = find_runs(DATA)
    lines = []
    for split in SPLITS:
        runs = [load_run(f) for f in groups[split]]
        rep = report(split, runs, [predict(r) for r in runs])
        rnd_agent, rnd_step = PAPER[split]["random"]
        ours, expected = rep.ours, rep.baselines["random (expected)"]
        lines.append(f"{split}: agent {ours.agent:.2f} step {ours.step:.2f} ±5 {ours.step_within:.2f} "
                     f"(paper random {rnd_agent} / {rnd_step}; random expected {expected.agent:.2f} / {expected.step:.2f})")
        assert ours.runs == {"algorithm-generated": 126, "hand-crafted": 58}[split]
        assert ours.step is not None and expected.step is not None
        assert ours.agent > max(rnd_agent, expected.agent), lines[-1]
        assert ours.step > max(rnd_step, expected.step), lines[-1]
    print("\n".join(lines), f"\n{time.perf_counter() - t0:.1f}s")
