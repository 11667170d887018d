"""LLM engine settings, from the environment (and from keyword overrides, e.g. CLI options).

OpenAI-compatible endpoints (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM…) take
OPENAI_BASE_URL / OPENAI_API_KEY / PMDRAFT_LLM_MODEL. Azure OpenAI takes AZURE_OPENAI_ENDPOINT,
AZURE_OPENAI_API_KEY (or AZURE_OPENAI_AD_TOKEN), OPENAI_API_VERSION and the deployment name
(AZURE_OPENAI_DEPLOYMENT, else PMDRAFT_LLM_MODEL). The rest are the engine's own knobs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator

from tools.errors import BadInput

Provider = Literal["openai", "azure"]
StructuredMode = Literal["auto", "json_schema", "json_object", "text"]
JudgeMode = Literal["lexical", "llm"]

# env var → field. Kept explicit (no pydantic-settings dependency): this table is the documentation.
ENV: dict[str, str] = {
    "PMDRAFT_LLM_PROVIDER": "provider",
    "OPENAI_BASE_URL": "base_url",
    "OPENAI_API_KEY": "api_key",
    "PMDRAFT_LLM_MODEL": "model",
    "PMDRAFT_LLM_TIMEOUT": "timeout_s",
    "PMDRAFT_LLM_MAX_CONCURRENCY": "max_concurrency",
    "PMDRAFT_LLM_TOKEN_BUDGET": "token_budget",
    "PMDRAFT_LLM_MAX_OUTPUT_TOKENS": "max_output_tokens",
    "PMDRAFT_LLM_RETRIES": "retries",
    "PMDRAFT_LLM_BACKOFF_S": "backoff_base_s",
    "PMDRAFT_LLM_BACKOFF_MAX_S": "backoff_max_s",
    "PMDRAFT_LLM_TEMPERATURE": "temperature",
    "PMDRAFT_LLM_STRUCTURED": "structured",
    "PMDRAFT_REPLAY_JUDGE": "replay_judge",
    "PMDRAFT_REPLAY_MODEL": "replay_model",
    "PMDRAFT_REPLAY_TEMPERATURE": "replay_temperature",
    "AZURE_OPENAI_ENDPOINT": "azure_endpoint",
    "AZURE_OPENAI_API_KEY": "azure_api_key",
    "AZURE_OPENAI_AD_TOKEN": "azure_ad_token",
    "AZURE_OPENAI_DEPLOYMENT": "azure_deployment",
    "OPENAI_API_VERSION": "azure_api_version",
}
DEFAULT_AZURE_API_VERSION = "2024-10-21"


class LLMSettings(BaseModel):
    """Everything the LLM engine needs to reach a model and to stay within its limits."""

    provider: Provider = Field(
        default="openai", description="openai (any OpenAI-compatible endpoint) or azure (Azure OpenAI)."
    )
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1; unset = api.openai.com."
    )
    api_key: SecretStr | None = Field(default=None, description="API key; local servers accept any value.")
    model: str | None = Field(default=None, description="Model name sent with every request (Azure: deployment).")
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout in seconds.")
    max_concurrency: int = Field(default=4, ge=1, le=64, description="Requests in flight at once (replays).")
    token_budget: int = Field(
        default=16_000, ge=2_000, description="Upper bound on each request's prompt tokens (cl100k count)."
    )
    max_output_tokens: int = Field(default=1_500, ge=64, description="Completion tokens asked for per request.")
    retries: int = Field(default=2, ge=0, le=8, description="Retries after a timeout, 429 or 5xx (bounded backoff).")
    backoff_base_s: float = Field(default=0.5, ge=0, description="First backoff delay; doubles per retry.")
    backoff_max_s: float = Field(default=8.0, ge=0, description="Cap on one backoff delay (also on Retry-After).")
    temperature: float | None = Field(default=0.0, description="Sampling temperature; None leaves the server default.")
    structured: StructuredMode = Field(
        default="auto",
        description="auto: json_schema, falling back to json_object then plain text when the server rejects it.",
    )
    replay_judge: JudgeMode = Field(
        default="lexical", description="How replays are classified: lexical comparison, or a judge prompt (llm)."
    )
    replay_model: str | None = Field(
        default=None, description="Model that replays the decision point (default: the drafter's model)."
    )
    replay_temperature: float | None = Field(
        default=None, description="Replay temperature; default: the one recorded on the span, else 1.0."
    )
    azure_endpoint: str | None = Field(default=None, description="https://<resource>.openai.azure.com")
    azure_api_key: SecretStr | None = Field(default=None, description="Azure OpenAI key.")
    azure_ad_token: SecretStr | None = Field(default=None, description="Entra ID token instead of a key.")
    azure_deployment: str | None = Field(default=None, description="Azure deployment name.")
    azure_api_version: str = Field(default=DEFAULT_AZURE_API_VERSION, description="Azure OpenAI API version.")

    @field_validator("base_url", "azure_endpoint")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urlparse(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _complete(self) -> LLMSettings:
        if self.provider == "azure":
            if not self.azure_endpoint:
                raise ValueError("AZURE_OPENAI_ENDPOINT is required for the azure provider")
            if not (self.azure_deployment or self.model):
                raise ValueError("set AZURE_OPENAI_DEPLOYMENT (or PMDRAFT_LLM_MODEL) to the deployment name")
            if not (self.azure_api_key or self.azure_ad_token):
                raise ValueError("set AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN")
            return self
        if not self.model:
            raise ValueError("PMDRAFT_LLM_MODEL is not set (the model name to request, e.g. gpt-4o-mini)")
        if self.base_url is None and self.api_key is None:
            raise ValueError("OPENAI_API_KEY is not set (or point OPENAI_BASE_URL at a local server)")
        return self

    @property
    def model_name(self) -> str:
        return (self.azure_deployment or self.model or "") if self.provider == "azure" else (self.model or "")

    @property
    def endpoint(self) -> str:
        """Where requests go, for messages and provenance (never includes a key)."""
        if self.provider == "azure":
            return self.azure_endpoint or ""
        return self.base_url or "https://api.openai.com/v1"


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> LLMSettings:
    """Settings from `env` (default: os.environ) with keyword overrides; bad values → BadInput."""
    source = os.environ if env is None else env
    values: dict[str, Any] = {}
    for var, name in ENV.items():
        raw = source.get(var)
        if raw is not None and raw.strip() != "":
            values[name] = raw.strip()
    if "provider" not in values and source.get("AZURE_OPENAI_ENDPOINT") and not source.get("OPENAI_BASE_URL"):
        values["provider"] = "azure"
    if str(values.get("temperature", "")).lower() == "none":
        values["temperature"] = None
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return LLMSettings.model_validate(values)
    except ValidationError as exc:
        raise BadInput("LLM configuration", _first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err.get("loc", ()))
    var = next((v for v, f in ENV.items() if f == field), field)
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{var}: {msg}" if var else msg
