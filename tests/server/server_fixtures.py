"""Fixtures of the server tests, loaded with `pytest_plugins = ["server_fixtures"]`.

Not a conftest.py: a second module named `conftest` would shadow tests/conftest.py for the
`from conftest import …` of other test folders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from server_fakes import BOT_TOKEN, FIXTURES, PD_SECRET, REVIEW_TOKEN, SLACK_SECRET, SVIX_SECRET, FakeSlack


def settings_factory(tmp_path: Path) -> Callable[..., Any]:
    """make_settings(**overrides) → ServerSettings on a temp DB and data dir, secrets of this module."""
    from agent.server.settings import ServerSettings

    def make(**overrides: Any) -> ServerSettings:
        values: dict[str, Any] = {
            "db": str(tmp_path / "checkpoints.sqlite"), "data_dir": tmp_path / "data",
            "public_url": "http://127.0.0.1:8080", "review_token": REVIEW_TOKEN,
            "slack_signing_secret": SLACK_SECRET, "slack_bot_token": BOT_TOKEN, "slack_api_url": "http://127.0.0.1:9/api/",
            "pagerduty_secret": PD_SECRET, "incident_io_secret": SVIX_SECRET,
            "pagerduty_channels": {"*": "C0INC9001"}, "trace_dir": FIXTURES / "traces",
            "workers": 2, "poll_s": 0.2, "retry_backoff_s": 0.1, "job_lease_s": 60,
        }
        values.update(overrides)
        return ServerSettings.model_validate(values)

    return make


make_settings = pytest.fixture(name="make_settings")(settings_factory)


@pytest.fixture(name="fake_slack")
def fake_slack_fixture() -> Iterator[FakeSlack]:
    with FakeSlack(rate_limit_once=False) as fs:
        yield fs
