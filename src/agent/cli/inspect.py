"""`pmdraft inspect CASE` — the merged timeline of a bundle: spans and messages with refs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from agent.cli.app import app, bad_input_exits, out_console
from tools.bundle import load_bundle
from tools.evidence.index import EvidenceIndex
from tools.model.trace import Span, ns_to_datetime


@app.command()
@bad_input_exits
def inspect(
    case: Path = typer.Argument(..., help="Incident bundle directory."),
    limit: int = typer.Option(400, "--limit", help="Show at most this many timeline rows (0 = all)."),
    spans_only: bool = typer.Option(False, "--spans", help="Only trace spans."),
    chat_only: bool = typer.Option(False, "--chat", help="Only chat messages."),
) -> None:
    """Print counts, detected formats and the merged trace + chat timeline with span:/chat: refs."""
    bundle = load_bundle(case)
    idx = EvidenceIndex(bundle)
    m = bundle.meta
    out_console.print(f"[bold]{m.id}[/] {m.title or ''}")
    out_console.print(f"severity {m.severity or '—'}; opened {m.opened_at or '—'}; resolved {m.resolved_at or '—'}")
    for t in bundle.traces:
        kinds: dict[str, int] = {}
        for s in t.spans:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        kind_txt = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        out_console.print(f"trace  {Path(t.source_file).name}: [cyan]{t.format}[/], {len(t.spans)} spans ({kind_txt})")
    if bundle.chat:
        c = bundle.chat
        humans = len(idx.human_messages)
        out_console.print(
            f"chat   {Path(c.source).name}: [cyan]{c.format}[/], {len(c.messages)} messages "
            f"({humans} human, {sum(1 for x in c.messages if x.is_bot)} bot)"
        )
    for w in bundle.warnings:
        out_console.print(f"[yellow]![/] {w}")
    rows = _rows(idx, spans_only, chat_only)
    table = Table(show_header=True, header_style="bold", expand=False)
    for col in ("time (UTC)", "who", "what", "ref"):
        table.add_column(col, overflow="fold")
    shown = rows if limit <= 0 else rows[:limit]
    for r in shown:
        table.add_row(*r[1:])
    out_console.print(table)
    if len(shown) < len(rows):
        out_console.print(f"… {len(rows) - len(shown)} more rows (use --limit 0 for all)")


def _rows(idx: EvidenceIndex, spans_only: bool, chat_only: bool) -> list[tuple[int, str, str, str, str]]:
    rows: list[tuple[int, str, str, str, str]] = []
    if not chat_only:
        for s in idx.spans:
            ns = s.start_ns or 0
            rows.append((ns, _t(ns), s.agent or s.service or "", _span_text(s), s.ref))
    if not spans_only:
        for m in idx.messages:
            ns = idx.message_ns(m)
            who = m.author + (" (bot)" if m.is_bot else "")
            indent = "  ↳ " if m.is_reply else ""
            rows.append((ns, _t(ns), who, indent + _clip(m.text, 220), m.ref))
    rows.sort(key=lambda r: r[0])
    return rows


def _span_text(s: Span) -> str:
    err = f" [red]ERROR[/] {_clip(s.error or '', 80)}" if s.status == "error" else ""
    if s.kind == "llm":
        calls = ", ".join(f"{c.name}({_clip(c.arguments, 50)})" for c in s.output_tool_calls)
        text = _clip(s.output_text or "", 160)
        body = " → ".join(x for x in (text, calls) if x) or "(no recorded output)"
        return f"[magenta]llm[/] {s.model or s.name}: {body}{err}"
    if s.kind == "tool":
        return f"[blue]tool[/] {s.tool_name or s.name}({_clip(s.tool_args or '', 60)}) = {_clip(s.tool_result or '', 100)}{err}"
    if s.kind == "retrieval":
        docs = ", ".join(d.id or "?" for d in s.documents[:4])
        return f"[blue]retrieval[/] {s.name}: {len(s.documents)} docs {docs}{err}"
    return f"{s.kind} {s.name}{err}"


def _t(ns: int) -> str:
    dt = ns_to_datetime(ns)
    return dt.strftime("%Y-%m-%d %H:%M:%S") if dt and ns else ""


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
