"""Reading OTLP files as a stream of `ResourceSpans` / `ResourceLogs` objects.

Three physical forms (formats.md §1):
- one JSON document (`TracesData` / `ExportTraceServiceRequest`, or a JSON array of them);
  up to `STREAM_THRESHOLD` bytes it is parsed in one `orjson.loads`, above that its
  `resourceSpans` items are streamed with ijson so the raw bytes and the whole parsed tree are
  never held at once (unless the file is just one or two giant items: see `_many_items`);
- JSON Lines (the OTLP file exporter): one whole `TracesData` per line, read line by line;
- either of the above for the logs signal (`resourceLogs`).
Also accepted: the pre-1.0 `instrumentationLibrarySpans` name and Grafana Tempo's `batches`.
"""

from __future__ import annotations

import codecs
import mmap
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import ijson
import orjson

from tools.errors import BadInput
from tools.jsonio import check_size, loads, normalize_utf8, read_bytes, sniff_head

Progress = Callable[[str, int, int], None]
Signal = Literal["spans", "logs"]

STREAM_THRESHOLD = 64 * 1024 * 1024  # single documents above this are streamed item by item
_FIRST_LINE_MAX = 64 * 1024 * 1024  # longest first line tried as a JSON Lines record
_PROGRESS_STEP = 4 * 1024 * 1024
_TOP_KEYS: dict[Signal, tuple[str, ...]] = {"spans": ("resourceSpans", "batches"), "logs": ("resourceLogs",)}
_SIGNAL_RE = re.compile(rb'"(resourceSpans|resourceLogs|batches)"\s*:')
_MIN_STREAM_ITEMS = 4
_SCOPE_NEEDLES: dict[Signal, tuple[bytes, ...]] = {
    "spans": (b'"scopeSpans"', b'"instrumentationLibrarySpans"'),
    "logs": (b'"scopeLogs"', b'"instrumentationLibraryLogs"'),
}
_UTF16_32_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)

try:  # the C backend is several times faster; fall back to whatever ijson picked
    _ijson: Any = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - depends on the installed wheel
    _ijson = ijson


def signal_of(path: Path) -> Signal:
    """Traces or logs, from the first top-level OTLP key in the file's head."""
    m = _SIGNAL_RE.search(sniff_head(path))
    return "logs" if m and m.group(1) == b"resourceLogs" else "spans"


