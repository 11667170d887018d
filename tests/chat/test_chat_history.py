"""Saved conversations.history / conversations.replies responses."""

from __future__ import annotations

import json
from pathlib import Path

from tools.chat import load_chat
from tools.model.chat import ts_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chat" / "history"


def test_newest_first_input_comes_out_ascending() -> None:
    raw = json.loads((FIXTURES / "history.json").read_text())
    raw_keys = [ts_key(m["ts"]) for m in raw["messages"]]
    assert raw_keys == sorted(raw_keys, reverse=True)
    log = load_chat(FIXTURES / "history.json")
    assert [ts_key(m.ts) for m in log.messages] == sorted(raw_keys)
    assert (log.format, log.channel, len(log.messages), log.warnings) == (
        "conversations-history",
        "inc-777-cache",
        6,
        [],
    )


def test_ids_stay_unresolved_but_profiles_are_used() -> None:
    log = load_chat(FIXTURES / "history.json")
    authors = [(m.author, m.author_id, m.is_bot) for m in log.messages]
    assert authors == [
        ("rootly", "U99", True),
        ("U01", "U01", False),
        ("kim", "U02", False),  # user_profile on the message
        ("U03", "U03", False),
        ("Opsgenie", "B9", True),
        ("kim", "U02", False),  # same user, no profile on this message
    ]
    assert log.messages[-1].text == "all clear, thanks @U01"


def test_threads_broadcast_reactions_attachments() -> None:
    log = load_chat(FIXTURES / "history.json")
    parent = log.messages[1]
    assert parent.thread_ts == parent.ts and not parent.is_reply
    assert [(r.name, r.count) for r in parent.reactions] == [("eyes", 1)]
    replies = [m for m in log.messages if m.is_reply]
    assert [m.thread_ts for m in replies] == [parent.ts, parent.ts]
    assert replies[1].subtype == "thread_broadcast"
    assert log.messages[4].text == "Alert closed\ncache-hit-ratio back above 90%"


def test_list_of_pages_with_repeated_parent() -> None:
    log = load_chat(FIXTURES / "pages.json")
    assert [(m.author, m.text) for m in log.messages] == [
        ("U01", "is the API slow for anyone else?"),
        ("U03", "same here"),
        ("U02", "yes, p99 is 4s"),
    ]
    assert log.channel is None


def test_conversations_replies_shape() -> None:
    log = load_chat(FIXTURES / "replies.json")
    assert log.format == "conversations-history"
    assert [m.text for m in log.messages] == ["thread parent", "reply one", "reply two"]
    assert [m.is_reply for m in log.messages] == [False, True, True]


def test_history_file_in_a_folder_uses_users_beside(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text((FIXTURES / "history.json").read_text())
    (tmp_path / "users.json").write_text(
        json.dumps([{"id": "U01", "name": "mo", "real_name": "Mo Diaz", "profile": {}}])
    )
    log = load_chat(tmp_path)
    assert log.format == "conversations-history"
    assert log.messages[1].author == "Mo Diaz"
    assert log.messages[-1].text == "all clear, thanks @Mo Diaz"


def test_channel_field_forms(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    for channel, expected in (
        ("C0123ABCD", "C0123ABCD"),
        ("#inc-5", "inc-5"),
        ({"id": "C0123ABCD"}, "C0123ABCD"),
    ):
        path.write_text(
            json.dumps({"ok": True, "channel": channel, "messages": [{"ts": "1.0", "text": "x"}]})
        )
        assert load_chat(path).channel == expected


def test_empty_history_is_an_empty_chat(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text('{"ok": true, "messages": [], "has_more": false}')
    assert load_chat(path).messages == []
