"""The FastAPI application: routes of spec/bundle.md §5.

Every provider route verifies its signature on the raw body first (401, nothing recorded, on any
failure), then records the trigger in the job table — the idempotency point — and answers at
once; drafting happens in the worker pool. Slack gets its answer well inside its 3 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from agent.logging import get_logger
from agent.server import triggers
from agent.server.auth import review_link
from agent.server.review import build_router
from agent.server.settings import ServerSettings
from agent.server.signatures import SignatureError, verify_pagerduty, verify_slack, verify_svix
from agent.server.store import Accepted, JobStore
from agent.server.triggers import Ignored, Trigger
from agent.server.workers import DraftJobRunner, WorkerPool
from tools.errors import BadInput
from tools.sources.base import TraceSource
from tools.sources.slack import SlackSource

# Slack wants its answer in 3 s: a channel lookup that takes longer is answered 503 (Slack retries).
_SLACK_LOOKUP_S = 2.0


def make_slack(settings: ServerSettings) -> SlackSource | None:
    token = settings.secret(settings.slack_bot_token)
    return SlackSource(token, base_url=settings.slack_api_url) if token else None


def make_trace_source(settings: ServerSettings) -> TraceSource | None:
    kind = settings.resolved_trace_source()
    if kind == "directory":
        from tools.sources.directory import DirectoryTraceSource

        if settings.trace_dir is None:
            raise BadInput("PMDRAFT_TRACE_DIR", "not set; the directory trace source needs it")
        return DirectoryTraceSource(settings.trace_dir)
    if kind == "langfuse":
        from tools.sources.langfuse import LangfuseTraceSource

        secret = settings.secret(settings.langfuse_secret_key)
        if not settings.langfuse_public_key or not secret:
            raise BadInput("LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY", "not set; the Langfuse trace source needs both")
        return LangfuseTraceSource(settings.langfuse_public_key, secret, base_url=settings.langfuse_host)
    if kind == "langsmith":
        from tools.sources.langsmith import LangSmithTraceSource

        key = settings.secret(settings.langsmith_api_key)
        if not key or not settings.langsmith_project:
            raise BadInput("LANGSMITH_API_KEY/LANGSMITH_PROJECT", "not set; the LangSmith trace source needs both")
        return LangSmithTraceSource(key, settings.langsmith_project, base_url=settings.langsmith_endpoint)
    return None


def create_app(settings: ServerSettings, *, slack: SlackSource | None = None,
               traces: TraceSource | None = None, start_workers: bool = True) -> FastAPI:
    store = JobStore(settings.db)
    slack = slack if slack is not None else make_slack(settings)
    traces = traces if traces is not None else make_trace_source(settings)
    runner = DraftJobRunner(settings, store, slack, traces)
    pool = WorkerPool(store, runner, size=settings.workers, lease_s=settings.job_lease_s, poll_s=settings.poll_s)
    log = get_logger(component="server")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_prepare, settings, store)
        if start_workers:
            pool.start()
        log.info("server_ready", db=_redacted(settings.db), workers=settings.workers if start_workers else 0,
                 trace_source=settings.resolved_trace_source(), slack=slack is not None)
        yield
        if start_workers:
            await run_in_threadpool(pool.stop)
        store.close()

    app = FastAPI(title="pmdraft", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.pool, app.state.settings = store, pool, settings

    async def accept(trigger: Trigger, provider: str, delivery_id: str | None) -> Accepted:
        result = await run_in_threadpool(store.accept, trigger, provider, delivery_id)
        get_logger(incident_id=trigger.incident_id).info(
            "trigger_accepted", provider=provider, delivery_id=delivery_id, created=result.created,
            duplicate_delivery=result.duplicate_delivery, status=result.status)
        if result.created or result.status == "queued":
            pool.wake()
        return result

    def refuse(route: str, exc: SignatureError) -> Response:
        log.warning("request_refused", route=route, why=str(exc))
        return JSONResponse({"error": "invalid or missing signature"}, status_code=401)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"ok": True, "workers": settings.workers if start_workers else 0}

    @app.post("/slack/commands")
    async def slack_commands(request: Request) -> Response:
        body = await request.body()
        try:
            verify_slack(settings.secret(settings.slack_signing_secret), request.headers, body,
                         tolerance_s=settings.signature_tolerance_s)
        except SignatureError as exc:
            return refuse("/slack/commands", exc)
        try:
            trigger = triggers.parse_slash_command(body, settings.channel_pattern)
        except Ignored as exc:
            return JSONResponse({"response_type": "ephemeral", "text": str(exc)})
        result = await accept(trigger, "slack-command", None)
        return JSONResponse({"response_type": "ephemeral", "text": _command_reply(settings, trigger, result)})

    @app.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        try:
            verify_slack(settings.secret(settings.slack_signing_secret), request.headers, body,
                         tolerance_s=settings.signature_tolerance_s)
        except SignatureError as exc:
            return refuse("/slack/events", exc)
        payload = _json(body)
        if payload.get("type") == "url_verification":
            return JSONResponse({"challenge": payload.get("challenge", "")})
        try:
            found = triggers.parse_slack_event(payload, settings.resolved_pattern)
            trigger = found if isinstance(found, Trigger) else await _archived(found)
        except Ignored as exc:
            return JSONResponse({"ok": True, "ignored": str(exc)})
        result = await accept(trigger, "slack-events", _str(payload.get("event_id")))
        return JSONResponse({"ok": True, "incident_id": trigger.incident_id, "status": result.status})

    async def _archived(channel_id: str) -> Trigger:
        """channel_archive carries only the id; the name (inc-2041-…) says which incident."""
        if slack is None:
            raise Ignored("channel archived, but no SLACK_BOT_TOKEN to look up its name")
        try:
            name = await asyncio.wait_for(run_in_threadpool(slack.channel_name, channel_id), _SLACK_LOOKUP_S)
        except (TimeoutError, BadInput) as exc:
            log.warning("channel_lookup_failed", channel=channel_id, why=str(exc) or "timeout")
            raise HTTPException(503, "channel lookup failed; retry") from None
        incident_id = triggers.incident_from_channel(name, settings.channel_pattern)
        if not incident_id:
            raise Ignored(f"archived channel #{name} is not an incident channel")
        return Trigger(incident_id=incident_id, source="slack-event", channel_id=channel_id, channel_name=name,
                       resolved_at=triggers.now_iso())

    @app.post("/webhooks/pagerduty")
    async def pagerduty(request: Request) -> Response:
        body = await request.body()
        try:
            verify_pagerduty(settings.secret(settings.pagerduty_secret), request.headers, body)
        except SignatureError as exc:
            return refuse("/webhooks/pagerduty", exc)
        try:
            trigger = triggers.parse_pagerduty(_json(body), settings.pagerduty_channels)
        except Ignored as exc:
            return JSONResponse({"ok": True, "ignored": str(exc)})
        result = await accept(trigger, "pagerduty", request.headers.get("x-webhook-id"))
        return JSONResponse({"ok": True, "incident_id": trigger.incident_id, "status": result.status,
                             "duplicate": not result.created})

    @app.post("/webhooks/incident-io")
    async def incident_io(request: Request) -> Response:
        body = await request.body()
        try:
            msg_id = verify_svix(settings.secret(settings.incident_io_secret), request.headers, body,
                                 tolerance_s=settings.signature_tolerance_s)
        except SignatureError as exc:
            return refuse("/webhooks/incident-io", exc)
        try:
            trigger = triggers.parse_incident_io(_json(body))
        except Ignored as exc:
            return JSONResponse({"ok": True, "ignored": str(exc)})
        result = await accept(trigger, "incident-io", msg_id)
        return JSONResponse({"ok": True, "incident_id": trigger.incident_id, "status": result.status,
                             "duplicate": not result.created})

    app.include_router(build_router(settings, store))
    return app


def _prepare(settings: ServerSettings, store: JobStore) -> None:
    """Create tables once at start-up, before any worker races to (Postgres DDL is not race-free)."""
    from agent.llm.setup import prepare_engine
    from agent.runner import open_checkpointer

    store.setup()
    with open_checkpointer(settings.db):
        pass
    prepare_engine(settings.engine)


def _command_reply(settings: ServerSettings, trigger: Trigger, result: Accepted) -> str:
    link = review_link(settings.public_url, settings.secret(settings.review_token), trigger.incident_id)
    if result.created:
        return f"Drafting the postmortem for {trigger.incident_id}; I'll post it in this channel for review."
    if result.status in ("review", "published"):
        return f"{trigger.incident_id} already has a draft ({result.status}): {link}"
    return f"{trigger.incident_id} is already being drafted ({result.status})."


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPException(400, "body is not JSON") from None
    if not isinstance(value, dict):
        raise HTTPException(400, "body is not a JSON object")
    return value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _redacted(db: str) -> str:
    return db.split("@")[-1] if "://" in db else db

