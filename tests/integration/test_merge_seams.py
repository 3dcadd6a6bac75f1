"""The same money through every path: ``RoutedChatModel``, ``CostCallbackHandler`` on a plain
``ChatOpenAI`` (how ``RunnableRouter`` routes reach the ledger) and ``RunnableRouter`` itself.

A review of the day's merged changes found the paths apart: a cancelled call recorded at its
input only by the handler (the router: its worst case), a cancelled call that asked for
``n`` answers recorded for one, a reported 0/0 usage believed by the handler (the router
estimates it), a tool-call answer with no usage estimated at 0 output tokens by the handler,
``n`` left out of a chain route's per-call admission under the cap, and ``n`` counted twice
for a one-model route given ``n`` on the call as well as on its model.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RoutedChatModel, RunnableRouter
from shared_core import Router, RouterConfig
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PROMPT = "What is the capital of France?"
CONFIG = {
    "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100,
               "input_price": 1000.0, "output_price": 2000.0}],
    "classifier": {"type": "rules"},
    "fallback": {"on": [], "cooldown_s": 0},
}


def _lc(server: FakeOpenAIServer, max_tokens: int = 100, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0,
                      timeout=5, max_tokens=max_tokens, http_async_client=httpx.AsyncClient(), **kw)


async def _cancelled(coro: Any, after: float = 0.3) -> None:
    task = asyncio.ensure_future(coro)
    await asyncio.sleep(after)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("n", [None, 3])
def test_a_cancelled_call_is_recorded_at_its_worst_case_by_every_path(
    openai_server: FakeOpenAIServer, n: int | None
) -> None:
    kw = {"n": n} if n else {}
    want_out = 100 * (n or 1)
    openai_server.script(None, "x" * 40, delay=1.0)
    routed = RoutedChatModel(tiers={"cheap": _lc(openai_server)}, config=CONFIG)
    asyncio.run(_cancelled(routed.ainvoke(PROMPT, **kw)))
    [by_router] = routed.router.ledger.records()
    handler = CostCallbackHandler(router=Router(CONFIG))
    asyncio.run(_cancelled(_lc(openai_server).ainvoke(PROMPT, config={"callbacks": [handler]}, **kw)))
    [by_handler] = handler.ledger.records()
    for rec in (by_router, by_handler):
        assert (rec.status, rec.output_tokens) == ("abandoned", want_out), rec
        assert "upper bound" in (rec.error or "")
    assert by_handler.cost_usd == pytest.approx(by_router.cost_usd)


@pytest.mark.parametrize("usage", [
    {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}, None,
])
def test_the_handler_believes_usage_as_the_router_does(
    openai_server: FakeOpenAIServer, usage: dict[str, int] | None
) -> None:
    kw: dict[str, Any] = {"usage": usage} if usage else {"no_usage": True}
    openai_server.script(None, "The capital of France is Paris, a big old city.", **kw)
    routed = RoutedChatModel(tiers={"cheap": _lc(openai_server)}, config=CONFIG)
    routed.invoke(PROMPT)
    openai_server.script(None, "The capital of France is Paris, a big old city.", **kw)
    handler = CostCallbackHandler(router=Router(CONFIG))
    _lc(openai_server).invoke(PROMPT, config={"callbacks": [handler]})
    [by_router], [by_handler] = routed.router.ledger.records(), handler.ledger.records()
    assert by_router.output_tokens > 0 and by_router.input_tokens > 0
    assert (by_handler.input_tokens, by_handler.output_tokens) == (by_router.input_tokens, by_router.output_tokens)


def test_a_chain_route_call_asking_for_n_answers_is_admitted_for_all_of_them(
    openai_server: FakeOpenAIServer,
) -> None:
    """Under a cap that one 8-token answer fits and four do not."""
    openai_server.script(None, "fine")
    model = _lc(openai_server, max_tokens=8, n=4)
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | model | StrOutputParser()
    one = (12 * 1000.0 + 8 * 2000.0) / 1e6
    cfg = RouterConfig.build({**CONFIG, "budget": {"per_request_cap_usd": one * 2}})
    rr = RunnableRouter({"cheap": chain}, config=cfg, ledger=InMemoryLedger(), input_key="q")
    with pytest.raises(RequestCostCapError):
        rr.invoke({"q": PROMPT}, {"callbacks": [CostCallbackHandler(router=rr.router)]})
    assert openai_server.chat_requests == []


def test_a_call_n_replaces_the_route_models_n(openai_server: FakeOpenAIServer) -> None:
    """``ChatOpenAI(n=2)`` called with ``n=2``: two answers are held, not four."""
    openai_server.script(None, "fine")
    worst_two = (12 * 1000.0 + 2 * 100 * 2000.0) / 1e6
    cfg = RouterConfig.build({**CONFIG, "budget": {"per_request_cap_usd": worst_two * 1.2}})
    rr = RunnableRouter({"cheap": _lc(openai_server, n=2)}, config=cfg, ledger=InMemoryLedger())
    rr.invoke(PROMPT, {"callbacks": [CostCallbackHandler(router=rr.router)]}, n=2)
    assert openai_server.chat_requests[-1].body.get("n") == 2
