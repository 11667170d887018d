"""`pmdraft eval DATASET [--engine offline|llm] [--json OUT] [--baseline FILE]` and the history report."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.cli.app import app, bad_input_exits, err_console, fail, out_console
from agent.evals.report import (
    METRICS,
    aggregate,
    append_history,
    check_baseline,
    history_markdown,
    run_record,
    trivial_baselines,
)
from agent.evals.runner import find_cases, run_dataset
from agent.evals.scoring import CaseScore

_SHORT = {
    "decision_span": "decision", "quote_verified": "quotes ok", "inference_phrase": "infer.",
    "correct_inference_phrase": "correct", "missed_signal_phrase": "signal", "in_context": "in ctx",
    "root_cause_primary": "primary", "category_f1": "cat F1", "postmortem_flags": "PM flags",
    "upstream": "upstream", "what_moved_model": "model",
}


@app.command("eval")
@bad_input_exits
def eval_cmd(
    dataset: Path = typer.Argument(..., help="A folder of incident bundles with expected.json labels."),
    engine: str = typer.Option("offline", "--engine", help="offline or llm."),
    json_out: Path = typer.Option(None, "--json", help="Write per-case and aggregate results as JSON."),
    baseline: Path = typer.Option(None, "--baseline", help="Exit 1 when a metric falls below this file's values."),
    write_baseline: Path = typer.Option(None, "--write-baseline", help="Write the current means as a baseline file."),
    history: Path = typer.Option(None, "--history", help="Append this run to a JSON-lines history file."),
    out: Path = typer.Option(None, "--out", help="Keep the drafts here (default: a temporary folder)."),
    workers: int = typer.Option(0, "--workers", help="Parallel workers (default: CPU count)."),
) -> None:
    """Draft every case under DATASET, score against expected.json, print per-case and per-metric tables."""
    if engine not in ("offline", "llm"):
        raise fail(f"--engine must be 'offline' or 'llm', not {engine!r}")
    cases = find_cases(dataset)
    with tempfile.TemporaryDirectory(prefix="pmdraft-eval-") as tmp:
        root = out or Path(tmp)
        results = _run(dataset, root, engine, workers or None, len(cases))
    agg = aggregate(results)
    base = trivial_baselines(results)
    _case_table(results)
    _metric_table(agg, base)
    if json_out:
        payload = {"cases": [r.model_dump() for r in results], "metrics": agg, "trivial_baselines": base}
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    if history:
        append_history(history, run_record(dataset, engine, agg, results))
    if write_baseline:
        # Rounded down: a baseline must never sit above the run that wrote it.
        floor = {k: math.floor(v["mean"] * 1000) / 1000 for k, v in agg.items() if v["mean"] is not None and k in METRICS}
        write_baseline.write_bytes(orjson.dumps({"metrics": floor}, option=orjson.OPT_INDENT_2) + b"\n")
    if baseline:
        below = check_baseline(agg, baseline)
        if below:
            for line in below:
                err_console.print(f"[red]below baseline[/]: {line}")
            raise typer.Exit(1)
        err_console.print(f"[green]at or above the baseline[/] ({baseline})")


@app.command("eval-report")
@bad_input_exits
def eval_report(
    history: Path = typer.Argument(..., help="JSON-lines history written by `pmdraft eval --history`."),
    out: Path = typer.Option(None, "--out", help="Write the Markdown report here (default: stdout)."),
) -> None:
    """Markdown report of metrics per run, with a Mermaid chart per dataset: the trend across versions."""
    text = history_markdown(history)
    if out:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {out}")
    else:
        out_console.print(text, markup=False)


def _run(dataset: Path, root: Path, engine: str, workers: int | None, total: int) -> list[CaseScore]:
    with Progress(
        TextColumn("[bold]eval[/] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True,
    ) as progress:
        task = progress.add_task(dataset.name, total=total)
        return run_dataset(dataset, root, engine, workers, on_done=lambda r: progress.advance(task))


def _cell(v: float | None) -> str:
    if v is None:
        return "·"
    return "[green]1[/]" if v >= 0.999 else ("[red]0[/]" if v <= 0.001 else f"{v:.2f}")


def _case_table(results: list[CaseScore]) -> None:
    t = Table(title="per case", show_lines=False)
    t.add_column("case", overflow="fold")
    for m in METRICS:
        t.add_column(_SHORT[m], justify="center")
    t.add_column("s", justify="right")
    for r in results:
        if r.error:
            t.add_row(r.case, *(["[red]ERR[/]"] + [""] * (len(METRICS) - 1)), f"{r.seconds:.2f}")
            continue
        t.add_row(r.case, *(_cell(r.metrics.get(m)) for m in METRICS), f"{r.seconds:.2f}")
    out_console.print(t)
    for r in results:
        if r.error:
            out_console.print(f"[red]error[/] {r.case}: {r.error}", markup=True)


def _metric_table(agg: dict, base: dict) -> None:
    t = Table(title="per metric (mean over labelled cases)")
    for col in ("metric", "pmdraft", "n", "trivial baselines"):
        t.add_column(col)
    for m in METRICS:
        a = agg[m]
        b = base.get(m, {})
        bl = ", ".join(f"{k} {v:.2f}" for k, v in b.items() if v is not None) or "—"
        t.add_row(m, "—" if a["mean"] is None else f"{a['mean']:.2f}", str(a["n"]), bl)
    for m in ("seconds_per_draft", "tokens_per_draft", "errors"):
        a = agg[m]
        t.add_row(m, "—" if a["mean"] is None else f"{a['mean']:.2f}", str(a["n"]), "")
    out_console.print(t)
