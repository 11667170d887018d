"""Prompt files: `prompts/<name>.j2`, Jinja2, one per LLM prompt, versioned in a header.

Each file starts with `{# version: <name>@<n> #}` and defines two blocks, `system` and `user`.
The version goes into `LLMUsage.prompt_version` and from there into the draft's provenance, so a
draft says exactly which prompt text produced it. Untrusted text (trace, chat, the offline
engine's findings quoted from them) reaches a template only as pre-rendered JSON inside a fenced
data section; templates never interpolate raw trace text into instructions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from tools.resources import resource_dir

VERSION_RE = re.compile(r"\A\{#\s*version:\s*(?P<version>[a-z_]+@[0-9]+)\s*#\}")
BLOCKS = ("system", "user")


class PromptError(Exception):
    """A prompt file is missing, has no version header, or lacks a block."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: Template

    def render(self, **context: Any) -> list[dict[str, str]]:
        """The chat messages: one system message (instructions), one user message (task + data)."""
        out = []
        for block in BLOCKS:
            render = self.template.blocks[block]
            text = "".join(render(self.template.new_context(context))).strip()
            out.append({"role": block, "content": text})
        return out


def prompts_dir() -> Path:
    return resource_dir("prompts")


@lru_cache(maxsize=1)
def _env() -> Environment:
    # Plain text, not HTML: no autoescape. StrictUndefined: a missing variable is a bug, not "".
    return Environment(
        loader=FileSystemLoader(str(prompts_dir())), undefined=StrictUndefined,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )


@lru_cache(maxsize=32)
def load_prompt(name: str) -> Prompt:
    path = prompts_dir() / f"{name}.j2"
    if not path.is_file():
        raise PromptError(f"no prompt file {path}")
    source = path.read_text(encoding="utf-8")
    m = VERSION_RE.match(source)
    if not m:
        raise PromptError(f"{path.name}: the first line must be {{# version: {name}@<n> #}}")
    version = m.group("version")
    if version.split("@")[0] != name:
        raise PromptError(f"{path.name}: version header names {version.split('@')[0]!r}, not {name!r}")
    template = _env().get_template(f"{name}.j2")
    missing = [b for b in BLOCKS if b not in template.blocks]
    if missing:
        raise PromptError(f"{path.name}: missing block(s) {', '.join(missing)}")
    return Prompt(name=name, version=version, template=template)


def all_prompt_names() -> list[str]:
    return sorted(p.stem for p in prompts_dir().glob("*.j2"))


def fence_for(*data: str) -> str:
    """A per-prompt delimiter tag derived from the data it encloses.

    Text inside the data cannot close the section early: to forge the closing marker it would
    have to contain the hash of itself.
    """
    h = hashlib.sha256()
    for part in data:
        h.update(part.encode("utf-8", "replace"))
        h.update(b"\x00")
    return "DATA-" + h.hexdigest()[:16]
