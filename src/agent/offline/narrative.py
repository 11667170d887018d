"""The classic parts of the postmortem: summary, impact, detection, mitigation, timeline.

Times come from incident.json and the merged timeline; impact and mitigation are quoted from the
channel (with refs) rather than paraphrased, so the reviewer can check every line.
"""

from __future__ import annotations

import re
from datetime import datetime

from agent.draft import AgentInference, CorrectInference, RootCause, TimelineEntry
from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.model.incident import IncidentMeta
from tools.model.trace import Span, ns_to_datetime

_IMPACT_RE = re.compile(
    r"\b(customers?|users?|orders?|requests?|sessions?|accounts?|conversations?|tickets?|checkouts?|"
    r"transactions?|revenue|failed|affected|impact\w*|lost|delayed|duplicates?|errors?)\b", re.I
)
_NUMBER_RE = re.compile(r"\d[\d,.]*\s*(%|k\b|m\b)?|\b(all|every|half)\b", re.I)
_MITIGATION_RE = re.compile(
    r"\b(roll(ed|ing)? ?back|revert(ed|ing)?|restor(ed|ing)|restart(ed|ing)|disabl(ed|ing)|renew(ed|ing)|"
    r"block(ed|ing)|purg(ed|ing)|cancel(l?ed|ling)|re-?ran|fixed|deleted|removed|re-?enabled|rotated|paused|"
    r"killed|applied|reindex(ed)?|re-?indexed|turn(ed|ing) off)\b", re.I
)
_ALERT_BOTS = re.compile(r"pagerduty|opsgenie|alertmanager|datadog|grafana|synthetics|alert|monitor|sentry|dlp|recon", re.I)
MAX_TIMELINE = 45


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _fmt(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M UTC") if dt else "not recorded"


def _dur(a: datetime | None, b: datetime | None) -> str | None:
    if not a or not b:
        return None
    mins = int((b - a).total_seconds() // 60)
    return f"{mins // 60}h{mins % 60:02d}m" if mins >= 60 else f"{mins} min"


def impact(index: EvidenceIndex, meta: IncidentMeta, finding: Message | None) -> str:
    opened, resolved = parse_time(meta.opened_at), parse_time(meta.resolved_at)
    first_signal = _first_alert(index)
    lines = []
    d = _dur(opened, resolved)
    lines.append(
        f"Duration: {d} ({_fmt(opened)} → {_fmt(resolved)})." if d
        else f"Duration: not computable (opened {_fmt(opened)}, resolved {_fmt(resolved)})."
    )
    if first_signal is not None and opened is not None:
        lines.append(f"First alert in the channel: {_fmt(first_signal.time)} ({first_signal.ref}).")
    if finding is not None and opened is not None:
        lines.append(f"Time to finding: {_dur(opened, finding.time) or 'n/a'} after opening ({finding.ref}).")
    stated = _impact_statements(index)
    if stated:
        lines.append("Impact as stated in the channel:")
        lines.extend(f"- {m.author}: \u201c{_clip(m.text, 240)}\u201d ({m.ref})" for m in stated)
    else:
        lines.append("Impact: not stated in the channel; fill in from business metrics.")
    return "\n".join(lines)


def _impact_statements(index: EvidenceIndex) -> list[Message]:
    scored = []
    for m in index.human_messages:
        hits = len(_IMPACT_RE.findall(m.text))
        nums = len(_NUMBER_RE.findall(m.text))
        if hits and nums and not m.text.rstrip().endswith("?"):
            scored.append((hits + min(nums, 3), m))
    scored.sort(key=lambda x: -x[0])
    return sorted((m for _, m in scored[:2]), key=lambda m: index.message_ns(m))


def _first_alert(index: EvidenceIndex) -> Message | None:
    for m in index.messages:
        if m.is_bot and _ALERT_BOTS.search(m.author):
            return m
    return index.messages[0] if index.messages else None


def detection(index: EvidenceIndex, meta: IncidentMeta) -> str:
    alert = _first_alert(index)
    if alert is None:
        return f"Incident opened {_fmt(parse_time(meta.opened_at))}; no channel record of how it was detected."
    return f"First signal in the channel: {alert.author} at {_fmt(alert.time)}: \u201c{_clip(alert.text, 200)}\u201d ({alert.ref})."


def mitigation(index: EvidenceIndex, after_ns: int | None) -> str:
    msgs = [m for m in index.messages_after(after_ns) if _MITIGATION_RE.search(m.text) and not m.text.rstrip().endswith("?")]
    if not msgs:
        return "No mitigation steps recorded in the channel."
    return "\n".join(f"- {_fmt(m.time)[11:]} {m.author}: \u201c{_clip(m.text, 200)}\u201d ({m.ref})" for m in msgs[:6])


def summary(meta: IncidentMeta, decision: AgentInference | None, ci: CorrectInference | None, rc: RootCause) -> str:
    parts = [meta.title.rstrip(".") + "." if meta.title else f"Incident {meta.id}."]
    if decision is not None:
        who = decision.agent or "The agent"
        act = f" and acted on it ({decision.action})" if decision.action else ""
        parts.append(f"{who} concluded \u201c{_clip(decision.quote, 200)}\u201d{act}.")
    elif ci is not None and ci.agent_was_right:
        parts.append("The agent's own inference was right; the failure was in what happened to its conclusion.")
    if ci is not None:
        parts.append(f"What was true: {_clip(ci.text, 300)}")
    parts.append(f"Root cause: primarily {rc.primary} (weight {rc.contributions[0].weight:.2f}).")
    return " ".join(parts)


def timeline(
    index: EvidenceIndex, decision_ids: set[str], finding_refs: set[str], key_spans: list[Span]
) -> list[TimelineEntry]:
    """A merged, readable timeline: every human/bot message is kept when the channel is small;
    spans are limited to decisions, consequential calls and errors."""
    entries: list[tuple[int, TimelineEntry]] = []
    for s in key_spans:
        if s.start_ns is None:
            continue
        mark = " [decision]" if s.span_id in decision_ids else ""
        text = _span_line(s)
        entries.append((s.start_ns, TimelineEntry(
            at=_iso(s.start_ns), ref=s.ref, who=s.agent or s.service or "agent", text=text + mark, kind="span",
        )))
    msgs = [m for m in index.messages if m.subtype not in ("channel_join", "channel_leave")]
    if len(msgs) > MAX_TIMELINE - len(entries):
        keep = [m for m in msgs if m.ref in finding_refs or m.is_bot or _MITIGATION_RE.search(m.text)]
        msgs = keep[: max(MAX_TIMELINE - len(entries), 10)]
    for m in msgs:
        mark = " [finding]" if m.ref in finding_refs else ""
        entries.append((index.message_ns(m), TimelineEntry(
            at=_iso(index.message_ns(m)), ref=m.ref, who=m.author, text=_clip(m.text, 160) + mark, kind="chat",
        )))
    entries.sort(key=lambda e: e[0])
    return [e for _, e in entries]


def _span_line(s: Span) -> str:
    if s.kind == "llm":
        calls = ", ".join(c.name for c in s.output_tool_calls)
        out = _clip(s.output_text or "", 110)
        return f"LLM {s.name}: {out}" + (f" → calls {calls}" if calls else "")
    if s.kind == "tool":
        err = f" — ERROR {_clip(s.error or '', 80)}" if s.status == "error" else ""
        return f"tool {s.tool_name or s.name}({_clip(s.tool_args or '', 60)}){err}"
    err = f" — ERROR {_clip(s.error or '', 80)}" if s.status == "error" else ""
    return f"{s.kind} {s.name}{err}"


def _iso(ns: int) -> str | None:
    dt = ns_to_datetime(ns)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
