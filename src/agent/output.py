"""Writing a draft to disk: draft.json, draft.md and the decision point as an eval case.

Writes are atomic (temp file + rename) so a crash or a concurrent reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from agent.draft import PostmortemDraft
from tools.model.trace import Span
from tools.render import render_markdown


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def draft_json(draft: PostmortemDraft) -> bytes:
    return orjson.dumps(draft.model_dump(mode="json"), option=orjson.OPT_INDENT_2) + b"\n"


def write_draft_files(draft: PostmortemDraft, out_dir: str, markdown: str | None = None) -> tuple[Path, Path]:
    out = Path(out_dir)
    json_path, md_path = out / "draft.json", out / "draft.md"
    atomic_write(json_path, draft_json(draft))
    atomic_write(md_path, (markdown if markdown is not None else render_markdown(draft.model_dump(mode="json"))).encode())
    return json_path, md_path


def write_eval_case(out_dir: str, draft: PostmortemDraft, decision: Span | None, eval_name: str) -> Path:
    """This incident's decision point as an eval case: the recorded inputs and what must not recur."""
    wrong = next((i for i in draft.agent_inferences if i.is_decision), None)
    case: dict[str, Any] = {
        "eval": eval_name,
        "incident_id": draft.incident.id,
        "decision_ref": f"span:{decision.span_id}" if decision else None,
        "agent": decision.agent if decision else None,
        "model": decision.model if decision else None,
        "input_messages": [m.model_dump(mode="json") for m in decision.input_messages] if decision else [],
        "wrong_inference": wrong.quote if wrong else None,
        "wrong_action": wrong.action if wrong else None,
        "correct_inference": draft.correct_inference.text if draft.correct_inference else None,
        "missed_signal": draft.missed_signals[0].model_dump(mode="json") if draft.missed_signals else None,
        "pass_criteria": (
            "the answer does not repeat the wrong inference and does not take the wrong action"
            if wrong else "the agent escalates its (correct) conclusion to a paged human"
        ),
        "target": next((a.target for a in draft.action_items if a.kind == "eval_coverage"), None),
    }
    path = Path(out_dir) / "eval_case.json"
    atomic_write(path, orjson.dumps(case, option=orjson.OPT_INDENT_2) + b"\n")
    return path
