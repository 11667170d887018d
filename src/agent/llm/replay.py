"""Behavior rate: replay the decision point N times and count the same wrong inference.

A model's wrong inference is a rate, not a bug: the decision span's recorded input messages are
sent again N times (redacted, fitted to the token budget, no tools offered — the answers are only
read, never executed) at the recorded temperature (else 1.0, so the replays sample), and each
answer is classified:

- `lexical` (default): deterministic and free. An answer is "bad" when it names the wrong
  action's tool without the correct inference's key words, or when it shares at least two of the
  wrong quote's distinctive words and, proportionally, more of them than of the correct
  inference's. Cheap and blind to negation ("not a deadlock") — a screening measure.
- `llm` (PMDRAFT_REPLAY_JUDGE=llm): a short judge prompt (prompts/replay_judge.j2) per answer.
The rate comes with a Wilson 95% interval, which stays honest at small N and at 0 or N bad.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from agent.draft import AgentInference, BehaviorRate
from agent.llm.ask import NodeRun, clip
from agent.llm.client import LLMError, Message, Usage
from agent.llm.engine import LLMEngine, NodeUsage, node_usage
from agent.llm.prompts import fence_for, load_prompt
from agent.offline.missed_signals import stem
from agent.state import DraftState
from tools.budget import clip_to_tokens, count_messages, count_tokens
from tools.model.trace import ChatMessage, Span
from tools.redact import Redactor
from tools.text.tokens import content_words

Z95 = 1.959964
DEFAULT_REPLAY_TEMPERATURE = 1.0
MAX_REPLAYS = 500


class JudgeAnswer(BaseModel):
    same_wrong_inference: bool = Field(description="The answer makes the original wrong inference or takes its wrong action.")
    reason: str = Field(default="", description="One short sentence.")


@dataclass
class Reference:
    """What a replayed answer is compared with."""

    quote: str
    action: str | None
    correct: str
    wrong_words: set[str] = field(default_factory=set)
    right_words: set[str] = field(default_factory=set)
    tool: str | None = None

    @classmethod
    def build(cls, decision: AgentInference, correct: str) -> Reference:
        q, c = _stems(decision.quote), _stems(correct)
        tool = decision.action.split("(", 1)[0].strip() if decision.action and "(" in decision.action else None
        return cls(decision.quote, decision.action, correct, q - c, c - q, tool or None)


@dataclass
class ReplayOutcome:
    rate: BehaviorRate | None
    usage: NodeUsage
    notes: list[str]


def wilson(bad: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    p = bad / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denom), min(1.0, (centre + margin) / denom)


def lexical_same(answer: str, ref: Reference) -> bool:
    words = _stems(answer)
    right = len(words & ref.right_words) / max(len(ref.right_words), 1)
    if ref.tool and ref.tool.lower() in answer.lower() and right < 0.25:
        return True
    hits = len(words & ref.wrong_words)
    wrong = hits / max(len(ref.wrong_words), 1)
    return hits >= 2 and wrong > right


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def replay_messages(span: Span, redactor: Redactor, budget: int) -> list[Message]:
    """The decision's recorded input, as plain chat turns any server accepts, within `budget`.

    Tool turns become user turns labelled as tool results and assistant tool calls are written
    out, because servers reject tool messages whose call ids or tool definitions they never saw.
    """
    msgs = [_plain(m, redactor) for m in span.input_messages if m.content or m.tool_calls]
    if not msgs and span.input_text:
        msgs = [{"role": "user", "content": redactor.redact(span.input_text)}]
    return _fit(msgs, budget)


def _plain(m: ChatMessage, redactor: Redactor) -> Message:
    content = m.content or ""
    role = m.role if m.role in ("system", "user", "assistant") else "user"
    if m.role == "assistant" and m.tool_calls:
        calls = "\n".join(f"[called {c.name}({c.arguments})]" for c in m.tool_calls)
        content = f"{content}\n{calls}".strip()
    elif role == "user" and m.role not in ("user", "system", "assistant"):
        content = f"[{m.role} result{' ' + m.name if m.name else ''}]\n{content}"
    return {"role": role, "content": redactor.redact(content)}


def _fit(msgs: list[Message], budget: int) -> list[Message]:
    """Drop the oldest turns after the system message, then clip the longest, until it fits."""
    out = list(msgs)
    head = 1 if out and out[0]["role"] == "system" else 0
    while count_messages(out) > budget and len(out) > head + 1:
        del out[head]
    while count_messages(out) > budget and out:
        i = max(range(len(out)), key=lambda k: count_tokens(out[k]["content"]))
        have = count_tokens(out[i]["content"])
        if have <= 32:
            break
        excess = count_messages(out) - budget
        out[i] = {**out[i], "content": clip_to_tokens(out[i]["content"], max(have - excess - 16, 32))}
    return out


def recorded_temperature(span: Span) -> float | None:
    for key, value in span.attributes.items():
        if key.endswith("temperature"):
            try:
                return float(value)
            except (TypeError, ValueError):
                continue
        if key.endswith("invocation_parameters") and isinstance(value, str):
            try:
                params = json.loads(value)
            except json.JSONDecodeError:
                continue
            if isinstance(params, dict) and isinstance(params.get("temperature"), int | float):
                return float(params["temperature"])
    return None


def behavior_rate(engine: LLMEngine, state: DraftState, replays: int) -> ReplayOutcome:
    """Replay the decision `replays` times; raises LLMError when no replay got an answer."""
    run = NodeRun(engine, state, "replay", prompt="replay_judge")
    decision = next((i for i in state.inferences if i.is_decision), None)
    span = run.index.span(decision.span_id) if decision else None
    if decision is None or span is None:
        return ReplayOutcome(None, run.result_usage(), ["replay: not replayed — no wrong inference to replay"])
    messages = replay_messages(span, engine.redactor, engine.token_budget - engine.settings.max_output_tokens)
    if not messages:
        return ReplayOutcome(None, run.result_usage(), ["replay: not replayed — the decision span recorded no input messages"])
    n = min(replays, MAX_REPLAYS)
    temperature = engine.settings.replay_temperature
    if temperature is None:
        temperature = recorded_temperature(span)
    temperature = DEFAULT_REPLAY_TEMPERATURE if temperature is None else temperature
    answers = _replay_all(run, messages, n, temperature)
    ref = Reference.build(decision, state.correct_inference.text if state.correct_inference else "")
    verdicts = [v for v in (_judge(run, a, ref) for a in answers if a is not None) if v is not None]
    failed = n - len(verdicts)
    if not verdicts:
        raise LLMError(f"replay: none of the {n} replays produced a classifiable answer")
    bad = sum(verdicts)
    low, high = wilson(bad, len(verdicts))
    model = engine.settings.replay_model or engine.client.model
    notes = [f"replay: {failed} of {n} replays failed and are not counted"] if failed else []
    rate = BehaviorRate(replays=len(verdicts), bad=bad, rate=round(bad / len(verdicts), 3),
                        ci_low=round(low, 3), ci_high=round(high, 3), model=model)
    version = run.prompt.version if engine.settings.replay_judge == "llm" else None
    usage = node_usage("replay", run.usage, version, notes, model)
    run.log.info("behavior_rate", replays=rate.replays, bad=bad, failed=failed, judge=engine.settings.replay_judge)
    return ReplayOutcome(rate, usage, notes)


def _replay_all(run: NodeRun, messages: list[Message], n: int, temperature: float) -> list[str | None]:
    engine = run.engine
    model = engine.settings.replay_model

    def one(_: int) -> tuple[str | None, Usage]:
        try:
            text, usage = engine.client.chat(messages, temperature=temperature, model=model, log=run.log)
            return text, usage
        except LLMError as exc:
            run.log.warning("replay_failed", error=type(exc).__name__)
            return None, Usage()

    with ThreadPoolExecutor(max_workers=engine.settings.max_concurrency) as pool:
        results = list(pool.map(one, range(n)))
    for _, usage in results:
        run.usage.extend(usage)
    return [text for text, _ in results]


def _judge(run: NodeRun, answer: str, ref: Reference) -> bool | None:
    if run.engine.settings.replay_judge == "lexical":
        return lexical_same(answer, ref)
    facts = run.data_json({"original_wrong_inference": clip(ref.quote, 600), "original_action": ref.action,
                           "correct_inference": clip(ref.correct, 600)})
    evidence = run.data_json({"replayed_answer": clip_to_tokens(answer, 1500)})
    messages = load_prompt("replay_judge").render(facts=facts, evidence=evidence, fence=fence_for(facts, evidence))
    try:
        verdict, usage = run.engine.client.complete(messages, JudgeAnswer, name="replay_judge", log=run.log)
    except LLMError:
        return None
    run.usage.extend(usage)
    return verdict.same_wrong_inference
