"""`pmdraft lint FILE.md [--json]`: flag "fix the prompt / fix the runbook", AI-failure, unmeasurable and blame.

Exit 0 when nothing is flagged, 1 when something is, 2 on bad input (spec/bundle.md §4). `--json`
prints only the list of flags on stdout; the human form prints `FILE:LINE code — text` with the
why and the suggestion under it.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from agent.cli.app import app, bad_input_exits, err_console, out_console
from tools.errors import BadInput
from tools.jsonio import decode, load_json, read_bytes
from tools.lint import LintFlag, lint_markdown


def read_markdown(path: Path) -> str:
    if not path.exists():
        raise BadInput(path, "no such file")
    if path.is_dir():
        raise BadInput(path, "is a directory; expected a Markdown postmortem file")
    try:
        return decode(path, read_bytes(path))
    except BadInput as exc:
        if exc.problem.startswith("binary data"):
            raise BadInput(path, "binary data, not text (NUL bytes); expected a Markdown postmortem") from None
        raise


def bundle_agents(path: Path) -> list[str]:
    """Agent names from the incident.json beside a bundle's postmortem.md, so they are never 'people'."""
    meta_path = path.parent / "incident.json"
    if not meta_path.is_file():
        return []
    try:
        meta = load_json(meta_path)
    except BadInput:
        return []  # a broken sibling file must not stop linting the postmortem itself
    agents = meta.get("agents") if isinstance(meta, dict) else None
    return [a for a in agents if isinstance(a, str)] if isinstance(agents, list) else []


def print_human(path: Path, flags: list[LintFlag]) -> None:
    for f in flags:
        out_console.print(f"{path}:{f.line} {f.code} — {f.text}", markup=False, soft_wrap=True)
        out_console.print(f"    why: {f.why}", markup=False, soft_wrap=True)
        out_console.print(f"    suggestion: {f.suggestion}", markup=False, soft_wrap=True)
    codes = sorted({f.code for f in flags})
    summary = f"{len(flags)} flag(s): {', '.join(codes)}" if flags else "no flags"
    err_console.print(f"{path}: {summary}", markup=False)


@app.command()
@bad_input_exits
def lint(
    file: Path = typer.Argument(..., help="A Markdown postmortem (any template)."),
    as_json: bool = typer.Option(False, "--json", help="Print the flags as a JSON list on stdout."),
    person: list[str] = typer.Option(
        [], "--person", "-p", help="A human's name or chat handle, for blame detection (repeatable)."
    ),
) -> None:
    """Flag 'fix the prompt / fix the runbook', uncategorized AI failures, unmeasurable items and blame."""
    text = read_markdown(file)
    flags = lint_markdown(text, people=person, agents=bundle_agents(file))
    if as_json:
        typer.echo(orjson.dumps([f.public() for f in flags], option=orjson.OPT_INDENT_2).decode())
    else:
        print_human(file, flags)
    raise typer.Exit(1 if flags else 0)
