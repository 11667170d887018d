"""Message, tool-call, document and timestamp normalization shared by the JSON trace readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import BadInput
from tools.traces.messages import (
    assistant_output,
    content_text,
    load_values,
    normalize_messages,
    parse_time_ns,
    to_documents,
    tool_call,
)


def lc(cls: str, **kwargs: object) -> dict[str, object]:
    return {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", cls], "kwargs": kwargs}


# --- OpenAI chat format ----------------------------------------------------------------------


def test_openai_chat_messages_keep_roles_names_and_call_ids() -> None:
    messages = normalize_messages(
        [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi", "name": "erik"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"id": 7}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"found": true}'},
        ]
    )
    assert [m.role for m in messages] == ["system", "user", "assistant", "tool"]
    assert messages[1].name == "erik"
    assert messages[2].content == ""
    # arguments exactly as recorded, spacing included
    assert messages[2].tool_calls[0].model_dump() == {
        "id": "call_1",
        "name": "lookup",
        "arguments": '{"id": 7}',
    }
    assert messages[3].tool_call_id == "call_1"
    assert messages[3].content == '{"found": true}'


def test_content_parts_are_joined_and_non_text_parts_skipped() -> None:
    message = normalize_messages(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look at this:"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA"}},
                    {"type": "input_text", "text": "and this"},
                    "plain part",
                ],
            }
        ]
    )[0]
    assert message.content == "Look at this:\nand this\nplain part"


def test_content_text_variants() -> None:
    assert content_text(None) == ""
    assert content_text("x") == "x"
    assert content_text([{"type": "refusal", "refusal": "no"}]) == "no"
    assert content_text([{"type": "tool_result", "content": [{"type": "text", "text": "ok"}]}]) == "ok"
    assert content_text({"text": "t"}) == "t"
    assert content_text({"a": 1}) == '{"a":1}'
    assert content_text(42) == "42"


def test_legacy_function_call_and_structured_arguments() -> None:
    message = normalize_messages(
        [{"role": "assistant", "content": "", "function_call": {"name": "f", "arguments": {"x": [1, 2]}}}]
    )[0]
    assert message.tool_calls[0].name == "f"
    assert message.tool_calls[0].arguments == '{"x":[1,2]}'


def test_tool_call_shapes() -> None:
    assert tool_call({"name": "a", "args": {"k": "v"}, "id": "c1"}).arguments == '{"k":"v"}'  # type: ignore[union-attr]
    anthropic = tool_call({"type": "tool_use", "id": "toolu_1", "name": "b", "input": {"q": 1}})
    assert anthropic is not None and (anthropic.id, anthropic.arguments) == ("toolu_1", '{"q":1}')
    responses = tool_call({"type": "function_call", "call_id": "call_9", "name": "c", "arguments": "{}"})
    assert responses is not None and responses.id == "call_9"
    assert tool_call({"function": {}}) is None
    assert tool_call("nope") is None


# --- LangChain serialised messages -----------------------------------------------------------


def test_langchain_nested_lists_and_roles() -> None:
    messages = normalize_messages(
        {
            "messages": [
                [
                    lc("SystemMessage", content="sys"),
                    lc("HumanMessage", content="hi"),
                    lc("AIMessage", content="hello"),
                    lc("ToolMessage", content="42", tool_call_id="call_x", name="calc"),
                    lc("ChatMessage", content="note", role="critic"),
                    lc("FunctionMessage", content="fn", name="f"),
                ]
            ]
        }
    )
    assert [m.role for m in messages] == ["system", "user", "assistant", "tool", "critic", "function"]
    assert messages[3].tool_call_id == "call_x" and messages[3].name == "calc"


def test_langchain_raw_tool_calls_win_over_parsed_ones() -> None:
    message = normalize_messages(
        [
            lc(
                "AIMessage",
                content="calling",
                additional_kwargs={
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"a":  1}'},
                        }
                    ]
                },
                tool_calls=[
                    {"name": "f", "args": {"a": 1}, "id": "call_1"},
                    {"name": "g", "args": {"b": 2}, "id": "call_2"},
                ],
                invalid_tool_calls=[{"name": "h", "args": "{broken", "id": "call_3", "error": "bad json"}],
            )
        ]
    )[0]
    assert [(c.id, c.name, c.arguments) for c in message.tool_calls] == [
        ("call_1", "f", '{"a":  1}'),  # the model's own string, double space kept
        ("call_2", "g", '{"b":2}'),  # only parsed: compact JSON
        ("call_3", "h", "{broken"),  # unparseable arguments kept as recorded
    ]


def test_langchain_parsed_tool_calls_alone_and_anthropic_parts_deduplicated() -> None:
    message = normalize_messages(
        [
            lc(
                "AIMessage",
                content=[
                    {"type": "text", "text": "Checking."},
                    {"type": "tool_use", "id": "toolu_1", "name": "search", "input": {"q": "x"}},
                ],
                tool_calls=[{"name": "search", "args": {"q": "x"}, "id": "toolu_1"}],
            )
        ]
    )[0]
    assert message.content == "Checking."
    assert [(c.id, c.arguments) for c in message.tool_calls] == [("toolu_1", '{"q":"x"}')]


def test_langchain_dict_forms_and_tuples_and_prompt_values() -> None:
    messages = normalize_messages(
        [
            {"type": "human", "data": {"content": "from messages_to_dict"}},
            {"type": "ai", "content": "flat dict", "tool_calls": []},
            ["system", "tuple form"],
            {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "prompts", "chat", "ChatPromptValue"],
                "kwargs": {"messages": [lc("HumanMessage", content="inside a prompt value")]},
            },
        ]
    )
    assert [(m.role, m.content) for m in messages] == [
        ("user", "from messages_to_dict"),
        ("assistant", "flat dict"),
        ("system", "tuple form"),
        ("user", "inside a prompt value"),
    ]


def test_prompts_as_strings_become_user_messages() -> None:
    assert [(m.role, m.content) for m in normalize_messages({"prompts": ["one", "two"]})] == [
        ("user", "one"),
        ("user", "two"),
    ]


# --- Responses API items ---------------------------------------------------------------------


def test_responses_api_items() -> None:
    messages = normalize_messages(
        [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "refund?"}]},
            {"type": "function_call", "call_id": "call_r", "name": "get_refund", "arguments": '{"id":1}'},
            {"type": "function_call_output", "call_id": "call_r", "output": "approved"},
            {"type": "reasoning", "summary": []},
        ]
    )
    assert [(m.role, m.content) for m in messages] == [
        ("user", "refund?"),
        ("assistant", ""),
        ("tool", "approved"),
    ]
    assert messages[1].tool_calls[0].arguments == '{"id":1}'
    assert messages[2].tool_call_id == "call_r"


# --- assistant output ------------------------------------------------------------------------


def test_output_from_llm_result_generations() -> None:
    ai = lc(
        "AIMessage",
        content="",
        additional_kwargs={"tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}]},
    )
    text, calls = assistant_output({"generations": [[{"text": "", "message": ai}], [{"text": "second"}]]})
    assert text == "second"
    assert [c.name for c in calls] == ["f"]


def test_output_from_chat_completion_and_responses_and_messages() -> None:
    completion = {"choices": [{"message": {"role": "assistant", "content": "hi there"}}], "usage": {}}
    assert assistant_output(completion) == ("hi there", [])
    responses = {
        "output": [
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "ok"}]}
        ]
    }
    assert assistant_output(responses)[0] == "ok"
    agents_sdk = [{"role": "assistant", "content": "done", "tool_calls": None, "refusal": None}]
    assert assistant_output(agents_sdk) == ("done", [])
    assert assistant_output({"role": "assistant", "content": "x"})[0] == "x"
    assert assistant_output({"output": lc("AIMessage", content="wrapped")})[0] == "wrapped"
    assert assistant_output({"completion": "pong"})[0] == "pong"


def test_output_fallbacks() -> None:
    assert assistant_output(None) == (None, [])
    assert assistant_output("") == (None, [])
    assert assistant_output({}) == (None, [])
    # structured output with no message in it is kept as compact JSON
    assert (
        assistant_output({"category": "refund", "confidence": 0.9})[0]
        == '{"category":"refund","confidence":0.9}'
    )


# --- documents -------------------------------------------------------------------------------


def test_documents_pull_id_version_and_freshness_from_metadata() -> None:
    docs = to_documents(
        {
            "documents": [
                {
                    "page_content": "v3 text",
                    "type": "Document",
                    "metadata": {
                        "source": "policy.md",
                        "doc_version": "v3",
                        "indexed_at": "2024-09-03",
                        "relevance_score": 0.8,
                    },
                },
                {
                    "lc": 1,
                    "type": "constructor",
                    "id": ["langchain", "schema", "document", "Document"],
                    "kwargs": {
                        "page_content": "serialised",
                        "metadata": {"doc_id": "d-2", "last_modified": "2026-01-01"},
                    },
                },
                {
                    "id": "d-3",
                    "content": "plain",
                    "score": 0.4,
                    "metadata": {"version": 5, "updated_at": "2026-02-02"},
                },
            ]
        }
    )
    assert [(d.id, d.content, d.version, d.updated_at, d.score) for d in docs] == [
        ("policy.md", "v3 text", "v3", "2024-09-03", 0.8),
        ("d-2", "serialised", None, "2026-01-01", None),
        ("d-3", "plain", "5", "2026-02-02", 0.4),
    ]
    assert docs[0].metadata["doc_version"] == "v3"  # metadata kept whole for citation


def test_documents_from_nested_lists_and_odd_values() -> None:
    assert [d.content for d in to_documents([[{"page_content": "a"}], ["b"]])] == ["a", "b"]
    assert to_documents(None) == []
    assert to_documents({"unrelated": 1}) == []
    assert to_documents([1, None]) == []


# --- timestamps ------------------------------------------------------------------------------

NS_2026 = 1772360100 * 10**9  # 2026-03-01T10:15:00Z


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T10:15:00", NS_2026),  # no offset = UTC
        ("2026-03-01T10:15:00Z", NS_2026),
        ("2026-03-01 10:15:00+00:00", NS_2026),
        ("2026-03-01T12:15:00+02:00", NS_2026),
        ("2026-03-01T10:15:00.123", NS_2026 + 123_000_000),
        ("2026-03-01T10:15:00.123456", NS_2026 + 123_456_000),
        ("2026-03-01T10:15:00.123456789Z", NS_2026 + 123_456_789),
        (1772360100, NS_2026),  # epoch seconds
        (1772360100123, NS_2026 + 123_000_000),  # epoch ms (LangSmith JS SDK)
        (1772360100123456, NS_2026 + 123_456_000),  # epoch µs
        (NS_2026, NS_2026),  # epoch ns
        ("1772360100123", NS_2026 + 123_000_000),
        ("not a time", None),
        ("", None),
        (None, None),
        (True, None),
        ([], None),
        ("2026-13-45T99:99:99", None),
    ],
)
def test_parse_time_ns(value: object, expected: int | None) -> None:
    assert parse_time_ns(value) == expected


# --- loading ---------------------------------------------------------------------------------


def test_load_values_tells_json_from_jsonl(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"a": 1}\n\n{"a": 2}\n')
    assert load_values(jsonl) == ("jsonl", [(1, {"a": 1}), (3, {"a": 2})])
    pretty = tmp_path / "b.json"
    pretty.write_text(json.dumps({"a": [1, 2]}, indent=2))
    assert load_values(pretty) == ("json", [(None, {"a": [1, 2]})])


def test_load_values_reports_the_broken_line(tmp_path: Path) -> None:
    broken_first = tmp_path / "c.jsonl"
    broken_first.write_text('{"a": \n{"a": 2}\n{"a": 3}\n')
    with pytest.raises(BadInput) as err:
        load_values(broken_first)
    assert err.value.line == 1
    truncated = tmp_path / "d.json"
    truncated.write_text('{"runs": [{"id": "x"')
    with pytest.raises(BadInput, match="truncated"):
        load_values(truncated)


def test_odd_values_never_raise() -> None:
    for odd in (
        None,
        1,
        "x",
        [],
        {},
        [None, 3, "s"],
        {"messages": 5},
        {"role": 1},
        [[[[[]]]]],
        {"content": None},
    ):
        normalize_messages(odd)
        assistant_output(odd)
        to_documents(odd)
