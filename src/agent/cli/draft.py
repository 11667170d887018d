"""`pmdraft draft CASE --out DIR [--engine offline|llm] [--no-review]`."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from agent.cli.app import app, bad_input_exits, err_console, fail
from agent.state import DraftInput

NODE_LABELS = {
    "extract_inferences": "what the agent inferred",
    "correct_inference": "the correct inference",
    "missed_signals": "the missed signal",
    "root_cause": "root-cause split",
    "change_variables": "what moved",
    "action_items": "context changes and action items",
    "compose": "draft.md / draft.json",
    "lint": "lint",
    "revise": "revise flagged text",
    "publish": "publish",
}


@app.command()
@bad_input_exits
def draft(
    case: Path = typer.Argument(..., help="Incident bundle directory (incident.json, traces/, chat/)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory for draft.json, draft.md, eval_case.json."),
    engine: str = typer.Option("offline", "--engine", help="offline (default, no network) or llm."),
    no_review: bool = typer.Option(False, "--no-review", help="Write the draft and stop; no review pause."),
    replays: int = typer.Option(0, "--replays", help="LLM engine: replay the decision point N times (behavior rate)."),
    db: str = typer.Option(None, "--db", help="Checkpoint DB: a SQLite path or postgresql:// URL (env PMDRAFT_DB)."),
    restart: bool = typer.Option(False, "--restart", help="Discard a run already waiting for review (edits are kept on disk)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Draft a postmortem for CASE; without --no-review, pause for a reviewer (`pmdraft review ID`)."""
    if engine not in ("offline", "llm"):
        raise fail(f"--engine must be 'offline' or 'llm', not {engine!r}")
    if replays < 0:
        raise fail("--replays must be 0 or more")
    from agent.llm.setup import prepare_engine
    from agent.runner import start_draft

    t0 = time.monotonic()
    ws = _load(case, quiet)
    prepare_engine(engine)
    inp = DraftInput(
        bundle_path=str(case), out_dir=str(out), engine=engine,
        review=not no_review, replays=replays,
    )
    on_node = None if quiet else (lambda n: err_console.print(f"  [green]✓[/] {NODE_LABELS.get(n, n)}"))
    result = start_draft(inp, ws.bundle.meta.id, db=db, on_node=on_node, restart=restart)
    state = result.state
    assert state is not None and state.draft is not None
    d = state.draft
    if not quiet:
        _report(d, out, time.monotonic() - t0)
    if result.interrupted:
        err_console.print(
            f"\nPaused for review. Next: [bold]pmdraft review {d.incident.id}[/] "
            f"(opens $EDITOR, or --edited FILE, or --approve)."
        )


def _load(case: Path, quiet: bool):
    from agent.workspace import workspace

    if quiet:
        return workspace(str(case))
    with Progress(
        TextColumn("[bold]reading[/] {task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
        console=err_console, transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def cb(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total or None)
            progress.update(tasks[label], completed=done, total=total or None)

        ws = workspace(str(case), progress=cb)
    b = ws.bundle
    spans = sum(len(t.spans) for t in b.traces)
    fmts = ", ".join(sorted({t.format for t in b.traces})) or "none"
    chat = f"{len(b.chat.messages)} messages ({b.chat.format})" if b.chat else "no chat"
    err_console.print(f"[bold]{b.meta.id}[/]: {spans} spans ({fmts}); {chat}")
    for w in b.warnings:
        err_console.print(f"  [yellow]![/] {w}")
    return ws


def _report(d, out: Path, seconds: float) -> None:
    decision = next((i for i in d.agent_inferences if i.is_decision), None)
    err_console.print()
    if decision:
        err_console.print(f"[bold]Agent inferred[/] (span:{decision.span_id}): “{_clip(decision.quote, 160)}”")
    elif d.correct_inference and d.correct_inference.agent_was_right:
        err_console.print("[bold]Agent inferred[/]: correctly — the failure was elsewhere")
    if d.correct_inference:
        err_console.print(f"[bold]What was true[/]: {_clip(d.correct_inference.text, 200)}")
    if d.missed_signals:
        s = d.missed_signals[0]
        ctx = {True: "was in its context", False: "was not in its context", None: "context unknown"}[s.in_agent_context]
        err_console.print(f"[bold]Missed signal[/]: {s.name} ({ctx})")
    if d.root_cause:
        split = ", ".join(f"{c.category} {c.weight:.2f}" for c in d.root_cause.contributions)
        err_console.print(f"[bold]Root cause[/]: {d.root_cause.primary} ({split})")
    if d.flags:
        err_console.print(f"[bold yellow]Flags[/]: {', '.join(sorted({f.code for f in d.flags}))}")
    err_console.print(f"\nWrote {out / 'draft.md'}, {out / 'draft.json'}, {out / 'eval_case.json'} in {seconds:.2f} s")


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
