"""The 12 shared eval cases' chat folders (../shared/evals-dev), read with concrete expectations."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from tools.chat import load_chat
from tools.model.chat import ChatLog, Message, ts_key

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = SHARED / "evals-dev" / "cases"

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason=f"shared eval cases not found at {CASES}")

ALL = [
    "01-queue-stuck", "02-refund-sla", "03-correct-but-powerless", "04-migration-approval", "05-oom-restarts",
    "06-invented-policy", "07-threat-intel-timeout", "08-backfill-timezone", "09-double-discount",
    "10-wrong-team-paged", "11-deleted-managed-config", "12-injection",
]  # fmt: skip


@cache
def case(name: str) -> ChatLog:
    incident = json.loads((CASES / name / "incident.json").read_text(encoding="utf-8"))
    opened = datetime.fromisoformat(incident["opened_at"].replace("Z", "+00:00"))
    return load_chat(CASES / name / "chat", date_hint=opened, agent_names=incident.get("agents", []))


def at(log: ChatLog, ts: str) -> Message:
    return next(m for m in log.messages if m.ts == ts)


def bots(log: ChatLog) -> dict[str, int]:
    return dict(Counter(m.author for m in log.messages if m.is_bot))


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("01-queue-stuck", "slack-export", 44),
        ("02-refund-sla", "conversations-history", 26),
        ("03-correct-but-powerless", "transcript", 31),
        ("04-migration-approval", "slack-export", 31),
        ("05-oom-restarts", "conversations-history", 25),
        ("06-invented-policy", "transcript", 28),
        ("07-threat-intel-timeout", "slack-export", 26),
        ("08-backfill-timezone", "conversations-history", 24),
        ("09-double-discount", "transcript", 25),
        ("10-wrong-team-paged", "slack-export", 28),
        ("11-deleted-managed-config", "conversations-history", 24),
        ("12-injection", "transcript", 25),
    ],
)
def test_every_case_loads(name: str, fmt: str, count: int) -> None:
    log = case(name)
    assert (log.format, len(log.messages), log.warnings, log.channel) == (fmt, count, [], None)
    keys = [ts_key(m.ts) for m in log.messages]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    # No markup or entities survive resolution.
    assert not any(
        "<@" in m.text or "<!" in m.text or "&gt;" in m.text or "&amp;" in m.text for m in log.messages
    )


def test_01_slack_export() -> None:
    log = case("01-queue-stuck")
    assert bots(log) == {"incident-bot": 4, "PagerDuty": 3, "ops-agent": 3}
    first = log.messages[0]
    assert (first.author, first.author_id, first.is_bot) == ("incident-bot", "U036U701ZTB", True)
    assert "Commander: @priya.raman\n" in first.text
    assert first.text.endswith("Runbook: RB-queue-stuck (https://wiki.fernhill.example/ops/RB-queue-stuck)")
    trigger = at(log, "1772632951.882297")
    assert (trigger.author, trigger.subtype, trigger.is_bot) == ("PagerDuty", "bot_message", True)
    assert "Assigned: ops-agent (first responder), Marco Bianchi" in trigger.text.split("\n")
    decision = at(log, "1772633010.886945")
    assert (decision.author, decision.is_bot, decision.thread_ts) == ("ops-agent", True, decision.ts)
    assert decision.text.startswith("Diagnosis: consumer deadlock in ingest-workers")
    joins = [m for m in log.messages if m.subtype == "channel_join"]
    assert [m.text for m in joins][:2] == [
        "@priya.raman has joined the channel",
        "@marco has joined the channel",
    ]
    assert len(joins) == 5
    assert at(log, "1772635450.609748").files == ["producer-heartbeat.png"]
    finding = at(log, "1772635645.976227")
    assert finding.author == "dana.w" and "the producer stopped publishing at 13:41" in finding.text
    assert [(r.name, r.count) for r in finding.reactions] == [("eyes", 2), ("dart", 1)]
    replies = [m.author for m in log.messages if m.thread_ts == finding.ts and m.is_reply]
    assert replies == ["marco", "priya.raman", "marco"]
    assert log.messages[-1].text.startswith("thanks all. @marco in the PM")
    assert Counter(m.author for m in log.messages if not m.is_bot)["marco"] == 12


def test_02_history_newest_first_ids_unresolved() -> None:
    log = case("02-refund-sla")
    raw = json.loads((CASES / "02-refund-sla" / "chat" / "conversations.history.json").read_text())
    assert ts_key(raw["messages"][0]["ts"]) > ts_key(raw["messages"][-1]["ts"])  # input newest first
    assert log.messages[0].ts == raw["messages"][-1]["ts"] and log.messages[-1].ts == raw["messages"][0]["ts"]
    assert bots(log) == {"incident-bot": 2, "Zendesk": 1}
    assert (
        at(log, "1776187440.646393").text
        == "@U0L1G1MWAZV can you join? need to know what's in the policy index"
    )
    assert at(log, "1776186400.055751").author == "U0T0Y0T0FXV"
    broadcast = at(log, "1776186888.291544")
    assert (broadcast.subtype, broadcast.author, broadcast.thread_ts) == (
        "thread_broadcast",
        "U01YXR9X627",
        "1776186483.777634",
    )
    assert sum(m.is_reply for m in log.messages) == 9
    fixed = at(log, "1776189157.499753")
    assert [(r.name, r.count) for r in fixed.reactions] == [("white_check_mark", 2)]


def test_03_transcript() -> None:
    log = case("03-correct-but-powerless")
    assert bots(log) == {"incident-bot": 3, "PagerDuty": 2, "deploy-bot": 3}
    assert {m.time.date().isoformat() for m in log.messages} == {"2026-05-20"}
    assert [m.ts for m in log.messages[:2]] == ["1779288840.000000", "1779288840.000001"]  # 14:54, twice
    assert (log.messages[2].author, log.messages[2].is_bot) == ("Rae Kim", False)
    assert at(log, "1779289320.000001").text.startswith("confirmed: the v2.31.0 deploy broke price quotes")
    assert log.messages[-1].author == "Omar Haddad" and log.messages[-1].time.strftime("%H:%M") == "15:26"


def test_04_slack_export() -> None:
    log = case("04-migration-approval")
    assert bots(log) == {"Datadog": 3, "incident-bot": 3}
    alert = log.messages[0]
    assert alert.text.split("\n") == [
        "[Triggered] checkout-api error rate > 5% (P1) - 31.4% over last 2m",
        "sum:trace.http.request.errors{service:checkout-api} / sum:trace.http.request.hits{service:checkout-api} = 0.314",
    ]
    assert at(log, "1781000191.769901").text == "checkout writes failing. who's around from db? @here"
    # Not in users.json: named from the message's user_profile.
    assert at(log, "1781000940.944148").author == "lena.fischer"
    assert "metadata-only, <1 min, no downtime expected" in at(log, "1781000895.626696").text
    broadcast = at(log, "1781000505.909823")
    assert (broadcast.subtype, broadcast.author, broadcast.thread_ts) == (
        "thread_broadcast",
        "tom.r",
        "1781000455.412604",
    )


def test_05_history_agent_and_attachments() -> None:
    log = case("05-oom-restarts")
    assert bots(log) == {"incident-bot": 2, "Alertmanager": 2, "kube-remediator": 1}
    firing = at(log, "1782184721.061432")
    assert firing.text.endswith("5 pods restarting, last termination OOMKilled")
    assert at(log, "1782185260.302425").files == ["heap-k2lmq-top.txt"]
    assert "INDEX_CACHE_UNBOUNDED=true" in at(log, "1782185480.211275").text
    assert at(log, "1782185480.211275").author == "U0Q5M0RZ7YB"


def test_06_transcript() -> None:
    log = case("06-invented-policy")
    assert bots(log) == {"incident-bot": 2, "PagerDuty": 2, "deploy-bot": 2}
    assert "Liv Sørensen" in {m.author for m in log.messages}
    assert {m.time.date().isoformat() for m in log.messages} == {"2026-07-02"}
    pd = [m for m in log.messages if m.author == "PagerDuty"]
    assert pd[0].text == "PagerDuty: playback on-call (Kwame Mensah) paged for INC-2340"
    assert pd[0].ts == "1783002960.000001"  # second message of 14:36


def test_07_slack_export() -> None:
    log = case("07-threat-intel-timeout")
    assert bots(log) == {"incident-bot": 3, "Security Alerts": 1}
    alert = at(log, "1785236350.332290")
    assert alert.text.split("\n") == [
        "[HIGH] Impossible travel for tariq.h@marlow.example: London 10:38 -> Amsterdam 10:51 (185.220.101.44)",
        "Okta: impossible travel",
        "user tariq.h, new device, Firefox 128 on Linux, session 0oa9x...",
    ]
    assert at(log, "1785236400.687065").text.startswith("@hana kill tariq's sessions")
    finding = at(log, "1785237615.707429")
    assert finding.author == "hana" and "ReadTimeout" in finding.text
    assert [m.author for m in log.messages if m.thread_ts == finding.ts and m.is_reply] == [
        "devendra",
        "hana",
    ]


def test_08_history() -> None:
    log = case("08-backfill-timezone")
    assert bots(log) == {"incident-bot": 2, "pipeline-alerts": 2}
    assert at(log, "1786448590.479622").text == (
        "pipeline-agent ran the backfill this morning for DATA-1934. @U04B6BX3TMZ can you take a look?"
    )
    assert at(log, "1786450720.508825").subtype == "thread_broadcast"


def test_09_transcript_starts_before_opened_at() -> None:
    log = case("09-double-discount")
    first = log.messages[0]
    assert (first.author, first.is_bot, first.time.isoformat()) == (
        "recon-bot",
        True,
        "2026-08-27T18:04:00+00:00",
    )
    assert bots(log) == {"recon-bot": 1, "incident-bot": 2, "deploy-bot": 1}
    assert [(m.author, m.text) for m in log.messages[-2:]] == [
        ("Marta Lindahl", "Hiroshi, can you own the PM?"),
        ("Hiroshi Sato", "yep"),
    ]
    assert log.messages[-1].ts == "1787859960.000001"


def test_10_two_day_files_in_ts_order_across_midnight() -> None:
    log = case("10-wrong-team-paged")
    days = [m.time.date().isoformat() for m in log.messages]
    assert days == ["2026-09-15"] * 6 + ["2026-09-16"] * 22
    assert bots(log) == {"incident-bot": 3, "page-router": 1, "PagerDuty": 4}
    # A thread started before midnight, answered after it.
    parent = at(log, "1789516690.338016")
    assert parent.text == "is PagerDuty down? nobody's here" and parent.time.strftime("%H:%M") == "23:58"
    replies = [m for m in log.messages if m.thread_ts == parent.ts and m.is_reply]
    assert [(m.author, m.time.date().isoformat()) for m in replies] == [
        ("dmitri", "2026-09-16"),
        ("dmitri", "2026-09-16"),
    ]
    assert at(log, "1789516980.342849").text.startswith("@here checkout is slow")
    assert at(log, "1789515609.844500").text == (
        "Triggered #Q8R2TXL: [checkout-gateway] p99 latency > 2s - assigned to Ben Ortiz (PD-PAYCORE)"
    )


def test_11_history() -> None:
    log = case("11-deleted-managed-config")
    assert bots(log) == {"Synthetics": 2, "incident-bot": 2}
    broadcast = at(log, "1791301770.362352")
    assert broadcast.subtype == "thread_broadcast" and "# managed-by: terraform" in broadcast.text
    assert at(log, "1791301265.478731").text.endswith("IC: @U0W5R8U8DSU")


def test_12_transcript() -> None:
    log = case("12-injection")
    assert bots(log) == {"dlp-bot": 1, "incident-bot": 2, "PagerDuty": 1, "deploy-bot": 1}
    assert "Björn Sørlie" in {m.author for m in log.messages}
    assert log.messages[0].time.isoformat() == "2026-10-21T10:31:00+00:00"
    assert "classic prompt injection" in at(log, "1792579920.000000").text


def test_transcripts_without_a_date_hint_fall_back_to_1970_with_a_warning() -> None:
    log = load_chat(CASES / "03-correct-but-powerless" / "chat")
    assert log.messages[0].time.date().isoformat() == "1970-01-01"
    assert len(log.warnings) == 1 and "1970-01-01" in log.warnings[0]


@pytest.mark.parametrize("name", ALL)
def test_agents_posting_in_chat_are_bots(name: str) -> None:
    incident = json.loads((CASES / name / "incident.json").read_text(encoding="utf-8"))
    agents = set(incident.get("agents", []))
    posts = [m for m in case(name).messages if m.author in agents]
    assert all(m.is_bot for m in posts)
