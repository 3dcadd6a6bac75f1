"""RoutedLLM over real LlamaIndex OpenAI LLMs on the loopback server: chat engines and raw calls."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.chat_engine import SimpleChatEngine

from tests.unit.llamaindex_router.support import (
    assert_ledger_costs,
    assert_sent,
    assert_usage_matches,
    routed_openai,
)

pytestmark = pytest.mark.integration


def test_simple_chat_engine_chat(openai_server) -> None:
    llm = routed_openai(openai_server)
    engine = SimpleChatEngine.from_defaults(llm=llm, system_prompt="CALLER SYSTEM")
    reply = engine.chat("hello there")
    assert "gpt-4o-mini" in reply.response
    assert_sent(openai_server.last, "cheap", caller_system="CALLER SYSTEM")
    hard = engine.chat("now a hard question")
    assert "gpt-4o:" in hard.response
    assert_sent(openai_server.last, "strong", caller_system="CALLER SYSTEM")
    assert_ledger_costs(llm.router.ledger.records())


def test_simple_chat_engine_stream_records_real_usage(openai_server) -> None:
    llm = routed_openai(openai_server)
    engine = SimpleChatEngine.from_defaults(llm=llm)
    streamed = engine.stream_chat("a hard one please")
    text = "".join(streamed.response_gen)
    assert text.startswith("Reply from gpt-4o:")
    req = openai_server.last
    assert req.stream and req.body.get("stream_options") == {"include_usage": True}
    assert_sent(req, "strong")
    [rec] = llm.router.ledger.records()
    assert rec.streamed and rec.cost_usd and rec.cost_usd > 0
    assert_ledger_costs([rec])


async def test_async_chat_and_stream(openai_server) -> None:
    llm = routed_openai(openai_server)
    r = await llm.achat([ChatMessage(role="user", content="hi")])
    assert r.additional_kwargs["router"]["tier"] == "cheap"
    assert_usage_matches(llm.router.ledger.records(), r.raw.usage)
    chunks = [c async for c in await llm.astream_chat([ChatMessage(role="user", content="hard")])]
    last = chunks[-1]
    assert last.raw.usage is not None  # the usage chunk arrived
    assert last.additional_kwargs["router"]["tier"] == "strong"
    assert_usage_matches(llm.router.ledger.records(), last.raw.usage)
    assert_sent(openai_server.last, "strong")
    assert_ledger_costs(llm.router.ledger.records())


def test_complete_family_uses_the_chat_endpoint_with_tier_prompt(openai_server) -> None:
    llm = routed_openai(openai_server)
    out = llm.complete("hello")
    assert out.additional_kwargs["router"]["tier"] == "cheap"
    assert_sent(openai_server.last, "cheap")
    text = "".join(c.delta or "" for c in llm.stream_complete("hard"))
    assert text.startswith("Reply from gpt-4o:")
    assert_sent(openai_server.last, "strong")
    assert_ledger_costs(llm.router.ledger.records())


def test_token_counting_handler_counts_each_routed_call_once(openai_server) -> None:
    counter = TokenCountingHandler()
    llm = routed_openai(openai_server, callback_manager=CallbackManager([counter]))
    # even if the user gave the inner LLMs the same callback manager, nothing is counted twice
    for inner in llm.tiers.values():
        inner.callback_manager = llm.callback_manager
    engine = SimpleChatEngine.from_defaults(llm=llm)
    engine.chat("hello")
    "".join(engine.stream_chat("hard question").response_gen)
    llm.complete("hi")
    assert len(counter.llm_token_counts) == 3
    recs = llm.router.ledger.records()
    assert len(openai_server.chat_requests) == 3
    assert counter.prompt_llm_token_count == sum(r.input_tokens for r in recs)
    assert counter.completion_llm_token_count == sum(r.output_tokens for r in recs)
