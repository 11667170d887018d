"""Synthetic incident bundles of any size, with a planted decision, finding and missed signal.

`write_bundle(dest, SynthSpec(spans=100_000, messages=20_000))` writes a bundle that any
reader of the drafter accepts, in the trace and chat format asked for, and returns what was
planted (`Planted`), so a draft of it can be checked at every size:

- an agent (`capacity-agent`) looping for an hour over a search cluster's nodes: LLM calls
  that read (get_node_stats, get_cluster_health, search_runbooks), tool spans with payloads of
  `payload_bytes`, retrievals, HTTP client spans under the tools, a few failed calls and status
  posts;
- the planted **decision**: an LLM output, 60% of the way through the loop, that concludes the
  latency is a shard imbalance and acts on it (`move_shards`);
- the planted **finding**: a human message, after it, establishing the real cause (a synonyms
  file in a config deploy) and contradicting the decision;
- the planted **missed signal**: `query_expansion_count`, which the people say the agent never
  saw. It is in the trace (an HTTP span under get_node_stats, which the agent never reads) and
  in no tool output, retrieved document or LLM input: absent from the agent's context;
- a channel of `messages` messages: chatter, theories and their dismissals, alerts, the agent's
  own posts, and one message quoting the decision's reasoning.

Everything is deterministic for a given spec (seeded), so repeated benchmark runs read the same
bytes. The story's texts live in `agent.bench.synth_story`, the per-format writers in
`agent.bench.synth_traces` and `agent.bench.synth_chat`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field

from agent.bench import synth_story as story

TraceFormat = Literal[
    "otlp-json", "otlp-jsonl", "otlp-genai-json", "otlp-genai-jsonl",
    "langsmith-json", "langsmith-jsonl", "langfuse", "openai-agents",
]
ChatFormat = Literal["slack-export", "history", "transcript"]
TRACE_FORMATS: tuple[TraceFormat, ...] = (
    "otlp-json", "otlp-jsonl", "otlp-genai-json", "otlp-genai-jsonl",
    "langsmith-json", "langsmith-jsonl", "langfuse", "openai-agents",
)
CHAT_FORMATS: tuple[ChatFormat, ...] = ("slack-export", "history", "transcript")

T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
T0_NS = int(T0.timestamp()) * 1_000_000_000
LOOP_START_S = 60  # the agent starts a minute after the page
LOOP_S = 3600  # and loops for an hour, whatever the span count
CHAT_START_S = -300
CHAT_END_S = 5400
DECISION_AT = 0.6  # share of the loop before the decision
RETRIEVAL_EVERY = 4  # iterations
STATUS_EVERY = 400
ERROR_EVERY = 97


class SynthSpec(BaseModel):
    """What to generate."""

    spans: int = Field(default=1000, ge=40, description="Spans in the trace (exactly).")
    messages: int = Field(default=200, ge=12, description="Messages in the channel (exactly).")
    payload_bytes: int = Field(default=1024, ge=64, description="Size of each tool result.")
    trace_format: TraceFormat = "otlp-json"
    chat_format: ChatFormat = "slack-export"
    seed: int = 7

    def key(self) -> str:
        """A folder name that differs whenever the bytes would."""
        return (f"{self.trace_format}_{self.chat_format}_s{self.spans}_m{self.messages}"
                f"_p{self.payload_bytes}_seed{self.seed}_v{story.VERSION}")


class Planted(BaseModel):
    """What the generator planted, as the drafter should find it."""

    incident_id: str
    decision_span_id: str = Field(description="The LLM span of the wrong inference, as the format spells its id.")
    decision_phrase: str = Field(description="Words of the wrong inference, verbatim in that span's output.")
    finding_text: str = Field(description="The human message establishing the real cause.")
    finding_phrases: list[str]
    signal_term: str = Field(description="The missed signal, as the people name it.")
    signal_text: str = Field(description="The human message stating the missed signal.")
    signal_span_id: str = Field(description="Where the signal is in the trace, outside the agent's context.")
    quote_text: str = Field(description="The human message quoting the decision's reasoning.")
    spans: int
    messages: int
    trace_format: str
    chat_format: str
    trace_bytes: int = 0
    chat_bytes: int = 0


@dataclass(slots=True)
class SynSpan:
    """One span of the story, before any format's spelling of it."""

    index: int
    parent: int | None
    kind: str  # agent | llm | tool | retrieval | http
    name: str
    start_ns: int
    end_ns: int
    inputs: list[tuple[str, str]] = field(default_factory=list)  # llm: (role, content)
    output: str | None = None  # llm text
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # llm: (call id, tool, arguments JSON)
    args: str | None = None  # tool arguments JSON / retrieval query
    result: str | None = None  # tool result
    docs: list[tuple[str, str]] = field(default_factory=list)  # retrieval: (id, text)
    http: dict[str, Any] = field(default_factory=dict)  # http: attributes
    error: str | None = None


