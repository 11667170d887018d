"""Does an author name belong to a bot, an integration or an AI agent?

Transcripts carry only a display name, and old Slack integrations only a `username`, so the
name is all there is to go on. The rules lean towards "human": a person wrongly marked as a
bot would vanish from the drafter's list of responders, which is worse than a bot kept in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Incident, paging, CI/CD and monitoring tools that post into incident channels. A name matches
# when it is one of these or starts with one followed by a separator ("Grafana Alerting", "jira-cloud").
# fmt: off
INTEGRATIONS = (
    "pagerduty", "opsgenie", "incident.io", "incident-io", "incidentio", "rootly", "firehydrant",
    "blameless", "squadcast", "xmatters", "victorops", "splunk on-call", "jira", "confluence",
    "github", "gitlab", "bitbucket", "circleci", "jenkins", "buildkite", "argocd", "argo cd",
    "spinnaker", "datadog", "grafana", "alertmanager", "prometheus", "sentry", "new relic",
    "newrelic", "honeycomb", "dynatrace", "splunk", "lightstep", "chronosphere", "cloudwatch",
    "aws chatbot", "statuspage", "pingdom", "checkly", "uptimerobot", "better stack", "betterstack",
    "nagios", "zabbix", "icinga", "zendesk", "slackbot", "workflow builder", "synthetics",
)
# fmt: on
_INTEGRATION_RE = re.compile(
    r"^(?:" + "|".join(re.escape(n) for n in INTEGRATIONS) + r")(?:$|[\s\-_.:(\[/])",
    re.IGNORECASE,
)

_BOT_SUFFIX_RE = re.compile(
    r"(?:"
    r"(?:^|[\s\-_.])(?:ro)?bot"  # deploy-bot, incident_bot, "Incident Bot"
    r"|\[bot\]|\(bot\)|\(app\)"  # dependabot[bot], markers copied from UIs
    r"|[\-_](?:agent|assistant|alerts?|notifier|webhook|automation)"  # triage-agent, pipeline-alerts
    r"|(?:^|\s)alerts?"  # "Security Alerts"
    r")$",
    re.IGNORECASE,
)
# Camel case: HelpBot, GitHubBot (case-sensitive, so "Talbot" stays a person).
_CAMEL_BOT_RE = re.compile(r"[a-z0-9](?:Bot|BOT)$")
# One lowercase word ending in "bot" ("recon" + "bot", "jirabot"), as bot handles are written.
_HANDLE_BOT_RE = re.compile(r"^[a-z0-9]+bot$")
# Surnames that end in "bot"; written in lowercase they would pass for a bot handle.
_BOT_LOOKALIKE_SURNAMES = frozenset({"abbot", "cabot", "talbot", "chabot", "thibot", "jabot"})


def looks_like_bot(name: str, agent_names: Iterable[str] = ()) -> bool:
    """True for bot-style names, known integrations and the incident's AI agents."""
    clean = name.strip()
    if not clean:
        return False
    lowered = clean.casefold()
    if any(lowered == agent.strip().casefold() for agent in agent_names if agent.strip()):
        return True
    if _INTEGRATION_RE.match(clean) or _BOT_SUFFIX_RE.search(clean) or _CAMEL_BOT_RE.search(clean):
        return True
    return bool(_HANDLE_BOT_RE.match(clean)) and clean not in _BOT_LOOKALIKE_SURNAMES
