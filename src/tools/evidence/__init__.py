"""The evidence index: one timeline of spans and chat messages with stable refs."""

from tools.evidence.index import EvidenceIndex

__all__ = ["EvidenceIndex"]
