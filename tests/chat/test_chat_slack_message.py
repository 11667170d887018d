"""One Slack message object → Message, and the rules for edits, deletions and duplicates."""

from __future__ import annotations

from typing import Any

from tools.chat.slack_message import (
    SlackUser,
    build_messages,
    make_context,
    parse_users,
    to_message,
)

USERS = {
    "U1": SlackUser(id="U1", name="ana.lima"),
    "U9": SlackUser(id="U9", name="Incident Bot", is_bot=True),
}


def one(raw: dict[str, Any], agents: tuple[str, ...] = ()) -> Any:
    msg = to_message(raw, make_context([raw], USERS, agent_names=agents))
    assert msg is not None
    return msg


def test_human_author_from_directory() -> None:
    msg = one({"type": "message", "user": "U1", "ts": "10.000001", "text": "hi"})
    assert (msg.author, msg.author_id, msg.is_bot) == ("ana.lima", "U1", False)
    assert msg.ref == "chat:10.000001"


def test_user_profile_when_directory_lacks_the_user() -> None:
    raw = {
        "user": "U7",
        "ts": "1.0",
        "text": "x",
        "user_profile": {"display_name": "", "real_name": "Lena Fischer"},
    }
    assert one(raw).author == "Lena Fischer"


def test_unresolved_id_without_directory_or_profile() -> None:
    msg = one({"user": "U0SBVQRM7HE", "ts": "1.0", "text": "x"})
    assert (msg.author, msg.author_id, msg.is_bot) == ("U0SBVQRM7HE", "U0SBVQRM7HE", False)


def test_app_bot_uses_bot_profile_name() -> None:
    raw = {
        "user": "U9",
        "bot_id": "B9",
        "app_id": "A9",
        "ts": "1.0",
        "text": "declared",
        "bot_profile": {"id": "B9", "name": "incident-bot"},
    }
    msg = one(raw)
    assert (msg.author, msg.author_id, msg.is_bot) == ("incident-bot", "U9", True)


def test_bot_user_from_directory_without_bot_profile() -> None:
    msg = one({"user": "U9", "ts": "1.0", "text": "resolved"})
    assert (msg.author, msg.is_bot) == ("Incident Bot", True)


def test_old_integration_username() -> None:
    raw = {
        "subtype": "bot_message",
        "username": "PagerDuty",
        "bot_id": "B2",
        "ts": "1.0",
        "text": "Triggered #1",
    }
    msg = one(raw)
    assert (msg.author, msg.author_id, msg.is_bot, msg.subtype) == ("PagerDuty", "B2", True, "bot_message")


def test_integration_name_without_bot_fields_is_a_bot() -> None:
    assert one({"username": "Grafana Alerting", "ts": "1.0", "text": "x"}).is_bot


def test_agent_posting_with_a_user_token_is_a_bot() -> None:
    raw = {"user": "U5", "ts": "1.0", "text": "done", "user_profile": {"display_name": "Sentinel"}}
    assert not one(raw).is_bot
    assert one(raw, agents=("Sentinel",)).is_bot


def test_attachments_fill_empty_text_and_add_fields() -> None:
    only_fallback = one(
        {"username": "x", "bot_id": "B", "ts": "1.0", "text": "", "attachments": [{"fallback": "fb"}]}
    )
    assert only_fallback.text == "fb"
    rich = one(
        {
            "bot_id": "B",
            "ts": "1.0",
            "text": "Triggered #7: db down",
            "attachments": [
                {
                    "fallback": "Triggered #7",
                    "title": "db down",
                    "text": "pods <@U1> &gt; 3",
                    "fields": [{"title": "Assigned", "value": "Ana"}, {"value": "only value"}],
                }
            ],
        }
    )
    # The title repeats the text; the fallback only summarizes: neither is added.
    assert rich.text == "Triggered #7: db down\npods @ana.lima > 3\nAssigned: Ana\nonly value"


def test_files_reactions_edited() -> None:
    msg = one(
        {
            "user": "U1",
            "ts": "1.0",
            "text": "graph",
            "edited": {"user": "U1", "ts": "2.0"},
            "files": [
                {"id": "F1", "name": "lag.png"},
                {"id": "F2", "title": "Untitled"},
                {"id": "F3"},
                "junk",
            ],
            "reactions": [
                {"name": "eyes", "count": 2, "users": ["a", "b"]},
                {"name": "+1", "users": ["a"]},
                {"name": "tada"},
                {"count": 3},
            ],
        }
    )
    assert msg.files == ["lag.png", "Untitled", "F3"]
    assert [(r.name, r.count) for r in msg.reactions] == [("eyes", 2), ("+1", 1), ("tada", 1)]
    assert msg.edited


def test_thread_fields() -> None:
    parent = one({"user": "U1", "ts": "5.000100", "thread_ts": "5.000100", "reply_count": 1, "text": "p"})
    reply = one({"user": "U1", "ts": "6.0", "thread_ts": "5.000100", "parent_user_id": "U1", "text": "r"})
    broadcast = one(
        {"user": "U1", "ts": "7.0", "thread_ts": "5.000100", "subtype": "thread_broadcast", "text": "b"}
    )
    assert (parent.is_reply, reply.is_reply, broadcast.is_reply) == (False, True, True)
    assert broadcast.subtype == "thread_broadcast"


