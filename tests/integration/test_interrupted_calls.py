"""Calls the caller stops half-way (a cancelled task, Ctrl-C) leave a record and no hold.

A web server cancels the task of a client that went away; a user presses Ctrl-C in a script.
If that happens while the provider is answering, the request has been sent and may be billed:
the attempt must be recorded (``abandoned``; a non-streamed one at its worst case, the text
sent plus its whole output budget, as the provider may finish and bill it) and the
call's budget reservation released at once, not ``reservation_ttl_s`` later. Otherwise every
cancelled call holds its most likely-maximal cost for ten minutes, and a busy server with a
hard limit refuses calls for money nobody spends.

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients against the loopback server; each cell
cancels (or interrupts) at one await point: while the provider answers, while an escalation
answers, and while the ledger takes the reservation.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.ledger.base import LimitCheck, Refusal
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
PRICES = {"cheap": (0.15, 0.60), "strong": (2.50, 10.00)}
SLOW_S = 1.5  # how long the slow ledger takes to reply
PROVIDER_S = 30.0  # how long the provider takes (the server's reset at teardown wakes it)
ADAPTERS = ("langchain", "llamaindex")
SENT = len("hello") // 4 + 4  # the request's estimated input tokens: its text + one message


class SlowReplyLedger(InMemoryLedger):
    """A ledger whose reservation is taken at once but whose reply is slow (a database round
    trip that committed before the caller was cancelled)."""

    async def areserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        out = self.reserve(reservation_id, amount, limits, ttl_s)
        await asyncio.sleep(SLOW_S)
        return out


def _config(**escalation: Any) -> RouterConfig:
    return RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": CHEAP, "max_tokens": 64,
                 "input_price": PRICES["cheap"][0], "output_price": PRICES["cheap"][1]},
                {"name": "strong", "model": STRONG, "max_tokens": 256,
                 "input_price": PRICES["strong"][0], "output_price": PRICES["strong"][1]},
            ],
            "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]},
            **({"escalation": escalation} if escalation else {}),
        }
    )


def _build(adapter: str, server: FakeOpenAIServer, ledger: InMemoryLedger, **esc: Any) -> Any:
    classifier = FakeClassifier(default="cheap", labels=["cheap", "strong"])
    if adapter == "langchain":
        from langchain_openai import ChatOpenAI

        from langchain_router import RoutedChatModel

        def lc(model: str) -> ChatOpenAI:
            return ChatOpenAI(
                model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                timeout=30, http_async_client=httpx.AsyncClient(),
            )

        return RoutedChatModel(
            tiers={"cheap": lc(CHEAP), "strong": lc(STRONG)}, config=_config(**esc),
            classifier=classifier, ledger=ledger,
        )
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def li(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0, timeout=30)

    return RoutedLLM(
        tiers={"cheap": li(CHEAP), "strong": li(STRONG)}, config=_config(**esc),
        classifier=classifier, ledger=ledger,
    )


def _ainvoke(adapter: str, model: Any) -> Any:
    if adapter == "langchain":
        return model.ainvoke("hello")
    from llama_index.core.base.llms.types import ChatMessage

    return model.achat([ChatMessage(role="user", content="hello")])


async def _astream(adapter: str, model: Any) -> str:
    if adapter == "langchain":
        return "".join([c.text async for c in model.astream("hello")])
    from llama_index.core.base.llms.types import ChatMessage

    gen = await model.astream_chat([ChatMessage(role="user", content="hello")])
    return "".join([r.delta or "" async for r in gen])


def _invoke(adapter: str, model: Any) -> Any:
    if adapter == "langchain":
        return model.invoke("hello")
    from llama_index.core.base.llms.types import ChatMessage

    return model.chat([ChatMessage(role="user", content="hello")])


async def _cancel_after(coro: Any, wait: Callable[[], bool], limit_s: float = 5.0) -> None:
    """Run ``coro`` as a task, cancel it once ``wait()`` is true, and let it unwind."""
    task = asyncio.ensure_future(coro)
    for _ in range(int(limit_s / 0.01)):
        if wait():
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # the request is on the wire (or the reservation in flight)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


BUDGET = {"cheap": 64, "strong": 256}  # the tiers' max_tokens


def _worst(tier: str) -> float:
    return (SENT * PRICES[tier][0] + BUDGET[tier] * PRICES[tier][1]) / 1_000_000.0


def _abandoned(tier: str, attempt: int) -> dict[str, Any]:
    """The record of a non-streamed attempt the caller stopped before any answer arrived: it
    was sent, and the provider may finish and bill it, so its worst case (what its hold
    reserved): the request's estimated tokens plus the tier's whole output budget."""
    return {
        "tier": tier, "attempt": attempt, "status": "abandoned", "error_kind": "abandoned",
        "input_tokens": SENT, "output_tokens": BUDGET[tier], "cost_usd": _worst(tier),
    }


def _rows(ledger: InMemoryLedger) -> list[dict[str, Any]]:
    keys = ("tier", "attempt", "status", "error_kind", "input_tokens", "output_tokens", "cost_usd")
    return [{k: getattr(r, k) for k in keys} for r in ledger.records()]


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_call_cancelled_while_the_provider_answers(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    openai_server.script(model=CHEAP, delay=PROVIDER_S)
    ledger = InMemoryLedger()
    model = _build(adapter, openai_server, ledger)

    await _cancel_after(_ainvoke(adapter, model), lambda: bool(openai_server.models))

    assert openai_server.models == [CHEAP]
    assert _rows(ledger) == [_abandoned("cheap", 0)]
    assert ledger.reserved("global") == 0.0
    assert ledger.spend("global", 0.0) == pytest.approx(_worst("cheap"), rel=1e-12)
    assert "upper bound" in (ledger.records()[0].error or "")


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_call_cancelled_while_its_escalation_answers(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    openai_server.refuse(model=CHEAP)
    openai_server.script(model=STRONG, delay=PROVIDER_S)
    ledger = InMemoryLedger()
    model = _build(adapter, openai_server, ledger)

    await _cancel_after(_ainvoke(adapter, model), lambda: len(openai_server.models) == 2)

    rows = _rows(ledger)
    assert [(r["tier"], r["status"]) for r in rows] == [("cheap", "rejected"), ("strong", "abandoned")]
    assert rows[1] == _abandoned("strong", 1)
    assert ledger.reserved("global") == 0.0


@pytest.mark.parametrize("mode", ["ainvoke", "astream"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_call_cancelled_while_the_ledger_reserves(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """Nothing reached a provider: no record, and the reservation that did land is let go."""
    ledger = SlowReplyLedger()
    model = _build(adapter, openai_server, ledger)
    run = _ainvoke(adapter, model) if mode == "ainvoke" else _astream(adapter, model)

    await _cancel_after(run, lambda: ledger.reserved("global") > 0.0)
    for _ in range(int((SLOW_S + 2.0) / 0.05)):  # the ledger's reply comes back, then the release
        if ledger.reserved("global") == 0.0:
            break
        await asyncio.sleep(0.05)

    assert openai_server.models == []
    assert ledger.records() == []
    assert ledger.reserved("global") == 0.0


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_stream_cancelled_while_its_escalation_reserves(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """An empty stream escalates; the caller goes away while the escalation's (larger)
    reservation is in flight: the empty attempt stays recorded and the hold is let go."""
    openai_server.script(model=CHEAP, reply="")
    ledger = SlowReplyLedger()
    model = _build(adapter, openai_server, ledger)

    async def run() -> str:
        return await _astream(adapter, model)

    def escalating() -> bool:
        return bool(ledger.records())

    # the first reservation is slow too: cancel only once the cheap attempt is recorded
    await _cancel_after(run(), escalating, limit_s=SLOW_S + 3.0)
    for _ in range(int((SLOW_S + 2.0) / 0.05)):
        if ledger.reserved("global") == 0.0:
            break
        await asyncio.sleep(0.05)

    assert openai_server.models == [CHEAP]
    assert [(r.tier, r.status) for r in ledger.records()] == [("cheap", "rejected")]
    assert ledger.reserved("global") == 0.0


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to the main thread")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_ctrl_c_while_the_provider_answers(openai_server: FakeOpenAIServer, adapter: str) -> None:
    """Ctrl-C (SIGINT) while a sync call waits for the provider: KeyboardInterrupt reaches the
    caller, and the attempt is recorded and its hold released on the way out."""
    openai_server.script(model=CHEAP, delay=PROVIDER_S)
    ledger = InMemoryLedger()
    model = _build(adapter, openai_server, ledger)
    main = threading.get_ident()
    returned = threading.Event()

    def interrupt() -> None:
        for _ in range(500):
            if openai_server.models:
                break
            threading.Event().wait(0.01)
        threading.Event().wait(0.1)
        if not returned.is_set():  # never interrupt pytest itself
            signal.pthread_kill(main, signal.SIGINT)

    # A job started in the background without job control (`cmd &` in a script, nohup, some CI
    # runners) inherits SIGINT as ignored, and Python then installs no handler: Ctrl-C would
    # never reach the call. Restore Python's own handler for the test, as a terminal has it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Thread(target=interrupt, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            _invoke(adapter, model)
    finally:
        returned.set()
        signal.signal(signal.SIGINT, previous)

    assert openai_server.models == [CHEAP]
    assert _rows(ledger) == [_abandoned("cheap", 0)]
    assert ledger.reserved("global") == 0.0
