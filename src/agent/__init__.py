"""postmortem-drafter: the LangGraph workflow, its nodes, the LLM client, the CLI and the server."""

__version__ = "0.1.0"
