"""Traces from the Langfuse public API (spec/formats.md §6).

`GET /api/public/traces` (numbered pages) lists the traces of the incident window — narrowed to
a session when one is asked for — and `GET /api/public/v2/observations?traceId=…` (cursor pages)
gives each trace's observations. v2 returns `input`/`output` as JSON strings; they are decoded
here and each trace is written as a trace-detail file (`{…trace, "observations": [...]}`), the
shape the Langfuse reader takes without guessing. Auth is HTTP basic: public key : secret key.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import orjson

from tools.sources.base import JsonApi, Sleep, SourceError, TraceQuery, iso_z, write_json

DEFAULT_BASE_URL = "https://cloud.langfuse.com"
# v2 sends only core+basic unless asked; these are the groups a draft cites.
_FIELDS = "core,basic,time,io,metadata,model,usage,prompt,metrics"
_SAFE_RE = re.compile(r"[^A-Za-z0-9_.-]+")


class LangfuseTraceSource:
    name = "langfuse"

    def __init__(self, public_key: str, secret_key: str, *, base_url: str = DEFAULT_BASE_URL,
                 environment: str | None = None, max_traces: int = 200, sleep: Sleep | None = None) -> None:
        kwargs: dict[str, Any] = {"auth": (public_key, secret_key)}
        if sleep is not None:
            kwargs["sleep"] = sleep
        self.api = JsonApi("langfuse", base_url, **kwargs)
        self.environment = environment
        self.max_traces = max_traces
        self.warnings: list[str] = []

    def fetch(self, query: TraceQuery, dest: Path) -> list[Path]:
        written: list[Path] = []
        for trace in self._traces(query):
            trace_id = trace.get("id")
            if not isinstance(trace_id, str):
                continue
            detail = {**trace, "observations": [_decode_io(o) for o in self._observations(trace_id)]}
            written.append(write_json(dest / f"langfuse-trace-{_SAFE_RE.sub('_', trace_id)}.json", detail))
        return written

    def _traces(self, query: TraceQuery) -> list[dict[str, Any]]:
        lo, hi = query.window()
        params: dict[str, Any] = {
            "fromTimestamp": iso_z(lo) if lo else None, "toTimestamp": iso_z(hi) if hi else None,
            "sessionId": query.session_id, "environment": self.environment, "limit": 100,
        }
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.api.get("/api/public/traces", {**params, "page": page})
            data = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(data, list):
                raise SourceError("langfuse", "/api/public/traces: answer has no 'data' list")
            out.extend(t for t in data if isinstance(t, dict))
            total_pages = (answer.get("meta") or {}).get("totalPages") or 0
            if len(out) >= self.max_traces:
                self.warnings.append(f"more than {self.max_traces} traces in the window; kept the first")
                return out[: self.max_traces]
            if not data or page >= int(total_pages):
                return out
            page += 1

    def _observations(self, trace_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            answer = self.api.get("/api/public/v2/observations",
                                  {"traceId": trace_id, "fields": _FIELDS, "limit": 1000, "cursor": cursor})
            data = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(data, list):
                raise SourceError("langfuse", "/api/public/v2/observations: answer has no 'data' list")
            out.extend(o for o in data if isinstance(o, dict))
            cursor = (answer.get("meta") or {}).get("cursor") or None
            if not cursor or not data:
                return out


def _decode_io(obs: dict[str, Any]) -> dict[str, Any]:
    """v2 sends input/output as the JSON text of the value; store the value itself."""
    out = dict(obs)
    for key in ("input", "output"):
        value = out.get(key)
        if isinstance(value, str):
            # Plain text that was never JSON is kept as recorded.
            with contextlib.suppress(orjson.JSONDecodeError):
                out[key] = orjson.loads(value)
    return out
