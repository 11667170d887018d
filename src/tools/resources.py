"""Where the repo-level `prompts/` and `templates/` folders are, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path


def resource_dir(name: str) -> Path:
    """`prompts` or `templates`: the checkout's folder, else the copy packed into the wheel."""
    here = Path(__file__).resolve()
    checkout = here.parents[2] / name  # src/tools/resources.py → repo root
    if checkout.is_dir():
        return checkout
    packed = here.parents[1] / "agent" / "_data" / name
    if packed.is_dir():
        return packed
    raise FileNotFoundError(f"{name}/ folder not found next to the package (looked in {checkout} and {packed})")
