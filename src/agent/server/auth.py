"""Review-page tokens.

`PMDRAFT_REVIEW_TOKEN` opens every draft. The link posted in Slack carries a per-draft token
instead, HMAC(review token, incident id): everyone in the channel can open that one draft, and
nobody can derive the master token or another draft's link from it.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote


def draft_token(secret: str, incident_id: str) -> str:
    return hmac.new(secret.encode(), f"draft:{incident_id}".encode(), hashlib.sha256).hexdigest()[:40]


def token_ok(secret: str | None, incident_id: str, offered: str | None) -> bool:
    if not secret or not offered:
        return False  # no token configured: the pages stay closed
    master = hmac.compare_digest(secret.encode(), offered.encode())
    per_draft = hmac.compare_digest(draft_token(secret, incident_id).encode(), offered.encode())
    return master or per_draft


def review_link(public_url: str, secret: str | None, incident_id: str) -> str:
    base = f"{public_url.rstrip('/')}/drafts/{quote(incident_id, safe='')}"
    return f"{base}?token={draft_token(secret, incident_id)}" if secret else base
