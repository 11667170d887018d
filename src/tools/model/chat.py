"""The normalized incident-channel model every chat reader produces."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field


class Reaction(BaseModel):
    name: str = Field(description="Emoji name without colons.")
    count: int = Field(default=1, description="How many people reacted.")


class Message(BaseModel):
    """One channel message (top-level or thread reply)."""

    ts: str = Field(description="Message id: Slack ts string '<seconds>.<6 digits>' (synthesized for transcripts).")
    author_id: str | None = Field(default=None, description="User/bot id as recorded (U…, B…), if any.")
    author: str = Field(description="Display name (resolved from users.json/profile) or the raw id.")
    is_bot: bool = Field(default=False, description="True for bots, apps and integrations.")
    text: str = Field(default="", description="Text with Slack markup resolved and HTML entities unescaped.")
    thread_ts: str | None = Field(default=None, description="Parent ts for thread replies (== ts on a parent).")
    subtype: str | None = Field(default=None, description="Slack subtype (bot_message, thread_broadcast, …).")
    reactions: list[Reaction] = Field(default_factory=list, description="Reactions on the message.")
    files: list[str] = Field(default_factory=list, description="Names of attached files.")
    edited: bool = Field(default=False, description="The message was edited after posting.")

    @property
    def ref(self) -> str:
        return f"chat:{self.ts}"

    @property
    def time(self) -> datetime:
        return ts_to_datetime(self.ts)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


class ChatLog(BaseModel):
    """The incident channel, ordered by ts."""

    source: str = Field(description="File or folder the chat was read from.")
    format: str = Field(description="slack-export | conversations-history | transcript.")
    channel: str | None = Field(default=None, description="Channel name, if known.")
    messages: list[Message] = Field(default_factory=list, description="Messages sorted by ts.")
    warnings: list[str] = Field(default_factory=list, description="Non-fatal problems met while reading.")


def ts_key(ts: str) -> Decimal:
    """Sort key for Slack ts strings: exact decimal, never a float."""
    try:
        return Decimal(ts)
    except InvalidOperation:
        return Decimal(0)


def ts_to_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts_key(ts)), tz=UTC)


def ts_to_ns(ts: str) -> int:
    return int(ts_key(ts) * 1_000_000_000)
