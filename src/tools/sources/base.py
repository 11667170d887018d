"""What every source shares: the error type, the trace query, and a JSON-over-HTTP client that
waits out rate limits instead of failing the draft."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson
from pydantic import BaseModel, Field

from tools.errors import BadInput

Sleep = Callable[[float], None]

# A Retry-After longer than this means the source is effectively down for this draft.
MAX_RETRY_AFTER_S = 120.0


class SourceError(BadInput):
    """A source could not be read: unreachable, refused our credentials, or answered nonsense."""


class TraceQuery(BaseModel):
    """Which traces belong to an incident."""

    incident_id: str = Field(description="Incident id (for messages and file names).")
    start: datetime | None = Field(default=None, description="Incident start (UTC); None = unbounded.")
    end: datetime | None = Field(default=None, description="Incident end (UTC); None = unbounded.")
    session_id: str | None = Field(
        default=None, description="Session / conversation / thread id, where the trace format records one."
    )
    margin_s: float = Field(default=900.0, description="Seconds added before start and after end.")

    def window(self) -> tuple[datetime | None, datetime | None]:
        pad = timedelta(seconds=self.margin_s)
        return (self.start - pad if self.start else None, self.end + pad if self.end else None)

    def window_ns(self) -> tuple[int | None, int | None]:
        lo, hi = self.window()
        return (_ns(lo), _ns(hi))


class TraceSource(Protocol):
    name: str

    def fetch(self, query: TraceQuery, dest: Path) -> list[Path]:
        """Write the incident's trace files into `dest`; return the files written."""
        ...


def write_json(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def iso_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _ns(value: datetime | None) -> int | None:
    if value is None:
        return None
    return int(value.timestamp() * 1_000_000) * 1000


def retry_after_seconds(headers: Mapping[str, str], default: float = 1.0) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    raw = headers.get("Retry-After") or headers.get("retry-after")
    if not raw:
        return default
    try:
        return max(0.0, min(float(raw), MAX_RETRY_AFTER_S))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return default
    return max(0.0, min((when - datetime.now(UTC)).total_seconds(), MAX_RETRY_AFTER_S))


class JsonApi:
    """A JSON API at `base_url`: 429/503 waited out per Retry-After, other failures → SourceError."""

    def __init__(self, name: str, base_url: str, *, headers: Mapping[str, str] | None = None,
                 auth: tuple[str, str] | None = None, timeout: float = 30.0, max_retries: int = 5,
                 sleep: Sleep = time.sleep) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, headers=dict(headers or {}), auth=auth,
                                    timeout=timeout)
        self.max_retries = max_retries
        self.sleep = sleep

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return self._request("GET", path, params=clean)

    def post(self, path: str, body: Any) -> Any:
        return self._request("POST", path, json=body)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                resp = self._client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                raise SourceError(self.name, f"cannot reach {self.base_url}{path} ({_reason(exc)})") from None
            if resp.status_code in (429, 503) and attempt < self.max_retries:
                self.sleep(retry_after_seconds(resp.headers))
                continue
            return self._decode(resp, path)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _decode(self, resp: httpx.Response, path: str) -> Any:
        if resp.status_code in (401, 403):
            raise SourceError(self.name, f"{path}: HTTP {resp.status_code}, the credentials were refused")
        if resp.status_code >= 400:
            raise SourceError(self.name, f"{path}: HTTP {resp.status_code} {_snippet(resp.text)}")
        try:
            return resp.json()
        except ValueError:
            raise SourceError(self.name, f"{path}: answer is not JSON ({_snippet(resp.text)})") from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _snippet(text: str) -> str:
    return " ".join(text.split())[:160]
