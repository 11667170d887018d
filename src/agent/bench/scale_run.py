"""One measurement of one synthetic bundle, in a fresh process.

    python -m agent.bench.scale_run draft BUNDLE OUT [--budget 16000]
    python -m agent.bench.scale_run floor BUNDLE [--naive]

`draft` times the phases (every module is imported first, so no phase pays for imports):
ingest is `load_bundle` (read, detect, parse, normalize), with the cyclic GC paused as
`workspace()` pauses it; draft is everything after it up to the written draft (evidence index,
offline graph, draft.json/draft.md). Peak RSS is read right after
(`ru_maxrss` of this process: the high-water mark of ingest + draft). Then the LLM engine's
prompts are built and recorded (not sent), and the planted items are looked up in the draft and
in each prompt's evidence. `floor` times `orjson.loads` of the same bytes (the parse floor) and
counts the tokens of the naive prompt (the whole trace text + the whole channel). Each prints one
JSON object on stdout.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import orjson
from pydantic import BaseModel, Field

from agent.bench.scale_llm import RecordedCall, measure_prompts
from agent.bench.synth import Planted, load_planted

# Nodes whose prompts must carry each planted item (the ones that reason about it).
DECISION_NODES = ("extract_inferences", "missed_signals", "root_cause")
FINDING_NODES = ("correct_inference", "missed_signals", "root_cause")
SIGNAL_NODES = ("missed_signals",)
NAIVE_CHUNK = 1 << 20


class Found(BaseModel):
    """Whether each planted item came out right."""

    decision: bool = False
    finding: bool = False
    signal: bool = False


class DraftRun(BaseModel):
    ingest_s: float
    draft_s: float
    rss_mb: float = Field(description="Peak RSS after ingest + offline draft.")
    rss_llm_mb: float = Field(description="Peak RSS after the LLM prompts were built too.")
    spans: int
    messages: int
    found: Found = Field(description="In the offline draft.")
    kept: Found = Field(description="In the evidence of every LLM call that reasons about it.")
    calls: list[RecordedCall]
    problems: list[str] = Field(default_factory=list)


class FloorRun(BaseModel):
    floor_s: float = Field(description="orjson.loads of every JSON file (JSON Lines: of every line).")
    trace_bytes: int
    chat_bytes: int
    naive_tokens: int | None = Field(
        default=None, description="cl100k tokens of the trace files' text plus the channel's lines (when counted)."
    )


def run_draft(bundle: Path, out: Path, budget: int) -> DraftRun:
    _preload()
    from agent.graph import build_graph
    from agent.llm.setup import prepare_engine
    from agent.state import DraftInput
    from agent.workspace import adopt
    from tools.bundle import load_bundle
    from tools.gcpause import paused_gc

    planted = load_planted(bundle)
    # What `workspace()` does (load, index, keep out of GC collections, all with the GC paused),
    # with a clock between the load and the rest.
    with paused_gc():
        t0 = time.perf_counter()
        loaded = load_bundle(bundle)
        t1 = time.perf_counter()
        ws = adopt(str(bundle), loaded)
    prepare_engine("offline")
    build_graph(None).invoke(DraftInput(bundle_path=str(bundle), out_dir=str(out), engine="offline", review=False))
    t2 = time.perf_counter()
    rss = _peak_mb()
    draft = orjson.loads((out / "draft.json").read_bytes())
    refs = _planted_refs(ws, planted)
    problems = [f"planted message not in the channel: {k}" for k, v in refs.items() if v is None]
    calls = measure_prompts(str(bundle), str(out / "llm"), budget)
    return DraftRun(
        ingest_s=t1 - t0, draft_s=t2 - t1, rss_mb=rss, rss_llm_mb=_peak_mb(),
        spans=len(ws.index.spans), messages=len(ws.index.messages),
        found=_found(draft, planted, refs), kept=_kept(calls, planted, refs), calls=calls, problems=problems,
    )


def _preload() -> None:
    """Import what the phases use before anything is timed. The tokenizer is left for the LLM
    phase: the offline engine never uses it, and its tables would count in the draft's peak RSS."""
    import agent.graph
    import agent.llm.engine  # noqa: F401
    import tools.bundle
    import tools.traces  # noqa: F401


