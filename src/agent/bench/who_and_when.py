"""Who&When (ICML 2025) runs as the drafter's normalized trace and incident context.

Each benchmark file is one failed multi-agent run: a task (`question`), its correct answer
(`ground_truth`) and a `history` of steps. Two history shapes exist:

* Algorithm-Generated (AG2/CaptainAgent): `{content, role, name}`, the agent is `name`; the
  `Computer_terminal` turns are the results of the code the experts wrote.
* Hand-Crafted (Magentic-One): `{content, role}`, the agent is `role`, with the Orchestrator's
  channel in parentheses ("Orchestrator (thought)", "Orchestrator (-> WebSurfer)").

Each step becomes one span whose id encodes the step index, so a picked span maps back to the
benchmark's `mistake_step`. The labels (`mistake_*`) are kept apart on the run and are only
ever used for scoring.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tools.errors import BadInput
from tools.jsonio import dumps_compact, load_json
from tools.model.chat import ChatLog, Message
from tools.model.incident import Bundle, IncidentMeta
from tools.model.trace import ChatMessage, Span, SpanKind, SpanStatus, ToolCall, Trace

FORMAT = "who-and-when-json"
SPLITS = ("algorithm-generated", "hand-crafted")
# Previous steps copied into each span's input: the task statement plus a recent window. A full
# copy of a 130-step history into every span would be quadratic for nothing the analyses use.
INPUT_WINDOW = 10
# Synthetic clock: the benchmark has no timestamps, only order. One minute per step keeps every
# span strictly after the previous one, and the ground-truth message after all of them.
_BASE_NS = 1_735_689_600 * 1_000_000_000  # 2025-01-01T00:00:00Z
_STEP_NS = 60 * 1_000_000_000
_SPAN_NS = 30 * 1_000_000_000
_SPAN_PREFIX = "step-"

# Code execution results: AG2's executor prints "exitcode: N (...)"; a participant whose name
# says it runs code (terminal, executor, interpreter) is a tool, not an agent that reasons.
_EXIT_RE = re.compile(r"^\s*exitcode:\s*(-?\d+)", re.IGNORECASE)
_EXECUTOR_RE = re.compile(r"terminal|executor|interpreter|code_?runner|sandbox", re.IGNORECASE)
_TOOL_ROLES = frozenset({"tool", "function", "ipython"})
_HUMAN_ROLES = frozenset({"human", "user"})
# "Orchestrator (thought)" → agent "Orchestrator", channel "thought"; "(-> WebSurfer)" is a hand-off.
_CHANNEL_RE = re.compile(r"^\s*(?P<agent>[^()]+?)\s*\((?P<channel>[^()]*)\)\s*$")
_HANDOFF_RE = re.compile(r"^\s*->\s*(?P<target>\S.*?)\s*$")
_CODE_RE = re.compile(r"```[ \t]*(?P<lang>python|py|sh|bash|shell|console)[ \t]*\n(?P<code>.*?)```", re.DOTALL | re.IGNORECASE)


class Labels(BaseModel):
    """The human annotation of a run: for scoring only, never an input to attribution."""

    mistake_agent: str | None = None
    mistake_step: int | None = None
    mistake_reason: str | None = None


class Run(BaseModel):
    """One Who&When file, adapted."""

    path: str
    split: str = Field(description="algorithm-generated | hand-crafted (from the history shape).")
    question: str
    ground_truth: str | None
    trace: Trace
    labels: Labels

    @property
    def steps(self) -> int:
        return len(self.trace.spans)

    def bundle(self) -> Bundle:
        """The incident a postmortem would start from: the task, the trace, and what was true."""
        agents = _distinct(s.agent for s in self.trace.spans if s.kind == "llm" and s.agent)
        meta = IncidentMeta(
            id=f"who-and-when:{self.split}:{Path(self.path).stem}",
            title=self.question.strip(),
            agents=agents,
            extra={"source": "Who&When", "question": self.question, "ground_truth": self.ground_truth},
        )
        return Bundle(path=self.path, meta=meta, traces=[self.trace], chat=self._chat())

    def _chat(self) -> ChatLog | None:
        if self.ground_truth is None:
            return None
        ts = f"{(_BASE_NS + (self.steps + 1) * _STEP_NS) // 1_000_000_000}.000000"
        text = f"The run failed: the agents' final answer was wrong. The correct answer is: {self.ground_truth}"
        msg = Message(ts=ts, author="task owner", text=text)
        return ChatLog(source=self.path, format="transcript", messages=[msg])


# ---- loading --------------------------------------------------------------------------------
def load_run(path: str | Path) -> Run:
    """Read one benchmark file. Anything malformed is one `BadInput` line naming the file."""
    p = Path(path)
    raw = load_json(p)
    if not isinstance(raw, dict):
        raise BadInput(p, "a Who&When run must be a JSON object with 'question' and 'history'")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BadInput(p, "missing 'question' (the task text)")
    history = raw.get("history")
    if not isinstance(history, list) or not history:
        raise BadInput(p, "'history' must be a non-empty list of steps")
    steps = [_check_step(p, i, step) for i, step in enumerate(history)]
    split = "algorithm-generated" if any("name" in s for s in steps) else "hand-crafted"
    prompts = raw.get("system_prompt") if isinstance(raw.get("system_prompt"), dict) else {}
    truth = raw.get("ground_truth")
    return Run(
        path=str(p),
        split=split,
        question=question,
        ground_truth=None if truth is None else str(truth),
        trace=build_trace(p, steps, prompts or {}),
        labels=_labels(p, raw, len(steps)),
    )


def _check_step(path: Path, i: int, step: Any) -> dict[str, str]:
    if not isinstance(step, dict):
        raise BadInput(path, f"history[{i}] is not an object")
    content = step.get("content")
    role = step.get("role")
    if not isinstance(content, str):
        raise BadInput(path, f"history[{i}] has no text 'content'")
    if not isinstance(role, str) or not role.strip():
        raise BadInput(path, f"history[{i}] has no 'role'")
    out = {"content": content, "role": role.strip()}
    name = step.get("name")
    if isinstance(name, str) and name.strip():
        out["name"] = name.strip()
    return out


def _labels(path: Path, raw: dict[str, Any], n: int) -> Labels:
    step = raw.get("mistake_step")
    index: int | None = None
    if step is not None and str(step).strip() != "":
        try:
            index = int(str(step).strip())
        except ValueError:
            raise BadInput(path, f"'mistake_step' must be a step index, not {step!r}") from None
        if not 0 <= index < n:
            raise BadInput(path, f"'mistake_step' {index} is outside the history (0..{n - 1})")
    agent = raw.get("mistake_agent")
    reason = raw.get("mistake_reason")
    return Labels(
        mistake_agent=str(agent) if agent not in (None, "") else None,
        mistake_step=index,
        mistake_reason=str(reason) if reason is not None else None,
    )


# ---- steps → spans --------------------------------------------------------------------------
def build_trace(path: Path, steps: list[dict[str, str]], prompts: dict[str, Any]) -> Trace:
    trace_id = _trace_id(path)
    spans = [_span(trace_id, str(path), i, step, steps, prompts) for i, step in enumerate(steps)]
    return Trace(source_file=str(path), format=FORMAT, spans=spans)


def span_id(index: int) -> str:
    return f"{_SPAN_PREFIX}{index:04d}"


def step_index(span: Span) -> int:
    """The history index a span was built from (inverse of `span_id`)."""
    return int(span.span_id.removeprefix(_SPAN_PREFIX))


def author(step: dict[str, str]) -> str:
    return step.get("name") or step["role"]


def split_role(role: str) -> tuple[str, str | None]:
    """'Orchestrator (-> WebSurfer)' → ('Orchestrator', '-> WebSurfer'); other roles unchanged."""
    m = _CHANNEL_RE.match(role)
    return (m.group("agent").strip(), m.group("channel").strip()) if m else (role.strip(), None)


def _span(
    trace_id: str, source: str, i: int, step: dict[str, str], steps: list[dict[str, str]], prompts: dict[str, Any]
) -> Span:
    who = author(step)
    agent, channel = split_role(who)
    content = step["content"]
    start = _BASE_NS + i * _STEP_NS
    common: dict[str, Any] = {
        "trace_id": trace_id, "span_id": span_id(i), "name": who, "start_ns": start, "end_ns": start + _SPAN_NS,
        "attributes": {"step": i, "role": step["role"], **({"name": step["name"]} if "name" in step else {})},
        "source_file": source, "source_format": FORMAT,
    }
    kind = _kind(step, agent)
    if kind == "tool":
        return Span(**common, kind="tool", agent=agent, tool_name=agent, tool_result=content, status=_tool_status(content))
    if kind == "other":
        # The person who posed the task: context, not an agent decision.
        return Span(**common, kind="other", input_text=content, status="ok")
    return Span(
        **common, kind="llm", agent=agent, status="ok", output_text=content,
        output_tool_calls=_tool_calls(content, channel), input_messages=_inputs(i, agent, steps, prompts),
    )


def _kind(step: dict[str, str], agent: str) -> SpanKind:
    if "name" not in step and step["role"].lower() in _HUMAN_ROLES:
        return "other"
    if step["role"].lower() in _TOOL_ROLES or _EXECUTOR_RE.search(agent) or _EXIT_RE.match(step["content"]):
        return "tool"
    return "llm"


def _tool_status(content: str) -> SpanStatus:
    m = _EXIT_RE.match(content)
    if m:
        return "ok" if int(m.group(1)) == 0 else "error"
    return "error" if "Traceback (most recent call last)" in content else "ok"


def _tool_calls(content: str, channel: str | None) -> list[ToolCall]:
    """What the turn asked others to do: run its code blocks, or (a '-> X' channel) hand off to X."""
    calls = [
        ToolCall(name=f"execute_{_lang(m.group('lang'))}", arguments=m.group("code").strip())
        for m in _CODE_RE.finditer(content)
    ]
    target = _HANDOFF_RE.match(channel or "")
    if target:
        calls.append(ToolCall(name=f"transfer_to_{target.group('target')}", arguments=dumps_compact({})))
    return calls


def _lang(lang: str) -> str:
    low = lang.lower()
    return "python" if low in ("python", "py") else "shell"


def _inputs(i: int, agent: str, steps: list[dict[str, str]], prompts: dict[str, Any]) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    prompt = prompts.get(agent)
    if isinstance(prompt, str) and prompt:
        out.append(ChatMessage(role="system", content=prompt))
    window = list(range(max(0, i - INPUT_WINDOW), i))
    if i > 0 and 0 not in window:
        window.insert(0, 0)  # the task statement stays in view however long the run
    for j in window:
        prev = steps[j]
        who = author(prev)
        prev_agent = split_role(who)[0]
        role = "assistant" if prev_agent == agent else ("tool" if _kind(prev, prev_agent) == "tool" else "user")
        out.append(ChatMessage(role=role, content=prev["content"], name=who))
    return out


def _trace_id(path: Path) -> str:
    return f"who-and-when-{path.parent.name.lower()}-{path.stem}"


def _distinct(items: Any) -> list[str]:
    seen: list[str] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen


# ---- finding runs ---------------------------------------------------------------------------
def find_runs(path: str | Path) -> dict[str, list[Path]]:
    """Benchmark files under PATH grouped by split folder (both splits' parent, one split, or one file)."""
    root = Path(path)
    if root.is_file():
        return {_split_of_dir(root.parent): [root]}
    if not root.is_dir():
        raise BadInput(root, "no such file or folder (expected the Who&When folder or one of its splits)")
    groups: dict[str, list[Path]] = {}
    own = _json_files(root)
    if own:
        groups[_split_of_dir(root)] = own
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        files = _json_files(sub)
        if files:
            groups.setdefault(_split_of_dir(sub), []).extend(files)
    if not groups:
        raise BadInput(root, "no Who&When .json files here or in its split folders")
    return groups


def _json_files(folder: Path) -> list[Path]:
    # Numeric order (1, 2, …, 10) so progress and per-run output read like the benchmark.
    return sorted(folder.glob("*.json"), key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0, p.name))


def _split_of_dir(folder: Path) -> str:
    key = re.sub(r"[^a-z]", "", folder.name.lower())
    if key.startswith("algorithm"):
        return "algorithm-generated"
    if key.startswith("hand"):
        return "hand-crafted"
    return folder.name
