"""A slow shadow candidate never holds up the live call beyond ``shadow_timeout_s``.

In shadow mode the candidate decided first, inline, with no limit: a candidate whose
classifier took 1.5 s (a judge on a slow provider, a stuck embedding endpoint) added 1.5 s
to every live call, sync and async, through both adapters. Now the live call waits for the
shadow's decision at most ``VariantRouter(shadow_timeout_s=...)`` (default 1.0 s); a shadow
that has not decided by then is recorded as a shadow failure (``metadata["shadow"]["error"]``),
the control answers, and nothing is called on the candidate's behalf.

Real ``ChatOpenAI`` / llama-index ``OpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from langchain_openai import ChatOpenAI
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import Router
from shared_core.errors import ConfigError
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
SLOW_S = 1.5


class Slow(FakeClassifier):
    """A candidate classifier that takes ``SLOW_S`` to decide (sync and async)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.done = threading.Event()

    def classify(self, request):
        time.sleep(SLOW_S)
        self.done.set()
        return super().classify(request)

    async def aclassify(self, request):
        await asyncio.sleep(SLOW_S)
        self.done.set()
        return super().classify(request)


def _shadow(ledger, **kw):
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    candidate = Router({"tiers": TIERS}, classifier=Slow(default="strong"), ledger=ledger)
    return VariantRouter(control, candidate, mode="shadow", **kw)


def _adapters(server: FakeOpenAIServer, router: VariantRouter):
    base = server.base_url
    llm = RoutedLLM(tiers={
        "cheap": OpenAI(model="gpt-4o-mini", api_base=base, api_key="sk-test", max_retries=0),
        "strong": OpenAI(model="gpt-4o", api_base=base, api_key="sk-test", max_retries=0),
    }, router=router)

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=base, api_key="sk-test", max_retries=0,
                          http_async_client=httpx.AsyncClient())

    chat = RoutedChatModel(tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, router=router)
    return llm, chat


async def test_a_slow_shadow_delays_no_live_call_beyond_its_bound(openai_server) -> None:
    ledger = InMemoryLedger()
    router = _shadow(ledger, shadow_timeout_s=0.2)
    llm, chat = _adapters(openai_server, router)
    took = []
    for call in (lambda: llm.complete("hi"), lambda: chat.invoke("hi")):
        t0 = time.perf_counter()
        call()
        took.append(time.perf_counter() - t0)
    for acall in (lambda: llm.acomplete("hi"), lambda: chat.ainvoke("hi")):
        t0 = time.perf_counter()
        await acall()
        took.append(time.perf_counter() - t0)
    assert max(took) < 0.2 + 0.8 < SLOW_S, took  # the bound plus the call itself, not 1.5 s more
    assert openai_server.models == ["gpt-4o-mini"] * 4  # the control answered; nothing for the shadow
    recs = ledger.records()
    assert [(r.variant, r.tier, r.status) for r in recs] == [("control", "cheap", "ok")] * 4
    for r in recs:
        assert r.metadata["shadow"]["variant"] == "candidate"
        assert "no decision within 0.2 s" in r.metadata["shadow"]["error"]


def test_a_shadow_within_its_bound_is_recorded_as_before(openai_server) -> None:
    ledger = InMemoryLedger()
    llm, _ = _adapters(openai_server, _shadow(ledger, shadow_timeout_s=SLOW_S + 2.0))
    llm.complete("hi")
    (rec,) = ledger.records()
    assert rec.metadata["shadow"]["tier"] == "strong" and "error" not in rec.metadata["shadow"]


def test_the_bound_is_checked_when_built() -> None:
    ledger = InMemoryLedger()
    for bad in (0, -1.0, float("nan"), "1"):
        with pytest.raises(ConfigError, match="shadow_timeout_s"):
            _shadow(ledger, shadow_timeout_s=bad)
    assert _shadow(ledger).shadow_timeout_s == 1.0
    assert _shadow(ledger, shadow_timeout_s=None).shadow_timeout_s is None  # waits for it


class SlowJudge(FakeClassifier):
    """A candidate that asks an LLM judge (1000 + 5 tokens on gpt-4o-mini) and answers late."""

    def classify(self, request):
        from shared_core.classifiers.base import Classification

        time.sleep(0.6)
        base = super().classify(request)
        calls = [{"model": "gpt-4o-mini", "input_tokens": 1000, "output_tokens": 5}]
        return Classification(scores=base.scores, confidence=base.confidence, classifier="judge",
                               extra={"llm_calls": calls})


def test_a_late_shadow_judge_s_cost_is_recorded_not_only_said(openai_server) -> None:
    """It was only logged ("in no ledger record"); now it is a record of the live call
    (tests/integration/test_late_shadow_judge.py has a real judge on the loopback server)."""
    ledger = InMemoryLedger()
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    candidate = Router({"tiers": TIERS}, classifier=SlowJudge(default="strong"), ledger=ledger)
    llm, _ = _adapters(openai_server, VariantRouter(control, candidate, mode="shadow", shadow_timeout_s=0.1))
    llm.complete("hi")
    (rec,) = ledger.records()
    assert "no decision within 0.1 s" in rec.metadata["shadow"]["error"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(ledger.records()) < 2:
        time.sleep(0.05)
    live, late = sorted(ledger.records(), key=lambda r: r.attempt)
    assert live is not late and (late.call_id, late.error_kind) == (rec.call_id, "late_shadow_judge")
    assert late.cost_usd == pytest.approx((1000 * 0.15 + 5 * 0.60) / 1e6, rel=1e-12)  # gpt-4o-mini
