"""Running the graph with a checkpointer: start a draft, inspect a paused run, resume it.

The thread id is the incident id, so `pmdraft review INC-2041` finds the paused run from any
process that opens the same checkpoint database (SQLite file by default, Postgres for shared
deployments).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.types import Command

from agent.graph import build_graph
from agent.state import DraftInput, DraftState, ReviewDecision
from tools.errors import BadInput

NodeCallback = Callable[[str], None]


def default_db() -> str:
    env = os.environ.get("PMDRAFT_DB")
    if env:
        return env
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return str(base / "pmdraft" / "checkpoints.sqlite")


@contextmanager
def open_checkpointer(db: str | None = None) -> Iterator[Any]:
    """SQLite (a path) by default; a postgresql:// URL uses LangGraph's Postgres saver."""
    target = db or default_db()
    if target.startswith(("postgresql://", "postgres://")):
        from agent.persistence import postgres_saver

        with postgres_saver(target) as saver:
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(path, f"cannot create the checkpoint folder ({exc.strerror})") from None
    with SqliteSaver.from_conn_string(str(path)) as saver:
        yield saver


@dataclass
class RunResult:
    state: DraftState | None
    interrupted: bool = False
    payload: dict[str, Any] = field(default_factory=dict)


def _config(incident_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": incident_id}}


def _run(graph: Any, value: Any, incident_id: str, on_node: NodeCallback | None) -> RunResult:
    for update in graph.stream(value, _config(incident_id), stream_mode="updates", durability="sync"):
        if on_node is not None:
            for node in update:
                if node != "__interrupt__":
                    on_node(node)
    return snapshot(graph, incident_id)


def snapshot(graph: Any, incident_id: str) -> RunResult:
    snap = graph.get_state(_config(incident_id))
    if not snap or not snap.values:
        return RunResult(state=None)
    state = snap.values if isinstance(snap.values, DraftState) else DraftState.model_validate(snap.values)
    interrupts = [i for task in snap.tasks for i in task.interrupts]
    if interrupts:
        payload = interrupts[0].value if isinstance(interrupts[0].value, dict) else {"value": interrupts[0].value}
        return RunResult(state=state, interrupted=True, payload=payload)
    return RunResult(state=state)


def start_draft(inp: DraftInput, incident_id: str, db: str | None = None, on_node: NodeCallback | None = None,
                restart: bool = False) -> RunResult:
    with open_checkpointer(db) as saver:
        graph = build_graph(saver)
        existing = snapshot(graph, incident_id)
        if existing.interrupted and existing.state is not None:
            if not restart:
                raise BadInput(
                    inp.bundle_path,
                    f"{incident_id} already has a draft waiting for review; run `pmdraft review {incident_id}`, "
                    "or pass --restart to draft it again (reviewer edits are saved beside the draft first)",
                )
            _preserve_edits(existing.state)
        if existing.state is not None:
            saver.delete_thread(incident_id)
        return _run(graph, inp, incident_id, on_node)


def resume(incident_id: str, decision: ReviewDecision, db: str | None = None,
           on_node: NodeCallback | None = None) -> RunResult:
    with open_checkpointer(db) as saver:
        graph = build_graph(saver)
        current = snapshot(graph, incident_id)
        if current.state is None:
            raise BadInput(incident_id, f"no draft run for this incident in {db or default_db()}")
        if not current.interrupted:
            raise BadInput(incident_id, "this draft is not waiting for review (already published?)")
        return _run(graph, Command(resume=decision.model_dump()), incident_id, on_node)


def load_run(incident_id: str, db: str | None = None) -> RunResult:
    with open_checkpointer(db) as saver:
        return snapshot(build_graph(saver), incident_id)


def _preserve_edits(state: DraftState) -> None:
    if state.edited_markdown:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = Path(state.out_dir) / f"draft.edited-{stamp}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(state.edited_markdown, encoding="utf-8")
