"""The model client: one small interface over the official `openai` SDK.

`ModelClient.complete(messages, schema)` returns a validated pydantic answer and the usage of
every HTTP call it took. Around the SDK (whose own retries are off) it adds what the drafter
needs from any OpenAI-compatible server:

- structured output: `response_format: json_schema`; when the server rejects it (llama.cpp
  answers HTTP 500), `json_object` with the schema in the system message; when that is rejected
  too, plain text. The downgrade sticks for the rest of the run, so it costs one request;
- tolerant reading of the answer, and one retry of an invalid answer with the error shown;
- 429 / 5xx / timeouts / dropped connections / malformed bodies: bounded exponential backoff
  with jitter (Retry-After honoured, capped), then `EndpointUnavailable`;
- a breaker: once the endpoint is unreachable (connection refused, DNS), later calls in the run
  fail at once instead of each node waiting through its own retries;
- request parameters some models refuse (`max_tokens`, `temperature`) are renegotiated once;
- a prompt over the token budget is refused before it is sent.
Prompt bodies are never logged: only sizes, modes, statuses and timings.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar

import openai
from pydantic import BaseModel, Field

from agent.llm.config import LLMSettings
from agent.llm.structured import AnswerError, feedback, inline_schema, parse_answer, schema_instruction
from agent.logging import get_logger
from tools.budget import clip_to_tokens, count_messages, count_tokens

M = TypeVar("M", bound=BaseModel)
Message = dict[str, str]
Mode = Literal["json_schema", "json_object", "text"]
_NEXT_MODE: dict[str, Mode] = {"json_schema": "json_object", "json_object": "text"}
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
# Statuses with which a server says "I don't do json_schema" (llama.cpp: 500; others 400/422/501).
SCHEMA_REJECT_STATUS = frozenset({400, 422, 500, 501})
FORMAT_WORDS = ("response_format", "json_schema", "json_object", "schema", "grammar")
FEEDBACK_RESERVE = 120  # tokens of the validation-retry message, beside the echoed answer


class LLMError(Exception):
    """A model call that produced nothing usable. Nodes degrade to offline on any of these.

    `usage` holds the calls made before giving up, so their tokens can still be accounted for.
    """

    usage: Usage | None = None


class EndpointUnavailable(LLMError):
    """Timeouts, 429/5xx or connection failures outlasted the retries."""


class RequestRejected(LLMError):
    """The server refused the request itself (auth, unknown model, bad parameter)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message[:200]}")
        self.status = status
        self.message = message


class InvalidAnswer(LLMError):
    """The answer was not valid JSON for the schema, even after one retry with the error shown."""


class PromptTooLarge(LLMError):
    """The prompt is over the token budget (callers select evidence so that this does not happen)."""


class CallRecord(BaseModel):
    """One HTTP request: its token counts and what came of it."""

    prompt_tokens: int = Field(default=0, description="Prompt tokens (server-reported, else cl100k count).")
    completion_tokens: int = Field(default=0, description="Completion tokens (server-reported, else counted).")
    estimated: bool = Field(default=False, description="The server reported no usage; tokens were counted here.")
    mode: str = Field(default="text", description="json_schema | json_object | text.")
    outcome: str = Field(default="ok", description="ok | invalid | rejected | retryable | error.")
    latency_ms: int = Field(default=0, description="Wall time of the request.")


class Usage(BaseModel):
    """The calls one `complete`/`chat` took (retries and fallbacks included)."""

    calls: list[CallRecord] = Field(default_factory=list, description="Every request made, in order.")

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)

    def extend(self, other: Usage) -> None:
        self.calls.extend(other.calls)


class ModelClient(Protocol):
    """What the refiners and replays need from a model."""

    model: str
    token_budget: int

    def complete(self, messages: list[Message], schema: type[M], *, name: str, log: Any = None) -> tuple[M, Usage]:
        """A validated answer of type `schema`; raises LLMError when nothing usable came back."""
        ...

    def chat(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None,
        model: str | None = None, log: Any = None,
    ) -> tuple[str, Usage]:
        """Free text (behavior-rate replays), optionally at another temperature or model."""
        ...


class _Reply(BaseModel):
    content: str | None
    finish_reason: str | None = None


