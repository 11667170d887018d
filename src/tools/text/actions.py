"""Is a tool call a consequential action or a read? Judged from the tool's name and arguments.

Agents act through tools whose names are verbs (`run_recovery`, `delete_file`, `send_email`,
`close_alert`, `page`) and look through tools whose names are reads (`get_alert`, `list_files`,
`search_docs`, `queue_diagnostics`). The split is by the verb parts of the name, in any naming
style (snake, camel, kebab, dotted); unknown names are neutral.
"""

from __future__ import annotations

import re
from typing import Literal

ActionClass = Literal["act", "read", "answer", "handoff", "neutral"]

READ_VERBS = frozenset(
    """
    get list search lookup look query fetch read describe check inspect find show view retrieve load
    diagnose diagnostics diag stats status logs log tail grep explain analyze analyse validate dry
    dryrun preview estimate count measure watch poll peek browse scan summarize summarise compare
    diff plan lint test verify whois info details history metrics trace traces health ping
    select
    """.split()
)

ACT_VERBS = frozenset(
    """
    run execute exec apply restart reboot delete remove rm drop truncate purge send post publish email
    notify message reply respond close resolve create update set write put patch insert upsert modify
    change edit rename move copy deploy rollback revert roll scale kill terminate stop start cancel
    approve reject submit merge push commit refund charge pay transfer issue grant revoke disable enable
    block unblock ban suspend page escalate assign reassign open file book schedule reschedule order
    ship mark tag label quarantine isolate release migrate alter backfill reindex rotate reset flush
    invalidate evict drain cordon upload archive trigger invoke call discount credit debit void
    promote demote rollout enable activate deactivate retire decommission provision deprovision restore
    recover repair fix resubmit retry requeue replay hold unhold sign dispatch route reroute forward
    settle reconcile adjust allocate deny allow allowlist blocklist whitelist blacklist freeze unfreeze
    lock unlock restrict mute unmute snooze acknowledge ack silence override overwrite replace import
    export sync resync load unload install uninstall upgrade downgrade patch configure reconfigure
    reserve assign dismiss ignore accept decline confirm notify contain remediate
    """.split()
)

ANSWER_HINTS = frozenset({"reply", "respond", "answer", "send_chat_message", "send_message", "chat"})
HANDOFF_HINTS = frozenset({"handoff", "transfer_to", "escalate", "delegate", "approval", "ask_human", "human_review"})

_SPLIT_RE = re.compile(r"[_\-.\s/:]+|(?<=[a-z0-9])(?=[A-Z])")


def name_parts(tool_name: str) -> list[str]:
    return [p.lower() for p in _SPLIT_RE.split(tool_name) if p]


def classify_tool(tool_name: str) -> ActionClass:
    parts = name_parts(tool_name)
    if not parts:
        return "neutral"
    joined = "_".join(parts)
    if any(h in joined for h in HANDOFF_HINTS) or joined.startswith("transfer_to"):
        return "handoff"
    # The leading verb decides ("get_status" is a read even though "status" could be anything);
    # failing that, any act verb anywhere marks an action (`rollout_restart`, `edge_page_team`).
    first = parts[0]
    if first in READ_VERBS:
        return "read"
    if first in ACT_VERBS:
        return "act"
    if any(p in ACT_VERBS for p in parts[1:]):
        return "act"
    if any(p in READ_VERBS for p in parts):
        return "read"
    return "neutral"


_SQL_WRITE = re.compile(r"\b(insert|update|delete|merge|alter|drop|create|truncate|grant|revoke|copy|vacuum|reindex)\b", re.I)
_SQL_READ = re.compile(r"\b(select|show|explain|describe|with)\b", re.I)


def is_dry_run(arguments: str) -> bool:
    """A call whose arguments ask for a dry run / preview is a read, whatever its name."""
    a = arguments.lower().replace(" ", "")
    return any(k in a for k in ('"dry_run":true', '"dryrun":true', "dry_run=true", '"preview":true', "--dry-run"))


def is_read_only_sql(arguments: str) -> bool:
    """`run_sql` with only a SELECT is a read: the verb in the tool name says less than the statement."""
    return bool(_SQL_READ.search(arguments)) and not _SQL_WRITE.search(arguments)


def is_read_call(tool_name: str, arguments: str) -> bool:
    return is_dry_run(arguments) or (_mentions_sql(tool_name, arguments) and is_read_only_sql(arguments))


def _mentions_sql(tool_name: str, arguments: str) -> bool:
    return any(p in ("sql", "query") for p in name_parts(tool_name)) or '"sql"' in arguments.lower() or '"query"' in arguments.lower()


_REPORT_VERBS = frozenset({"post", "notify", "comment", "announce", "inform", "message", "broadcast"})
_STATUS_VERBS = _REPORT_VERBS | {"update", "reply", "respond", "send"}
_STATUS_NOUNS = frozenset({
    "channel", "slack", "status", "update", "message", "thread", "ticket", "comment", "teams", "summary",
    "note", "notification",
})


def is_status_post(tool_name: str) -> bool:
    """A call that reports to people (post_to_channel, notify_account_manager, comment_on_ticket) rather
    than changing a system: it carries a conclusion drawn earlier, it is rarely where it was drawn."""
    parts = name_parts(tool_name)
    if not parts:
        return False
    if parts[0] in _REPORT_VERBS:
        return True
    return parts[0] in _STATUS_VERBS and any(p in _STATUS_NOUNS for p in parts[1:])
