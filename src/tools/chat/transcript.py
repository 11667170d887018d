"""Plain-text transcripts: `[HH:MM] name: text` lines → `Message`s.

Times are UTC. A transcript rarely says which day it is, so the date comes from the
incident's opened_at (`date_hint`); when the clock runs backwards by more than an hour the
chat has crossed midnight. Slack-style ts strings are synthesized so messages can be cited
(`chat:<ts>`) like Slack ones: `<epoch seconds>.<6 digits>`, the suffix counting messages
that share a second (a minute, for `[HH:MM]` lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from tools.chat.names import looks_like_bot
from tools.errors import BadInput
from tools.model.chat import ChatLog, Message, ts_key

_DATE = r"(?:(?P<date>\d{4}-\d{2}-\d{2})[ T])?"
_TIME = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
_UTC = r"(?:\s*(?:Z|UTC|GMT|\+00:?00))?"
_BRACKETED_RE = re.compile(rf"^\s*\[\s*{_DATE}{_TIME}{_UTC}\s*\]\s?(?P<rest>.*)$")
_BARE_RE = re.compile(rf"^\s*{_DATE}{_TIME}{_UTC}\s+(?P<rest>.*)$")
# "name: text" (the colon ends the name), or IRC style "<name> text".
_NAME_RE = re.compile(r"^(?P<name>[^\s:<\[][^:]{0,63}?)\s*:(?:\s+|$)(?P<text>.*)$")
_IRC_RE = re.compile(r"^<(?P<name>[^<>\s][^<>]{0,63})>\s*(?P<text>.*)$")
# A day separator such as "--- 2026-03-05 ---" sets the date for the lines after it.
_DATE_LINE_RE = re.compile(r"^[\W_]*(\d{4}-\d{2}-\d{2})[\W_]*$")
_MAX_NAME_WORDS = 5
FORMAT = "transcript"
ROLLOVER = timedelta(hours=1)
UNKNOWN_AUTHOR = "(unknown)"
EPOCH_DAY = date(1970, 1, 1)


class TranscriptLine(BaseModel):
    """A line that starts a message."""

    day: date | None = None
    at: time
    author: str | None = None
    text: str = ""


def parse_line(line: str) -> TranscriptLine | None:
    """The timestamp, author and text of a message line; None for continuation lines."""
    bracketed = _BRACKETED_RE.match(line)
    match = bracketed or _BARE_RE.match(line)
    if match is None:
        return None
    at = _clock_time(match.group("h"), match.group("m"), match.group("s"))
    day = _iso_day(match.group("date"))
    if at is None or (match.group("date") and day is None):
        return None
    rest = match.group("rest")
    named = _split_name(rest)
    if named is None:
        # "14:05 the deploy finished" is prose that starts with a time, not a new message.
        return TranscriptLine(day=day, at=at, text=rest.rstrip()) if bracketed else None
    return TranscriptLine(day=day, at=at, author=named[0], text=named[1])


def looks_like_transcript(text: str) -> bool:
    """At least one `time name: text` line."""
    return any((p := parse_line(line)) is not None and p.author for line in text.splitlines())


def _split_name(rest: str) -> tuple[str, str] | None:
    match = _NAME_RE.match(rest) or _IRC_RE.match(rest)
    if match is None:
        return None
    name = match.group("name").strip()
    if len(name.split()) > _MAX_NAME_WORDS:
        return None
    return name, match.group("text").rstrip()


def _clock_time(h: str, m: str, s: str | None) -> time | None:
    hour, minute, second = int(h), int(m), int(s or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _iso_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class TsAllocator:
    """Unique, sortable Slack-style ts strings; shared across the files of one chat."""

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def allocate(self, at: datetime) -> str:
        seconds = int(at.timestamp())
        while self._next.get(seconds, 0) > 999_999:
            seconds += 1  # a million lines in one second: spill into the next
        suffix = self._next.get(seconds, 0)
        self._next[seconds] = suffix + 1
        return f"{seconds}.{suffix:06d}"


class _Clock:
    """Turns times of day into UTC datetimes, following the chat across midnight."""

    def __init__(self, hint: datetime | None) -> None:
        if hint is not None and hint.tzinfo is None:
            hint = hint.replace(tzinfo=UTC)  # the spec's times are UTC
        self.hint = hint.astimezone(UTC) if hint is not None else None
        self.day: date | None = None
        self.last: datetime | None = None
        self.guessed = False

    def set_day(self, day: date) -> None:
        self.day, self.last = day, None

    def place(self, day: date | None, at: time) -> datetime:
        if day is not None:
            self.day = day
        elif self.day is None:
            self.day = self._first_day(at)
        when = datetime.combine(self.day, at, tzinfo=UTC)
        if day is None and self.last is not None and when < self.last - ROLLOVER:
            self.day += timedelta(days=1)
            when += timedelta(days=1)
        # Keep the latest time seen: a line a few minutes out of order must not pull it back.
        self.last = when if self.last is None else max(self.last, when)
        return when

    def _first_day(self, at: time) -> date:
        if self.hint is None:
            self.guessed = True
            return EPOCH_DAY
        hint = self.hint
        # The chat may start the evening before an incident opened just after midnight, or
        # the reverse: take the day that puts the first line nearest the opening.
        days = [hint.date() + timedelta(days=k) for k in (-1, 0, 1)]
        return min(days, key=lambda d: abs(datetime.combine(d, at, tzinfo=UTC) - hint))


class _Draft(BaseModel):
    at: datetime
    author: str
    lines: list[str] = Field(default_factory=list)


def parse_transcript(
    path: Path,
    text: str,
    *,
    date_hint: datetime | None,
    agent_names: Sequence[str],
    allocator: TsAllocator,
) -> tuple[list[Message], list[str]]:
    """Messages in file order and warnings; an empty list means no line could be parsed."""
    clock = _Clock(date_hint)
    drafts: list[_Draft] = []
    preamble = unnamed = 0
    for line in text.splitlines():
        parsed = parse_line(line)
        if parsed is not None:
            unnamed += parsed.author is None
            at = clock.place(parsed.day, parsed.at)
            drafts.append(_Draft(at=at, author=parsed.author or UNKNOWN_AUTHOR, lines=[parsed.text]))
        elif (day_line := _DATE_LINE_RE.match(line)) and (day := _iso_day(day_line.group(1))):
            clock.set_day(day)
        elif drafts:
            drafts[-1].lines.append(line.rstrip())
        elif line.strip():
            preamble += 1
    messages = [_to_message(d, agent_names, allocator) for d in drafts]
    return messages, _warnings(path, clock, preamble, unnamed) if messages else []


def _to_message(draft: _Draft, agent_names: Sequence[str], allocator: TsAllocator) -> Message:
    return Message(
        ts=allocator.allocate(draft.at),
        author=draft.author,  # kept exactly: it is how people are named in the draft
        is_bot=looks_like_bot(draft.author, agent_names),
        text="\n".join(draft.lines).strip("\n"),
    )


def _warnings(path: Path, clock: _Clock, preamble: int, unnamed: int) -> list[str]:
    out = []
    if clock.guessed:
        out.append(
            f"{path.name}: transcript has times but no date and no incident opened_at was given; "
            "dates are set to 1970-01-01"
        )
    if preamble:
        out.append(f"{path.name}: {preamble} line(s) before the first timestamped line were ignored")
    if unnamed:
        out.append(
            f"{path.name}: {unnamed} timestamped line(s) without 'name:' kept with author {UNKNOWN_AUTHOR}"
        )
    return out


def load_transcripts(
    source: Path,
    files: Sequence[tuple[Path, str]],
    *,
    date_hint: datetime | None,
    agent_names: Sequence[str],
    warnings: Sequence[str] = (),
) -> ChatLog:
    """One ChatLog from one or more transcript files (path, text), sorted by time."""
    allocator = TsAllocator()
    messages: list[Message] = []
    notes = list(warnings)
    for path, text in files:
        found, problems = parse_transcript(
            path, text, date_hint=date_hint, agent_names=agent_names, allocator=allocator
        )
        messages += found
        notes += problems
    if not messages:
        raise BadInput(source, 'not a transcript: no "[HH:MM] name: text" lines')
    messages.sort(key=lambda m: ts_key(m.ts))  # stable: lines of one minute keep file order
    return ChatLog(source=str(source), format=FORMAT, messages=messages, warnings=notes)
