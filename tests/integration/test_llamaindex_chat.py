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


def test_a_tier_llm_s_own_system_prompt_is_not_dropped_silently(openai_server) -> None:
    """``OpenAI(system_prompt=...)`` as a tier: LlamaIndex applies an LLM's ``system_prompt`` in
    that LLM's own ``predict`` & co., and the router calls the tier's ``chat``: one warning at
    construction names the tiers and the two places where a system prompt does apply."""
    import warnings

    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM
    from tests.unit.llamaindex_router.support import classifier, make_config, openai_tiers

    tiers = openai_tiers(openai_server)
    tiers["strong"] = OpenAI(
        model="gpt-4o", api_base=openai_server.base_url, api_key="sk-test", max_retries=0,
        system_prompt="Always answer in French.",
    )
    with pytest.warns(UserWarning, match=r"'strong'.*system_prompt") as caught:
        RoutedLLM(tiers, make_config(), classifier=classifier())
    mine = [w for w in caught if "system_prompt" in str(w.message)]
    assert len(mine) == 1 and "RoutedLLM(system_prompt=" in str(mine[0].message)
    assert mine[0].filename == __file__  # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning without a tier system_prompt
        RoutedLLM(openai_tiers(openai_server), make_config(), classifier=classifier())


def _two_tier_file(tmp_path):
    """A two-tier config file on the fake server's models (for the from_config tests)."""
    path = tmp_path / "router.yaml"
    path.write_text(
        "tiers:\n"
        "  - {name: cheap, model: 'openai:gpt-4o-mini', input_price: 1, output_price: 2}\n"
        "  - {name: strong, model: 'openai:gpt-4o', input_price: 10, output_price: 20}\n"
        "classifier: {type: rules}\n"
    )
    return path


def test_from_config_s_system_prompt_is_the_routed_llm_s(tmp_path, openai_server) -> None:
    """``from_config(path, system_prompt=...)`` sets RoutedLLM's own ``system_prompt`` (applied by
    ``predict`` & co., as for any LlamaIndex LLM), not the inner LLMs' where it was bypassed."""
    import warnings

    from llama_index.core.prompts import PromptTemplate

    from llamaindex_router import RoutedLLM
    from tests.unit.llamaindex_router.support import classifier

    path = _two_tier_file(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm = RoutedLLM.from_config(
            path, api_base=openai_server.base_url, api_key="sk-test", max_retries=0,
            system_prompt="Always answer in French.", classifier=classifier(),
        )
    assert llm.system_prompt == "Always answer in French."
    assert all(inner.system_prompt is None for inner in llm.tiers.values())
    llm.predict(PromptTemplate("hello {x}"), x="there")
    assert openai_server.last.messages[0] == {"role": "system", "content": "Always answer in French."}


def test_from_config_s_callback_manager_is_the_routed_llm_s(tmp_path, openai_server) -> None:
    """The router calls the inner LLMs without LlamaIndex's callback wrappers (RoutedLLM reports
    each call once), so a ``callback_manager`` given to ``from_config`` went to the inner LLMs and
    its handlers never saw a call; it is RoutedLLM's own now."""
    from llamaindex_router import RoutedLLM
    from tests.unit.llamaindex_router.support import classifier

    path = _two_tier_file(tmp_path)
    counter = TokenCountingHandler()
    llm = RoutedLLM.from_config(
        path, api_base=openai_server.base_url, api_key="sk-test", max_retries=0,
        callback_manager=CallbackManager([counter]), classifier=classifier(),
    )
    llm.chat([ChatMessage(role="user", content="hello")])
    assert counter in llm.callback_manager.handlers
    assert len(counter.llm_token_counts) == 1
