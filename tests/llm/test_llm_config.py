"""LLM configuration from the environment: defaults, validation as one-line bad input, Azure."""

from __future__ import annotations

import subprocess

import openai
import pytest

from agent.llm.client import build_sdk_client
from agent.llm.config import load_settings
from conftest import SHARED_CASES, needs_shared, pmdraft_cmd
from tools.errors import BadInput

BASE = {"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1", "PMDRAFT_LLM_MODEL": "smollm2"}


def test_defaults_for_a_local_server_need_no_key() -> None:
    s = load_settings(BASE)
    assert (s.provider, s.model_name, s.token_budget, s.retries, s.max_concurrency) == ("openai", "smollm2", 16000, 2, 4)
    assert s.structured == "auto" and s.api_key is None
    assert isinstance(build_sdk_client(s), openai.OpenAI)


def test_env_values_are_parsed_and_overrides_win() -> None:
    env = {**BASE, "PMDRAFT_LLM_TOKEN_BUDGET": "8000", "PMDRAFT_LLM_TIMEOUT": "12.5", "PMDRAFT_LLM_STRUCTURED": "json_object",
           "PMDRAFT_LLM_TEMPERATURE": "none", "PMDRAFT_LLM_MAX_CONCURRENCY": "2"}
    s = load_settings(env, model="override")
    assert (s.token_budget, s.timeout_s, s.structured, s.temperature, s.max_concurrency) == (8000, 12.5, "json_object", None, 2)
    assert s.model == "override"


@pytest.mark.parametrize(("env", "says"), [
    ({"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}, "PMDRAFT_LLM_MODEL"),
    ({"PMDRAFT_LLM_MODEL": "gpt-4o-mini"}, "OPENAI_API_KEY"),
    ({**BASE, "OPENAI_BASE_URL": "localhost:8080"}, "OPENAI_BASE_URL"),
    ({**BASE, "PMDRAFT_LLM_TOKEN_BUDGET": "many"}, "PMDRAFT_LLM_TOKEN_BUDGET"),
    ({**BASE, "PMDRAFT_LLM_TOKEN_BUDGET": "100"}, "PMDRAFT_LLM_TOKEN_BUDGET"),
    ({**BASE, "PMDRAFT_LLM_STRUCTURED": "xml"}, "PMDRAFT_LLM_STRUCTURED"),
    ({"AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com", "AZURE_OPENAI_API_KEY": "k"}, "AZURE_OPENAI_DEPLOYMENT"),
])
def test_bad_configuration_is_one_line_bad_input(env: dict[str, str], says: str) -> None:
    with pytest.raises(BadInput) as exc:
        load_settings(env)
    assert says in str(exc.value) and "\n" not in str(exc.value)


def test_azure_is_detected_and_built_with_the_official_client() -> None:
    env = {"AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com", "AZURE_OPENAI_API_KEY": "k",
           "AZURE_OPENAI_DEPLOYMENT": "gpt-4o-prod", "OPENAI_API_VERSION": "2024-10-21"}
    s = load_settings(env)
    assert (s.provider, s.model_name, s.endpoint) == ("azure", "gpt-4o-prod", "https://r.openai.azure.com")
    client = build_sdk_client(s)
    assert isinstance(client, openai.AzureOpenAI)
    assert "gpt-4o-prod" in str(client.base_url)


def test_secrets_never_show_in_the_settings_repr() -> None:
    s = load_settings({**BASE, "OPENAI_API_KEY": "sk-verysecretvalue1234567890"})
    assert "verysecret" not in repr(s) and "verysecret" not in s.model_dump_json()


@needs_shared
def test_cli_refuses_an_incomplete_configuration_with_exit_2(tmp_path, monkeypatch) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("PMDRAFT_LLM", "AZURE_OPENAI"))}
    env["PMDRAFT_DB"] = str(tmp_path / "db.sqlite")
    case = SHARED_CASES / "01-queue-stuck"
    p = subprocess.run([*pmdraft_cmd(), "draft", str(case), "--out", str(tmp_path / "out"), "--engine", "llm", "--no-review"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "PMDRAFT_LLM_MODEL" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out" / "draft.json").exists()
