"""Run every rule over a document: `lint_markdown` for files, `lint_fields` for the draft's own text."""

from __future__ import annotations

from collections.abc import Collection

from tools.lint.context import Context, build_context
from tools.lint.document import Document
from tools.lint.fields import fields_document
from tools.lint.markdown import parse_markdown
from tools.lint.models import LintFlag
from tools.lint.rules import RULES


def run_rules(doc: Document, ctx: Context) -> list[LintFlag]:
    flags: list[LintFlag] = []
    seen: set[tuple[str, int, str | None]] = set()
    for rule in RULES:
        for f in rule(doc, ctx):
            key = (f.code, f.line, f.field)
            if key not in seen:  # one flag per code per line: two patterns on one sentence are one finding
                seen.add(key)
                flags.append(f)
    return sorted(flags, key=lambda f: (f.field or "", f.line, f.code))


def lint_markdown(text: str, *, people: Collection[str] = (), agents: Collection[str] = ()) -> list[LintFlag]:
    """Flags for a Markdown postmortem of any template.

    `people`: names of humans from the incident chat (user names, display names, handles), so that
    blame on them is recognised even when they are not given names. `agents`: names of the AI agents
    (incident.json `agents`), never treated as people.
    """
    doc = parse_markdown(text)
    return run_rules(doc, build_context(doc, people=people, agents=agents))


def lint_fields(
    fields: dict[str, str],
    *,
    agent_involved: bool = True,
    people: Collection[str] = (),
    agents: Collection[str] = (),
) -> list[LintFlag]:
    """Flags for the draft's text fields; each flag carries its `field` and a line within that field."""
    doc = fields_document(fields)
    return run_rules(doc, build_context(doc, agent_involved=agent_involved, people=people, agents=agents))
