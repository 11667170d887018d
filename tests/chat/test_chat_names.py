"""Bot/integration name heuristics shared by the transcript and Slack readers."""

from __future__ import annotations

import pytest

from tools.chat.names import looks_like_bot


@pytest.mark.parametrize(
    "name",
    [
        "incident-bot",
        "deploy-bot",
        "dlp-bot",
        "recon_bot",
        "Incident Bot",
        "recon-bot",
        "jirabot",
        "HelpBot",
        "dependabot[bot]",
        "PagerDuty",
        "pagerduty",
        "Opsgenie",
        "incident.io",
        "Rootly",
        "FireHydrant",
        "Jira",
        "Jira Cloud",
        "GitHub",
        "GitHub Actions",
        "Datadog",
        "Grafana",
        "Grafana Alerting",
        "Alertmanager",
        "Sentry",
        "triage-agent",
        "pipeline-alerts",
        "Security Alerts",
        "robot",
    ],
)
def test_bot_names(name: str) -> None:
    assert looks_like_bot(name)


@pytest.mark.parametrize(
    "name",
    [
        "Omar Haddad",
        "Liv Sørensen",
        "Tom Talbot",
        "Talbot",
        "talbot",
        "Abbot",
        "Jiro",
        "marco",
        "dana.w",
        "",
        "  ",
    ],
)
def test_human_names(name: str) -> None:
    assert not looks_like_bot(name)


def test_agent_names_are_bots_case_insensitively() -> None:
    assert looks_like_bot("Sentinel", ["sentinel"])
    assert looks_like_bot("ops-agent", ["ops-agent"])
    assert not looks_like_bot("Sentinel", ["", "other"])
