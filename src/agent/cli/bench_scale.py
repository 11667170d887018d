"""`pmdraft bench scale [--sizes 1k,10k,100k] [--formats …] [--repeat N] [--out DIR]`: the cost curve."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from agent.bench.scale import Row, ScaleConfig, parse_formats, parse_sizes, run_scale
from agent.bench.scale_report import Machine, load_results, targets, write_results
from agent.bench.scale_run import Found
from agent.bench.synth import CHAT_FORMATS, TRACE_FORMATS
from agent.cli.app import bad_input_exits, err_console, fail, out_console
from agent.cli.bench import bench_app


@bench_app.command("scale")
@bad_input_exits
def scale(
    sizes: str = typer.Option("1k,10k,100k", "--sizes", help="Span counts; the channel gets one message per five spans."),
    formats: str = typer.Option("otlp-json", "--formats", help=f"Trace formats, comma-separated, or all: {', '.join(TRACE_FORMATS)}."),
    chat: str = typer.Option("slack-export", "--chat", help=f"Chat format: {', '.join(CHAT_FORMATS)}."),
    repeat: int = typer.Option(3, "--repeat", help="Runs per size (medians are reported)."),
    out: Path = typer.Option(Path("benchmarks/results"), "--out", help="Where scale.md, scale.json and scale.png go."),
    payload: int = typer.Option(1024, "--payload-bytes", help="Size of each tool call's result."),
    budget: int = typer.Option(16_000, "--budget", help="The LLM engine's token budget per call."),
    cache: Path = typer.Option(None, "--cache", help="Where generated bundles are kept between runs (default: a temp folder)."),
    render: Path = typer.Option(None, "--render", help="Only render scale.md/scale.png again from this scale.json."),
) -> None:
    """Ingest and draft synthetic incidents of growing size; report time, memory, tokens and correctness."""
    if render is not None:
        rows, cfg, m = load_results(render)
        _finish(rows, cfg, out, m)
        return
    if repeat < 1:
        raise fail("--repeat must be 1 or more")
    chat_format = next((c for c in CHAT_FORMATS if c == chat), None)
    if chat_format is None:
        raise fail(f"--chat must be one of {', '.join(CHAT_FORMATS)}")
    cfg = ScaleConfig(sizes=parse_sizes(sizes), formats=parse_formats(formats), chat_format=chat_format,
                      repeat=repeat, payload_bytes=payload, budget=budget)
    if cache is not None:
        cfg.cache = cache
    with err_console.status("") as status:
        rows = run_scale(cfg, progress=lambda msg: status.update(f"[bold]bench scale[/] {msg}"))
    _finish(rows, cfg, out, None)


def _finish(rows: list[Row], cfg: ScaleConfig, out: Path, m: Machine | None) -> None:
    written = write_results(rows, cfg, out, m)
    _summary(rows)
    for path in written:
        err_console.print(f"wrote {path}")


def _summary(rows: list[Row]) -> None:
    t = Table(title="pmdraft bench scale (medians)")
    for col in ("format", "spans", "msgs", "floor s", "ingest s", "draft s", "RSS MiB", "LLM tok/call", "naive tok", "found", "kept"):
        t.add_column(col, justify="right")
    for r in rows:
        t.add_row(r.trace_format, f"{r.spans:,}", f"{r.messages:,}", f"{r.floor_s:.2f}", f"{r.ingest_s:.2f}",
                  f"{r.draft_s:.2f}", f"{r.rss_mb:.0f}", f"{r.llm_tokens_max:,}", f"{r.naive_tokens:,}",
                  _flags(r.found), _flags(r.kept))
    out_console.print(t)
    for target in targets(rows):
        mark = "[green]met[/]" if target.met else "[red]not met[/]"
        out_console.print(f"{mark}  {target.name} — {target.detail}", soft_wrap=True)


def _flags(f: Found) -> str:
    return "".join(c if getattr(f, k) else "·" for c, k in (("D", "decision"), ("F", "finding"), ("S", "signal")))
