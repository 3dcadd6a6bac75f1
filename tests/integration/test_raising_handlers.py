"""A user's callback handler that raises (``raise_error = True``) stops the answer as with
bare LangChain, and the ledger still records what the provider was paid for.

LangChain raises the error of the first ``raise_error`` handler at once, from whatever event
it handled. The router passes its run to the inner model, and a model that streams
internally (``ChatOpenAI(streaming=True)``, any ``_generate`` that reports tokens) sends
``on_llm_new_token`` while the provider answers. A handler raising there (a guardrail, on
purpose) stops the inner model's stream at that token: the HTTP response closes and the
provider stops generating, as with a bare model. The attempt is recorded ``abandoned`` with
the tokens sent and received so far (estimated, or the provider's usage as far as a chunk
carried it), no other tier is called, the call's budget hold is released and the caller gets
the handler's own error. Real ``ChatOpenAI`` against the loopback server, and a plain chat
model that reports its tokens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import Field

from langchain_router import RoutedChatModel
from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import estimate_tokens
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer, RecordedRequest

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
PRICES = {"cheap": (0.15, 0.60), "strong": (2.50, 10.00)}
USAGE = {"input_tokens": 100, "output_tokens": 50, "total_tokens": 150}
"""What :class:`ReportingModel`'s provider says it used."""
FIRST_USAGE = {"input_tokens": 100, "output_tokens": 1, "total_tokens": 101}
"""The usage on the first chunk of a provider that reports its input first (Anthropic)."""
TOKENS = tuple(f" word{i}" for i in range(10))
"""What :class:`ReportingModel` answers, one token event each."""
MODES = ("invoke", "ainvoke", "stream", "astream")
PACE = 0.1
"""Seconds between the loopback server's stream chunks: a client that stops reading early
is seen by the server (``client_gone``) before the stream's end."""


class Boom(Exception):
    """The user's handler error."""


class Raising(BaseCallbackHandler):
    """A handler that raises on one event (``on_llm_new_token``: at its ``at``-th token;
    ``usage``: on the token whose chunk carries usage), and LangChain passes its error on; it
    counts the tokens it was sent."""

    raise_error = True

    def __init__(self, event: str, *, at: int = 1) -> None:
        self.event = event
        self.at = at
        self.tokens = 0

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens += 1
        if self.event == "on_llm_new_token" and self.tokens == self.at:
            raise Boom(self.event)
        chunk = kwargs.get("chunk")
        if self.event == "usage" and chunk is not None and chunk.message.usage_metadata:
            raise Boom(self.event)  # on the chunk that carries the provider's usage

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        if self.event == "on_llm_end":
            raise Boom(self.event)


class ReportingModel(BaseChatModel):
    """A provider that reports each token as it generates it, as models that stream
    internally do, and answers with its usage; ``sent`` holds the tokens it generated."""

    usage_first: bool = False
    """The first token's chunk carries :data:`FIRST_USAGE`."""
    sent: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "reporting"

    def _tokens(self) -> Iterator[tuple[str, ChatGenerationChunk]]:
        for i, token in enumerate(TOKENS):
            self.sent.append(token)
            usage = FIRST_USAGE if self.usage_first and i == 0 else None
            chunk = AIMessageChunk(content=token, usage_metadata=usage)  # type: ignore[arg-type]
            yield token, ChatGenerationChunk(message=chunk)

    def _generate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        for token, chunk in self._tokens():
            if run_manager is not None:
                run_manager.on_llm_new_token(token, chunk=chunk)
        return _whole()

    async def _agenerate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        for token, chunk in self._tokens():
            if run_manager is not None:
                await run_manager.on_llm_new_token(token, chunk=chunk)
        return _whole()


def _whole() -> ChatResult:
    message = AIMessage("".join(TOKENS), usage_metadata=USAGE)  # type: ignore[arg-type]
    return ChatResult(generations=[ChatGeneration(message=message)])


