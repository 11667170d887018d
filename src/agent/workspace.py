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

from agent.offline.findings import ScoredMessage, Vindication, score_corrections, score_findings, vindication
from agent.offline.inferences import (
    Candidate,
    ChatSignals,
    agrees,
    candidates,
    chat_signals,
    handoff_receiver,
    pick_decision,
)
from tools.bundle import Progress, load_bundle
from tools.evidence.index import EvidenceIndex
from tools.gcpause import keep_out_of_collections, paused_gc, release
from tools.model.chat import Message
from tools.model.incident import Bundle
from tools.text import cues


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
    def vindications(self) -> list[Vindication]:
        return vindication(self.index)

    @cached_property
    def vindicated_agents(self) -> set[str]:
        return {v.agent for v in self.vindications if v.agent}

    @cached_property
    def vindicating(self) -> list[Message]:
        """Messages saying the agent — the whole agent side — was right. A vindication naming one
        agent of several only clears that agent (see `decision`)."""
        acting = {c.span.agent for c in self.candidates if c.action_class != "read" and c.span.agent}
        everyone = bool(acting) and acting <= self.vindicated_agents
        out = [v.message for v in self.vindications if v.agent is None or everyone]
        if not out and self.agreeing is not None and self.preliminary_findings:
            out = [self.preliminary_findings[0].message]
        return out

    @cached_property
    def decision(self) -> Candidate | None:
        if self.vindicating or self.undiscussed:
            return None
        if self.agreeing is not None:
            return None
        return self._pick(self.candidates)

    def _pick(self, cands: list[Candidate]) -> Candidate | None:
        pool = [c for c in cands if c.span.agent not in self.vindicated_agents] or cands
        receiver = self.handoff_receiver
        if receiver is not None:
            picked = pick_decision([c for c in pool if c.span.agent == receiver])
            if picked is not None:
                return picked
        return pick_decision(pool)

    @cached_property
    def handoff_receiver(self) -> str | None:
        """With several agents, when the channel says information was lost on the way between them,
        the wrong inference is the receiving agent's: it decided on what was left."""
        return handoff_receiver(self.candidates, self.preliminary_findings)

    @cached_property
    def agreeing(self) -> Candidate | None:
        """An agent output that already says what the people established (it shares most of the
        finding's words): the agent was right, whatever happened next."""
        picked = self._pick(self.candidates)
        if picked is None or not self.preliminary_findings:
            return None
        return picked if agrees(picked, self.preliminary_findings[0].message.text) else None

    @cached_property
    def undiscussed(self) -> bool:
        """Nobody in the channel quoted or discussed any of the agent's conclusions: there is no
        basis for calling one of them the wrong turn (the failure was elsewhere, e.g. a provider)."""
        if not self.index.human_messages or not self.candidates:
            return False
        return max(c.link for c in self.candidates) < MIN_LINK

    @cached_property
    def corrections(self) -> list[ScoredMessage]:
        """Messages restating the truth about the wrong decision's claim."""
        d = self.decision
        if d is None:
            return []
        return score_corrections(self.index, after_ns=d.span.end_ns, claim=d.span.output_text or d.quote)

    @cached_property
    def findings(self) -> list[ScoredMessage]:
        """Findings ranked knowing the decision: after it in time, sharing its vocabulary."""
        d = self.decision
        if d is None:
            last = self.index.llm_spans[-1] if self.index.llm_spans else None
            return score_findings(self.index, after_ns=last.start_ns if last else None)
        return score_findings(self.index, after_ns=d.span.end_ns, agent_text=d.span.recorded_output())


# Below this, no agent output is tied to the channel's discussion at all (see Candidate.link).
MIN_LINK = 0.3

_cache: dict[str, Workspace] = {}
_lock = threading.Lock()


def workspace(bundle_path: str, progress: Progress | None = None) -> Workspace:
    key = str(Path(bundle_path).resolve())
    with _lock:
        ws = _cache.get(key)
        if ws is None:
            with paused_gc():
                ws = Workspace(load_bundle(bundle_path, progress))
                _cache[key] = ws
                _settle()
        return ws


def adopt(bundle_path: str, bundle: Bundle) -> Workspace:
    """Cache an already loaded bundle as `bundle_path`'s workspace (building its index).

    Benchmarks time loading and drafting apart: within one `paused_gc()` block they load with
    `load_bundle`, then adopt, which is what `workspace()` does in one go.
    """
    with paused_gc():
        ws = Workspace(bundle)
        with _lock:
            _cache[str(Path(bundle_path).resolve())] = ws
        _settle()
    return ws


def _settle() -> None:
    """Called with the GC still paused, right after a load: the bundle and its index are kept out
    of every later collection (a rescan of a 100k-span bundle took about 2 s) until `forget`.
    With the GC paused since the load began, nothing has been collected yet, so the first
    collection after it would otherwise walk every object the load created."""
    keep_out_of_collections()


def forget(bundle_path: str) -> None:
    with _lock:
        _cache.pop(str(Path(bundle_path).resolve()), None)
    release()
    cues.forget_texts()
