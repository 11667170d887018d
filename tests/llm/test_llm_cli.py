"""`pmdraft draft CASE --engine llm --no-review` end to end through the CLI, against a real HTTP
server on loopback (the scripted fake, in OpenAI mode and in llama.cpp mode)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from llm_support import FAST_ENV

from agent.draft import PostmortemDraft
from conftest import SHARED_CASES, needs_shared, pmdraft_cmd
from fakes.openai_server import OpenAIServer
from fakes.responders import EchoModel

pytestmark = needs_shared


@pytest.mark.parametrize("llama_mode", [False, True], ids=["json_schema", "llama_cpp_style"])
def test_cli_draft_with_the_llm_engine(tmp_path: Path, llama_mode: bool) -> None:
    with OpenAIServer(EchoModel(), reject_json_schema=llama_mode) as srv:
        env = {**os.environ, **FAST_ENV, "OPENAI_BASE_URL": srv.base_url, "PMDRAFT_DB": str(tmp_path / "db.sqlite"),
               "TIKTOKEN_CACHE_DIR": str(tmp_path / "tiktoken")}
        out = tmp_path / "out"
        p = subprocess.run(
            [*pmdraft_cmd(), "draft", str(SHARED_CASES / "04-migration-approval"), "--out", str(out), "--engine", "llm",
             "--no-review", "--replays", "2"],
            env=env, capture_output=True, text=True, timeout=300,
        )
        assert p.returncode == 0, p.stderr
    draft = PostmortemDraft.model_validate(json.loads((out / "draft.json").read_text()))
    prov = draft.provenance
    assert prov.engine == "llm" and prov.degraded_nodes == []
    assert prov.prompt_versions == {n: f"{n}@1" for n in
                                    ("extract_inferences", "correct_inference", "missed_signals", "root_cause", "action_items")}
    assert prov.llm_calls == 7 + (1 if llama_mode else 0)  # five nodes, two replays (+ the refused json_schema call)
    assert prov.prompt_tokens > 0 and prov.completion_tokens > 0
    assert draft.behavior_rate is not None and draft.behavior_rate.replays == 2
    assert "Traceback" not in p.stderr and "replay" in p.stderr
    assert (out / "draft.md").read_text().count("DRAFT") >= 1
