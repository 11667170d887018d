"""Sources the server fetches an incident from: the Slack channel and a trace backend.

Each source writes what it fetched into an incident bundle folder (spec/bundle.md §1) in a
format our readers already accept, so a drafted incident can be re-drafted, inspected or
turned into an eval case from disk alone:

  slack.py      channel history + thread replies + user directory (slack_sdk WebClient)
  directory.py  a directory of exported trace files, selected by time window and session id
  langfuse.py   the Langfuse public API (traces + v2 observations)
  langsmith.py  the LangSmith API (runs/query)
  bundle.py     incident.json + chat/ + traces/ written together, atomically

A source that cannot be reached raises `SourceError`: one line naming the source and the cause.
"""

from tools.sources.base import SourceError, TraceQuery, TraceSource

__all__ = ["SourceError", "TraceQuery", "TraceSource"]
