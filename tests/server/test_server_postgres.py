"""Postgres persistence against a real PostgreSQL 15 server started on 127.0.0.1 by the test:
a run started in one process is resumed in another, and two server processes share the job
table (each incident drafted once) and each other's runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("slack_sdk", reason="server extra not installed: pip install -e '.[server]'")
from server_fakes import (
    BOT_TOKEN,
    FIXTURES,
    PD_SECRET,
    REVIEW_TOKEN,
    SLACK_SECRET,
    SVIX_SECRET,
    FakeSlack,
    free_port,
    incident_io_body,
    pmdraft_cmd,
    svix_headers,
    wait_for,
)

from tools.sources.bundle import IncidentInfo, write_bundle
from tools.sources.slack import ChannelDump

pytestmark = pytest.mark.postgres
PG_BIN = Path(os.environ.get("PMDRAFT_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres() -> list[str]:
    # initdb and pg_ctl refuse to run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg not installed: pip install -e '.[server]'")
    pytest.importorskip("langgraph.checkpoint.postgres", reason="langgraph-checkpoint-postgres not installed")
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN}: apt-get install -y postgresql-15")
    root = Path(tempfile.mkdtemp(prefix="pmdraft-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    run = [*_as_postgres()]
    subprocess.run([*run, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-locale"], check=True, capture_output=True, timeout=120)
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
    subprocess.run([*run, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w",
                    "start"], check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def _bundle(tmp: Path) -> Path:
    fixture = json.loads((FIXTURES / "slack" / "channel.json").read_text())
    dump = ChannelDump(channel_id="C0INC9001", channel_name="inc-9001-refunds", messages=fixture["messages"],
                       users=fixture["users"])
    bundle = tmp / "INC-9001"
    write_bundle(bundle, IncidentInfo(id="INC-9001", opened_at="2026-05-12T09:00:05Z",
                                      resolved_at="2026-05-12T09:50:00Z"), dump, None, None)
    shutil.copy(FIXTURES / "traces" / "refund-agent.otlp.json", bundle / "traces")
    return bundle


def _pmdraft(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pmdraft_cmd(), *args], capture_output=True, text=True, env=env, timeout=180)


def test_run_started_in_one_process_is_resumed_in_another(postgres_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PMDRAFT_DB": postgres_url, "USER": "pg.reviewer"}
    out = tmp_path / "out"
    first = _pmdraft("draft", str(_bundle(tmp_path)), "--out", str(out), env=env)
    assert first.returncode == 0, first.stderr
    assert "Paused for review" in first.stderr
    shown = _pmdraft("review", "INC-9001", "--show", env=env)
    assert shown.returncode == 0 and "waiting for review" in shown.stdout
    approved = _pmdraft("review", "INC-9001", "--approve", env=env)
    assert approved.returncode == 0, approved.stderr
    final = json.loads((out / "draft.json").read_text())
    assert final["review"]["status"] == "approved" and final["review"]["reviewer"] == "pg.reviewer"


def test_unreachable_postgres_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PMDRAFT_DB": f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"}
    result = _pmdraft("review", "INC-1", "--show", env=env)
    assert result.returncode == 2
    assert "cannot use the Postgres checkpoint database" in result.stderr and "Traceback" not in result.stderr


def _start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen([*pmdraft_cmd(), "serve", "--port", str(port)], env=env, stdout=fh, stderr=fh)


def test_two_server_processes_share_jobs_and_runs(postgres_url: str, tmp_path: Path) -> None:
    with FakeSlack(rate_limit_once=False, page_size=50) as slack:
        ports = [free_port(), free_port()]
        base_env = {
            **os.environ, "PMDRAFT_DB": postgres_url, "PMDRAFT_DATA_DIR": str(tmp_path / "data"),
            "PMDRAFT_REVIEW_TOKEN": REVIEW_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": slack.api_url, "PAGERDUTY_WEBHOOK_SECRET": PD_SECRET,
            "INCIDENT_IO_WEBHOOK_SECRET": SVIX_SECRET, "PMDRAFT_TRACE_DIR": str(FIXTURES / "traces"),
            "PMDRAFT_WORKERS": "2", "PMDRAFT_POLL_S": "0.3",
        }
        procs = []
        for i, port in enumerate(ports):
            env = {**base_env, "PMDRAFT_PUBLIC_URL": f"http://127.0.0.1:{port}"}
            procs.append(_start_server(port, env, tmp_path / f"server-{i}.log"))
            if i == 0:  # the first one creates the tables; the second starts on a ready database
                assert wait_for(lambda p=port: _healthy(p), timeout=60), (tmp_path / "server-0.log").read_text()
        try:
            assert wait_for(lambda: all(_healthy(p) for p in ports), timeout=60), (tmp_path / "server-1.log").read_text()
            incidents = [f"INC-{6000 + i}" for i in range(10)]
            with httpx.Client(timeout=30) as client:
                for i, inc in enumerate(incidents):  # each close delivered to both servers (worst case)
                    body = incident_io_body(inc)
                    for port in ports:
                        r = client.post(f"http://127.0.0.1:{port}/webhooks/incident-io", content=body,
                                        headers=svix_headers(body, msg_id=f"msg_{i}_{port}"))
                        assert r.status_code == 200
            assert wait_for(lambda: len(slack.posted) >= len(incidents), timeout=180)
            time.sleep(1.0)  # a double draft would post a second message by now
            posted = sorted(next(i for i in incidents if f"Postmortem draft: {i}" in p["text"]) for p in slack.posted)
            assert posted == incidents
            # Approve INC-6000 through each server in turn: whichever drafted it, the other resumes it.
            link = slack.posted[0]["blocks"][2]["elements"][0]["url"]
            incident = link.split("/drafts/")[1].split("?")[0]
            token = link.split("token=")[1]
            other = ports[1]
            resp = httpx.post(f"http://127.0.0.1:{other}/drafts/{incident}/approve", json={"reviewer": "pg.rev"},
                              headers={"X-Review-Token": token, "X-Requested-With": "pmdraft"}, timeout=60)
            assert resp.status_code == 200 and resp.json()["status"] == "published", resp.text
            again = httpx.post(f"http://127.0.0.1:{ports[0]}/drafts/{incident}/approve", json={},
                               headers={"X-Review-Token": token, "X-Requested-With": "pmdraft"}, timeout=60)
            assert again.status_code == 409  # already published, by the other process
            page = httpx.get(f"http://127.0.0.1:{ports[0]}/drafts/{incident}?token={token}", timeout=30)
            assert page.status_code == 200 and "approved" in page.text
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(30)
    draft = json.loads((tmp_path / "data" / "drafts" / incident / "draft.json").read_text())
    assert draft["review"]["status"] == "approved" and draft["review"]["reviewer"] == "pg.rev"


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
