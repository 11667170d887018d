"""The one error type bad input raises: the CLI turns it into one line and exit 2."""

from __future__ import annotations

from pathlib import Path


class BadInput(Exception):
    """Input the drafter cannot read. `str()` is the one-line message shown to the user."""

    def __init__(self, path: str | Path, problem: str, *, line: int | None = None, offset: int | None = None):
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.offset = offset
        super().__init__(self.render())

    def render(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        elif self.offset is not None:
            where += f" (byte {self.offset})"
        # One line, always: a problem text with newlines (a parser's message) is folded.
        return f"{where}: {' '.join(self.problem.split())}"


class UnknownFormat(BadInput):
    """Content did not match any reader."""
