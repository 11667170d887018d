"""Dependencies: every model and tool endpoint the agent called, with errors and latency.

Provider from `gen_ai.provider.name` / `gen_ai.system` / `llm.provider` (or the host for plain
HTTP calls), endpoint from `server.address` / `url.full`, region from `cloud.region`, a
region-looking part of the host, or a recorded response header. Errors are bucketed by kind
(429, 5xx codes, 529/overloaded, timeout) from status codes, error types and messages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlparse

from agent.draft import Dependency
from agent.offline.what_moved import flatten
from tools.evidence.index import EvidenceIndex
from tools.model.trace import Span, ns_to_datetime

_REGION_RE = re.compile(
    r"\b((?:us|eu|ap|sa|ca|me|af|il|mx)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
    r"|(?:us|europe|asia|australia|southamerica|northamerica)-(?:north|south|east|west|central|northeast|southeast)\d"
    r"|(?:east|west|central|north|south)(?:us|europe|asia|uk)\d?"
    r"|(?:westeurope|northeurope|eastus2?|westus[23]?|centralus|uksouth|ukwest|japaneast|swedencentral))\b",
    re.I,
)
_HOST_KEYS = ("server.address", "net.peer.name", "http.host", "url.full", "http.url", "url", "endpoint", "base_url")
_PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "ls_provider", "provider")
_STATUS_KEYS = ("http.response.status_code", "http.status_code", "status_code", "error.status_code")


@dataclass
class _Acc:
    calls: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    durations: list[float] = field(default_factory=list)
    first_error: int | None = None
    last_error: int | None = None
    refs: list[str] = field(default_factory=list)


def dependencies(index: EvidenceIndex) -> list[Dependency]:
    groups: dict[tuple[str, str | None, str | None], _Acc] = {}
    for s in index.spans:
        attrs = _Attrs(s)  # flattened once for both questions
        key = endpoint_of(s, attrs)
        if key is None:
            continue
        acc = groups.setdefault(key, _Acc())
        acc.calls += 1
        if s.duration_ms is not None:
            acc.durations.append(s.duration_ms)
        kind = error_kind(s, attrs)
        if kind:
            acc.errors[kind] += 1
            t = s.start_ns or 0
            acc.first_error = t if acc.first_error is None else min(acc.first_error, t)
            acc.last_error = t if acc.last_error is None else max(acc.last_error, t)
            if len(acc.refs) < 8:
                acc.refs.append(s.ref)
        elif len(acc.refs) < 2:
            acc.refs.append(s.ref)
    out = [_dep(k, a) for k, a in groups.items()]
    out.sort(key=lambda d: (-sum(d.errors.values()), -d.calls))
    return out


# Names looked up by `_Attrs.get`, by their last dotted part: a key whose last part is none of
# these cannot end with ".<name>" for any of them.
def _by_last_part(names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name in names:
        last = name.rsplit(".", 1)[-1]
        out[last] = (*out.get(last, ()), name)
    return out


_BY_LAST_PART = _by_last_part(_HOST_KEYS + _PROVIDER_KEYS + _STATUS_KEYS)


class _Attrs:
    """A span's flattened attributes, looked up by name, also when nested under a metadata prefix
    ("metadata.server.address"): the first key, in recorded order, that ends with ".<name>"."""

    def __init__(self, s: Span) -> None:
        self.flat: dict[str, object] = dict(flatten(s.attributes))
        self._nested: dict[str, object] | None = None

    def get(self, key: str) -> object | None:
        if key in self.flat:
            return self.flat[key]
        if self._nested is None:
            self._nested = self._index_nested()
        return self._nested.get(key)

    def _index_nested(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for k, v in self.flat.items():
            for name in _BY_LAST_PART.get(k.rsplit(".", 1)[-1], ()):
                if name not in out and k.endswith("." + name):
                    out[name] = v
        return out


def endpoint_of(s: Span, attrs: _Attrs | None = None) -> tuple[str, str | None, str | None] | None:
    a = attrs or _Attrs(s)
    host = None
    for k in _HOST_KEYS:
        v = a.get(k)
        if isinstance(v, str) and v:
            host = urlparse(v).hostname if "://" in v else v.split("/")[0].split(":")[0]
            break
    provider = s.provider
    if not provider:
        for k in _PROVIDER_KEYS:
            v = a.get(k)
            if isinstance(v, str) and v:
                provider = v
                break
    if s.kind == "llm" and not provider and not host:
        provider = "unknown model provider"
    if not provider and not host:
        return None
    if s.kind in ("agent", "guardrail", "handoff") or (s.kind == "chain" and not host):
        return None
    region = _region(a.flat, host)
    return (provider or _provider_from_host(host or ""), host, region)


def _region(attrs: dict[str, object], host: str | None) -> str | None:
    for k, v in attrs.items():
        if (k == "cloud.region" or k.endswith("region")) and isinstance(v, str) and v:
            return v
    for text in [host or ""] + [str(v) for k, v in attrs.items() if "header" in k.lower()]:
        m = _REGION_RE.search(text)
        if m:
            return m.group(1).lower()
    return None


def _provider_from_host(host: str) -> str:
    parts = [p for p in host.split(".") if p and not _REGION_RE.fullmatch(p) and p not in ("api", "www")]
    return parts[-2] if len(parts) >= 2 else (parts[0] if parts else "unknown")


def error_kind(s: Span, attrs: _Attrs | None = None) -> str | None:
    a = attrs or _Attrs(s)
    code = next((v for k in _STATUS_KEYS if (v := a.get(k)) is not None), None)
    text = " ".join(str(x) for x in (s.error, a.flat.get("error.type"), *[e.name for e in s.events]) if x).lower()
    for e in s.events:
        text += " " + " ".join(str(v) for v in e.attributes.values()).lower()
    try:
        code_i = int(str(code)) if code is not None else None
    except ValueError:
        code_i = None
    if code_i is not None and code_i >= 429 and (code_i == 429 or code_i >= 500):
        return str(code_i)
    if s.status != "error" and not any(e.name == "exception" for e in s.events):
        return None
    if "timeout" in text or "timed out" in text or "deadline" in text:
        return "timeout"
    m = re.search(r"\b(429|5\d\d)\b", text)
    if m:
        return m.group(1)
    if "overloaded" in text:
        return "529"
    if "rate limit" in text or "ratelimit" in text:
        return "429"
    return "error" if s.status == "error" else None


def _dep(key: tuple[str, str | None, str | None], a: _Acc) -> Dependency:
    provider, host, region = key
    d = sorted(a.durations)
    return Dependency(
        provider=provider, endpoint=host, region=region, calls=a.calls, errors=dict(a.errors),
        p50_ms=round(_pct(d, 0.5), 1) if d else None, p95_ms=round(_pct(d, 0.95), 1) if d else None,
        first_error_at=_iso(a.first_error), last_error_at=_iso(a.last_error), refs=a.refs,
    )


def _pct(sorted_values: list[float], q: float) -> float:
    i = min(round(q * (len(sorted_values) - 1)), len(sorted_values) - 1)
    return sorted_values[i]


def _iso(ns: int | None) -> str | None:
    dt = ns_to_datetime(ns)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None
