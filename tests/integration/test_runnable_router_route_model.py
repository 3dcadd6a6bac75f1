"""A ``RunnableRouter`` route whose chat model is not its tier's model is held at the price its
records are written at.

The reservation priced a bounded route at its tier (``model``, ``input_price`` /
``output_price``) while ``CostCallbackHandler(router=...)`` prices the record by the model the
route called: the tier's prices only when it is the tier's model, else the config tier of that
model, else the price list's. A tier of ``gpt-4o-mini`` whose route calls ``gpt-4o`` held
$0.0000092 a call and recorded $0.000090 (about 10x), so a limit of two and a half calls' worth
answered three calls sequentially and more under ``abatch``. The hold now prices the route's own
model the way the handler will.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter
from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

OUT = 8
PROMPT = "hard question"  # 13 characters: the server counts 4 prompt tokens
RECORDED = (4 * 2.50 + OUT * 10.00) / 1e6  # what one gpt-4o call is recorded at (list price)
LIMIT = 2.5 * RECORDED  # two calls fit, a third does not


def _config(**tier: Any) -> RouterConfig:
    return RouterConfig.build({
        "tiers": [{"name": "only", "model": "gpt-4o-mini", "max_tokens": OUT, **tier}],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": LIMIT}]},
    })


def _router(server: FakeOpenAIServer, **tier: Any) -> tuple[RunnableRouter, CostCallbackHandler]:
    route = ChatOpenAI(model="gpt-4o", base_url=server.base_url, api_key="sk-test", max_retries=0,
                       http_async_client=httpx.AsyncClient())
    rr = RunnableRouter({"only": route}, config=_config(**tier), ledger=InMemoryLedger())
    return rr, CostCallbackHandler(router=rr.router)


def _ok(rr: RunnableRouter) -> list[Any]:
    return [r for r in rr.router.ledger.records() if r.status == "ok"]


@pytest.mark.parametrize("tier", [{}, {"input_price": 0.15, "output_price": 0.60}])
def test_sequential_calls_are_held_at_the_price_they_are_recorded_at(
    openai_server: FakeOpenAIServer, tier: dict[str, Any]
) -> None:
    openai_server.script(None, "word " * 100)
    rr, handler = _router(openai_server, **tier)
    refused = 0
    for _ in range(5):
        try:
            rr.invoke(PROMPT, config={"callbacks": [handler]})
        except BudgetExceededError:
            refused += 1
    ok = _ok(rr)
    assert [r.cost_usd for r in ok] == [pytest.approx(RECORDED)] * len(ok)  # the list price
    spend = rr.router.ledger.spend("global", 0.0)
    assert spend <= LIMIT, f"spent ${spend:.7f} against a ${LIMIT:.7f} limit"
    assert (len(ok), refused) == (2, 3)


def test_abatch_is_held_at_the_price_it_is_recorded_at(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, "word " * 100, delay=0.3)
    rr, handler = _router(openai_server)
    outs = asyncio.run(rr.abatch(
        [PROMPT] * 8, config={"callbacks": [handler], "max_concurrency": 4}, return_exceptions=True,
    ))
    spend = rr.router.ledger.spend("global", 0.0)
    assert spend <= LIMIT, f"spent ${spend:.7f} against a ${LIMIT:.7f} limit"
    assert len(_ok(rr)) == len(openai_server.chat_requests) == 2
    assert sum(isinstance(o, BudgetExceededError) for o in outs) == 6


def test_a_route_of_another_config_tiers_model_is_held_at_that_tiers_prices(
    openai_server: FakeOpenAIServer,
) -> None:
    """The cheap tier's route calls the strong tier's model: recorded at the strong tier's
    config prices (the handler's rule), so held at them."""
    openai_server.script(None, "word " * 100)
    price = 100.0  # $/M, only in the config
    per_call = (4 + OUT) * price / 1e6
    cfg = RouterConfig.build({
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": OUT},
            {"name": "strong", "model": "gpt-4o", "max_tokens": OUT,
             "input_price": price, "output_price": price},
        ],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 2.5 * per_call}]},
    })
    model = ChatOpenAI(model="gpt-4o", base_url=openai_server.base_url, api_key="sk-test", max_retries=0)
    rr = RunnableRouter({"cheap": model, "strong": model}, config=cfg, ledger=InMemoryLedger(),
                        classifier=_always("cheap"))
    handler = CostCallbackHandler(router=rr.router)
    for _ in range(4):
        try:
            rr.invoke(PROMPT, config={"callbacks": [handler]})
        except BudgetExceededError:
            pass
    ok = _ok(rr)
    assert {r.tier for r in ok} == {"cheap"}
    assert [r.cost_usd for r in ok] == [pytest.approx(per_call)] * len(ok)
    assert rr.router.ledger.spend("global", 0.0) <= 2.5 * per_call
    assert len(ok) == 2


def _always(tier: str) -> Any:
    from shared_core.testing import FakeClassifier

    return FakeClassifier(default=tier, labels=["cheap", "strong"])


def test_a_route_of_an_unpriced_model_is_named_with_that_model(openai_server: FakeOpenAIServer) -> None:
    """The tier's model is priced, the route's is not: its records would be priced at
    nothing, so it cannot be held, and the warning names the route's model."""
    from langchain_router import UnboundedRouteWarning

    route = ChatOpenAI(model="acme-chat", base_url=openai_server.base_url, api_key="sk-test")
    with pytest.warns(UnboundedRouteWarning) as warned:
        rr = RunnableRouter({"only": route}, config=_config(), ledger=InMemoryLedger())
    text = str(warned[0].message)
    assert "'acme-chat', which has no known price" in text and "price 'acme-chat'" in text
    assert rr._runs["only"].bound is None
