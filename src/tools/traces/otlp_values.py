"""Decoding the OTLP/JSON scalar encodings: AnyValue, ids, 64-bit integers, enums, timestamps.

OTLP/JSON deviates from the plain proto3 JSON mapping in ways parsers trip over (formats.md §1):
trace/span ids are hex (but proto serializers emit base64), 64-bit integers arrive as decimal
strings (or numbers), enums should be integers (but names appear), and defaults are omitted.
Everything here accepts every variant and never raises on odd-but-valid input: a value that
cannot be decoded comes back as None (or as recorded) so one bad field never loses a span.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from sys import intern
from typing import Any

from tools.model.trace import SpanStatus, datetime_to_ns

_LOWER_HEX = "0123456789abcdef"

# OTLP SpanKind enum: 0 UNSPECIFIED, 1 INTERNAL, 2 SERVER, 3 CLIENT, 4 PRODUCER, 5 CONSUMER.
_KIND_NAMES = {"UNSPECIFIED": 0, "INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5}
KIND_LABELS = {code: name.lower() for name, code in _KIND_NAMES.items() if code}
_STATUS_CODES: dict[int, SpanStatus] = {0: "unset", 1: "ok", 2: "error"}


# --- AnyValue -------------------------------------------------------------------------------


def any_value(value: Any) -> Any:
    """AnyValue → plain Python: kvlist → dict, array → list, intValue → int, bytes stay base64.

    A value that is not an AnyValue wrapper (a bare scalar from a sloppy producer) is kept as is.
    """
    if type(value) is not dict:
        return value
    # Strings are by far the commonest attribute type: one lookup serves them.
    s = value.get("stringValue")
    if s is not None:
        return s
    for key, raw in value.items():
        decoder = _DECODERS.get(key)
        if decoder is not None:
            return decoder(raw)
    return None  # an empty AnyValue ({}) is a valid "no value"


def _bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        return raw.strip().lower() == "true"
    return bool(raw) if isinstance(raw, int | float) else None


def _double(raw: Any) -> float | None:
    # proto3 JSON spells non-finite doubles as strings ("NaN", "Infinity", "-Infinity").
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _array(raw: Any) -> list[Any]:
    values = raw.get("values") if isinstance(raw, dict) else raw
    if not isinstance(values, list):
        return []
    return [any_value(v) for v in values]


def _kvlist(raw: Any) -> dict[str, Any]:
    values = raw.get("values") if isinstance(raw, dict) else raw
    return attributes(values) if isinstance(values, list) else {}


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "stringValue": lambda raw: raw,
    "boolValue": _bool,
    "intValue": lambda raw: int64(raw),
    "doubleValue": _double,
    "arrayValue": _array,
    "kvlistValue": _kvlist,
    "bytesValue": lambda raw: raw,  # bytes stay base64 (only ids get the hex rule)
}


def attributes(kvs: Any) -> dict[str, Any]:
    """A KeyValue list → flat dict of decoded values; a repeated key keeps its last value."""
    out: dict[str, Any] = {}
    if not isinstance(kvs, list):
        # Some hand-written exports use a plain map; accept it rather than drop everything.
        return dict(kvs) if isinstance(kvs, dict) else out
    for kv in kvs:
        if type(kv) is not dict:
            continue
        key = kv.get("key")
        if type(key) is not str:
            continue
        value = kv.get("value")
        # Inlined string fast path: this loop runs for every attribute of every span.
        text = value.get("stringValue") if type(value) is dict else None
        # Keys repeat on every span; interning keeps one copy instead of one per span.
        out[intern(key)] = text if text is not None else any_value(value)
    return out


# --- ids ------------------------------------------------------------------------------------


def norm_id(raw: Any) -> str | None:
    """Trace/span id → lowercase hex. Accepts hex (any case, optional 0x) and base64.

    Empty and all-zero ids mean "no id" (a root span's parentSpanId) and give None.
    """
    if not isinstance(raw, str):
        return None
    if len(raw) in (16, 32) and not raw.strip(_LOWER_HEX):
        return None if not raw.strip("0") else raw  # the common case: already canonical
    return _norm_id_slow(raw.strip())


def _norm_id_slow(s: str) -> str | None:
    if not s:
        return None
    if s[:2] in ("0x", "0X"):
        s = s[2:]
    low = s.lower()
    # Hex ids are 16/32 chars; base64 of 8/16 bytes is 12/24 chars, so lengths don't collide.
    if len(low) % 2 == 0 and not low.strip(_LOWER_HEX) and len(low) not in (12, 24):
        return low if low.strip("0") else None
    decoded = _b64(s)
    if decoded is not None and len(decoded) in (8, 16):
        hexed = decoded.hex()
        return hexed if hexed.strip("0") else None
    if not low.strip(_LOWER_HEX):
        return low if low.strip("0") else None
    return s  # not an OTLP id (a UUID, a vendor id): keep it as recorded


def _b64(s: str) -> bytes | None:
    # Standard or URL-safe alphabet, padding optional; anything else is not base64.
    text = s.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


# --- integers, enums, times -----------------------------------------------------------------


def int64(raw: Any) -> int | None:
    """int64/fixed64 from a decimal string or a number; never via float for strings (ns > 2^53)."""
    if type(raw) is int:
        return raw
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            return None
    if isinstance(raw, float) and raw == raw and raw not in (float("inf"), float("-inf")):
        return int(raw)
    return None


def time_ns(raw: Any) -> int | None:
    """A *UnixNano field: decimal string or number; ISO-8601 from a non-conforming tool; 0 = unset."""
    value = int64(raw)
    if value is None and isinstance(raw, str):
        value = iso_to_ns(raw)
    return value or None


_ISO_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)


def iso_to_ns(raw: Any) -> int | None:
    """ISO-8601 → ns since the epoch, keeping all fractional digits (up to ns). Naive = UTC."""
    if not isinstance(raw, str):
        return None
    m = _ISO_RE.match(raw.strip())
    if not m:
        return None
    date, clock, frac, zone = m.groups()
    if zone in (None, "Z", "z"):
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        base = datetime.fromisoformat(f"{date}T{clock}{zone}").astimezone(UTC)
    except ValueError:
        return None
    return datetime_to_ns(base) + int((frac or "0")[:9].ljust(9, "0"))


def enum_int(raw: Any, names: dict[str, int]) -> int:
    """Enum as int or as its name (SPAN_KIND_SERVER, SpanKind.SERVER, server); unknown → 0."""
    if type(raw) is int:
        return raw
    if isinstance(raw, str):
        s = raw.strip().upper()
        if s.lstrip("-").isdigit():
            return int(s) if len(s) < 20 else 0  # a 5000-digit "enum" must not raise
        for prefix in ("SPAN_KIND_", "SPANKIND.", "STATUS_CODE_", "STATUSCODE."):
            if s.startswith(prefix):
                s = s[len(prefix) :]
                break
        return names.get(s, 0)
    return 0


def span_kind(raw: Any) -> int:
    return enum_int(raw, _KIND_NAMES)


def status_of(raw: Any) -> SpanStatus:
    """Status code (int or name, e.g. 2 / "STATUS_CODE_ERROR" / "ERROR") → ok | error | unset."""
    if type(raw) is int:
        return _STATUS_CODES.get(raw, "unset")
    code = enum_int(raw, {"UNSET": 0, "OK": 1, "ERROR": 2})
    return _STATUS_CODES.get(code, "unset")


def first_str(*values: Any) -> str | None:
    """The first non-empty value, as a string (attribute values may be numbers)."""
    for v in values:
        if v is None or v == "":
            continue
        return v if isinstance(v, str) else str(v)
    return None


def as_int(value: Any) -> int | None:
    """Token counts and the like: int, numeric string or integral float; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return int64(value)


def iter_dicts(value: Any) -> Iterable[dict[str, Any]]:
    """The dict items of a list (or a lone dict); everything else is skipped."""
    if isinstance(value, dict):
        return (value,)
    if isinstance(value, list):
        return (v for v in value if isinstance(v, dict))
    return ()
