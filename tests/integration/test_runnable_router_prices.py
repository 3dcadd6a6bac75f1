"""``CostCallbackHandler(router=...)`` prices a record with the config's tier prices.

``RunnableRouter`` reserved a route's worst case at its tier's ``input_price`` /
``output_price`` but the handler priced each record from the bundled price list: a model
priced only in the config (``acme-chat``, 10 $/M, limit $0.001) was recorded at cost ``None``
and all 20 of 20 calls were answered (3.4x the limit); ``gpt-4o-mini`` re-priced at 10 $/M
was recorded at the list price ($0.0000098 a call instead of $0.00017) and 20 of 20 answered.
``RoutedChatModel`` on the same config answered 5 (its records use the tier's prices). The
handler now prices a record by the route's tier (``RunnableRouter`` puts it in the run's
metadata) when the call is that tier's model, else by the config's tier of that model.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RoutedChatModel, RunnableRouter
from shared_core import BudgetExceededError
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PRICE = 10.0  # $/M tokens, input and output, set in the config only
LIMIT = 0.001
OUT = 16
PER_CALL = (1 + OUT) * PRICE / 1e6  # "hi": 1 prompt token, 16 answer tokens: $0.00017
ANSWERED = 5  # 5 x $0.00017 = $0.00085; a sixth call's hold passes $0.001


def _config(model: str) -> dict[str, Any]:
    return {
        "tiers": [{"name": "only", "model": model, "max_tokens": OUT,
                   "input_price": PRICE, "output_price": PRICE}],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": LIMIT}]},
    }


def _model(server: FakeOpenAIServer, model: str) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient())


def _run(call: Any, n: int = 20) -> int:
    answered = 0
    for _ in range(n):
        try:
            call()
            answered += 1
        except BudgetExceededError:
            pass
    return answered


async def _arun(call: Any, n: int = 20) -> int:
    answered = 0
    for _ in range(n):
        try:
            await call()
            answered += 1
        except BudgetExceededError:
            pass
    return answered


@pytest.mark.parametrize("model", ["acme-chat", "gpt-4o-mini"])  # unlisted; listed, re-priced
@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_records_are_priced_at_the_tiers_config_price(
    openai_server: FakeOpenAIServer, model: str, mode: str
) -> None:
    openai_server.script(None, "word " * 100)
    rr = RunnableRouter({"only": _model(openai_server, model)}, config=_config(model),
                        ledger=InMemoryLedger())
    handler = CostCallbackHandler(router=rr.router)
    config: Any = {"callbacks": [handler]}
    if mode == "invoke":
        answered = _run(lambda: rr.invoke("hi", config=config))
    else:
        answered = asyncio.run(_arun(lambda: rr.ainvoke("hi", config=config)))
    records = rr.router.ledger.records()
    ok = [r for r in records if r.status == "ok"]
    assert (answered, len(ok), len(openai_server.chat_requests)) == (ANSWERED,) * 3
    for rec in ok:
        assert (rec.input_tokens, rec.output_tokens) == (1, OUT)
        assert rec.cost_usd == pytest.approx((rec.input_tokens + rec.output_tokens) * PRICE / 1e6)
    assert [r.status for r in records].count("refused") == 20 - ANSWERED
    assert rr.router.ledger.spend("global", 0.0) == pytest.approx(ANSWERED * PER_CALL)
    assert handler.total_cost_usd == pytest.approx(ANSWERED * PER_CALL)


def test_routed_chat_model_on_the_same_config_answers_as_many(openai_server: FakeOpenAIServer) -> None:
    """The reference: ``RoutedChatModel`` prices its records at the tier's prices."""
    openai_server.script(None, "word " * 100)
    rc = RoutedChatModel(tiers={"only": _model(openai_server, "acme-chat")},
                         config=_config("acme-chat"), ledger=InMemoryLedger())
    assert _run(lambda: rc.invoke("hi")) == ANSWERED
    costs = [r.cost_usd for r in rc.router.ledger.records() if r.status == "ok"]
    assert costs == [pytest.approx(PER_CALL)] * ANSWERED


def test_a_model_called_outside_a_route_is_priced_by_its_config_tier(
    openai_server: FakeOpenAIServer,
) -> None:
    """A handler given ``router=`` on a plain model of one of the router's tiers: no route
    tier in the run's metadata, so the config's tier of that model prices it."""
    openai_server.script(None, "word " * 100)
    rr = RunnableRouter({"only": _model(openai_server, "acme-chat")}, config=_config("acme-chat"),
                        ledger=InMemoryLedger())
    handler = CostCallbackHandler(router=rr.router)
    _model(openai_server, "acme-chat").bind(max_tokens=OUT).invoke("hi", config={"callbacks": [handler]})
    [rec] = rr.router.ledger.records()
    assert rec.cost_usd == pytest.approx(PER_CALL)
