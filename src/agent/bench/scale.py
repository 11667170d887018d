"""The scaling benchmark: how the drafter's cost grows with the incident.

For each size (spans, messages) and trace format, a synthetic bundle is generated once (cached
under `--cache`), its parse floor and naive prompt are measured in one fresh process, then it is
ingested and drafted `repeat` times, each time in a fresh process (`agent.bench.scale_run`), so
that peak RSS is that size's own and no run warms another. Rows hold the medians; a planted item
counts as found/kept only when it was in every run.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from agent.bench.scale_run import DraftRun, FloorRun, Found
from agent.bench.synth import TRACE_FORMATS, ChatFormat, SynthSpec, TraceFormat, cached_bundle
from tools.errors import BadInput

Progress = Callable[[str], None]
MESSAGES_PER_SPAN = 0.2  # 1k spans ↔ 200 messages, as the issue sizes them
CHILD_TIMEOUT_S = 1800
_SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)([km]?)$", re.I)


class ScaleConfig(BaseModel):
    sizes: list[int] = Field(default=[1_000, 10_000, 100_000], description="Span counts.")
    formats: list[TraceFormat] = Field(default=["otlp-json"])
    chat_format: ChatFormat = "slack-export"
    repeat: int = Field(default=3, ge=1)
    payload_bytes: int = 1024
    budget: int = 16_000
    seed: int = 7
    cache: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "pmdraft-bench-scale")


class Row(BaseModel):
    """One format at one size: medians over the runs."""

    trace_format: str
    chat_format: str
    spans: int
    messages: int
    trace_mb: float
    floor_s: float
    ingest_s: float
    draft_s: float
    rss_mb: float
    llm_tokens_max: int = Field(description="Largest prompt of any LLM call (messages + schema).")
    llm_tokens: dict[str, int] = Field(description="Prompt tokens per node.")
    naive_tokens: int
    found: Found
    kept: Found
    runs: list[DraftRun] = Field(default_factory=list)
    floors: list[FloorRun] = Field(default_factory=list)

    @property
    def ingest_ratio(self) -> float:
        return self.ingest_s / self.floor_s if self.floor_s else float("inf")

    @property
    def naive_ratio(self) -> float:
        return self.naive_tokens / self.llm_tokens_max if self.llm_tokens_max else float("inf")


def parse_sizes(text: str) -> list[int]:
    """'1k,10k,100k' → [1000, 10000, 100000]."""
    out: list[int] = []
    for part in text.split(","):
        m = _SIZE_RE.match(part.strip())
        if not m:
            raise BadInput("--sizes", f"{part.strip()!r} is not a size like 1k, 10k, 2500 or 1m")
        n = float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
        if n < 40:
            raise BadInput("--sizes", f"{part.strip()} spans is too small (at least 40)")
        out.append(int(n))
    return sorted(set(out))


def parse_formats(text: str) -> list[TraceFormat]:
    if text.strip() == "all":
        return list(TRACE_FORMATS)
    known = {f: f for f in TRACE_FORMATS}
    out: list[TraceFormat] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if part not in known:
            raise BadInput("--formats", f"unknown format {part!r}; one of {', '.join(TRACE_FORMATS)} or all")
        out.append(known[part])
    return out


def run_scale(cfg: ScaleConfig, progress: Progress | None = None) -> list[Row]:
    say = progress or (lambda _msg: None)
    rows: list[Row] = []
    for spans in cfg.sizes:
        for fmt in cfg.formats:
            spec = SynthSpec(spans=spans, messages=max(int(spans * MESSAGES_PER_SPAN), 12), payload_bytes=cfg.payload_bytes,
                             trace_format=fmt, chat_format=cfg.chat_format, seed=cfg.seed)
            say(f"{fmt} {spans} spans: generating (cached)")
            bundle, _ = cached_bundle(cfg.cache, spec)
            floors: list[FloorRun] = []
            runs: list[DraftRun] = []
            for k in range(cfg.repeat):
                say(f"{fmt} {spans} spans: run {k + 1}/{cfg.repeat}")
                # The naive prompt is the same every time: counted once (it takes seconds at 100k).
                floors.append(FloorRun.model_validate_json(_child(["floor", str(bundle), *(["--naive"] if k == 0 else [])])))
                with tempfile.TemporaryDirectory(prefix="pmdraft-scale-") as out:
                    runs.append(DraftRun.model_validate_json(
                        _child(["draft", str(bundle), out, "--budget", str(cfg.budget)])))
            rows.append(_row(spec, floors, runs))
    return rows


def _child(args: list[str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "agent.bench.scale_run", *args], capture_output=True, text=True,
        timeout=CHILD_TIMEOUT_S, check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise BadInput(args[1], f"benchmark run failed (exit {proc.returncode}): {tail}")
    return proc.stdout.strip().splitlines()[-1]


def _row(spec: SynthSpec, floors: list[FloorRun], runs: list[DraftRun]) -> Row:
    med = statistics.median
    floor = floors[0]
    by_node: dict[str, int] = {}
    for run in runs[:1]:  # prompts are deterministic: every run builds the same ones
        for c in run.calls:
            by_node[c.node] = max(by_node.get(c.node, 0), c.prompt_tokens)
    return Row(
        trace_format=spec.trace_format, chat_format=spec.chat_format, spans=runs[0].spans, messages=runs[0].messages,
        trace_mb=floor.trace_bytes / 1e6, floor_s=med(f.floor_s for f in floors), ingest_s=med(r.ingest_s for r in runs),
        draft_s=med(r.draft_s for r in runs), rss_mb=med(r.rss_mb for r in runs),
        llm_tokens_max=max(by_node.values(), default=0), llm_tokens=by_node, naive_tokens=floor.naive_tokens or 0,
        found=_all(r.found for r in runs), kept=_all(r.kept for r in runs), runs=runs, floors=floors,
    )


def _all(found: Iterable[Found]) -> Found:
    items = list(found)
    return Found(decision=all(f.decision for f in items), finding=all(f.finding for f in items),
                 signal=all(f.signal for f in items))
