"""OTLP/JSON scalar encodings: AnyValue, ids, 64-bit integers, enums, timestamps."""

from __future__ import annotations

import pytest

from tools.traces.otlp_values import (
    any_value,
    as_int,
    attributes,
    int64,
    iso_to_ns,
    norm_id,
    span_kind,
    status_of,
    time_ns,
)


def test_any_value_scalars() -> None:
    assert any_value({"stringValue": "x"}) == "x"
    assert any_value({"stringValue": ""}) == ""
    assert any_value({"boolValue": False}) is False
    assert any_value({"intValue": "812"}) == 812
    assert any_value({"intValue": 812}) == 812
    assert any_value({"doubleValue": 0.25}) == 0.25
    assert any_value({"doubleValue": "NaN"}) != any_value({"doubleValue": "NaN"})  # NaN, not None
    assert any_value({"doubleValue": "-Infinity"}) == float("-inf")
    assert any_value({"bytesValue": "aGVsbG8="}) == "aGVsbG8="  # bytes stay base64
    assert any_value({}) is None
    assert any_value(None) is None
    assert any_value({"someFutureValue": 1}) is None


def test_any_value_flattens_arrays_and_kvlists_recursively() -> None:
    value = {
        "kvlistValue": {
            "values": [
                {"key": "role", "value": {"stringValue": "user"}},
                {
                    "key": "parts",
                    "value": {
                        "arrayValue": {
                            "values": [
                                {"kvlistValue": {"values": [{"key": "n", "value": {"intValue": "3"}}]}},
                                {"arrayValue": {}},
                            ]
                        }
                    },
                },
            ]
        }
    }
    assert any_value(value) == {"role": "user", "parts": [{"n": 3}, []]}


def test_int64_is_exact_beyond_2_pow_53() -> None:
    assert int64("9007199254740993") == 9007199254740993
    assert int64(9007199254740993) == 9007199254740993
    assert any_value({"intValue": "-9223372036854775808"}) == -(2**63)
    assert int64("not a number") is None
    assert int64(None) is None


def test_attributes_last_duplicate_wins_and_odd_entries_are_skipped() -> None:
    kvs = [
        {"key": "a", "value": {"stringValue": "first"}},
        {"key": "b"},
        "not a keyvalue",
        {"value": {"stringValue": "no key"}},
        {"key": "a", "value": {"stringValue": "last"}},
    ]
    assert attributes(kvs) == {"a": "last", "b": None}
    assert attributes(None) == {}


def test_attributes_keep_json_strings_as_strings() -> None:
    out = attributes([{"key": "metadata", "value": {"stringValue": '{"v": 1}'}}])
    assert out == {"metadata": '{"v": 1}'}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("4BF92F3577B34DA6A3CE929D0E0E4736", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("S/kvNXezTaajzpKdDg5HNg==", "4bf92f3577b34da6a3ce929d0e0e4736"),  # proto3 JSON base64
        ("S_kvNXezTaajzpKdDg5HNg", "4bf92f3577b34da6a3ce929d0e0e4736"),  # URL-safe, unpadded
        ("APBnqgupArc=", "00f067aa0ba902b7"),
        ("0x00F067AA0BA902B7", "00f067aa0ba902b7"),
        ("", None),
        ("0000000000000000", None),
        ("AAAAAAAAAAA=", None),
        (None, None),
        ("run-7f3a", "run-7f3a"),  # not an OTLP id: kept as recorded
    ],
)
def test_norm_id(raw: str | None, expected: str | None) -> None:
    assert norm_id(raw) == expected


def test_time_ns_accepts_strings_numbers_and_iso() -> None:
    assert time_ns("1767225600000000001") == 1767225600000000001
    assert time_ns(1767225600000000001) == 1767225600000000001
    assert time_ns("0") is None  # default value: unset
    assert time_ns("2026-01-01T00:00:00.000000001Z") == 1767225600000000001
    assert iso_to_ns("2026-01-01T01:00:00+01:00") == 1767225600000000000
    assert iso_to_ns("2026-01-01 00:00:00.5") == 1767225600500000000
    assert iso_to_ns("yesterday") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2, 2),
        ("SPAN_KIND_SERVER", 2),
        ("SpanKind.CLIENT", 3),
        ("client", 3),
        ("3", 3),
        (None, 0),
        ("WEIRD", 0),
    ],
)
def test_span_kind_ints_and_names(raw: object, expected: int) -> None:
    assert span_kind(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2, "error"),
        ("STATUS_CODE_ERROR", "error"),
        ("ERROR", "error"),
        ("StatusCode.OK", "ok"),
        (1, "ok"),
        (0, "unset"),
        (None, "unset"),
        (7, "unset"),
    ],
)
def test_status_ints_and_names(raw: object, expected: str) -> None:
    assert status_of(raw) == expected


def test_as_int() -> None:
    assert as_int("12") == 12
    assert as_int(12.0) == 12
    assert as_int(12.5) is None
    assert as_int(True) is None
