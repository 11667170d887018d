"""Precision and recall per code and overall on our own labelled corpus (evals/lint/corpus.jsonl).

The corpus was written before (and, for the `h*` entries, blind to) the rules. Both numbers must
be ≥ 0.9 for every code and overall; run with `-s` to see the table.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tools.lint import lint_markdown
from tools.lint.models import FlagCode

CORPUS = Path(__file__).resolve().parents[2] / "evals" / "lint" / "corpus.jsonl"
MIN = 0.9
FOUR = [c.value for c in FlagCode if c is not FlagCode.BLAME_LANGUAGE]


def load_corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def score() -> tuple[dict[str, tuple[float, float, int, int, int]], list[str]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    misses = []
    for entry in load_corpus():
        got = {f.code for f in lint_markdown(entry["text"], people=entry.get("people", []))}
        expected = set(entry["expected"])
        for code in [c.value for c in FlagCode]:
            if code in got and code in expected:
                tp[code] += 1
            elif code in got:
                fp[code] += 1
                misses.append(f"FP {entry['id']} {code}")
            elif code in expected:
                fn[code] += 1
                misses.append(f"FN {entry['id']} {code}")
    table = {}
    for code in [*(c.value for c in FlagCode), "overall"]:
        t, f, n = (sum(x.values()) for x in (tp, fp, fn)) if code == "overall" else (tp[code], fp[code], fn[code])
        table[code] = (t / (t + f) if t + f else 1.0, t / (t + n) if t + n else 1.0, t, f, n)
    return table, misses


def test_corpus_shape():
    entries = load_corpus()
    assert len({e["id"] for e in entries}) == len(entries)
    four = [e for e in entries if e["set"] == "fallacy"]
    blame = [e for e in entries if e["set"] == "blame"]
    assert not any("blame-language" in e["expected"] for e in four)
    assert len(four) >= 60 and sum(not e["expected"] for e in four) >= len(four) * 0.45
    assert len(blame) >= 40 and sum(not e["expected"] for e in blame) >= len(blame) * 0.45
    for e in entries:
        assert set(e) >= {"id", "set", "text", "expected", "note"}
        assert set(e["expected"]) <= {c.value for c in FlagCode}


def test_precision_and_recall_per_code():
    table, misses = score()
    lines = [f"{'code':28} {'precision':>9} {'recall':>7}   tp  fp  fn"]
    for code, (p, r, t, f, n) in table.items():
        lines.append(f"{code:28} {p:9.3f} {r:7.3f}  {t:3} {f:3} {n:3}")
    report = "\n".join(lines + misses)
    print("\n" + report)
    bad = [c for c, (p, r, *_rest) in table.items() if p < MIN or r < MIN]
    assert not bad, f"below {MIN}: {bad}\n{report}"
