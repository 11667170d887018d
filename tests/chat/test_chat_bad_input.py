"""Bad input fails with one BadInput line naming the file (and line/offset where known)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.chat import CHAT_FORMATS, describe_formats, load_chat
from tools.errors import BadInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chat"
BAD = FIXTURES / "bad"


def failure(path: Path) -> BadInput:
    with pytest.raises(BadInput) as info:
        load_chat(path)
    err = info.value
    assert "\n" not in str(err)
    return err


def test_missing_path(tmp_path: Path) -> None:
    err = failure(tmp_path / "nope")
    assert err.problem == "no such file or folder"


def test_empty_folder(tmp_path: Path) -> None:
    err = failure(tmp_path)
    assert err.path == str(tmp_path)
    assert err.problem.startswith("folder is empty; expected a Slack export channel folder")


def test_folder_without_day_files() -> None:
    err = failure(FIXTURES / "only_users")
    assert err.problem.startswith(
        "no day files or other chat in folder (users.json: this is a Slack user directory"
    )


def test_folder_with_only_unrelated_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# notes\n")
    (tmp_path / "config.json").write_text('{"a": 1}')
    err = failure(tmp_path)
    assert "config.json: JSON is not a chat" in err.problem
    assert "README.md: not a transcript" in err.problem


def test_truncated_json_has_line() -> None:
    err = failure(BAD / "truncated.json")
    assert (err.path, err.line, err.problem) == (
        str(BAD / "truncated.json"),
        3,
        "JSON ends early (truncated file?)",
    )


def test_malformed_json_has_line() -> None:
    err = failure(BAD / "malformed.json")
    assert err.line == 3 and err.problem.startswith("malformed JSON")


def test_truncated_day_file_in_a_folder_is_not_skipped(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "export" / "inc-900-db-outage" / "2026-01-31.json", tmp_path / "2026-01-31.json")
    shutil.copy(BAD / "truncated.json", tmp_path / "2026-02-01.json")
    err = failure(tmp_path)
    assert err.path.endswith("2026-02-01.json") and err.line == 3


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "chat.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    assert failure(path).problem.startswith("binary data, not text")


def test_binary_file_alone_in_folder(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"\x00\x01\x02")
    assert failure(tmp_path).problem.startswith("binary data, not text")


def test_non_utf8_transcript_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("[10:00] Ana: fine\n[10:01] Zoë: caf".encode() + b"\xe9\n")
    err = failure(path)
    assert err.line == 2 and "not valid UTF-8 at byte 35 (0xe9)" in err.problem


def test_non_utf8_json(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_bytes(b'{"messages": [{"ts": "1.0", "text": "caf\xe9"}]}')
    err = failure(path)
    assert err.line == 1 and "not valid UTF-8 at byte 40 (0xe9)" in err.problem


def test_json_that_is_not_a_chat() -> None:
    err = failure(BAD / "not_chat.json")
    assert err.problem.startswith("JSON is not a chat")
    assert describe_formats() in err.problem


def test_scalar_json_and_empty_array(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1, 2, 3]")
    assert failure(path).problem.startswith("JSON is not a chat")
    path.write_text("[]")
    assert failure(path).problem.startswith("JSON holds no messages")


def test_slack_api_error_response() -> None:
    assert (
        failure(BAD / "api_error.json").problem
        == "Slack API error response (error: channel_not_found), not a chat"
    )


def test_transcript_without_parseable_lines() -> None:
    assert failure(BAD / "no_lines.txt").problem.startswith('not a transcript: no "[HH:MM] name: text" lines')


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("  \n\n")
    assert failure(path).problem.startswith("file is empty")


def test_users_file_given_as_the_chat() -> None:
    assert failure(FIXTURES / "export" / "users.json").problem.startswith(
        "this is a Slack user directory, not a chat"
    )


def test_formats_are_described() -> None:
    assert len(CHAT_FORMATS) == 4
    assert all(f in describe_formats() for f in CHAT_FORMATS)
