"""What a failed attempt costs in the ledger: a known number unless its price is unknown.

A 500 or a 429 is not billed. Its record carried ``cost_usd=None``, the value that means
"unknown price" everywhere else, while the summary's ``unknown_cost_records`` said 0 and
``sum(r.cost_usd for r in records)`` raised ``TypeError``. It is now ``0.0``: ``None`` is
left for a cost that is not known, and every such record is counted as unpriced.

A malformed HTTP 200 (``bad_response``) was charged its input only, although the provider
generated, and billed, an answer the client could not read. It is now recorded as a request
sent and never answered: its input estimate plus the whole output budget, noted as an upper
bound (unless the provider's usage could be read).

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients (through ``RoutedChatModel`` /
``RoutedLLM``), and ``CostCallbackHandler`` on a plain ``ChatOpenAI``, against the loopback
server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from shared_core import Router, RouterConfig
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
ADAPTERS = ("langchain", "llamaindex")
UPPER = "upper bound"


def _cost(tier: str, n_in: int, n_out: int) -> float:
    inp, out = PRICES[tier]
    return (n_in * inp + n_out * out) / 1_000_000.0


WORST = _cost("cheap", SENT, MAX_TOKENS)


def _config() -> RouterConfig:
    tiers = [
        {"name": name, "model": model, "max_tokens": MAX_TOKENS,
         "input_price": PRICES[name][0], "output_price": PRICES[name][1]}
        for name, model in (("cheap", CHEAP), ("strong", STRONG))
    ]
    return RouterConfig.build({"tiers": tiers, "fallback": {"cooldown_s": 0}})


def _build(adapter: str, base_url: str) -> Any:
    classifier = FakeClassifier(default="cheap", labels=["cheap", "strong"])
    if adapter == "langchain":
        from langchain_openai import ChatOpenAI

        from langchain_router import RoutedChatModel

        def lc(model: str) -> ChatOpenAI:
            return ChatOpenAI(model=model, base_url=base_url, api_key="sk-test", max_retries=0,
                              http_async_client=httpx.AsyncClient())

        return RoutedChatModel(
            tiers={"cheap": lc(CHEAP), "strong": lc(STRONG)}, config=_config(),
            classifier=classifier, ledger=InMemoryLedger(),
        )
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def li(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=base_url, api_key="sk-test", max_retries=0)

    return RoutedLLM(
        tiers={"cheap": li(CHEAP), "strong": li(STRONG)}, config=_config(),
        classifier=classifier, ledger=InMemoryLedger(),
    )


def _plain(server: FakeOpenAIServer) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=CHEAP, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      max_tokens=MAX_TOKENS, http_async_client=httpx.AsyncClient())


@pytest.mark.parametrize("status", [500, 429])
@pytest.mark.parametrize("mode", ["invoke", "astream"])
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_failure_the_provider_does_not_bill_costs_a_known_zero(
    openai_server: FakeOpenAIServer, adapter: str, mode: str, status: int
) -> None:
    openai_server.fail(model=CHEAP, status=status)
    model = _build(adapter, openai_server.base_url)
    assert asyncio.run(run_adapter(adapter, model, mode, PROMPT)).startswith(f"Reply from {STRONG}")

    ledger = model.router.ledger
    failed, answered = ledger.records()
    assert (failed.status, failed.input_tokens, failed.output_tokens) == ("failed", 0, 0)
    assert failed.cost_usd == 0.0  # not billed: a known zero, not an unknown price
    assert answered.status == "ok" and answered.cost_usd is not None
    total = sum(r.cost_usd for r in ledger.records())  # no None among known costs
    assert total == pytest.approx(ledger.spend("global", 0.0))
    summary = ledger.summary()
    assert summary.unknown_cost_records == sum(r.cost_usd is None for r in ledger.records()) == 0
    assert summary.cost_usd == pytest.approx(total)


def test_the_cost_handler_records_an_unbilled_failure_at_zero(openai_server: FakeOpenAIServer) -> None:
    from langchain_router import CostCallbackHandler

    openai_server.fail(model=CHEAP, status=500)
    handler = CostCallbackHandler(router=Router(_config()))
    with pytest.raises(Exception, match="500"):
        _plain(openai_server).invoke(PROMPT, config={"callbacks": [handler]})
    [rec] = handler.ledger.records()
    assert (rec.status, rec.error_kind, rec.cost_usd) == ("failed", "server", 0.0)
    assert handler.ledger.summary().unknown_cost_records == 0


def test_an_unknown_price_is_none_and_counted(openai_server: FakeOpenAIServer) -> None:
    """The other side of the rule: a model the price table does not know keeps ``None``, and
    the summary counts it."""
    from langchain_openai import ChatOpenAI

    from langchain_router import CostCallbackHandler

    handler = CostCallbackHandler()  # no router, no prices for this model
    model = ChatOpenAI(model="no-such-model-x", base_url=openai_server.base_url, api_key="sk-test",
                       max_retries=0)
    model.invoke(PROMPT, config={"callbacks": [handler]})
    [rec] = handler.ledger.records()
    assert rec.status == "ok" and rec.cost_usd is None
    assert handler.ledger.summary().unknown_cost_records == 1


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_malformed_answer_is_recorded_at_its_worst_case(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    openai_server.fail(model=CHEAP, kind="malformed")
    model = _build(adapter, openai_server.base_url)
    assert asyncio.run(run_adapter(adapter, model, mode, PROMPT)).startswith(f"Reply from {STRONG}")

    first, second = model.router.ledger.records()
    assert (first.tier, first.status, first.error_kind) == ("cheap", "failed", "bad_response")
    # the provider generated an answer the client could not read: billed up to its budget
    assert (first.input_tokens, first.output_tokens) == (SENT, MAX_TOKENS)
    assert first.cost_usd == pytest.approx(WORST, rel=1e-12)
    assert UPPER in (first.error or "")
    assert (second.tier, second.status) == ("strong", "ok")


def test_the_cost_handler_records_a_malformed_answer_at_its_worst_case(
    openai_server: FakeOpenAIServer,
) -> None:
    from langchain_router import CostCallbackHandler

    openai_server.fail(model=CHEAP, kind="malformed")
    handler = CostCallbackHandler(router=Router(_config()))
    with pytest.raises(Exception):  # noqa: B017 - the SDK's own error for a body it cannot read
        _plain(openai_server).invoke(PROMPT, config={"callbacks": [handler]})
    [rec] = handler.ledger.records()
    assert (rec.status, rec.error_kind) == ("failed", "bad_response")
    assert (rec.input_tokens, rec.output_tokens) == (SENT, MAX_TOKENS)
    assert rec.cost_usd == pytest.approx(WORST, rel=1e-12)
    assert UPPER in (rec.error or "")


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_malformed_stream_counts_what_it_received(openai_server: FakeOpenAIServer, adapter: str) -> None:
    """A stream is not: its provider stops generating once the client leaves."""
    openai_server.fail(model=CHEAP, kind="malformed")
    model = _build(adapter, openai_server.base_url)
    assert asyncio.run(run_adapter(adapter, model, "stream", PROMPT)).startswith(f"Reply from {STRONG}")
    first = model.router.ledger.records()[0]
    assert (first.status, first.error_kind, first.output_tokens) == ("failed", "bad_response", 0)
    assert UPPER not in (first.error or "")
