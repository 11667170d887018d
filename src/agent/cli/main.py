"""Entry point of the `pmdraft` console script: imports every command module, then runs the app."""

from __future__ import annotations

import importlib
import pkgutil

import agent.cli as _pkg
from agent.cli.app import app

_NOT_COMMANDS = {"app", "main"}


def _load_commands() -> None:
    # Each agent/cli/<verb>.py registers its own command; discovering them keeps this file
    # free of a list every new command would have to edit.
    for info in sorted(pkgutil.iter_modules(_pkg.__path__), key=lambda i: i.name):
        if info.name not in _NOT_COMMANDS and not info.name.startswith("_"):
            importlib.import_module(f"agent.cli.{info.name}")


def main() -> None:
    _load_commands()
    app()


if __name__ == "__main__":
    main()