def _config(**fallback: Any) -> RouterConfig:
    return RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": CHEAP, "max_tokens": 64,
                 "input_price": PRICES["cheap"][0], "output_price": PRICES["cheap"][1]},
                {"name": "strong", "model": STRONG, "max_tokens": 64,
                 "input_price": PRICES["strong"][0], "output_price": PRICES["strong"][1]},
            ],
            "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 5.0}]},
            **({"fallback": fallback} if fallback else {}),
        }
    )


def _routed(tiers: dict[str, BaseChatModel], ledger: InMemoryLedger, **fallback: Any) -> RoutedChatModel:
    return RoutedChatModel(
        tiers=tiers, config=_config(**fallback), ledger=ledger,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
    )


def _openai(server: FakeOpenAIServer, *, streaming: bool, callbacks: Any = None) -> dict[str, BaseChatModel]:
    def one(model: str) -> ChatOpenAI:
        return ChatOpenAI(
            model=model, base_url=server.base_url, api_key="sk-test", max_retries=0, timeout=30,
            streaming=streaming, http_async_client=httpx.AsyncClient(), callbacks=callbacks,
        )

    return {"cheap": one(CHEAP), "strong": one(STRONG)}


def _call(model: RoutedChatModel, mode: str, handlers: list[Any] | None) -> Any:
    config: Any = {"callbacks": handlers} if handlers else None
    if mode == "invoke":
        return model.invoke("hello there", config=config)
    if mode == "ainvoke":
        return asyncio.run(model.ainvoke("hello there", config=config))
    if mode == "stream":
        return list(model.stream("hello there", config=config))

    async def collect() -> list[Any]:
        return [c async for c in model.astream("hello there", config=config)]

    return asyncio.run(collect())


def _rows(ledger: InMemoryLedger) -> list[tuple[Any, ...]]:
    return [
        (r.tier, r.status, r.input_tokens, r.output_tokens, r.cost_usd) for r in ledger.records()
    ]


def _cost(tier: str, inp: int, out: int) -> float:
    return (inp * PRICES[tier][0] + out * PRICES[tier][1]) / 1_000_000.0


def _paid(tier: str, inp: int, out: int, status: str = "ok") -> tuple[Any, ...]:
    return (tier, status, inp, out, pytest.approx(_cost(tier, inp, out), rel=1e-12))


def _provider_usage(server: FakeOpenAIServer, mode: str, *, streaming: bool) -> tuple[int, int]:
    """The tokens the loopback provider reports for this call, read from a plain call."""
    ledger = InMemoryLedger()
    _call(_routed(_openai(server, streaming=streaming), ledger), mode, None)
    (row,) = ledger.records()
    assert row.status == "ok" and row.error is None  # its usage, not an estimate
    return row.input_tokens, row.output_tokens


def _finished(server: FakeOpenAIServer) -> RecordedRequest:
    """The last request, once the server is through with it."""
    req = server.last
    assert req.done.wait(10)
    return req


def _whole_openai_answer(server: FakeOpenAIServer, mode: str) -> tuple[int, int, int, int]:
    """A plain call's ``(input tokens, output tokens, chunks sent, token events)``: what
    the whole answer costs and how long it is."""
    counting = Raising("never")
    inp, out = _provider_usage(server, mode, streaming=True)
    ledger = InMemoryLedger()
    _call(_routed(_openai(server, streaming=True), ledger), mode, [counting])
    req = _finished(server)
    assert not req.client_gone and req.chunks_sent > 1
    server.reset()
    return inp, out, req.chunks_sent, counting.tokens


