"""LlamaIndex handlers that raise never cost the ledger a paid answer (the LangChain twin is
``test_raising_handlers.py``).

``RoutedLLM`` calls each inner LLM without LlamaIndex's wrappers, so no user handler runs
while a provider answers; the routed call's own events come before the request (a callback
handler raising there: nothing sent, nothing recorded) or after the attempt is recorded
(``on_event_end``, and the end of a stream). Instrumentation event and span handlers that
raise are swallowed by LlamaIndex's dispatcher. Real ``OpenAI`` LLMs against the loopback
server; each cell checks the record against the provider's usage for the same call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager
from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.span_handlers import SimpleSpanHandler

from tests.fake_openai_server import FakeOpenAIServer
from tests.unit.llamaindex_router.support import MODELS, routed_openai

pytestmark = pytest.mark.integration

MODES = ("chat", "achat", "stream_chat", "astream_chat")


class Boom(Exception):
    """The user's handler error."""


class RaisingCallback(BaseCallbackHandler):
    """A callback-manager handler raising on one of its two events."""

    def __init__(self, event: str) -> None:
        super().__init__([], [])
        self.event = event

    def on_event_start(self, event_type: Any, payload: Any = None, event_id: str = "",
                       parent_id: str = "", **kwargs: Any) -> str:
        if self.event == "on_event_start":
            raise Boom(self.event)
        return event_id

    def on_event_end(self, event_type: Any, payload: Any = None, event_id: str = "",
                     **kwargs: Any) -> None:
        if self.event == "on_event_end":
            raise Boom(self.event)

    def start_trace(self, trace_id: str | None = None) -> None:
        pass

    def end_trace(self, trace_id: str | None = None, trace_map: Any = None) -> None:
        pass


class RaisingEvents(BaseEventHandler):
    def handle(self, event: Any, **kwargs: Any) -> None:
        raise Boom(type(event).__name__)


class RaisingSpans(SimpleSpanHandler):
    def prepare_to_exit_span(self, *args: Any, **kwargs: Any) -> Any:
        raise Boom("span exit")


def _call(llm: Any, mode: str) -> None:
    msgs = [ChatMessage(role="user", content="hello there")]
    if mode == "chat":
        llm.chat(msgs)
    elif mode == "stream_chat":
        list(llm.stream_chat(msgs))
    elif mode == "achat":
        asyncio.run(llm.achat(msgs))
    else:

        async def collect() -> None:
            [r async for r in await llm.astream_chat(msgs)]

        asyncio.run(collect())


def _rows(llm: Any) -> list[tuple[Any, ...]]:
    return [
        (r.tier, r.status, r.input_tokens, r.output_tokens, r.cost_usd)
        for r in llm.router.ledger.records()
    ]


def _provider_rows(server: FakeOpenAIServer, mode: str) -> list[tuple[Any, ...]]:
    """The records of the same call with no callback handler (the provider's usage, priced)."""
    llm = routed_openai(server)
    _call(llm, mode)
    rows = _rows(llm)
    assert [r[1] for r in rows] == ["ok"] and rows[0][2] > 0 and rows[0][3] > 0
    server.reset()
    return rows


@pytest.mark.parametrize("mode", MODES)
def test_a_callback_raising_at_the_end_leaves_the_answer_recorded(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    expected = _provider_rows(openai_server, mode)
    llm = routed_openai(openai_server, callback_manager=CallbackManager([RaisingCallback("on_event_end")]))

    with pytest.raises(Boom):
        _call(llm, mode)

    assert openai_server.models == [MODELS["cheap"]]
    assert _rows(llm) == expected


@pytest.mark.parametrize("mode", MODES)
def test_a_callback_raising_at_the_start_sends_nothing(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    llm = routed_openai(openai_server, callback_manager=CallbackManager([RaisingCallback("on_event_start")]))

    with pytest.raises(Boom):
        _call(llm, mode)

    assert openai_server.models == [] and _rows(llm) == []


@pytest.fixture(params=["events", "spans"])
def raising_instrumentation(request: pytest.FixtureRequest) -> Iterator[None]:
    root = get_dispatcher()
    if request.param == "events":
        events = RaisingEvents()
        root.add_event_handler(events)
        yield
        root.event_handlers.remove(events)
    else:
        spans = RaisingSpans()
        root.add_span_handler(spans)
        yield
        root.span_handlers.remove(spans)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.usefixtures("raising_instrumentation")
def test_raising_instrumentation_handlers_are_swallowed_by_llamaindex(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    expected = _provider_rows(openai_server, mode)
    llm = routed_openai(openai_server)

    _call(llm, mode)

    assert _rows(llm) == expected
