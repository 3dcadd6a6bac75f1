"""A user's callback handler that raises (``raise_error = True``) never costs the ledger a paid
answer.

LangChain raises the error of the first ``raise_error`` handler at once, from whatever event
it handled. The router passes its run to the inner model, and a model that streams
internally (``ChatOpenAI(streaming=True)``, any ``_generate`` that reports tokens) sends
``on_llm_new_token`` while the provider answers: a handler raising there ended the attempt
before its usage arrived, and the ledger said "failed, 0 tokens, $0" for an answer the
provider had billed (and with ``other`` in ``fallback.on`` the router paid a second tier).

Each cell: the caller still gets the handler's own error, and the attempt's record carries
the provider's input and output tokens and their cost. Real ``ChatOpenAI`` against the
loopback server, and a plain chat model that reports its usage.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel
from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
PRICES = {"cheap": (0.15, 0.60), "strong": (2.50, 10.00)}
USAGE = {"input_tokens": 100, "output_tokens": 50, "total_tokens": 150}
"""What :class:`ReportingModel`'s provider says it used."""
MODES = ("invoke", "ainvoke", "stream", "astream")


class Boom(Exception):
    """The user's handler error."""


class Raising(BaseCallbackHandler):
    """A handler that raises on one event, and LangChain passes its error on."""

    raise_error = True

    def __init__(self, event: str) -> None:
        self.event = event

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if self.event == "on_llm_new_token":
            raise Boom(self.event)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        if self.event == "on_llm_end":
            raise Boom(self.event)


class ReportingModel(BaseChatModel):
    """A provider that answers with its usage and reports each token as it goes, as models
    that stream internally do."""

    @property
    def _llm_type(self) -> str:
        return "reporting"

    def _generate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        for token in ("hello", " world"):
            if run_manager is not None:
                run_manager.on_llm_new_token(token)
        message = AIMessage("hello world", usage_metadata=USAGE)  # type: ignore[arg-type]
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        for token in ("hello", " world"):
            if run_manager is not None:
                await run_manager.on_llm_new_token(token)
        message = AIMessage("hello world", usage_metadata=USAGE)  # type: ignore[arg-type]
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


def _paid(tier: str, inp: int, out: int) -> tuple[Any, ...]:
    cost = (inp * PRICES[tier][0] + out * PRICES[tier][1]) / 1_000_000.0
    return (tier, "ok", inp, out, pytest.approx(cost, rel=1e-12))


def _provider_usage(server: FakeOpenAIServer, mode: str, *, streaming: bool) -> tuple[int, int]:
    """The tokens the loopback provider reports for this call, read from a plain call."""
    ledger = InMemoryLedger()
    _call(_routed(_openai(server, streaming=streaming), ledger), mode, None)
    (row,) = ledger.records()
    assert row.status == "ok" and row.error is None  # its usage, not an estimate
    return row.input_tokens, row.output_tokens


# -- a handler on the call raises while the provider answers --------------------------------


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_token_handler_raising_keeps_the_openai_answer_s_usage(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    inp, out = _provider_usage(openai_server, mode, streaming=True)
    openai_server.reset()
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=True), ledger)

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [Raising("on_llm_new_token")])

    assert openai_server.models == [CHEAP]
    assert _rows(ledger) == [_paid("cheap", inp, out)]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_token_handler_raising_keeps_a_reporting_model_s_usage(mode: str) -> None:
    ledger = InMemoryLedger()
    model = _routed({"cheap": ReportingModel(), "strong": ReportingModel()}, ledger)

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [Raising("on_llm_new_token")])

    assert _rows(ledger) == [_paid("cheap", 100, 50)]


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
    assert [(r.tier, r.status) for r in ledger.records()] == [("cheap", "ok")]


def test_a_handler_error_skips_the_answer_checks(openai_server: FakeOpenAIServer) -> None:
    """An answer the caller never gets is not checked, so never escalated (a refusal here
    would otherwise call the strong tier after the handler's error)."""
    openai_server.refuse(model=CHEAP)
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=True), ledger)

    with pytest.raises(Boom):
        _call(model, "invoke", [Raising("on_llm_new_token")])

    assert openai_server.models == [CHEAP]
    assert [(r.tier, r.status) for r in ledger.records()] == [("cheap", "ok")]


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
def test_token_handler_raising_in_a_v2_stream_keeps_the_usage(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    inp, out = _provider_usage(openai_server, mode, streaming=True)
    openai_server.reset()
    ledger = InMemoryLedger()
    model = _routed(_openai(openai_server, streaming=False), ledger, on=["other", "timeout"])

    with pytest.raises(Boom, match="on_llm_new_token"):
        _call(model, mode, [_v2_handler(), Raising("on_llm_new_token")])

    assert openai_server.models == [CHEAP]
    assert _rows(ledger) == [_paid("cheap", inp, out)]


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
