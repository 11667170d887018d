"""The drafter end to end on the reference cases: valid draft.json, verified quotes, accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.draft import PostmortemDraft
from agent.runner import start_draft
from agent.state import DraftInput
from agent.workspace import forget, workspace
from conftest import needs_shared, shared_case_dirs

SPEC_TOP_KEYS = {
    "schema_version", "incident", "agent_inferences", "correct_inference", "missed_signals", "context_changes",
    "root_cause", "dependencies", "change_variables", "behavior_rate", "action_items", "flags", "provenance",
}


def draft_case(case: Path, out: Path, db: Path) -> dict:
    ws = workspace(str(case))
    try:
        result = start_draft(
            DraftInput(bundle_path=str(case), out_dir=str(out), review=False), ws.bundle.meta.id, db=str(db)
        )
    finally:
        forget(str(case))
    assert result.state is not None and not result.interrupted
    return json.loads((out / "draft.json").read_text())


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, dict]]:
    root = tmp_path_factory.mktemp("drafts")
    out: dict[str, tuple[dict, dict]] = {}
    for case in shared_case_dirs():
        d = draft_case(case, root / case.name, root / "db.sqlite")
        out[case.name] = (d, json.loads((case / "expected.json").read_text()))
    return out


@needs_shared
def test_every_case_writes_a_valid_draft(drafts: dict[str, tuple[dict, dict]], tmp_path: Path) -> None:
    assert len(drafts) == 12
    for name, (d, _) in drafts.items():
        assert d.keys() >= SPEC_TOP_KEYS, name
        PostmortemDraft.model_validate(d)
        weights = [c["weight"] for c in d["root_cause"]["contributions"]]
        assert abs(sum(weights) - 1.0) < 1e-6, name
        assert d["root_cause"]["primary"] == max(d["root_cause"]["contributions"], key=lambda c: c["weight"])["category"]
        assert any(a["kind"] == "eval_coverage" for a in d["action_items"]), name
        assert all(a["target"] for a in d["action_items"]), name


@needs_shared
def test_all_quotes_are_verified_verbatim(drafts: dict[str, tuple[dict, dict]]) -> None:
    for name, (d, _) in drafts.items():
        for inf in d["agent_inferences"]:
            assert inf["verified"], (name, inf["span_id"])


@needs_shared
def test_accuracy_on_reference_cases(drafts: dict[str, tuple[dict, dict]]) -> None:
    decision = in_context = primary = 0
    for d, exp in drafts.values():
        picked = next((i["span_id"] for i in d["agent_inferences"] if i["is_decision"]), None)
        expected_ids = exp.get("decision_span_ids")
        decision += (picked in expected_ids) if expected_ids else (picked is None)
        primary += d["root_cause"]["primary"] == exp["root_cause_primary"]
        if "missed_signal_in_context" in exp:
            phrases = [p.lower() for p in exp["missed_signal_phrases"]]
            sigs = d["missed_signals"]
            match = next((s for s in sigs if all(p in (s["name"] + " " + s["description"]).lower() for p in phrases)),
                         sigs[0] if sigs else None)
            in_context += match is not None and match["in_agent_context"] == exp["missed_signal_in_context"]
        else:
            in_context += 1
    print(f"\nreference cases: decision {decision}/12, in-context {in_context}/12, primary {primary}/12")
    assert decision >= 10 and in_context >= 10 and primary >= 10, (decision, in_context, primary)


@needs_shared
def test_correct_but_powerless_marks_no_wrong_decision(drafts: dict[str, tuple[dict, dict]]) -> None:
    d, exp = drafts["03-correct-but-powerless"]
    assert "decision_span_ids" not in exp
    assert not any(i["is_decision"] for i in d["agent_inferences"])
    assert d["correct_inference"]["agent_was_right"] is True
