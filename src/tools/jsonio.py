"""Reading input files safely: size, encoding, JSON and JSON Lines, with one-line errors.

Every reader goes through here so that bad input (binary garbage, a wrong encoding, a
truncated document, a huge file) fails the same way: `BadInput` naming the file, the line or
byte offset where known, and the problem.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from tools.errors import BadInput

DEFAULT_MAX_INPUT_MB = 2048


def max_input_bytes() -> int:
    """Largest single input file accepted (PMDRAFT_MAX_INPUT_MB, default 2 GiB)."""
    raw = os.environ.get("PMDRAFT_MAX_INPUT_MB", "")
    try:
        mb = int(raw) if raw else DEFAULT_MAX_INPUT_MB
    except ValueError:
        mb = DEFAULT_MAX_INPUT_MB
    return mb * 1024 * 1024


def check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(path, f"cannot read file ({exc.strerror or exc})") from None
    limit = max_input_bytes()
    if size > limit:
        raise BadInput(
            path,
            f"file is {size / 1048576:.0f} MB, over the {limit // 1048576} MB limit "
            "(raise PMDRAFT_MAX_INPUT_MB to accept it)",
        )
    return size


def read_bytes(path: Path) -> bytes:
    check_size(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(path, f"cannot read file ({exc.strerror or exc})") from None


def decode(path: Path, data: bytes) -> str:
    """Bytes → str. UTF-8 (with or without BOM) and BOM-marked UTF-16/32 are accepted."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise BadInput(path, f"invalid {enc} text ({exc.reason})", offset=exc.start) from None
    if b"\x00" in data[:4096]:
        raise BadInput(path, "binary data, not text (NUL bytes); expected JSON, JSON Lines or a transcript")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BadInput(
            path,
            f"not valid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x}); re-export as UTF-8",
            line=line,
        ) from None


def normalize_utf8(path: Path, data: bytes) -> bytes:
    """Bytes ready for orjson: UTF-8 without BOM. Re-encodes only when the input is not already UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or data[:4] in (
        codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE,
    ):
        return decode(path, data).encode("utf-8")
    if b"\x00" in data[:4096]:
        decode(path, data)  # raises the binary-data error
    return data


def _json_error(path: Path, data: bytes, exc: orjson.JSONDecodeError) -> BadInput:
    pos = getattr(exc, "pos", None)
    if pos is not None and pos >= len(data.rstrip()):
        return BadInput(path, "JSON ends early (truncated file?)", line=getattr(exc, "lineno", None))
    msg = getattr(exc, "msg", str(exc)).split(":")[0]
    if "utf-8" in str(exc).lower() or "surrogate" in str(exc).lower():
        # orjson validates UTF-8 itself; re-run the decoder for a precise offset.
        decode(path, data)
    return BadInput(
        path,
        f"malformed JSON: {msg} (column {getattr(exc, 'colno', '?')})",
        line=getattr(exc, "lineno", None),
    )


def loads(path: Path, data: bytes) -> Any:
    data = normalize_utf8(path, data)
    if not data.strip():
        raise BadInput(path, "file is empty")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _json_error(path, data, exc) from None


def load_json(path: Path) -> Any:
    return loads(path, read_bytes(path))


def iter_jsonl(path: Path, data: bytes | None = None) -> Iterator[tuple[int, Any]]:
    """Yield (line number, value) for each non-blank line; a bad line fails with its number."""
    if data is None:
        data = read_bytes(path)
    data = normalize_utf8(path, data)
    lineno = 0
    start = 0
    n = len(data)
    while start < n:
        end = data.find(b"\n", start)
        if end < 0:
            end = n
        lineno += 1
        line = data[start:end]
        start = end + 1
        if not line.strip():
            continue
        try:
            yield lineno, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            truncated = end == n and not data.endswith(b"\n") and lineno > 1
            problem = "last line is cut off (truncated file?)" if truncated else (
                f"malformed JSON Lines: {str(exc).split(':')[0]}"
            )
            raise BadInput(path, problem, line=lineno) from None


def sniff_head(path: Path, size: int = 65536) -> bytes:
    """First bytes of a file, UTF-8 normalized where a BOM says otherwise."""
    check_size(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(size)
    except OSError as exc:
        raise BadInput(path, f"cannot read file ({exc.strerror or exc})") from None
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="ignore").encode("utf-8")
    if head.startswith(codecs.BOM_UTF8):
        return head[3:]
    return head


def parse_maybe_json(value: Any) -> Any:
    """JSON-in-a-string values (metadata, arguments): decode when it is JSON, else keep the string."""
    if isinstance(value, str):
        s = value.strip()
        if s[:1] in ("{", "[") and s[-1:] in ("}", "]"):
            try:
                return orjson.loads(s)
            except orjson.JSONDecodeError:
                return value
    return value


def dumps_compact(value: Any) -> str:
    """Serialize a structured value the way it is quoted back (compact JSON, key order kept)."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)