class _SchemaRejected(Exception):
    """Internal: the server refused this structured-output mode."""


class OpenAIModelClient:
    """`ModelClient` over `openai.OpenAI` / `openai.AzureOpenAI`."""

    def __init__(self, settings: LLMSettings, sdk: Any = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.model = settings.model_name
        self.token_budget = settings.token_budget
        self._sdk = sdk or build_sdk_client(settings)
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)
        self._lock = threading.Lock()
        self._mode: Mode = "json_schema" if settings.structured == "auto" else settings.structured
        self._max_tokens_param = "max_tokens"
        self._temperature_ok = True  # False once the model refused a temperature
        self._unreachable: str | None = None

    @property
    def mode(self) -> Mode:
        return self._mode

    # ---- the interface ---------------------------------------------------------------------
    def complete(self, messages: list[Message], schema: type[M], *, name: str, log: Any = None) -> tuple[M, Usage]:
        usage = Usage()
        try:
            return self._complete(messages, schema, name, log or get_logger(node=name), usage)
        except LLMError as exc:
            exc.usage = usage
            raise

    def _complete(self, messages: list[Message], schema: type[M], name: str, log: Any, usage: Usage) -> tuple[M, Usage]:
        mode = self._mode
        convo = _with_schema(messages, schema, mode)
        retried_invalid = False
        while True:
            self._check_budget(convo, schema if mode == "json_schema" else None)
            try:
                reply = self._send(convo, usage, log, mode=mode, schema=schema, name=name)
            except _SchemaRejected:
                mode = self._downgrade(mode, log)
                convo = _with_schema(messages, schema, mode)
                continue
            try:
                answer = _parse(reply, schema)
            except AnswerError as err:
                usage.calls[-1].outcome = "invalid"
                log.info("llm_answer_invalid", mode=mode, retried=retried_invalid, error=str(err)[:200])
                if retried_invalid:
                    raise InvalidAnswer(f"{name}: {err}") from None
                retried_invalid = True
                convo = self._retry_convo(_with_schema(messages, schema, mode), reply, err, schema)
                continue
            return answer, usage

    def chat(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None,
        model: str | None = None, log: Any = None,
    ) -> tuple[str, Usage]:
        log = log or get_logger(node="chat")
        usage = Usage()
        self._check_budget(messages, None)
        overrides: dict[str, Any] = {"model": model} if model else {}
        if temperature is not None:
            overrides["temperature"] = temperature
        reply = self._send(messages, usage, log, mode="text", schema=None, name="chat", max_tokens=max_tokens,
                           overrides=overrides)
        return reply.content or "", usage

    # ---- structured-output negotiation ------------------------------------------------------
    def _downgrade(self, mode: Mode, log: Any) -> Mode:
        nxt = _NEXT_MODE.get(mode)
        if nxt is None:
            raise RequestRejected(400, "the server rejected a plain request")
        with self._lock:
            if self._mode == mode:
                self._mode = nxt
        log.warning("llm_structured_mode_downgraded", from_mode=mode, to_mode=nxt)
        return nxt

    def _retry_convo(self, base: list[Message], reply: _Reply, err: AnswerError, schema: type[BaseModel]) -> list[Message]:
        """The conversation for the one validation retry: the bad answer (clipped to what the
        budget leaves) and what was wrong with it."""
        note = {"role": "user", "content": feedback(err)}
        room = self.token_budget - count_messages([*base, note]) - _schema_tokens(schema) - FEEDBACK_RESERVE
        # (the schema is counted even when it is already in `base`: a little slack, never an overrun)
        echoed = clip_to_tokens(reply.content or "", max(room, 0))
        if not echoed:
            return [*base, note]
        return [*base, {"role": "assistant", "content": echoed}, note]

    def _check_budget(self, messages: list[Message], schema: type[BaseModel] | None) -> None:
        """`schema` is given when it travels in response_format (otherwise it is in the messages)."""
        tokens = count_messages(messages) + (_schema_tokens(schema) if schema else 0)
        if tokens > self.token_budget:
            raise PromptTooLarge(f"prompt of {tokens} tokens is over the budget of {self.token_budget}")

    # ---- one request, with transport retries ----------------------------------------------------
    def _send(self, messages: list[Message], usage: Usage, log: Any, *, mode: Mode,
              schema: type[BaseModel] | None, name: str, max_tokens: int | None = None,
              overrides: dict[str, Any] | None = None) -> _Reply:
        for _ in range(3):  # at most two parameters to renegotiate
            try:
                return self._send_once(messages, usage, log, mode=mode, schema=schema, name=name,
                                       max_tokens=max_tokens, overrides=overrides or {})
            except _Renegotiated:
                continue
        raise RequestRejected(400, "the server kept rejecting the request parameters")

    def _send_once(self, messages: list[Message], usage: Usage, log: Any, *, mode: Mode,
                   schema: type[BaseModel] | None, name: str, max_tokens: int | None,
                   overrides: dict[str, Any]) -> _Reply:
        last = "no attempt"
        for attempt in range(self.settings.retries + 1):
            if self._unreachable:
                raise EndpointUnavailable(f"endpoint unreachable earlier in this run ({self._unreachable})")
            payload = self._payload(messages, mode, schema, name, max_tokens, overrides)
            record = CallRecord(mode=mode, prompt_tokens=count_messages(messages), estimated=True)
            t0 = time.monotonic()
            try:
                with self._slots:
                    resp = self._sdk.chat.completions.create(**payload)
                record.latency_ms = int((time.monotonic() - t0) * 1000)
                reply = self._read(resp, record)
                usage.calls.append(record)
                log.info("llm_call", mode=mode, outcome="ok", prompt_tokens=record.prompt_tokens,
                         completion_tokens=record.completion_tokens, latency_ms=record.latency_ms)
                return reply
            except openai.APIStatusError as exc:
                record.latency_ms = int((time.monotonic() - t0) * 1000)
                usage.calls.append(record)
                self._on_status(exc, record, mode, log)  # raises unless the status is retryable
                last = f"HTTP {exc.status_code}"
                delay = self._delay(attempt, exc)
            except openai.APIConnectionError as exc:  # includes APITimeoutError
                record.outcome, record.latency_ms = "retryable", int((time.monotonic() - t0) * 1000)
                usage.calls.append(record)
                timeout = isinstance(exc, openai.APITimeoutError)
                last = "timeout" if timeout else f"connection error ({_cause(exc)})"
                if not timeout and attempt == self.settings.retries:
                    self._unreachable = last
                delay = self._delay(attempt, None)
            except (ValueError, TypeError, AttributeError) as exc:  # a body that is not a completion
                record.outcome, record.latency_ms = "retryable", int((time.monotonic() - t0) * 1000)
                usage.calls.append(record)
                last = f"malformed response ({type(exc).__name__})"
                delay = self._delay(attempt, None)
            if attempt < self.settings.retries:
                log.warning("llm_retry", reason=last, attempt=attempt + 1, delay_s=round(delay, 2))
                self._sleep(delay)
        raise EndpointUnavailable(f"{last} after {self.settings.retries + 1} attempts")

    def _payload(self, messages: list[Message], mode: Mode, schema: type[BaseModel] | None, name: str,
                 max_tokens: int | None, overrides: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": overrides.get("model", self.model), "messages": messages}
        payload[self._max_tokens_param] = max_tokens or self.settings.max_output_tokens
        temperature = overrides.get("temperature", self.settings.temperature)
        if temperature is not None and self._temperature_ok:
            payload["temperature"] = temperature
        if schema is not None and mode == "json_schema":
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": inline_schema(schema), "strict": False},
            }
        elif schema is not None and mode == "json_object":
            payload["response_format"] = {"type": "json_object"}
        return payload

    def _read(self, resp: Any, record: CallRecord) -> _Reply:
        choices = getattr(resp, "choices", None)
        if not choices:
            raise ValueError("no choices in the response")
        msg = choices[0].message
        reply = _Reply(content=getattr(msg, "content", None), finish_reason=choices[0].finish_reason)
        usage = getattr(resp, "usage", None)
        if usage is not None and getattr(usage, "prompt_tokens", None) is not None:
            record.prompt_tokens = int(usage.prompt_tokens)
            record.completion_tokens = int(usage.completion_tokens or 0)
            record.estimated = False
        else:
            record.completion_tokens = count_tokens(reply.content or "")
        return reply

    def _on_status(self, exc: openai.APIStatusError, record: CallRecord, mode: Mode, log: Any) -> None:
        status = exc.status_code
        message = _message(exc)
        low = message.lower()
        if mode != "text" and status in SCHEMA_REJECT_STATUS and (
            mode == "json_schema" or any(w in low for w in FORMAT_WORDS)
        ):
            record.outcome = "rejected"
            log.warning("llm_structured_mode_rejected", mode=mode, status=status)
            raise _SchemaRejected()
        if status == 400 and self._renegotiate(low, log):
            record.outcome = "rejected"
            raise _Renegotiated()
        if status in RETRYABLE_STATUS or status >= 500:
            record.outcome = "retryable"
            return
        record.outcome = "rejected"
        log.warning("llm_request_rejected", status=status)
        raise RequestRejected(status, message)

    def _renegotiate(self, low: str, log: Any) -> bool:
        """Newer OpenAI models refuse `max_tokens` and non-default temperatures: adapt once."""
        if "max_tokens" in low and self._max_tokens_param == "max_tokens":
            self._max_tokens_param = "max_completion_tokens"
        elif "temperature" in low and self._temperature_ok:
            self._temperature_ok = False
        else:
            return False
        log.warning("llm_parameters_renegotiated", max_tokens_param=self._max_tokens_param,
                    temperature=self._temperature_ok)
        return True

    def _delay(self, attempt: int, exc: openai.APIStatusError | None) -> float:
        cap = self.settings.backoff_max_s
        hinted = _retry_after(exc) if exc is not None else None
        if hinted is not None:
            return min(hinted, cap)
        base = self.settings.backoff_base_s * (2**attempt)
        return min(cap, base * (0.5 + random.random() / 2))  # jitter: replays must not retry in lockstep


