"""Server configuration: environment variables (names in each field's alias), overridable in code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from agent.runner import default_db


def _state_dir() -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "pmdraft" / "server"


class ServerSettings(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    db: str = Field(default_factory=default_db, alias="PMDRAFT_DB",
                    description="Checkpoint DB: a SQLite path or a postgresql:// URL; the job table lives there too.")
    data_dir: Path = Field(default_factory=_state_dir, alias="PMDRAFT_DATA_DIR",
                           description="Where fetched bundles (bundles/ID) and drafts (drafts/ID) are written.")
    public_url: str = Field(default="http://127.0.0.1:8080", alias="PMDRAFT_PUBLIC_URL",
                            description="Base URL reviewers reach this server at (used in the Slack link).")
    review_token: SecretStr | None = Field(default=None, alias="PMDRAFT_REVIEW_TOKEN",
                                           description="Token for the review pages; unset = pages refuse everyone.")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET",
                                                   description="Slack app signing secret (v0 signatures).")
    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN",
                                              description="xoxb- token: read the channel, post the headline.")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL",
                               description="Slack Web API base URL (a test server in tests).")
    pagerduty_secret: SecretStr | None = Field(default=None, alias="PAGERDUTY_WEBHOOK_SECRET",
                                               description="PagerDuty V3 webhook subscription secret.")
    incident_io_secret: SecretStr | None = Field(default=None, alias="INCIDENT_IO_WEBHOOK_SECRET",
                                                 description="incident.io webhook signing secret (whsec_…).")
    pagerduty_channels: dict[str, str] = Field(
        default_factory=dict, alias="PMDRAFT_PAGERDUTY_CHANNELS",
        description='JSON: PagerDuty service id → Slack channel id, "*" for any service (PagerDuty sends no channel).')
    channel_pattern: str = Field(
        default=r"^inc[-_]?(\d+)", alias="PMDRAFT_CHANNEL_PATTERN",
        description="Regex on a channel name whose group 1 is the incident number (→ INC-<n>).")
    resolved_pattern: str = Field(
        default=r"\b(INC-\d+)\b[^\n]{0,40}\bresolved\b", alias="PMDRAFT_RESOLVED_PATTERN",
        description="Regex on an incident bot's message marking resolution; group 1 is the incident id.")
    trace_source: Literal["none", "directory", "langfuse", "langsmith"] | None = Field(
        default=None, alias="PMDRAFT_TRACE_SOURCE",
        description="Where traces come from; default: directory when PMDRAFT_TRACE_DIR is set, else none.")
    trace_dir: Path | None = Field(default=None, alias="PMDRAFT_TRACE_DIR",
                                   description="Directory of exported trace files.")
    trace_margin_s: float = Field(default=900.0, alias="PMDRAFT_TRACE_MARGIN_S",
                                  description="Seconds of traces taken before the incident opened and after it closed.")
    langfuse_host: str = Field(default="https://cloud.langfuse.com", alias="LANGFUSE_HOST",
                               description="Langfuse base URL.")
    langfuse_public_key: str | None = Field(default=None, alias="LANGFUSE_PUBLIC_KEY", description="pk-lf-…")
    langfuse_secret_key: SecretStr | None = Field(default=None, alias="LANGFUSE_SECRET_KEY", description="sk-lf-…")
    langsmith_endpoint: str = Field(default="https://api.smith.langchain.com", alias="LANGSMITH_ENDPOINT",
                                    description="LangSmith API base URL.")
    langsmith_api_key: SecretStr | None = Field(default=None, alias="LANGSMITH_API_KEY", description="LangSmith key.")
    langsmith_project: str | None = Field(default=None, alias="LANGSMITH_PROJECT",
                                          description="LangSmith project name or id.")
    engine: Literal["offline", "llm"] = Field(default="offline", alias="PMDRAFT_ENGINE",
                                              description="Drafting engine.")
    workers: int = Field(default=2, ge=1, le=32, alias="PMDRAFT_WORKERS",
                         description="Background drafting threads in this process.")
    max_attempts: int = Field(default=3, ge=1, alias="PMDRAFT_MAX_ATTEMPTS",
                              description="Tries per incident before the job is marked failed.")
    retry_backoff_s: float = Field(default=30.0, ge=0, alias="PMDRAFT_RETRY_BACKOFF_S",
                                   description="Wait before a failed job is tried again (doubles each try).")
    job_lease_s: float = Field(default=600.0, gt=0, alias="PMDRAFT_JOB_LEASE_S",
                               description="A running job whose worker stopped renewing this long is taken over.")
    poll_s: float = Field(default=2.0, gt=0, alias="PMDRAFT_POLL_S",
                          description="How often idle workers look for jobs queued by other processes.")
    signature_tolerance_s: int = Field(default=300, alias="PMDRAFT_SIGNATURE_TOLERANCE_S",
                                       description="Replay window for timestamped signatures (Slack, Svix).")

    @field_validator("pagerduty_channels", mode="before")
    @classmethod
    def _json_map(cls, value: Any) -> Any:
        if isinstance(value, str | bytes):
            return orjson.loads(value) if value.strip() else {}
        return value

    @classmethod
    def from_env(cls, **overrides: Any) -> ServerSettings:
        aliases = {f.alias for f in cls.model_fields.values() if f.alias}
        values: dict[str, Any] = {k: v for k, v in os.environ.items() if k in aliases and v != ""}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    def resolved_trace_source(self) -> str:
        if self.trace_source:
            return self.trace_source
        return "directory" if self.trace_dir else "none"

    @staticmethod
    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None and value.get_secret_value() else None
