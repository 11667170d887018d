"""Trace readers: every supported export format → the normalized `Trace`/`Span` model.

Each reader module exposes:
  FORMAT: str                                  a short name, e.g. "langsmith"
  def detect(sample: Sample) -> bool           True if the file is in this format
  def read(paths: list[Path], progress) -> list[Trace]
                                               read every file detected as this format
                                               (together: paged exports and OTLP logs files
                                               need their siblings)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from tools.errors import UnknownFormat
from tools.model.trace import Trace
from tools.traces import langfuse, langsmith, openai_agents, otel_console, otlp
from tools.traces.sniff import Sample, sample_file

Progress = Callable[[str, int, int], None]  # (label, done, total)

# Order matters only where shapes overlap: the most specific detector goes first.
READERS: tuple[ModuleType, ...] = (otlp, otel_console, openai_agents, langfuse, langsmith)

SUPPORTED = (
    "OTLP JSON / JSON Lines (OpenInference, OTel GenAI attributes, span events or log records, "
    "gen_ai.prompt.N), LangSmith runs (JSON or JSONL), Langfuse trace/observations, "
    "OpenAI Agents SDK span export (JSONL), OTel console-exporter / Phoenix span JSON"
)


def detect(sample: Sample) -> ModuleType:
    for reader in READERS:
        if reader.detect(sample):
            return reader
    raise UnknownFormat(sample.path, f"unknown trace format; supported: {SUPPORTED}")


def read_each(
    paths: list[Path], progress: Progress | None, label: str, read_file: Callable[[Path], Trace]
) -> list[Trace]:
    """Read files one by one with progress: readers whose files stand alone share this."""
    traces: list[Trace] = []
    for done, path in enumerate(paths):
        if progress:
            progress(f"{label} {path.name}", done, len(paths))
        traces.append(read_file(path))
    if progress:
        progress(label, len(paths), len(paths))
    return traces


def load_traces(paths: Sequence[Path], progress: Progress | None = None) -> list[Trace]:
    """Detect each file's format from its content and read files of one format together."""
    groups: dict[str, tuple[ModuleType, list[Path]]] = {}
    for path in paths:
        reader = detect(sample_file(path))
        groups.setdefault(reader.FORMAT, (reader, []))[1].append(path)
    traces: list[Trace] = []
    for reader, files in groups.values():
        traces.extend(reader.read(sorted(files), progress))
    return traces
