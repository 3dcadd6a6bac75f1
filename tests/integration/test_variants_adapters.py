"""A/B and shadow through the adapters: ``router=VariantRouter(...)`` on real OpenAI clients.

A team adopting the router measures a candidate on live LangChain / LlamaIndex traffic, so
the variant router must be accepted wherever a ``Router`` is, and every record, answer and
shadow decision must say which variant it belongs to.
"""

from __future__ import annotations

import httpx
import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM, route_context
from shared_core import Router
from shared_core.errors import ConfigError
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]


def _pair(ledger: InMemoryLedger, **kw: object) -> VariantRouter:
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    candidate = Router({"tiers": TIERS}, classifier=FakeClassifier(default="strong"), ledger=ledger)
    return VariantRouter(control, candidate, **kw)  # type: ignore[arg-type]


def _llamaindex(server: FakeOpenAIServer, router: VariantRouter) -> RoutedLLM:
    base = server.base_url
    return RoutedLLM(
        tiers={
            "cheap": OpenAI(model="gpt-4o-mini", api_base=base, api_key="sk-test", max_retries=0),
            "strong": OpenAI(model="gpt-4o", api_base=base, api_key="sk-test", max_retries=0),
        },
        router=router,
    )


def _langchain(server: FakeOpenAIServer, router: VariantRouter) -> RoutedChatModel:
    def inner(model: str) -> ChatOpenAI:
        # an async client of this test's own: langchain-openai's default one is shared by every
        # ChatOpenAI of the process and keeps connections of earlier tests' event loops
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                          http_async_client=httpx.AsyncClient())

    return RoutedChatModel(tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, router=router)


async def test_llamaindex_ab_candidate_answers_and_every_record_says_so(openai_server) -> None:
    ledger = InMemoryLedger()
    llm = _llamaindex(openai_server, _pair(ledger, share=1.0))
    reply = llm.chat([ChatMessage(role="user", content="hi")])
    assert reply.additional_kwargs["router"]["variant"] == "candidate"
    assert reply.additional_kwargs["router"]["tier"] == "strong"
    areply = await llm.acomplete("hello")
    assert areply.additional_kwargs["router"]["variant"] == "candidate"
    *_, last = llm.stream_complete("hello again")
    assert last.additional_kwargs["router"]["variant"] == "candidate"
    assert openai_server.models == ["gpt-4o", "gpt-4o", "gpt-4o"]
    assert [(r.variant, r.tier, r.framework) for r in ledger.records()] == [
        ("candidate", "strong", "llamaindex")
    ] * 3


def test_llamaindex_ab_split_follows_the_user(openai_server) -> None:
    ledger = InMemoryLedger()
    ab = _pair(ledger, share=0.5)
    llm = _llamaindex(openai_server, ab)
    seen: dict[str, set[str]] = {}
    for i in range(40):
        user = f"user-{i % 8}"
        with route_context(user=user):
            meta = llm.complete("hi").additional_kwargs["router"]
        seen.setdefault(user, set()).add(meta["variant"])
    assert all(len(v) == 1 for v in seen.values())  # one user stays on one variant
    assert {v for vs in seen.values() for v in vs} == {"control", "candidate"}
    for r in ledger.records():
        assert r.tier == ("strong" if r.variant == "candidate" else "cheap")


def test_langchain_ab_candidate_answers_and_every_record_says_so(openai_server) -> None:
    ledger = InMemoryLedger()
    chat = _langchain(openai_server, _pair(ledger, share=1.0))
    msg = chat.invoke("hi")
    assert msg.response_metadata["router"]["variant"] == "candidate"
    chunks = list(chat.stream("hello"))
    assert sum(chunks[1:], chunks[0]).response_metadata["router"]["variant"] == "candidate"
    assert openai_server.models == ["gpt-4o", "gpt-4o"]
    assert [(r.variant, r.tier, r.framework) for r in ledger.records()] == [
        ("candidate", "strong", "langchain")
    ] * 2


async def test_shadow_through_both_adapters_calls_only_the_control(openai_server) -> None:
    ledger = InMemoryLedger()
    shadow = _pair(ledger, mode="shadow")
    llm = _llamaindex(openai_server, shadow)
    chat = _langchain(openai_server, shadow)
    llm.complete("hi")
    await chat.ainvoke("hi")
    assert openai_server.models == ["gpt-4o-mini", "gpt-4o-mini"], [(r.tier, r.status, r.error) for r in ledger.records()]
    recs = ledger.records()
    assert [(r.variant, r.tier) for r in recs] == [("control", "cheap")] * 2
    for r in recs:
        assert r.metadata["shadow"]["variant"] == "candidate"
        assert r.metadata["shadow"]["tier"] == "strong"
        assert r.metadata["shadow"]["model"] == "gpt-4o"


def test_a_candidate_on_other_tiers_is_refused_when_the_adapter_is_built(openai_server) -> None:
    ledger = InMemoryLedger()
    control = Router({"tiers": TIERS}, ledger=ledger)
    candidate = Router(
        {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "top", "model": "gpt-4o"}]},
        ledger=ledger,
    )
    ab = VariantRouter(control, candidate)
    with pytest.raises(ConfigError, match="candidate"):
        _llamaindex(openai_server, ab)
    with pytest.raises(ConfigError, match="candidate"):
        _langchain(openai_server, ab)
