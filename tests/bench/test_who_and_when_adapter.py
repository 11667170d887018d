"""The Who&When adapter: both history shapes → normalized trace + incident context; bad files → one line."""

from __future__ import annotations

import json
import os
import subprocess
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from agent.bench.who_and_when import INPUT_WINDOW, find_runs, load_run, span_id, step_index
from conftest import pmdraft_cmd
from tools.errors import BadInput

ALGO: dict[str, Any] = {
    "is_correct": False,
    "question": "How many clients in the spreadsheet have an even street number?",
    "question_ID": "q-1",
    "level": "1",
    "ground_truth": "8",
    "history": [
        {"role": "assistant", "name": "Excel_Expert",
         "content": "# General Task\nHow many clients in the spreadsheet have an even street number?\n"
                    "```python\nimport pandas as pd\nprint(pd.read_excel('c.xlsx').shape)\n```"},
        {"role": "user", "name": "Computer_terminal", "content": "exitcode: 1 (execution failed)\nCode output: Traceback …"},
        {"role": "user", "name": "Logic_Expert",
         "content": "Let's assume the sample data below.\n```sh\necho 4\n```"},
        {"role": "user", "name": "Computer_terminal", "content": "exitcode: 0 (execution succeeded)\nCode output: 4\n"},
        {"role": "user", "name": "Verification_Expert", "content": "The final answer is 4."},
        {"role": "user", "name": "Verification_Expert", "content": "TERMINATE"},
    ],
    "mistake_agent": "Logic_Expert",
    "mistake_step": "2",
    "mistake_reason": "Used made-up data.",
    "system_prompt": {"Excel_Expert": "You are an Excel expert.", "Logic_Expert": "You reason."},
}

HAND: dict[str, Any] = {
    "is_corrected": False,
    "question": "Which gym near the park opens before 7am?",
    "question_ID": "q-2",
    "ground_truth": "CrossFit East River",
    "history": [
        {"role": "human", "content": "Which gym near the park opens before 7am?"},
        {"role": "Orchestrator (thought)", "content": "Initial plan: search for gyms near the park."},
        {"role": "Orchestrator (-> WebSurfer)", "content": "Please search for gyms near the park."},
        {"role": "WebSurfer", "content": "I typed 'gyms near the park'. Results: Nimble Fitness, Equinox."},
        {"role": "Orchestrator (-> ComputerTerminal)", "content": "Run the script."},
        {"role": "ComputerTerminal", "content": "The script ran, then exited with an error."},
        {"role": "Orchestrator (termination condition)", "content": "FINAL ANSWER: Nimble Fitness"},
    ],
    "mistake_agent": "WebSurfer",
    "mistake_step": "3",
    "mistake_reason": "Incomplete search.",
}


