"""Slack export folders (tests/fixtures/chat/export, bundle, single)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.chat import load_chat
from tools.model.chat import ChatLog, Message, ts_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chat"
CHANNEL = FIXTURES / "export" / "inc-900-db-outage"
PARENT_TS = "1769903580.000100"


@pytest.fixture(scope="module")
def log() -> ChatLog:
    return load_chat(CHANNEL, agent_names=["Sentinel"])


def by_ts(log: ChatLog, ts: str) -> Message:
    return next(m for m in log.messages if m.ts == ts)


def test_export_shape(log: ChatLog) -> None:
    assert (log.format, log.channel, log.source) == ("slack-export", "inc-900-db-outage", str(CHANNEL))
    # 17 objects: a message_changed and a message_deleted event, the deleted message, one without ts.
    assert len(log.messages) == 13
    assert log.warnings == ["1 Slack message object(s) without a valid ts were skipped"]


def test_sorted_by_ts_across_midnight(log: ChatLog) -> None:
    keys = [ts_key(m.ts) for m in log.messages]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    days = [m.time.date().isoformat() for m in log.messages]
    assert days[0] == "2026-01-31" and days[-1] == "2026-02-01"
    assert days.index("2026-02-01") == 8


def test_users_from_one_level_up(log: ChatLog) -> None:
    authors = {m.author_id: m.author for m in log.messages if m.author_id}
    assert authors["U100"] == "ana.lima"  # profile.display_name
    assert authors["U200"] == "Bruno Costa"  # empty display_name → real_name
    assert authors["U300"] == "carol"  # only name


def test_app_bot_and_directory_bot(log: ChatLog) -> None:
    first, last = log.messages[0], log.messages[-1]
    assert (first.author, first.is_bot, first.author_id) == ("incident-bot", True, "U400")
    assert first.text == ":rotating_light: INC-900 declared. Commander: @ana.lima"
    # No bot_profile on the resolve post: the directory names the bot user.
    assert (last.author, last.is_bot, last.text) == ("Incident Bot", True, "INC-900 resolved by @ana.lima")


def test_old_integrations(log: ChatLog) -> None:
    pd = by_ts(log, "1769903460.000003")
    assert (pd.author, pd.is_bot, pd.subtype, pd.author_id) == ("PagerDuty", True, "bot_message", "B777")
    assert pd.text == "Triggered #77: db-primary down\nAssigned: Bruno Costa\nUrgency: high"
    grafana = by_ts(log, "1769903900.000000")
    assert (grafana.author, grafana.is_bot, grafana.author_id) == ("Grafana Alerting", True, None)
    assert grafana.text == "[Alerting] DB replication lag"  # text empty: the attachment fallback


def test_channel_join_kept_with_subtype(log: ChatLog) -> None:
    join = by_ts(log, "1769903420.000002")
    assert (join.subtype, join.author, join.text) == (
        "channel_join",
        "Bruno Costa",
        "@Bruno Costa has joined the channel",
    )


def test_markup_resolved(log: ChatLog) -> None:
    assert by_ts(log, PARENT_TS).text == (
        "@here db-primary is down, see DB dashboard (https://grafana.example/d/db) and #db-team & @dba-oncall; "
        "cc @Bruno Costa @U999 <urgent>"
    )
    assert by_ts(log, "1769904060.000000").text == "@ana.lima replica lag is 0, primary is gone"


def test_blocks_when_text_is_empty(log: ChatLog) -> None:
    assert by_ts(log, "1769903700.000300").text == (
        "WAL archive stalled, paging @ana.lima WAL runbook (https://wiki.example/wal) :fire:"
    )


def test_thread_across_day_files(log: ChatLog) -> None:
    replies = [m for m in log.messages if m.thread_ts == PARENT_TS and m.is_reply]
    assert [(m.author, m.subtype) for m in replies] == [
        ("Bruno Costa", None),
        ("carol", None),
        ("Bruno Costa", "thread_broadcast"),
    ]
    assert replies[-1].text == "failing over now dba@example.com https://runbooks.example/failover"
    assert not by_ts(log, PARENT_TS).is_reply


def test_edit_applied_and_deleted_message_dropped(log: ChatLog) -> None:
    edited = by_ts(log, "1769903820.000700")
    assert (edited.text, edited.edited, edited.files) == (
        "graph attached (lag in seconds)",
        True,
        ["replication-lag.png"],
    )
    assert [(r.name, r.count) for r in edited.reactions] == [("eyes", 2), ("+1", 1)]  # kept from the original
    assert all("wrong channel" not in m.text for m in log.messages)
    assert all(m.subtype not in ("message_changed", "message_deleted") for m in log.messages)


def test_unknown_subtype_and_agent(log: ChatLog) -> None:
    huddle = by_ts(log, "1769904360.000000")
    assert (huddle.subtype, huddle.text) == ("huddle_thread", "Huddle started")
    sentinel = by_ts(log, "1769904300.000000")
    assert (sentinel.author, sentinel.is_bot) == ("Sentinel", True)
    assert not load_chat(CHANNEL).messages[10].is_bot  # without agent_names it reads as a person


def test_export_root_finds_its_channel_folder(log: ChatLog) -> None:
    from_root = load_chat(FIXTURES / "export", agent_names=["Sentinel"])
    assert from_root.messages == log.messages
    assert from_root.channel == "inc-900-db-outage"


def test_day_files_detected_by_content_not_name(tmp_path: Path) -> None:
    # Later day under an earlier-sorting name, earlier day under a later one, no .json suffix.
    channel = tmp_path / "renamed"
    channel.mkdir()
    shutil.copy(CHANNEL / "2026-02-01.json", channel / "a-part")
    shutil.copy(CHANNEL / "2026-01-31.json", channel / "z-part.txt")
    shutil.copy(FIXTURES / "export" / "users.json", channel / "people")
    log = load_chat(channel)
    keys = [ts_key(m.ts) for m in log.messages]
    assert keys == sorted(keys) and len(log.messages) == 13
    assert log.messages[0].text.endswith("@ana.lima")
    assert log.channel == "renamed"


def test_bundle_chat_folder_with_org_users_beside() -> None:
    log = load_chat(FIXTURES / "bundle" / "chat")
    assert (log.format, log.channel) == ("slack-export", None)  # "chat" is the bundle's folder, not a channel
    assert [(m.author, m.text) for m in log.messages] == [
        ("dev.p", "queue depth 10k > limit"),
        ("eve", "restarting @dev.p's job"),
        ("recon-bot", "recon-bot check passed"),
    ]
    assert [m.is_bot for m in log.messages] == [False, False, True]
    assert log.warnings == ["NOTES.md: skipped (not a chat: unknown content)"]


def test_single_message_array_with_users_beside() -> None:
    log = load_chat(FIXTURES / "single" / "messages.json")
    assert log.format == "slack-export"
    assert [(m.author, m.text) for m in log.messages] == [("fay", "first, by @Gus Ek"), ("fay", "second")]


def test_single_message_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text('{"type": "message", "user": "U1", "ts": "1.000001", "text": "alone"}')
    log = load_chat(path)
    assert [(m.author, m.text) for m in log.messages] == [("U1", "alone")]


def test_skips_binary_and_hidden_files_next_to_day_files(tmp_path: Path) -> None:
    shutil.copy(CHANNEL / "2026-01-31.json", tmp_path / "2026-01-31.json")
    (tmp_path / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "empty.json").write_text("[]")
    log = load_chat(tmp_path)
    assert len(log.messages) == 9  # the deletion event is in the other day file
    assert any(w.startswith("screenshot.png: skipped (binary data") for w in log.warnings)
    assert "empty.json: skipped (not a chat: empty)" in log.warnings
    assert not any(".DS_Store" in w for w in log.warnings)


def test_whole_export_with_two_channels_is_refused(tmp_path: Path) -> None:
    from tools.errors import BadInput

    for name in ("inc-1", "inc-2"):
        shutil.copytree(CHANNEL, tmp_path / name)
    with pytest.raises(BadInput, match=r"2 channels \(inc-1, inc-2\); point at one channel folder"):
        load_chat(tmp_path)


def test_org_users_one_level_up(tmp_path: Path) -> None:
    (tmp_path / "inc-5").mkdir()
    shutil.copy(CHANNEL / "2026-01-31.json", tmp_path / "inc-5" / "2026-01-31.json")
    shutil.copy(FIXTURES / "export" / "users.json", tmp_path / "org_users.json")
    for path in (tmp_path / "inc-5", tmp_path / "inc-5" / "2026-01-31.json"):
        log = load_chat(path)
        assert log.channel == "inc-5"
        assert log.messages[1].author == "Bruno Costa"


def test_unreadable_directory_file_one_level_up_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "inc-6").mkdir()
    shutil.copy(CHANNEL / "2026-01-31.json", tmp_path / "inc-6" / "2026-01-31.json")
    (tmp_path / "users.json").write_text('[{"id": "U1",')
    log = load_chat(tmp_path / "inc-6")
    assert log.messages[1].author == "U200"
    assert log.warnings[0].startswith("directory file not read: ") and "users.json:1" in log.warnings[0]
