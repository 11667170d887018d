"""The `pmdraft` command line: one module per verb, registered on `agent.cli.app.app`."""

from agent.cli.main import main

__all__ = ["main"]
