"""Find the postmortems under a folder and the date of each incident.

Every `*.md` below the folder is a postmortem, except inside an incident bundle (a folder with
incident.json), where only `postmortem.md` is, and except project documentation (README, …).
The date comes from incident.json `opened_at`, else a date in the document ("Date: 2026-03-04",
"**Date:** March 4, 2026", front-matter `start_time`, else the first ISO date), else the mtime.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from tools.errors import BadInput
from tools.jsonio import load_json

_NOT_POSTMORTEMS = {"readme.md", "changelog.md", "contributing.md", "license.md", "code_of_conduct.md", "security.md"}


def find_postmortems(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.md")):
        if not path.is_file() or path.name.lower() in _NOT_POSTMORTEMS:
            continue
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # hidden folders (.git, .venv) hold no postmortems
        if (path.parent / "incident.json").is_file() and path.name != "postmortem.md":
            continue
        yield path


def bundle_meta(path: Path) -> dict[str, object]:
    meta_path = path.parent / "incident.json"
    if path.name != "postmortem.md" or not meta_path.is_file():
        return {}
    try:
        meta = load_json(meta_path)
    except BadInput:
        return {}  # a broken incident.json falls back to the document's own date
    return meta if isinstance(meta, dict) else {}


_ISO_RX = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_LABELLED_RX = re.compile(
    r"^\W*(?:date|incident date|date of incident|occurred|started|start(?:_|\s)?time|opened(?:_at)?|when)\W*:\W*(.+)$",
    re.I | re.M,
)
_NOT_INCIDENT_DATE = re.compile(r"fetched|retrieved|archiv|published|updated|modified|generated|last[_ ]edit|written", re.I)
_TEXT_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%Y/%m/%d", "%d.%m.%Y")


def parse_date(value: str) -> date | None:
    value = value.strip().strip("*_` ")
    m = _ISO_RX.search(value)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.split("(")[0]).strip(" ,.")
    for fmt in _TEXT_FORMATS:
        for candidate in (cleaned, " ".join(cleaned.split()[:3])):
            try:
                return datetime.strptime(candidate, fmt).date()  # noqa: DTZ007 - a calendar date, no time
            except ValueError:
                continue
    return None


def document_date(text: str) -> date | None:
    for m in _LABELLED_RX.finditer(text[:4000]):
        found = parse_date(m.group(1))
        if found is not None:
            return found
    for line in text.splitlines():
        if _NOT_INCIDENT_DATE.search(line):
            continue  # when a page was fetched or edited says nothing about when the incident happened
        iso = _ISO_RX.search(line)
        if iso:
            return parse_date(iso.group(0))
    return None


def incident_date(path: Path, text: str, meta: dict[str, object]) -> tuple[date, str]:
    opened = meta.get("opened_at")
    if isinstance(opened, str) and (found := parse_date(opened)) is not None:
        return found, "incident.json"
    found = document_date(text)
    if found is not None:
        return found, "document"
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date(), "mtime"
