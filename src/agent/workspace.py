"""Per-process cache of a loaded bundle and the offline analyses every node shares.

A run's state holds only the bundle path; nodes call `workspace(path)` to get the index. Loading
happens once per process (the CLI loads before the graph starts, so bad input fails with exit 2
before anything is checkpointed); a run resumed in another process reloads it lazily.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from agent.offline.findings import ScoredMessage, score_findings, vindication
from agent.offline.inferences import Candidate, ChatSignals, candidates, chat_signals, pick_decision
from tools.bundle import Progress, load_bundle
from tools.evidence.index import EvidenceIndex
from tools.model.chat import Message
from tools.model.incident import Bundle


@dataclass
class Workspace:
    bundle: Bundle
    index: EvidenceIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = EvidenceIndex(self.bundle)

    @cached_property
    def preliminary_findings(self) -> list[ScoredMessage]:
        """Findings ranked without knowing the decision yet (used to find the decision)."""
        return score_findings(self.index, after_ns=None)

    @cached_property
    def signals(self) -> ChatSignals:
        return chat_signals(self.index, [s.message.text for s in self.preliminary_findings[:3]])

    @cached_property
    def candidates(self) -> list[Candidate]:
        return candidates(self.index, self.signals)

    @cached_property
    def vindicating(self) -> list[Message]:
        return vindication(self.index)

    @cached_property
    def decision(self) -> Candidate | None:
        if self.vindicating:
            return None
        return pick_decision(self.candidates)

    @cached_property
    def findings(self) -> list[ScoredMessage]:
        """Findings ranked knowing the decision: after it in time, sharing its vocabulary."""
        d = self.decision
        if d is None:
            last = self.index.llm_spans[-1] if self.index.llm_spans else None
            return score_findings(self.index, after_ns=last.start_ns if last else None)
        return score_findings(self.index, after_ns=d.span.end_ns, agent_text=d.span.recorded_output())


_cache: dict[str, Workspace] = {}
_lock = threading.Lock()


def workspace(bundle_path: str, progress: Progress | None = None) -> Workspace:
    key = str(Path(bundle_path).resolve())
    with _lock:
        ws = _cache.get(key)
        if ws is None:
            ws = Workspace(load_bundle(bundle_path, progress))
            _cache[key] = ws
        return ws


def forget(bundle_path: str) -> None:
    with _lock:
        _cache.pop(str(Path(bundle_path).resolve()), None)
