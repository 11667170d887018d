"""The drafting workflow as a LangGraph StateGraph.

extract_inferences → correct_inference → missed_signals → root_cause → change_variables
→ action_items → compose → lint ─┬─(flags on the drafter's text, bounded)→ revise → lint
                                  └→ human_review (interrupt) → lint_edits → human_review … → publish
With --engine llm --replays N, action_items → replay → compose (the behavior rate).
With `review=False` the run goes from lint straight to publish.
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import Checkpointer

from agent.nodes.action_items import action_items
from agent.nodes.change_variables import change_variables
from agent.nodes.compose import compose
from agent.nodes.correct_inference import correct_inference
from agent.nodes.extract_inferences import extract_inferences
from agent.nodes.human_review import human_review
from agent.nodes.lint import lint
from agent.nodes.lint_edits import lint_edits
from agent.nodes.missed_signals import missed_signals
from agent.nodes.publish import publish
from agent.nodes.replay import replay
from agent.nodes.revise import revise
from agent.nodes.root_cause import root_cause
from agent.state import DraftInput, DraftState


def after_lint(state: DraftState) -> Literal["revise", "human_review", "publish"]:
    if state.flags and state.revisions < state.max_revisions:
        return "revise"
    return "human_review" if state.review else "publish"


def after_action_items(state: DraftState) -> Literal["replay", "compose"]:
    # Replays (the behavior rate) need a model: llm engine with --replays only.
    return "replay" if state.engine == "llm" and state.replays > 0 else "compose"


def after_review(state: DraftState) -> Literal["lint_edits", "publish", "human_review"]:
    r = state.review_decision
    if r is None:
        return "human_review"
    if r.edited_markdown is not None or r.edited_draft is not None:
        return "lint_edits"
    return "publish" if r.approve else "human_review"


def after_lint_edits(state: DraftState) -> Literal["publish", "human_review"]:
    # Edits that raised flags go back to the reviewer first: they see the flags before publish.
    r = state.review_decision
    if r is not None and r.approve and not state.reviewer_flags:
        return "publish"
    return "human_review"


def build_graph(checkpointer: Checkpointer = None):
    g = StateGraph(DraftState, input_schema=DraftInput)
    for name, fn in (
        ("extract_inferences", extract_inferences),
        ("correct_inference", correct_inference),
        ("missed_signals", missed_signals),
        ("root_cause", root_cause),
        ("change_variables", change_variables),
        ("action_items", action_items),
        ("replay", replay),
        ("compose", compose),
        ("lint", lint),
        ("revise", revise),
        ("human_review", human_review),
        ("lint_edits", lint_edits),
        ("publish", publish),
    ):
        g.add_node(name, fn)
    g.add_edge(START, "extract_inferences")
    g.add_edge("extract_inferences", "correct_inference")
    g.add_edge("correct_inference", "missed_signals")
    g.add_edge("missed_signals", "root_cause")
    g.add_edge("root_cause", "change_variables")
    g.add_edge("change_variables", "action_items")
    g.add_conditional_edges("action_items", after_action_items)
    g.add_edge("replay", "compose")
    g.add_edge("compose", "lint")
    g.add_conditional_edges("lint", after_lint)
    g.add_edge("revise", "lint")
    g.add_conditional_edges("human_review", after_review)
    g.add_conditional_edges("lint_edits", after_lint_edits)
    g.add_edge("publish", END)
    return g.compile(checkpointer=checkpointer)
