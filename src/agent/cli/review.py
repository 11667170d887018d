"""`pmdraft review INCIDENT_ID [--edited FILE] [--approve] [--show]` — the human review step."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

import typer
from rich.table import Table

from agent.cli.app import app, bad_input_exits, err_console, fail, out_console
from agent.state import ReviewDecision
from tools.errors import BadInput
from tools.jsonio import decode, loads, read_bytes


@app.command()
@bad_input_exits
def review(
    incident_id: str = typer.Argument(..., help="Incident id of a draft waiting for review."),
    edited: Path = typer.Option(None, "--edited", help="Use this edited draft.md (or draft.json) instead of $EDITOR."),
    approve: bool = typer.Option(False, "--approve", help="Approve and publish (edits are linted first)."),
    show: bool = typer.Option(False, "--show", help="Only show the draft's status and flags."),
    reviewer: str = typer.Option(None, "--reviewer", help="Reviewer name recorded in the draft (default $USER)."),
    db: str = typer.Option(None, "--db", help="Checkpoint DB: a SQLite path or postgresql:// URL (env PMDRAFT_DB)."),
) -> None:
    """Show a paused draft and its flags, edit it, approve it."""
    from agent.runner import load_run, resume

    run = load_run(incident_id, db)
    if run.state is None or run.state.draft is None:
        raise fail(f"{incident_id}: no draft run found (drafted with a different --db / PMDRAFT_DB?)")
    state = run.state
    md_path = Path(state.out_dir) / "draft.md"
    _show_status(state, run.interrupted, md_path)
    if show or not run.interrupted:
        return
    decision = ReviewDecision(approve=approve, reviewer=reviewer or os.environ.get("USER"))
    if edited is not None:
        _apply_edit_file(decision, edited)
    elif not approve:
        text = _edit_in_editor(md_path)
        if text is None:
            err_console.print("No changes made; the draft is still waiting. Use --approve to publish it as is.")
            return
        decision.edited_markdown = text
    result = resume(incident_id, decision, db)
    after = result.state
    assert after is not None and after.draft is not None
    if result.interrupted:
        if after.reviewer_flags:
            err_console.print(f"\n[bold yellow]Your edits raised {len(after.reviewer_flags)} flag(s):[/]")
            _flag_table([f.model_dump() for f in after.reviewer_flags])
        err_console.print(
            f"\nEdits saved to {md_path} (and in the checkpoint). Still waiting: "
            f"`pmdraft review {incident_id} --approve` to publish, or edit again."
        )
    else:
        err_console.print(f"\n[bold green]Published[/] {md_path} and {md_path.with_name('draft.json')}.")


def _show_status(state, waiting: bool, md_path: Path) -> None:
    d = state.draft
    status = "waiting for review" if waiting else d.review.status
    out_console.print(f"[bold]{d.incident.id}[/] — {d.incident.title or ''}\nstatus: {status}; draft: {md_path}")
    flags = [f.model_dump() for f in (*state.flags, *state.reviewer_flags)]
    if flags:
        _flag_table(flags)
    else:
        out_console.print("flags: none")


def _flag_table(flags: list[dict]) -> None:
    t = Table(show_lines=False)
    for col in ("source", "code", "where", "text", "suggestion"):
        t.add_column(col, overflow="fold")
    for f in flags:
        where = f.get("field") or (f"line {f['line']}" if f.get("line") else "")
        t.add_row(f.get("source", ""), f["code"], where, f["text"][:120], f["suggestion"][:160])
    err_console.print(t)


def _apply_edit_file(decision: ReviewDecision, path: Path) -> None:
    data = read_bytes(path)
    if path.suffix.lower() == ".json":
        value = loads(path, data)
        if not isinstance(value, dict):
            raise BadInput(path, "an edited draft.json must be a JSON object")
        from pydantic import ValidationError

        from agent.draft import PostmortemDraft

        try:
            PostmortemDraft.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise BadInput(path, f"not a valid draft.json: {loc}: {first['msg']}") from None
        decision.edited_draft = value
    else:
        text = decode(path, data)
        if not text.strip():
            raise BadInput(path, "edited draft is empty")
        decision.edited_markdown = text


def _edit_in_editor(md_path: Path) -> str | None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise BadInput("$EDITOR", "not set; pass --edited FILE or --approve")
    original = md_path.read_text(encoding="utf-8") if md_path.is_file() else ""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as fh:
        fh.write(original)
        tmp = fh.name
    try:
        rc = subprocess.call([*shlex.split(editor), tmp])
        if rc != 0:
            raise BadInput("$EDITOR", f"{editor} exited with status {rc}; nothing changed")
        text = Path(tmp).read_text(encoding="utf-8")
    finally:
        Path(tmp).unlink(missing_ok=True)
    return None if text == original else text
