"""A capped ``RunnableRouter`` whose route is a ``RoutedChatModel`` over tiers with no
``max_tokens`` fails when it is built, not on every call.

Such a route is kept under the ``RunnableRouter``'s ``per_request_cap_usd`` (its calls get
the ``RouteShare`` of what the cap leaves after the router's judge). An attempt on an inner
tier with no ``max_tokens`` (and no output budget from the model or the call) has no known
worst case, so every call routed there was refused at run time: nothing sent,
``RequestCostCapError ... tier 'only' has no max_tokens ...`` and a ``refused`` / ``cost_cap``
record, with no word at build. Now it is a ``ConfigError`` when the ``RunnableRouter`` is
built, naming the route and the inner tier, unless the ``RoutedChatModel`` (or a binding of
it) has a ``max_tokens`` of its own, which bounds every one of its calls.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel, RunnableRouter
from shared_core import ConfigError, Router, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

CAP = 0.05
URL = "http://127.0.0.1:9/v1"  # never called by the build checks


def _chat(model: str = "gpt-4o", base_url: str = URL, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient(), **kw)


def _outer(cap: float | None = CAP) -> RouterConfig:
    budget = {} if cap is None else {"per_request_cap_usd": cap}
    return RouterConfig.build({"tiers": [{"name": "only", "model": "gpt-4o", "max_tokens": 64}],
                               "budget": budget})


def _inner(tier_max: int | None = None, base_url: str = URL, **kw: Any) -> RoutedChatModel:
    """A ``RoutedChatModel`` of one tier (``max_tokens`` ``tier_max``), no cap of its own."""
    tier: dict[str, Any] = {"name": "only", "model": "gpt-4o"}
    if tier_max is not None:
        tier["max_tokens"] = tier_max
    return RoutedChatModel(tiers={"only": _chat(base_url=base_url)},
                           config=RouterConfig.build({"tiers": [tier]}), ledger=InMemoryLedger(), **kw)


def test_a_routed_chat_model_route_over_a_tier_with_no_max_tokens_fails_when_built() -> None:
    with pytest.raises(ConfigError) as err:
        RunnableRouter({"only": _inner()}, config=_outer(), ledger=InMemoryLedger())
    text = str(err.value)
    assert "route 'only'" in text and "RoutedChatModel" in text
    assert "tier 'only' (gpt-4o) has no max_tokens" in text
    assert "$0.050000" in text and "refused" in text
    assert "RoutedChatModel(max_tokens=...)" in text  # the fix is named
    assert err.value.field == "routes.only"


def test_a_routed_chat_model_inside_a_chain_route_is_named_too() -> None:
    route = ChatPromptTemplate.from_messages([("user", "{input}")]) | _inner()
    with pytest.raises(ConfigError, match=r"route 'only' calls a RoutedChatModel.*tier 'only'"):
        RunnableRouter({"only": route}, config=_outer(), ledger=InMemoryLedger())


def test_each_variant_s_unbounded_tier_is_named() -> None:
    ledger = InMemoryLedger()
    control = Router(RouterConfig.build({"tiers": [{"name": "only", "model": "gpt-4o", "max_tokens": 64}]}),
                     ledger=ledger)
    candidate = Router(RouterConfig.build({"tiers": [{"name": "only", "model": "gpt-4o"}]}), ledger=ledger)
    inner = RoutedChatModel(tiers={"only": _chat()}, router=VariantRouter(control, candidate, share=0.5))
    named = r"route 'only'.*tier 'only' \(gpt-4o\) \(the 'candidate' variant's\) has no max_tokens"
    with pytest.raises(ConfigError, match=named):
        RunnableRouter({"only": inner}, config=_outer(), ledger=ledger)


def test_a_routed_chat_model_route_over_a_tier_with_no_known_price_fails_when_built() -> None:
    """Its worst case is unknown whatever the output budget: refused at run time too."""
    inner = RoutedChatModel(
        tiers={"only": _chat("my-local-model")}, ledger=InMemoryLedger(), max_tokens=64,
        config=RouterConfig.build({"tiers": [{"name": "only", "model": "my-local-model"}]}),
    )
    with pytest.raises(ConfigError, match=r"tier 'only' \(my-local-model\) has no known price.*input_price"):
        RunnableRouter({"only": inner}, config=_outer(), ledger=InMemoryLedger())


@pytest.mark.parametrize("how", ["tier", "own", "bind"])
def test_a_routed_chat_model_route_with_an_output_budget_builds(how: str) -> None:
    inner: Any = {
        "tier": lambda: _inner(tier_max=64),
        "own": lambda: _inner(max_tokens=64),
        "bind": lambda: _inner().bind(max_tokens=64),
    }[how]()
    RunnableRouter({"only": inner}, config=_outer(), ledger=InMemoryLedger())


def test_with_no_cap_a_routed_chat_model_route_builds() -> None:
    RunnableRouter({"only": _inner()}, config=_outer(cap=None), ledger=InMemoryLedger())


@pytest.mark.parametrize("how", ["own", "bind"])
def test_a_routed_chat_model_route_bounded_by_its_own_max_tokens_is_sent(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    """The fix the message names works: the call is sent and answered under the cap."""
    openai_server.script(None, "four")
    inner: Any = (_inner(base_url=openai_server.base_url, max_tokens=64) if how == "own"
                  else _inner(base_url=openai_server.base_url).bind(max_tokens=64))
    rr = RunnableRouter({"only": inner}, config=_outer(), ledger=InMemoryLedger())
    assert rr.invoke("What is 2+2?").text == "four"
    assert len(openai_server.chat_requests) == 1
