"""The configured LLM engine of this process, and the refiners it installs into the nodes.

`prepare_engine("llm")` builds one `LLMEngine` (settings, client, redactor) and calls `install`,
which registers one refiner per analysis node in `agent.nodes._common.LLM_REFINERS`. The nodes
never import this package: with no engine installed they stay offline.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from agent.llm.client import CallRecord, ModelClient, Usage
from agent.llm.config import LLMSettings
from agent.nodes._common import LLM_REFINERS
from agent.state import LLMUsage
from tools.redact import Redactor, default_redactor


@dataclass
class LLMEngine:
    settings: LLMSettings
    client: ModelClient
    redactor: Redactor

    @property
    def token_budget(self) -> int:
        return self.client.token_budget


class NodeUsage(LLMUsage):
    """LLMUsage plus what the refiner noted and each call's numbers.

    `with_engine` only records the usage of a successful refinement, so the refiner's notes
    (quotes replaced, refs dropped) ride along here until the replay node moves them into
    `state.notes`; it then stores a plain LLMUsage.
    """

    notes: list[str] = Field(default_factory=list, description="What the refiner replaced or dropped, in words.")
    per_call: list[CallRecord] = Field(default_factory=list, description="Each HTTP call's token counts.")
    model: str | None = Field(default=None, description="Model that answered.")


def node_usage(node: str, usage: Usage, version: str | None, notes: list[str], model: str | None) -> NodeUsage:
    return NodeUsage(
        node=node, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
        calls=len(usage.calls), prompt_version=version, notes=list(notes), per_call=list(usage.calls), model=model,
    )


_current: LLMEngine | None = None


def current() -> LLMEngine | None:
    return _current


def install(engine: LLMEngine) -> None:
    """Make `engine` the process's LLM engine and register its node refiners."""
    global _current
    from agent.llm.refine_actions import refine_action_items
    from agent.llm.refine_correct import refine_correct_inference
    from agent.llm.refine_inferences import refine_inferences
    from agent.llm.refine_missed import refine_missed_signals
    from agent.llm.refine_root_cause import refine_root_cause

    _current = engine
    refiners: dict[str, Any] = {
        "extract_inferences": refine_inferences,
        "correct_inference": refine_correct_inference,
        "missed_signals": refine_missed_signals,
        "root_cause": refine_root_cause,
        "action_items": refine_action_items,
    }
    for node, fn in refiners.items():
        LLM_REFINERS[node] = functools.partial(fn, engine)


def uninstall() -> None:
    global _current
    _current = None
    LLM_REFINERS.clear()


def engine_for(client: ModelClient, settings: LLMSettings | None = None, redactor: Redactor | None = None) -> LLMEngine:
    """An engine around any client (tests use the scripted fake)."""
    if settings is None:
        # The budget that counts is the client's (`LLMEngine.token_budget`), whatever the settings say.
        settings = LLMSettings(model=client.model, base_url="http://127.0.0.1:9/v1")
    return LLMEngine(settings=settings, client=client, redactor=redactor or default_redactor())
