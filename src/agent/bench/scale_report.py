"""The scaling benchmark's results: the machine, the table, the targets, the plot.

`write_results(rows, cfg, out)` writes `scale.md` (Markdown: machine, table, targets),
`scale.json` (everything, every run) and `scale.png` (log-log plot; needs the `bench` extra,
matplotlib — without it the plot is skipped and the Markdown says so).
"""

from __future__ import annotations

import itertools
import math
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from pydantic import BaseModel

from agent import __version__
from agent.bench.scale import Row, ScaleConfig
from agent.bench.scale_run import Found

# The targets.
DRAFT_10K_S = 2.0
DRAFT_100K_S = 20.0
RSS_100K_MIB = 1024.0  # 1 GB read as 1 GiB; RSS is reported in MiB
INGEST_FLOOR_RATIO = 3.0
TOKENS_PER_CALL = 16_000
NAIVE_RATIO_10K = 20.0


class Machine(BaseModel):
    cpu: str
    cores: int
    ram_gb: float
    python: str
    platform: str
    pmdraft: str
    date: str


class Target(BaseModel):
    name: str
    met: bool
    detail: str


def machine() -> Machine:
    return Machine(
        cpu=_cpu_model(), cores=os.cpu_count() or 0, ram_gb=round(_ram_bytes() / 2**30, 1),
        python=platform.python_version(), platform=platform.platform(), pmdraft=__version__,
        date=time.strftime("%Y-%m-%d", time.gmtime()),
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# ---- targets -----------------------------------------------------------------------------------


def targets(rows: list[Row]) -> list[Target]:
    out: list[Target] = []
    out += _at_size(rows, 10_000, "offline draft ≤ 2 s at 10k spans + 2k messages",
                    lambda r: r.draft_s <= DRAFT_10K_S, lambda r: f"{r.draft_s:.2f} s")
    out += _at_size(rows, 100_000, "offline draft ≤ 20 s at 100k spans + 20k messages",
                    lambda r: r.draft_s <= DRAFT_100K_S, lambda r: f"{r.draft_s:.2f} s")
    out += _at_size(rows, 100_000, "peak RSS ≤ 1 GiB at 100k spans", lambda r: r.rss_mb <= RSS_100K_MIB,
                    lambda r: f"{r.rss_mb:.0f} MiB")
    out += _growth(rows)
    out += _every(rows, "ingest ≤ 3× the orjson.loads floor", lambda r: r.ingest_ratio <= INGEST_FLOOR_RATIO,
                  lambda r: f"{r.ingest_ratio:.2f}×")
    out += _every(rows, "LLM evidence ≤ 16k prompt tokens per call", lambda r: r.llm_tokens_max <= TOKENS_PER_CALL,
                  lambda r: f"{r.llm_tokens_max:,} tokens")
    out += _at_size(rows, 10_000, "≥ 20× fewer tokens than the naive prompt at 10k spans",
                    lambda r: r.naive_ratio >= NAIVE_RATIO_10K, lambda r: f"{r.naive_ratio:.0f}×")
    out += _every(rows, "planted decision, finding and signal found (offline draft)",
                  lambda r: r.found.decision and r.found.finding and r.found.signal, lambda r: _flags(r.found))
    out += _every(rows, "planted decision, finding and signal kept in the LLM evidence",
                  lambda r: r.kept.decision and r.kept.finding and r.kept.signal, lambda r: _flags(r.kept))
    return out


Check = Callable[[Row], bool]
Detail = Callable[[Row], str]


def _at_size(rows: list[Row], spans: int, name: str, ok: Check, detail: Detail) -> list[Target]:
    at = [r for r in rows if r.spans == spans]
    if not at:
        return []
    return [Target(name=name, met=all(ok(r) for r in at), detail=", ".join(f"{r.trace_format} {detail(r)}" for r in at))]


def _every(rows: list[Row], name: str, ok: Check, detail: Detail) -> list[Target]:
    """Met when every row passes; the detail lists every failing row, or the range when all pass."""
    if not rows:
        return []
    bad = [r for r in rows if not ok(r)]
    if bad:
        text = f"fails on {len(bad)} of {len(rows)} rows: " + "; ".join(
            f"{r.trace_format} {_size(r.spans)} {detail(r)}" for r in bad)
    else:
        values = sorted({detail(r) for r in rows})
        text = f"all {len(rows)} rows: " + (values[0] if len(values) == 1 else f"{values[0]} … {values[-1]}")
    return [Target(name=name, met=not bad, detail=text)]


def _growth(rows: list[Row]) -> list[Target]:
    """Draft time from one size to the next must not grow faster than n·log n."""
    out: list[Target] = []
    for fmt in sorted({r.trace_format for r in rows}):
        series = sorted((r for r in rows if r.trace_format == fmt), key=lambda r: r.spans)
        steps = []
        ok = True
        for a, b in itertools.pairwise(series):
            bound = (b.spans * math.log(b.spans)) / (a.spans * math.log(a.spans))
            ratio = b.draft_s / a.draft_s if a.draft_s else float("inf")
            ok = ok and ratio <= bound
            steps.append(f"{_size(a.spans)}→{_size(b.spans)}: ×{ratio:.1f} (n·log n allows ×{bound:.1f}, "
                         f"exponent {math.log(ratio) / math.log(b.spans / a.spans):.2f})")
        if steps:
            out.append(Target(name=f"draft time grows no worse than n·log n ({fmt})", met=ok, detail="; ".join(steps)))
    return out


def _flags(f: Found) -> str:
    return "".join(c if getattr(f, k) else "·" for c, k in (("D", "decision"), ("F", "finding"), ("S", "signal")))


def _size(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# ---- Markdown ----------------------------------------------------------------------------------


def markdown(rows: list[Row], cfg: ScaleConfig, m: Machine, plot: str | None) -> str:
    lines = [
        "# pmdraft scaling benchmark",
        "",
        f"Machine: {m.cpu}, {m.cores} cores, {m.ram_gb} GiB RAM; Python {m.python}; {m.platform}; "
        f"pmdraft {m.pmdraft}; {m.date}.",
        "",
        f"Synthetic incidents (`agent.bench.synth`, seed {cfg.seed}): an agent looping for an hour (LLM calls, tool "
        f"calls with {cfg.payload_bytes}-byte payloads, retrievals, HTTP child spans) and a channel of one message per "
        f"five spans ({cfg.chat_format}), with a planted decision, finding and missed signal. Medians of {cfg.repeat} "
        "runs, each in a fresh process. Token counts are cl100k.",
        "",
        "| format | spans | messages | trace MB | parse floor s | ingest s | ingest ÷ floor | offline draft s "
        "| peak RSS MiB | LLM tokens/call (max) | naive prompt tokens | naive ÷ LLM | found | kept |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|",
    ]
    for r in sorted(rows, key=lambda r: (r.trace_format, r.spans)):
        lines.append(
            f"| {r.trace_format} | {r.spans:,} | {r.messages:,} | {r.trace_mb:.1f} | {r.floor_s:.2f} | {r.ingest_s:.2f} "
            f"| {r.ingest_ratio:.2f} | {r.draft_s:.2f} | {r.rss_mb:.0f} | {r.llm_tokens_max:,} | {r.naive_tokens:,} "
            f"| {r.naive_ratio:,.0f} | {_flags(r.found)} | {_flags(r.kept)} |"
        )
    lines += [
        "",
        "found / kept: **D** the planted decision is the draft's decision (quote verified), **F** the planted finding is "
        "cited in the correct inference, **S** the planted signal is the first missed signal, marked not in the agent's "
        "context; kept: each is in the evidence of every LLM call that reasons about it (D: extract_inferences, "
        "missed_signals, root_cause; F: correct_inference, missed_signals, root_cause; S: missed_signals). "
        "`·` marks a miss.",
        "",
        "Parse floor: `orjson.loads` of the same trace and chat bytes (JSON Lines line by line). Ingest: `load_bundle` "
        "(read, detect, parse, normalize). Offline draft: everything after ingest up to the written draft.json/draft.md. "
        "Peak RSS: `ru_maxrss` of the measuring process after ingest + draft. LLM tokens: the largest prompt the LLM "
        "engine builds for any node (messages + response schema, the way its budget counts them), recorded without "
        "sending; naive prompt: the whole trace file text plus every channel message as one line.",
        "",
        "## Targets",
        "",
    ]
    for t in targets(rows):
        lines.append(f"- {'✅' if t.met else '❌'} {t.name} — {t.detail}")
    lines += ["", f"![scaling plot]({plot})" if plot else "_Plot skipped: matplotlib is not installed "
              "(`pip install -e '.[bench]'`)._", ""]
    return "\n".join(lines)


# ---- plot --------------------------------------------------------------------------------------


def plot(rows: list[Row], path: Path) -> bool:
    """Log-log: time (ingest, parse floor, offline draft), peak RSS, and prompt tokens against spans.
    One colour per trace format, one line style per quantity."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    fmts = sorted({r.trace_format for r in rows})
    colours = {f: plt.get_cmap("tab10")(k % 10) for k, f in enumerate(fmts)}
    for fmt in fmts:
        s = sorted((r for r in rows if r.trace_format == fmt), key=lambda r: r.spans)
        x, c = [r.spans for r in s], colours[fmt]
        axes[0].plot(x, [r.draft_s for r in s], "o-", color=c)
        axes[0].plot(x, [r.ingest_s for r in s], "s--", color=c)
        axes[0].plot(x, [r.floor_s for r in s], ":", color=c)
        axes[1].plot(x, [r.rss_mb for r in s], "o-", color=c)
        axes[2].plot(x, [r.llm_tokens_max for r in s], "o-", color=c)
        axes[2].plot(x, [r.naive_tokens for r in s], "s--", color=c)
    xs = sorted({r.spans for r in rows})
    if rows:
        first = min(rows, key=lambda r: (r.spans, r.draft_s))
        axes[0].plot(xs, [first.draft_s * (n * math.log(n)) / (xs[0] * math.log(xs[0])) for n in xs], color="black",
                     lw=0.8)
    axes[0].axhline(DRAFT_100K_S, color="red", lw=0.6, ls="--")
    axes[1].axhline(RSS_100K_MIB, color="red", lw=0.6, ls="--")
    axes[2].axhline(TOKENS_PER_CALL, color="red", lw=0.6, ls="--")
    formats = [Line2D([], [], color=colours[f], lw=2, label=f) for f in fmts]
    styles = {
        0: [("o-", "offline draft"), ("s--", "ingest"), (":", "orjson.loads floor")],
        1: [("o-", "peak RSS")],
        2: [("o-", "LLM engine, largest call"), ("s--", "naive prompt (whole trace + channel)")],
    }
    extra = {0: [("black", "-", "n·log n from the smallest draft"), ("red", "--", "20 s target")],
             1: [("red", "--", "1 GiB target")], 2: [("red", "--", "16k tokens per call")]}
    for k, (ax, title, unit) in enumerate(zip(axes, ("time", "peak RSS", "prompt tokens"), ("seconds", "MiB", "tokens"),
                                              strict=True)):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("spans (messages = spans / 5)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", lw=0.3)
        handles = [Line2D([], [], color="grey", ls=st.lstrip("os"), marker=st[0] if st[0] in "os" else None, label=lab)
                   for st, lab in styles[k]]
        handles += [Line2D([], [], color=col, ls=ls, lw=0.8, label=lab) for col, ls, lab in extra[k]]
        ax.legend(handles=handles + (formats if k == 1 else []), fontsize=7, loc="upper left")
    fig.suptitle("pmdraft: cost against incident size (log-log)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---- files -------------------------------------------------------------------------------------


def load_results(path: Path) -> tuple[list[Row], ScaleConfig, Machine]:
    """A scale.json written by `write_results`, to render its tables and plot again."""
    data = orjson.loads(path.read_bytes())
    rows = [Row.model_validate(r) for r in data["rows"]]
    return rows, ScaleConfig.model_validate(data["config"]), Machine.model_validate(data["machine"])


# Each call's evidence refs (hundreds per call) stay out of scale.json; the kept flags summarise them.
_BULKY = {"runs": {"__all__": {"calls": {"__all__": {"evidence_refs"}}}}}


def write_results(rows: list[Row], cfg: ScaleConfig, out: Path, m: Machine | None = None) -> list[Path]:
    """scale.md, scale.json and (with matplotlib) scale.png under `out`; `m` defaults to this machine."""
    out.mkdir(parents=True, exist_ok=True)
    m = m or machine()
    png = out / "scale.png"
    plotted = plot(rows, png)
    md = out / "scale.md"
    md.write_text(markdown(rows, cfg, m, png.name if plotted else None), encoding="utf-8")
    payload = {
        "machine": m.model_dump(),
        "config": cfg.model_dump(mode="json"),
        "rows": [r.model_dump(mode="json", exclude=_BULKY) | {"ingest_ratio": r.ingest_ratio, "naive_ratio": r.naive_ratio}
                 for r in rows],
        "targets": [t.model_dump() for t in targets(rows)],
    }
    js = out / "scale.json"
    js.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")
    return [md, js, *([png] if plotted else [])]
