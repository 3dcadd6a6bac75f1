"""Message conversion, the tier system prompt, and finding the question in a template."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole, TextBlock
from llama_index.core.prompts.default_prompts import DEFAULT_REFINE_PROMPT, DEFAULT_TEXT_QA_PROMPT

from llamaindex_router.context import Routing
from llamaindex_router.messages import (
    apply_system_prompt,
    core_request,
    templated_question,
    to_core_messages,
)
from shared_core import Router, RouterConfig, Tier


def _msgs(*pairs: tuple[str, str]) -> list[ChatMessage]:
    return [ChatMessage(role=r, content=c) for r, c in pairs]


def test_to_core_messages_text_and_attachments() -> None:
    img = ChatMessage(
        role="user", blocks=[TextBlock(text="what is this"), ImageBlock(url="http://x/y.png")]
    )
    out = to_core_messages([*_msgs(("system", "s"), ("assistant", "a")), img])
    assert out[0] == {"role": "system", "content": "s"}
    assert out[1] == {"role": "assistant", "content": "a"}
    assert out[2]["content"] == [{"type": "text", "text": "what is this"}, {"type": "image"}]


@pytest.mark.parametrize("mode", ["merge", "prepend", "replace"])
def test_tier_prompt_applied_exactly_once(mode: str) -> None:
    tier = Tier(name="t", model="m", system_prompt="TIER", system_prompt_mode=mode)
    msgs = _msgs(("system", "CALLER"), ("user", "hi"))
    out = apply_system_prompt(msgs, tier)
    joined = " ".join(m.content or "" for m in out)
    assert joined.count("TIER") == 1
    assert out[0].role == MessageRole.SYSTEM and out[0].content.startswith("TIER")
    assert out[-1].content == "hi"
    assert ("CALLER" in joined) is (mode != "replace")
    assert msgs[0].content == "CALLER"  # the caller's list is not modified


def test_merged_system_message_keeps_the_callers_extra_fields() -> None:
    """Provider options on the caller's system message (prompt caching) survive the merge."""
    extra = {"cache_control": {"type": "ephemeral"}, "name": "house-rules"}
    caller = ChatMessage(role="system", content="CALLER", additional_kwargs=dict(extra))
    out = apply_system_prompt(
        [caller, ChatMessage(role="user", content="hi")],
        Tier(name="t", model="m", system_prompt="TIER", system_prompt_mode="merge"),
    )
    assert [(m.role, m.content) for m in out] == [
        (MessageRole.SYSTEM, "TIER\n\nCALLER"),
        (MessageRole.USER, "hi"),
    ]
    assert out[0].additional_kwargs == extra
    assert out[0].additional_kwargs is not caller.additional_kwargs  # a copy, not shared
    assert caller.content == "CALLER"


def test_tier_prompt_off_or_absent_leaves_messages() -> None:
    msgs = _msgs(("user", "hi"))
    assert apply_system_prompt(msgs, Tier(name="t", model="m")) == msgs
    off = Tier(name="t", model="m", system_prompt="X", system_prompt_mode="off")
    assert apply_system_prompt(msgs, off) == msgs


def test_merge_without_caller_system_prepends() -> None:
    out = apply_system_prompt(
        _msgs(("user", "hi")), Tier(name="t", model="m", system_prompt="TIER")
    )
    assert [m.role for m in out] == [MessageRole.SYSTEM, MessageRole.USER]


_question = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200
).filter(lambda s: s.strip() and "\n" not in s)


@given(question=_question, context=st.text(max_size=2000))
def test_question_found_in_qa_template(question: str, context: str) -> None:
    prompt = DEFAULT_TEXT_QA_PROMPT.format(context_str=context, query_str=question)
    assert templated_question(prompt) == question.strip()


@given(question=_question)
def test_question_found_in_refine_template(question: str) -> None:
    prompt = DEFAULT_REFINE_PROMPT.format(
        query_str=question, existing_answer="x", context_msg="ctx"
    )
    assert templated_question(prompt) == question.strip()


@given(text=st.text(max_size=500))
def test_plain_text_is_not_a_template(text: str) -> None:
    if "---" in text or "Context information" in text:
        return
    assert templated_question(text) is None


def test_react_observations_are_tool_results_not_requests() -> None:
    out = to_core_messages(
        _msgs(("user", "hard question"), ("assistant", "Thought: ..."), ("user", "Observation: 5"))
    )
    assert [m["role"] for m in out] == ["user", "assistant", "tool"]


# -- what a call carries into the core (found by mutation testing, issue 14) ---------------


def test_text_blocks_join_without_separator_and_attachments_keep_the_role() -> None:
    text_only = ChatMessage(role="user", blocks=[TextBlock(text="ab"), TextBlock(text="cd")])
    with_image = ChatMessage(
        role="user", blocks=[TextBlock(text="x"), ImageBlock(url="http://x/y.png")]
    )
    assert to_core_messages([text_only, with_image]) == [
        {"role": "user", "content": "abcd"},
        {"role": "user", "content": [{"type": "text", "text": "x"}, {"type": "image"}]},
    ]


