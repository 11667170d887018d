"""Write a fetched incident as a bundle folder (spec/bundle.md §1): incident.json, chat/, traces/.

The folder is assembled beside its final place and renamed into it, so a reader (or a retried
job) never sees half a bundle.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tools.sources.base import TraceQuery, TraceSource, write_json
from tools.sources.slack import ChannelDump


class IncidentInfo(BaseModel):
    """incident.json as far as the trigger and the channel tell it; unknown fields stay absent."""

    id: str = Field(description="Incident id (also the LangGraph thread id).")
    title: str | None = Field(default=None, description="Incident title.")
    severity: str | None = Field(default=None, description="Severity label.")
    opened_at: str | None = Field(default=None, description="ISO-8601 open time.")
    resolved_at: str | None = Field(default=None, description="ISO-8601 resolve time.")
    channel: str | None = Field(default=None, description="Incident channel name.")
    services: list[str] = Field(default_factory=list, description="Affected services.")
    agents: list[str] = Field(default_factory=list, description="AI agents involved, if known.")
    source: str | None = Field(default=None, description="What triggered the draft (slack, pagerduty, …).")
    channel_id: str | None = Field(default=None, description="Slack channel id.")
    session_id: str | None = Field(default=None, description="Agent session/conversation id, if given.")
    url: str | None = Field(default=None, description="The incident in its tracker, if any.")


def write_bundle(root: Path, info: IncidentInfo, chat: ChannelDump | None,
                 traces: TraceSource | None, query: TraceQuery | None) -> Path:
    """Fetch traces and write everything into `root` (replacing an older bundle of the same incident)."""
    tmp = root.with_name(f".{root.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(parents=True)
    try:
        meta: dict[str, Any] = info.model_dump(exclude_none=True)
        for key in ("services", "agents"):
            if not meta.get(key):
                meta.pop(key, None)
        write_json(tmp / "incident.json", meta)
        if chat is not None:
            chat.write(tmp / "chat")
        (tmp / "traces").mkdir()
        if traces is not None and query is not None:
            traces.fetch(query, tmp / "traces")
        _replace(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return root


def _replace(tmp: Path, root: Path) -> None:
    if root.exists():
        old = root.with_name(f".{root.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(root, old)
        os.replace(tmp, root)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, root)
