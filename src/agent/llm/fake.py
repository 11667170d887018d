"""A scripted `ModelClient` for unit tests: no HTTP, answers queued per node.

    fake = FakeModelClient({"extract_inferences": [answer_dict], "root_cause": [TimeoutError()]})

A scripted entry is a dict or pydantic model (validated against the schema asked for), a str
(parsed like a real answer, so malformed text fails the same way), or an exception (raised). An
unscripted call raises `LLMError`, so a test sees every call it did not expect. The prompt
budget is enforced as the real client enforces it; every request is recorded.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from agent.llm.client import CallRecord, LLMError, Message, PromptTooLarge, Usage
from agent.llm.structured import AnswerError, parse_answer, schema_instruction
from tools.budget import count_messages, count_tokens

M = TypeVar("M", bound=BaseModel)


class FakeModelClient:
    def __init__(self, script: Mapping[str, Iterable[Any]] | None = None, *, model: str = "fake-model",
                 token_budget: int = 16_000) -> None:
        self.model = model
        self.token_budget = token_budget
        self._script: dict[str, deque[Any]] = defaultdict(deque)
        for name, entries in (script or {}).items():
            self._script[name].extend(entries)
        self.requests: list[tuple[str, list[Message]]] = []

    def push(self, name: str, *entries: Any) -> None:
        self._script[name].extend(entries)

    def calls(self, name: str) -> list[list[Message]]:
        return [m for n, m in self.requests if n == name]

    def complete(self, messages: list[Message], schema: type[M], *, name: str, log: Any = None) -> tuple[M, Usage]:
        self._check(messages, count_tokens(schema_instruction(schema)))
        entry = self._take(name, messages)
        usage = self._usage(messages, entry)
        if isinstance(entry, BaseException):
            raise entry
        if isinstance(entry, str):
            try:
                return parse_answer(entry, schema), usage
            except AnswerError as err:
                raise LLMError(f"{name}: {err}") from None
        data = entry.model_dump() if isinstance(entry, BaseModel) else entry
        return schema.model_validate(data), usage

    def chat(self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None,
             model: str | None = None, log: Any = None) -> tuple[str, Usage]:
        self._check(messages, 0)
        entry = self._take("chat", messages)
        usage = self._usage(messages, entry)
        if isinstance(entry, BaseException):
            raise entry
        return str(entry), usage

    def _check(self, messages: list[Message], extra: int) -> None:
        tokens = count_messages(messages) + extra
        if tokens > self.token_budget:
            raise PromptTooLarge(f"prompt of {tokens} tokens is over the budget of {self.token_budget}")

    def _take(self, name: str, messages: list[Message]) -> Any:
        self.requests.append((name, messages))
        queue = self._script.get(name)
        if not queue:
            raise LLMError(f"fake client: no scripted answer for {name}")
        return queue.popleft()

    def _usage(self, messages: list[Message], entry: Any) -> Usage:
        out = "" if isinstance(entry, BaseException) else str(entry)
        return Usage(calls=[CallRecord(prompt_tokens=count_messages(messages), completion_tokens=count_tokens(out),
                                       estimated=True, mode="fake")])
