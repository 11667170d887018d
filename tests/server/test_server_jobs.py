"""The job table and the workers: exclusive claims, lease take-over, retries, restart durability."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install -e '.[server]'")

from fastapi.testclient import TestClient
from server_fakes import FakeSlack, pagerduty_body, pagerduty_headers, wait_for

from agent.server.app import create_app
from agent.server.settings import ServerSettings
from agent.server.store import JobStore
from agent.server.triggers import Trigger


def _trigger(i: int) -> Trigger:
    return Trigger(incident_id=f"INC-{i}", source="pagerduty", channel_id="C0INC9001")

pytest_plugins = ["server_fixtures"]  # make_settings, fake_slack

def test_each_job_is_claimed_by_exactly_one_worker(tmp_path: Path) -> None:
    store = JobStore(str(tmp_path / "jobs.sqlite"))
    store.setup()
    for i in range(30):
        store.accept(_trigger(i), "pagerduty", f"d{i}")
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        while (job := store.claim(f"w{n}", 60)) is not None:
            with lock:
                claimed.append(job.incident_id)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(f"INC-{i}" for i in range(30))


def test_expired_lease_is_taken_over_and_failed_jobs_come_back(tmp_path: Path) -> None:
    store = JobStore(str(tmp_path / "jobs.sqlite"))
    store.setup()
    store.accept(_trigger(1), "pagerduty", None)
    first = store.claim("dead-worker", 0.05)
    assert first is not None and first.attempts == 1
    assert store.claim("other", 60) is None  # leased
    time.sleep(0.1)
    taken = store.claim("other", 60)
    assert taken is not None and taken.incident_id == "INC-1" and taken.attempts == 2
    store.finish("INC-1", "dead-worker", "review")  # a late finish from the old owner is ignored
    assert store.get("INC-1").status == "running"  # type: ignore[union-attr]
    store.finish("INC-1", "other", "failed", error="boom")
    again = store.accept(_trigger(1), "pagerduty", "d-new")
    assert again.status == "queued" and store.get("INC-1").attempts == 0  # type: ignore[union-attr]


def test_accepted_trigger_survives_a_restart_and_is_drafted(make_settings: Callable[..., ServerSettings],
                                                            fake_slack: FakeSlack) -> None:
    settings = make_settings(slack_api_url=fake_slack.api_url)
    body = pagerduty_body(9001)
    with TestClient(create_app(settings, start_workers=False)) as c:  # accepts, then "crashes"
        assert c.post("/webhooks/pagerduty", content=body, headers=pagerduty_headers(body)).status_code == 200
    assert fake_slack.posted == []
    app = create_app(settings)  # a new process on the same DB
    store: JobStore = app.state.store
    with TestClient(app):
        assert wait_for(lambda: (store.get("PD-9001") or _none()).status == "review", timeout=60)
    job = store.get("PD-9001")
    assert job is not None and job.message_ts and job.out_dir
    draft = json.loads((Path(job.out_dir) / "draft.json").read_text())
    assert draft["incident"]["id"] == "PD-9001" and draft["review"]["status"] == "pending"
    assert len(fake_slack.posted) == 1 and fake_slack.posted[0]["channel"] == "C0INC9001"
    bundle = settings.data_dir / "bundles" / "PD-9001"
    assert (bundle / "chat" / "history.json").is_file()
    assert [p.name for p in (bundle / "traces").iterdir()] == ["refund-agent.otlp.json"]


def test_unreachable_source_fails_the_job_with_one_line(make_settings: Callable[..., ServerSettings]) -> None:
    settings = make_settings(max_attempts=2, retry_backoff_s=0.05)  # slack_api_url points at a closed port
    body = pagerduty_body(77)
    app = create_app(settings)
    store: JobStore = app.state.store
    with TestClient(app) as c:
        c.post("/webhooks/pagerduty", content=body, headers=pagerduty_headers(body))
        assert wait_for(lambda: (store.get("PD-77") or _none()).status == "failed", timeout=60)
    job = store.get("PD-77")
    assert job is not None and job.attempts == 2
    assert job.error is not None and "cannot reach http://127.0.0.1:9/api/" in job.error and "\n" not in job.error


class _none:
    status = None
