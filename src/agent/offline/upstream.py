"""Upstream ("third-party" / "fourth-party") attribution.

When errors concentrate on one provider (and region) and line up with the impact, name the chain
as far as the evidence goes: our service → the provider → the provider's own upstream (its cloud
region, CDN, sub-processor) when the channel or the trace shows it. Say where the evidence stops.

Not upstream: provider errors that retries absorbed while the incident was the agent's own wrong
inference — rate-limit noise is not a cause.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from agent.draft import Dependency, Upstream
from agent.offline.dependencies import endpoint_of
from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.model.trace import Span

_OUTAGE = re.compile(
    r"\b(outage|down|degraded|degradation|brownout|status page|incident on their|their side|overloaded|"
    r"capacity|5\d\d|529|429|timeouts?|timing out|erroring|unavailable|failing|fails|failed)\b",
    re.I,
)
# Words that put the failure in the provider's own upstream (fourth party).
_FOURTH = re.compile(
    r"\b(cdn|edge|pop|points? of presence|their (cloud|hosting|region|datacenter|data cent(er|re)|infrastructure|"
    r"provider|upstream)|cloud (region|provider)|capacity pool|same (capacity|pool|region|cluster)|shares? the same|"
    r"failover region|availability zone|hyperscaler|sub-?processor|aws|gcp|azure)\b",
    re.I,
)
_REGION = re.compile(
    r"\b((?:us|eu|ap|sa|ca|me|af)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
    r"|(?:europe|asia|us)-(?:north|south|east|west|central)\d|[A-Z]{3}-\d{1,2}"
    r"|frankfurt|london|dublin|paris|amsterdam|virginia|ohio|oregon|tokyo|singapore|sydney|mumbai)\b",
    re.I,
)
MIN_ERRORS = 3
MIN_SHARE = 0.6


@dataclass
class ProviderErrors:
    provider: str
    deps: list[Dependency] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(sum(d.errors.values()) for d in self.deps)

    @property
    def calls(self) -> int:
        return sum(d.calls for d in self.deps)


def upstream(
    index: EvidenceIndex, deps: list[Dependency], wrong_decision: Span | None
) -> Upstream | None:
    top = _concentrated(deps)
    if top is None:
        return None
    failed = [s for d in top.deps for ref in d.refs if (s := index.span(ref)) is not None and s.status == "error"]
    talk = _provider_messages(index, top.provider)
    absorbed = _retried_away(index, failed)
    if absorbed and wrong_decision is not None:
        return None  # retried rate limits / blips beside the agent's own wrong inference
    if wrong_decision is not None and not talk:
        return None  # the channel never tied the provider to the incident
    if not talk and not _swallowed(index, failed):
        return None
    return _attribute(index, top, talk, failed)


def _concentrated(deps: list[Dependency]) -> ProviderErrors | None:
    by_provider: dict[str, ProviderErrors] = defaultdict(lambda: ProviderErrors(""))
    for d in deps:
        if d.errors:
            pe = by_provider[d.provider.lower()]
            pe.provider = d.provider
            pe.deps.append(d)
    total = sum(p.errors for p in by_provider.values())
    if not total:
        return None
    top = max(by_provider.values(), key=lambda p: p.errors)
    if top.errors < MIN_ERRORS or top.errors / total < MIN_SHARE:
        return None
    return top


def _retried_away(index: EvidenceIndex, failed: list[Span]) -> bool:
    """Every failed call was followed by a successful call to the same operation within a minute."""
    return bool(failed) and all(_recovered(index, span) for span in failed)


def _recovered(index: EvidenceIndex, span: Span) -> bool:
    start = span.end_ns or span.start_ns or 0
    target = endpoint_of(span)
    for other in index.spans:
        if other is span or other.status == "error" or other.name != span.name or endpoint_of(other) != target:
            continue
        t = other.start_ns or 0
        if start <= t <= start + 60_000_000_000 and (other.parent_id == span.parent_id or other.trace_id == span.trace_id):
            return True
    return False


def _swallowed(index: EvidenceIndex, failed: list[Span]) -> bool:
    """The provider's failures sat under tool spans that reported success: the error was hidden."""
    for span in failed:
        for anc in index.ancestors(span):
            if anc.kind == "tool" and anc.status != "error":
                return True
    return False


def _provider_messages(index: EvidenceIndex, provider: str) -> list[Message]:
    key = provider.lower().split("-")[0].split(".")[0]
    if len(key) < 3:
        return []
    return [m for m in index.human_messages if key in m.text.lower() and _OUTAGE.search(m.text)]


def _attribute(index: EvidenceIndex, top: ProviderErrors, talk: list[Message], failed: list[Span]) -> Upstream:
    regions = [d.region for d in top.deps if d.region and d.errors]
    region = regions[0] if regions else _region_from(talk, failed)
    fourth = _fourth_party(talk, failed)
    tier = "fourth-party" if fourth else "third-party"
    kinds: dict[str, int] = defaultdict(int)
    for d in top.deps:
        for k, v in d.errors.items():
            kinds[k] += v
    err_txt = ", ".join(f"{k}×{v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    first = min((d.first_error_at for d in top.deps if d.first_error_at), default=None)
    last = max((d.last_error_at for d in top.deps if d.last_error_at), default=None)
    where = f" in {', '.join(sorted(set(regions)))}" if len(set(regions)) > 1 else (f" ({region})" if region else "")
    chain = f"our service → {top.provider}{where}"
    if fourth:
        chain += f" → {top.provider}'s own upstream ({fourth})"
        stop = "beyond that layer: not observable from our traces"
    else:
        stop = f"beyond {top.provider}: not observable from our traces"
    failover = " The failover region failed the same way: both regions share the failing capacity." if len(set(regions)) > 1 else ""
    text = (
        f"{top.errors} of {top.calls} calls to {top.provider} failed ({err_txt}) between {first or '?'} and "
        f"{last or '?'}, lining up with the impact. Chain: {chain}; {stop}.{failover}"
    )
    evidence = [s.ref for s in failed[:4]] + [m.ref for m in talk[:3]]
    return Upstream(provider=top.provider, region=region, tier=tier, text=text, evidence=evidence)


def _region_from(talk: list[Message], failed: list[Span]) -> str | None:
    for text in [m.text for m in talk] + [" ".join(str(v) for v in s.attributes.values()) for s in failed]:
        m = _REGION.search(text)
        if m:
            return m.group(1)
    return None


def _fourth_party(talk: list[Message], failed: list[Span]) -> str | None:
    for m in talk:
        hit = _FOURTH.search(m.text)
        if hit:
            return hit.group(0)
    for s in failed:
        blob = " ".join(f"{k} {v}" for k, v in s.attributes.items()).lower()
        if any(h in blob for h in ("x-edge", "cf-ray", "x-cache", "via", "cdn")):
            return "its CDN/edge"
    return None
