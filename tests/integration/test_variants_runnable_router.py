"""A/B and shadow through ``RunnableRouter(router=VariantRouter(...))``.

``RunnableRouter`` takes any router with a config, and a ``VariantRouter`` has one, so an
A/B test of routed chains runs; but its routes' model calls are recorded by a cost handler,
which knew nothing of the variant: every record had ``variant=None``, which
``stats --by variant`` reads as ``control``. A probe with ``share=1.0`` had the candidate
answer every call and every record counted for the control; in shadow mode the candidate's
decision was nowhere in the ledger; a call refused by the hard budget before any decision
was recorded with no variant either (a third, phantom ``control`` beside variants named
``A`` and ``B``).

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import RunnableRouter
from shared_core import BudgetExceededError, Router
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from shared_core.variant_stats import compare_variants
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]


def _pair(ledger: InMemoryLedger, config: dict[str, Any] | None = None, **kw: Any) -> VariantRouter:
    cfg = {"tiers": TIERS, **(config or {})}
    control = Router(cfg, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    candidate = Router(cfg, classifier=FakeClassifier(default="strong"), ledger=ledger)
    return VariantRouter(control, candidate, names=("A", "B"), **kw)  # type: ignore[arg-type]


def _routes(server: FakeOpenAIServer) -> dict[str, ChatOpenAI]:
    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                          http_async_client=httpx.AsyncClient())

    return {"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}


@pytest.mark.parametrize("how", ["invoke", "ainvoke", "stream"])
async def test_ab_records_of_a_runnable_router_carry_their_variant(openai_server, how: str) -> None:
    ledger = InMemoryLedger()
    rr = RunnableRouter(_routes(openai_server), router=_pair(ledger, share=1.0))
    if how == "invoke":
        rr.invoke("hi")
    elif how == "ainvoke":
        await rr.ainvoke("hi")
    else:
        list(rr.stream("hi"))
    assert openai_server.models == ["gpt-4o"]  # the candidate decided and its route answered
    assert [(r.variant, r.tier) for r in ledger.records()] == [("B", "strong")]
    assert set(compare_variants(ledger.records(), [], control="B").variants) == {"B"}


def test_shadow_decision_reaches_a_runnable_router_s_records(openai_server) -> None:
    ledger = InMemoryLedger()
    rr = RunnableRouter(_routes(openai_server), router=_pair(ledger, mode="shadow"))
    rr.invoke("hi")
    assert openai_server.models == ["gpt-4o-mini"]  # nothing called for the candidate
    (rec,) = ledger.records()
    assert (rec.variant, rec.tier) == ("A", "cheap")
    assert rec.metadata["shadow"]["variant"] == "B"
    assert (rec.metadata["shadow"]["tier"], rec.metadata["shadow"]["model"]) == ("strong", "gpt-4o")


def test_a_call_refused_before_deciding_is_recorded_in_its_user_s_variant(openai_server) -> None:
    ledger = InMemoryLedger()
    limit = {"budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 1e-9}]}}
    rr = RunnableRouter(_routes(openai_server), router=_pair(ledger, limit, share=1.0))
    rr.invoke("hi", config={"configurable": {"user": "u1"}})  # spends past the limit
    with pytest.raises(BudgetExceededError):
        rr.invoke("hi", config={"configurable": {"user": "u1"}})
    assert [(r.variant, r.status) for r in ledger.records()] == [("B", "ok"), ("B", "refused")]
    # no user, no thread: the variant that would have decided is unknown; never a third one
    with pytest.raises(BudgetExceededError):
        rr.invoke("hi")
    assert ledger.records()[-1].variant in ("A", "B")
