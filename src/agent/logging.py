"""structlog set-up: JSON-ish key=value logs on stderr, bound `incident_id` and `node`.

Prompt bodies, trace content and secrets are never logged by default; `--verbose` raises the
level, it does not turn content logging on.
"""

from __future__ import annotations

import logging
import sys

import structlog

_configured = False


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written, not when logging was configured: a stream
    captured at configure time (a test runner's capture, a closed redirect) would make every later
    log call raise."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(*, verbose: bool = False) -> None:
    global _configured
    _configured = True
    level = logging.DEBUG if verbose else logging.WARNING
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )


def get_logger(**bound: object) -> structlog.typing.FilteringBoundLogger:
    if not _configured:
        configure_logging()  # library use (tests, the server) gets the quiet default too
    return structlog.get_logger().bind(**bound)