def _peak_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _planted_refs(ws: object, planted: Planted) -> dict[str, str | None]:
    by_text = {m.text: m.ref for m in ws.index.messages}  # type: ignore[attr-defined]
    return {"finding": by_text.get(planted.finding_text), "signal": by_text.get(planted.signal_text)}


def _found(draft: dict, planted: Planted, refs: dict[str, str | None]) -> Found:
    decision = next((i for i in draft["agent_inferences"] if i["is_decision"]), None)
    correct = draft.get("correct_inference") or {}
    signals = draft.get("missed_signals") or []
    first = signals[0] if signals else {}
    return Found(
        decision=bool(decision and decision["span_id"] == planted.decision_span_id and decision["verified"]),
        finding=refs["finding"] is not None and refs["finding"] in correct.get("evidence", []),
        signal=planted.signal_term.lower() in str(first.get("name", "")).lower()
        and first.get("in_agent_context") is False,
    )


def _kept(calls: list[RecordedCall], planted: Planted, refs: dict[str, str | None]) -> Found:
    def in_all(ref: str | None, nodes: tuple[str, ...]) -> bool:
        asked = [c for c in calls if c.node in nodes]
        return ref is not None and bool(asked) and all(ref in c.evidence_refs for c in asked)

    return Found(
        decision=in_all(f"span:{planted.decision_span_id}", DECISION_NODES),
        finding=in_all(refs["finding"], FINDING_NODES),
        signal=in_all(refs["signal"], SIGNAL_NODES),
    )


# ---- the floor and the naive prompt ------------------------------------------------------------


def run_floor(bundle: Path, naive: bool = True) -> FloorRun:
    from tools.chat import load_chat

    trace_files = sorted(p for p in (bundle / "traces").iterdir() if p.is_file())
    chat_files = sorted(p for p in (bundle / "chat").iterdir() if p.is_file())
    floor = sum(_parse_time(p.read_bytes()) for p in trace_files + chat_files)
    tokens = None
    if naive:
        chat = load_chat(bundle / "chat")
        channel = "\n".join(f"[{m.time:%H:%M:%S}] {m.author}: {m.text}" for m in chat.messages)
        tokens = naive_tokens([p.read_bytes().decode() for p in trace_files] + [channel])
    return FloorRun(
        floor_s=floor, trace_bytes=sum(p.stat().st_size for p in trace_files),
        chat_bytes=sum(p.stat().st_size for p in chat_files), naive_tokens=tokens,
    )


def _parse_time(data: bytes) -> float:
    """Seconds to parse the bytes as JSON, or as JSON Lines when one document does not parse.
    A text file (a transcript) has no JSON floor: splitting it into lines stands in for it."""
    t0 = time.perf_counter()
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        lines = data.splitlines()
        try:
            for line in lines:
                if line.strip():
                    orjson.loads(line)
        except orjson.JSONDecodeError:
            data.decode().splitlines()
    return time.perf_counter() - t0


def naive_tokens(texts: list[str]) -> int:
    """cl100k tokens of the texts, counted in ~1 MB pieces cut after a newline or comma (the cut
    shifts a count by a token at most per piece) on two threads."""
    from tools.budget import encoding

    pieces: list[str] = []
    for text in texts:
        start = 0
        while start < len(text):
            end = min(start + NAIVE_CHUNK, len(text))
            if end < len(text):
                cut = max(text.rfind("\n", start, end), text.rfind(",", start, end))
                end = cut + 1 if cut > start else end
            pieces.append(text[start:end])
            start = end
    enc = encoding()
    return sum(len(t) for t in enc.encode_ordinary_batch(pieces, num_threads=2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m agent.bench.scale_run")
    parser.add_argument("what", choices=("draft", "floor"))
    parser.add_argument("bundle", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--budget", type=int, default=16_000)
    parser.add_argument("--naive", action="store_true", help="floor: also count the naive prompt's tokens")
    args = parser.parse_args(argv)
    if args.what == "draft":
        if args.out is None:
            parser.error("draft needs OUT")
        result: BaseModel = run_draft(args.bundle, args.out, args.budget)
    else:
        result = run_floor(args.bundle, naive=args.naive)
    sys.stdout.write(result.model_dump_json() + "\n")


if __name__ == "__main__":
    main()
