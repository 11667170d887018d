"""Public benchmarks the offline engine is measured on (adapters, attribution runs, scoring)."""
