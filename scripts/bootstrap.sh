#!/usr/bin/env bash
# Create .venv (if needed) and install the project with its dev tools. Sourced by demo and test.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
py=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv with $($py --version 2>&1)" >&2
  "$py" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install (fast re-runs).
stamp=.venv/.pmdraft-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "==> installing postmortem-drafter and its dependencies into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[dev,server]" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  .venv/bin/python -c "import agent, tools, langgraph, openai" || { echo "install failed" >&2; exit 1; }
  touch "$stamp"
fi
