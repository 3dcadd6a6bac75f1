"""Message conversion and the per-tier system prompt modes."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_router.messages import (
    answer_of,
    apply_system_prompt,
    routed_tier_in_turn,
    to_core_messages,
    usage_of,
)

texts = st.text(min_size=0, max_size=40)


def test_to_core_messages_roles_and_blocks() -> None:
    blocks = [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "x"}}]
    msgs = [
        SystemMessage("s"),
        HumanMessage(blocks),
        AIMessage("a"),
        ToolMessage("t", tool_call_id="1"),
        ChatMessage(role="critic", content="c"),
    ]
    out = to_core_messages(msgs)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "tool", "critic"]
    assert out[1]["content"] == blocks


@given(tier=texts.filter(bool), caller=texts, user=texts)
def test_merge_puts_tier_text_first_and_keeps_everything(tier: str, caller: str, user: str) -> None:
    msgs = [SystemMessage(caller), HumanMessage(user)]
    out = apply_system_prompt(msgs, tier, "merge")
    assert len(out) == 2 and out[0].type == "system" and out[1] is msgs[1]
    assert out[0].content.startswith(tier) and out[0].content.endswith(caller)
    assert msgs[0].content == caller  # the caller's message is not mutated


@given(tier=texts.filter(bool), user=texts)
def test_modes_without_caller_system(tier: str, user: str) -> None:
    msgs = [HumanMessage(user)]
    for mode in ("merge", "prepend", "replace"):
        out = apply_system_prompt(msgs, tier, mode)
        assert [m.type for m in out] == ["system", "human"] and out[0].content == tier
    assert apply_system_prompt(msgs, tier, "off") == msgs


def test_prepend_replace_off_with_caller_system() -> None:
    msgs = [SystemMessage("caller"), HumanMessage("hi")]
    assert [m.content for m in apply_system_prompt(msgs, "tier", "prepend")] == [
        "tier",
        "caller",
        "hi",
    ]
    assert [m.content for m in apply_system_prompt(msgs, "tier", "replace")] == ["tier", "hi"]
    assert [m.content for m in apply_system_prompt(msgs, "tier", "off")] == ["caller", "hi"]
    assert [m.content for m in apply_system_prompt(msgs, None, "merge")] == ["caller", "hi"]


def test_merge_of_a_plain_system_message_equals_a_copy() -> None:
    """A plain system message's merge is shared (cached); one with an id or name is copied."""
    plain = [SystemMessage("caller"), HumanMessage("hi")]
    first, again = (
        apply_system_prompt(plain, "tier", "merge"),
        apply_system_prompt(plain, "tier", "merge"),
    )
    expected = plain[0].model_copy(update={"content": "tier\n\ncaller"})
    assert first[0] == expected and again[0] is first[0]
    for extra in (
        {"id": "m1"},
        {"name": "ops"},
        {"name": ""},
        {"additional_kwargs": {"k": 1}},
        {"team_field": "kept"},  # messages accept extra fields of the caller's own
    ):
        msgs = [SystemMessage("caller", **extra), HumanMessage("hi")]
        out = apply_system_prompt(msgs, "tier", "merge")[0]
        assert out == msgs[0].model_copy(update={"content": "tier\n\ncaller"})
    long = [SystemMessage("x" * 5000)]
    assert (
        apply_system_prompt(long, "tier", "merge")[0]
        is not apply_system_prompt(long, "tier", "merge")[0]
    )


def test_merge_with_block_content() -> None:
    msgs = [SystemMessage([{"type": "text", "text": "caller"}]), HumanMessage("hi")]
    out = apply_system_prompt(msgs, "tier", "merge")
    assert out[0].content == [{"type": "text", "text": "tier"}, {"type": "text", "text": "caller"}]


