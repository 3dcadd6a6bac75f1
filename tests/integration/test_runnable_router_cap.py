"""``per_request_cap_usd`` bounds every request through ``RunnableRouter``, chains included.

The cap was applied by ``RoutedChatModel`` only: a ``RunnableRouter`` route spent what it
spent. A one-model route whose worst case is over the cap was sent; a chain or agent that
calls its model five times spent five calls' worth under a cap of two and a half; chains were
only checked against a hard limit, so concurrent requests passed it. Now a route that is one
chat-model call whose worst case passes the cap is refused before it runs
(``RequestCostCapError``, recorded ``refused``), and any other route holds the cap itself
against hard limits for as long as it runs while each model call inside it is admitted only
if its worst case fits in what the request has left (else ``RequestCostCapError`` before it is
sent, recorded ``refused``); a call whose worst case is unknown (no output budget, no price)
is refused under a cap, with the fix in the message.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import httpx
import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter, UnboundedRouteWarning
from shared_core import BudgetExceededError, RouterConfig
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

OUT = 8
PROMPT = "hard question"
WORST = (10 * 2.50 + OUT * 10.00) / 1e6  # about one gpt-4o call at its worst: 10 in, 8 out
CAP = 2.5 * WORST  # two calls of a request fit, a third does not


def _config(cap: float | None = CAP, limit: float | None = None, max_tokens: int | None = OUT) -> RouterConfig:
    budget: dict[str, Any] = {}
    if cap is not None:
        budget["per_request_cap_usd"] = cap
    if limit is not None:
        budget["limits"] = [{"scope": "global", "period": "day", "limit_usd": limit}]
    return RouterConfig.build({
        "tiers": [{"name": "only", "model": "gpt-4o", "max_tokens": max_tokens}],
        "budget": budget,
    })


def _model(server: FakeOpenAIServer, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o", base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient(), **kw)


def _chain(server: FakeOpenAIServer, **kw: Any) -> Any:
    return ChatPromptTemplate.from_messages([("user", "{input}")]) | _model(server, **kw) | StrOutputParser()


def _agent(server: FakeOpenAIServer, steps: int, **kw: Any) -> Any:
    """A loop of ``steps`` model calls, each on the last answer (what an agent does)."""
    model = _model(server, **kw)

    def run(inp: dict[str, Any], config: Any) -> str:
        text = inp["input"]
        for _ in range(steps):
            text = model.invoke(text[:40], config=config).text
        return text

    async def arun(inp: dict[str, Any], config: Any) -> str:
        text = inp["input"]
        for _ in range(steps):
            text = (await model.ainvoke(text[:40], config=config)).text
        return text

    return RunnableLambda(run, afunc=arun, name="agent")


def _router(route: Any, **config: Any) -> tuple[RunnableRouter, CostCallbackHandler]:
    rr = RunnableRouter({"only": route}, config=_config(**config), ledger=InMemoryLedger())
    return rr, CostCallbackHandler(router=rr.router)


def _per_request(rr: RunnableRouter) -> dict[str, float]:
    spent: dict[str, float] = defaultdict(float)
    for rec in rr.router.ledger.records():
        if rec.metadata.get("router_call_id"):
            spent[rec.metadata["router_call_id"]] += rec.cost_usd or 0.0
    return dict(spent)


def test_a_one_model_route_over_the_cap_is_refused_before_it_is_sent(
    openai_server: FakeOpenAIServer,
) -> None:
    openai_server.script(None, "word " * 100)
    rr, handler = _router(_model(openai_server), cap=WORST / 4)
    with pytest.raises(RequestCostCapError, match="per-request cap"):
        rr.invoke(PROMPT, config={"callbacks": [handler]})
    assert openai_server.chat_requests == []
    [rec] = rr.router.ledger.records()
    assert (rec.status, rec.tier, rec.error_kind, rec.cost_usd) == ("refused", "only", "cost_cap", 0.0)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_an_agent_route_stops_at_the_cap(openai_server: FakeOpenAIServer, mode: str) -> None:
    openai_server.script(None, "word " * 100)
    rr, handler = _router(_agent(openai_server, steps=5, max_tokens=OUT))
    config: Any = {"callbacks": [handler]}
    with pytest.raises(RequestCostCapError, match="per-request cap"):
        if mode == "invoke":
            rr.invoke({"input": PROMPT}, config=config)
        else:
            asyncio.run(rr.ainvoke({"input": PROMPT}, config=config))
    records = rr.router.ledger.records()
    assert [r.status for r in records] == ["ok", "ok", "refused"]  # the third call was not sent
    assert len(openai_server.chat_requests) == 2
    refused = records[-1]
    assert (refused.tier, refused.model, refused.error_kind, refused.cost_usd) == (
        "only", "gpt-4o", "cost_cap", 0.0)
    spend = rr.router.ledger.spend("global", 0.0)
    assert spend <= CAP, f"one request spent ${spend:.7f} under a ${CAP:.7f} cap"
    assert handler._runs == {}  # the caller's handler never saw the refused call start


def test_parallel_calls_in_a_route_count_each_others_worst_case(openai_server: FakeOpenAIServer) -> None:
    """Two calls at once under a cap that fits one: the second is refused while the first is
    under way (the worst case of a call in flight is counted until its record is in)."""
    from langchain_core.runnables import RunnableParallel

    openai_server.script(None, "word " * 100, delay=0.3)
    route = RunnableParallel(a=_chain(openai_server, max_tokens=OUT), b=_chain(openai_server, max_tokens=OUT))
    rr, handler = _router(route, cap=1.5 * WORST)
    with pytest.raises(RequestCostCapError):
        rr.invoke({"input": PROMPT}, config={"callbacks": [handler]})
    assert sorted(r.status for r in rr.router.ledger.records()) == ["ok", "refused"]
    assert len(openai_server.chat_requests) == 1
    assert rr.router.ledger.spend("global", 0.0) <= 1.5 * WORST


def test_a_call_with_no_output_budget_is_refused_under_a_cap(openai_server: FakeOpenAIServer) -> None:
    """Its worst case is unknown, so the cap cannot be kept if it is sent: refused, and told
    how to give it a budget. (A model the router can find in a route, a chain's included, is
    a ``ConfigError`` when the router is built: ``test_budget_build_checks``; one called from
    inside a function, as here, shows only when it is called.)"""
    openai_server.script(None, "word " * 100)
    rr, handler = _router(_agent(openai_server, steps=1))
    with pytest.raises(RequestCostCapError, match="max_tokens"):
        rr.invoke({"input": PROMPT}, config={"callbacks": [handler]})
    assert openai_server.chat_requests == []
    [rec] = rr.router.ledger.records()
    assert (rec.status, rec.error_kind) == ("refused", "cost_cap")


def test_a_chain_under_a_cap_is_held_at_the_cap_and_not_warned_about(
    openai_server: FakeOpenAIServer,
) -> None:
    """The cap bounds what the route may spend, so a hard limit holds it: no
    ``UnboundedRouteWarning``, and concurrent requests never pass the limit."""
    openai_server.script(None, "word " * 100, delay=0.3)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnboundedRouteWarning)
        rr, handler = _router(_chain(openai_server, max_tokens=OUT), limit=3 * CAP)
    outs = asyncio.run(rr.abatch(
        [{"input": PROMPT}] * 8, config={"callbacks": [handler], "max_concurrency": 4},
        return_exceptions=True,
    ))
    spend = rr.router.ledger.spend("global", 0.0)
    assert spend <= 3 * CAP, f"spent ${spend:.7f} against a ${3 * CAP:.7f} limit"
    ok = [r for r in rr.router.ledger.records() if r.status == "ok"]
    assert len(ok) == len(openai_server.chat_requests) == 3  # three caps held at once
    assert sum(isinstance(o, BudgetExceededError) for o in outs) == 5
    assert rr.router.ledger.held("global", 0.0) == pytest.approx(spend)  # every hold let go


MODES = ["invoke", "ainvoke", "batch", "abatch", "stream", "astream"]


@pytest.mark.parametrize("mode", MODES)
def test_a_chain_route_under_a_limit_and_a_cap_in_every_mode(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """``prompt | model | parser`` twice over (two calls a request) under a cap of two and a
    half calls and a limit of five caps: every call recorded once, no request above the cap,
    spend never above the limit."""
    openai_server.script(None, "word " * 100, delay=0.2)
    first = _chain(openai_server, max_tokens=OUT)
    route = first | RunnableLambda(lambda s: {"input": s[:40]}) | _chain(openai_server, max_tokens=OUT)
    limit = 5 * CAP
    rr, handler = _router(route, limit=limit)
    config: Any = {"callbacks": [handler]}
    inputs = [{"input": PROMPT}] * 8
    outs: list[Any]
    if mode == "invoke":
        outs = [_call(lambda: rr.invoke(inputs[0], config=config)) for _ in inputs]
    elif mode == "ainvoke":
        outs = asyncio.run(_asequence(lambda: rr.ainvoke(inputs[0], config=config), len(inputs)))
    elif mode == "batch":
        outs = rr.batch(inputs, config={**config, "max_concurrency": 4}, return_exceptions=True)
    elif mode == "abatch":
        outs = asyncio.run(rr.abatch(inputs, config={**config, "max_concurrency": 4}, return_exceptions=True))
    elif mode == "stream":
        outs = [_call(lambda: "".join(rr.stream(inputs[0], config=config))) for _ in inputs]
    else:
        async def astream() -> str:
            return "".join([c async for c in rr.astream(inputs[0], config=config)])

        outs = asyncio.run(_asequence(astream, len(inputs)))
    records = rr.router.ledger.records()
    sent = [r for r in records if r.status == "ok"]
    assert len(sent) == len(openai_server.chat_requests)  # every call recorded once
    assert all(isinstance(o, (str, BudgetExceededError)) for o in outs), outs
    answered = [o for o in outs if isinstance(o, str)]
    assert len(sent) == 2 * len(answered) and answered
    spend = rr.router.ledger.spend("global", 0.0)
    assert spend <= limit, f"spent ${spend:.7f} against a ${limit:.7f} limit"
    assert max(_per_request(rr).values()) <= CAP
    assert [r.status for r in records].count("refused") == len(outs) - len(answered)
    assert rr.router.ledger.held("global", 0.0) == pytest.approx(spend)


def _call(fn: Any) -> Any:
    try:
        return fn()
    except BudgetExceededError as exc:
        return exc


async def _asequence(call: Any, n: int) -> list[Any]:
    """``n`` calls one after another in one event loop (the model's async client is bound
    to it)."""
    outs: list[Any] = []
    for _ in range(n):
        try:
            outs.append(await call())
        except BudgetExceededError as exc:
            outs.append(exc)
    return outs
