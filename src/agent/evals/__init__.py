"""The drafter's own evals: run bundles, score drafts against expected.json, compare to a baseline."""