def test_routed_tier_in_turn_only_looks_at_the_current_turn() -> None:
    ai = AIMessage(
        "",
        tool_calls=[{"name": "f", "args": {}, "id": "1"}],
        response_metadata={"router": {"tier": "strong"}},
    )
    old = AIMessage("x", response_metadata={"router": {"tier": "cheap"}})
    assert (
        routed_tier_in_turn([HumanMessage("q"), ai, ToolMessage("r", tool_call_id="1")]) == "strong"
    )
    assert routed_tier_in_turn([HumanMessage("q"), old, HumanMessage("next")]) is None
    assert routed_tier_in_turn([HumanMessage("q"), AIMessage("plain")]) is None


def test_usage_and_answer() -> None:
    msg = AIMessage(
        "hello",
        usage_metadata={
            "input_tokens": 10,
            "output_tokens": 3,
            "total_tokens": 13,
            "input_token_details": {"cache_read": 4},
        },
    )
    u = usage_of(msg)
    assert (u.input_tokens, u.output_tokens, u.cached_input_tokens) == (10, 3, 4)
    assert usage_of(AIMessage("x")) is None
    tc = AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "1"}])
    assert answer_of(tc).tool_calls == 1 and answer_of(msg).text == "hello"


def test_answer_carries_the_finish_reason() -> None:
    # ChatOpenAI's private _generate puts it in generation_info, not response_metadata
    empty = AIMessage("")
    assert answer_of(empty, {"finish_reason": "content_filter"}).finish_reason == "content_filter"
    meta = AIMessage("", response_metadata={"finish_reason": "stop"})
    assert answer_of(meta, {"finish_reason": "length"}).finish_reason == "stop"  # message wins
    anthropic = AIMessage("", response_metadata={"stop_reason": "refusal"})
    assert answer_of(anthropic).finish_reason == "refusal"
    assert answer_of(AIMessage("hi")).finish_reason is None


# -- edges a user's messages reach (found by mutation testing, issue 14) -------------------


class _NoRoleMessage(BaseMessage):
    """A message type of the caller's own: no ``role`` attribute, a type the router does not know."""

    type: str = "custom"


def test_a_message_of_unknown_type_counts_as_the_user_s() -> None:
    out = to_core_messages([_NoRoleMessage(content="q"), ChatMessage(role="", content="r")])
    assert out == [{"role": "user", "content": "q"}, {"role": "user", "content": "r"}]


def test_merging_into_an_empty_system_message_gives_the_tier_text_alone() -> None:
    out = apply_system_prompt([SystemMessage(""), HumanMessage("hi")], "Be brief.", "merge")
    assert out[0].content == "Be brief."


def test_usage_of_a_message_without_usage_is_none() -> None:
    assert usage_of(HumanMessage("hi")) is None
    assert usage_of(AIMessage("hi")) is None


@pytest.mark.parametrize(
    ("meta", "named"),
    [
        ({"model_name": "gpt-4o-mini", "model": "other"}, "'gpt-4o-mini'"),
        ({"model": "claude-x"}, "'claude-x'"),
        ({}, "'unknown model'"),
    ],
)
def test_unbelievable_usage_is_logged_with_the_model_that_reported_it(
    meta: dict[str, str], named: str, caplog: pytest.LogCaptureFixture
) -> None:
    msg = AIMessage(
        "x",
        response_metadata=meta,
        usage_metadata={"input_tokens": -5, "output_tokens": 3, "total_tokens": -2},
    )
    with caplog.at_level(logging.WARNING, logger="shared_core.pricing"):
        assert usage_of(msg) is None
    [record] = [r for r in caplog.records if "not believable" in r.getMessage()]
    assert record.getMessage().startswith(f"provider usage for {named} is not believable")


def test_answer_text_of_block_content_is_the_joined_text() -> None:
    msg = AIMessage([{"type": "text", "text": "hel"}, {"type": "text", "text": "lo"}])
    assert answer_of(msg).text == "hello"


def test_a_chunk_with_only_unparsed_tool_call_chunks_counts_its_tool_calls() -> None:
    # mid-stream, arguments that do not parse (yet) leave ``tool_calls`` empty
    chunk = AIMessageChunk(
        content="",
        tool_call_chunks=[{"name": "search", "args": '"q', "id": "c1", "index": 0}],
    )
    assert chunk.tool_calls == []
    assert answer_of(chunk).tool_calls == 1


