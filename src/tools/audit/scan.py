"""Walk a folder of postmortems and record each one: date, agent, agent rows, category, flags."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from tools.audit.classify import agent_rows, root_cause_category
from tools.audit.models import AuditResult, PostmortemRecord
from tools.audit.sources import bundle_meta, find_postmortems, incident_date
from tools.errors import BadInput
from tools.jsonio import decode, read_bytes
from tools.lint.context import build_context
from tools.lint.engine import run_rules
from tools.lint.markdown import parse_markdown


def _title(text: str, meta: dict[str, object]) -> str:
    title = meta.get("title")
    if isinstance(title, str) and title:
        return title
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def audit_file(path: Path, root: Path) -> PostmortemRecord:
    text = decode(path, read_bytes(path))
    meta = bundle_meta(path)
    agents = meta.get("agents")
    declared = [a for a in agents if isinstance(a, str)] if isinstance(agents, list) else []
    doc = parse_markdown(text)
    ctx = build_context(doc, agents=declared)
    if declared:
        ctx.agent_involved = True  # the bundle says an agent took part
    flags = run_rules(doc, ctx)
    when, source = incident_date(path, text, meta)
    return PostmortemRecord(
        path=str(path.relative_to(root)),
        title=_title(text, meta),
        date=when,
        date_source=source,
        agent_involved=ctx.agent_involved,
        agent_rows=agent_rows(doc),
        root_cause=root_cause_category(doc, flags) if ctx.agent_involved else None,
        flags=dict(Counter(f.code for f in flags)),
    )


def run_audit(root: Path, since: date | None = None) -> AuditResult:
    if not root.exists():
        raise BadInput(root, "no such folder")
    if not root.is_dir():
        raise BadInput(root, "not a folder; the audit reads a folder of postmortems")
    result = AuditResult(root=str(root), since=since)
    for path in find_postmortems(root):
        try:
            record = audit_file(path, root)
        except BadInput as exc:
            result.skipped.append(str(exc))  # one unreadable file must not sink the quarterly report
            continue
        if since is None or record.date >= since:
            result.records.append(record)
    return result
