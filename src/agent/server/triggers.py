"""Provider payloads → a `Trigger`: which incident closed, where its channel is, what is known.

The incident id is the idempotency key of the whole server (and the LangGraph thread id), so
each provider's id is mapped once, here: incident.io's `reference` (INC-88), PagerDuty's
incident number (PD-88), a Slack channel name `inc-2041-…` (INC-2041), or the id typed after
`/postmortem`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, Field

TriggerSource = Literal["slack-command", "slack-event", "pagerduty", "incident-io"]

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SESSION_RE = re.compile(r"^(?:session|conversation|thread)[:=](\S+)$", re.IGNORECASE)
CLOSED_CATEGORIES = frozenset({"learning", "closed"})


class Trigger(BaseModel):
    """One request to draft an incident's postmortem."""

    incident_id: str = Field(description="Incident id; one draft per id.")
    source: TriggerSource = Field(description="Which route accepted it.")
    channel_id: str | None = Field(default=None, description="Slack channel to read and post into.")
    channel_name: str | None = Field(default=None, description="Channel name, when the payload has it.")
    title: str | None = Field(default=None, description="Incident title, when the payload has it.")
    severity: str | None = Field(default=None, description="Severity label.")
    opened_at: str | None = Field(default=None, description="ISO-8601 open time.")
    resolved_at: str | None = Field(default=None, description="ISO-8601 close time.")
    session_id: str | None = Field(default=None, description="Agent session/conversation id to select traces by.")
    requested_by: str | None = Field(default=None, description="Slack user who asked, for slash commands.")
    url: str | None = Field(default=None, description="The incident in its tracker.")


class Ignored(Exception):
    """A well-signed delivery that is not an incident closing (acknowledged, nothing started)."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def incident_from_channel(name: str | None, pattern: str) -> str | None:
    if not name:
        return None
    m = re.search(pattern, name, re.IGNORECASE)
    return f"INC-{m.group(1)}" if m and m.groups() else None


# ---- Slack -------------------------------------------------------------------------------------
def parse_slash_command(body: bytes, channel_pattern: str) -> Trigger:
    """`/postmortem [INC-ID] [session:ID]` → Trigger; Ignored carries the usage text."""
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    incident_id, session_id = None, None
    for word in form.get("text", "").split():
        if m := _SESSION_RE.match(word):
            session_id = m.group(1)
        elif incident_id is None and _ID_RE.match(word):
            incident_id = word.upper() if word[:4].lower() == "inc-" else word
    incident_id = incident_id or incident_from_channel(form.get("channel_name"), channel_pattern)
    if not incident_id:
        raise Ignored("Usage: /postmortem INC-123 [session:ID] — I could not tell the incident from this channel's name.")
    return Trigger(
        incident_id=incident_id, source="slack-command", channel_id=form.get("channel_id") or None,
        channel_name=form.get("channel_name") or None, session_id=session_id,
        requested_by=form.get("user_id") or None, resolved_at=now_iso(),
    )


def parse_slack_event(payload: dict[str, Any], resolved_pattern: str) -> Trigger | str:
    """A message event from a bot saying the incident resolved → Trigger; channel_archive → the
    channel id to look up (its name holds the incident id); anything else → Ignored."""
    event = payload.get("event")
    if not isinstance(event, dict):
        raise Ignored("no event")
    kind = event.get("type")
    if kind in ("channel_archive", "group_archive") and isinstance(event.get("channel"), str):
        return event["channel"]
    if kind == "message" and (event.get("bot_id") or event.get("subtype") == "bot_message"):
        m = re.search(resolved_pattern, str(event.get("text") or ""), re.IGNORECASE)
        if m and isinstance(event.get("channel"), str):
            return Trigger(incident_id=m.group(1).upper(), source="slack-event", channel_id=event["channel"],
                           resolved_at=_event_time(payload))
    raise Ignored(f"event {kind!r} is not an incident closing")


def _event_time(payload: dict[str, Any]) -> str:
    t = payload.get("event_time")
    if isinstance(t, int | float):
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return now_iso()


# ---- PagerDuty V3 ------------------------------------------------------------------------------
def parse_pagerduty(payload: dict[str, Any], channels: dict[str, str]) -> Trigger:
    event = payload.get("event")
    if not isinstance(event, dict) or event.get("event_type") != "incident.resolved":
        raise Ignored(f"PagerDuty event {(event or {}).get('event_type')!r} is not incident.resolved")
    data = event.get("data")
    if not isinstance(data, dict):
        raise Ignored("incident.resolved without data")
    number, pd_id = data.get("number"), data.get("id")
    if number is None and not pd_id:
        raise Ignored("incident.resolved without an incident number or id")
    service = _dict(data.get("service"))
    channel = channels.get(str(service.get("id"))) or channels.get("*")
    return Trigger(
        incident_id=f"PD-{number}" if number is not None else f"PD-{pd_id}", source="pagerduty",
        channel_id=channel, title=_str(data.get("title")), opened_at=_str(data.get("created_at")),
        resolved_at=_str(event.get("occurred_at")) or now_iso(), url=_str(data.get("html_url")),
        severity=_str((data.get("priority") or {}).get("summary")) if isinstance(data.get("priority"), dict) else None,
    )


# ---- incident.io (Svix) --------------------------------------------------------------------------
def parse_incident_io(payload: dict[str, Any]) -> Trigger:
    event_type = payload.get("event_type")
    body = payload.get(event_type) if isinstance(event_type, str) else None
    if not isinstance(body, dict) or not str(event_type).endswith("incident_status_updated_v2"):
        raise Ignored(f"incident.io event {event_type!r} is not a status change")
    incident = _dict(body.get("incident"))
    new_status = _dict(body.get("new_status"))
    if new_status.get("category") not in CLOSED_CATEGORIES:
        raise Ignored(f"status moved to {new_status.get('category')!r}, not learning/closed")
    ident = _str(incident.get("reference")) or _str(incident.get("id"))
    if not ident:
        raise Ignored("private incident or no id in the payload; nothing to draft from")
    severity = incident.get("severity")
    return Trigger(
        incident_id=ident, source="incident-io", channel_id=_str(incident.get("slack_channel_id")),
        channel_name=_str(incident.get("slack_channel_name")), title=_str(incident.get("name")),
        severity=_str(severity.get("name")) if isinstance(severity, dict) else None,
        opened_at=_str(incident.get("created_at")), resolved_at=_str(incident.get("updated_at")) or now_iso(),
        url=_str(incident.get("permalink")),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value).strip() else None