def write(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_algorithm_generated_shape(tmp_path: Path) -> None:
    run = load_run(write(tmp_path / "Algorithm-Generated", "1.json", ALGO))
    spans = run.trace.spans
    assert run.split == "algorithm-generated"
    assert len(spans) == len(ALGO["history"])
    assert [step_index(s) for s in spans] == list(range(6)) and spans[2].span_id == span_id(2)
    assert [s.kind for s in spans] == ["llm", "tool", "llm", "tool", "llm", "llm"]
    assert [s.agent for s in spans][:3] == ["Excel_Expert", "Computer_terminal", "Logic_Expert"]
    assert spans[1].status == "error" and spans[3].status == "ok"
    assert spans[1].tool_result and spans[1].tool_result.startswith("exitcode: 1")
    # Code blocks are the calls the executor runs.
    assert [c.name for c in spans[0].output_tool_calls] == ["execute_python"]
    assert [c.name for c in spans[2].output_tool_calls] == ["execute_shell"]
    assert spans[2].output_tool_calls[0].arguments == "echo 4"
    # The agent's system prompt, then the previous steps from its point of view.
    inputs = spans[2].input_messages
    assert inputs[0].role == "system" and inputs[0].content == "You reason."
    assert [m.role for m in inputs[1:]] == ["user", "tool"]
    assert all(a.end_ns and b.start_ns and a.end_ns < b.start_ns for a, b in pairwise(spans))
    assert run.labels.mistake_step == 2 and run.labels.mistake_agent == "Logic_Expert"


def test_hand_crafted_shape(tmp_path: Path) -> None:
    run = load_run(write(tmp_path / "Hand-Crafted", "7.json", HAND))
    spans = run.trace.spans
    assert run.split == "hand-crafted"
    assert [s.kind for s in spans] == ["other", "llm", "llm", "llm", "llm", "tool", "llm"]
    assert spans[0].agent is None and spans[0].input_text == HAND["question"]
    # The role is the agent; the Orchestrator's channel stays in the span name.
    assert [s.agent for s in spans[1:]] == ["Orchestrator", "Orchestrator", "WebSurfer", "Orchestrator",
                                            "ComputerTerminal", "Orchestrator"]
    assert spans[2].name == "Orchestrator (-> WebSurfer)"
    assert [c.name for c in spans[2].output_tool_calls] == ["transfer_to_WebSurfer"]
    assert [c.name for c in spans[4].output_tool_calls] == ["transfer_to_ComputerTerminal"]
    assert spans[3].input_messages[-1].name == "Orchestrator (-> WebSurfer)"
    assert spans[3].attributes["role"] == "WebSurfer"


def test_incident_context(tmp_path: Path) -> None:
    run = load_run(write(tmp_path / "Hand-Crafted", "7.json", HAND))
    bundle = run.bundle()
    assert bundle.meta.title == HAND["question"]
    assert bundle.meta.agents == ["Orchestrator", "WebSurfer"]
    assert bundle.chat is not None and len(bundle.chat.messages) == 1
    msg = bundle.chat.messages[0]
    assert "CrossFit East River" in msg.text and not msg.is_bot
    last = run.trace.spans[-1]
    assert last.end_ns is not None and msg.time.timestamp() * 1e9 > last.end_ns


def test_input_window_is_bounded_and_keeps_the_task(tmp_path: Path) -> None:
    long = dict(HAND, history=[HAND["history"][0]] + [
        {"role": "WebSurfer" if i % 2 else "Orchestrator (thought)", "content": f"turn {i}"} for i in range(1, 40)
    ], mistake_step="5")
    run = load_run(write(tmp_path / "Hand-Crafted", "9.json", long))
    last = run.trace.spans[-1]
    assert len(last.input_messages) == INPUT_WINDOW + 1
    assert last.input_messages[0].content == HAND["question"]


def test_find_runs_both_splits_one_split_one_file(tmp_path: Path) -> None:
    a = write(tmp_path / "Algorithm-Generated", "2.json", ALGO)
    write(tmp_path / "Algorithm-Generated", "10.json", ALGO)
    write(tmp_path / "Hand-Crafted", "1.json", HAND)
    both = find_runs(tmp_path)
    assert sorted(both) == ["algorithm-generated", "hand-crafted"]
    assert [p.name for p in both["algorithm-generated"]] == ["2.json", "10.json"]
    assert list(find_runs(tmp_path / "Hand-Crafted")) == ["hand-crafted"]
    assert find_runs(a) == {"algorithm-generated": [a]}
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match="no Who&When"):
        find_runs(tmp_path / "empty")


BAD: dict[str, tuple[Any, str]] = {
    "not json": ('{"question": "q", "history": [', "1.json"),
    "array": ([1, 2], "JSON object"),
    "no question": ({"history": ALGO["history"]}, "question"),
    "no history": ({"question": "q"}, "history"),
    "empty history": ({"question": "q", "history": []}, "history"),
    "step not object": ({"question": "q", "history": ["hi"]}, "history[0]"),
    "content not text": ({"question": "q", "history": [{"role": "user", "content": 3}]}, "content"),
    "no role": ({"question": "q", "history": [{"content": "x"}]}, "role"),
    "step label not a number": (dict(ALGO, mistake_step="two"), "mistake_step"),
    "step label outside history": (dict(ALGO, mistake_step="60"), "outside"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_one_line(name: str, tmp_path: Path) -> None:
    data, needle = BAD[name]
    path = write(tmp_path, "1.json", data)
    with pytest.raises(BadInput) as err:
        load_run(path)
    text = str(err.value)
    assert "\n" not in text and str(path) in text and needle in text


def test_cli_bad_file_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "Hand-Crafted", "1.json", HAND)
    write(tmp_path / "Hand-Crafted", "2.json", {"question": "q", "history": []})
    r = subprocess.run([*pmdraft_cmd(), "bench", "who-and-when", str(tmp_path)], capture_output=True, text=True,
                       env={**os.environ}, timeout=60)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "2.json" in lines[0] and "Traceback" not in r.stderr
