"""Shared set-up for the LLM engine tests: a scripted OpenAI server on loopback, the environment
that points the engine at it, in-process draft runs, and bundle surgery (copy a shared case, add
a chat message or a secret).

Fixtures live here, not in a tests/llm/conftest.py: pytest would register that file as the module
`conftest` and the `from conftest import …` lines of other test folders would find the wrong one.
Test modules import the fixtures they use.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.draft import PostmortemDraft
from agent.llm.engine import uninstall
from agent.llm.setup import prepare_engine
from agent.runner import start_draft
from agent.state import DraftInput
from agent.workspace import forget, workspace
from conftest import SHARED_CASES
from fakes.openai_server import OpenAIServer
from fakes.responders import EchoModel, data_of, node_of

FAST_ENV = {
    "OPENAI_API_KEY": "sk-test-local",
    "PMDRAFT_LLM_MODEL": "fake-model",
    "PMDRAFT_LLM_BACKOFF_S": "0.01",
    "PMDRAFT_LLM_BACKOFF_MAX_S": "0.05",
    "PMDRAFT_LLM_TIMEOUT": "3",
    "PMDRAFT_LLM_RETRIES": "2",
}


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """The engine's environment, minus the endpoint (tests start their own server)."""
    for k, v in FAST_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken"))
    monkeypatch.delenv("PMDRAFT_REDACT_PATTERNS", raising=False)
    yield monkeypatch
    uninstall()


@pytest.fixture
def echo_server(llm_env: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    """A running fake server answering like a cooperative model; the env points at it."""
    srv = OpenAIServer(EchoModel()).start()
    llm_env.setenv("OPENAI_BASE_URL", srv.base_url)
    yield srv
    srv.stop()


def run_llm(case: Path | str, out: Path, *, replays: int = 0, engine: str = "llm") -> PostmortemDraft:
    """Draft `case` in-process on the given engine (env already points at a server)."""
    ws = workspace(str(case))
    prepare_engine(engine)
    inp = DraftInput(bundle_path=str(case), out_dir=str(out), engine=engine, review=False, replays=replays)  # type: ignore[arg-type]
    result = start_draft(inp, ws.bundle.meta.id, db=str(out / "checkpoints.sqlite"), restart=True)
    assert result.state is not None and result.state.draft is not None
    written = json.loads((out / "draft.json").read_text())
    return PostmortemDraft.model_validate(written)


def case_dir(name: str) -> Path:
    return SHARED_CASES / name


def copy_case(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(case_dir(name), target)
    forget(str(target))
    return target


def add_slack_message(bundle: Path, text: str, *, user: str = "U0INJECT", ts: str | None = None) -> str:
    """Append a message to the last Slack day file of a copied bundle; returns its ts."""
    day = sorted((bundle / "chat").glob("*.json"))
    day = [d for d in day if d.name not in ("users.json", "channels.json")]
    messages = json.loads(day[-1].read_text())
    last = max(float(m["ts"]) for m in messages)
    ts = ts or f"{last + 30:.6f}"
    messages.append({"type": "message", "user": user, "text": text, "ts": ts})
    day[-1].write_text(json.dumps(messages))
    forget(str(bundle))
    return ts


def requests_for(srv: OpenAIServer, node: str) -> list[dict[str, Any]]:
    return [r for r in srv.requests if node_of(r) == node]


def evidence_refs(req: dict[str, Any]) -> list[str]:
    return [i["ref"] for i in data_of(req)[1]]


def expected(name: str) -> dict[str, Any]:
    return json.loads((case_dir(name) / "expected.json").read_text())
