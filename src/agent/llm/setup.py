"""Choosing the engine for a run."""

from __future__ import annotations

from tools.errors import BadInput


def prepare_engine(engine: str) -> None:
    if engine == "offline":
        return
    raise BadInput("--engine llm", "the LLM engine is not part of this build yet; use the offline engine")