def test_query_and_answer_lines_without_context_markers_are_not_a_template() -> None:
    assert templated_question("Query: what is 2+2?\nAnswer:") is None
    assert (
        templated_question("Context information\n---------------------\nQuery: what?\nAnswer:")
        == "what?"
    )


@pytest.mark.parametrize("caller", ["", "   "])
def test_merge_into_an_empty_caller_system_message_is_the_tier_text_alone(caller: str) -> None:
    tier = Tier(name="t", model="m", system_prompt="TIER", system_prompt_mode="merge")
    out = apply_system_prompt(_msgs(("system", caller), ("user", "hi")), tier)
    assert [(m.role, m.content) for m in out] == [
        (MessageRole.SYSTEM, "TIER"),
        (MessageRole.USER, "hi"),
    ]


def _router() -> Router:
    return Router(
        RouterConfig.build(
            {
                "tiers": [
                    {"name": "cheap", "model": "gpt-4o-mini"},
                    {"name": "strong", "model": "gpt-4o"},
                ],
                "classifier": {"type": "rules"},
                "extraction": {"max_chars": 100, "head_fraction": 0.5},
            }
        )
    )


def test_core_request_carries_the_call_s_context() -> None:
    r = Routing(thread_id="t1", user="u1", tags=("a",), metadata={"k": "v"}, structured_output=True)
    req = core_request(_router(), _msgs(("user", "hello")), r, tools=True, required=True)
    assert (req.text, req.has_tools, req.tool_choice_required, req.structured_output) == (
        "hello",
        True,
        True,
        True,
    )
    assert (req.thread_id, req.user, req.tags, dict(req.metadata)) == (
        "t1",
        "u1",
        ("a",),
        {"k": "v"},
    )
    assert req.notes == ()


def test_core_request_classifies_a_template_s_question_cut_by_the_extraction_settings() -> None:
    question = "q" * 60 + "z" * 60
    prompt = DEFAULT_TEXT_QA_PROMPT.format(context_str="some retrieved text", query_str=question)
    req = core_request(_router(), _msgs(("user", prompt)), Routing(), tools=False, required=False)
    assert req.text == "q" * 50 + "\n…\n" + "z" * 50  # max_chars 100, head_fraction 0.5
    assert req.notes == ("classified the question of a templated prompt (query_str)",)


def test_core_request_prefers_the_question_the_caller_gave() -> None:
    prompt = DEFAULT_TEXT_QA_PROMPT.format(context_str="ctx", query_str="the template's question")
    req = core_request(
        _router(), _msgs(("user", prompt)), Routing(question="mine"), tools=False, required=False
    )
    assert req.text == "mine"


def test_core_request_leaves_a_last_assistant_turn_alone() -> None:
    prompt = DEFAULT_TEXT_QA_PROMPT.format(context_str="ctx", query_str="inner")
    req = core_request(
        _router(),
        _msgs(("user", "outer"), ("assistant", prompt)),
        Routing(),
        tools=False,
        required=False,
    )
    assert req.notes == ()  # the question of a template is looked for in the user's turn only


def test_merge_keeps_the_caller_s_non_text_blocks() -> None:
    """A ``CachePoint`` (Anthropic / Bedrock prompt caching) or an image in the caller's system
    message stays where it was; the tier text goes in front of the caller's text."""
    from llama_index.core.base.llms.types import CacheControl, CachePoint

    point = CachePoint(cache_control=CacheControl(type="ephemeral"))
    caller = ChatMessage(
        role="system",
        blocks=[TextBlock(text="POLICY"), point, TextBlock(text="MORE")],
        additional_kwargs={"name": "house"},
    )
    tier = Tier(name="t", model="m", system_prompt="TIER", system_prompt_mode="merge")
    out = apply_system_prompt([caller, ChatMessage(role="user", content="hi")], tier)
    assert out[0].role == MessageRole.SYSTEM
    assert out[0].blocks == [TextBlock(text="TIER\n\nPOLICY"), point, TextBlock(text="MORE")]
    assert out[0].additional_kwargs == {"name": "house"}
    assert [type(b).__name__ for b in caller.blocks] == ["TextBlock", "CachePoint", "TextBlock"]
    assert caller.blocks[0].text == "POLICY"  # the caller's message is not modified
    image_first = ChatMessage(role="system", blocks=[ImageBlock(url="http://x/y.png"), TextBlock(text="C")])
    out = apply_system_prompt([image_first], tier)
    assert [type(b).__name__ for b in out[0].blocks] == ["TextBlock", "ImageBlock", "TextBlock"]
    assert out[0].blocks[0].text == "TIER"
