"""Run every bundle of a dataset through the drafter and score it.

Cases run in a process pool for the offline engine (each draft is CPU-bound Python) and in a
thread pool for the LLM engine (each draft waits on the network). Each case is drafted without
review into its own output folder; a case that fails to load is scored as an error, not skipped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import orjson

from agent.evals.scoring import CaseScore, score
from tools.errors import BadInput


def find_cases(dataset: Path) -> list[Path]:
    if not dataset.is_dir():
        raise BadInput(dataset, "not a directory of incident bundles")
    if (dataset / "incident.json").is_file():
        return [dataset]
    cases = sorted(p.parent for p in dataset.glob("*/incident.json"))
    if not cases:
        cases = sorted(p.parent for p in dataset.glob("**/incident.json"))
    if not cases:
        raise BadInput(dataset, "no incident bundles found (folders with incident.json)")
    return cases


def run_case(case: str, out_dir: str, engine: str) -> CaseScore:
    """Draft one case (no review, no checkpoint DB) and score it. Runs in a worker."""
    from agent.graph import build_graph
    from agent.llm.setup import prepare_engine
    from agent.state import DraftInput
    from agent.workspace import forget, workspace
    from tools.lint import lint_markdown

    name = Path(case).name
    t0 = time.perf_counter()
    try:
        ws = workspace(case)
        prepare_engine(engine)
        graph = build_graph(None)
        inp = DraftInput(bundle_path=case, out_dir=out_dir, engine=engine, review=False)
        graph.invoke(inp)
        draft = orjson.loads((Path(out_dir) / "draft.json").read_bytes())
        expected = ws.bundle.expected or {}
        codes = [f.code for f in lint_markdown(ws.bundle.postmortem)] if ws.bundle.postmortem is not None else None
        result = CaseScore(
            case=name, incident_id=ws.bundle.meta.id, metrics=score(draft, expected, codes),
            seconds=time.perf_counter() - t0,
            tokens=draft["provenance"]["prompt_tokens"] + draft["provenance"]["completion_tokens"],
            details=_details(draft, expected, codes),
        )
        result.details["baselines"] = baselines(ws)
        return result
    except BadInput as exc:
        return CaseScore(case=name, incident_id="?", error=str(exc), seconds=time.perf_counter() - t0)
    finally:
        forget(case)


def _details(draft: dict[str, Any], expected: dict[str, Any], codes: list[str] | None) -> dict[str, Any]:
    dec = next((i for i in draft["agent_inferences"] if i["is_decision"]), None)
    sig = (draft.get("missed_signals") or [None])[0]
    return {
        "decision": dec["span_id"] if dec else None,
        "expected_decision": expected.get("decision_span_ids"),
        "primary": (draft.get("root_cause") or {}).get("primary"),
        "expected_primary": expected.get("root_cause_primary"),
        "signal": sig["name"] if sig else None,
        "in_context": sig["in_agent_context"] if sig else None,
        "expected_in_context": expected.get("missed_signal_in_context"),
        "flags": sorted(set(codes)) if codes is not None else None,
        "expected_flags": expected.get("postmortem_flags"),
        "upstream": (draft.get("root_cause") or {}).get("upstream"),
        "expected_upstream": expected.get("upstream", "unlabelled"),
    }


def baselines(ws: Any) -> dict[str, str | None]:
    """Trivial decision-point baselines, for comparison: the first LLM call that acted, the last LLM call."""
    from tools.text.actions import classify_tool

    llm = [s for s in ws.index.llm_spans if s.output_text or s.output_tool_calls]
    acting = [s for s in llm if any(classify_tool(c.name) in ("act", "handoff") for c in s.output_tool_calls)]
    return {
        "first_acting_llm": acting[0].span_id if acting else (llm[0].span_id if llm else None),
        "last_llm": llm[-1].span_id if llm else None,
    }


def run_dataset(
    dataset: Path, out_root: Path, engine: str, workers: int | None = None,
    on_done: Callable[[CaseScore], None] | None = None,
) -> list[CaseScore]:
    cases = find_cases(dataset)
    n = workers or min(len(cases), os.cpu_count() or 1)
    pool: Executor
    if engine == "llm":
        pool = ThreadPoolExecutor(max_workers=max(n, 1))
    elif n > 1 and len(cases) > 2:
        pool = ProcessPoolExecutor(max_workers=n)
    else:
        pool = ThreadPoolExecutor(max_workers=1)
    results: list[CaseScore] = []
    with pool:
        futures = {pool.submit(run_case, str(c), str(out_root / c.name), engine): c for c in cases}
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            if on_done:
                on_done(r)
    results.sort(key=lambda r: r.case)
    return results
