"""What the LLM engine would send, measured without a model.

`measure_prompts` runs the drafting graph with the LLM engine installed around a client that
records each request and then fails it. Every prompt is therefore built by the engine's own code
(budgeted evidence selection, redaction, fencing) exactly as it would be sent; each node then
degrades to its offline result, which is what the next node would have been given by a model
that agreed with the offline engine. No request leaves the process.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from agent.llm.client import LLMError, Usage
from agent.llm.structured import schema_instruction
from tools.budget import count_messages, count_tokens

Message = dict[str, str]


class RecordedCall(BaseModel):
    node: str
    prompt_tokens: int = Field(description="Messages plus the response schema: what the token budget covers.")
    evidence_refs: list[str] = Field(default_factory=list, description="Refs of the evidence items in the prompt.")


class NotSent(LLMError):
    """Raised for every request: the benchmark measures prompts, it does not send them."""


class RecordingClient:
    """A `ModelClient` that records what it is asked and answers nothing."""

    def __init__(self, token_budget: int) -> None:
        self.model = "bench-recorder"
        self.token_budget = token_budget
        self.calls: list[RecordedCall] = []

    def complete(self, messages: list[Message], schema: type[Any], *, name: str, log: Any = None) -> tuple[Any, Usage]:
        tokens = count_messages(messages) + count_tokens(schema_instruction(schema))
        self.calls.append(RecordedCall(node=name, prompt_tokens=tokens, evidence_refs=evidence_refs(messages)))
        raise NotSent(f"{name}: prompt measured, not sent")

    def chat(self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None,
             model: str | None = None, log: Any = None) -> tuple[str, Usage]:
        self.calls.append(RecordedCall(node="chat", prompt_tokens=count_messages(messages)))
        raise NotSent("chat: prompt measured, not sent")


def evidence_refs(messages: list[Message]) -> list[str]:
    """Refs of the evidence lines (one JSON object per line, see `EvidenceItem.render`)."""
    refs: list[str] = []
    for m in messages:
        if m.get("role") != "user":
            continue
        for line in m.get("content", "").splitlines():
            if line.startswith('{"ref": '):
                refs.append(json.loads(line)["ref"])
    return refs


def measure_prompts(bundle_path: str, out_dir: str, token_budget: int) -> list[RecordedCall]:
    """Every prompt the LLM engine would send for the bundle (already loaded in this process)."""
    from agent.graph import build_graph
    from agent.llm.engine import engine_for, install, uninstall
    from agent.state import DraftInput

    client = RecordingClient(token_budget)
    install(engine_for(client))
    try:
        inp = DraftInput(bundle_path=bundle_path, out_dir=out_dir, engine="llm", review=False)
        build_graph(None).invoke(inp)
    finally:
        uninstall()
    return client.calls
