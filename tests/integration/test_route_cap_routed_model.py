"""A ``RunnableRouter`` route held at ``per_request_cap_usd`` that calls a ``RoutedChatModel``.

The routed chat model reserves and caps its own calls, so the route's cap account gave it
"all that is left" and counted what its answer said it cost. Two holes made the route spend
over the cap (a reviewer's repro: $0.015318 under a $0.008855 cap): a routed call that failed
was counted at 0 although the router recorded it at its worst case (a timed-out request may be
billed), and the routed chat model did not know what was left of the route's cap, so it sent
calls the cap had no room for. Now the routed call is held to what the route has left (the
attempt that would pass it is refused before it is sent, recorded ``refused`` / ``cost_cap``)
and counts what it recorded, failed attempts included.

Real ``ChatOpenAI`` against the loopback server, in every way an agent calls a model.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel, RunnableRouter
from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

OUT = 400
TIERS = [{"name": "only", "model": "gpt-4o", "max_tokens": OUT}]
WORST = (10 * 2.50 + OUT * 10.00) / 1e6  # one gpt-4o call at its worst: ~10 in, 400 out
CAP = 2.2 * WORST  # two calls at their worst fit, a third does not
CALLS = 4


def _agent(routed: RoutedChatModel, mode: str) -> RunnableLambda:
    """Calls ``routed`` :data:`CALLS` times, going on after each error (an agent retrying)."""

    def one(config: Any) -> None:
        if mode == "invoke":
            routed.invoke("q" * 20, config=config)
        else:
            "".join(c.text for c in routed.stream("q" * 20, config=config))

    async def aone(config: Any) -> None:
        if mode == "ainvoke":
            await routed.ainvoke("q" * 20, config=config)
        else:
            "".join([c.text async for c in routed.astream("q" * 20, config=config)])

    def run(inp: Any, config: Any) -> list[str]:
        outcomes = []
        for _ in range(CALLS):
            try:
                one(config)
                outcomes.append("answer")
            except Exception as exc:
                outcomes.append(type(exc).__name__)
        return outcomes

    async def arun(inp: Any, config: Any) -> list[str]:
        outcomes = []
        for _ in range(CALLS):
            try:
                await aone(config)
                outcomes.append("answer")
            except Exception as exc:
                outcomes.append(type(exc).__name__)
        return outcomes

    return RunnableLambda(run, afunc=arun, name="agent")


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_a_routed_chat_model_in_a_capped_route_keeps_the_route_under_the_cap(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    openai_server.fail(kind="timeout", delay=1.5, times=1)
    openai_server.script(None, "word " * 300)
    ledger = InMemoryLedger()
    inner = ChatOpenAI(model="gpt-4o", base_url=openai_server.base_url, api_key="sk-test",
                       max_retries=0, timeout=0.4, max_tokens=OUT,
                       http_async_client=httpx.AsyncClient(timeout=0.4))
    routed = RoutedChatModel(tiers={"only": inner}, config=RouterConfig.build({"tiers": TIERS}),
                             ledger=ledger)
    rr = RunnableRouter(
        {"only": _agent(routed, mode)},
        config=RouterConfig.build({"tiers": TIERS, "budget": {"per_request_cap_usd": CAP}}),
        ledger=ledger,
    )
    if mode in ("invoke", "stream"):
        outcomes = rr.invoke({"input": "q"})
    else:
        outcomes = asyncio.run(rr.ainvoke({"input": "q"}))
    records = ledger.records()
    spent = sum(r.cost_usd or 0.0 for r in records)
    assert spent <= CAP + 1e-12, (
        f"the route spent ${spent:.6f} under a ${CAP:.6f} per-request cap: "
        f"{[(r.status, r.error_kind, r.cost_usd) for r in records]}"
    )
    failed = records[0]
    assert (failed.status, failed.error_kind) == ("failed", "timeout")
    # the timed-out call counts at what the router recorded it at: a request sent and never
    # answered at its worst case (it may be billed); a stream at what was sent (its provider
    # stops generating when the client leaves) ...
    streamed = mode.endswith("stream")
    assert failed.cost_usd == pytest.approx(10 * 2.50 / 1e6 if streamed else WORST, rel=0.1)
    # ... so what fits after it is answered, and the calls after that are refused before they
    # are sent, each recorded
    answers = 2 if streamed else 1
    assert [r.status for r in records[1:1 + answers]] == ["ok"] * answers
    assert [(r.status, r.error_kind, r.cost_usd) for r in records[1 + answers:]] == [
        ("refused", "cost_cap", 0.0)] * (CALLS - 1 - answers)
    assert outcomes[1:] == ["answer"] * answers + ["RequestCostCapError"] * (CALLS - 1 - answers)
    assert len(openai_server.chat_requests) == 1 + answers


@pytest.mark.parametrize("mode", ["invoke", "astream"])
def test_a_routed_chat_model_whose_worst_case_is_unknown_is_refused_in_a_capped_route(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """A tier with no ``max_tokens`` may write any number of tokens: under the route's cap it
    is refused before it is sent, as the route refuses a plain model with no budget, and the
    message says how to give it one."""
    openai_server.script(None, "word " * 300)
    ledger = InMemoryLedger()
    inner = ChatOpenAI(model="gpt-4o", base_url=openai_server.base_url, api_key="sk-test",
                       max_retries=0, http_async_client=httpx.AsyncClient())
    unbounded = [{"name": "only", "model": "gpt-4o"}]
    routed = RoutedChatModel(tiers={"only": inner}, config=RouterConfig.build({"tiers": unbounded}),
                             ledger=ledger)
    rr = RunnableRouter(
        {"only": _agent(routed, mode)},
        config=RouterConfig.build({"tiers": TIERS, "budget": {"per_request_cap_usd": CAP}}),
        ledger=ledger,
    )
    outcomes = rr.invoke({"input": "q"}) if mode == "invoke" else asyncio.run(rr.ainvoke({"input": "q"}))
    assert outcomes == ["RequestCostCapError"] * CALLS
    assert openai_server.chat_requests == []
    records = ledger.records()
    assert [(r.status, r.error_kind, r.cost_usd) for r in records] == [("refused", "cost_cap", 0.0)] * CALLS
    assert "max_tokens" in (records[0].error or "")


def _judged(server: FakeOpenAIServer, ledger: InMemoryLedger) -> RoutedChatModel:
    """A routed chat model whose LLM judge (gpt-4o-mini on the loopback server) picks the
    strong tier."""
    server.script(model="gpt-4o-mini", reply="STRONG")
    server.script(None, "word " * 395)

    def model(name: str, **kw: Any) -> ChatOpenAI:
        return ChatOpenAI(model=name, base_url=server.base_url, api_key="sk-test", max_retries=0,
                          http_async_client=httpx.AsyncClient(), **kw)

    tiers = [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": OUT},
             {"name": "strong", "model": "gpt-4o", "max_tokens": OUT}]
    return RoutedChatModel(
        tiers={"cheap": model("gpt-4o-mini", max_tokens=OUT), "strong": model("gpt-4o", max_tokens=OUT)},
        config=RouterConfig.build({"tiers": tiers, "classifier": {"type": "judge", "options": {"clamp": None}}}),
        judge=model("gpt-4o-mini"), ledger=ledger,
    )


def _capped(route: Any, ledger: InMemoryLedger, cap: float) -> RunnableRouter:
    return RunnableRouter(
        {"only": route},
        config=RouterConfig.build({"tiers": TIERS, "budget": {"per_request_cap_usd": cap}}),
        ledger=ledger,
    )


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_judge_of_a_routed_chat_model_in_a_capped_route_is_its_call_s_own(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """The judge's call is paid by the routed call (in its record's cost): the route's cap
    handler refused it as a call of its own (nothing was left: the routed call holds it all),
    wrote a ``refused`` record, and the judge's choice was lost (the call went to its
    fallback tier)."""
    ledger = InMemoryLedger()
    routed = _judged(openai_server, ledger)

    def run(inp: Any, config: Any) -> str:
        return routed.invoke("What is 2+2?", config=config).text

    async def arun(inp: Any, config: Any) -> str:
        return (await routed.ainvoke("What is 2+2?", config=config)).text

    rr = _capped(RunnableLambda(run, afunc=arun), ledger, 1.5 * WORST)
    rr.invoke({"input": "q"}) if mode == "invoke" else asyncio.run(rr.ainvoke({"input": "q"}))
    [rec] = ledger.records()
    assert (rec.status, rec.tier) == ("ok", "strong")
    assert rec.metadata["classifier_cost_usd"] > 0
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini", "gpt-4o"]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_judge_of_a_routed_chat_model_counts_against_what_the_route_has_left(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """Room for one judged call and a little more: the second call's judge does not fit in
    what is left, so it is not sent, and neither is its answer; the route stays under the cap
    (the judge was sent unchecked and its cost came on top)."""
    ledger = InMemoryLedger()
    cap = 1.02 * WORST
    rr = _capped(_agent(_judged(openai_server, ledger), mode), ledger, cap)
    outcomes = rr.invoke({"input": "q"}) if mode == "invoke" else asyncio.run(rr.ainvoke({"input": "q"}))
    assert outcomes == ["answer"] + ["RequestCostCapError"] * (CALLS - 1)
    spent = sum(r.cost_usd or 0.0 for r in ledger.records())
    assert spent <= cap + 1e-12, f"${spent:.7f} spent under a ${cap:.7f} cap"
    assert [r.model for r in openai_server.chat_requests].count("gpt-4o") == 1
