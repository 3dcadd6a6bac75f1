"""Streams the caller closes after the first chunk are recorded, costed and counted by budgets.

A web client that disconnects closes the stream after a chunk or two; the provider has been
paid for the request by then. Each such stream must leave one ledger record per provider call,
``status="abandoned"``, with a cost (estimated from what was sent and received when the
provider sent no usage), and a hard budget must see it (issue 14, item 1).

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients against the loopback server.
"""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import BudgetExceededError
from shared_core.ledger import InMemoryLedger

pytestmark = pytest.mark.integration

PRICE = 10.0  # USD per 1M tokens, input and output: one call below costs about $0.001
LIMIT = 0.01
PROMPT = "Tell me a long story about a lighthouse keeper. " * 8  # 392 chars, ~102 tokens
CONFIG = {
    "tiers": [
        {
            "name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64,
            "input_price": PRICE, "output_price": PRICE,
        }
    ],
    "classifier": {"type": "rules"},
    "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": LIMIT}]},
}
N_STREAMS = 100


def _langchain(server, ledger: InMemoryLedger) -> RoutedChatModel:
    inner = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedChatModel(tiers={"cheap": inner}, config=CONFIG, ledger=ledger)


def _llamaindex(server, ledger: InMemoryLedger) -> RoutedLLM:
    inner = OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedLLM(tiers={"cheap": inner}, config=CONFIG, ledger=ledger)


def _close_after_first_chunk(llm, adapter: str) -> None:
    if adapter == "langchain":
        it = llm.stream(PROMPT)
        assert next(it).content is not None
        it.close()
    else:
        gen = llm.stream_chat([ChatMessage(role="user", content=PROMPT)])
        next(gen)
        gen.close()


async def _aclose_after_first_chunk(llm, adapter: str) -> None:
    if adapter == "langchain":
        it = llm.astream(PROMPT)
        await anext(it)
        await it.aclose()
    else:
        gen = await llm.astream_chat([ChatMessage(role="user", content=PROMPT)])
        await anext(gen)
        await gen.aclose()


def _check(server, ledger: InMemoryLedger, refused: int) -> None:
    recs = ledger.records()
    paid = [r for r in recs if r.status == "abandoned"]
    provider_calls = len(server.chat_requests)
    # one record per provider call, every one of them abandoned and costed
    assert len(paid) == provider_calls
    assert [r.status for r in recs].count("refused") == refused
    assert len(recs) == provider_calls + refused == N_STREAMS
    for r in paid:
        assert r.streamed and r.error_kind == "abandoned"
        assert r.input_tokens == len(PROMPT) // 4 + 4  # the request's estimate: 98 + 4 per message
        assert r.output_tokens >= 1
        exact = (r.input_tokens + r.output_tokens) * PRICE / 1e6
        assert r.cost_usd == pytest.approx(exact, rel=1e-12)
    one_call = max(r.cost_usd for r in paid)
    assert 0.001 <= one_call < 0.0012
    spent = sum(r.cost_usd for r in paid)
    # the limit holds: each call first reserves the most it may cost (its input estimate and
    # max_tokens at the price), so spend never passes it ...
    reservation = (len(PROMPT) // 4 + 4 + 64) * PRICE / 1e6
    assert spent <= LIMIT
    # ... and calls were refused only once the next reservation no longer fitted
    assert spent + reservation > LIMIT


@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
def test_streams_closed_after_first_chunk_are_recorded_and_budgeted(openai_server, adapter):
    ledger = InMemoryLedger()
    llm = (_langchain if adapter == "langchain" else _llamaindex)(openai_server, ledger)
    refused = 0
    for _ in range(N_STREAMS):
        try:
            _close_after_first_chunk(llm, adapter)
        except BudgetExceededError:
            refused += 1
    _check(openai_server, ledger, refused)


@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
async def test_async_streams_closed_after_first_chunk_are_recorded_and_budgeted(openai_server, adapter):
    ledger = InMemoryLedger()
    llm = (_langchain if adapter == "langchain" else _llamaindex)(openai_server, ledger)
    refused = 0
    for _ in range(N_STREAMS):
        try:
            await _aclose_after_first_chunk(llm, adapter)
        except BudgetExceededError:
            refused += 1
    _check(openai_server, ledger, refused)


def test_abandoned_stream_with_usage_keeps_the_providers_tokens(openai_server):
    """When the usage chunk arrived before the caller left, the provider's numbers are kept."""
    ledger = InMemoryLedger()
    llm = _langchain(openai_server, ledger)
    it = llm.stream("hi")
    for chunk in it:
        if chunk.usage_metadata:  # the inner stream's usage chunk, before the router's final one
            break
    it.close()
    [rec] = ledger.records()
    usage = openai_server.last.usage
    assert rec.status == "abandoned"
    assert (rec.input_tokens, rec.output_tokens) == (usage["prompt_tokens"], usage["completion_tokens"])
    assert rec.error.startswith("caller closed the stream after ")
    assert "estimated" not in rec.error
    assert rec.cost_usd == pytest.approx(
        (usage["prompt_tokens"] + usage["completion_tokens"]) * PRICE / 1e6, rel=1e-12
    )


def test_a_collection_inside_the_connection_pool_lock_does_not_deadlock(openai_server, monkeypatch):
    """An abandoned llama-index stream must not be left for the garbage collector to close.

    openai's ``Stream`` refers to itself through its iterator, so a stream nobody closed is
    cyclic garbage; when a collection later runs while httpcore holds its (non-reentrant)
    pool lock, closing the stream there takes the same lock and the thread hangs for good.
    The collection is forced into that window here, so the hang is certain, not luck.
    """
    import gc
    import threading

    from httpcore._sync import connection_pool

    original = connection_pool.PoolRequest.__init__

    def collecting_init(self, request):  # runs under ConnectionPool._optional_thread_lock
        gc.collect()
        original(self, request)

    ledger = InMemoryLedger()
    llm = _llamaindex(openai_server, ledger)
    monkeypatch.setattr(connection_pool.PoolRequest, "__init__", collecting_init)
    done = threading.Event()

    def two_calls() -> None:
        _close_after_first_chunk(llm, "llamaindex")
        _close_after_first_chunk(llm, "llamaindex")
        done.set()

    threading.Thread(target=two_calls, daemon=True).start()
    assert done.wait(20), "the second request hung on the pool lock (deadlock)"
    assert [r.status for r in ledger.records()] == ["abandoned", "abandoned"]
