"""A ``RoutedChatModel`` that is a capped ``RunnableRouter`` route's model counts the route's judge.

The ``RunnableRouter``'s own LLM judge is paid before the route runs. A route that is one plain
chat model, or a chain, counts it against ``per_request_cap_usd`` (test_route_judge_cap.py). A
route whose model is a ``RoutedChatModel`` reserves and caps its own calls, so the route was
neither held nor kept under the cap: its call was checked against its own config's cap (or
none) and never saw the judge already paid. With a cap 1.005 x the inner call's worst case and
a judge of $0.0000501, the request spent $0.0040751 under a $0.0040451 cap. Now such a route is kept
under what the cap leaves after the judge, as a routed chat model inside a chain is (its
``RouteShare``): the attempt that would pass it is refused before it is sent, recorded
``refused`` / ``cost_cap``. The routed chat model still holds its own reservation (the route
holds nothing more).

Real ``ChatOpenAI`` (the judge, the routed chat model's tier) against the loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel, RunnableRouter
from langchain_router.judge import chat_model_judge
from shared_core import Router, RouterConfig
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

OUT = 400
PROMPT = "What is 2+2? " * 3
WORST = (10 * 2.50 + OUT * 10.00) / 1e6  # gpt-4o: about 10 input tokens, OUT output tokens
JUDGE_REPLY = "STRONG " + "x " * 2000  # the judge picks strong and talks a lot: ~$0.00005
TIERS = [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": OUT},
         {"name": "strong", "model": "gpt-4o", "max_tokens": OUT}]


def _chat(server: FakeOpenAIServer, model: str, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient(), **kw)


def _router(server: FakeOpenAIServer, cap: float, inner_cap: float | None) -> RunnableRouter:
    """A judged ``RunnableRouter`` whose routes are each a ``RoutedChatModel`` of one tier
    (its own config capped at ``inner_cap``), all on one ledger."""
    ledger = InMemoryLedger()
    cfg = RouterConfig.build({"tiers": TIERS, "classifier": {"type": "judge", "options": {"clamp": None}},
                              "budget": {"per_request_cap_usd": cap}})
    router = Router(cfg, ledger=ledger, judge_complete=chat_model_judge(_chat(server, "gpt-4o-mini")))

    def routed(tier: dict[str, Any]) -> RoutedChatModel:
        inner = {"tiers": [{**tier, "name": "only"}]}
        if inner_cap is not None:
            inner["budget"] = {"per_request_cap_usd": inner_cap}
        return RoutedChatModel(tiers={"only": _chat(server, tier["model"], max_tokens=OUT)},
                               config=RouterConfig.build(inner), ledger=ledger)

    return RunnableRouter({t["name"]: routed(t) for t in TIERS}, router=router)


def _script(server: FakeOpenAIServer) -> None:
    server.script(model="gpt-4o-mini", reply=JUDGE_REPLY)
    server.script(None, "word " * 395)


def _invoke(rr: RunnableRouter, mode: str) -> Any:
    if mode == "stream":
        return list(rr.stream(PROMPT))

    async def astream() -> list[Any]:
        return [c async for c in rr.astream(PROMPT)]

    if mode == "astream":
        return asyncio.run(astream())
    return rr.invoke(PROMPT) if mode == "invoke" else asyncio.run(rr.ainvoke(PROMPT))


def _judge_cost(server: FakeOpenAIServer) -> float:
    """What the judge's call costs, measured through a router with room to spare."""
    _script(server)
    rr = _router(server, 1.0, None)
    rr.invoke(PROMPT)
    judge = [r for r in rr.router.ledger.records() if r.model == "gpt-4o-mini"]
    server.reset()
    assert len(judge) == 1 and (judge[0].cost_usd or 0) > 0
    return float(judge[0].cost_usd or 0)


@pytest.mark.parametrize("inner_cap", ["none", "same"])
@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_the_route_s_judge_counts_against_the_cap_of_a_routed_chat_model_route(
    openai_server: FakeOpenAIServer, mode: str, inner_cap: str
) -> None:
    judge = _judge_cost(openai_server)
    cap = 1.005 * WORST
    assert WORST <= cap < WORST + judge
    _script(openai_server)
    rr = _router(openai_server, cap, cap if inner_cap == "same" else None)
    with pytest.raises(RequestCostCapError, match="judge"):
        _invoke(rr, mode)
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini"]  # the judge only
    records = rr.router.ledger.records()
    spent = sum(r.cost_usd or 0.0 for r in records)
    assert spent == pytest.approx(judge)
    assert spent <= cap, f"one request spent ${spent:.7f} under a ${cap:.7f} cap"
    assert [(r.status, r.error_kind, r.model) for r in records if r.status != "ok"] == [
        ("refused", "cost_cap", "gpt-4o")]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_a_routed_chat_model_route_that_fits_with_the_judge_runs(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    judge = _judge_cost(openai_server)
    cap = WORST + 1.5 * judge
    _script(openai_server)
    rr = _router(openai_server, cap, None)
    _invoke(rr, mode)
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini", "gpt-4o"]
    records = rr.router.ledger.records()
    assert [r.status for r in records] == ["ok", "ok"]
    assert sum(r.cost_usd or 0.0 for r in records) <= cap