def test_numeric_and_invalid_ts() -> None:
    ctx = make_context([], USERS)
    numeric = to_message({"user": "U1", "ts": 1700000000.5, "text": "x"}, ctx)
    assert numeric is not None and numeric.ts == "1700000000.500000"
    for bad in (None, "abc", "-1.0", "NaN", True, [1]):
        assert to_message({"user": "U1", "ts": bad, "text": "x"}, ctx) is None


def test_odd_field_types_are_tolerated() -> None:
    msg = one(
        {
            "user": ["U1"],
            "ts": "1.0",
            "text": 5,
            "blocks": "x",
            "attachments": {"a": 1},
            "reactions": "many",
            "files": None,
            "subtype": 3,
            "thread_ts": {"x": 1},
        }
    )
    assert (msg.author, msg.text, msg.subtype, msg.thread_ts) == ("unknown", "", None, None)


def test_build_applies_edits_deletions_and_dedupes_sorted_by_ts() -> None:
    raws = [
        {"user": "U1", "ts": "30.000000", "text": "third"},
        {"user": "U1", "ts": "10.000000", "text": "old text", "reactions": [{"name": "eyes", "count": 1}]},
        {"user": "U1", "ts": "9.999999", "text": "earlier by a microsecond"},
        {"user": "U1", "ts": "20.000000", "text": "wrong channel"},
        {
            "subtype": "message_changed",
            "ts": "41.0",
            "message": {"user": "U1", "ts": "10.000000", "text": "final"},
            "previous_message": {"user": "U1", "ts": "10.000000", "text": "old text"},
        },
        {
            "subtype": "message_changed",
            "ts": "40.0",
            "message": {"user": "U1", "ts": "10.000000", "text": "middle"},
        },
        {"subtype": "message_deleted", "ts": "42.0", "deleted_ts": "20.000000"},
        {"user": "U1", "ts": "30.000000", "text": "third (repeated on another page)"},
        {
            "subtype": "future_subtype",
            "user": "U1",
            "ts": "50.0",
            "text": "kept",
            "brand_new_field": {"a": [1]},
        },
        {"user": "U1", "text": "no ts"},
        "not an object",
    ]
    messages, warnings = build_messages(raws, make_context(raws, USERS))
    assert [m.ts for m in messages] == ["9.999999", "10.000000", "30.000000", "50.0"]
    edited = messages[1]
    assert (edited.text, edited.edited, [r.name for r in edited.reactions]) == ("final", True, ["eyes"])
    assert messages[2].text == "third"
    assert messages[3].subtype == "future_subtype"
    assert warnings == ["1 Slack message object(s) without a valid ts were skipped"]


def test_message_replied_and_nested_replies() -> None:
    raws = [
        {
            "subtype": "message_replied",
            "ts": "12.0",
            "hidden": True,
            "message": {"user": "U1", "ts": "10.0", "thread_ts": "10.0", "text": "parent", "reply_count": 1},
        },
        {
            "user": "U1",
            "ts": "20.0",
            "text": "dumped parent",
            "thread_ts": "20.0",
            "replies": [{"user": "U1", "ts": "20.5"}],  # Slack's legacy pointer list: not messages
            "slackdump_thread_replies": [
                {"user": "U1", "ts": "21.0", "thread_ts": "20.0", "text": "nested reply"}
            ],
        },
    ]
    messages, _ = build_messages(raws, make_context(raws, USERS))
    assert [(m.ts, m.text) for m in messages] == [
        ("10.0", "parent"),
        ("20.0", "dumped parent"),
        ("21.0", "nested reply"),
    ]
    assert messages[2].is_reply


def test_parse_users_forms() -> None:
    record = {
        "id": "U1",
        "name": "ana",
        "real_name": "Ana Lima",
        "profile": {"display_name": "", "real_name": "Ana L"},
    }
    assert parse_users([record])["U1"].name == "Ana L"
    assert parse_users({"ok": True, "members": [{"id": "U2", "name": "bo", "is_bot": True}]})["U2"].is_bot
    assert parse_users([{"id": "U4", "name": "handle", "is_bot": False}])["U4"].name == "handle"
    assert parse_users("junk") == {} and parse_users([1, {"no": "id"}]) == {}


def test_mentions_resolve_through_profiles_on_other_messages() -> None:
    raws = [
        {"user": "U7", "ts": "1.0", "text": "hi", "user_profile": {"display_name": "kim"}},
        {"user": "U8", "ts": "2.0", "text": "thanks <@U7> <@U6>"},
        {"user": "U6", "ts": "3.0", "text": "declared", "bot_id": "B6", "bot_profile": {"name": "rootly"}},
    ]
    messages, _ = build_messages(raws, make_context(raws, {}))
    assert messages[1].text == "thanks @kim @rootly"
