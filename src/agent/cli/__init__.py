"""The `pmdraft` command line: one module per verb, registered on `agent.cli.app.app`.

Entry point: `agent.cli.main:main` (the `pmdraft` console script, or `python -m agent`).
"""
