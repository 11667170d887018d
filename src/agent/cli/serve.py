"""`pmdraft serve` — the Slack / webhook server and the reviewer's pages (docs/server.md)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from agent.cli.app import app, bad_input_exits, err_console, fail


@app.command()
@bad_input_exits
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (put a TLS proxy in front for Slack)."),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    db: str = typer.Option(None, "--db", help="Checkpoint + job DB: SQLite path or postgresql:// URL (env PMDRAFT_DB)."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Bundles and drafts are written here (env PMDRAFT_DATA_DIR)."),
    public_url: str = typer.Option(None, "--public-url", help="URL reviewers reach this server at (env PMDRAFT_PUBLIC_URL)."),
    workers: int = typer.Option(None, "--workers", help="Background drafting threads (env PMDRAFT_WORKERS, default 2)."),
    trace_dir: Path = typer.Option(None, "--trace-dir", help="Directory of exported trace files (env PMDRAFT_TRACE_DIR)."),
    engine: str = typer.Option(None, "--engine", help="offline (default) or llm (env PMDRAFT_ENGINE)."),
) -> None:
    """Serve the Slack command, Events API, PagerDuty and incident.io webhooks, and the review pages."""
    try:
        import uvicorn

        from agent.server.app import create_app
        from agent.server.settings import ServerSettings
    except ImportError as exc:
        raise fail(f"the server needs its extra ({exc.name} missing): pip install 'postmortem-drafter[server]'") from None
    from pydantic import ValidationError

    try:
        settings = ServerSettings.from_env(
            PMDRAFT_DB=db, PMDRAFT_DATA_DIR=data_dir, PMDRAFT_PUBLIC_URL=public_url, PMDRAFT_WORKERS=workers,
            PMDRAFT_TRACE_DIR=trace_dir, PMDRAFT_ENGINE=engine,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"bad setting {first['loc'][0]}: {first['msg']}") from None
    _log_progress()
    application = create_app(settings)
    err_console.print(f"pmdraft serving on http://{host}:{port} (reviewers: {settings.public_url})")
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


def _log_progress() -> None:
    # The CLI's default level is WARNING; a server should say what each draft is doing.
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
