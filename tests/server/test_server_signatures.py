"""Each provider's signature scheme, and agreement with the providers' own SDKs."""

from __future__ import annotations

import time

import pytest
from server_fakes import PD_SECRET, SLACK_SECRET, SVIX_SECRET

from agent.server.signatures import (
    SignatureError,
    pagerduty_signature,
    slack_signature,
    svix_signature,
    verify_pagerduty,
    verify_slack,
    verify_svix,
)

BODY = b"team_id=T0001&command=%2Fpostmortem&text=INC-88"


def _slack(ts: int, body: bytes = BODY, secret: str = SLACK_SECRET) -> dict[str, str]:
    return {"x-slack-request-timestamp": str(ts), "x-slack-signature": slack_signature(secret, str(ts), body)}


def test_slack_valid_and_matches_slack_sdk() -> None:
    now = int(time.time())
    headers = _slack(now)
    verify_slack(SLACK_SECRET, headers, BODY)
    signature = pytest.importorskip("slack_sdk.signature", reason="slack_sdk not installed (cross-check only)")
    assert signature.SignatureVerifier(SLACK_SECRET).is_valid(BODY, str(now), headers["x-slack-signature"])


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "missing"),
        ({"x-slack-request-timestamp": "1"}, "missing"),
        (_slack(int(time.time()), secret="another-secret"), "does not match"),
        (_slack(int(time.time()), body=b"text=INC-99"), "does not match"),
        ({"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=00"}, "not an integer"),
    ],
)
def test_slack_refusals(headers: dict[str, str], why: str) -> None:
    with pytest.raises(SignatureError, match=why):
        verify_slack(SLACK_SECRET, headers, BODY)


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_slack_replay_window(offset: int) -> None:
    with pytest.raises(SignatureError, match="replay window"):
        verify_slack(SLACK_SECRET, _slack(int(time.time()) + offset), BODY)
    verify_slack(SLACK_SECRET, _slack(int(time.time()) + (290 if offset > 0 else -290)), BODY)


def test_no_secret_configured_fails_closed() -> None:
    with pytest.raises(SignatureError, match="no secret"):
        verify_slack(None, _slack(int(time.time())), BODY)
    with pytest.raises(SignatureError, match="no secret"):
        verify_pagerduty("", {"x-pagerduty-signature": pagerduty_signature("", BODY)}, BODY)


def test_pagerduty_signature_list_during_rotation() -> None:
    good = pagerduty_signature(PD_SECRET, BODY)
    verify_pagerduty(PD_SECRET, {"x-pagerduty-signature": good}, BODY)
    verify_pagerduty(PD_SECRET, {"x-pagerduty-signature": f"v1=0123abcd, {good}"}, BODY)
    with pytest.raises(SignatureError, match="missing"):
        verify_pagerduty(PD_SECRET, {}, BODY)
    with pytest.raises(SignatureError, match="matches"):
        verify_pagerduty(PD_SECRET, {"x-pagerduty-signature": pagerduty_signature("old-secret", BODY)}, BODY)
    with pytest.raises(SignatureError, match="matches"):
        verify_pagerduty(PD_SECRET, {"x-pagerduty-signature": good}, BODY + b" ")
    # A v0 entry or a bare hex digest is not a v1 signature.
    with pytest.raises(SignatureError):
        verify_pagerduty(PD_SECRET, {"x-pagerduty-signature": good.replace("v1=", "v0=")}, BODY)


def test_svix_valid_both_header_sets_and_matches_svix_library() -> None:
    now = int(time.time())
    sig = svix_signature(SVIX_SECRET, "msg_2x", str(now), BODY)
    webhook = {"webhook-id": "msg_2x", "webhook-timestamp": str(now), "webhook-signature": f"v1,AAAA {sig}"}
    assert verify_svix(SVIX_SECRET, webhook, BODY) == "msg_2x"
    svix_named = {"svix-id": "msg_2x", "svix-timestamp": str(now), "svix-signature": sig}
    assert verify_svix(SVIX_SECRET, svix_named, BODY) == "msg_2x"
    svix = pytest.importorskip("svix.webhooks", reason="svix not installed (only used to cross-check)")
    svix.Webhook(SVIX_SECRET).verify(BODY, webhook)  # raises if our signature is not Svix's


def test_svix_refusals() -> None:
    now = int(time.time())

    def headers(ts: int, body: bytes = BODY, msg_id: str = "msg_1") -> dict[str, str]:
        return {"webhook-id": msg_id, "webhook-timestamp": str(ts),
                "webhook-signature": svix_signature(SVIX_SECRET, msg_id, str(ts), body)}

    with pytest.raises(SignatureError, match="replay window"):
        verify_svix(SVIX_SECRET, headers(now - 301), BODY)
    with pytest.raises(SignatureError, match="matches"):
        verify_svix(SVIX_SECRET, headers(now, body=b"{}"), BODY)
    tampered_id = {**headers(now), "webhook-id": "msg_other"}
    with pytest.raises(SignatureError, match="matches"):
        verify_svix(SVIX_SECRET, tampered_id, BODY)
    with pytest.raises(SignatureError, match="missing"):
        verify_svix(SVIX_SECRET, {"webhook-timestamp": str(now)}, BODY)
    with pytest.raises(SignatureError, match="whsec_"):
        verify_svix("whsec_not base64!", headers(now), BODY)
