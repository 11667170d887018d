"""The reviewer's page: `GET /drafts/{id}` and the actions it posts.

The page mirrors `pmdraft review`: the draft (rendered Markdown, editable in place) beside the
evidence it cites, the flags inline. Save resumes the paused run with the edited Markdown (the
lint_edits node flags it and the run pauses again, so the reviewer sees those flags before
anything is published); Approve resumes it with approve=true (and the edits, if unsaved).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from pydantic import BaseModel, Field

from agent.draft import PostmortemDraft
from agent.logging import get_logger
from agent.runner import RunResult, load_run, resume
from agent.server.auth import token_ok
from agent.server.evidence import EvidenceCache, describe
from agent.server.settings import ServerSettings
from agent.server.store import JobStore
from agent.state import DraftState, ReviewDecision
from tools.errors import BadInput
from tools.render import render_markdown

COOKIE = "pmdraft_review"
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")  # raw HTML in a draft is shown, not run


class ReviewAction(BaseModel):
    """Body of save / approve."""

    markdown: str | None = Field(default=None, description="The edited draft.md; None = no edits.")
    reviewer: str | None = Field(default=None, max_length=200, description="Reviewer name for the record.")


def _offered_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return (request.query_params.get("token") or request.headers.get("x-review-token")
            or (auth[7:] if auth.lower().startswith("bearer ") else None) or request.cookies.get(COOKIE))


def build_router(settings: ServerSettings, store: JobStore) -> APIRouter:
    router = APIRouter()
    evidence_cache = EvidenceCache()
    locks: dict[str, threading.Lock] = {}
    secret = settings.secret(settings.review_token)

    def authorize(request: Request, incident_id: str, *, post: bool = False) -> str:
        token = _offered_token(request)
        if not token_ok(secret, incident_id, token):
            raise HTTPException(401, "missing or wrong review token (?token=…, X-Review-Token, or the cookie)")
        # A cross-site form cannot set this header: cookie-authenticated posts come from our page.
        if post and request.headers.get("x-requested-with") != "pmdraft":
            raise HTTPException(403, "actions must come from the review page")
        assert token is not None
        return token

    def loaded(incident_id: str) -> RunResult:
        run = load_run(incident_id, settings.db)
        if run.state is None or run.state.draft is None:
            raise HTTPException(404, f"no draft for {incident_id}")
        return run

    @router.get("/drafts/{incident_id}", response_class=HTMLResponse)
    async def page(request: Request, incident_id: str) -> Response:
        token = authorize(request, incident_id)
        run = await run_in_threadpool(loaded, incident_id)
        html = _TEMPLATES.get_template("review.html").render(**_page_context(run, incident_id))
        resp = HTMLResponse(html)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=f"/drafts/{quote(incident_id, safe='')}",
                        secure=settings.public_url.startswith("https://"))
        return resp

    @router.get("/drafts/{incident_id}/evidence")
    async def evidence(request: Request, incident_id: str, ref: str) -> Response:
        authorize(request, incident_id)
        run = await run_in_threadpool(loaded, incident_id)
        assert run.state is not None
        try:
            index = await run_in_threadpool(evidence_cache.index, run.state.bundle_path)
        except (BadInput, OSError) as exc:
            raise HTTPException(410, f"the incident bundle cannot be read any more ({exc})") from None
        found = describe(index, ref)
        if found is None:
            raise HTTPException(404, f"{ref} is not in this incident's traces or channel")
        return JSONResponse(found)

    @router.get("/drafts/{incident_id}/draft.md")
    async def markdown(request: Request, incident_id: str) -> Response:
        authorize(request, incident_id)
        run = await run_in_threadpool(loaded, incident_id)
        return PlainTextResponse(_markdown_of(run), media_type="text/markdown; charset=utf-8")

    def act(incident_id: str, decision: ReviewDecision) -> dict[str, Any]:
        lock = locks.setdefault(incident_id, threading.Lock())
        with lock:  # two clicks on Approve resume the run once
            try:
                result = resume(incident_id, decision, settings.db)
            except BadInput as exc:
                raise HTTPException(409, exc.problem) from None
        state = result.state
        assert state is not None
        log = get_logger(incident_id=incident_id)
        if result.interrupted:
            log.info("review_saved", reviewer_flags=[f.code for f in state.reviewer_flags])
            return {"status": "waiting", "reviewer_flags": [f.model_dump(mode="json") for f in state.reviewer_flags]}
        store.set_status(incident_id, "published")
        log.info("review_approved", reviewer=decision.reviewer)
        return {"status": "published", "out_dir": state.out_dir}

    @router.post("/drafts/{incident_id}/save")
    async def save(request: Request, incident_id: str, body: ReviewAction) -> Response:
        authorize(request, incident_id, post=True)
        if not body.markdown or not body.markdown.strip():
            raise HTTPException(400, "nothing to save: the edited draft is empty")
        decision = ReviewDecision(approve=False, edited_markdown=body.markdown, reviewer=body.reviewer or None)
        return JSONResponse(await run_in_threadpool(act, incident_id, decision))

    @router.post("/drafts/{incident_id}/approve")
    async def approve(request: Request, incident_id: str, body: ReviewAction) -> Response:
        authorize(request, incident_id, post=True)
        edited = body.markdown if body.markdown and body.markdown.strip() else None
        decision = ReviewDecision(approve=True, edited_markdown=edited, reviewer=body.reviewer or None)
        return JSONResponse(await run_in_threadpool(act, incident_id, decision))

    return router


def _markdown_of(run: RunResult) -> str:
    state = run.state
    assert state is not None and state.draft is not None
    if run.interrupted and state.edited_markdown is not None:
        return state.edited_markdown
    on_disk = Path(state.out_dir) / "draft.md"
    if on_disk.is_file():
        return on_disk.read_text(encoding="utf-8")
    return render_markdown(state.draft.model_dump(mode="json"))


def _page_context(run: RunResult, incident_id: str) -> dict[str, Any]:
    state = run.state
    assert state is not None and state.draft is not None
    draft: PostmortemDraft = state.draft
    markdown = _markdown_of(run)
    flags = [f.model_dump(mode="json") for f in (*state.flags, *state.reviewer_flags)]
    data = {
        "incident_id": incident_id,
        "quotes": [{"ref": f"span:{i.span_id}", "text": i.quote, "decision": i.is_decision}
                   for i in draft.agent_inferences if i.quote],
        "flags": flags,
        "waiting": run.interrupted,
    }
    return {
        "draft": draft, "incident_id": incident_id, "quoted_id": quote(incident_id, safe=""),
        "status": "waiting for review" if run.interrupted else draft.review.status,
        "waiting": run.interrupted, "markdown": markdown, "html": _MD.render(markdown), "flags": flags,
        "cited": _cited(state), "reviewer_flags": [f.model_dump(mode="json") for f in state.reviewer_flags],
        "round": state.review_rounds,
        # `</` inside a <script> block would end it early.
        "data_json": orjson.dumps(data).decode().replace("</", "<\\/"),
    }


def _cited(state: DraftState) -> list[dict[str, str]]:
    """The evidence the draft's findings rest on, listed in the panel before anything is clicked."""
    d = state.draft
    assert d is not None
    out: list[dict[str, str]] = []
    for inf in d.agent_inferences:
        if inf.is_decision:
            out.append({"label": "agent inferred", "ref": f"span:{inf.span_id}", "text": inf.quote})
    if d.correct_inference:
        out += [{"label": "what was true", "ref": r, "text": d.correct_inference.text} for r in d.correct_inference.evidence]
    for sig in d.missed_signals:
        out += [{"label": f"missed signal: {sig.name}", "ref": r, "text": sig.description} for r in sig.evidence]
    if d.root_cause:
        for c in d.root_cause.contributions:
            out += [{"label": f"root cause: {c.category}", "ref": r, "text": c.rationale} for r in c.evidence]
    unique: dict[str, dict[str, str]] = {}
    for entry in out:
        unique.setdefault(entry["ref"], entry)
    return list(unique.values())[:40]
