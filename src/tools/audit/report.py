"""The audit report: Markdown with tables and Mermaid charts, plus a PNG when matplotlib is there."""

from __future__ import annotations

from pathlib import Path

from tools.audit.models import CATEGORIES, AuditResult
from tools.lint.models import FlagCode


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _mermaid_chart(category: str, months: list[str], counts: dict[str, dict[str, int]]) -> str:
    values = [counts[m][category] for m in months]
    top = max([*values, 1])
    labels = ", ".join(f'"{m}"' for m in months)
    return "\n".join([
        "```mermaid",
        "xychart-beta",
        f'    title "{category} root causes per month"',
        f"    x-axis [{labels}]",
        f'    y-axis "postmortems" 0 --> {top}',
        f"    bar [{', '.join(str(v) for v in values)}]",
        "```",
    ])


def _summary(result: AuditResult) -> list[str]:
    total = len(result.records)
    agent = result.agent_records
    full = [r for r in agent if r.uses_agent_rows]
    partial = [r for r in agent if r.agent_rows and not r.uses_agent_rows]
    flat = [r for r in agent if not r.agent_rows]
    since = f" since {result.since.isoformat()}" if result.since else ""
    return [
        f"# Postmortem audit: {result.root}{since}",
        "",
        "| | postmortems | share |",
        "|---|---|---|",
        f"| read | {total} | |",
        f"| an AI agent took part | {len(agent)} | {_pct(len(agent), total)} of all |",
        f"| used the agent rows (≥ 3 of: inferred, correct inference, missed signal, context change) | {len(full)}"
        f" | {_pct(len(full), len(agent))} of agent postmortems |",
        f"| used some agent rows (1–2) | {len(partial)} | {_pct(len(partial), len(agent))} |",
        f"| flattened into the deterministic rows (no agent row) | {len(flat)} | {_pct(len(flat), len(agent))} |",
        "",
    ]


def _flags(result: AuditResult) -> list[str]:
    totals = result.flag_totals()
    lines = ["## Flags per code", "", "| code | flags | postmortems |", "|---|---|---|"]
    for code in [c.value for c in FlagCode] + [c for c in totals if c not in {f.value for f in FlagCode}]:
        flags, files = totals.get(code, (0, 0))
        lines.append(f"| {code} | {flags} | {files} |")
    return [*lines, ""]


def _categories(result: AuditResult) -> list[str]:
    months = result.months()
    counts = result.category_counts()
    lines = [
        "## Root-cause categories per month (agent postmortems)",
        "",
        "Classified from each postmortem's root-cause text. `unattributed` means the text blamed the prompt, a "
        "runbook or \"the AI\" without naming agent, tool, data or handoff.",
        "",
        "| month | " + " | ".join(CATEGORIES) + " |",
        "|---|" + "---|" * len(CATEGORIES),
    ]
    for m in months:
        lines.append(f"| {m} | " + " | ".join(str(counts[m][c]) for c in CATEGORIES) + " |")
    if not months:
        lines.append("| — | " + " | ".join("0" for _ in CATEGORIES) + " |")
    lines.append("")
    if months:
        for category in CATEGORIES:
            if any(counts[m][category] for m in months):
                lines += [_mermaid_chart(category, months, counts), ""]
    recurring = [c for c in CATEGORIES if sum(1 for m in months if counts[m][c]) >= 2]
    if recurring:
        lines += ["Recurring (in two or more months): " + ", ".join(recurring) + ".", ""]
    return lines


def _table(result: AuditResult) -> list[str]:
    lines = ["## Postmortems", "", "| date | file | agent | agent rows | root cause | flags |", "|---|---|---|---|---|---|"]
    for r in sorted(result.records, key=lambda r: (r.date, r.path)):
        flags = ", ".join(f"{c}×{n}" for c, n in sorted(r.flags.items())) or "—"
        rows = ", ".join(r.agent_rows) or "—"
        lines.append(f"| {r.date.isoformat()} ({r.date_source}) | `{r.path}` | {'yes' if r.agent_involved else 'no'} "
                     f"| {rows} | {r.root_cause or '—'} | {flags} |")
    if result.skipped:
        lines += ["", "Skipped (unreadable):", *[f"- {s}" for s in result.skipped]]
    return [*lines, ""]


def render_report(result: AuditResult, png_name: str | None = None) -> str:
    lines = _summary(result) + _flags(result) + _categories(result)
    if png_name:
        lines += [f"![root-cause categories per month]({png_name})", ""]
    lines += _table(result)
    return "\n".join(lines)


def write_png(result: AuditResult, path: Path) -> bool:
    """A stacked bar chart of categories per month; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    months = result.months()
    counts = result.category_counts()
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(months) + 2), 3.5))
    bottom = [0] * len(months)
    for category in CATEGORIES:
        values = [counts[m][category] for m in months]
        ax.bar(months, values, bottom=bottom, label=category)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("agent postmortems")
    ax.set_title("Root-cause categories per month")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True
