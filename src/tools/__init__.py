"""Deterministic capabilities the workflow uses: readers, evidence index, token budget, rendering, linter."""
