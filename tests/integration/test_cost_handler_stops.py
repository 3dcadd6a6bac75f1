"""``CostCallbackHandler`` records a call its caller stopped, and the thread it belongs to.

(a) A route cancelled by ``asyncio.wait_for`` after its request was sent left no record at
all (LangChain ends no run whose task is cancelled mid-call: one record for two server
requests), and a cancelled ``astream`` was recorded ``failed``, 0 tokens, cost ``None``.
``RoutedChatModel`` records the same situation ``abandoned`` with its input estimated; the
handler now does too (on ``on_llm_error`` with a ``CancelledError``, when the run's task ends
with the run open, or when ``RunnableRouter`` sees its route stopped).
(c) A route cancelled after its answer had begun to stream was recorded with 0 output
tokens although its note said they were estimated from the text received: the handler now
keeps the text of each run's ``on_llm_new_token`` for that estimate.
(b) ``config["configurable"]["thread_id"]`` was not carried to the route's records
(langchain-core 1.x no longer copies ``configurable`` into metadata): ``thread_id=None``.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.output_parsers import StrOutputParser
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter
from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import Usage, estimate_tokens
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration


def _model(server: FakeOpenAIServer, model: str = "gpt-4o-mini") -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient())


def _router(server: FakeOpenAIServer) -> tuple[RunnableRouter, CostCallbackHandler]:
    config = RouterConfig.build({"tiers": [
        {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64, "input_price": 0.15, "output_price": 0.60},
        {"name": "strong", "model": "gpt-4o", "max_tokens": 64, "input_price": 2.50, "output_price": 10.00},
    ], "baseline_model": "gpt-4o"})
    rr = RunnableRouter(
        {"cheap": _model(server), "strong": _model(server, "gpt-4o")}, config=config,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )
    return rr, CostCallbackHandler(router=rr.router)


def _abandoned(records: list[Any], server: FakeOpenAIServer) -> Any:
    assert len(records) == len(server.chat_requests) == 1
    [rec] = records
    assert rec.status == "abandoned" and rec.error_kind == "abandoned"
    assert rec.input_tokens > 0 and rec.cost_usd is not None and rec.cost_usd > 0
    assert rec.model == "gpt-4o-mini"
    return rec


def test_the_thread_in_configurable_reaches_the_routes_records(openai_server: FakeOpenAIServer) -> None:
    rr, handler = _router(openai_server)
    rr.invoke("hello", config={"callbacks": [handler], "configurable": {"thread_id": "th1"}})
    [rec] = rr.router.ledger.records()
    assert rec.thread_id == "th1"


def test_a_route_cancelled_by_wait_for_is_recorded_abandoned(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, None, delay=3.0)
    rr, handler = _router(openai_server)

    async def go() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(rr.ainvoke("hello", config={"callbacks": [handler]}), 0.5)

    asyncio.run(go())
    rec = _abandoned(rr.router.ledger.records(), openai_server)
    assert rec.tier == "cheap" and rec.baseline_cost_usd is not None


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is Python 3.11+")
def test_a_route_stopped_in_its_own_task_is_recorded_before_the_call_returns(
    openai_server: FakeOpenAIServer,
) -> None:
    """``asyncio.timeout`` cancels in the caller's own task (as ``wait_for`` does from Python
    3.12): RunnableRouter records the open call as the cancellation passes through it."""
    openai_server.script(None, None, delay=3.0)
    rr, handler = _router(openai_server)

    async def go() -> int:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await rr.ainvoke("hello", config={"callbacks": [handler]})
        return len(rr.router.ledger.records())

    assert asyncio.run(go()) == 1
    _abandoned(rr.router.ledger.records(), openai_server)


def test_a_plain_model_cancelled_mid_call_is_recorded_abandoned(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, None, delay=3.0)
    ledger = InMemoryLedger()
    handler = CostCallbackHandler(ledger, baseline_model="gpt-4o")

    async def go() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(_model(openai_server).ainvoke("hello", config={"callbacks": [handler]}), 0.5)

    asyncio.run(go())
    _abandoned(ledger.records(), openai_server)
    assert handler.calls == 1 and handler.total_cost_usd > 0


def test_a_cancelled_stream_is_recorded_abandoned_with_its_tokens(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, "word " * 50, first_chunk_delay=3.0)
    rr, handler = _router(openai_server)

    async def consume() -> None:
        async for _ in rr.astream("hello", config={"callbacks": [handler]}):
            pass

    async def go() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(consume(), 0.5)

    asyncio.run(go())
    _abandoned(rr.router.ledger.records(), openai_server)


def test_an_async_call_that_ends_is_recorded_once(openai_server: FakeOpenAIServer) -> None:
    """The watch on a run's task is let go when the run ends: no second record later."""
    ledger = InMemoryLedger()
    handler = CostCallbackHandler(ledger)

    async def go() -> None:
        model = _model(openai_server)
        await model.ainvoke("hello", config={"callbacks": [handler]})
        async for _ in model.astream("hello", config={"callbacks": [handler]}):
            pass

    asyncio.run(go())
    assert [r.status for r in ledger.records()] == ["ok", "ok"]


