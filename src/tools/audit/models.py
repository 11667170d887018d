"""What the quarterly audit records per postmortem, and over the folder."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

CATEGORIES = ("agent", "tool", "data", "handoff", "unattributed")


class PostmortemRecord(BaseModel):
    path: str
    title: str = ""
    date: date
    date_source: str = Field(description="incident.json | document | mtime")
    agent_involved: bool
    agent_rows: list[str] = Field(default_factory=list, description="which of the four agent rows are present")
    root_cause: str | None = Field(default=None, description="agent | tool | data | handoff | unattributed; None if no agent")
    flags: dict[str, int] = Field(default_factory=dict, description="flag code → count")

    @property
    def month(self) -> str:
        return self.date.strftime("%Y-%m")

    @property
    def uses_agent_rows(self) -> bool:
        """At least three of the four rows: a postmortem that kept the agent's inference first-class."""
        return len(self.agent_rows) >= 3


class AuditResult(BaseModel):
    root: str
    since: date | None = None
    records: list[PostmortemRecord] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="files that could not be read, with why")

    @property
    def agent_records(self) -> list[PostmortemRecord]:
        return [r for r in self.records if r.agent_involved]

    def months(self) -> list[str]:
        return sorted({r.month for r in self.agent_records})

    def category_counts(self) -> dict[str, dict[str, int]]:
        """month → category → number of agent postmortems whose root cause is in that category."""
        out: dict[str, dict[str, int]] = {m: dict.fromkeys(CATEGORIES, 0) for m in self.months()}
        for r in self.agent_records:
            if r.root_cause is not None:
                out[r.month][r.root_cause] += 1
        return out

    def flag_totals(self) -> dict[str, tuple[int, int]]:
        """flag code → (number of flags, number of postmortems with that flag)."""
        totals: dict[str, tuple[int, int]] = {}
        for r in self.records:
            for code, n in r.flags.items():
                flags, files = totals.get(code, (0, 0))
                totals[code] = (flags + n, files + 1)
        return dict(sorted(totals.items()))
