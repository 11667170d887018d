"""The correct inference: what the humans established, in their words, with refs."""

from __future__ import annotations

from agent.draft import CorrectInference
from agent.offline.findings import ScoredMessage
from tools.model.chat import Message, ts_key

MAX_MESSAGES = 3
# A correction must share the claim's subject and read as a statement (see score_corrections).
MIN_CORRECTION = 1.2


def correct_inference(
    findings: list[ScoredMessage], vindicating: list[Message], agent_quote: str | None,
    corrections: list[ScoredMessage] | None = None,
) -> CorrectInference | None:
    if not findings:
        return None
    chosen = _choose(findings, corrections or [])
    said = " ".join(f"{m.author} at {m.time:%H:%M} UTC: \u201c{m.text.strip()}\u201d" for m in chosen)
    refs = [m.ref for m in chosen]
    if vindicating:
        v = vindicating[0]
        refs.append(v.ref)
        text = (
            "The agent's own inference was right; the failure was in what happened to it. "
            f"Established in the channel — {said} Also {v.author}: \u201c{v.text.strip()}\u201d"
        )
        return CorrectInference(text=text, evidence=_dedupe(refs), agent_was_right=True)
    lead = "Established in the channel"
    if agent_quote:
        lead += ", contradicting the agent's inference"
    return CorrectInference(text=f"{lead} — {said}", evidence=refs)


def _choose(findings: list[ScoredMessage], corrections: list[ScoredMessage]) -> list[Message]:
    """The best finding (why it happened), the message that restates the truth about the agent's
    claim (what was true) when another one does, and a second close finding if there is room."""
    best = findings[0]
    chosen = [best.message]
    if corrections and corrections[0].score >= MIN_CORRECTION and corrections[0].message.ts != best.message.ts:
        chosen.append(corrections[0].message)
    for other in findings[1:4]:
        if len(chosen) >= MAX_MESSAGES:
            break
        if other.score >= best.score - 1.2 and all(other.message.ts != c.ts for c in chosen):
            chosen.append(other.message)
    chosen.sort(key=lambda m: ts_key(m.ts))
    return chosen


def _dedupe(refs: list[str]) -> list[str]:
    out: list[str] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out
