"""postmortem-drafter: the LangGraph workflow, its nodes, the LLM client, the CLI and the server."""

import os

# Checkpoints are deserialized only into the types the graph's state declares (set before
# langgraph is imported anywhere: the flag is read at import time).
os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")

__version__ = "0.1.0"
