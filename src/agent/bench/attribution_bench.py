"""Who&When failure attribution with the offline engine: predict (agent, step), score, compare.

The prediction is the drafter's own: the run becomes a bundle (trace + task + one message with
the correct answer), the workspace ranks the agent's decision points and the finding, and the
trace-only attribution (`agent.offline.attribution`) picks the first wrong turn with those
scores as its prior. Labels are read only to score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from pydantic import BaseModel, Field

from agent.bench.who_and_when import Run, split_role, step_index
from agent.offline.attribution import trace_decision
from agent.workspace import Workspace

TOLERANCE = 5
# Zhang et al. 2025 (arXiv:2505.00212), agent-level and step-level accuracy in %, as quoted in issue 5.
PAPER: dict[str, dict[str, tuple[float, float]]] = {
    "algorithm-generated": {"random": (29.10, 19.06), "all-at-once (GPT-4o)": (54.33, 12.50)},
    "hand-crafted": {"random": (12.00, 4.16), "all-at-once (GPT-4o)": (55.17, 5.26)},
}


class Prediction(BaseModel):
    file: str
    split: str
    steps: int
    agent: str | None
    step: int | None
    label_agent: str | None
    label_step: int | None
    agent_ok: bool
    step_ok: bool
    step_within: bool
    reasons: list[str] = Field(default_factory=list)
    claims: list[str] = Field(default_factory=list, description="Values of the wrong final answer traced back.")


class Scores(BaseModel):
    """Percentages over the runs of one split."""

    runs: int
    agent: float
    step: float | None = None
    step_within: float | None = Field(default=None, description=f"Step within ±{TOLERANCE}.")


class SplitReport(BaseModel):
    split: str
    ours: Scores
    baselines: dict[str, Scores] = Field(description="Trivial baselines computed on the same runs.")
    paper: dict[str, Scores] = Field(description="Published numbers (agent, step; no tolerance reported).")


# ---- prediction -----------------------------------------------------------------------------
def predict(run: Run) -> Prediction:
    ws = Workspace(run.bundle())
    _, result = trace_decision(ws.index, ws.candidates, ws.findings, ws.bundle.meta.title)
    pick = result.pick
    agent = pick.span.agent if pick else None
    step = step_index(pick.span) if pick else None
    return _scored(run, agent, step, reasons=pick.reasons if pick else [], claims=result.claims)


def _scored(run: Run, agent: str | None, step: int | None, **extra: list[str]) -> Prediction:
    labels = run.labels
    return Prediction(
        file=run.path, split=run.split, steps=run.steps, agent=agent, step=step,
        label_agent=labels.mistake_agent, label_step=labels.mistake_step,
        agent_ok=same_agent(agent, labels.mistake_agent),
        step_ok=step is not None and step == labels.mistake_step,
        step_within=step is not None and labels.mistake_step is not None and abs(step - labels.mistake_step) <= TOLERANCE,
        **extra,
    )


def same_agent(a: str | None, b: str | None) -> bool:
    """Agent names compare without case, separators or the Orchestrator's channel ('Websurfer' = 'WebSurfer')."""
    return a is not None and b is not None and _agent_key(a) == _agent_key(b)


def _agent_key(name: str) -> str:
    return "".join(ch for ch in split_role(name)[0].casefold() if ch.isalnum())


# ---- scoring --------------------------------------------------------------------------------
def scores(preds: list[Prediction]) -> Scores:
    n = len(preds) or 1
    return Scores(
        runs=len(preds),
        agent=100 * sum(p.agent_ok for p in preds) / n,
        step=100 * sum(p.step_ok for p in preds) / n,
        step_within=100 * sum(p.step_within for p in preds) / n,
    )


def report(split: str, runs: list[Run], preds: list[Prediction]) -> SplitReport:
    paper = {k: Scores(runs=0, agent=a, step=s) for k, (a, s) in PAPER.get(split, {}).items()}
    return SplitReport(split=split, ours=scores(preds), baselines=baselines(runs), paper=paper)


def baselines(runs: list[Run]) -> dict[str, Scores]:
    """Trivial predictors on the same runs: what the numbers must be read against."""
    rules: dict[str, Callable[[Run], tuple[str | None, int | None]]] = {
        "first agent turn": _first_turn,
        "last agent turn": _last_turn,
        "majority author (per run)": _majority_author,
    }
    out = {"random (expected)": _random_expectation(runs)}
    for name, rule in rules.items():
        out[name] = scores([_scored(r, *rule(r)) for r in runs])
    out["most common label agent (dataset prior)"] = _dataset_prior(runs)
    return out


def _turns(run: Run) -> list[tuple[str, int]]:
    return [(s.agent, step_index(s)) for s in run.trace.spans if s.kind == "llm" and s.agent]


def _first_turn(run: Run) -> tuple[str | None, int | None]:
    turns = _turns(run)
    return turns[0] if turns else (None, None)


def _last_turn(run: Run) -> tuple[str | None, int | None]:
    turns = _turns(run)
    return turns[-1] if turns else (None, None)


def _majority_author(run: Run) -> tuple[str | None, int | None]:
    """The run's most frequent author (a per-run statistic), at its first turn."""
    turns = _turns(run)
    if not turns:
        return None, None
    top = Counter(_agent_key(a) for a, _ in turns).most_common(1)[0][0]
    return next(t for t in turns if _agent_key(t[0]) == top)


def _random_expectation(runs: list[Run]) -> Scores:
    """Expected accuracy of a uniform guess: an agent among the run's agents, a step among its steps."""
    n = len(runs) or 1
    agent = step = within = 0.0
    for r in runs:
        agents = {_agent_key(a) for a, _ in _turns(r)}
        label = r.labels.mistake_step
        if agents and r.labels.mistake_agent and _agent_key(r.labels.mistake_agent) in agents:
            agent += 1 / len(agents)
        if label is not None:
            step += 1 / r.steps
            within += sum(1 for k in range(r.steps) if abs(k - label) <= TOLERANCE) / r.steps
    return Scores(runs=len(runs), agent=100 * agent / n, step=100 * step / n, step_within=100 * within / n)


def _dataset_prior(runs: list[Run]) -> Scores:
    """The split's most common labelled agent, always: a prior from the labels, printed for scale only."""
    counts = Counter(_agent_key(r.labels.mistake_agent) for r in runs if r.labels.mistake_agent)
    if not counts:
        return Scores(runs=len(runs), agent=0.0)
    top = counts.most_common(1)[0][1]
    return Scores(runs=len(runs), agent=100 * top / (len(runs) or 1))