def _stopped_early(row: Any, ledger: InMemoryLedger, inp: int, out: int) -> None:
    """An attempt a handler stopped mid-answer: ``abandoned``, its input estimated from what
    was sent, its output from the text received, paid less than the whole answer."""
    assert (row.tier, row.status, row.error_kind) == ("cheap", "abandoned", "abandoned")
    assert row.error is not None and "callback handler raised Boom" in row.error
    assert "estimated" in row.error
    assert row.input_tokens > 0 and 1 <= row.output_tokens < out
    assert 0.0 < (row.cost_usd or 0.0) < _cost("cheap", inp, out)
    assert ledger.reserved("global") == 0.0  # the call's budget hold is released


# -- a handler on the call raises while the provider answers --------------------------------


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_token_handler_raising_stops_the_openai_answer_there(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """As with a bare ``ChatOpenAI(streaming=True)``: the response is closed at the token
    the handler raised on, so the provider stops sending (and generating)."""
    inp, out, chunks, _ = _whole_openai_answer(openai_server, mode)
    openai_server.script(chunk_delay=PACE)
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=True), ledger)
    handler = Raising("on_llm_new_token", at=1)

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [handler])

    assert openai_server.models == [CHEAP] and handler.tokens == 1
    req = _finished(openai_server)
    assert req.client_gone and req.chunks_sent < chunks
    (row,) = ledger.records()
    _stopped_early(row, ledger, inp, out)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_token_handler_raising_stops_a_reporting_model_there(mode: str) -> None:
    ledger = InMemoryLedger()
    cheap = ReportingModel()
    model = _routed({"cheap": cheap, "strong": ReportingModel()}, ledger)

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [Raising("on_llm_new_token", at=3)])

    assert cheap.sent == list(TOKENS[:3])  # the model stopped at the third token
    (row,) = ledger.records()
    _stopped_early(row, ledger, USAGE["input_tokens"], USAGE["output_tokens"])
    assert row.output_tokens == estimate_tokens("".join(TOKENS[:3]))


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_usage_a_chunk_carried_before_the_handler_raised_is_used(mode: str) -> None:
    """A provider that reports its input on the first chunk (Anthropic): the record has the
    provider's numbers as far as they came, not an estimate."""
    ledger = InMemoryLedger()
    model = _routed({"cheap": ReportingModel(usage_first=True), "strong": ReportingModel()}, ledger)

    with pytest.raises(Boom):
        _call(model, mode, [Raising("on_llm_new_token", at=3)])

    (row,) = ledger.records()
    assert _rows(ledger) == [_paid("cheap", 100, 1, "abandoned")]
    assert row.error is not None and "estimated" not in row.error
    assert ledger.reserved("global") == 0.0


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_handler_error_is_no_provider_error_to_fall_back_on(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """With ``other`` errors set to fall back, the handler's error still ends the call: the
    caller's code raised, no provider failed (a second tier would be paid for nothing)."""
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=True), ledger, on=["other", "timeout"])

    with pytest.raises(Boom):
        _call(model, mode, [Raising("on_llm_new_token")])

    assert openai_server.models == [CHEAP]
    assert [(r.tier, r.status) for r in ledger.records()] == [("cheap", "abandoned")]
    assert ledger.reserved("global") == 0.0


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_handler_raising_on_the_usage_chunk_records_the_provider_s_usage(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """``ChatOpenAI``'s last token event is its usage chunk: a handler raising there leaves
    the provider's own numbers on the record; and the answer (a refusal here) is not
    checked, so never escalated: the caller gets the handler's error, not an answer."""
    openai_server.refuse(model=CHEAP)
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=True), ledger)

    with pytest.raises(Boom, match="usage"):
        _call(model, mode, [Raising("usage")])

    assert openai_server.models == [CHEAP]
    usage = _finished(openai_server).usage
    assert usage is not None
    (row,) = ledger.records()
    assert _rows(ledger) == [
        _paid("cheap", usage["prompt_tokens"], usage["completion_tokens"], "abandoned")
    ]
    assert row.error is not None and "estimated" not in row.error
    assert ledger.reserved("global") == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_end_handler_raising_keeps_the_usage(openai_server: FakeOpenAIServer, mode: str) -> None:
    """``on_llm_end`` comes after the router recorded the attempt."""
    inp, out = _provider_usage(openai_server, mode, streaming=False)
    openai_server.reset()
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=False), ledger)

    with pytest.raises(Boom, match="on_llm_end"):
        _call(model, mode, [Raising("on_llm_end")])

    assert _rows(ledger) == [_paid("cheap", inp, out)]


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_token_handler_raising_in_a_stream_is_an_abandoned_stream(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """In ``stream()`` LangChain raises the handler's error in its own loop and closes the
    router's stream, as a caller who stops reading does: the attempt is recorded as
    ``abandoned``, estimated from the text sent and received (the provider's usage comes
    last, and reading on would pay for the answer the caller stopped)."""
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=False), ledger)

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [Raising("on_llm_new_token")])

    (row,) = ledger.records()
    assert (row.tier, row.status) == ("cheap", "abandoned")
    assert row.input_tokens > 0 and row.output_tokens > 0 and (row.cost_usd or 0.0) > 0.0


