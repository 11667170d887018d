"""Secrets and configured PII are redacted before anything is sent to a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_support import copy_case, echo_server, llm_env, run_llm  # noqa: F401

from agent.workspace import workspace
from conftest import needs_shared, shared_case_dirs
from fakes.openai_server import OpenAIServer
from tools.errors import BadInput
from tools.redact import REDACTED, build_redactor, default_redactor, parse_patterns

SECRETS = {
    "openai": "sk-proj-Abc123def456GHI789jkl012mno345",
    "anthropic": "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "aws_access": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    "slack": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "stripe": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "google": "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_token_shaped_secrets_are_redacted(name: str) -> None:
    text = f"config dump: value {SECRETS[name]} end"
    out = default_redactor().redact(text)
    assert SECRETS[name] not in out and REDACTED in out and out.startswith("config dump: value")


@pytest.mark.parametrize(("text", "kept"), [
    ("Authorization: Bearer abcDEF1234567890ghijklmnop", "Authorization: Bearer [redacted]"),
    ("db password=hunter2hunter2 for prod", "db password=[redacted] for prod"),
    ('{"api_key": "k-29s8d7f6g5h4j3"}', '{"api_key": "[redacted]"}'),
    ("postgres://svc:S3cr3tPw@db.internal:5432/app", "postgres://svc:[redacted]@db.internal:5432/app"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [redacted]"),
])
def test_assignments_keep_their_key(text: str, kept: str) -> None:
    assert default_redactor().redact(text) == kept


def test_private_key_blocks_are_redacted_whole() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----"
    assert default_redactor().redact(f"key:\n{pem}\nafter") == f"key:\n{REDACTED}\nafter"


def test_redaction_is_idempotent_and_leaves_prose_alone() -> None:
    r = default_redactor()
    text = f"token={SECRETS['openai']} and basic troubleshooting of the token bucket, 8 consumers, v2.31.0"
    once = r.redact(text)
    assert r.redact(once) == once
    assert "basic troubleshooting of the token bucket, 8 consumers, v2.31.0" in once


def test_pii_patterns_are_opt_in_and_configurable() -> None:
    text = "mail ana@example.com or call +44 20 7946 0958 about ticket CASE-1234"
    assert default_redactor().redact(text) == text
    r = build_redactor(parse_patterns('["email", "phone", "CASE-\\\\d+"]'))
    assert r.redact(text) == f"mail {REDACTED} or call {REDACTED} about ticket {REDACTED}"
    assert parse_patterns("email\nCASE-\\d+\n") == ["email", "CASE-\\d+"]


@pytest.mark.parametrize("raw", ['["(unclosed"]', "[1, 2]", "[not json"])
def test_bad_pii_patterns_are_bad_input(raw: str) -> None:
    with pytest.raises(BadInput, match="PMDRAFT_REDACT_PATTERNS"):
        build_redactor(parse_patterns(raw))


@needs_shared
def test_no_false_positives_on_the_shared_cases() -> None:
    r = default_redactor()
    for case in shared_case_dirs():
        idx = workspace(str(case)).index
        texts = [s.recorded_content() for s in idx.spans] + [m.text for m in idx.messages]
        assert sum(r.count(t) for t in texts) == 0, case.name


@needs_shared
def test_nothing_secret_reaches_the_model_and_the_draft_shows_redacted(
    echo_server: OpenAIServer, llm_env, tmp_path: Path  # noqa: F811
) -> None:
    llm_env.setenv("PMDRAFT_REDACT_PATTERNS", '["email"]')
    bundle = copy_case("09-double-discount", tmp_path)
    transcript = next((bundle / "chat").iterdir())
    secret = "sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0"
    lines = transcript.read_text().splitlines()
    # Every human line gets a secret and an address up front: whatever the model quotes carries them.
    lines = [ln.replace(": ", f": api_key={secret} ops@tessellate.example ", 1) if ln.startswith("[") else ln for ln in lines]
    transcript.write_text("\n".join(lines) + "\n")
    trace = next((bundle / "traces").iterdir())
    trace.write_text(trace.read_text().replace('"csm": "paolo.m"', f'"csm": "paolo.m", "token": "{secret}"'))
    draft = run_llm(bundle, tmp_path / "out")
    sent = json.dumps(echo_server.requests)
    assert secret not in sent and "ops@tessellate.example" not in sent
    assert "api_key=[redacted]" in sent
    assert draft.correct_inference is not None and "[redacted]" in draft.correct_inference.text
    # Model-written prose shows [redacted]; results the offline engine falls back to stay verbatim.
    assert secret not in draft.model_dump_json(include={"correct_inference", "root_cause", "context_changes", "action_items"})
    assert draft.provenance.degraded_nodes == []
