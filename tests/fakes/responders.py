"""Responders for the fake OpenAI server: a cooperative "model" that reads the drafter's prompt.

`EchoModel` answers each node by reading the fenced data of the request — the heuristic facts and
the evidence lines — and echoing the offline engine's answer back in the node's schema, with
quotes copied verbatim from the evidence. It is what a careful, unimaginative model would say, so
an end-to-end run through it must produce a draft as good as the offline one. Tests override
single nodes (`EchoModel(overrides={"root_cause": {...}})`) to script bad or hostile answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fakes.openai_server import Reply
from tools.budget import count_messages, count_tokens

NODE_KEYS = {
    "decision_span_id": "extract_inferences",
    "supporting_quotes": "correct_inference",
    "signals": "missed_signals",
    "contributions": "root_cause",
    "context_changes": "action_items",
    "same_wrong_inference": "replay_judge",
}
_FENCE = re.compile(r"^<<<(DATA-[0-9a-f]{16})$", re.MULTILINE)


def node_of(req: dict[str, Any]) -> str:
    """Which node a request is for: the json_schema name, else the schema in the system prompt."""
    fmt = req.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return str(fmt["json_schema"]["name"])
    system = next((m["content"] for m in req["messages"] if m["role"] == "system"), "")
    for key, node in NODE_KEYS.items():
        if f'"{key}"' in system:
            return node
    return "chat"


def data_of(req: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """(facts, evidence items) from the fenced data section of the user message."""
    user = next(m["content"] for m in reversed(req["messages"]) if m["role"] == "user")
    m = _FENCE.search(user)
    if not m:
        return None, []
    body = user[m.end() : user.index(f"{m.group(1)}>>>")]
    facts: Any = None
    items: list[dict[str, Any]] = []
    for line in body.splitlines():
        for label in ("candidates: ", "facts: "):
            if line.startswith(label):
                facts = json.loads(line[len(label) :])
        if line.startswith("{"):
            items.append(json.loads(line))
    return facts, items


def _window(text: str, needle: str, width: int = 60) -> str:
    """A verbatim piece of `text` around `needle` (case-insensitive), cut at word edges."""
    i = text.lower().find(needle.lower())
    if i < 0:
        return text[:120]
    start = max(text.rfind(" ", 0, max(i - width, 0)) + 1, 0) if i > width else 0
    end = text.find(" ", i + len(needle) + width)
    return text[start : end if end > 0 else len(text)]


def _first_sentence(text: str) -> str:
    text = text.replace(" …[clipped]", "")
    m = re.search(r"^(.{20,300}?[.!?])(\s|$)", text, re.DOTALL)
    return m.group(1) if m else text[:200]


class EchoModel:
    def __init__(self, overrides: dict[str, Any] | None = None, chat_text: str = "I will check the upstream producer first.") -> None:
        self.overrides = overrides or {}
        self.chat_text = chat_text
        self.seen: list[str] = []

    def __call__(self, req: dict[str, Any]) -> Reply:
        node = node_of(req)
        self.seen.append(node)
        if node in self.overrides:
            value = self.overrides[node]
            if isinstance(value, Reply):
                return value
            if callable(value):
                return Reply.json_answer(value(req))
            return Reply.json_answer(value)
        if node == "chat":
            return Reply.completion(self.chat_text)
        facts, items = data_of(req)
        answer = ANSWERS[node](facts, {i["ref"]: i for i in items})
        text = json.dumps(answer)
        # Report the prompt size as a server would (cl100k here), so provenance shows real numbers.
        return Reply.completion(text, prompt_tokens=count_messages(req["messages"]), completion_tokens=count_tokens(text))


def _inferences(facts: Any, items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    picks = [
        {"span_id": c["span_id"], "quote": c["offline_quote"], "why": f"the agent concluded this ({c['action']})"}
        for c in facts
    ]
    pick = next((c["span_id"] for c in facts if c["offline_pick"]), None)
    return {"decision_span_id": pick, "inferences": picks[:6]}


def _correct(facts: Any, items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    quotes = [{"ref": r, "quote": _first_sentence(items[r]["text"])} for r in facts["heuristic_refs"] if r in items]
    return {"text": "The people in the channel established what was actually true.", "supporting_quotes": quotes}


def _missed(facts: Any, items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out = []
    for s in facts["heuristic_signals"]:
        ref = next((r for r in s["evidence"] if r in items), None)
        if ref is None:
            continue
        out.append({"name": s["name"], "description": s["description"], "source": None, "ref": ref,
                    "quote": _window(items[ref]["text"], s["name"])})
    return {"signals": out}


def _root_cause(facts: Any, items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    contributions = [
        {"category": c["category"], "weight": c["weight"], "rationale": c["rationale"], "evidence": c["evidence"]}
        for c in facts["heuristic_split"]
    ]
    return {"summary": "The split follows the evidence below.", "contributions": contributions}


def _actions(facts: Any, items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"context_changes": facts["heuristic_changes"], "action_items": facts["heuristic_items"]}


ANSWERS: dict[str, Callable[[Any, dict[str, dict[str, Any]]], dict[str, Any]]] = {
    "extract_inferences": _inferences,
    "correct_inference": _correct,
    "missed_signals": _missed,
    "root_cause": _root_cause,
    "action_items": _actions,
    "replay_judge": lambda facts, items: {"same_wrong_inference": False, "reason": "different"},
}