# -- a handler on the inner model -------------------------------------------------------------


@pytest.mark.parametrize("event", ["on_llm_new_token", "on_llm_end"])
@pytest.mark.parametrize("mode", MODES)
def test_a_handler_on_the_inner_model_is_not_run(
    openai_server: FakeOpenAIServer, mode: str, event: str
) -> None:
    """The router calls the inner model's ``_generate`` / ``_stream``, not its public methods
    (which would open a second run): the inner model's own handlers are not called, so they
    cannot raise; the answer is recorded with the provider's usage."""
    inp, out = _provider_usage(openai_server, mode, streaming=True)
    openai_server.reset()
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=True, callbacks=[Raising(event)]), ledger)

    _call(model, mode, None)

    assert _rows(ledger) == [_paid("cheap", inp, out)]


def _v2_handler() -> Any:
    """A handler of LangChain's v2 streaming (``on_stream_event``; opt-in through a marker
    class): with one attached, ``invoke`` drives the router's ``_stream`` with its run, and the
    inner model's stream sends ``on_llm_new_token`` to the call's handlers."""
    streaming = pytest.importorskip("langchain_core.tracers._streaming")

    class V2(BaseCallbackHandler, streaming._V2StreamingCallbackHandler):  # type: ignore[misc,name-defined]
        def on_stream_event(self, *args: Any, **kwargs: Any) -> None:
            pass

    return V2()


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_token_handler_raising_in_a_v2_stream_stops_it_there(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    inp, out, chunks, _ = _whole_openai_answer(openai_server, mode)
    openai_server.script(chunk_delay=PACE)
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=False), ledger, on=["other", "timeout"])

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [_v2_handler(), Raising("on_llm_new_token")])

    assert openai_server.models == [CHEAP]
    req = _finished(openai_server)
    assert req.client_gone and req.chunks_sent < chunks
    (row,) = ledger.records()
    _stopped_early(row, ledger, inp, out)


# -- CostCallbackHandler on a plain model ---------------------------------------------------------


def test_a_cost_handler_listed_first_records_the_call_a_later_handler_breaks(
    openai_server: FakeOpenAIServer,
) -> None:
    """LangChain calls a run's handlers in the order given and stops at the first
    ``raise_error`` handler that raises: a :class:`CostCallbackHandler` listed after one that
    raises in ``on_llm_end`` never hears of the call (a documented limitation). Listed first,
    it records the call before the other handler raises."""
    from langchain_router import CostCallbackHandler

    ledger = InMemoryLedger()
    model = _openai(openai_server, streaming=False)["cheap"]

    with pytest.raises(Boom):
        model.invoke("hello there", config={"callbacks": [CostCallbackHandler(ledger), Raising("on_llm_end")]})

    (row,) = ledger.records()
    assert (row.status, row.model) == ("ok", CHEAP) and row.output_tokens > 0 and (row.cost_usd or 0) > 0