def test_a_routed_astream_that_ends_is_recorded_once_with_its_tier(openai_server: FakeOpenAIServer) -> None:
    """``RunnableRouter.astream`` starts the route's model call in a task that ends before the
    stream does: that is no abandoned call (it was recorded twice: ``abandoned`` with an
    estimate, then ``ok`` with 0 input tokens under the model's name instead of the tier's)."""
    rr, handler = _router(openai_server)

    async def go() -> None:
        async for _ in rr.astream("hello", config={"callbacks": [handler]}):
            pass
        await asyncio.sleep(0.05)  # any late record would land here

    asyncio.run(go())
    [rec] = rr.router.ledger.records()
    assert (rec.status, rec.tier, rec.model) == ("ok", "cheap", "gpt-4o-mini")
    assert rec.input_tokens > 0 and rec.output_tokens > 0 and len(openai_server.chat_requests) == 1


class _Seen(AsyncCallbackHandler):
    """The text the caller's own handler saw stream in."""

    def __init__(self) -> None:
        self.text = ""

    async def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.text += token


def _streaming_router(server: FakeOpenAIServer) -> tuple[RunnableRouter, CostCallbackHandler]:
    def model(name: str) -> ChatOpenAI:
        return ChatOpenAI(model=name, base_url=server.base_url, api_key="sk-test", max_retries=0,
                          streaming=True, http_async_client=httpx.AsyncClient())

    rr = RunnableRouter(
        {"cheap": model("gpt-4o-mini"), "strong": model("gpt-4o") | StrOutputParser()},
        config=RouterConfig.build({"tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 50},
            {"name": "strong", "model": "gpt-4o", "max_tokens": 50},
        ]}),
        classifier=FakeClassifier({"hard": "strong"}, default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )
    return rr, CostCallbackHandler(router=rr.router)


@pytest.mark.parametrize("prompt", ["easy", "hard"])  # a chat-model route; a chain route
def test_a_route_cancelled_mid_answer_counts_the_text_received(
    openai_server: FakeOpenAIServer, prompt: str
) -> None:
    """The answer had begun to stream when ``wait_for`` cancelled the route: its output
    tokens are estimated from the text received (they were 0)."""
    openai_server.script(None, " ".join(f"w{i}" for i in range(60)), chunk_delay=0.3)
    rr, handler = _streaming_router(openai_server)
    seen = _Seen()

    async def go() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(rr.ainvoke(prompt, config={"callbacks": [handler, seen]}), 0.5)

    asyncio.run(go())
    [rec] = rr.router.ledger.records()
    assert rec.status == "abandoned" and "estimated" in (rec.error or "")
    assert seen.text and rec.output_tokens == estimate_tokens(seen.text)
    assert rec.cost_usd == pytest.approx(rr.router.prices.cost(rec.model, Usage(rec.input_tokens, rec.output_tokens)))


def test_a_sync_stream_closed_mid_answer_counts_the_text_received(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, " ".join(f"w{i}" for i in range(60)), chunk_delay=0.3)
    rr, handler = _streaming_router(openai_server)
    stream = rr.stream("easy", config={"callbacks": [handler]})
    text = ""
    while not text.strip():
        text += next(stream).content
    stream.close()
    [rec] = rr.router.ledger.records()
    assert rec.status == "abandoned" and text
    assert rec.output_tokens >= estimate_tokens(text)  # the model may have read a chunk more
