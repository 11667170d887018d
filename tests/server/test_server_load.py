"""Load on loopback: 50 incident-close webhooks at once, with duplicates and provider retries.
Every distinct incident gets exactly one draft and one Slack message; none is lost."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install -e '.[server]'")

import httpx
from server_fakes import (
    FakeSlack,
    incident_io_body,
    pagerduty_body,
    pagerduty_headers,
    serve_app,
    svix_headers,
    wait_for,
)

from agent.runner import load_run
from agent.server.app import create_app
from agent.server.settings import ServerSettings
from agent.server.store import JobStore

pytest_plugins = ["server_fixtures"]  # make_settings, fake_slack
DISTINCT_IIO = 25
DISTINCT_PD = 10


def _deliveries() -> list[tuple[str, str, bytes, str]]:
    """(incident id, route, body, delivery id): 35 incidents, 15 duplicates of three kinds."""
    out: list[tuple[str, str, bytes, str]] = []
    for i in range(DISTINCT_IIO):
        out.append((f"INC-{5000 + i}", "/webhooks/incident-io", incident_io_body(f"INC-{5000 + i}"), f"msg_{i}"))
    for i in range(DISTINCT_PD):
        out.append((f"PD-{700 + i}", "/webhooks/pagerduty", pagerduty_body(700 + i), f"pd_{i}"))
    dupes: list[tuple[str, str, bytes, str]] = []
    for i in range(5):  # provider retries: same delivery id
        dupes.append(out[i])
    for i in range(5, 10):  # closed again: learning, then closed, new delivery id
        dupes.append((out[i][0], out[i][1], incident_io_body(out[i][0], category="closed"), f"msg_again_{i}"))
    for i in range(5):  # PagerDuty resends a resolved incident under a new webhook id
        inc, route, body, _ = out[DISTINCT_IIO + i]
        dupes.append((inc, route, body, f"pd_again_{i}"))
    return out + dupes


def _send(client: httpx.Client, delivery: tuple[str, str, bytes, str]) -> tuple[int, float]:
    _, route, body, delivery_id = delivery
    headers = (svix_headers(body, msg_id=delivery_id) if route.endswith("incident-io")
               else pagerduty_headers(body, webhook_id=delivery_id))
    t0 = time.monotonic()
    code = client.post(route, content=body, headers=headers).status_code
    return code, time.monotonic() - t0


def test_fifty_concurrent_closes_yield_one_draft_each(make_settings: Callable[..., ServerSettings]) -> None:
    deliveries = _deliveries()
    assert len(deliveries) == 50
    random.Random(7).shuffle(deliveries)
    distinct = {d[0] for d in deliveries}
    with FakeSlack(rate_limit_once=False, page_size=50) as slack:
        settings = make_settings(slack_api_url=slack.api_url, workers=4)
        app = create_app(settings)
        store: JobStore = app.state.store
        with serve_app(app) as base:
            started = time.monotonic()
            # One pooled client, as a provider's delivery fleet would be: the time measured is the server's.
            with httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=25)) as client, \
                    ThreadPoolExecutor(max_workers=25) as pool:
                answers = list(pool.map(lambda d: _send(client, d), deliveries))
            accepted_s = time.monotonic() - started
            assert [code for code, _ in answers] == [200] * 50
            latencies = sorted(s for _, s in answers)
            assert latencies[-1] < 3.0  # every provider got its answer inside Slack's (strictest) deadline
            done = wait_for(lambda: store.counts().get("review", 0) == len(distinct), timeout=240, every=0.25)
            drafted_s = time.monotonic() - started
            assert done, store.counts()
    jobs = {j.incident_id: j for j in store.jobs()}
    assert set(jobs) == distinct and len(distinct) == 35
    assert all(j.status == "review" and j.attempts == 1 for j in jobs.values())
    # 50 deliveries - 5 provider retries (same delivery id) = 45 accepted closes.
    assert sum(j.triggers for j in jobs.values()) == 45
    posted = Counter(next(i for i in distinct if f"Postmortem draft: {i}" in p["text"]) for p in slack.posted)
    assert posted == Counter(dict.fromkeys(distinct, 1))
    for incident_id in distinct:
        run = load_run(incident_id, settings.db)
        assert run.interrupted and run.state is not None and run.state.draft is not None
    assert sorted(p.name for p in (settings.data_dir / "drafts").iterdir()) == sorted(distinct)
    print(f"\nload: 50 webhooks answered in {accepted_s:.2f} s (p50 {latencies[25]:.3f} s, max {latencies[-1]:.3f} s); "
          f"35 drafts waiting for review after {drafted_s:.2f} s")
