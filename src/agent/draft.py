"""`draft.json` — the contract of spec/bundle.md §3, as pydantic models.

Field names are fixed by the spec: add fields freely, never rename or drop one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Category = Literal["agent", "tool", "data", "handoff"]
CATEGORIES: tuple[Category, ...] = ("agent", "tool", "data", "handoff")
ActionKind = Literal["eval_coverage", "guardrail", "escalation_threshold", "tool_change", "data_fix", "process"]
ChangeKind = Literal["tool", "context", "data", "escalation"]


class IncidentHeader(BaseModel):
    id: str
    title: str | None = None
    severity: str | None = None
    opened_at: str | None = None
    resolved_at: str | None = None
    missing: list[str] = Field(default_factory=list, description="incident.json fields that were absent.")


class AgentInference(BaseModel):
    span_id: str = Field(description="Span holding the inference, as the trace spells it.")
    trace_id: str | None = None
    at: str | None = Field(default=None, description="ISO time of the span's end (when the inference was made).")
    agent: str | None = None
    quote: str = Field(description="Verbatim text copied from the span's recorded content.")
    action: str | None = Field(default=None, description="The action the inference led to, e.g. run_recovery(...).")
    verified: bool = Field(description="The quote was found verbatim in the span's recorded content.")
    is_decision: bool = Field(description="The drafter's pick for the wrong inference.")
    why: str | None = Field(default=None, description="Why the drafter picked (or ranked) this inference.")
    score: float | None = Field(default=None, description="Offline ranking score, for the reviewer.")


class CorrectInference(BaseModel):
    text: str = Field(description="What the humans established, with who/when.")
    evidence: list[str] = Field(default_factory=list, description="Refs: chat:<ts>, span:<id>.")
    agent_was_right: bool = Field(
        default=False, description="The chat shows the agent's own inference was correct; the failure was elsewhere."
    )


class MissedSignal(BaseModel):
    name: str = Field(description="Short name of the signal (metric, field, document version, flag).")
    description: str = Field(description="What the signal showed, in the words of the evidence.")
    in_agent_context: bool | None = Field(
        description="Was it in the agent's context before its decision? None when it cannot be told."
    )
    source: str | None = Field(default=None, description="Where it came from or should have come from.")
    evidence: list[str] = Field(default_factory=list)
    context_refs: list[str] = Field(
        default_factory=list, description="Spans where the signal was visible to the agent before its decision."
    )


class ContextChange(BaseModel):
    kind: ChangeKind
    target: str = Field(description="The tool, data source, context or escalation path to change.")
    change: str = Field(description="The change, phrased as a tool/context/data/escalation change.")


class Contribution(BaseModel):
    category: Category
    weight: float
    rationale: str
    evidence: list[str] = Field(default_factory=list)


class Upstream(BaseModel):
    provider: str
    region: str | None = None
    tier: Literal["third-party", "fourth-party"]
    text: str
    evidence: list[str] = Field(default_factory=list)


class RootCause(BaseModel):
    summary: str
    primary: Category
    contributions: list[Contribution]
    upstream: Upstream | None = None


class Dependency(BaseModel):
    provider: str
    endpoint: str | None = None
    region: str | None = None
    calls: int = 0
    errors: dict[str, int] = Field(default_factory=dict)
    p50_ms: float | None = None
    p95_ms: float | None = None
    first_error_at: str | None = None
    last_error_at: str | None = None
    refs: list[str] = Field(default_factory=list)


class ChangeVariables(BaseModel):
    prompt_revision: str | None = None
    model: str | None = None
    judge_config: str | None = None
    retrieval_index: str | None = None
    tool_schema_versions: dict[str, str] = Field(default_factory=dict)
    traffic_mix: str | None = None
    evidence: dict[str, list[str]] = Field(default_factory=dict, description="Refs per variable.")


class BehaviorRate(BaseModel):
    replays: int
    bad: int
    rate: float
    ci_low: float | None = None
    ci_high: float | None = None
    model: str | None = None


class ActionItem(BaseModel):
    kind: ActionKind
    title: str
    target: str = Field(description="Measurable target: a rate on a named eval, a threshold, an artifact.")
    eval: str | None = Field(default=None, description="Named eval or metric the target is measured on.")
    owner: str | None = None


class Flag(BaseModel):
    code: str
    field: str | None = None
    text: str
    why: str
    suggestion: str
    source: Literal["drafter", "reviewer"] = "drafter"
    line: int | None = None


class TimelineEntry(BaseModel):
    at: str | None
    ref: str
    who: str
    text: str
    kind: Literal["span", "chat", "meta"] = "span"


class Provenance(BaseModel):
    engine: Literal["offline", "llm"] = "offline"
    model: str | None = None
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    degraded_nodes: list[str] = Field(default_factory=list)
    duration_s: float = 0.0
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    drafter_version: str | None = None
    revisions: int = 0
    notes: list[str] = Field(default_factory=list, description="What was missing or degraded, in words.")
    calls: list[dict[str, int | str]] = Field(default_factory=list, description="Per-call token counts.")


class Review(BaseModel):
    status: Literal["pending", "approved"] = "pending"
    reviewer: str | None = None
    approved_at: str | None = None
    edited: bool = False


class PostmortemDraft(BaseModel):
    schema_version: int = 1
    incident: IncidentHeader
    summary: str = ""
    impact: str = ""
    timeline: list[TimelineEntry] = Field(default_factory=list)
    agent_inferences: list[AgentInference] = Field(default_factory=list)
    correct_inference: CorrectInference | None = None
    missed_signals: list[MissedSignal] = Field(default_factory=list)
    context_changes: list[ContextChange] = Field(default_factory=list)
    root_cause: RootCause | None = None
    dependencies: list[Dependency] = Field(default_factory=list)
    change_variables: ChangeVariables = Field(default_factory=ChangeVariables)
    behavior_rate: BehaviorRate | None = None
    action_items: list[ActionItem] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    detection: str = ""
    mitigation: str = ""
    contributing_factors: list[str] = Field(default_factory=list)
    missing_data: list[str] = Field(default_factory=list, description="What the inputs lacked, said plainly.")
    review: Review = Field(default_factory=Review)
    provenance: Provenance = Field(default_factory=Provenance)
