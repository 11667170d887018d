"""Trace-only attribution on incidents outside Who&When: the signals are general, not dataset priors."""

from __future__ import annotations

from agent.offline.attribution import attribute, final_answer, trace_decision, wrong_claims
from agent.workspace import Workspace
from tools.evidence.index import EvidenceIndex
from tools.model.chat import ChatLog, Message
from tools.model.incident import Bundle, IncidentMeta
from tools.model.trace import Span, ToolCall, Trace

TASK = "Reconcile the March invoice total for the ACME account and report it in EUR"
TRUTH = "The correct March total for ACME is 12,480 EUR."
SEC = 1_000_000_000


def span(i: int, kind: str, agent: str, text: str = "", *, calls: list[str] | None = None,
         result: str | None = None, status: str = "ok") -> Span:
    start = 1_767_225_600 * SEC + i * SEC
    return Span(
        trace_id="t1", span_id=f"s{i}", kind=kind, agent=agent, name=agent, start_ns=start, end_ns=start + SEC // 2,
        output_text=text or None, output_tool_calls=[ToolCall(name=c) for c in calls or []],
        tool_name=agent if kind == "tool" else None, tool_result=result, status=status,  # type: ignore[arg-type]
    )


def index(*spans: Span) -> EvidenceIndex:
    trace = Trace(source_file="mem", format="test", spans=list(spans))
    return EvidenceIndex(Bundle(path="mem", meta=IncidentMeta(id="INC-1", title=TASK), traces=[trace]))


def plan() -> Span:
    return span(0, "llm", "planner", f"Plan: {TASK}. I will list the March invoices for ACME.", calls=["get_invoices"])


def test_value_introduced_by_a_turn_is_blamed_on_that_turn() -> None:
    idx = index(
        plan(),
        span(1, "tool", "get_invoices", result="March invoices for ACME: 4,100 EUR, 3,900 EUR, 4,480 EUR"),
        span(2, "llm", "calculator", "Adding them up, the March total is 11,480 EUR."),
        span(3, "llm", "reviewer", "Final answer: 11,480 EUR"),
    )
    result = attribute(idx, task=TASK, truth=TRUTH)
    assert result.claims == ["11,480"]
    assert result.pick is not None and result.pick.span.span_id == "s2"
    assert any("introduced '11,480'" in r for r in result.pick.reasons)


def test_value_printed_by_a_tool_is_blamed_on_the_turn_that_called_it() -> None:
    idx = index(
        plan(),
        span(1, "llm", "analyst", "I'll sum the amounts with a query.", calls=["run_sql"]),
        span(2, "tool", "run_sql", result="total = 9,999"),
        span(3, "llm", "reviewer", "The result is 9,999 EUR."),
    )
    result = attribute(idx, task=TASK, truth=TRUTH)
    assert result.pick is not None and result.pick.span.span_id == "s1"
    assert any("printed by run_sql" in r for r in result.pick.reasons)


def test_correct_values_and_given_values_are_not_claims() -> None:
    assert wrong_claims("The March total for ACME is 12,480 EUR", TASK, TRUTH) == []
    assert wrong_claims("Final answer: 13,000", TASK, TRUTH) == ["13,000"]
    # Agent names and answer framing are not values.
    assert wrong_claims("As the Billing_Agent, I confirm: None", TASK, TRUTH, ["Billing_Agent"]) == []


def test_unfinished_run_has_no_final_answer() -> None:
    idx = index(plan(), span(1, "llm", "analyst", "Running the query now.", calls=["run_sql"]))
    assert final_answer([s for s in idx.llm_spans]) == (None, None)


def test_unverified_assertion_and_rejection() -> None:
    idx = index(
        plan(),
        span(1, "llm", "fx_agent", "The ECB feed is down, so let's assume a rate of 1.1 and use sample data."),
        span(2, "llm", "reviewer", "The previous result is wrong: the rate was never fetched."),
        span(3, "llm", "reviewer", "TERMINATE"),
    )
    result = attribute(idx, task=TASK, truth=TRUTH)
    blamed = {b.span.span_id: b for b in result.blames}
    assert any("unverified" in r for r in blamed["s1"].reasons)
    assert any("called its result wrong" in r for r in blamed["s1"].reasons)
    assert result.pick is not None and result.pick.span.span_id == "s1"


def test_task_drift_on_the_first_turn() -> None:
    idx = index(
        span(0, "llm", "planner", "Debug the Python script that sums squares of even numbers."),
        span(1, "llm", "coder", "Done, it prints 220."),
    )
    result = attribute(idx, task=TASK, truth=TRUTH)
    assert result.pick is not None and result.pick.span.span_id == "s0"
    assert any("of the task" in r for r in result.pick.reasons)


def test_failed_call_and_prior() -> None:
    idx = index(
        plan(),
        span(1, "tool", "get_invoices", result="Traceback: timeout", status="error"),
        span(2, "llm", "planner", "Retrying."),
    )
    result = attribute(idx, task=TASK, truth=None, prior={"s2": 10.0})
    blamed = {b.span.span_id: b for b in result.blames}
    assert any("its call failed" in r for r in blamed["s0"].reasons)
    assert result.pick is not None and result.pick.span.span_id == "s2"  # a strong prior still wins


def test_no_turns_no_pick() -> None:
    assert attribute(index(span(0, "tool", "x", result="ok")), task=TASK, truth=TRUTH).pick is None


def test_trace_decision_returns_the_drafters_candidate() -> None:
    spans = [
        plan(),
        span(1, "llm", "calculator", "Adding them up, the March total is 11,480 EUR."),
        span(2, "llm", "reviewer", "Final answer: 11,480 EUR"),
    ]
    msg = Message(ts="1767229200.000000", author="controller", text=TRUTH)
    bundle = Bundle(path="mem", meta=IncidentMeta(id="INC-1", title=TASK),
                    traces=[Trace(source_file="mem", format="test", spans=spans)],
                    chat=ChatLog(source="mem", format="transcript", messages=[msg]))
    ws = Workspace(bundle)
    chosen, result = trace_decision(ws.index, ws.candidates, ws.findings, ws.bundle.meta.title)
    assert chosen is not None and chosen.span.span_id == "s1" and chosen in ws.candidates
    assert result.claims == ["11,480"]
