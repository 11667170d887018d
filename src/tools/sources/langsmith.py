"""Traces from the LangSmith API (spec/formats.md §5): `POST /api/v1/runs/query`, `x-api-key`.

Runs of one project (a "session" in the API) started inside the incident window, cursor-paged.
A session/conversation id is matched against the thread keys in `extra.metadata` (the run-level
`session_id` is the project, not a conversation): traces with a matching run are kept, and when
no run records a thread key at all the window alone decides. Written as one `{"runs": [...]}`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tools.sources.base import JsonApi, Sleep, SourceError, TraceQuery, iso_z, write_json

DEFAULT_BASE_URL = "https://api.smith.langchain.com"
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_THREAD_KEYS = ("session_id", "thread_id", "conversation_id")


class LangSmithTraceSource:
    name = "langsmith"

    def __init__(self, api_key: str, project: str, *, base_url: str = DEFAULT_BASE_URL,
                 max_runs: int = 20_000, sleep: Sleep | None = None) -> None:
        kwargs: dict[str, Any] = {"headers": {"x-api-key": api_key}}
        if sleep is not None:
            kwargs["sleep"] = sleep
        self.api = JsonApi("langsmith", base_url, **kwargs)
        self.project = project
        self.max_runs = max_runs
        self.warnings: list[str] = []

    def fetch(self, query: TraceQuery, dest: Path) -> list[Path]:
        runs = self._runs(self._project_id(), query)
        if query.session_id:
            runs = _in_session(runs, query.session_id)
        if not runs:
            return []
        return [write_json(dest / "langsmith-runs.json", {"runs": runs})]

    def _project_id(self) -> str:
        if _UUID_RE.match(self.project):
            return self.project
        found = self.api.get("/api/v1/sessions", {"name": self.project})
        items = found if isinstance(found, list) else []
        ids = [p.get("id") for p in items if isinstance(p, dict) and p.get("name") == self.project]
        if not ids or not isinstance(ids[0], str):
            raise SourceError("langsmith", f"no project named {self.project!r} (LANGSMITH_PROJECT)")
        return ids[0]

    def _runs(self, project_id: str, query: TraceQuery) -> list[dict[str, Any]]:
        lo, hi = query.window()
        body: dict[str, Any] = {"session": [project_id], "limit": 100}
        if lo:
            body["start_time"] = iso_z(lo)
        if hi:
            body["end_time"] = iso_z(hi)
        runs: list[dict[str, Any]] = []
        while True:
            answer = self.api.post("/api/v1/runs/query", body)
            page = answer.get("runs") if isinstance(answer, dict) else None
            if not isinstance(page, list):
                raise SourceError("langsmith", "/api/v1/runs/query: answer has no 'runs' list")
            runs.extend(r for r in page if isinstance(r, dict))
            cursor = (answer.get("cursors") or {}).get("next")
            if len(runs) >= self.max_runs:
                self.warnings.append(f"more than {self.max_runs} runs in the window; kept the first")
                return runs[: self.max_runs]
            if not cursor or not page:
                return runs
            body["cursor"] = cursor


def _thread_of(run: dict[str, Any]) -> str | None:
    meta = (run.get("extra") or {}).get("metadata") if isinstance(run.get("extra"), dict) else None
    for key in _THREAD_KEYS:
        value = meta.get(key) if isinstance(meta, dict) else None
        if isinstance(value, str) and value:
            return value
    value = run.get("thread_id")
    return value if isinstance(value, str) and value else None


def _in_session(runs: list[dict[str, Any]], session_id: str) -> list[dict[str, Any]]:
    if not any(_thread_of(r) for r in runs):
        return runs  # the project records no conversation ids: the window decides
    # A trace is kept whole: its child runs rarely repeat the thread key of the root.
    keep = {_trace_of(r) for r in runs if _thread_of(r) == session_id}
    return [r for r in runs if _trace_of(r) in keep]


def _trace_of(run: dict[str, Any]) -> str:
    return str(run.get("trace_id") or run.get("id"))