class _Renegotiated(Exception):
    """Internal: a request parameter was adapted; send again at once."""


def _with_schema(messages: list[Message], schema: type[BaseModel], mode: Mode) -> list[Message]:
    if mode == "json_schema":
        return list(messages)
    out = [dict(m) for m in messages]
    if out and out[0]["role"] == "system":
        out[0]["content"] += schema_instruction(schema)
    else:
        out.insert(0, {"role": "system", "content": schema_instruction(schema).strip()})
    return out


def _schema_tokens(schema: type[BaseModel]) -> int:
    # Counted whatever the mode: json_schema sends it in response_format, the others in the prompt.
    return count_tokens(schema_instruction(schema))


def _parse(reply: _Reply, schema: type[M]) -> M:
    if reply.finish_reason == "length":
        try:
            return parse_answer(reply.content, schema)
        except AnswerError:
            raise AnswerError("the answer was cut off at the token limit; answer more briefly") from None
    return parse_answer(reply.content, schema)


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(exc.message or "")


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers if exc.response is not None else {}
    for key, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(key)
        if raw is None:
            continue
        try:
            return max(float(raw) * scale, 0.0)
        except ValueError:
            return None
    return None


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause else type(exc).__name__


def build_sdk_client(settings: LLMSettings) -> Any:
    """The official SDK client; its own retries are off (ours distinguish more cases)."""
    timeout = openai.Timeout(settings.timeout_s, connect=min(settings.timeout_s, 10.0))
    if settings.provider == "azure":
        assert settings.azure_endpoint is not None
        return openai.AzureOpenAI(
            azure_endpoint=settings.azure_endpoint,
            azure_deployment=settings.azure_deployment or settings.model,
            api_version=settings.azure_api_version,
            api_key=settings.azure_api_key.get_secret_value() if settings.azure_api_key else None,
            azure_ad_token=settings.azure_ad_token.get_secret_value() if settings.azure_ad_token else None,
            timeout=timeout,
            max_retries=0,
        )
    # Local servers (llama.cpp, Ollama, vLLM) ignore the key but the SDK insists on one.
    key = settings.api_key.get_secret_value() if settings.api_key else "unused"
    return openai.OpenAI(api_key=key, base_url=settings.base_url, timeout=timeout, max_retries=0)
