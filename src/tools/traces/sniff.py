"""Look at the start of a trace file and say what shape it has, without parsing it all.

Format detection is by content, never by file name. A `Sample` is what detectors look at:
whether the file is one JSON document or JSON Lines, and the first JSON value (for JSON
Lines: the first line; for a large single document: the top-level keys found in the head).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from tools.errors import BadInput
from tools.jsonio import sniff_head

_KEY_RE = re.compile(rb'"([A-Za-z_][A-Za-z0-9_.]*)"\s*:')


@dataclass
class Sample:
    path: Path
    shape: Literal["json", "jsonl"]
    first: Any = None  # first JSON value (jsonl: first line) when it fit in the head
    keys: set[str] = field(default_factory=set)  # every "key": seen in the head (cheap, approximate)
    head: bytes = b""


def sample_file(path: Path) -> Sample:
    head = sniff_head(path)
    stripped = head.lstrip()
    if not stripped:
        raise BadInput(path, "file is empty")
    if b"\x00" in head[:4096]:
        raise BadInput(path, "binary data, not text (NUL bytes); expected a JSON or JSON Lines trace export")
    if stripped[:1] not in (b"{", b"["):
        snippet = stripped[:40].decode("utf-8", errors="replace").splitlines()[0]
        raise BadInput(path, f"not JSON (starts with {snippet!r}); expected a JSON or JSON Lines trace export")
    keys = {m.group(1).decode() for m in _KEY_RE.finditer(head)}
    first_line, _, rest = stripped.partition(b"\n")
    first: Any = None
    shape: Literal["json", "jsonl"] = "json"
    if rest.strip()[:1] == b"{" and first_line.strip().endswith(b"}"):
        try:
            first = orjson.loads(first_line)
            shape = "jsonl"
        except orjson.JSONDecodeError:
            first = None
    if shape == "json" and len(head) < 65536:
        try:
            first = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            first = None  # the full read reports the precise error
    return Sample(path=path, shape=shape, first=first, keys=keys, head=head)
