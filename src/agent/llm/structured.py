"""Structured answers: the JSON Schema a model is given, and reading its answer back tolerantly.

Servers differ: OpenAI and vLLM honour `response_format: json_schema`; llama.cpp's server answers
it with HTTP 500 but honours `json_object`; some servers take neither. Whatever the mode, the
answer is parsed the same way here — strict JSON first, then the first balanced JSON object in
the text (code fences, preambles and trailing chatter are common) — and validated against the
pydantic model. A validation failure is reported in words the model can act on.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
MAX_FEEDBACK_ERRORS = 6


class AnswerError(ValueError):
    """The model's answer is not JSON, or not valid against the schema."""


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with $refs resolved and titles dropped.

    Small models and grammar-based servers follow a flat schema better than one with $defs.
    """
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = defs[node["$ref"].rsplit("/", 1)[-1]]
                merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
                return resolve(merged)
            return {k: resolve(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    out = resolve(raw)
    assert isinstance(out, dict)
    return out


def schema_text(model: type[BaseModel]) -> str:
    return json.dumps(inline_schema(model), ensure_ascii=False, separators=(",", ":"))


def schema_instruction(model: type[BaseModel]) -> str:
    """Appended to the system message when the server cannot enforce the schema itself."""
    return (
        "\n\nAnswer with exactly one JSON object and nothing else (no prose, no code fence). "
        f"It must validate against this JSON Schema:\n{schema_text(model)}"
    )


def extract_json(text: str | None) -> Any:
    """The JSON value in a model's answer: the whole text, else its first balanced object."""
    if text is None or not text.strip():
        raise AnswerError("the answer was empty")
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        pass
    for candidate in _objects(stripped):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise AnswerError("the answer did not contain a JSON object")


def _objects(text: str) -> list[str]:
    """Balanced {...} spans, outermost first, skipping braces inside strings."""
    out: list[str] = []
    i = text.find("{")
    while i != -1 and len(out) < 8:
        end = _balanced_end(text, i)
        if end is None:
            break
        out.append(text[i : end + 1])
        i = text.find("{", end + 1)
    return out


def _balanced_end(text: str, start: int) -> int | None:
    depth = 0
    in_str = False
    escape = False
    for j in range(start, len(text)):
        ch = text[j]
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return j
    return None


def parse_answer(text: str | None, model: type[M]) -> M:
    value = extract_json(text)
    if not isinstance(value, dict):
        raise AnswerError(f"expected a JSON object, got {type(value).__name__}")
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise AnswerError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """Validation errors as short lines: where, and what was wrong (no input values echoed)."""
    lines = []
    for err in exc.errors()[:MAX_FEEDBACK_ERRORS]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
        lines.append(f"{where}: {err.get('msg', 'invalid')}")
    more = exc.error_count() - len(lines)
    if more > 0:
        lines.append(f"(and {more} more)")
    return "; ".join(lines)


def feedback(error: AnswerError | str) -> str:
    return (
        f"Your previous answer could not be used: {error}. Reply again with only one JSON object that "
        "matches the schema, keeping every required field."
    )
