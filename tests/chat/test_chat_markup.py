"""Slack markup → plain text."""

from __future__ import annotations

import pytest

from tools.chat.markup import render_blocks, resolve, unescape

USERS = {"U1": "ana.lima", "U2": "Bruno Costa"}


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("ping <@U1>", "ping @ana.lima"),
        ("ping <@U404>", "ping @U404"),  # unknown ids stay visible
        ("ping <@U404|old.name>", "ping @old.name"),  # legacy label when the directory lacks the id
        ("ping <@U2|bruno>", "ping @Bruno Costa"),  # the directory beats the label
        ("see <#C042|db-team>", "see #db-team"),
        ("see <#C042>", "see #C042"),
        ("<!here> now", "@here now"),
        ("<!channel> <!everyone>", "@channel @everyone"),
        ("<!here|here> now", "@here now"),
        ("<!subteam^S01|@dba-oncall> please", "@dba-oncall please"),
        ("<!subteam^S01> please", "@S01 please"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<https://x.example/d/1|dashboard>", "dashboard (https://x.example/d/1)"),
        ("<https://x.example/d/1>", "https://x.example/d/1"),
        ("<https://x.example/d/1|https://x.example/d/1>", "https://x.example/d/1"),
        ("<https://x.example|x.example>", "x.example"),
        ("<mailto:dba@example.com|dba@example.com>", "dba@example.com"),
        ("<mailto:dba@example.com>", "dba@example.com"),
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("&amp;lt; stays literal", "&lt; stays literal"),
        ("<https://x.example/?a=1&amp;b=2|q &amp; a>", "q & a (https://x.example/?a=1&b=2)"),
        ("no markup: 3 < 4 > 2", "no markup: 3 < 4 > 2"),
        ("<not a token>", "<not a token>"),
        ("", ""),
    ],
)
def test_resolve(raw: str, plain: str) -> None:
    assert resolve(raw, USERS) == plain


def test_channel_ids_resolve_through_channel_map() -> None:
    assert resolve("see <#C042>", USERS, {"C042": "db-team"}) == "see #db-team"


def test_unescape_only_slacks_three_entities() -> None:
    assert unescape("&amp;&lt;&gt;&quot;&nbsp;") == "&<>&quot;&nbsp;"


def test_render_rich_text_blocks() -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "paging "},
                        {"type": "user", "user_id": "U1"},
                        {"type": "text", "text": " in "},
                        {"type": "channel", "channel_id": "C9"},
                        {"type": "text", "text": " "},
                        {"type": "link", "url": "https://r.example", "text": "runbook"},
                        {"type": "emoji", "name": "fire"},
                        {"type": "broadcast", "range": "here"},
                        {"type": "mystery", "text": "?"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]}
                    ],
                },
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "cc <@U2>"},
            "fields": [{"type": "plain_text", "text": "f1"}],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "ctx"}]},
        {"type": "divider"},
        "not a block",
    ]
    assert render_blocks(blocks, USERS) == (
        "paging @ana.lima in #C9 runbook (https://r.example):fire:@here?\n- one\n> quoted\ncc @Bruno Costa\nf1\nctx"
    )


def test_render_blocks_tolerates_garbage() -> None:
    assert render_blocks(None, USERS) == ""
    assert render_blocks([{"type": "rich_text", "elements": "x"}], USERS) == ""
