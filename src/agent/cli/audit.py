"""`pmdraft audit DIR [--since DATE] [--out REPORT.md]`: the quarterly check over historical postmortems.

Reports how many involved an agent, how many kept the agent rows versus flattening them, flags
per code and root-cause categories per month, as Markdown with Mermaid charts (and a PNG beside
REPORT.md when matplotlib is installed). Without --out the report goes to stdout.
"""

from __future__ import annotations

from pathlib import Path

import typer

from agent.cli.app import app, bad_input_exits, err_console
from tools.audit import render_report, run_audit, write_png
from tools.audit.sources import parse_date
from tools.errors import BadInput


@app.command()
@bad_input_exits
def audit(
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder of postmortems (*.md, incident bundles)."),
    since: str | None = typer.Option(None, "--since", help="Only incidents on or after this date (YYYY-MM-DD)."),
    out: Path | None = typer.Option(None, "--out", help="Write the Markdown report here (and REPORT.png)."),
) -> None:
    """Audit a folder of postmortems: agent rows vs flattening, flags, root-cause categories per month."""
    since_date = None
    if since is not None:
        since_date = parse_date(since)
        if since_date is None:
            raise BadInput("--since", f"not a date: {since!r} (use YYYY-MM-DD)")
    result = run_audit(folder, since_date)
    png_name = None
    if out is not None:
        png = out.with_suffix(".png")
        out.parent.mkdir(parents=True, exist_ok=True)  # before the chart: it is written beside the report
        if result.months() and write_png(result, png):
            png_name = png.name
        out.write_text(render_report(result, png_name), encoding="utf-8")
    else:
        typer.echo(render_report(result))
    agent = len(result.agent_records)
    err_console.print(
        f"audited {len(result.records)} postmortem(s), {agent} with an agent"
        + (f"; report: {out}" if out else "")
        + (f"; chart: {png_name}" if png_name else "")
        + (f"; {len(result.skipped)} unreadable" if result.skipped else ""),
        markup=False,
    )