@dataclass(slots=True)
class SynMessage:
    """One channel message: who, when, what."""

    at_s: float  # seconds after T0
    author: str
    text: str
    bot: bool = False


@dataclass
class Story:
    spans: list[SynSpan]
    messages: list[SynMessage]
    decision: int  # index of the decision span
    signal_span: int  # index of the HTTP span holding the signal


# ---- ids ---------------------------------------------------------------------------------------


def hex_id(seed: int, index: int, nbytes: int) -> str:
    """A stable pseudo-random id: the same span gets the same id in every run and format."""
    return hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=nbytes).hexdigest()


def uuid_id(seed: int, index: int) -> str:
    h = hex_id(seed, index, 16)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


# ---- the plan ----------------------------------------------------------------------------------


def plan(spec: SynthSpec) -> Story:
    rng = random.Random(spec.seed)
    spans = _plan_spans(spec, rng)
    decision = next(s.index for s in spans if s.calls and s.calls[0][1] == story.ACTION_TOOL)
    signal = next(s.index for s in spans if s.kind == "http" and story.SIGNAL_TERM in str(s.http))
    return Story(spans, _plan_chat(spec, rng, spans[decision].end_ns), decision, signal)


def _iterations(total: int) -> int:
    """Loop iterations whose spans (3, plus a retrieval every 4th) come closest to `total`."""
    per = 3 + 1 / RETRIEVAL_EVERY
    return max(int((total - 1) / per), 8)


def _plan_spans(spec: SynthSpec, rng: random.Random) -> list[SynSpan]:
    n_iter = _iterations(spec.spans)
    step = LOOP_S * 1_000_000_000 // n_iter
    start = T0_NS + LOOP_START_S * 1_000_000_000
    root = SynSpan(0, None, "agent", story.AGENT, start, start + LOOP_S * 1_000_000_000 + step)
    spans = [root]
    decision_at = int(n_iter * DECISION_AT)
    prev_result = story.ALERT
    for i in range(n_iter):
        t = start + i * step
        before = len(spans)
        if i == decision_at - 1:
            prev_result = _iteration(spans, rng, spec, i, t, step, prev_result, planted_signal=True)
        elif i == decision_at:
            prev_result = _decision(spans, spec, i, t, step, prev_result)
        else:
            prev_result = _iteration(spans, rng, spec, i, t, step, prev_result)
        if len(spans) >= spec.spans:
            del spans[spec.spans:]
            break
        assert len(spans) > before
    _fill_to(spans, spec, rng, start + n_iter * step, step)
    return spans


def _fill_to(spans: list[SynSpan], spec: SynthSpec, rng: random.Random, t: int, step: int) -> None:
    """Top up to exactly `spec.spans` with late monitoring reads, then the agent's final answer."""
    i = 10**6
    while len(spans) < spec.spans - 1:
        _tool(spans, rng, spec, i, t, step, story.read_call(rng, i))
        i += 1
        t += step // 2
    if len(spans) < spec.spans:
        spans.append(SynSpan(len(spans), 0, "llm", story.MODEL, t, t + step // 4,
                             inputs=_inputs("Latency is back under the SLO."), output=story.FINAL_ANSWER))


def _inputs(last_result: str) -> list[tuple[str, str]]:
    return [("system", story.SYSTEM_PROMPT), ("user", story.ALERT), ("tool", last_result)]


