"""Shared test set-up: the reference cases beside the repo, isolation from the user's state,
and real model endpoints blocked unless a test starts its own server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_CASES = SHARED / "evals-dev" / "cases"


def shared_case_dirs() -> list[Path]:
    return sorted(p for p in SHARED_CASES.iterdir() if p.is_dir()) if SHARED_CASES.is_dir() else []


needs_shared = pytest.mark.skipif(not SHARED_CASES.is_dir(), reason="../shared/evals-dev not beside the repo")


@pytest.fixture(autouse=True, scope="session")
def _isolate(tmp_path_factory: pytest.TempPathFactory) -> None:
    state = tmp_path_factory.mktemp("state")
    os.environ["PMDRAFT_DB"] = str(state / "checkpoints.sqlite")
    os.environ["XDG_STATE_HOME"] = str(state)
    # Real model calls are blocked by default: an unroutable endpoint and a fake key. Tests that
    # exercise the LLM engine start a local server and point OPENAI_BASE_URL at it themselves.
    if not os.environ.get("PMDRAFT_ALLOW_REAL_LLM"):
        os.environ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"
        os.environ["OPENAI_API_KEY"] = "sk-test-blocked"


def pmdraft_cmd() -> list[str]:
    """The installed console script (what a user runs), else the module."""
    import shutil
    import sys

    script = Path(sys.executable).with_name("pmdraft")
    if script.exists():
        return [str(script)]
    found = shutil.which("pmdraft")
    return [found] if found else [sys.executable, "-m", "agent"]