def test_a_finish_reason_that_is_not_a_string_is_ignored() -> None:
    msg = AIMessage(
        "x", response_metadata={"finish_reason": {"odd": 1}, "stop_reason": "max_tokens"}
    )
    assert answer_of(msg).finish_reason == "max_tokens"


def test_answer_and_usage_fast_paths_equal_the_normal_constructions() -> None:
    """answer_of builds its Answer with construct() and usage_of takes believable counts
    without provider_usage: both must give what the normal paths give."""
    import dataclasses

    from shared_core.pricing import Usage, provider_usage
    from shared_core.quality import Answer

    msg = AIMessage(
        "Paris.", usage_metadata={"input_tokens": 20, "output_tokens": 8, "total_tokens": 28},
        response_metadata={"finish_reason": "stop", "model_name": "m"},
    )
    got = answer_of(msg)
    assert got == Answer(text="Paris.", tool_calls=0, finish_reason="stop")
    assert set(vars(got)) == {f.name for f in dataclasses.fields(Answer)}
    assert usage_of(msg) == provider_usage(20, 8, None, source="m") == Usage(20, 8, 0)
    for inp, out in ((0, 0), (100_000_000, 1), (100_000_001, 1), (-1, 3), (True, 2), (2.0, 1), (None, 4)):
        odd = AIMessage.model_construct(
            content="x", usage_metadata={"input_tokens": inp, "output_tokens": out, "total_tokens": 0},
            response_metadata={},
        )
        assert usage_of(odd) == provider_usage(inp, out, None, source="m")


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ({"finish_reason": "length"}, "length"),
        ({"stop_reason": "max_tokens"}, "max_tokens"),  # Anthropic
        ({"stopReason": "max_tokens"}, "max_tokens"),  # Bedrock Converse
        ({"done_reason": "length"}, "length"),  # Ollama
        ({"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}, "max_output_tokens"),
        ({}, None),
    ],
)
def test_the_finish_reason_is_read_where_each_provider_puts_it(metadata: dict, reason: str | None) -> None:
    """``truncated_check`` never fired for the OpenAI Responses API, Bedrock or Ollama: only
    ``finish_reason`` / ``stop_reason`` were read."""
    from langchain_core.messages import AIMessage

    from langchain_router.messages import finish_reason_of

    assert finish_reason_of(AIMessage("x", response_metadata=metadata)) == reason


def _finish_reason_reference(sources: list[dict | None]) -> str | None:
    """``finish_reason_of`` as written before its key check: every key of every source read."""
    from collections.abc import Mapping

    from langchain_router.messages import FINISH_KEYS

    for source in sources:
        if source:
            for key in FINISH_KEYS:
                value = source.get(key)
                if isinstance(value, str) and value:
                    return value
            incomplete = source.get("incomplete_details")
            if isinstance(incomplete, Mapping) and isinstance(incomplete.get("reason"), str):
                return str(incomplete["reason"])
    return None


_finish_keys = st.sampled_from(
    ["finish_reason", "stop_reason", "stopReason", "done_reason", "incomplete_details", "model_name",
     "reason", "status", "token_usage"]
)
_finish_values = st.one_of(
    st.none(), st.text(max_size=8), st.integers(), st.dictionaries(st.sampled_from(["reason", "x"]), st.one_of(st.none(), st.text(max_size=5)))
)


@given(
    st.dictionaries(_finish_keys, _finish_values, max_size=5),
    st.one_of(st.none(), st.dictionaries(_finish_keys, _finish_values, max_size=5)),
)
def test_the_finish_reason_key_check_reads_what_every_key_gave(metadata: dict, info: dict | None) -> None:
    """A source with none of the finish keys is skipped without reading them one by one: the
    reason is the one the key-by-key reading finds."""
    from langchain_router.messages import finish_reason_of

    message = AIMessage("x", response_metadata=metadata)
    assert finish_reason_of(message, info) == _finish_reason_reference([message.response_metadata, info])