def _iteration(
    spans: list[SynSpan], rng: random.Random, spec: SynthSpec, i: int, t: int, step: int, prev: str,
    planted_signal: bool = False,
) -> str:
    call = story.read_call(rng, i)
    text = story.status_text(rng, i) if i % STATUS_EVERY == STATUS_EVERY - 1 else story.read_text(rng, i, call)
    if i % STATUS_EVERY == STATUS_EVERY - 1:
        call = ("post_status_update", orjson.dumps({"channel": story.CHANNEL, "text": text}).decode())
    llm = SynSpan(len(spans), 0, "llm", story.MODEL, t, t + step * 3 // 10, inputs=_inputs(prev), output=text,
                  calls=[(f"call_{hex_id(spec.seed, len(spans), 6)}", *call)])
    spans.append(llm)
    if i % RETRIEVAL_EVERY == RETRIEVAL_EVERY - 1:
        q = story.runbook_query(rng)
        spans.append(SynSpan(len(spans), 0, "retrieval", "search_runbooks", t + step * 31 // 100, t + step * 34 // 100,
                             args=q, docs=story.runbook_docs(rng, i)))
    return _tool(spans, rng, spec, i, t + step * 35 // 100, step, call, planted_signal)


def _tool(
    spans: list[SynSpan], rng: random.Random, spec: SynthSpec, i: int, t: int, step: int,
    call: tuple[str, str], planted_signal: bool = False,
) -> str:
    name, args = call
    failed = i % ERROR_EVERY == ERROR_EVERY - 1 and name != "post_status_update"
    result = None if failed else story.payload(rng, name, args, spec.payload_bytes)
    tool = SynSpan(len(spans), 0, "tool", name, t, t + step * 3 // 10, args=args, result=result,
                   error=story.TIMEOUT if failed else None)
    spans.append(tool)
    http = story.http_attrs(rng, name, args, failed, planted_signal)
    spans.append(SynSpan(len(spans), tool.index, "http", f"{http['http.request.method']} {http['url.path']}",
                         t + step // 50, t + step * 28 // 100, http=http, error=story.TIMEOUT if failed else None))
    return result or f"error: {story.TIMEOUT}"


def _decision(spans: list[SynSpan], spec: SynthSpec, i: int, t: int, step: int, prev: str) -> str:
    llm = SynSpan(len(spans), 0, "llm", story.MODEL, t, t + step * 3 // 10, inputs=_inputs(prev),
                  output=story.DECISION_TEXT,
                  calls=[(f"call_{hex_id(spec.seed, len(spans), 6)}", story.ACTION_TOOL, story.ACTION_ARGS)])
    spans.append(llm)
    tool = SynSpan(len(spans), 0, "tool", story.ACTION_TOOL, t + step * 35 // 100, t + step * 65 // 100,
                   args=story.ACTION_ARGS, result=story.ACTION_RESULT)
    spans.append(tool)
    spans.append(SynSpan(len(spans), tool.index, "http", "POST /_cluster/reroute", t + step * 36 // 100,
                         t + step * 64 // 100, http=story.reroute_attrs()))
    return story.ACTION_RESULT


# ---- the channel -------------------------------------------------------------------------------


def _plan_chat(spec: SynthSpec, rng: random.Random, decision_end_ns: int) -> list[SynMessage]:
    planted = story.planted_messages((decision_end_ns - T0_NS) / 1e9)
    n_noise = spec.messages - len(planted)
    span_s = CHAT_END_S - CHAT_START_S
    noise = [SynMessage(CHAT_START_S + span_s * (k + 0.5) / n_noise, *story.noise_message(rng, k))
             for k in range(n_noise)]
    out = noise + planted
    out.sort(key=lambda m: m.at_s)
    _spread(out)
    return out


def _spread(messages: list[SynMessage]) -> None:
    """No two messages in the same millisecond (Slack ts are unique; transcripts keep the order)."""
    last = float("-inf")
    for m in messages:
        if m.at_s <= last:
            m.at_s = last + 0.001
        m.at_s = round(m.at_s, 3)
        last = m.at_s


# ---- writing -----------------------------------------------------------------------------------


def write_bundle(dest: Path, spec: SynthSpec) -> Planted:
    """Write the bundle (incident.json, traces/, chat/, expected.json, planted.json) to `dest`."""
    from agent.bench.synth_chat import write_chat
    from agent.bench.synth_traces import span_id, write_trace

    s = plan(spec)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "traces").mkdir(exist_ok=True)
    (dest / "chat").mkdir(exist_ok=True)
    (dest / "incident.json").write_bytes(orjson.dumps(story.incident(), option=orjson.OPT_INDENT_2))
    trace_bytes = write_trace(dest / "traces", s.spans, spec)
    chat_bytes = write_chat(dest / "chat", s.messages, spec)
    planted = Planted(
        incident_id=story.INCIDENT_ID, decision_span_id=span_id(spec, s.decision),
        decision_phrase=story.DECISION_PHRASE, finding_text=story.FINDING, finding_phrases=list(story.FINDING_PHRASES),
        signal_term=story.SIGNAL_TERM, signal_text=story.SIGNAL, signal_span_id=span_id(spec, s.signal_span),
        quote_text=story.QUOTE, spans=len(s.spans), messages=len(s.messages),
        trace_format=spec.trace_format, chat_format=spec.chat_format, trace_bytes=trace_bytes, chat_bytes=chat_bytes,
    )
    (dest / "expected.json").write_bytes(orjson.dumps(story.expected(planted.decision_span_id), option=orjson.OPT_INDENT_2))
    (dest / "planted.json").write_bytes(orjson.dumps(planted.model_dump(), option=orjson.OPT_INDENT_2))
    return planted


def load_planted(bundle: Path) -> Planted:
    return Planted.model_validate(orjson.loads((bundle / "planted.json").read_bytes()))


def cached_bundle(root: Path, spec: SynthSpec) -> tuple[Path, Planted]:
    """The bundle for `spec` under `root`, generated once (a half-written one is redone)."""
    dest = root / spec.key()
    if (dest / "planted.json").is_file():
        return dest, load_planted(dest)
    if dest.exists():
        import shutil

        shutil.rmtree(dest)
    return dest, write_bundle(dest, spec)
