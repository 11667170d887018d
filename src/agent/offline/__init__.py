"""The offline engine: deterministic heuristics behind every analysis node."""
