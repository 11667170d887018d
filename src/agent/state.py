"""Graph state: what a run is given (`DraftInput`) and what it builds up (`DraftState`).

The bundle itself is not in the state: checkpoints would copy a whole trace at every step.
Nodes reach the loaded bundle through `agent.workspace.workspace(bundle_path)`, a per-process
cache that a resumed run (possibly another process) rebuilds from disk when it needs it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.draft import (
    ActionItem,
    AgentInference,
    BehaviorRate,
    ChangeVariables,
    ContextChange,
    CorrectInference,
    Dependency,
    Flag,
    IncidentHeader,
    MissedSignal,
    PostmortemDraft,
    RootCause,
)

Engine = Literal["offline", "llm"]


class DraftInput(BaseModel):
    """What `pmdraft draft` starts a run with."""

    bundle_path: str = Field(description="Incident bundle directory.")
    out_dir: str = Field(description="Where draft.json, draft.md and eval_case.json are written.")
    engine: Engine = Field(default="offline", description="offline (default, no network) or llm.")
    review: bool = Field(default=True, description="Pause for a human reviewer before publishing.")
    replays: int = Field(default=0, description="Behavior-rate replays of the decision point (llm engine).")
    max_revisions: int = Field(default=2, description="Bound on lint → revise loops of the drafter's own text.")


class LLMUsage(BaseModel):
    node: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    prompt_version: str | None = None
    model: str | None = None


class ReviewDecision(BaseModel):
    """The reviewer's answer when a paused run is resumed."""

    approve: bool = Field(description="Publish now (with the current text and any flags shown).")
    edited_markdown: str | None = Field(default=None, description="The reviewer's edited draft.md, if any.")
    edited_draft: dict | None = Field(default=None, description="An edited draft.json, if the reviewer edited JSON.")
    reviewer: str | None = Field(default=None, description="Who reviewed.")


class DraftState(DraftInput):
    """Working state: each node fills its part; compose assembles the draft."""

    incident: IncidentHeader | None = None
    inferences: list[AgentInference] = Field(default_factory=list)
    agent_was_right: bool = False
    finding_refs: list[str] = Field(default_factory=list)
    correct_inference: CorrectInference | None = None
    missed_signals: list[MissedSignal] = Field(default_factory=list)
    root_cause: RootCause | None = None
    dependencies: list[Dependency] = Field(default_factory=list)
    change_variables: ChangeVariables | None = None
    context_changes: list[ContextChange] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    behavior_rate: BehaviorRate | None = None
    people: list[str] = Field(default_factory=list, description="Humans in the channel (for blame linting).")
    draft: PostmortemDraft | None = None
    flags: list[Flag] = Field(default_factory=list, description="Flags on the drafter's own text.")
    reviewer_flags: list[Flag] = Field(default_factory=list, description="Flags on the reviewer's edits.")
    revisions: int = 0
    review_rounds: int = 0
    review_decision: ReviewDecision | None = None
    edited_markdown: str | None = None
    published: bool = False
    degraded_nodes: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    usage: list[LLMUsage] = Field(default_factory=list)
    started_at: float = 0.0
    analysis_s: float = 0.0
