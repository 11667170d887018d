"""Choosing the engine for a run: the CLI calls `prepare_engine` before the graph starts.

For `llm` it validates the configuration (a bad value is bad input: one line, exit 2), makes the
tokenizer available offline, builds the client and installs the node refiners. It does not call
the model: an endpoint that is down degrades nodes during the run, and the draft is still written.
"""

from __future__ import annotations

from typing import Any

from tools.budget import encoding, seed_tiktoken_cache
from tools.errors import BadInput
from tools.redact import default_redactor


def prepare_engine(engine: str, **overrides: Any) -> None:
    from agent.llm.engine import uninstall

    if engine == "offline":
        uninstall()
        return
    if engine != "llm":
        raise BadInput("--engine", f"unknown engine {engine!r} (offline or llm)")
    from agent.llm.client import OpenAIModelClient
    from agent.llm.config import load_settings
    from agent.llm.engine import LLMEngine, install

    settings = load_settings(**overrides)
    redactor = default_redactor()  # a bad PMDRAFT_REDACT_PATTERNS is bad input, before any call
    seed_tiktoken_cache()
    try:
        encoding()
    except Exception as exc:  # the budget cannot be enforced without a tokenizer: refuse to run
        raise BadInput("tokenizer", f"cl100k encoding not available offline ({type(exc).__name__})") from None
    install(LLMEngine(settings=settings, client=OpenAIModelClient(settings), redactor=redactor))
