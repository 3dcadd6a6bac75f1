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


def _cached_langchain(server: FakeOpenAIServer, router: VariantRouter) -> RoutedChatModel:
    from langchain_core.caches import InMemoryCache

    def inner(model: str) -> ChatOpenAI:  # an async client of this test's own (see _langchain)
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                          http_async_client=httpx.AsyncClient())

    return RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, router=router,
        cache=InMemoryCache(),
    )


def _users_by_variant(chat: RoutedChatModel) -> dict[str, str]:
    """One user per variant, learnt from real (uncached) calls."""
    found: dict[str, str] = {}
    for i in range(40):
        user = f"user-{i}"
        meta = chat.invoke(f"warm-up {i}", config={"metadata": {"user_id": user}})
        found.setdefault(meta.response_metadata["router"]["variant"], user)
        if len(found) == 2:
            return found
    raise AssertionError(f"40 users all fell in {found}")


def test_a_langchain_cache_hit_is_recorded_in_the_variant_of_its_own_request(openai_server):
    """Issue 12: every record carries its variant, a cache hit's too. The hit of a candidate
    user, on an answer cached by a control user's call, counts for the candidate (the variant
    that would have decided it), in the record, the answer's metadata and ``stats --by variant``."""
    from shared_core.variant_stats import compare_variants

    ledger = InMemoryLedger()
    chat = _cached_langchain(openai_server, _pair(ledger, share=0.5))
    users = _users_by_variant(chat)
    first = chat.invoke("Capital of France?", config={"metadata": {"user_id": users["control"]}})
    assert first.response_metadata["router"]["variant"] == "control"
    calls_before = len(openai_server.models)
    hit = chat.invoke("Capital of France?", config={"metadata": {"user_id": users["candidate"]}})
    meta = hit.response_metadata["router"]
    assert len(openai_server.models) == calls_before  # served from LangChain's cache
    assert (meta["cache_hit"], meta["variant"], meta["cost_usd"]) == (True, "candidate", 0.0)
    rec = ledger.records()[-1]
    assert (rec.call_id, rec.variant, rec.cost_usd, rec.classifier) == (
        meta["call_id"], "candidate", 0.0, "cache",
    )
    assert rec.user == users["candidate"]
    before = {v: e["cost_per_call"].n for v, e in compare_variants(ledger.records()[:-1], []).variants.items()}
    after = {v: e["cost_per_call"].n for v, e in compare_variants(ledger.records(), []).variants.items()}
    assert after == {"control": before["control"], "candidate": before["candidate"] + 1}


async def test_a_cache_hit_in_shadow_mode_is_the_control_s(openai_server):
    ledger = InMemoryLedger()
    chat = _cached_langchain(openai_server, _pair(ledger, mode="shadow"))
    await chat.ainvoke("Capital of France?")
    hit = (await chat.ainvoke("Capital of France?")).response_metadata["router"]
    assert (hit["cache_hit"], hit["variant"]) == (True, "control")
    assert [(r.variant, r.cost_usd == 0.0) for r in ledger.records()] == [
        ("control", False), ("control", True),
    ]
    assert openai_server.models == ["gpt-4o-mini"]


def test_after_an_ab_test_a_plain_router_does_not_serve_the_variants_cached_answers(openai_server):
    """An answer cached while an A/B test ran may be the candidate's (its config, its system
    prompts): the cache key carries the configs, so the plain router after the test asks the
    provider again, and its records carry no variant."""
    ledger = InMemoryLedger()
    ab = _cached_langchain(openai_server, _pair(ledger, share=1.0))
    ab.invoke("Capital of France?")
    plain = RoutedChatModel(tiers=ab.tiers, router=ab.router.control, cache=ab.cache)
    meta = plain.invoke("Capital of France?").response_metadata["router"]
    assert not meta.get("cache_hit") and "variant" not in meta
    assert ledger.records()[-1].variant is None
    again = plain.invoke("Capital of France?").response_metadata["router"]
    assert again["cache_hit"] is True and "variant" not in again
