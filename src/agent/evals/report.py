"""Aggregate case scores, compare with trivial baselines and a committed baseline, keep history.

Trivial baselines are printed beside the drafter's numbers so a score can be read honestly:
for the decision span, "the first LLM call that acted" and "the last LLM call"; for the primary
root cause and the in-context answer, the dataset's majority class.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from agent import __version__
from agent.evals.scoring import CaseScore
from tools.errors import BadInput

METRICS = (
    "decision_span", "quote_verified", "inference_phrase", "correct_inference_phrase", "missed_signal_phrase",
    "in_context", "root_cause_primary", "category_f1", "postmortem_flags", "upstream", "what_moved_model",
)


def aggregate(results: list[CaseScore]) -> dict[str, dict[str, float | int | None]]:
    out: dict[str, dict[str, float | int | None]] = {}
    for name in METRICS:
        vals = [r.metrics[name] for r in results if r.metrics.get(name) is not None]
        out[name] = {"mean": (sum(v for v in vals if v is not None) / len(vals)) if vals else None, "n": len(vals)}
    ok = [r for r in results if r.error is None]
    out["seconds_per_draft"] = {"mean": sum(r.seconds for r in ok) / len(ok) if ok else None, "n": len(ok)}
    out["tokens_per_draft"] = {"mean": sum(r.tokens for r in ok) / len(ok) if ok else None, "n": len(ok)}
    out["errors"] = {"mean": float(len(results) - len(ok)), "n": len(results)}
    return out


def trivial_baselines(results: list[CaseScore]) -> dict[str, dict[str, float | None]]:
    ok = [r for r in results if r.error is None]
    out: dict[str, dict[str, float | None]] = {}
    labelled = [r for r in ok if r.details.get("expected_decision") is not None or "decision_span" in r.metrics]
    for key in ("first_acting_llm", "last_llm"):
        hits = []
        for r in labelled:
            pick = r.details.get("baselines", {}).get(key)
            want = r.details.get("expected_decision")
            hits.append(float(pick in want) if want else float(pick is None))
        out.setdefault("decision_span", {})[key] = sum(hits) / len(hits) if hits else None
    for metric, key in (("root_cause_primary", "expected_primary"), ("in_context", "expected_in_context")):
        labels = [r.details.get(key) for r in ok if r.details.get(key) is not None]
        if labels:
            _, count = Counter(labels).most_common(1)[0]
            out.setdefault(metric, {})["majority_class"] = count / len(labels)
    return out


def check_baseline(agg: dict[str, dict[str, float | int | None]], path: Path) -> list[str]:
    """Metrics that fell below the committed baseline (a list of one-line reasons)."""
    if not path.is_file():
        raise BadInput(path, "baseline file not found")
    try:
        raw = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise BadInput(path, f"malformed JSON: {exc}") from None
    floor = raw.get("metrics", raw) if isinstance(raw, dict) else None
    if not isinstance(floor, dict):
        raise BadInput(path, "baseline must be a JSON object of metric → minimum value")
    below = []
    for name, minimum in floor.items():
        got = agg.get(name, {}).get("mean")
        if got is None or not isinstance(minimum, int | float):
            continue
        if name in ("seconds_per_draft", "tokens_per_draft", "errors"):
            if got > minimum + 1e-9:
                below.append(f"{name} {got:.3f} is above the baseline's {minimum:.3f}")
        elif got < minimum - 1e-9:
            below.append(f"{name} {got:.3f} is below the baseline {minimum:.3f}")
    return below


def run_record(dataset: Path, engine: str, agg: dict[str, Any], results: list[CaseScore]) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": __version__,
        "commit": _git_commit(),
        "dataset": str(dataset),
        "engine": engine,
        "cases": len(results),
        "metrics": {k: v["mean"] for k, v in agg.items()},
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def append_history(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        fh.write(orjson.dumps(record) + b"\n")


def history_markdown(path: Path) -> str:
    """A Markdown report of every run in a history file, with a Mermaid line chart per dataset."""
    runs = _read_history(path)
    lines = [f"# pmdraft eval history ({len(runs)} runs)", ""]
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        by_dataset.setdefault(f"{r['dataset']} ({r['engine']})", []).append(r)
    shown = ("decision_span", "in_context", "root_cause_primary", "category_f1", "correct_inference_phrase",
             "missed_signal_phrase", "postmortem_flags")
    for name, rs in by_dataset.items():
        lines += [f"## {name}", "", "| run | commit | " + " | ".join(shown) + " |", "|---|---|" + "---|" * len(shown)]
        for r in rs:
            vals = " | ".join(_fmt(r["metrics"].get(m)) for m in shown)
            lines.append(f"| {r['at']} | {r.get('commit') or '—'} | {vals} |")
        lines += ["", "```mermaid", "xychart-beta", f'    title "{name}"',
                  "    x-axis [" + ", ".join(f'"{i + 1}"' for i in range(len(rs))) + "]",
                  '    y-axis "score" 0 --> 1']
        for m in shown[:4]:
            series = ", ".join(f"{(r['metrics'].get(m) or 0):.2f}" for r in rs)
            lines.append(f"    line [{series}]")
        lines += ["```", "", "Lines: " + ", ".join(shown[:4]) + " (in that order).", ""]
    return "\n".join(lines)


def _read_history(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BadInput(path, "no eval history yet (run `pmdraft eval … --history FILE` first)")
    runs = []
    for i, line in enumerate(path.read_bytes().splitlines(), 1):
        if line.strip():
            try:
                runs.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                raise BadInput(path, "malformed history line", line=i) from None
    return runs


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"
