"""Accepted triggers as a durable job table, beside the checkpoints (same SQLite file or Postgres DB).

Why a table and not an in-memory queue: a provider that got our 200 will not send the webhook
again, so an accepted trigger must survive a restart; and several server processes sharing a
Postgres database must draft each incident once. Hence:

- `accept` inserts the job keyed by incident id (`ON CONFLICT DO NOTHING`: a second close of
  the same incident is counted, not drafted) and, in the same transaction, the delivery id
  (Slack `event_id`, PagerDuty `X-Webhook-Id`, Svix `webhook-id`) so a retried delivery is a no-op.
- `claim` hands one runnable job to one worker (single-statement UPDATE; `FOR UPDATE SKIP LOCKED`
  on Postgres) with a lease; a worker that dies stops renewing and its job is claimed again.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.server.triggers import Trigger
from tools.errors import BadInput

JobStatus = Literal["queued", "running", "review", "published", "failed"]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pmdraft_jobs (
        incident_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        trigger_json TEXT NOT NULL,
        triggers INTEGER NOT NULL DEFAULT 1,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        owner TEXT,
        lease_until DOUBLE PRECISION,
        not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        out_dir TEXT,
        message_ts TEXT)""",
    """CREATE TABLE IF NOT EXISTS pmdraft_deliveries (
        provider TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        incident_id TEXT,
        seen_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (provider, delivery_id))""",
)
_COLUMNS = ("incident_id, status, source, trigger_json, triggers, attempts, error, owner, lease_until, "
            "created_at, updated_at, out_dir, message_ts")


class Job(BaseModel):
    incident_id: str = Field(description="Incident id (primary key).")
    status: JobStatus = Field(description="queued → running → review → published, or failed.")
    source: str = Field(description="Route that first accepted the incident.")
    trigger: Trigger = Field(description="The first accepted trigger.")
    triggers: int = Field(default=1, description="How many closes of this incident were accepted.")
    attempts: int = Field(default=0, description="Drafting attempts so far.")
    error: str | None = Field(default=None, description="Last error, one line.")
    owner: str | None = Field(default=None, description="Worker holding the lease.")
    lease_until: float | None = Field(default=None, description="Lease expiry (epoch s).")
    created_at: float = Field(description="Accepted at (epoch s).")
    updated_at: float = Field(description="Last change (epoch s).")
    out_dir: str | None = Field(default=None, description="Where the draft was written.")
    message_ts: str | None = Field(default=None, description="ts of the headline posted in Slack.")


class Accepted(BaseModel):
    duplicate_delivery: bool = Field(description="This delivery id was seen before (a provider retry).")
    created: bool = Field(description="A new job was created for the incident.")
    status: str = Field(description="The incident's job status after this call.")


