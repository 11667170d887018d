"""The quarterly audit over a folder of postmortems (DESIGN.md: "the team runs the drafter's own
evals on its historical postmortems"): agent involvement, agent-row use vs flattening, flags per
code, and the recurrence of root-cause categories per month, as a Markdown report with charts.
"""

from tools.audit.models import CATEGORIES, AuditResult, PostmortemRecord
from tools.audit.report import render_report, write_png
from tools.audit.scan import audit_file, run_audit

__all__ = ["CATEGORIES", "AuditResult", "PostmortemRecord", "audit_file", "render_report", "run_audit", "write_png"]
