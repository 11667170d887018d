"""`pmdraft bench who-and-when PATH [--json OUT]`: failure attribution on the Who&When benchmark."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.bench.attribution_bench import TOLERANCE, Prediction, Scores, SplitReport, predict, report
from agent.bench.who_and_when import SPLITS, Run, find_runs, load_run
from agent.cli.app import app, bad_input_exits, err_console, out_console

bench_app = typer.Typer(
    name="bench",
    help="Measure the offline engine on public benchmarks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(bench_app, name="bench")


@bench_app.command("who-and-when")
@bad_input_exits
def who_and_when(
    path: Path = typer.Argument(..., help="The Who&When folder (holding Algorithm-Generated/ and Hand-Crafted/), one split, or one file."),
    json_out: Path = typer.Option(None, "--json", help="Write every prediction and the per-split scores as JSON."),
    runs: bool = typer.Option(False, "--runs", help="Also print every run's prediction next to its label."),
) -> None:
    """Predict the responsible agent and the decisive step of every failed run; report accuracy."""
    groups = find_runs(path)
    loaded, preds = _predict_all(groups)
    reports = [report(split, loaded[split], preds[split]) for split in _ordered(groups)]
    if runs:
        _runs_table([p for split in _ordered(groups) for p in preds[split]])
    _scores_table(reports)
    if json_out:
        payload = {
            "benchmark": "Who&When",
            "path": str(path),
            "tolerance": TOLERANCE,
            "splits": [r.model_dump() for r in reports],
            "predictions": [p.model_dump() for split in _ordered(groups) for p in preds[split]],
        }
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")
        err_console.print(f"wrote {json_out}")


def _ordered(groups: dict[str, list[Path]]) -> list[str]:
    known = [s for s in SPLITS if s in groups]
    return known + sorted(s for s in groups if s not in SPLITS)


def _predict_all(groups: dict[str, list[Path]]) -> tuple[dict[str, list[Run]], dict[str, list[Prediction]]]:
    loaded: dict[str, list[Run]] = {s: [] for s in groups}
    preds: dict[str, list[Prediction]] = {s: [] for s in groups}
    total = sum(len(files) for files in groups.values())
    with Progress(
        TextColumn("[bold]who&when[/] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True,
    ) as progress:
        task = progress.add_task("", total=total)
        for split in _ordered(groups):
            for f in groups[split]:
                progress.update(task, description=f"{split}/{f.name}")
                run = load_run(f)
                loaded[split].append(run)
                preds[split].append(predict(run))
                progress.advance(task)
    return loaded, preds


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _scores_table(reports: list[SplitReport]) -> None:
    t = Table(title=f"Who&When failure attribution (% of failed runs; step ±{TOLERANCE} = within {TOLERANCE} steps)")
    for col, just in (("split", "left"), ("method", "left"), ("agent", "right"), ("step", "right"),
                      (f"step ±{TOLERANCE}", "right"), ("runs", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in reports:
        _row(t, r.split, "[bold]pmdraft offline engine[/]", r.ours)
        for name, s in r.paper.items():
            _row(t, "", f"paper: {name}", s, runs="")
        for name, s in r.baselines.items():
            _row(t, "", f"baseline: {name}", s)
        t.add_section()
    out_console.print(t)
    for r in reports:
        rnd = r.paper.get("random")
        if rnd is None or rnd.step is None:
            continue
        beats = r.ours.agent > rnd.agent and (r.ours.step or 0.0) > rnd.step
        verdict = "[green]beats[/]" if beats else "[red]does not beat[/]"
        out_console.print(f"{r.split}: {verdict} the paper's random baseline on both levels "
                          f"(agent {r.ours.agent:.2f} vs {rnd.agent:.2f}, step {r.ours.step or 0.0:.2f} vs {rnd.step:.2f})")


def _row(t: Table, split: str, method: str, s: Scores, runs: str | None = None) -> None:
    t.add_row(split, method, _pct(s.agent), _pct(s.step), _pct(s.step_within), str(s.runs) if runs is None else runs)


def _runs_table(preds: list[Prediction]) -> None:
    t = Table(title="per run")
    for col in ("run", "steps", "label", "predicted", "ok", "why"):
        t.add_column(col, overflow="fold")
    for p in preds:
        ok = "".join(("A" if p.agent_ok else "·", "S" if p.step_ok else ("±" if p.step_within else "·")))
        t.add_row(
            f"{p.split}/{Path(p.file).name}", str(p.steps), f"{p.label_agent} @ {p.label_step}",
            f"{p.agent} @ {p.step}", ok, "; ".join(p.reasons)[:160],
        )
    out_console.print(t, markup=False)
