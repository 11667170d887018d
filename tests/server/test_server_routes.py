"""Every route with correct, wrong, missing and stale signatures: 401 and nothing recorded when
the signature is not right; one job per incident however often it closes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install -e '.[server]'")

from fastapi.testclient import TestClient
from server_fakes import (
    FakeSlack,
    incident_io_body,
    pagerduty_body,
    pagerduty_headers,
    slack_event_body,
    slack_headers,
    slash_body,
    svix_headers,
)

from agent.server.app import create_app
from agent.server.settings import ServerSettings
from agent.server.store import JobStore

pytest_plugins = ["server_fixtures"]  # make_settings, fake_slack
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


@contextmanager
def client(settings: ServerSettings, **kwargs: Any) -> Iterator[tuple[TestClient, JobStore]]:
    # Workers off: these tests look at what was recorded; the flow tests look at drafting.
    app = create_app(settings, start_workers=False, **kwargs)
    with TestClient(app) as c:
        yield c, app.state.store


def _stale() -> float:
    return time.time() - 600


SLASH = slash_body()
PD = pagerduty_body(88)
IIO = incident_io_body("INC-88")
RESOLVED_EVENT = slack_event_body({"type": "message", "subtype": "bot_message", "bot_id": "B0INCBOT",
                                   "channel": "C0INC9001", "text": ":white_check_mark: *INC-9001 resolved* by <@U0ALICE>",
                                   "ts": "1778579400.000800"})

BAD_REQUESTS: list[tuple[str, str, bytes, dict[str, str]]] = [
    ("slack command unsigned", "/slack/commands", SLASH, FORM),
    ("slack command wrong secret", "/slack/commands", SLASH, {**FORM, **slack_headers(SLASH, secret="nope")}),
    ("slack command stale", "/slack/commands", SLASH, {**FORM, **slack_headers(SLASH, at=_stale())}),
    ("slack command body swapped", "/slack/commands", slash_body("INC-1"), {**FORM, **slack_headers(SLASH)}),
    ("slack event unsigned", "/slack/events", RESOLVED_EVENT, JSON),
    ("slack event wrong secret", "/slack/events", RESOLVED_EVENT, {**JSON, **slack_headers(RESOLVED_EVENT, secret="x")}),
    ("slack event stale", "/slack/events", RESOLVED_EVENT, {**JSON, **slack_headers(RESOLVED_EVENT, at=_stale())}),
    ("pagerduty unsigned", "/webhooks/pagerduty", PD, {**JSON, "X-Webhook-Id": "w1"}),
    ("pagerduty wrong secret", "/webhooks/pagerduty", PD, pagerduty_headers(PD, secret="old")),
    ("pagerduty body swapped", "/webhooks/pagerduty", pagerduty_body(89), pagerduty_headers(PD)),
    ("incident.io unsigned", "/webhooks/incident-io", IIO, JSON),
    ("incident.io wrong secret", "/webhooks/incident-io", IIO,
     svix_headers(IIO, secret="whsec_" + "QUJDREVGR0hJSktMTU5PUA==")),
    ("incident.io stale", "/webhooks/incident-io", IIO, svix_headers(IIO, at=_stale())),
]


@pytest.mark.parametrize(("label", "path", "body", "headers"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_signatures_are_refused_and_start_nothing(make_settings: Callable[..., ServerSettings], label: str,
                                                      path: str, body: bytes, headers: dict[str, str]) -> None:
    with client(make_settings()) as (c, store):
        resp = c.post(path, content=body, headers=headers)
        assert resp.status_code == 401, label
        assert store.jobs() == []


def test_unconfigured_secret_refuses_even_signed_requests(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings(pagerduty_secret=None, slack_signing_secret=None)) as (c, store):
        assert c.post("/webhooks/pagerduty", content=PD, headers=pagerduty_headers(PD)).status_code == 401
        assert c.post("/slack/commands", content=SLASH, headers={**FORM, **slack_headers(SLASH)}).status_code == 401
        assert store.jobs() == []


def test_slack_command_accepted_once(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, store):
        started = time.monotonic()
        resp = c.post("/slack/commands", content=SLASH, headers={**FORM, **slack_headers(SLASH)})
        assert time.monotonic() - started < 3.0  # Slack's deadline
        assert resp.status_code == 200 and "Drafting the postmortem for INC-9001" in resp.json()["text"]
        again = c.post("/slack/commands", content=SLASH, headers={**FORM, **slack_headers(SLASH)})
        assert "already being drafted" in again.json()["text"]
        jobs = store.jobs()
        assert [(j.incident_id, j.status, j.triggers) for j in jobs] == [("INC-9001", "queued", 2)]
        assert jobs[0].trigger.channel_id == "C0INC9001"


def test_slack_command_takes_the_incident_from_the_channel_name(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, store):
        body = slash_body(text="session:sess-9001", channel_name="inc-4242-payments")
        resp = c.post("/slack/commands", content=body, headers={**FORM, **slack_headers(body)})
        assert "INC-4242" in resp.json()["text"]
        body = slash_body(text="", channel_name="general")
        resp = c.post("/slack/commands", content=body, headers={**FORM, **slack_headers(body)})
        assert resp.json()["text"].startswith("Usage: /postmortem")
        assert [(j.incident_id, j.trigger.session_id) for j in store.jobs()] == [("INC-4242", "sess-9001")]


def test_slack_url_verification_and_event_dedupe(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, store):
        challenge = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                                "type": "url_verification"}).encode()
        assert c.post("/slack/events", content=challenge, headers=JSON).status_code == 401
        ok = c.post("/slack/events", content=challenge, headers={**JSON, **slack_headers(challenge)})
        assert ok.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
        assert store.jobs() == []
        for retry in ("", "1", "2"):  # Slack retries carry the same event_id
            headers = {**JSON, **slack_headers(RESOLVED_EVENT), **({"X-Slack-Retry-Num": retry} if retry else {})}
            assert c.post("/slack/events", content=RESOLVED_EVENT, headers=headers).status_code == 200
        assert [(j.incident_id, j.triggers) for j in store.jobs()] == [("INC-9001", 1)]
        human = slack_event_body({"type": "message", "user": "U0BOB", "channel": "C0INC9001",
                                  "text": "INC-9002 resolved?"}, event_id="Ev0002")
        resp = c.post("/slack/events", content=human, headers={**JSON, **slack_headers(human)})
        assert "ignored" in resp.json() and len(store.jobs()) == 1


def test_slack_channel_archive_uses_the_channel_name(make_settings: Callable[..., ServerSettings],
                                                      fake_slack: FakeSlack) -> None:
    with client(make_settings(slack_api_url=fake_slack.api_url)) as (c, store):
        body = slack_event_body({"type": "channel_archive", "channel": "C0INC9001", "user": "U0ALICE"}, "Ev0100")
        resp = c.post("/slack/events", content=body, headers={**JSON, **slack_headers(body)})
        assert resp.json()["incident_id"] == "INC-9001"
        assert [j.trigger.channel_name for j in store.jobs()] == ["inc-9001-refunds"]


def test_pagerduty_resolved_dedupes_on_webhook_id_and_incident(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, store):
        first = c.post("/webhooks/pagerduty", content=PD, headers=pagerduty_headers(PD, webhook_id="w-1"))
        assert first.json() == {"ok": True, "incident_id": "PD-88", "status": "queued", "duplicate": False}
        c.post("/webhooks/pagerduty", content=PD, headers=pagerduty_headers(PD, webhook_id="w-1"))  # retry
        c.post("/webhooks/pagerduty", content=PD, headers=pagerduty_headers(PD, webhook_id="w-2"))  # closed again
        triggered = pagerduty_body(90, event_type="incident.triggered")
        ignored = c.post("/webhooks/pagerduty", content=triggered, headers=pagerduty_headers(triggered, webhook_id="w-3"))
        assert "ignored" in ignored.json()
        jobs = store.jobs()
        assert [(j.incident_id, j.triggers, j.trigger.channel_id) for j in jobs] == [("PD-88", 2, "C0INC9001")]


def test_incident_io_close_dedupes_on_webhook_id(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, store):
        assert c.post("/webhooks/incident-io", content=IIO, headers=svix_headers(IIO, msg_id="m1")).status_code == 200
        c.post("/webhooks/incident-io", content=IIO, headers=svix_headers(IIO, msg_id="m1"))
        live = incident_io_body("INC-89", category="live")
        assert "ignored" in c.post("/webhooks/incident-io", content=live, headers=svix_headers(live, msg_id="m2")).json()
        closed = incident_io_body("INC-88", category="closed")
        c.post("/webhooks/incident-io", content=closed, headers=svix_headers(closed, msg_id="m3"))
        assert [(j.incident_id, j.triggers, j.trigger.title) for j in store.jobs()] == [("INC-88", 2, "Refunds not paid out")]


def test_bad_json_after_a_good_signature_is_400(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, store):
        body = b"{not json"
        assert c.post("/webhooks/pagerduty", content=body, headers=pagerduty_headers(body)).status_code == 400
        assert store.jobs() == []


def test_healthz_and_review_page_auth(make_settings: Callable[..., ServerSettings]) -> None:
    with client(make_settings()) as (c, _):
        assert c.get("/healthz").json()["ok"] is True
        assert c.get("/drafts/INC-9001").status_code == 401
        assert c.get("/drafts/INC-9001?token=wrong").status_code == 401
        assert c.get("/drafts/INC-9001", headers={"X-Review-Token": "wrong"}).status_code == 401
        assert c.get("/drafts/INC-9001/evidence?ref=chat:1").status_code == 401
        assert c.post("/drafts/INC-9001/approve", json={}).status_code == 401
        # Right token, but nothing drafted yet.
        assert c.get("/drafts/INC-9001?token=review-token-for-tests").status_code == 404
