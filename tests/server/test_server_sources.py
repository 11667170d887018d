"""Sources: Slack history (paged, rate-limited), trace directory, Langfuse and LangSmith APIs."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("slack_sdk", reason="server extra not installed: pip install -e '.[server]'")
from server_fakes import BOT_TOKEN, FIXTURES, FakeSlack, LoopbackJsonServer, free_port

from tools.chat import load_chat
from tools.sources.base import SourceError, TraceQuery
from tools.sources.directory import DirectoryTraceSource
from tools.sources.langfuse import LangfuseTraceSource
from tools.sources.langsmith import LangSmithTraceSource
from tools.sources.slack import SlackSource
from tools.traces import load_traces

TRACE_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
WINDOW = TraceQuery(incident_id="INC-9001", start=datetime(2026, 5, 12, 9, 0, tzinfo=UTC),
                    end=datetime(2026, 5, 12, 9, 50, tzinfo=UTC), margin_s=600)


# ---- Slack ---------------------------------------------------------------------------------------
def test_slack_history_paged_with_replies_users_and_retry_after(tmp_path: Path) -> None:
    with FakeSlack(rate_limit_once=True, retry_after=1, page_size=3) as fs:
        dump = SlackSource(BOT_TOKEN, base_url=fs.api_url).fetch_channel("C0INC9001")
        history = fs.calls_to("conversations.history")
    assert len(history) == 4  # one 429, then pages of 3, 3 and 1 top-level messages
    assert history[1]["at"] - history[0]["at"] >= 0.95  # Retry-After: 1 was honoured
    assert [c["params"].get("cursor") for c in history[1:]] == [None, "3", "6"]
    assert len(dump.messages) == 9 and dump.channel_name == "inc-9001-refunds"
    assert [m["ts"] for m in dump.messages] == sorted(m["ts"] for m in dump.messages)
    assert {u["name"] for u in dump.users} == {"alice", "bob"}
    dump.write(tmp_path / "chat")
    chat = load_chat(tmp_path / "chat")
    assert chat.channel == "inc-9001-refunds" and chat.format == "conversations-history"
    by_author = {m.author for m in chat.messages}
    assert {"alice", "bob", "refund-agent"} <= by_author
    replies = [m for m in chat.messages if m.is_reply]
    assert len(replies) == 2  # fetched with conversations.replies


def test_slack_errors_are_one_line() -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"
    with pytest.raises(SourceError) as unreachable:
        SlackSource(BOT_TOKEN, base_url=closed, timeout=2).fetch_channel("C1")
    assert "cannot reach" in str(unreachable.value) and "\n" not in str(unreachable.value)
    with FakeSlack(rate_limit_once=False) as fs, pytest.raises(SourceError, match="invalid_auth"):
        SlackSource("xoxb-wrong", base_url=fs.api_url).fetch_channel("C1")


def test_slack_rate_limit_gives_up_after_the_retries() -> None:
    def always_limited(verb: str, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        return 429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"}

    with LoopbackJsonServer(always_limited) as srv, pytest.raises(SourceError, match="ratelimited"):
        SlackSource(BOT_TOKEN, base_url=srv.url + "/api/", max_retries=2).call("conversations.history", channel="C1")
    assert len(srv.calls) == 3


def test_slack_post_message_joins_the_channel_once() -> None:
    state = {"joined": False}

    def handle(verb: str, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        if path.endswith("conversations.join"):
            state["joined"] = True
            return 200, {}, {"ok": True}
        if not state["joined"]:
            return 200, {}, {"ok": False, "error": "not_in_channel"}
        return 200, {}, {"ok": True, "ts": "1.000001"}

    with LoopbackJsonServer(handle) as srv:
        assert SlackSource(BOT_TOKEN, base_url=srv.url + "/api/").post_message("C1", "hi") == "1.000001"
        assert [c["path"] for c in srv.calls] == ["/api/chat.postMessage", "/api/conversations.join", "/api/chat.postMessage"]


# ---- trace directory -----------------------------------------------------------------------------
def test_directory_selects_by_window_and_session(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    shutil.copytree(FIXTURES / "traces", root / "otel")
    (root / "notes.txt").write_text("not a trace")
    source = DirectoryTraceSource(root)
    got = source.fetch(WINDOW, tmp_path / "a")
    assert [p.name for p in got] == ["refund-agent.otlp.json"]
    other = source.fetch(WINDOW.model_copy(update={"session_id": "sess-4400"}), tmp_path / "b")
    assert [p.name for p in other] == ["older-incident.otlp.json"]
    none = source.fetch(WINDOW.model_copy(update={"session_id": "sess-unknown"}), tmp_path / "c")
    assert none == []
    assert any("notes.txt" in w for w in source.warnings)
    with pytest.raises(SourceError, match="not found"):
        DirectoryTraceSource(tmp_path / "missing").fetch(WINDOW, tmp_path / "d")


# ---- Langfuse ------------------------------------------------------------------------------------
class FakeLangfuse(LoopbackJsonServer):
    """Serves one trace detail fixture as the traces list + v2 observation pages (io as JSON text)."""

    def __init__(self) -> None:
        detail = json.loads((TRACE_FIXTURES / "langfuse" / "trace-detail.json").read_text())
        self.observations = [
            {**o, "input": json.dumps(o.get("input")), "output": json.dumps(o.get("output"))}
            for o in detail.pop("observations")
        ]
        self.trace = detail
        self.limited_once = True
        super().__init__(self._handle)

    def _handle(self, verb: str, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        expected = "Basic " + base64.b64encode(b"pk-lf-test:sk-lf-test").decode()
        if headers.get("authorization") != expected:
            return 401, {}, {"message": "Invalid credentials"}
        if path == "/api/public/traces":
            if self.limited_once:
                self.limited_once = False
                return 429, {"Retry-After": "0"}, {"message": "rate limited"}
            page = int(params.get("page", 1))
            data = [self.trace] if page == 1 else [{**self.trace, "id": "second-trace-without-observations"}]
            return 200, {}, {"data": data, "meta": {"page": page, "limit": 100, "totalItems": 2, "totalPages": 2}}
        if path == "/api/public/v2/observations":
            if params.get("traceId") != self.trace["id"]:
                return 200, {}, {"data": [], "meta": {}}
            half = len(self.observations) // 2
            if params.get("cursor") == "page-2":
                return 200, {}, {"data": self.observations[half:], "meta": {}}
            return 200, {}, {"data": self.observations[:half], "meta": {"cursor": "page-2"}}
        return 404, {}, {"message": "not found"}


def test_langfuse_traces_and_observations(tmp_path: Path) -> None:
    with FakeLangfuse() as fake:
        source = LangfuseTraceSource("pk-lf-test", "sk-lf-test", base_url=fake.url, sleep=lambda s: None)
        written = source.fetch(WINDOW.model_copy(update={"session_id": "conv-77"}), tmp_path)
        trace_calls = fake.calls_to("/api/public/traces")
        obs_calls = fake.calls_to("/api/public/v2/observations")
    assert len(written) == 2
    assert trace_calls[-1]["params"]["sessionId"] == "conv-77"
    assert trace_calls[-1]["params"]["fromTimestamp"] == "2026-05-12T08:50:00.000Z"
    assert "io" in obs_calls[0]["params"]["fields"] and obs_calls[1]["params"]["cursor"] == "page-2"
    traces = load_traces(sorted(written))
    spans = [s for t in traces for s in t.spans]
    assert len(spans) == len(fake.observations)
    assert all(s.session_id == "conv-77" for s in spans)
    llm = next(s for s in spans if s.kind == "llm")
    assert llm.input_messages or llm.output_text  # decoded from the v2 JSON strings


def test_langfuse_bad_keys_and_unreachable(tmp_path: Path) -> None:
    with FakeLangfuse() as fake:
        bad = LangfuseTraceSource("pk-lf-test", "wrong", base_url=fake.url, sleep=lambda s: None)
        with pytest.raises(SourceError, match="credentials were refused"):
            bad.fetch(WINDOW, tmp_path)
    closed = LangfuseTraceSource("pk", "sk", base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SourceError, match="cannot reach"):
        closed.fetch(WINDOW, tmp_path)


# ---- LangSmith -----------------------------------------------------------------------------------
PROJECT = "6d7c3a4e-8f1b-4c2d-9e0a-1b2c3d4e5f60"


class FakeLangSmith(LoopbackJsonServer):
    def __init__(self) -> None:
        self.runs = json.loads((TRACE_FIXTURES / "langsmith" / "runs-page.json").read_text())["runs"]
        super().__init__(self._handle)

    def _handle(self, verb: str, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        if headers.get("x-api-key") != "lsv2-test":
            return 401, {}, {"detail": "Invalid token"}
        if path == "/api/v1/sessions":
            return 200, {}, [{"id": PROJECT, "name": params.get("name")}]
        if path == "/api/v1/runs/query" and verb == "POST":
            assert params["session"] == [PROJECT]
            half = len(self.runs) // 2
            if params.get("cursor") == "next-1":
                return 200, {}, {"runs": self.runs[half:], "cursors": {"next": None}}
            return 200, {}, {"runs": self.runs[:half], "cursors": {"next": "next-1"}}
        return 404, {}, {"detail": "not found"}


def test_langsmith_runs_query_paged_by_cursor(tmp_path: Path) -> None:
    with FakeLangSmith() as fake:
        source = LangSmithTraceSource("lsv2-test", "support-prod", base_url=fake.url)
        written = source.fetch(WINDOW, tmp_path)
        queries = fake.calls_to("/api/v1/runs/query")
    assert [p.name for p in written] == ["langsmith-runs.json"]
    assert queries[0]["params"]["start_time"] == "2026-05-12T08:50:00.000Z"
    assert queries[0]["params"]["end_time"] == "2026-05-12T10:00:00.000Z"
    assert queries[1]["params"]["cursor"] == "next-1"
    spans = [s for t in load_traces(written) for s in t.spans]
    assert len(spans) == len(fake.runs)


def test_langsmith_session_filter_keeps_whole_traces(tmp_path: Path) -> None:
    with FakeLangSmith() as fake:
        runs = fake.runs
        threads = {(r.get("extra") or {}).get("metadata", {}).get(k) for r in runs
                   for k in ("session_id", "thread_id", "conversation_id")} - {None}
        source = LangSmithTraceSource("lsv2-test", PROJECT, base_url=fake.url)
        if threads:
            session = sorted(threads)[0]
            written = source.fetch(WINDOW.model_copy(update={"session_id": session}), tmp_path)
            kept = json.loads(written[0].read_text())["runs"]
            traces = {r["trace_id"] for r in kept}
            assert kept and all(r["trace_id"] in traces for r in runs if r["trace_id"] in traces)
        else:  # the fixture records no thread keys: the window alone decides
            written = source.fetch(WINDOW.model_copy(update={"session_id": "whatever"}), tmp_path)
            assert len(json.loads(written[0].read_text())["runs"]) == len(runs)
        with pytest.raises(SourceError, match="credentials were refused"):
            LangSmithTraceSource("bad", PROJECT, base_url=fake.url).fetch(WINDOW, tmp_path)
