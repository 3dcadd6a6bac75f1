"""A ``RunnableRouter``'s own judge counts against ``per_request_cap_usd``.

The judge a ``judge`` classifier asks to decide the route is paid before the route runs. A
``RoutedChatModel`` counts it against the cap before its first attempt; a ``RunnableRouter``
did not: with the same config, judge and answer, and a cap 1.005 x the strong tier's worst
case, the routed chat model was refused after the judge ($0.0000501 spent) while the
``RunnableRouter`` answered and spent $0.0040751 under a $0.0040451 cap, both for a route that
is one model call (its worst case checked against the cap) and for a chain (its calls admitted
under the cap one by one). Now the judge's cost is counted before the route's first model call
in both: the route is refused (``RequestCostCapError``, nothing sent after the judge) when the
judge and its worst case together pass the cap, and runs when they fit.

Real ``ChatOpenAI`` (the judge, the routes) against the loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import RunnableRouter
from langchain_router.judge import chat_model_judge
from shared_core import BudgetExceededError, Router, RouterConfig
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

OUT = 400
PROMPT = "What is 2+2? " * 3
WORST = (10 * 2.50 + OUT * 10.00) / 1e6  # gpt-4o: about 10 input tokens, OUT output tokens
JUDGE_REPLY = "STRONG " + "x " * 2000  # the judge picks strong and talks a lot: ~$0.00005


def _chat(server: FakeOpenAIServer, model: str, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient(), **kw)


def _routed(server: FakeOpenAIServer, cap: float | None, shape: str, **budget: Any) -> RunnableRouter:
    if cap is not None:
        budget["per_request_cap_usd"] = cap
    tiers = [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": OUT},
             {"name": "strong", "model": "gpt-4o", "max_tokens": OUT}]
    cfg = RouterConfig.build({"tiers": tiers, "classifier": {"type": "judge", "options": {"clamp": None}},
                              "budget": budget})
    router = Router(cfg, ledger=InMemoryLedger(), judge_complete=chat_model_judge(_chat(server, "gpt-4o-mini")))
    models = {"cheap": _chat(server, "gpt-4o-mini", max_tokens=OUT), "strong": _chat(server, "gpt-4o", max_tokens=OUT)}
    if shape == "model":  # one model call: its worst case is checked against the cap
        return RunnableRouter(models, router=router)
    # a chain: held at the cap, its model calls admitted under it one by one (RouteSpend)
    return RunnableRouter({n: RunnableLambda(lambda x: x) | m for n, m in models.items()}, router=router)


def _invoke(rr: RunnableRouter, mode: str) -> Any:
    return rr.invoke(PROMPT) if mode == "invoke" else asyncio.run(rr.ainvoke(PROMPT))


def _script(server: FakeOpenAIServer) -> None:
    server.script(model="gpt-4o-mini", reply=JUDGE_REPLY)
    server.script(None, "word " * 395)


def _judge_cost(server: FakeOpenAIServer) -> float:
    """What the judge's call costs, measured through a router with room to spare."""
    _script(server)
    rr = _routed(server, 1.0, "model")
    rr.invoke(PROMPT)
    judge = [r for r in rr.router.ledger.records() if r.model == "gpt-4o-mini"]
    server.reset()
    assert len(judge) == 1 and (judge[0].cost_usd or 0) > 0
    return float(judge[0].cost_usd or 0)


@pytest.mark.parametrize("shape", ["model", "chain"])
@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_judge_and_the_route_together_must_fit_the_cap(
    openai_server: FakeOpenAIServer, shape: str, mode: str
) -> None:
    """The route's worst case fits the cap alone, not with what the judge already spent: the
    route's model is never asked, and the request's spend stays under the cap."""
    judge = _judge_cost(openai_server)
    cap = 1.005 * WORST
    assert WORST <= cap < WORST + judge
    _script(openai_server)
    rr = _routed(openai_server, cap, shape)
    with pytest.raises(RequestCostCapError, match="judge"):
        _invoke(rr, mode)
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini"]  # the judge only
    records = rr.router.ledger.records()
    spent = sum(r.cost_usd or 0.0 for r in records)
    assert spent == pytest.approx(judge)
    assert spent <= cap, f"one request spent ${spent:.7f} under a ${cap:.7f} cap"
    assert [(r.status, r.error_kind) for r in records if r.status != "ok"] == [("refused", "cost_cap")]
    _one_record_per_key(records)


@pytest.mark.parametrize("shape", ["model", "chain"])
def test_the_judge_and_a_route_that_fit_the_cap_together_both_run(
    openai_server: FakeOpenAIServer, shape: str
) -> None:
    judge = _judge_cost(openai_server)
    cap = WORST + 1.5 * judge
    _script(openai_server)
    rr = _routed(openai_server, cap, shape)
    _invoke(rr, "invoke")
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini", "gpt-4o"]
    records = rr.router.ledger.records()
    assert [r.status for r in records] == ["ok", "ok"]
    assert sum(r.cost_usd or 0.0 for r in records) <= cap


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_route_refused_after_its_judge_counts_the_judge_once(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """A hard limit that refuses the route's hold after the judge was paid: the judge's own
    record carries its cost, the refusal carries none (it carried the judge's cost again)."""
    judge = _judge_cost(openai_server)
    _script(openai_server)
    # under the limit when checked (nothing spent), over it once the route's worst case is held
    rr = _routed(openai_server, None, "model",
                 limits=[{"scope": "global", "period": "day", "limit_usd": WORST / 2}])
    with pytest.raises(BudgetExceededError):
        _invoke(rr, mode)
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini"]
    records = rr.router.ledger.records()
    assert sorted((r.status, r.error_kind) for r in records) == [("ok", None), ("refused", "budget")]
    assert sum(r.cost_usd or 0.0 for r in records) == pytest.approx(judge)
    _one_record_per_key(records)


def _one_record_per_key(records: list[Any]) -> None:
    """The judge's record and the refusal are two records of one call: PostgreSQL keeps one
    row per (call_id, attempt) (``ON CONFLICT DO NOTHING``), so sharing a key the refusal was
    dropped there (the judge's record alone was stored)."""
    keys = [(r.call_id, r.attempt) for r in records]
    assert len(set(keys)) == len(keys), keys
