"""``RunnableRouter`` takes a call's keyword arguments as a chat model does.

``ChatOpenAI.invoke(..., max_tokens=5, stop=[...])`` works; ``RunnableRouter.invoke`` with the
same keywords raised ``TypeError: RunnableRouter._route() got an unexpected keyword argument
'max_tokens'`` (invoke, stream, batch; fault probe). The keywords now reach the chosen route,
and a route the router holds for (one chat model) is held for the budget the call asks for
(and for every answer of ``n``), not the route's own: a call that asks for more than a hard
limit allows is refused before it is sent.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter
from shared_core import BudgetExceededError, InputError, RouterConfig
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PROMPT = "hard question"


def _router(server: FakeOpenAIServer, limit: float | None = None) -> tuple[RunnableRouter, dict[str, Any]]:
    cfg: dict[str, Any] = {
        "tiers": [{"name": "only", "model": "gpt-4o-mini", "max_tokens": 8,
                   "input_price": 1000.0, "output_price": 1000.0}],
    }
    if limit is not None:
        cfg["budget"] = {"limits": [{"scope": "global", "period": "day", "limit_usd": limit}]}
    route = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test",
                       max_retries=0, http_async_client=httpx.AsyncClient())
    rr = RunnableRouter({"only": route}, config=RouterConfig.build(cfg), ledger=InMemoryLedger())
    return rr, {"callbacks": [CostCallbackHandler(router=rr.router)]}


def _sent_budget(server: FakeOpenAIServer) -> Any:
    req = server.chat_requests[-1]
    return req.max_completion_tokens or req.max_tokens


@pytest.mark.parametrize("how", ["invoke", "ainvoke", "stream", "astream", "batch", "abatch"])
def test_call_keywords_reach_the_route(openai_server: FakeOpenAIServer, how: str) -> None:
    openai_server.script(None, "fine")
    rr, config = _router(openai_server)
    kw = {"max_tokens": 5, "stop": ["STOP"]}
    if how == "invoke":
        rr.invoke(PROMPT, config, **kw)
    elif how == "ainvoke":
        asyncio.run(rr.ainvoke(PROMPT, config, **kw))
    elif how == "stream":
        list(rr.stream(PROMPT, config, **kw))
    elif how == "astream":
        async def run() -> None:
            async for _ in rr.astream(PROMPT, config, **kw):
                pass
        asyncio.run(run())
    elif how == "batch":
        rr.batch([PROMPT], config, **kw)
    else:
        asyncio.run(rr.abatch([PROMPT], config, **kw))
    assert _sent_budget(openai_server) == 5
    assert openai_server.chat_requests[-1].body.get("stop") == ["STOP"]
    assert [r.status for r in rr.router.ledger.records()] == ["ok"]


def test_a_call_budget_over_the_limit_is_refused_before_it_is_sent(
    openai_server: FakeOpenAIServer,
) -> None:
    """The route's own budget (8 tokens) fits a limit; the call's 4,000 does not."""
    openai_server.script(None, "fine")
    rr, config = _router(openai_server, limit=0.05)  # 8 out + ~4 in at $1000/M: $0.012
    rr.invoke(PROMPT, config)
    before = len(openai_server.chat_requests)
    for kw in ({"max_tokens": 4000}, {"max_completion_tokens": 4000}, {"n": 8}):
        with pytest.raises(BudgetExceededError):
            rr.invoke(PROMPT, config, **kw)
    assert len(openai_server.chat_requests) == before
    assert rr.router.ledger.spend("global", 0.0) <= 0.05


def test_an_unreadable_call_budget_is_an_input_error(openai_server: FakeOpenAIServer) -> None:
    rr, config = _router(openai_server, limit=1.0)
    with pytest.raises(InputError):
        rr.invoke(PROMPT, config, max_tokens=-1)
    assert openai_server.chat_requests == []


def test_a_route_model_set_to_write_several_answers_is_held_for_each(
    openai_server: FakeOpenAIServer,
) -> None:
    """``ChatOpenAI(n=8)`` as the route: eight answers are billed, eight are held."""
    openai_server.script(None, "fine")
    route = ChatOpenAI(model="gpt-4o-mini", base_url=openai_server.base_url, api_key="sk-test",
                       max_retries=0, n=8)
    cfg = {
        "tiers": [{"name": "only", "model": "gpt-4o-mini", "max_tokens": 8,
                   "input_price": 1000.0, "output_price": 1000.0}],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 0.05}]},
    }
    rr = RunnableRouter({"only": route}, config=RouterConfig.build(cfg), ledger=InMemoryLedger())
    with pytest.raises(BudgetExceededError):
        rr.invoke(PROMPT, {"callbacks": [CostCallbackHandler(router=rr.router)]})
    assert openai_server.chat_requests == []


def test_keywords_given_to_a_chain_route_warn_that_its_model_does_not_see_them(
    openai_server: FakeOpenAIServer,
) -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    openai_server.script(None, "fine")
    model = ChatOpenAI(model="gpt-4o-mini", base_url=openai_server.base_url, api_key="sk-test",
                       max_retries=0)
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | model | StrOutputParser()
    cfg = {"tiers": [{"name": "only", "model": "gpt-4o-mini", "max_tokens": 8}]}
    rr = RunnableRouter({"only": chain}, config=RouterConfig.build(cfg), ledger=InMemoryLedger(),
                        input_key="q")
    with pytest.warns(UserWarning, match="reach only its first step"):
        rr.invoke({"q": PROMPT}, max_tokens=5)
    import warnings as w

    with w.catch_warnings():
        w.simplefilter("error")
        rr.invoke({"q": PROMPT}, max_tokens=5)  # once per route
