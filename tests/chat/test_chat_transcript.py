"""Plain-text transcripts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tools.chat import load_chat
from tools.chat.transcript import TsAllocator, parse_line
from tools.model.chat import ts_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chat" / "transcript"
HINT = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


def stamps(path: Path, **kwargs: object) -> list[tuple[str, str, str]]:
    log = load_chat(path, **kwargs)  # type: ignore[arg-type]
    return [(m.time.strftime("%Y-%m-%d %H:%M:%S"), m.author, m.text) for m in log.messages]


def test_basic_transcript() -> None:
    log = load_chat(FIXTURES / "basic.txt", date_hint=HINT, agent_names=["authwatch"])
    assert (log.format, log.channel, len(log.messages)) == ("transcript", None, 10)
    assert log.warnings == ["basic.txt: 1 line(s) before the first timestamped line were ignored"]
    assert [(m.author, m.is_bot) for m in log.messages] == [
        ("Monitoring-Bot", True),
        ("incident-bot", True),
        ("Zoë Ångström", False),  # kept exactly, accents and all
        ("PagerDuty", True),
        ("Tom Talbot", False),
        ("authwatch", True),  # an agent name
        ("GitHub Actions", True),
        ("Zoë Ångström", False),
        ("Tom Talbot", False),
        ("Datadog", True),
    ]
    assert all(m.author_id is None and m.thread_ts is None for m in log.messages)


def test_same_minute_gets_increasing_suffix() -> None:
    log = load_chat(FIXTURES / "basic.txt", date_hint=HINT)
    same = [m.ts for m in log.messages if m.time.strftime("%H:%M") == "10:02"]
    assert same == ["1770717720.000000", "1770717720.000001", "1770717720.000002"]
    assert log.messages[0].ts == "1770717480.000000"  # 2026-02-10 09:58 UTC
    keys = [ts_key(m.ts) for m in log.messages]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_continuation_lines_and_text_after_first_colon() -> None:
    log = load_chat(FIXTURES / "basic.txt", date_hint=HINT)
    assert log.messages[3].text == "PagerDuty: auth on-call (Tom Talbot) paged"
    assert log.messages[4].text == (
        "here. token service is returning 500s:\n"
        "    java.lang.IllegalStateException: signing key not found\n"
        "    at KeyRing.current(KeyRing.java:88)"
    )
    # A blank line between messages is not text of either.
    assert log.messages[7].text == "authwatch retired the key before the new one propagated?"


def test_midnight_rollover() -> None:
    rows = stamps(FIXTURES / "midnight.txt", date_hint=datetime(2026, 6, 14, 23, 45, tzinfo=UTC))
    assert [r[0] for r in rows] == [
        "2026-06-14 23:40:00",
        "2026-06-14 23:52:00",
        "2026-06-14 23:59:00",
        "2026-06-15 00:03:00",
        "2026-06-15 00:03:00",
        "2026-06-15 01:15:00",
    ]


def test_first_line_placed_nearest_the_hint() -> None:
    # Opened just after midnight; the chat began the evening before.
    rows = stamps(FIXTURES / "midnight.txt", date_hint=datetime(2026, 6, 15, 0, 10, tzinfo=UTC))
    assert rows[0][0] == "2026-06-14 23:40:00" and rows[-1][0] == "2026-06-15 01:15:00"


def test_hint_in_another_timezone_or_naive() -> None:
    plus2 = timezone(timedelta(hours=2))
    aware = stamps(FIXTURES / "midnight.txt", date_hint=datetime(2026, 6, 15, 1, 45, tzinfo=plus2))
    naive = stamps(FIXTURES / "midnight.txt", date_hint=datetime(2026, 6, 14, 23, 45))
    assert aware[0][0] == naive[0][0] == "2026-06-14 23:40:00"


def test_variants() -> None:
    log = load_chat(FIXTURES / "variants.txt", date_hint=HINT)
    rows = [(m.time.strftime("%Y-%m-%d %H:%M:%S"), m.author, m.text) for m in log.messages]
    assert rows == [
        ("2026-05-01 08:00:00", "Kai Moana", "dated line sets the day"),
        ("2026-05-01 08:00:30", "Kai Moana", "seconds are kept"),
        (
            "2026-05-01 08:01:00",
            "Lea Roux",
            "bare time without brackets\n08:02 the migration finished without errors\n<Nia> not a message line: no time",
        ),
        ("2026-05-01 08:03:00", "Omar", "IRC-style name"),
        ("2026-05-03 07:00:00", "Kai Moana", "a day separator moves the date forward"),
        ("2026-05-03 07:00:00", "Lea Roux", "ISO with T and Z"),
        ("2026-05-03 07:01:00", "(unknown)", "(no name on this line)"),
    ]
    assert log.messages[4].ts.endswith(".000000") and log.messages[5].ts.endswith(".000001")
    assert log.warnings == ["variants.txt: 1 timestamped line(s) without 'name:' kept with author (unknown)"]


def test_no_date_anywhere_uses_epoch_day_and_warns() -> None:
    log = load_chat(FIXTURES / "preamble_nodate.txt")
    assert [(m.ts, m.author, m.text) for m in log.messages] == [
        ("43140.000000", "Ben", "a minute out of order"),  # sorted by time; a minute back is not a new day
        ("43200.000000", "Ana", "first"),
        ("43200.000001", "Ben", "second, same minute"),
        ("43200.000002", "Ana", "third, same minute"),
    ]
    assert log.messages[0].time.date().isoformat() == "1970-01-01"
    assert log.warnings[0].startswith("preamble_nodate.txt: transcript has times but no date")


def test_crlf_bom_and_header_in_brackets(tmp_path: Path) -> None:
    path = tmp_path / "t.log"
    path.write_bytes("\ufeff[Exported from Slack]\r\n[09:00] Ana: one\r\n[09:01] Ben: two\r\n".encode())
    log = load_chat(path, date_hint=HINT)
    assert [(m.author, m.text) for m in log.messages] == [("Ana", "one"), ("Ben", "two")]


def test_several_transcripts_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("[10:00] Ana: from a\n[10:05] Ana: later in a\n")
    (tmp_path / "b.txt").write_text("[10:00] Ben: from b, same minute\n")
    log = load_chat(tmp_path, date_hint=HINT)
    assert [m.ts for m in log.messages] == ["1770717600.000000", "1770717600.000001", "1770717900.000000"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[14:02] ana: hi", ("ana", "hi")),
        ("[9:05] ana: single-digit hour", ("ana", "single-digit hour")),
        ("[14:02:59] ana: secs", ("ana", "secs")),
        ("14:02 ana: bare", ("ana", "bare")),
        ("[2026-03-04 14:02] ana: dated", ("ana", "dated")),
        ("[14:02 UTC] ana: utc marker", ("ana", "utc marker")),
        ("[14:02] Ana Maria de la Cruz: five words", ("Ana Maria de la Cruz", "five words")),
        ("[14:02] ana:", ("ana", "")),
    ],
)
def test_parse_line_accepts(line: str, expected: tuple[str, str]) -> None:
    parsed = parse_line(line)
    assert parsed is not None and (parsed.author, parsed.text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "no time here: x",
        "14:02 prose that begins with a time",
        "[25:00] ana: bad hour",
        "[14:61] ana: bad minute",
        "[2026-13-01 14:02] ana: bad date",
        "    at KeyRing.current(KeyRing.java:88)",
    ],
)
def test_parse_line_rejects(line: str) -> None:
    assert parse_line(line) is None


def test_parse_line_long_prose_before_colon_is_not_a_name() -> None:
    parsed = parse_line("[14:02] we should roll back right now and ask questions later: agreed?")
    assert parsed is not None and parsed.author is None


def test_allocator_spills_into_next_second() -> None:
    allocator = TsAllocator()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    allocator._next[int(at.timestamp())] = 1_000_000
    assert allocator.allocate(at) == f"{int(at.timestamp()) + 1}.000000"


def test_synthesized_ts_shape() -> None:
    log = load_chat(FIXTURES / "basic.txt", date_hint=HINT)
    assert all(re.fullmatch(r"\d+\.\d{6}", m.ts) for m in log.messages)
    assert all(m.ref == f"chat:{m.ts}" for m in log.messages)
