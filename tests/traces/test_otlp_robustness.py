"""Odd input never escapes as KeyError/TypeError: either it reads, or it is a one-line BadInput."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.errors import BadInput
from tools.traces import otel_console, otlp

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "otlp"

# Wrong-typed but JSON-valid replacements, including malformed AnyValues.
ODD: list[Any] = [
    None,
    0,
    -5,
    2**70,
    1.5,
    "",
    "ZZZ",
    [],
    {},
    [1, "a"],
    {"a": 1},
    True,
    {"stringValue": 3},
    {"intValue": "x"},
    {"kvlistValue": 5},
    {"arrayValue": {"values": 7}},
    {"type": ["not", "hashable"]},
]


def paths_of(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_of(item, (*path, index))


def mutate(doc: Any, rnd: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rnd.randint(1, 3)):
        path = rnd.choice(list(paths_of(doc)))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rnd.random() < 0.3:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rnd.choice(ODD))
    return doc


@pytest.mark.parametrize(
    "name",
    [
        "openinference.json",
        "genai.json",
        "genai_span_events.json",
        "transport_pitfalls.json",
        "vendor_dialects.json",
        "genai_logs.logs.jsonl",
        "phoenix_spans.json",
    ],
)
def test_mutated_fixtures_read_or_fail_cleanly(name: str, tmp_path: Path) -> None:
    rnd = random.Random(name)
    text = (FIX / name).read_text()
    jsonl = name.endswith(".jsonl")
    docs = [json.loads(line) for line in text.splitlines() if line.strip()] if jsonl else [json.loads(text)]
    reader = otel_console if name.startswith("phoenix") else otlp
    target = tmp_path / name
    for _ in range(60):
        mutated = mutate(docs, rnd)
        body = "\n".join(json.dumps(d) for d in mutated) + "\n" if jsonl else json.dumps(mutated[0])
        target.write_text(body)
        paths = [FIX / "genai_logs.spans.jsonl", target] if name.endswith("logs.jsonl") else [target]
        try:
            reader.read(paths)
        except BadInput as exc:
            assert "\n" not in str(exc)
