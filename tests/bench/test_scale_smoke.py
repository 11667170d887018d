"""The scaling benchmark, smallest size only: the generator's bundles read in every format, and
`pmdraft bench scale` finds the planted items and keeps each LLM call within its budget.

No timing assertions: timings belong to benchmarks/results, not to CI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from agent.bench.scale import ScaleConfig, parse_formats, parse_sizes, run_scale
from agent.bench.scale_report import machine, markdown, targets, write_results
from agent.bench.synth import CHAT_FORMATS, TRACE_FORMATS, SynthSpec, write_bundle
from conftest import pmdraft_cmd
from tools.bundle import load_bundle
from tools.errors import BadInput

SMALL = 200  # spans; enough for a loop with the planted decision 60% of the way in


@pytest.mark.parametrize("trace_format", TRACE_FORMATS)
def test_every_trace_format_reads_back_with_the_planted_spans(tmp_path: Path, trace_format: str) -> None:
    spec = SynthSpec(spans=SMALL, messages=40, trace_format=trace_format)  # type: ignore[arg-type]
    planted = write_bundle(tmp_path / "b", spec)
    bundle = load_bundle(tmp_path / "b")
    spans = bundle.spans()
    by_id = {s.span_id: s for s in spans}
    assert len(spans) == SMALL == planted.spans
    decision = by_id[planted.decision_span_id]
    assert decision.kind == "llm" and planted.decision_phrase in (decision.output_text or "")
    assert [c.name for c in decision.output_tool_calls] == ["move_shards"]
    # The signal is in the trace, but only on a span the agent never reads.
    holder = by_id[planted.signal_span_id]
    assert holder.kind not in ("llm", "tool", "retrieval")
    assert planted.signal_term not in "".join(s.recorded_output() for s in spans if s.kind in ("tool", "retrieval"))
    assert bundle.chat is not None and len(bundle.chat.messages) == 40


@pytest.mark.parametrize("chat_format", CHAT_FORMATS)
def test_every_chat_format_reads_back_with_the_planted_messages(tmp_path: Path, chat_format: str) -> None:
    planted = write_bundle(tmp_path / "b", SynthSpec(spans=SMALL, messages=40, chat_format=chat_format))  # type: ignore[arg-type]
    chat = load_bundle(tmp_path / "b").chat
    assert chat is not None and len(chat.messages) == 40
    texts = {m.text for m in chat.messages}
    assert {planted.finding_text, planted.signal_text, planted.quote_text} <= texts


def test_generation_is_deterministic(tmp_path: Path) -> None:
    spec = SynthSpec(spans=SMALL, messages=40, trace_format="langsmith-jsonl")
    write_bundle(tmp_path / "a", spec)
    write_bundle(tmp_path / "b", spec)
    for rel in ("traces/runs.jsonl", "chat/users.json", "planted.json", "expected.json"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    write_bundle(tmp_path / "c", spec.model_copy(update={"seed": 8}))
    assert (tmp_path / "a" / "traces/runs.jsonl").read_bytes() != (tmp_path / "c" / "traces/runs.jsonl").read_bytes()


def test_sizes_and_formats_are_parsed_or_refused() -> None:
    assert parse_sizes("100k, 1k,10k") == [1_000, 10_000, 100_000]
    assert parse_sizes("2500,1m") == [2_500, 1_000_000]
    assert parse_formats("all") == list(TRACE_FORMATS)
    for bad in ("ten", "10", "1k,x"):
        with pytest.raises(BadInput):
            parse_sizes(bad)
    with pytest.raises(BadInput):
        parse_formats("otlp-json,parquet")


def test_smallest_size_finds_the_planted_items_within_the_budget(tmp_path: Path) -> None:
    cfg = ScaleConfig(sizes=[1_000], repeat=1, cache=tmp_path / "cache")
    (row,) = run_scale(cfg)
    assert (row.spans, row.messages) == (1_000, 200)
    assert row.found.decision and row.found.finding and row.found.signal
    assert row.kept.decision and row.kept.finding and row.kept.signal
    assert set(row.llm_tokens) == {"extract_inferences", "correct_inference", "missed_signals", "root_cause", "action_items"}
    assert 0 < row.llm_tokens_max <= cfg.budget
    assert row.naive_tokens > 20 * row.llm_tokens_max
    assert row.floor_s > 0 and row.ingest_s > 0 and row.draft_s > 0 and row.rss_mb > 0
    written = write_results([row], cfg, tmp_path / "results")
    md = (tmp_path / "results" / "scale.md").read_text()
    assert "| otlp-json | 1,000 | 200 |" in md and machine().cpu in md
    data = json.loads((tmp_path / "results" / "scale.json").read_text())
    assert data["rows"][0]["found"] == {"decision": True, "finding": True, "signal": True}
    assert "evidence_refs" not in json.dumps(data)
    assert {p.name for p in written} >= {"scale.md", "scale.json"}
    by_name = {t.name: t for t in targets([row])}
    assert by_name["LLM evidence ≤ 16k prompt tokens per call"].met
    assert by_name["planted decision, finding and signal kept in the LLM evidence"].met


def test_the_markdown_says_when_the_plot_was_skipped() -> None:
    assert "Plot skipped" in markdown([], ScaleConfig(), machine(), plot=None)


def test_the_command_runs_and_writes_the_results(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*pmdraft_cmd(), "bench", "scale", "--sizes", "1k", "--repeat", "1", "--formats", "openai-agents",
         "--chat", "transcript", "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "cache")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "openai-agents" in proc.stdout and "DFS" in proc.stdout
    assert (tmp_path / "out" / "scale.json").is_file()
    bad = subprocess.run([*pmdraft_cmd(), "bench", "scale", "--formats", "csv"], capture_output=True, text=True,
                         timeout=60, check=False)
    assert bad.returncode == 2 and "unknown format" in bad.stderr and "Traceback" not in bad.stderr
