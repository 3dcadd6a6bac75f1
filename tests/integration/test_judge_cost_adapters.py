"""The judge's own call is paid for in the ledger, through both adapters with real clients.

``RoutedChatModel(judge=ChatOpenAI(...))`` and ``RoutedLLM(judge_llm=OpenAI(...))`` on a
``judge`` config: the loopback server answers the judge first, then the chosen tier; the
call's record costs both, each priced from the usage the server reported.
"""

from __future__ import annotations

import httpx
import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import PriceTable, Usage, estimate_tokens
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CONFIG = {
    "tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
    "classifier": {"type": "judge", "options": {"clamp": None}},
}


def _cost(model: str, usage: dict) -> float:
    got = PriceTable().cost(model, Usage(usage["prompt_tokens"], usage["completion_tokens"]))
    assert got is not None
    return got


def _check(server: FakeOpenAIServer, ledger: InMemoryLedger, meta: dict) -> None:
    judge_req, tier_req = server.chat_requests
    assert (judge_req.model, tier_req.model) == ("gpt-4o-mini", "gpt-4o")
    judge_cost = _cost("gpt-4o-mini", judge_req.usage or {})
    tier_cost = _cost("gpt-4o", tier_req.usage or {})
    (rec,) = ledger.records()
    assert rec.tier == "strong"
    assert rec.cost_usd == pytest.approx(tier_cost + judge_cost, rel=1e-12)
    assert rec.metadata["classifier_cost_usd"] == pytest.approx(judge_cost, rel=1e-12)
    (call,) = rec.metadata["classifier_calls"]
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (
        "gpt-4o-mini", judge_req.usage["prompt_tokens"], judge_req.usage["completion_tokens"],  # type: ignore[index]
    )
    assert meta["classifier_cost_usd"] == pytest.approx(judge_cost, rel=1e-12)
    assert meta["total_cost_usd"] == pytest.approx(tier_cost + judge_cost, rel=1e-12)
    assert ledger.summary().cost_usd == pytest.approx(tier_cost + judge_cost, rel=1e-12)


def test_langchain_judge_call_is_in_the_call_s_cost(openai_server: FakeOpenAIServer) -> None:
    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=openai_server.base_url, api_key="sk-test",
                          max_retries=0)

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1)
    ledger = InMemoryLedger()
    chat = RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge=inner("gpt-4o-mini"), ledger=ledger,
    )
    meta = chat.invoke("What is 2+2?").response_metadata["router"]
    _check(openai_server, ledger, meta)


async def test_langchain_async_judge_call_is_in_the_call_s_cost(openai_server: FakeOpenAIServer) -> None:
    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=openai_server.base_url, api_key="sk-test",
                          max_retries=0, http_async_client=httpx.AsyncClient())

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1)
    ledger = InMemoryLedger()
    chat = RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge=inner("gpt-4o-mini"), ledger=ledger,
    )
    meta = (await chat.ainvoke("What is 2+2?")).response_metadata["router"]
    _check(openai_server, ledger, meta)


def test_llamaindex_judge_call_is_in_the_call_s_cost(openai_server: FakeOpenAIServer) -> None:
    def inner(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=openai_server.base_url, api_key="sk-test", max_retries=0)

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1)
    ledger = InMemoryLedger()
    llm = RoutedLLM(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge_llm=inner("gpt-4o-mini"), ledger=ledger,
    )
    meta = llm.chat([ChatMessage(role="user", content="What is 2+2?")]).additional_kwargs["router"]
    _check(openai_server, ledger, meta)


def test_a_cost_handler_on_the_chain_does_not_count_the_judge_twice(openai_server: FakeOpenAIServer) -> None:
    """A ``CostCallbackHandler`` on a chain sees the judge's model call as a child run; the
    router already put it in the routed call's cost, so the handler leaves it out."""
    from langchain_core.runnables import RunnableLambda

    from langchain_router import CostCallbackHandler

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=openai_server.base_url, api_key="sk-test",
                          max_retries=0)

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1)
    ledger = InMemoryLedger()
    chat = RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge=inner("gpt-4o-mini"), ledger=ledger,
    )
    handler = CostCallbackHandler(router=chat.router)
    msg = (RunnableLambda(lambda x: x) | chat).invoke("What is 2+2?", config={"callbacks": [handler]})
    _check(openai_server, ledger, msg.response_metadata["router"])
    # the routed call counts once in the handler's totals, at its router's (judge included)
    assert handler.calls == 1
    assert handler.total_cost_usd == pytest.approx(msg.response_metadata["router"]["total_cost_usd"])