class JobStore:
    """The job table on SQLite (a path) or Postgres (a postgresql:// URL)."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.postgres = db.startswith(("postgresql://", "postgres://"))
        self._lock = threading.Lock()
        self._lite: sqlite3.Connection | None = None

    # ---- connections ---------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[_Cursor]:
        if self.postgres:
            import psycopg

            try:
                conn = psycopg.connect(self.db, connect_timeout=10)
            except psycopg.OperationalError as exc:
                raise BadInput(self.db.split("@")[-1], f"cannot open the job table ({str(exc).splitlines()[0]})") from None
            with conn, conn.cursor() as cur:  # commits on success, rolls back on error
                yield _Cursor(cur, postgres=True)
            return
        # One connection, one writer at a time inside this process: SQLite's busy handler backs off
        # in growing sleeps (threads racing for the write lock wait far longer than they work), and
        # closing the last connection to a WAL database checkpoints it with an fsync.
        with self._lock:
            lite = self._sqlite()
            lite.execute("BEGIN IMMEDIATE")
            try:
                yield _Cursor(lite.cursor(), postgres=False)
            except BaseException:
                lite.execute("ROLLBACK")
                raise
            lite.execute("COMMIT")

    def _sqlite(self) -> sqlite3.Connection:
        if self._lite is None:
            Path(self.db).parent.mkdir(parents=True, exist_ok=True)
            self._lite = sqlite3.connect(self.db, timeout=30, isolation_level=None, check_same_thread=False)
            # WAL + NORMAL: a commit survives a crash or restart of the server (what durability is for
            # here) without an fsync per request.
            self._lite.execute("PRAGMA journal_mode=WAL")
            self._lite.execute("PRAGMA synchronous=NORMAL")
        return self._lite

    def close(self) -> None:
        with self._lock:
            if self._lite is not None:
                self._lite.close()
                self._lite = None

    def setup(self) -> None:
        with self._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)

    # ---- accepting ---------------------------------------------------------------------------
    def accept(self, trigger: Trigger, provider: str, delivery_id: str | None) -> Accepted:
        now = time.time()
        with self._tx() as cur:
            if delivery_id:
                cur.execute("INSERT INTO pmdraft_deliveries (provider, delivery_id, incident_id, seen_at) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                            (provider, delivery_id, trigger.incident_id, now))
                if cur.rowcount == 0:
                    return Accepted(duplicate_delivery=True, created=False,
                                    status=self._status(cur, trigger.incident_id) or "unknown")
            cur.execute(
                "INSERT INTO pmdraft_jobs (incident_id, status, source, trigger_json, created_at, updated_at) "
                "VALUES (?, 'queued', ?, ?, ?, ?) ON CONFLICT (incident_id) DO NOTHING",
                (trigger.incident_id, trigger.source, trigger.model_dump_json(), now, now))
            if cur.rowcount == 1:
                return Accepted(duplicate_delivery=False, created=True, status="queued")
            # Closed again: count it; a job that had failed for good gets another chance.
            cur.execute(
                "UPDATE pmdraft_jobs SET triggers = triggers + 1, updated_at = ?, "
                "status = CASE WHEN status = 'failed' THEN 'queued' ELSE status END, "
                "attempts = CASE WHEN status = 'failed' THEN 0 ELSE attempts END, "
                "not_before = CASE WHEN status = 'failed' THEN 0 ELSE not_before END "
                "WHERE incident_id = ?", (now, trigger.incident_id))
            return Accepted(duplicate_delivery=False, created=False,
                            status=self._status(cur, trigger.incident_id) or "unknown")

    @staticmethod
    def _status(cur: _Cursor, incident_id: str) -> str | None:
        cur.execute("SELECT status FROM pmdraft_jobs WHERE incident_id = ?", (incident_id,))
        row = cur.fetchone()
        return str(row[0]) if row else None

    # ---- working -----------------------------------------------------------------------------
    def claim(self, owner: str, lease_s: float) -> Job | None:
        now = time.time()
        lock = " FOR UPDATE SKIP LOCKED" if self.postgres else ""
        with self._tx() as cur:
            cur.execute(
                "UPDATE pmdraft_jobs SET status = 'running', owner = ?, lease_until = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE incident_id = ("
                "SELECT incident_id FROM pmdraft_jobs WHERE (status = 'queued' AND not_before <= ?) "
                "OR (status = 'running' AND lease_until < ?) ORDER BY created_at LIMIT 1" + lock + ") "
                "RETURNING " + _COLUMNS,
                (owner, now + lease_s, now, now, now))
            row = cur.fetchone()
        return _job(row) if row else None

    def renew(self, owner: str, lease_s: float) -> None:
        with self._tx() as cur:
            cur.execute("UPDATE pmdraft_jobs SET lease_until = ? WHERE owner = ? AND status = 'running'",
                        (time.time() + lease_s, owner))

    def finish(self, incident_id: str, owner: str, status: JobStatus, *, out_dir: str | None = None,
               message_ts: str | None = None, error: str | None = None) -> None:
        with self._tx() as cur:
            cur.execute(
                "UPDATE pmdraft_jobs SET status = ?, out_dir = COALESCE(?, out_dir), "
                "message_ts = COALESCE(?, message_ts), error = ?, owner = NULL, lease_until = NULL, "
                "updated_at = ? WHERE incident_id = ? AND owner = ?",
                (status, out_dir, message_ts, error, time.time(), incident_id, owner))

    def retry_later(self, incident_id: str, owner: str, error: str, delay_s: float) -> None:
        with self._tx() as cur:
            cur.execute(
                "UPDATE pmdraft_jobs SET status = 'queued', error = ?, owner = NULL, lease_until = NULL, "
                "not_before = ?, updated_at = ? WHERE incident_id = ? AND owner = ?",
                (error, time.time() + delay_s, time.time(), incident_id, owner))

    def set_status(self, incident_id: str, status: JobStatus) -> None:
        """After the reviewer approves (the job has no owner any more)."""
        with self._tx() as cur:
            cur.execute("UPDATE pmdraft_jobs SET status = ?, updated_at = ? WHERE incident_id = ?",
                        (status, time.time(), incident_id))

    # ---- reading -----------------------------------------------------------------------------
    def get(self, incident_id: str) -> Job | None:
        with self._tx() as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM pmdraft_jobs WHERE incident_id = ?", (incident_id,))
            row = cur.fetchone()
        return _job(row) if row else None

    def jobs(self) -> list[Job]:
        with self._tx() as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM pmdraft_jobs ORDER BY created_at")
            rows = cur.fetchall()
        return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._tx() as cur:
            cur.execute("SELECT status, COUNT(*) FROM pmdraft_jobs GROUP BY status")
            return {str(s): int(n) for s, n in cur.fetchall()}


class _Cursor:
    """One SQL dialect for both drivers: `?` placeholders become `%s` for psycopg."""

    def __init__(self, cur: Any, *, postgres: bool) -> None:
        self._cur = cur
        self._postgres = postgres

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self._cur.execute(sql.replace("?", "%s") if self._postgres else sql, params)

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())


def _job(row: Any) -> Job:
    names = [c.strip() for c in _COLUMNS.split(",")]
    values = dict(zip(names, row, strict=True))
    values["trigger"] = Trigger.model_validate_json(values.pop("trigger_json"))
    return Job.model_validate(values)
