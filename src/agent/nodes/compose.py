"""Node: assemble the PostmortemDraft, render draft.md, write draft.json, draft.md and eval_case.json."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from agent import __version__
from agent.draft import ChangeVariables, PostmortemDraft, Provenance
from agent.nodes._common import decision_span, log
from agent.offline import narrative
from agent.offline.remedies import eval_name
from agent.output import write_draft_files, write_eval_case
from agent.state import DraftState
from agent.workspace import workspace


def compose(state: DraftState) -> dict[str, Any]:
    draft = build_draft(state)
    write_draft_files(draft, state.out_dir)
    decision = decision_span(state)
    write_eval_case(state.out_dir, draft, decision, eval_name(draft.incident.id))
    log(state, "compose").info("composed", out_dir=state.out_dir)
    return {"draft": draft}


def build_draft(state: DraftState) -> PostmortemDraft:
    ws = workspace(state.bundle_path)
    idx = ws.index
    assert state.incident is not None and state.root_cause is not None
    decision = next((i for i in state.inferences if i.is_decision), None)
    decision_ids = {decision.span_id} if decision else set()
    key_spans = [c.span for c in ws.candidates if c.action_class != "read"][:20]
    key_spans += [s for s in idx.spans if s.status == "error"][:10]
    finding = ws.findings[0].message if ws.findings else None
    span = decision_span(state)
    after = span.end_ns if span is not None else None
    missing = list(ws.bundle.warnings)
    draft = PostmortemDraft(
        incident=state.incident,
        summary=narrative.summary(ws.bundle.meta, decision, state.correct_inference, state.root_cause),
        impact=narrative.impact(idx, ws.bundle.meta, finding),
        timeline=narrative.timeline(idx, decision_ids, set(state.finding_refs), _dedupe_spans(key_spans)),
        agent_inferences=state.inferences,
        correct_inference=state.correct_inference,
        missed_signals=state.missed_signals,
        context_changes=state.context_changes,
        root_cause=state.root_cause,
        dependencies=state.dependencies,
        change_variables=state.change_variables or ChangeVariables(),
        behavior_rate=state.behavior_rate,
        action_items=state.action_items,
        flags=[*state.flags, *state.reviewer_flags],
        detection=narrative.detection(idx, ws.bundle.meta),
        mitigation=narrative.mitigation(idx, after),
        contributing_factors=_contributing(state),
        missing_data=missing + [n for n in state.notes if n not in missing],
        provenance=_provenance(state),
    )
    return draft


def _contributing(state: DraftState) -> list[str]:
    assert state.root_cause is not None
    out = [f"{c.category} ({c.weight:.2f}): {c.rationale}" for c in state.root_cause.contributions[1:]]
    for sig in state.missed_signals[1:]:
        out.append(f"Also unseen or unheeded: {sig.name} — {sig.description}")
    return out


def _dedupe_spans(spans: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for s in spans:
        if s.span_id not in seen:
            seen.add(s.span_id)
            out.append(s)
    return out


def _model(state: DraftState) -> str | None:
    models = Counter(u.model for u in state.usage if u.model)
    if state.behavior_rate is not None and state.behavior_rate.model:
        models[state.behavior_rate.model] += 1
    return models.most_common(1)[0][0] if models else None


def _provenance(state: DraftState) -> Provenance:
    prompt_tokens = sum(u.prompt_tokens for u in state.usage)
    completion = sum(u.completion_tokens for u in state.usage)
    calls = sum(u.calls for u in state.usage)
    return Provenance(
        engine=state.engine,
        model=_model(state),
        llm_calls=calls,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion,
        degraded_nodes=list(state.degraded_nodes),
        duration_s=round(time.time() - state.started_at, 3) if state.started_at else 0.0,
        prompt_versions={u.node: u.prompt_version for u in state.usage if u.prompt_version},
        drafter_version=__version__,
        revisions=state.revisions,
        notes=list(state.notes),
        calls=[{"node": u.node, "prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens} for u in state.usage],
    )
