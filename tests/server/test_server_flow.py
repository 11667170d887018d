"""The whole flow on loopback: /postmortem → draft → headline posted in Slack → the reviewer opens
the link in headless Chromium, clicks a ref, edits, saves (flags shown), approves → published."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install -e '.[server]'")

import httpx
from server_fakes import FakeSlack, free_port, serve_app, slack_headers, slash_body, wait_for

from agent.server.app import create_app
from agent.server.settings import ServerSettings
from agent.server.store import JobStore

pytest_plugins = ["server_fixtures"]  # make_settings, fake_slack
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REVIEWER_NOTE = ("\n## Reviewer note\n\nRoot cause: the system prompt did not tell the agent to check the ledger. "
                 "Fix: add a line to the system prompt.\n")


def _chromium() -> None:
    pytest.importorskip("playwright.sync_api", reason="playwright not installed: pip install -e '.[dev,server]'")
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian chromium not found at /usr/bin/chromium: apt-get install -y chromium")


def test_slash_command_to_published_markdown(make_settings: Callable[..., ServerSettings]) -> None:
    _chromium()
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    with FakeSlack(rate_limit_once=True) as slack:
        settings = make_settings(slack_api_url=slack.api_url, public_url=f"http://127.0.0.1:{port}")
        app = create_app(settings)
        store: JobStore = app.state.store
        with serve_app(app, port) as base:
            body = slash_body("INC-9001 session:sess-9001")
            refused = httpx.post(f"{base}/slack/commands", content=body, headers={**FORM, **slack_headers(body, secret="x")})
            assert refused.status_code == 401
            ack = httpx.post(f"{base}/slack/commands", content=body, headers={**FORM, **slack_headers(body)})
            assert ack.status_code == 200 and "Drafting" in ack.json()["text"]

            assert wait_for(lambda: len(slack.posted) == 1, timeout=90), store.jobs()
            post = slack.posted[0]
            assert post["channel"] == "C0INC9001"
            section = post["blocks"][1]["text"]["text"]
            assert "*Agent inferred:*" in section and "deadlocked" in section
            assert "*What was true:*" in section and "ledger" in section
            assert "*Primary cause:* tool" in section
            link = post["blocks"][2]["elements"][0]["url"]
            assert link.startswith(f"{base}/drafts/INC-9001?token=") and settings.review_token is not None
            assert settings.review_token.get_secret_value() not in link  # a per-draft token, not the master one
            assert len(slack.calls_to("conversations.history")) >= 2  # the 429 was waited out

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    _review_in_browser(browser.new_page(), link, expect)
                finally:
                    browser.close()

            job = store.get("INC-9001")
            assert job is not None and job.status == "published"
    out = Path(job.out_dir or "")
    markdown = (out / "draft.md").read_text()
    assert "Reviewer note" in markdown and "APPROVED by rev.iewer" in markdown
    final = json.loads((out / "draft.json").read_text())
    assert final["review"]["status"] == "approved" and final["review"]["reviewer"] == "rev.iewer"
    assert any(f["source"] == "reviewer" and f["code"] == "fix-the-prompt" for f in final["flags"])


def _review_in_browser(page, link: str, expect) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(link)
    expect(page.locator("#status")).to_have_text("waiting for review")
    expect(page.locator("#draft h1")).to_contain_text("INC-9001")

    # A chat ref in the timeline → that message in the evidence panel.
    page.locator("#draft a.ref[data-ref^='chat:']", has_text="chat:1778577600").first.click()
    expect(page.locator("#evidence-body")).to_contain_text("the ledger API has been returning 503")
    expect(page.locator("#evidence-body")).to_contain_text("bob")
    # The agent's quote → the span it was copied from, with its recorded output.
    page.locator("#draft .quote").first.click()
    expect(page.locator("#evidence-body")).to_contain_text("span:9001000000000003")
    expect(page.locator("#evidence-body")).to_contain_text("recorded output")
    expect(page.locator("#evidence-body")).to_contain_text("deadlocked on the payouts lock")

    # Edit in place and save: the edits are linted and their flags shown before anything is published.
    page.fill("#reviewer", "rev.iewer")
    page.click("#edit")
    editor = page.locator("#editor")
    expect(editor).to_be_visible()
    editor.fill(editor.input_value() + REVIEWER_NOTE)
    page.click("#save")
    expect(page.locator("#reviewer-flags")).to_be_visible(timeout=30_000)
    expect(page.locator("#flags")).to_contain_text("fix-the-prompt")
    expect(page.locator("#draft")).to_contain_text("Reviewer note")
    expect(page.locator("mark.flag[data-code='fix-the-prompt']").first).to_be_visible()
    expect(page.locator("#status")).to_have_text("waiting for review")

    page.click("#approve")
    expect(page.locator("#status")).to_have_text("approved", timeout=30_000)
    expect(page.locator("#draft")).to_contain_text("APPROVED by rev.iewer")
    assert errors == []
