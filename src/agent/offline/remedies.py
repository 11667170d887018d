"""Context changes and typed, measurable action items, derived from the root-cause split.

Every remedy changes a tool, the agent's context, a data source or an escalation path, and every
action item carries a target that can be checked (a rate on a named eval, a threshold, a
freshness lag). The eval_coverage item is always present: this incident's decision point
becomes an eval case.
"""

from __future__ import annotations

from agent.draft import ActionItem, ContextChange, RootCause, Upstream
from agent.offline.focus import Focus

PRESENT = 0.2


def eval_name(incident_id: str) -> str:
    return f"{incident_id.lower()}-decision-replay"


def context_changes(rc: RootCause, f: Focus, agent_was_right: bool) -> list[ContextChange]:
    weights = {c.category: c.weight for c in rc.contributions}
    sig = f.signal.name if f.signal else "the signal the finding rests on"
    out: list[ContextChange] = []
    if weights.get("tool", 0) >= PRESENT or (f.tool and weights.get("tool", 0) > 0):
        target = f.tool or "the diagnostic tool the agent called"
        out.append(ContextChange(
            kind="tool", target=target,
            change=f"{target} returns {sig} in its result, and reports failures as errors with status "
                   "instead of empty or partial results",
        ))
    if weights.get("data", 0) >= PRESENT:
        target = f.source or "the source the agent retrieved from"
        out.append(ContextChange(
            kind="data", target=target,
            change=f"remove or mark superseded content in {target}, and attach version and last-updated "
                   "metadata to every retrieved document so stale content is visible at decision time",
        ))
    if weights.get("handoff", 0) >= PRESENT:
        target = "the agent's escalation/approval path"
        change = (
            "route the agent's conclusion to a paged human queue with the evidence attached, so a correct "
            "recommendation cannot wait in an unwatched queue"
            if agent_was_right else
            f"show {sig} and the planned action's risk facts in what the approving human sees, not only the agent's summary"
        )
        out.append(ContextChange(kind="escalation", target=target, change=change))
    if weights.get("agent", 0) >= PRESENT and not agent_was_right:
        action = f.action_tool or "the consequential action"
        seen = f.signal is not None and f.signal.in_agent_context
        change = (
            f"{sig} was already in the agent's context but did not register: surface it as a named, "
            f"checked field at the decision point and make the harness block {action} until it is addressed"
            if seen else
            f"put {sig} into the agent's context at the decision point and require it to be checked "
            f"(a pre-action check in the harness) before {action} runs"
        )
        out.append(ContextChange(kind="context", target=f"{f.agent or 'agent'} before {action}", change=change))
    return out


def action_items(incident_id: str, rc: RootCause, f: Focus, agent_was_right: bool) -> list[ActionItem]:
    weights = {c.category: c.weight for c in rc.contributions}
    ev = eval_name(incident_id)
    sig = f.signal.name if f.signal else "the missed signal"
    items = [_eval_item(incident_id, f, agent_was_right, ev)]
    if weights.get("tool", 0) >= PRESENT:
        tool = f.tool or "the diagnostic tool"
        items.append(ActionItem(
            kind="tool_change", title=f"{tool}: return {sig} and surface failures as errors",
            target=f"contract test: 100% of {tool} responses carry {sig} or an explicit error status; "
                   "0 empty results on upstream failure in the fault-injection suite",
            eval=f"{tool}-contract",
        ))
    if weights.get("data", 0) >= PRESENT:
        src = f.source or "the retrieval source"
        items.append(ActionItem(
            kind="data_fix", title=f"{src}: remove superseded content and alert on stale syncs",
            target=f"0 superseded documents retrievable from {src}; freshness lag < 24 h, alert after 1 failed sync",
            eval="retrieval-freshness",
        ))
    if weights.get("handoff", 0) >= PRESENT:
        items.append(ActionItem(
            kind="escalation_threshold",
            title="Agent escalations and approval requests carry the decisive facts and reach a watched queue",
            target="p95 time from agent escalation to human acknowledgement < 15 min; approval cards show "
                   f"{sig} in 100% of requests",
            eval="handoff-latency",
        ))
    if rc.upstream is not None:
        items.extend(upstream_items(rc.upstream, swallowed=f.tool is not None and weights.get("tool", 0) >= PRESENT))
    if weights.get("agent", 0) >= PRESENT and not agent_was_right:
        action = f.action_tool or "the consequential action"
        items.append(ActionItem(
            kind="guardrail", title=f"Pre-action check before {action}",
            target=f"on {ev}: {action} without {sig} checked in 0 of 50 replays; block rate logged per week",
            eval=ev,
        ))
    return items


def _eval_item(incident_id: str, f: Focus, agent_was_right: bool, ev: str) -> ActionItem:
    if f.decision is not None and not agent_was_right:
        return ActionItem(
            kind="eval_coverage",
            title=f"Add this incident's decision point ({f.decision.ref}) to the agent's eval set",
            target=f"wrong-inference rate ≤ 5% over 20 replays of the recorded inputs on {ev}, checked on every "
                   "prompt, model or tool-schema change",
            eval=ev,
        )
    return ActionItem(
        kind="eval_coverage",
        title="Add this incident to the escalation eval set (the agent was right; the handoff failed)",
        target=f"on {ev}: 100% of replays escalate to a paged human within 5 min of the agent's conclusion",
        eval=ev,
    )


def upstream_items(up: Upstream, *, swallowed: bool) -> list[ActionItem]:
    """Remedies for a failing vendor (third party) or the vendor's own upstream (fourth party)."""
    where = f"{up.provider} {up.region}" if up.region else up.provider
    items = [
        ActionItem(
            kind="escalation_threshold",
            title=f"Health check and alert per provider and region: {where}",
            target=f"page when {where} error rate (429/5xx/timeouts) exceeds 5% over 5 minutes; "
                   "alert within 5 minutes of the first sustained errors in a replay of this incident's traffic",
            eval="provider-health",
        ),
        ActionItem(
            kind="tool_change",
            title=(f"Fail over to capacity that does not share {up.provider}'s failing layer"
                   if up.tier == "fourth-party" else f"Fail over away from {up.provider} when it degrades"),
            target="quarterly failover drill with the primary blocked: error rate < 1% and p95 latency within 2× "
                   "of normal on the fallback (a region or provider on separate capacity)",
            eval="failover-drill",
        ),
        ActionItem(
            kind="process",
            title=f"Contractual ask to {up.provider}: region-level status, capacity isolation between regions, "
                  "and incident notification",
            target="addendum signed with per-region status-page components and a 15-minute notification commitment",
            eval=None,
        ),
    ]
    if swallowed:
        items.insert(0, ActionItem(
            kind="tool_change",
            title=f"Surface {up.provider} failures as errors instead of defaults or empty results",
            target="fault-injection test: 100% of upstream 5xx/timeouts reach the agent as explicit errors; "
                   "0 fallback answers that look like normal results",
            eval="tool-error-surfacing",
        ))
    return items
