"""An abandoned stream's note counts the chunks its caller received, through either adapter.

``RoutedLLM`` holds one chunk back (the last one carries the call's metadata), so a caller
that stopped after 2 chunks read "caller closed the stream after 3 chunk(s)": the count was
of chunks received from the provider, not of chunks the caller saw. (The tokens stay
estimated from every chunk received: the provider generated, and bills, all of them.)

Real ``ChatOpenAI`` and llama-index ``OpenAI`` against the loopback server.
"""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CONFIG = {
    "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64, "input_price": 1.0, "output_price": 2.0}],
    "classifier": {"type": "rules"},
}
PROMPT = "What is the capital of France?"
FLAVOURS = ["langchain", "llamaindex-chat", "llamaindex-complete"]


def _routed(server: FakeOpenAIServer, flavour: str, ledger: InMemoryLedger) -> object:
    if flavour == "langchain":
        lc = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0)
        return RoutedChatModel(tiers={"cheap": lc}, config=CONFIG, ledger=ledger)
    li = OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedLLM(tiers={"cheap": li}, config=CONFIG, ledger=ledger)


def _note(ledger: InMemoryLedger) -> str:
    [rec] = ledger.records()
    assert rec.status == "abandoned" and rec.output_tokens > 0
    return rec.error or ""


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("taken", [1, 2])
def test_the_note_counts_the_chunks_the_caller_received(
    openai_server: FakeOpenAIServer, flavour: str, taken: int
) -> None:
    openai_server.script(None, chunk_delay=0.05)
    ledger = InMemoryLedger()
    llm: object = _routed(openai_server, flavour, ledger)
    if flavour == "langchain":
        gen = llm.stream(PROMPT)  # type: ignore[attr-defined]
    elif flavour == "llamaindex-chat":
        gen = llm.stream_chat([ChatMessage(role="user", content=PROMPT)])  # type: ignore[attr-defined]
    else:
        gen = llm.stream_complete(PROMPT)  # type: ignore[attr-defined]
    got = [next(gen) for _ in range(taken)]
    gen.close()
    assert len(got) == taken
    assert f"caller closed the stream after {taken} chunk(s)" in _note(ledger)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_the_async_note_counts_the_chunks_the_caller_received(
    openai_server: FakeOpenAIServer, flavour: str
) -> None:
    openai_server.script(None, chunk_delay=0.05)
    ledger = InMemoryLedger()
    llm: object = _routed(openai_server, flavour, ledger)
    if flavour == "langchain":
        gen = llm.astream(PROMPT)  # type: ignore[attr-defined]
    elif flavour == "llamaindex-chat":
        gen = await llm.astream_chat([ChatMessage(role="user", content=PROMPT)])  # type: ignore[attr-defined]
    else:
        gen = await llm.astream_complete(PROMPT)  # type: ignore[attr-defined]
    await anext(gen)
    await anext(gen)
    await gen.aclose()
    assert "caller closed the stream after 2 chunk(s)" in _note(ledger)
