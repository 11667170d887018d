"""Score one draft against one case's labels (spec/bundle.md §2).

Every metric is optional per case: a metric skips the cases whose expected.json lacks its key.
Phrase matching is case-insensitive substring matching, as the spec says.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agent.draft import CATEGORIES

PRESENT = 0.2


class CaseScore(BaseModel):
    case: str
    incident_id: str
    metrics: dict[str, float | None] = Field(default_factory=dict, description="metric → 0..1, None = not labelled")
    seconds: float = 0.0
    tokens: int = 0
    error: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


def _has_all(text: str, phrases: list[str]) -> bool:
    low = text.lower()
    return all(p.lower() in low for p in phrases)


def decision_of(draft: dict[str, Any]) -> dict[str, Any] | None:
    return next((i for i in draft.get("agent_inferences", []) if i.get("is_decision")), None)


def score(draft: dict[str, Any], expected: dict[str, Any], lint_codes: list[str] | None) -> dict[str, float | None]:
    m: dict[str, float | None] = {}
    dec = decision_of(draft)
    if "decision_span_ids" in expected:
        m["decision_span"] = float(dec is not None and dec["span_id"] in expected["decision_span_ids"])
    elif expected:
        m["decision_span"] = float(dec is None)  # no label = the agent was right: nothing may be marked
    infs = draft.get("agent_inferences", [])
    m["quote_verified"] = (sum(1 for i in infs if i.get("verified")) / len(infs)) if infs else None
    if expected.get("inference_phrases"):
        m["inference_phrase"] = float(dec is not None and _has_all(dec["quote"], expected["inference_phrases"]))
    if expected.get("correct_inference_phrases"):
        ci = draft.get("correct_inference") or {}
        m["correct_inference_phrase"] = float(_has_all(ci.get("text", ""), expected["correct_inference_phrases"]))
    signal = _matching_signal(draft, expected)
    if expected.get("missed_signal_phrases"):
        m["missed_signal_phrase"] = float(signal is not None)
    if "missed_signal_in_context" in expected:
        sig = signal or (draft.get("missed_signals") or [None])[0]
        m["in_context"] = float(sig is not None and sig.get("in_agent_context") == expected["missed_signal_in_context"])
    rc = draft.get("root_cause") or {}
    if expected.get("root_cause_primary"):
        m["root_cause_primary"] = float(rc.get("primary") == expected["root_cause_primary"])
    if "root_cause_present" in expected:
        m["category_f1"] = _presence_f1(rc, expected["root_cause_present"])
    if "postmortem_flags" in expected and lint_codes is not None:
        m["postmortem_flags"] = float(sorted(set(lint_codes)) == sorted(set(expected["postmortem_flags"])))
    if "upstream" in expected:
        m["upstream"] = _upstream(rc.get("upstream"), expected["upstream"])
    if expected.get("what_moved_model_phrases"):
        model = (draft.get("change_variables") or {}).get("model") or ""
        m["what_moved_model"] = float(_has_all(model, expected["what_moved_model_phrases"]))
    return m


def _matching_signal(draft: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any] | None:
    phrases = expected.get("missed_signal_phrases") or []
    if not phrases:
        return None
    for s in draft.get("missed_signals", []):
        if _has_all(f"{s.get('name', '')} {s.get('description', '')}", phrases):
            return s
    return None


def _presence_f1(rc: dict[str, Any], present: list[str]) -> float:
    got = {c["category"] for c in rc.get("contributions", []) if c.get("weight", 0) >= PRESENT}
    want = set(present)
    if not got and not want:
        return 1.0
    tp = len(got & want)
    if tp == 0:
        return 0.0
    p, r = tp / len(got), tp / len(want)
    return 2 * p * r / (p + r)


def _upstream(got: dict[str, Any] | None, want: dict[str, Any] | None) -> float:
    if want is None:
        return float(got is None)
    if got is None:
        return 0.0
    ok = got.get("tier") == want.get("tier")
    ok = ok and _has_all(got.get("provider") or "", want.get("provider_phrases") or [])
    ok = ok and _has_all(got.get("region") or "", want.get("region_phrases") or [])
    return float(ok)


__all__ = ["CATEGORIES", "CaseScore", "decision_of", "score"]
