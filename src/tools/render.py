"""Render a PostmortemDraft into Markdown with the extended template (templates/postmortem.md.j2)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tools.resources import resource_dir

_MERMAID_UNSAFE = re.compile(r"[:;#{}\[\]()<>\"`|]")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(resource_dir("templates"))),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown output; table cells are escaped by the `cell` filter
    )
    env.filters["cell"] = cell
    env.filters["mermaid"] = mermaid_text
    env.filters["pct"] = lambda v: f"{v * 100:.0f}%"
    env.filters["or_not_captured"] = lambda v: v if v not in (None, "", {}, []) else "not captured"
    env.filters["quote_block"] = quote_block
    env.filters["key_points"] = key_points
    return env


def render_markdown(draft: dict[str, Any], template: str = "postmortem.md.j2") -> str:
    return environment().get_template(template).render(d=draft)


def cell(value: Any) -> str:
    """A value safe inside a Markdown table cell."""
    text = "" if value is None else str(value)
    return " ".join(text.replace("|", "\\|").split())


def mermaid_text(value: Any, limit: int = 70) -> str:
    """Mermaid timeline text: no colons, brackets or quotes (they break the syntax)."""
    text = _MERMAID_UNSAFE.sub(" ", " ".join(str(value).split()))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_block(value: Any) -> str:
    return "\n".join("> " + line for line in str(value).splitlines() or [""])


def key_points(timeline: list[dict[str, Any]], limit: int = 14) -> list[dict[str, Any]]:
    """The entries worth a Mermaid diagram: the first and last, decisions, findings, then evenly spaced."""
    if len(timeline) <= limit:
        return timeline
    marked = {i for i, e in enumerate(timeline) if "[decision]" in e["text"] or "[finding]" in e["text"]}
    keep = {0, len(timeline) - 1} | marked
    step = max(len(timeline) // max(limit - len(keep), 1), 1)
    for i in range(0, len(timeline), step):
        if len(keep) >= limit:
            break
        keep.add(i)
    return [timeline[i] for i in sorted(keep)][:limit]
