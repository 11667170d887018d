"""Unit tests for the offline engine's building blocks, on invented text from other domains."""

from __future__ import annotations

from agent.offline.findings import _agent_refs, _vindicated
from agent.offline.inferences import ChatSignals, agrees, classify_output, pick_quote
from tools.model.trace import Span, ToolCall
from tools.text import cues
from tools.text.actions import classify_tool, is_read_call, is_status_post
from tools.text.terms import absences, identifiers, sources
from tools.text.tokens import contains_term, norm_text


def span(text: str | None = None, calls: list[ToolCall] | None = None) -> Span:
    return Span(trace_id="t", span_id="s1", kind="llm", output_text=text, output_tool_calls=calls or [])


def test_tool_names_are_classified_by_their_verbs() -> None:
    assert classify_tool("get_flight_status") == "read"
    assert classify_tool("listInvoices") == "read"
    assert classify_tool("promote_batch") == "act"
    assert classify_tool("rollout-restart") == "act"
    assert classify_tool("request_approval") == "handoff"
    assert classify_tool("transfer_to_billing_agent") == "handoff"
    assert classify_tool("frobnicate") == "neutral"


def test_status_posts_and_read_only_sql() -> None:
    assert is_status_post("post_to_channel") and is_status_post("notify_account_manager")
    assert not is_status_post("send_refund") and not is_status_post("delete_file")
    assert is_read_call("run_sql", '{"sql": "SELECT count(*) FROM orders"}')
    assert not is_read_call("run_sql", '{"sql": "DELETE FROM orders WHERE id = 4"}')
    assert is_read_call("apply_migration", '{"dry_run": true}')


def test_a_status_post_is_a_report_not_the_action() -> None:
    s = span("Posting the summary.", [ToolCall(name="post_message", arguments='{"text": "done"}'),
                                      ToolCall(name="issue_refund", arguments='{"amount": 40}')])
    klass, action = classify_output(s, is_last=False)
    assert klass == "act" and action is not None and action.startswith("issue_refund")
    only_post = span(None, [ToolCall(name="post_message", arguments='{"text": "Refund issued"}')])
    assert classify_output(only_post, is_last=False)[0] == "report"


def test_quote_of_a_call_only_output_is_verbatim() -> None:
    s = span(None, [ToolCall(name="a", arguments='{"x": 1}'), ToolCall(name="b", arguments='{"note": "hold all parcels"}')])
    quote = pick_quote(s, ChatSignals([], set(), set()))
    assert quote in s.recorded_content()


def test_vindication_needs_the_agent_near_the_phrase() -> None:
    refs = _agent_refs(["survey-extractor", "uw-assistant"])
    assert _vindicated("the extractor got it right: the survey says ponding", refs) == (True, "survey-extractor")
    assert _vindicated("so the agent had it right an hour before we did", refs) == (True, None)
    # "which was right" about another recommendation vindicates nobody
    assert _vindicated("7 of 9 had an end date; the other was a list-price change, which was right", refs)[0] is False


def test_agreement_is_about_saying_what_people_established() -> None:
    finding = "the order store is down because its cloud region westeurope lost storage; retries will not help before gate closure"
    right = span("The order store is down: its westeurope cloud region lost storage, so retries will not help before gate closure.")
    wrong = span("Transient blip, retrying the submission in a minute.")
    from agent.offline.inferences import Candidate

    assert agrees(Candidate(right, "act", None), finding)
    assert not agrees(Candidate(wrong, "act", None), finding)


def test_signal_terms_from_absences_sources_and_identifiers() -> None:
    assert [t.text for t in absences("the fault tool returns one row per code and no robot count")] == ["robot count"]
    assert [t.text for t in absences("the cancellation message never arrived in the cache")] == ["cancellation message"]
    assert [t.text for t in sources("the release notes entry for v3 says so")] == ["release notes entry"]
    names = [t.text for t in identifiers("grade_map 2026.1 row FR-LIC is on a 0-100 scale; mail ops@acme.example")]
    assert "grade_map" in names and "2026.1" in names and "ops@acme.example" in names


def test_terms_match_across_separators() -> None:
    text = norm_text("the row_count field was 2,318,442 and the SYNC-AGE was 58h")
    assert contains_term(text, "row count") and contains_term(text, "sync age")
    assert not contains_term(text, "row counter")


def test_cues_tell_findings_from_theories() -> None:
    assert cues.count(cues.THEORY, "could it be the cdn config change?")
    assert cues.count(cues.FINDING, "turns out the export job had failed since May")
    assert cues.count(cues.HANDOFF_LOSS, "the task queue keeps 10 of the 238 addresses")
    assert cues.count(cues.CORRECTION, "so: the drop was temporary, a two hour promo")