@dataclass
class Source:
    """One OTLP file; `items()` yields (line number or None, ResourceSpans/ResourceLogs dict)."""

    path: Path
    signal: Signal
    progress: Progress | None = None
    shape: Literal["json", "jsonl"] = "json"

    def items(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        size = check_size(self.path)
        head = sniff_head(self.path, 4096)
        if head[:4] in _UTF16_32_BOMS or head[:2] in _UTF16_32_BOMS:
            # Rare enough to afford one re-encoded copy in memory.
            data = normalize_utf8(self.path, read_bytes(self.path))
            yield from self._from_bytes(data, size)
            return
        with self.path.open("rb") as fh:
            # The first line is read at most once and dropped right away (no copy kept around).
            if _is_jsonl(fh.readline(min(size, _FIRST_LINE_MAX) + 1), fh):
                self.shape = "jsonl"
                fh.seek(0)
                yield from self._lines(fh, size)
            elif size > STREAM_THRESHOLD and _many_items(fh, self.signal):
                fh.seek(0)
                yield from self._stream(fh, size)
            else:
                fh.seek(0)
                yield from self._document(loads(self.path, fh.read()), None)
                self._tick(size, size)

    # --- forms ------------------------------------------------------------------------------

    def _from_bytes(self, data: bytes, size: int) -> Iterator[tuple[int | None, dict[str, Any]]]:
        nl = data.find(b"\n")
        if nl >= 0 and data[nl:].strip() and _parses(data[:nl]):
            self.shape = "jsonl"
            yield from self._lines(iter(data.splitlines(keepends=True)), size)
        else:
            yield from self._document(loads(self.path, data), None)

    def _lines(self, lines: Any, size: int) -> Iterator[tuple[int | None, dict[str, Any]]]:
        done = last = 0
        for lineno, line in enumerate(lines, 1):
            done += len(line)
            if lineno == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[3:]
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                cut = done >= size and not line.endswith(b"\n") and lineno > 1
                problem = (
                    "last line is cut off (truncated file?)"
                    if cut
                    else (f"malformed JSON Lines: {str(exc).split(':')[0]}")
                )
                raise BadInput(self.path, problem, line=lineno) from None
            yield from self._document(value, lineno)
            if done - last >= _PROGRESS_STEP:
                last = done
                self._tick(done, size)
        self._tick(size, size)

    def _stream(self, fh: BinaryIO, size: int) -> Iterator[tuple[int | None, dict[str, Any]]]:
        raw = fh.read(4096)
        bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
        head = raw[bom:].lstrip()
        fh.seek(bom)  # yajl does not skip a BOM itself
        key = self._stream_key(head)
        prefix = f"item.{key}.item" if head[:1] == b"[" else f"{key}.item"
        last = 0
        try:
            for item in _ijson.items(fh, prefix, use_float=True):
                if isinstance(item, dict):
                    yield None, item
                pos = fh.tell()
                if pos - last >= _PROGRESS_STEP:
                    last = pos
                    self._tick(pos, size)
        except ijson.IncompleteJSONError as exc:
            raise BadInput(self.path, _ijson_problem(exc)) from None
        except ijson.JSONError as exc:
            raise BadInput(self.path, f"malformed JSON: {str(exc).splitlines()[0][:120]}") from None
        self._tick(size, size)

    def _stream_key(self, head: bytes) -> str:
        m = _SIGNAL_RE.search(head)
        key = m.group(1).decode() if m else _TOP_KEYS[self.signal][0]
        if key not in _TOP_KEYS[self.signal]:
            raise BadInput(self.path, _mixed_message(self.signal))
        return key

    # --- documents --------------------------------------------------------------------------

    def _document(self, doc: Any, lineno: int | None) -> Iterator[tuple[int | None, dict[str, Any]]]:
        """TracesData/LogsData (or a JSON array of them) → its resource items."""
        docs = doc if isinstance(doc, list) and lineno is None else [doc]
        for one in docs:
            items = self._resource_list(one, lineno)
            for item in items:
                if isinstance(item, dict):
                    yield lineno, item

    def _resource_list(self, doc: Any, lineno: int | None) -> list[Any]:
        if isinstance(doc, dict):
            for key in _TOP_KEYS[self.signal]:
                items = doc.get(key)
                if isinstance(items, list):
                    return items
            other: Signal = "logs" if self.signal == "spans" else "spans"
            if any(k in doc for k in _TOP_KEYS[other]):
                raise BadInput(self.path, _mixed_message(self.signal), line=lineno)
        what = "TracesData (no resourceSpans)" if self.signal == "spans" else "LogsData (no resourceLogs)"
        where = "line is" if lineno is not None else "document is"
        raise BadInput(self.path, f"{where} not an OTLP {what}", line=lineno)

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(f"reading {self.path.name}", done, total)


def _is_jsonl(first: bytes, fh: BinaryIO) -> bool:
    """A first line that is a whole JSON value, followed by more content, means JSON Lines."""
    if not first.endswith(b"\n"):
        return False
    line = first[3:] if first.startswith(codecs.BOM_UTF8) else first
    line = line.strip()
    if not line.startswith(b"{") or not _parses(line):
        return False
    rest = fh.read(4096)
    return bool(rest.strip())


def _many_items(fh: BinaryIO, signal: Signal) -> bool:
    """Whether streaming pays: it bounds memory by the largest `resourceSpans` item, so a file
    that is one or two giant items is parsed whole instead (ijson would build the same tree,
    slower and without orjson's shared keys). Counting the scope-list keys is a C-speed scan;
    a key inside a JSON string is escaped (`\\"scopeSpans\\"`) and does not match."""
    needles = _SCOPE_NEEDLES[signal]
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        found = 0
        for needle in needles:
            pos = mm.find(needle)
            while pos >= 0 and found < _MIN_STREAM_ITEMS:
                found += 1
                pos = mm.find(needle, pos + len(needle))
    return found >= _MIN_STREAM_ITEMS


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _ijson_problem(exc: Exception) -> str:
    text = str(exc).lower()
    if "incomplete" in text or "premature" in text:
        return "JSON ends early (truncated file?)"
    return f"malformed JSON: {str(exc).splitlines()[0][:120]}"


def _mixed_message(signal: Signal) -> str:
    wanted = "traces (resourceSpans)" if signal == "spans" else "logs (resourceLogs)"
    return f"file mixes OTLP signals; expected only {wanted} — the file exporter writes one signal per file"
