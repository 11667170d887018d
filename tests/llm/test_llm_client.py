"""The model client against a real HTTP server on loopback: structured-output negotiation,
tolerant parsing, the validation retry, transport faults with backoff, the breaker, the budget."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from pydantic import BaseModel, Field

from agent.llm.client import (
    EndpointUnavailable,
    InvalidAnswer,
    OpenAIModelClient,
    PromptTooLarge,
    RequestRejected,
)
from agent.llm.config import LLMSettings
from fakes.openai_server import OpenAIServer, Reply


class Verdict(BaseModel):
    label: str = Field(description="A label.")
    score: float = Field(description="A score.")


MSGS = [{"role": "system", "content": "Classify."}, {"role": "user", "content": "Data."}]
GOOD = {"label": "ok", "score": 0.5}


def settings(base_url: str, **kw: object) -> LLMSettings:
    values: dict[str, object] = {
        "base_url": base_url, "model": "fake-model", "api_key": "sk-test", "retries": 2,
        "backoff_base_s": 0.01, "backoff_max_s": 0.05, "timeout_s": 2.0,
    }
    values.update(kw)
    return LLMSettings.model_validate(values)


@pytest.fixture
def srv() -> Iterator[OpenAIServer]:
    with OpenAIServer() as s:
        yield s


def client(srv: OpenAIServer, **kw: object) -> OpenAIModelClient:
    return OpenAIModelClient(settings(srv.base_url, **kw))


def test_json_schema_success_records_usage_and_sends_no_tools(srv: OpenAIServer) -> None:
    srv.push(Reply.json_answer(GOOD, prompt_tokens=42, completion_tokens=9))
    answer, usage = client(srv).complete(MSGS, Verdict, name="verdict")
    assert answer == Verdict(**GOOD)
    assert (usage.prompt_tokens, usage.completion_tokens, len(usage.calls)) == (42, 9, 1)
    req = srv.requests[0]
    assert req["response_format"]["type"] == "json_schema"
    assert req["response_format"]["json_schema"]["name"] == "verdict"
    assert "$defs" not in json.dumps(req["response_format"]) and req["model"] == "fake-model"
    assert not {"tools", "functions", "tool_choice"} & set(req)
    assert srv.headers[0].get("authorization") == "Bearer sk-test"


def test_json_schema_rejected_with_500_falls_back_to_json_object_and_sticks() -> None:
    with OpenAIServer(reject_json_schema=True) as srv:
        c = client(srv)
        srv.push(Reply.json_answer(GOOD), Reply.json_answer(GOOD))
        c.complete(MSGS, Verdict, name="verdict")
        c.complete(MSGS, Verdict, name="verdict")
        kinds = [(r.get("response_format") or {}).get("type") for r in srv.requests]
        assert kinds == ["json_schema", "json_object", "json_object"]
        # The schema travels in the system message once the server cannot enforce it.
        assert '"label"' in srv.requests[1]["messages"][0]["content"]
        assert c.mode == "json_object"


def test_json_object_rejected_too_falls_back_to_plain_text_with_extraction() -> None:
    with OpenAIServer(reject_json_schema=True) as srv:
        srv.push(Reply.error(400, "response_format json_object is not supported", err_type="invalid_request_error"),
                 Reply.completion("Sure! Here it is:\n```json\n" + json.dumps(GOOD) + "\n```\nAnything else?"))
        answer, usage = client(srv).complete(MSGS, Verdict, name="verdict")
        assert answer.label == "ok" and len(usage.calls) == 3
        assert "response_format" not in srv.requests[-1]


def test_invalid_answer_is_retried_once_with_the_error_shown(srv: OpenAIServer) -> None:
    srv.push(Reply.json_answer({"label": "ok"}), Reply.json_answer(GOOD))
    answer, usage = client(srv).complete(MSGS, Verdict, name="verdict")
    assert answer.score == 0.5 and [c.outcome for c in usage.calls] == ["invalid", "ok"]
    retry = srv.requests[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": json.dumps({"label": "ok"})}
    assert "score" in retry[-1]["content"] and "could not be used" in retry[-1]["content"]


@pytest.mark.parametrize("bad", ["{not json at all", json.dumps({"label": 3}), "", json.dumps([1, 2])])
def test_twice_invalid_answer_raises(srv: OpenAIServer, bad: str) -> None:
    srv.push(Reply.completion(bad), Reply.completion(bad))
    with pytest.raises(InvalidAnswer):
        client(srv).complete(MSGS, Verdict, name="verdict")
    assert len(srv.requests) == 2


def test_answer_cut_off_at_the_token_limit_says_so(srv: OpenAIServer) -> None:
    srv.push(Reply.completion('{"label": "o', finish_reason="length"), Reply.json_answer(GOOD))
    client(srv).complete(MSGS, Verdict, name="verdict")
    assert "cut off" in srv.requests[1]["messages"][-1]["content"]


@pytest.mark.parametrize("fault", [
    Reply.error(429, "rate limited", retry_after=0.01),
    Reply.error(503, "overloaded"),
    Reply.error(529, "overloaded"),
    Reply(200, "<html>bad gateway</html>"),
    Reply(200, {"unexpected": True}),
])
def test_transient_faults_are_retried_then_succeed(srv: OpenAIServer, fault: Reply) -> None:
    srv.push(fault, Reply.json_answer(GOOD))
    answer, usage = client(srv).complete(MSGS, Verdict, name="verdict")
    assert answer.label == "ok" and len(srv.requests) == 2
    assert usage.calls[0].outcome == "retryable"


def test_server_errors_exhaust_the_bounded_retries(srv: OpenAIServer) -> None:
    srv.push(*[Reply.error(500, "boom")] * 3)
    c = client(srv, structured="json_object")  # 500 in json_schema mode would mean "unsupported"
    t0 = time.monotonic()
    with pytest.raises(EndpointUnavailable, match="HTTP 500 after 3 attempts"):
        c.complete(MSGS, Verdict, name="verdict")
    assert len(srv.requests) == 3 and time.monotonic() - t0 < 2


def test_retry_after_is_honoured_but_capped(srv: OpenAIServer) -> None:
    slept: list[float] = []
    srv.push(Reply.error(429, "slow down", retry_after=120), Reply.json_answer(GOOD))
    OpenAIModelClient(settings(srv.base_url, backoff_max_s=0.2), sleep=slept.append).complete(MSGS, Verdict, name="v")
    assert slept == [0.2]


def test_timeouts_are_retried_then_give_up(srv: OpenAIServer) -> None:
    srv.push(*[Reply(delay=2.0, body={})] * 2)
    t0 = time.monotonic()
    with pytest.raises(EndpointUnavailable, match="timeout"):
        client(srv, timeout_s=0.3, retries=1).complete(MSGS, Verdict, name="verdict")
    assert time.monotonic() - t0 < 3


def test_unreachable_endpoint_trips_the_breaker() -> None:
    c = OpenAIModelClient(settings("http://127.0.0.1:9/v1", retries=1))
    with pytest.raises(EndpointUnavailable, match="connection"):
        c.complete(MSGS, Verdict, name="first")
    t0 = time.monotonic()
    with pytest.raises(EndpointUnavailable, match="earlier in this run"):
        c.complete(MSGS, Verdict, name="second")
    assert time.monotonic() - t0 < 0.05


def test_auth_errors_are_not_retried(srv: OpenAIServer) -> None:
    srv.push(Reply.error(401, "bad key", err_type="invalid_request_error"))
    with pytest.raises(RequestRejected, match="401"):
        client(srv, structured="json_object").complete(MSGS, Verdict, name="verdict")
    assert len(srv.requests) == 1


def test_refused_parameters_are_renegotiated(srv: OpenAIServer) -> None:
    srv.push(
        Reply.error(400, "Unsupported parameter: 'max_tokens' is not supported with this model.", err_type="x"),
        Reply.error(400, "Unsupported value: 'temperature' does not support 0 with this model.", err_type="x"),
        Reply.json_answer(GOOD),
    )
    client(srv, structured="json_object").complete(MSGS, Verdict, name="verdict")
    last = srv.requests[-1]
    assert "max_completion_tokens" in last and "max_tokens" not in last and "temperature" not in last


def test_prompt_over_budget_is_refused_before_sending(srv: OpenAIServer) -> None:
    big = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(PromptTooLarge):
        client(srv, token_budget=2000).complete(big, Verdict, name="verdict")
    assert srv.requests == []


def test_chat_returns_text_at_the_requested_temperature_and_model(srv: OpenAIServer) -> None:
    srv.push(Reply.completion("free text"))
    text, usage = client(srv).chat(MSGS, temperature=0.9, model="agent-model", max_tokens=50)
    assert text == "free text" and len(usage.calls) == 1
    req = srv.requests[0]
    assert (req["temperature"], req["model"], req["max_tokens"]) == (0.9, "agent-model", 50)
    assert "response_format" not in req


def test_azure_client_reaches_the_deployment_route(srv: OpenAIServer) -> None:
    root = srv.base_url.removesuffix("/v1")
    s = LLMSettings(provider="azure", azure_endpoint=root, azure_deployment="dep-1", azure_api_key="az-key",
                    retries=0, timeout_s=2.0)
    srv.push(Reply.json_answer(GOOD))
    answer, _ = OpenAIModelClient(s).complete(MSGS, Verdict, name="verdict")
    assert answer.label == "ok"
    assert srv.paths[0].startswith("/openai/deployments/dep-1/chat/completions?api-version=")
    assert srv.headers[0].get("api-key") == "az-key"
