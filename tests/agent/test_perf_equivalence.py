"""The speed-ups of issue 8 give the same answers as the plain computations they replace."""

from __future__ import annotations

import gc
from pathlib import Path

from agent.bench.synth import SynthSpec, write_bundle
from agent.offline.dependencies import endpoint_of, error_kind
from agent.workspace import adopt, forget
from tools.bundle import load_bundle
from tools.text import cues
from tools.text.tokens import contains_term, norm_text
from tools.traces.messages import parse_time_ns

TERMS = ("query_expansion_count", "search-7", "heap", "GC p99", "shard placement", "products", "1839201", "Heap",
         "move_shards", "no such thing", "search config", "rb-search-012")


def test_context_search_matches_a_plain_scan(tmp_path: Path) -> None:
    write_bundle(tmp_path / "b", SynthSpec(spans=400, messages=60))
    ws = adopt(str(tmp_path / "b"), load_bundle(tmp_path / "b"))
    try:
        index = ws.index
        decision = ws.decision
        assert decision is not None
        context = index.agent_context(decision.span)
        for term in TERMS:
            plain: list[str] = []
            for piece in context:
                if contains_term(norm_text(piece.text), term) and piece.ref not in plain:
                    plain.append(piece.ref)
            assert index.find_in_context(term, context) == plain, term
    finally:
        forget(str(tmp_path / "b"))


def test_a_loaded_bundle_is_kept_out_of_collections_until_forgotten(tmp_path: Path) -> None:
    write_bundle(tmp_path / "b", SynthSpec(spans=100, messages=20))
    assert gc.isenabled()
    adopt(str(tmp_path / "b"), load_bundle(tmp_path / "b"))
    assert gc.isenabled() and gc.get_freeze_count() > 0
    forget(str(tmp_path / "b"))
    assert gc.get_freeze_count() == 0


def test_memoized_cue_counts_equal_plain_counts() -> None:
    texts = ["Found it: the root cause was the synonyms file", "could it be the GC?", "ack", "Found it: the root cause was the synonyms file"]
    for text in texts:
        for cue in (cues.FINDING, cues.THEORY, cues.CONCLUSION, cues.SIGNAL_ABSENT):
            assert cues.count(cue, text) == sum(1 for p in cue if p.search(text))
    cues.forget_texts()
    assert all(not c.memo for c in (cues.FINDING, cues.THEORY))


def test_iso_times_convert_as_before() -> None:
    assert parse_time_ns("2026-03-04T14:00:01.123456") == 1772632801123456000
    assert parse_time_ns("2026-03-04T14:00:61Z") == parse_time_ns("2026-03-04T14:00:59Z")  # leap second clamped
    assert parse_time_ns("2026-03-04T15:00:01+01:00") == parse_time_ns("2026-03-04T14:00:01Z")
    assert parse_time_ns("2026-02-30T14:00:00Z") is None and parse_time_ns("2026-03-04T25:00:00Z") is None


def test_nested_attribute_lookup_takes_the_first_recorded_key(tmp_path: Path) -> None:
    from tools.model.trace import Span

    span = Span(trace_id="t", span_id="s", kind="tool", status="error", error="ReadTimeout",
                attributes={"metadata": {"server.address": "a.example", "http.status_code": 503},
                            "other": {"server.address": "b.example"}})
    found = endpoint_of(span)
    assert found is not None and found[1] == "a.example"
    assert error_kind(span) == "503"
