"""A synthetic large incident: shared case 09 (OpenAI Agents SDK export) buried in 50k spans.

Two kinds of noise, both in the Agents SDK JSONL format the case already uses:
- a second trace of routine work (one generation per five function calls), so the candidate
  list and the timeline are long;
- thousands of function spans in the decision's own trace, before it, each with a 2 kB payload,
  so that "what the agent had seen before deciding" alone is far over any prompt budget.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import SHARED_CASES

BASE_CASE = "09-double-discount"
DECISION_SPAN = "span_75361a75d2990ec4da53de2f"
DECISION_TRACE = "trace_626e4a689fb5e20d962f8cf26e8040d0"
AGENT_SPAN = "span_a9ab2cf895ae8a3a5388e696"
NOISE_TRACE = "trace_" + "ab" * 16


def big_incident(dest: Path, *, spans: int = 50_000, same_trace: int = 5_000) -> tuple[Path, str]:
    shutil.copytree(SHARED_CASES / BASE_CASE, dest)
    lines = [json.dumps({"object": "trace", "id": NOISE_TRACE, "workflow_name": "nightly-audit"})]
    root = "span_" + "f" * 24
    t0 = datetime(2026, 8, 27, 9, 0, tzinfo=UTC)
    other = spans - same_trace
    lines.append(_span(root, NOISE_TRACE, None, t0, t0 + timedelta(hours=5), {"type": "agent", "name": "Audit bot"}))
    for i in range(other - 1):
        start = t0 + timedelta(milliseconds=250 * i)
        lines.append(_span(f"span_{i:024x}", NOISE_TRACE, root, start, start + timedelta(milliseconds=200), _noise(i)))
    t1 = datetime(2026, 8, 27, 14, 0, tzinfo=UTC)
    payload = json.dumps({"rows": [{"account_id": str(40000 + k), "status": "active", "mrr_usd": 100 + k} for k in range(40)]})
    for j in range(same_trace):
        start = t1 + timedelta(milliseconds=1400 * j)
        data = {"type": "function", "name": "list_accounts_page", "input": json.dumps({"page": j}), "output": payload}
        lines.append(_span(f"span_{j:012x}{'e' * 12}", DECISION_TRACE, AGENT_SPAN, start, start + timedelta(milliseconds=900), data))
    (dest / "traces" / "noise.jsonl").write_text("\n".join(lines) + "\n")
    return dest, DECISION_SPAN


def _noise(i: int) -> dict[str, object]:
    if i % 5 == 0:
        return {"type": "generation", "model": "gpt-x",
                "input": [{"role": "user", "content": f"check account {i}"}],
                "output": [{"role": "assistant", "content": f"Account {i} looks fine; reading the next page of the report."}]}
    return {"type": "function", "name": "get_account", "input": json.dumps({"account_id": str(i)}),
            "output": json.dumps({"account_id": str(i), "status": "active", "mrr_usd": i % 977})}


def _span(sid: str, trace: str, parent: str | None, start: datetime, end: datetime, data: dict[str, object]) -> str:
    return json.dumps({
        "object": "trace.span", "id": sid, "trace_id": trace, "parent_id": parent,
        "started_at": start.isoformat(), "ended_at": end.isoformat(), "span_data": data, "error": None,
    })
