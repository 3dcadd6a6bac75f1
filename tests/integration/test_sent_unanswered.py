"""A non-streamed attempt sent to the provider and lost on the client side without an answer
is recorded at its worst case; one never sent costs nothing.

A client read timeout, a caller's cancellation (``asyncio.wait_for`` around ``ainvoke``), a
connection reset after the request was written: the provider usually finishes and bills
such a request, and the client never learns what it cost. It used to be recorded at its
input tokens (or $0 for a reset) and its hold released at once, so a slow provider served
several times a hard limit. Its record now carries what its hold held: the request's
estimated input plus the output budget it was sent with, noted as an upper bound, so spend
and budgets count it. A request never sent (connection refused) stays at no cost. Streams
keep counting what was received (a provider stops generating when the client leaves).

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients against the loopback server.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx
import pytest

from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.adapter_calls import run_adapter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
PRICES = {"cheap": (100.0, 200.0), "strong": (300.0, 600.0)}  # USD per 1M tokens
MAX_TOKENS = 64
PROMPT = "What is the capital of France?"
SENT = len(PROMPT) // 4 + 4  # the request's estimated input tokens (one message)
CLIENT_TIMEOUT = 0.5
SLOW = 1.5  # the provider answers in full this long after the request, client gone or not
ADAPTERS = ("langchain", "llamaindex")
UPPER = "upper bound"


def _cost(tier: str, n_in: int, n_out: int) -> float:
    inp, out = PRICES[tier]
    return (n_in * inp + n_out * out) / 1_000_000.0


WORST = _cost("cheap", SENT, MAX_TOKENS)  # what the call's hold reserved for the cheap tier


def _config(*, fallback: bool = True, limit: float | None = None, cap: float | None = None) -> RouterConfig:
    tiers = [
        {"name": name, "model": model, "max_tokens": MAX_TOKENS,
         "input_price": PRICES[name][0], "output_price": PRICES[name][1]}
        for name, model in (("cheap", CHEAP), ("strong", STRONG))
    ]
    raw: dict[str, Any] = {"tiers": tiers, "fallback": {"cooldown_s": 0}}
    if not fallback:
        raw["fallback"]["on"] = []
    budget: dict[str, Any] = {}
    if limit is not None:
        budget["limits"] = [{"scope": "global", "period": "day", "limit_usd": limit}]
    if cap is not None:
        budget["per_request_cap_usd"] = cap
    if budget:
        raw["budget"] = budget
    return RouterConfig.build(raw)


def _build(adapter: str, base_url: str, config: RouterConfig) -> Any:
    classifier = FakeClassifier(default="cheap", labels=["cheap", "strong"])
    if adapter == "langchain":
        from langchain_openai import ChatOpenAI

        from langchain_router import RoutedChatModel

        def lc(model: str) -> ChatOpenAI:
            return ChatOpenAI(
                model=model, base_url=base_url, api_key="sk-test", max_retries=0,
                timeout=CLIENT_TIMEOUT, http_async_client=httpx.AsyncClient(timeout=CLIENT_TIMEOUT),
            )

        return RoutedChatModel(
            tiers={"cheap": lc(CHEAP), "strong": lc(STRONG)}, config=config,
            classifier=classifier, ledger=InMemoryLedger(),
        )
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def li(model: str) -> OpenAI:
        return OpenAI(
            model=model, api_base=base_url, api_key="sk-test", max_retries=0, timeout=CLIENT_TIMEOUT
        )

    return RoutedLLM(
        tiers={"cheap": li(CHEAP), "strong": li(STRONG)}, config=config,
        classifier=classifier, ledger=InMemoryLedger(),
    )


async def _run(adapter: str, model: Any, mode: str) -> str:
    return await run_adapter(adapter, model, mode, PROMPT)


def _served(server: FakeOpenAIServer) -> float:
    """What the provider billed: the usage of every request it answered (client gone or not)."""
    for req in server.chat_requests:
        req.done.wait(SLOW + 3)
    return sum(
        _cost("cheap" if r.model == CHEAP else "strong", r.usage["prompt_tokens"], r.usage["completion_tokens"])
        for r in server.chat_requests if r.usage
    )


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_read_timeout_is_recorded_at_the_worst_case_the_hold_used(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    openai_server.script(model=CHEAP, reply="word " * 60, delay=SLOW)
    model = _build(adapter, openai_server.base_url, _config())

    assert (await _run(adapter, model, mode)).startswith(f"Reply from {STRONG}")

    first, second = model.router.ledger.records()
    assert (first.tier, first.status, first.error_kind) == ("cheap", "failed", "timeout")
    assert (first.input_tokens, first.output_tokens) == (SENT, MAX_TOKENS)
    assert first.cost_usd == pytest.approx(WORST, rel=1e-12)
    assert UPPER in (first.error or "")
    assert (second.tier, second.status, second.fallback) == ("strong", "ok", True)
    # the provider finished the timed-out request and billed it: the ledger counted no less
    assert model.router.ledger.spend("global", 0.0) >= _served(openai_server) - 1e-12


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_reset_after_the_request_was_written_is_recorded_at_the_worst_case(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    openai_server.fail(model=CHEAP, kind="reset")  # the server read the request, then RST
    model = _build(adapter, openai_server.base_url, _config())

    assert (await _run(adapter, model, mode)).startswith(f"Reply from {STRONG}")

    first = model.router.ledger.records()[0]
    assert (first.tier, first.status, first.error_kind) == ("cheap", "failed", "connection")
    assert (first.input_tokens, first.output_tokens) == (SENT, MAX_TOKENS)
    assert first.cost_usd == pytest.approx(WORST, rel=1e-12)
    assert UPPER in (first.error or "")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: connections are refused


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_request_never_sent_costs_nothing(adapter: str, mode: str) -> None:
    model = _build(adapter, f"http://127.0.0.1:{_closed_port()}/v1", _config(fallback=False))

    with pytest.raises(Exception):  # noqa: B017 - whichever connection error the client raises
        await _run(adapter, model, mode)

    [rec] = model.router.ledger.records()
    assert (rec.status, rec.error_kind) == ("failed", "connection")
    assert (rec.input_tokens, rec.output_tokens, rec.cost_usd) == (0, 0, 0.0)  # not billed: a known zero
    assert UPPER not in (rec.error or "")


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_cancelled_call_is_recorded_at_the_worst_case(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """A web handler's ``asyncio.wait_for`` around a non-streamed call: the request was sent
    and the provider answers in full after the caller left."""
    openai_server.script(model=CHEAP, reply="word " * 60, delay=0.6)
    model = _build(adapter, openai_server.base_url, _config())

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(_run(adapter, model, "ainvoke"), 0.3)

    [rec] = model.router.ledger.records()
    assert (rec.tier, rec.status, rec.error_kind) == ("cheap", "abandoned", "abandoned")
    assert (rec.input_tokens, rec.output_tokens) == (SENT, MAX_TOKENS)
    assert rec.cost_usd == pytest.approx(WORST, rel=1e-12)
    assert UPPER in (rec.error or "")
    assert model.router.ledger.reserved("global") == 0.0  # the hold was let go behind it
    assert model.router.ledger.spend("global", 0.0) >= _served(openai_server) - 1e-12


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_stream_that_times_out_before_its_first_chunk_counts_what_it_received(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """A provider stops generating when the client leaves a stream: its input only."""
    openai_server.script(model=CHEAP, first_chunk_delay=SLOW)
    model = _build(adapter, openai_server.base_url, _config())

    assert (await _run(adapter, model, mode)).startswith(f"Reply from {STRONG}")

    first = model.router.ledger.records()[0]
    assert (first.tier, first.status, first.error_kind) == ("cheap", "failed", "timeout")
    assert (first.input_tokens, first.output_tokens) == (SENT, 0)
    assert UPPER not in (first.error or "")


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_fallback_after_a_timeout_sees_its_worst_case_against_the_cap(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """The cap fits the cheap tier's worst case and the strong tier's, one at a time; not
    both: the timed-out attempt may be billed in full, so the fallback is not tried."""
    strong_worst = _cost("strong", SENT, MAX_TOKENS)
    openai_server.script(model=CHEAP, delay=SLOW)
    model = _build(adapter, openai_server.base_url, _config(cap=max(WORST, strong_worst) + WORST / 2))

    with pytest.raises(Exception):  # noqa: B017 - the policy's error for a blocked fallback
        await _run(adapter, model, "invoke")

    assert openai_server.models == [CHEAP]
    first = model.router.ledger.records()[0]
    assert (first.status, first.error_kind, first.cost_usd) == ("failed", "timeout", pytest.approx(WORST))


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_hard_limit_holds_against_a_provider_that_answers_after_the_timeout(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """Every cheap attempt times out and is billed in full later; the strong tier answers.
    What the provider served stays within the limit and the ledger counts no less."""
    openai_server.script(model=CHEAP, reply="word " * 60, delay=0.8)
    limit = 0.1
    model = _build(adapter, openai_server.base_url, _config(limit=limit))
    for _ in range(40):
        try:
            await _run(adapter, model, "invoke")
        except Exception:  # refused by the budget (the policy's error type)
            break
    time.sleep(0.1)
    served = _served(openai_server)
    spend = model.router.ledger.spend("global", 0.0)
    assert served <= limit
    assert spend >= served - 1e-12
    assert spend <= limit


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_fallback_that_fits_beside_the_timed_out_attempt_is_made(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """The cheap attempt times out (recorded at its worst case); the strong tier's worst case
    fits in what is left of the limit, so the fallback runs. While a call runs the ledger
    counts its records and its hold both: the extension asked for the attempt's spend again
    (spent + next - held), so the fallback needed room for the timed-out attempt twice."""
    openai_server.script(model=CHEAP, reply="word " * 60, delay=SLOW)
    openai_server.script(model=STRONG, reply="Paris.")
    strong_worst = _cost("strong", SENT, MAX_TOKENS)
    limit = (WORST + strong_worst) * 1.05  # both fit once, not the cheap one twice
    model = _build(adapter, openai_server.base_url, _config(limit=limit))
    assert "Paris" in await _run(adapter, model, "invoke")
    statuses = [(r.tier, r.status) for r in model.router.ledger.records()]
    assert statuses == [("cheap", "failed"), ("strong", "ok")]
    assert model.router.ledger.spend("global", 0.0) <= limit
