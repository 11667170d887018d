"""Background drafting: bounded worker threads that claim jobs from the job table.

One job = fetch the channel and the traces into a bundle, run the graph until it pauses for
review, post the headline in the channel. Jobs are claimed with a lease that a heartbeat renews,
so a job whose process died is taken over by another worker (or by this server after a restart).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.logging import get_logger
from agent.runner import RunResult, load_run, start_draft
from agent.server.auth import review_link
from agent.server.headline import headline_message
from agent.server.settings import ServerSettings
from agent.server.store import Job, JobStore
from agent.state import DraftInput
from agent.workspace import forget
from tools.errors import BadInput
from tools.model.chat import ts_to_datetime
from tools.sources.base import TraceQuery, TraceSource
from tools.sources.bundle import IncidentInfo, write_bundle
from tools.sources.slack import ChannelDump, SlackSource

_SAFE_RE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(incident_id: str) -> str:
    return _SAFE_RE.sub("_", incident_id)[:120] or "incident"


class DraftJobRunner:
    """Runs one claimed job to the review pause (or to a recorded failure)."""

    def __init__(self, settings: ServerSettings, store: JobStore, slack: SlackSource | None,
                 traces: TraceSource | None) -> None:
        self.settings = settings
        self.store = store
        self.slack = slack
        self.traces = traces

    def run(self, job: Job, owner: str) -> None:
        log = get_logger(incident_id=job.incident_id, source=job.source, attempt=job.attempts)
        log.info("draft_started")
        try:
            out_dir, ts = self._draft_and_post(job, log)
        except Exception as exc:  # any failure is recorded on the job; the worker lives on
            self._failed(job, owner, exc, log)
            return
        self.store.finish(job.incident_id, owner, "review", out_dir=out_dir, message_ts=ts)
        log.info("draft_waiting_for_review", out_dir=out_dir, posted=ts is not None)

    def _draft_and_post(self, job: Job, log: Any) -> tuple[str, str | None]:
        trig = job.trigger
        chat = self._fetch_chat(job, log)
        info = _incident_info(job, chat)
        query = TraceQuery(incident_id=job.incident_id, start=_parse(info.opened_at), end=_parse(info.resolved_at),
                           session_id=trig.session_id, margin_s=self.settings.trace_margin_s)
        bundle = self.settings.data_dir / "bundles" / safe_name(job.incident_id)
        write_bundle(bundle, info, chat, self.traces, query)
        log.info("bundle_written", bundle=str(bundle), messages=len(chat.messages) if chat else 0)
        out_dir = self.settings.data_dir / "drafts" / safe_name(job.incident_id)
        result = self._start(job, bundle, out_dir, log)
        forget(str(bundle))  # the run is checkpointed; free the parsed bundle in this long-lived process
        state = result.state
        if state is None or state.draft is None:
            raise RuntimeError("the run ended without a draft")
        ts = None
        if self.slack is not None and trig.channel_id:
            link = review_link(self.settings.public_url, self.settings.secret(self.settings.review_token),
                               job.incident_id)
            text, blocks = headline_message(state.draft, link)
            ts = self.slack.post_message(trig.channel_id, text, blocks)
        return str(out_dir), ts

    def _fetch_chat(self, job: Job, log: Any) -> ChannelDump | None:
        if self.slack is None or not job.trigger.channel_id:
            log.warning("no_channel", why="no Slack token or no channel for this incident; drafting from traces only")
            return None
        return self.slack.fetch_channel(job.trigger.channel_id)

    def _start(self, job: Job, bundle: Path, out_dir: Path, log: Any) -> RunResult:
        inp = DraftInput(bundle_path=str(bundle), out_dir=str(out_dir), engine=self.settings.engine, review=True)
        try:
            return start_draft(inp, job.incident_id, db=self.settings.db,
                               on_node=lambda node: log.info("node_done", node=node))
        except BadInput as exc:
            if "waiting for review" not in exc.problem:
                raise
            # A draft already waits (this job was retried after posting, or the CLI drafted it):
            # keep it and the reviewer's edits rather than drafting over them.
            return load_run(job.incident_id, self.settings.db)

    def _failed(self, job: Job, owner: str, exc: Exception, log: Any) -> None:
        message = str(exc) if isinstance(exc, BadInput) else f"{type(exc).__name__}: {exc}"
        message = " ".join(message.split())[:500]
        if job.attempts < self.settings.max_attempts:
            delay = self.settings.retry_backoff_s * 2 ** (job.attempts - 1)
            log.warning("draft_failed_will_retry", error=message, retry_in_s=delay)
            self.store.retry_later(job.incident_id, owner, message, delay)
            return
        log.error("draft_failed", error=message, exc_info=not isinstance(exc, BadInput))
        self.store.finish(job.incident_id, owner, "failed", error=message)
        if self.slack is not None and job.trigger.channel_id:
            try:
                self.slack.post_message(job.trigger.channel_id,
                                        f"pmdraft could not draft the postmortem for {job.incident_id}: {message}")
            except BadInput as post_exc:
                log.error("failure_notice_not_posted", error=str(post_exc))


def _incident_info(job: Job, chat: ChannelDump | None) -> IncidentInfo:
    trig = job.trigger
    first, last = (chat.first_ts(), chat.last_ts()) if chat else (None, None)
    return IncidentInfo(
        id=job.incident_id, title=trig.title or (chat.topic if chat else None), severity=trig.severity,
        # Without times from the tracker, the channel's first and last messages bound the incident.
        opened_at=trig.opened_at or (_ts_iso(first) if first else None),
        resolved_at=(_ts_iso(last) if last and trig.source.startswith("slack") else None) or trig.resolved_at,
        channel=(chat.channel_name if chat else None) or trig.channel_name, source=trig.source,
        channel_id=trig.channel_id, session_id=trig.session_id, url=trig.url,
    )


def _ts_iso(ts: str) -> str:
    return ts_to_datetime(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class WorkerPool:
    """`size` threads claiming jobs; woken at once by this process's routes, polling for the rest."""

    def __init__(self, store: JobStore, runner: DraftJobRunner, *, size: int, lease_s: float,
                 poll_s: float) -> None:
        self.store = store
        self.runner = runner
        self.size = size
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.prefix = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._wake = threading.Condition()
        self._pending_wakes = 0
        self._stop = threading.Event()
        self._busy: set[str] = set()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.size):
            t = threading.Thread(target=self._loop, args=(f"{self.prefix}/{i}",), name=f"pmdraft-worker-{i}",
                                 daemon=True)
            t.start()
            self._threads.append(t)
        hb = threading.Thread(target=self._heartbeat, name="pmdraft-heartbeat", daemon=True)
        hb.start()
        self._threads.append(hb)

    def wake(self) -> None:
        with self._wake:
            self._pending_wakes += 1
            self._wake.notify_all()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for t in self._threads:
            t.join(timeout)

    def _loop(self, owner: str) -> None:
        log = get_logger(worker=owner)
        while not self._stop.is_set():
            try:
                job = self.store.claim(owner, self.lease_s)
            except Exception as exc:  # the DB is down: say so and keep polling
                log.error("claim_failed", error=" ".join(str(exc).split())[:300])
                job = None
            if job is None:
                self._idle()
                continue
            self._busy.add(owner)
            try:
                self.runner.run(job, owner)
            finally:
                self._busy.discard(owner)

    def _idle(self) -> None:
        with self._wake:
            if self._pending_wakes == 0 and not self._stop.is_set():
                self._wake.wait(self.poll_s)
            self._pending_wakes = max(0, self._pending_wakes - 1)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            for owner in list(self._busy):
                try:
                    self.store.renew(owner, self.lease_s)
                except Exception as exc:
                    get_logger(worker=owner).error("lease_renew_failed", error=str(exc)[:300])
