"""The `pmdraft` Typer application and the rule every command follows for bad input.

Command modules live beside this one (`agent/cli/<verb>.py`) and register themselves with
`@app.command()`; `agent.cli.main` imports them all. Any `BadInput` escaping a command becomes
one line on stderr and exit 2 — never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from tools.errors import BadInput

app = typer.Typer(
    name="pmdraft",
    help="Draft postmortems for incidents in which an AI agent took part.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Progress and tables go to stderr so stdout stays clean for --json output and pipes. When not on a
# terminal (CI logs, pipes) rich would assume 80 columns and fold every table; use a wide default.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 180
err_console = Console(stderr=True, highlight=False, soft_wrap=True, width=_WIDTH)
out_console = Console(highlight=False, soft_wrap=True, width=_WIDTH)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"pmdraft: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(code)


def bad_input_exits(func: F) -> F:
    """Decorator: BadInput (and the OS errors a user can cause) → one line, exit 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BadInput as exc:
            raise fail(str(exc)) from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            raise fail(f"{exc.filename}: {exc.strerror}") from None
        except KeyboardInterrupt:
            err_console.print("pmdraft: interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logs on stderr."),
) -> None:
    """Draft postmortems for incidents in which an AI agent took part."""
    from agent.logging import configure_logging

    configure_logging(verbose=verbose)