def test_a_runnable_router_s_judge_is_left_to_the_cost_handler(openai_server: FakeOpenAIServer) -> None:
    """``RunnableRouter``'s judge call is recorded once with a ``CostCallbackHandler`` on the
    chain: by the router (its recorder on, the default; the handler leaves the judge's run
    to it), else by the handler (``test_runnable_router_judge.py``)."""
    from langchain_router import CostCallbackHandler, RunnableRouter, chat_model_judge
    from shared_core import Router

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=openai_server.base_url, api_key="sk-test",
                          max_retries=0)

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1)
    ledger = InMemoryLedger()
    router = Router(CONFIG, judge_complete=chat_model_judge(inner("gpt-4o-mini")), ledger=ledger)
    routes = RunnableRouter(routes={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, router=router)
    handler = CostCallbackHandler(router=router)
    routes.invoke("What is 2+2?", config={"callbacks": [handler]})
    judge_req, tier_req = openai_server.chat_requests
    assert sorted(r.model for r in ledger.records()) == ["gpt-4o", "gpt-4o-mini"]
    assert ledger.summary().cost_usd == pytest.approx(
        _cost("gpt-4o-mini", judge_req.usage or {}) + _cost("gpt-4o", tier_req.usage or {}), rel=1e-12
    )


async def _cancel_when_asked(server: FakeOpenAIServer, coro: object) -> None:
    """Run ``coro``, cancel it once the judge's request reached the server."""
    import asyncio

    task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
    for _ in range(500):
        if server.chat_requests:
            break
        await asyncio.sleep(0.01)
    assert server.chat_requests, "the judge was never asked"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def _abandoned_while_deciding(ledger: InMemoryLedger, framework: str, server: FakeOpenAIServer) -> None:
    """One ``abandoned`` record; the judge's call in flight is charged what was sent: the
    judge prompt's estimated tokens on the judge's model, nothing received."""
    (rec,) = ledger.records()
    assert (rec.status, rec.attempt, rec.error_kind, rec.framework) == (
        "abandoned", 0, "abandoned", framework,
    )
    assert "estimated from the prompt sent" in (rec.error or "")
    (call,) = rec.metadata["classifier_calls"]
    sent = server.chat_requests[0]
    prompt = sent.body["messages"][-1]["content"]
    assert (call["model"], call["output_tokens"], call["estimated"]) == ("gpt-4o-mini", 0, True)
    assert call["input_tokens"] == estimate_tokens(prompt) > 0
    assert rec.cost_usd == pytest.approx(_cost("gpt-4o-mini", {"prompt_tokens": call["input_tokens"], "completion_tokens": 0}))


async def test_langchain_call_cancelled_while_its_judge_answers_is_recorded(
    openai_server: FakeOpenAIServer,
) -> None:
    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=openai_server.base_url, api_key="sk-test",
                          max_retries=0, http_async_client=httpx.AsyncClient())

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1, delay=5.0)
    ledger = InMemoryLedger()
    chat = RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge=inner("gpt-4o-mini"), ledger=ledger,
    )
    await _cancel_when_asked(openai_server, chat.ainvoke("What is 2+2?"))
    _abandoned_while_deciding(ledger, "langchain", openai_server)
    assert len(openai_server.chat_requests) == 1  # no tier was called


async def test_llamaindex_call_cancelled_while_its_judge_answers_is_recorded(
    openai_server: FakeOpenAIServer,
) -> None:
    def inner(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=openai_server.base_url, api_key="sk-test", max_retries=0)

    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1, delay=5.0)
    ledger = InMemoryLedger()
    llm = RoutedLLM(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge_llm=inner("gpt-4o-mini"), ledger=ledger,
    )
    await _cancel_when_asked(
        openai_server, llm.achat([ChatMessage(role="user", content="What is 2+2?")])
    )
    _abandoned_while_deciding(ledger, "llamaindex", openai_server)
    assert len(openai_server.chat_requests) == 1


async def test_llamaindex_achat_with_tools_awaits_the_judge(openai_server: FakeOpenAIServer) -> None:
    """LlamaIndex's ``achat_with_tools`` prepares synchronously; deciding there blocked the
    event loop for the judge's whole round trip (1.5 s in a trial). The tool call is now decided
    by the ``achat`` that follows, which awaits the judge: other tasks keep running."""
    import asyncio
    import time

    from llama_index.core.tools import FunctionTool

    def inner(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=openai_server.base_url, api_key="sk-test", max_retries=0)

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    # the newest rule wins: the warm-up takes the quick answer, the measured call the slow one
    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1, delay=0.6)
    openai_server.script(model="gpt-4o-mini", reply="STRONG", times=1)
    ledger = InMemoryLedger()
    llm = RoutedLLM(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=CONFIG, judge_llm=inner("gpt-4o-mini"), ledger=ledger,
    )
    tools = [FunctionTool.from_defaults(add)]
    await llm.achat_with_tools(tools, user_msg="warm up")  # the clients' one-time lazy imports
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.02)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.05)
    response = await llm.achat_with_tools(tools, user_msg="What is 2+2?")
    tick.cancel()
    assert max(gaps) < 0.4, f"the event loop stalled {max(gaps):.2f} s"
    assert response.additional_kwargs["router"]["tier"] == "strong"
    assert [r.model for r in openai_server.chat_requests][2:] == ["gpt-4o-mini", "gpt-4o"]
    assert [r.status for r in ledger.records()] == ["ok", "ok"]
