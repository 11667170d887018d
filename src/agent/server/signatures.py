"""Request signatures, verified on the raw body before any parsing (spec/formats.md §8.4, §9).

- Slack: `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))`, `X-Slack-Request-Timestamp`
  within the replay window.
- PagerDuty V3: `X-PagerDuty-Signature: v1=hex(HMAC-SHA256(secret, body))[,v1=…]` (several during a
  secret rotation); nothing timestamped is signed, so replays are stopped by `X-Webhook-Id` dedupe.
- incident.io (Svix): `webhook-signature: v1,base64(HMAC-SHA256(b64decode(secret minus whsec_),
  "{id}.{ts}.{body}"))` (space-separated list), `webhook-timestamp` within the window; `svix-*`
  header names are accepted too.

Every comparison is constant-time. A missing secret fails closed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping


class SignatureError(Exception):
    """Why a request was refused (logged; the client only sees 401)."""


def _now() -> float:
    return time.time()


def _check_timestamp(raw: str | None, tolerance_s: int, now: float | None) -> None:
    if not raw:
        raise SignatureError("missing timestamp header")
    try:
        ts = int(raw)
    except ValueError:
        raise SignatureError("timestamp is not an integer") from None
    if abs((now if now is not None else _now()) - ts) > tolerance_s:
        raise SignatureError("timestamp outside the replay window")


def _require(secret: str | None) -> str:
    if not secret:
        raise SignatureError("no secret configured for this route")
    return secret


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_slack(secret: str | None, headers: Mapping[str, str], body: bytes, *,
                 tolerance_s: int = 300, now: float | None = None) -> None:
    key = _require(secret)
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if not signature:
        raise SignatureError("missing X-Slack-Signature")
    _check_timestamp(timestamp, tolerance_s, now)
    assert timestamp is not None
    if not hmac.compare_digest(slack_signature(key, timestamp, body), signature):
        raise SignatureError("X-Slack-Signature does not match")


def pagerduty_signature(secret: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_pagerduty(secret: str | None, headers: Mapping[str, str], body: bytes) -> None:
    key = _require(secret)
    header = headers.get("x-pagerduty-signature")
    if not header:
        raise SignatureError("missing X-PagerDuty-Signature")
    expected = pagerduty_signature(key, body)
    offered = [s.strip() for s in header.split(",") if s.strip().startswith("v1=")]
    # Check every entry (no early exit) so timing does not tell which one matched.
    matched = False
    for candidate in offered:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("no v1 signature in X-PagerDuty-Signature matches")


def _svix_key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("webhook secret is not a whsec_ base64 secret") from None


def svix_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_svix_key(secret), content, hashlib.sha256).digest()).decode()


def svix_headers(headers: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """(id, timestamp, signature) from webhook-* headers, or the svix-* originals."""
    def pick(name: str) -> str | None:
        return headers.get(f"webhook-{name}") or headers.get(f"svix-{name}")

    return pick("id"), pick("timestamp"), pick("signature")


def verify_svix(secret: str | None, headers: Mapping[str, str], body: bytes, *,
                tolerance_s: int = 300, now: float | None = None) -> str:
    """Verify and return the message id (the idempotency key)."""
    key = _require(secret)
    msg_id, timestamp, header = svix_headers(headers)
    if not msg_id or not header:
        raise SignatureError("missing webhook-id or webhook-signature")
    _check_timestamp(timestamp, tolerance_s, now)
    assert timestamp is not None
    expected = svix_signature(key, msg_id, timestamp, body)
    matched = False
    for candidate in header.split():
        if candidate.startswith("v1,"):
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("no v1 signature in webhook-signature matches")
    return msg_id
