"""Traces from a directory of exported files (any format our readers accept).

A file belongs to the incident when its spans overlap the incident window, and — when a session
id is asked for and the file records sessions at all — when one of its spans has that session.
Files are read one at a time (a file that only parses together with its siblings is skipped
with a warning), and what each file covers is cached by (path, size, mtime): a long-lived server
reads each export once.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import structlog

from tools.errors import BadInput
from tools.sources.base import SourceError, TraceQuery
from tools.traces import load_traces

_IGNORED = {".DS_Store", "Thumbs.db", "README.md", "README.txt"}


@dataclass(frozen=True)
class FileSummary:
    start_ns: int | None
    end_ns: int | None
    sessions: frozenset[str]
    spans: int


class DirectoryTraceSource:
    name = "trace directory"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._cache: dict[tuple[str, int, int], FileSummary | None] = {}
        self._lock = threading.Lock()
        self.warnings: list[str] = []

    def fetch(self, query: TraceQuery, dest: Path) -> list[Path]:
        if not self.root.is_dir():
            raise SourceError(self.root, "trace directory not found (PMDRAFT_TRACE_DIR)")
        chosen = [p for p in self._files() if self._matches(p, query)]
        dest.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for i, path in enumerate(chosen):
            target = dest / path.name
            if target.exists():  # same name from two sub-folders: keep both
                target = dest / f"{i:03d}-{path.name}"
            shutil.copyfile(path, target)
            written.append(target)
        return written

    def _files(self) -> list[Path]:
        try:
            return sorted(
                p for p in self.root.rglob("*")
                if p.is_file() and p.name not in _IGNORED and not any(part.startswith(".") for part in p.parts)
            )
        except OSError as exc:
            raise SourceError(self.root, f"cannot list trace directory ({exc.strerror or exc})") from None

    def _matches(self, path: Path, query: TraceQuery) -> bool:
        summary = self.summary(path)
        if summary is None or summary.spans == 0:
            return False
        if query.session_id and summary.sessions:
            return query.session_id in summary.sessions
        lo, hi = query.window_ns()
        if summary.start_ns is None and summary.end_ns is None:
            return lo is None and hi is None  # undated spans match only an open window
        first = summary.start_ns if summary.start_ns is not None else summary.end_ns
        last = summary.end_ns if summary.end_ns is not None else summary.start_ns
        assert first is not None and last is not None
        return (hi is None or first <= hi) and (lo is None or last >= lo)

    def summary(self, path: Path) -> FileSummary | None:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        result = _summarize(path)
        if result is None:
            self.warnings.append(f"{path.name}: not a readable trace file on its own; skipped")
        with self._lock:
            self._cache[key] = result
        return result


def _summarize(path: Path) -> FileSummary | None:
    try:
        traces = load_traces([path])
    except BadInput as exc:
        structlog.get_logger().bind(source="trace-directory").info("trace_file_skipped", file=str(path), why=exc.problem)
        return None
    spans = [s for t in traces for s in t.spans]
    starts = [s.start_ns for s in spans if s.start_ns is not None]
    ends = [s.end_ns or s.start_ns for s in spans if (s.end_ns or s.start_ns) is not None]
    return FileSummary(
        start_ns=min(starts) if starts else None,
        end_ns=max(e for e in ends if e is not None) if ends else None,
        sessions=frozenset(s.session_id for s in spans if s.session_id),
        spans=len(spans),
    )
