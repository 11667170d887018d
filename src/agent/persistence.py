"""Postgres persistence for shared deployments (several workers resuming each other's runs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tools.errors import BadInput


@contextmanager
def postgres_saver(url: str) -> Iterator[Any]:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
    except ImportError:
        raise BadInput(url.split("@")[-1], "Postgres checkpointer not installed: pip install 'postmortem-drafter[postgres]'") from None
    try:
        with PostgresSaver.from_conn_string(url) as saver:
            saver.setup()  # idempotent: creates/migrates the checkpoint tables
            yield saver
    except Exception as exc:  # psycopg.OperationalError and friends: unreachable server, bad auth
        if type(exc).__module__.startswith("psycopg"):
            raise BadInput(url.split("@")[-1], f"cannot use the Postgres checkpoint database ({str(exc).splitlines()[0]})") from None
        raise
