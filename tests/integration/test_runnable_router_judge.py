"""``RunnableRouter``'s judge is recorded without a cost handler, in the call's A/B variant.

``RunnableRouter`` records its routes' model calls itself (``record_routes=True``, the
default), but its judge's call was left to "a ``CostCallbackHandler`` on the chain": with
none (the default use the recorder was built for) the judge's call reached no record, so
its cost was missing from spend, budgets and ``stats``; a shadow candidate's judge, paid by
the live call through the adapters, was only a note in ``metadata["shadow"]``. Now the
router writes the judge's calls as a record of the routed call (``call_id`` of the
decision, its variant, ``metadata["classifier_calls"]``), and a handler on the chain leaves
the judge to it (it is marked as the router's judge); with ``record_routes=False`` the
caller's handler records it, as before.

Real ``ChatOpenAI`` against the loopback server; costs from the usage the server reported.
"""

from __future__ import annotations

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter, chat_model_judge
from shared_core import Router
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import PriceTable, Usage
from shared_core.testing import FakeClassifier
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
JUDGE = {"tiers": TIERS, "classifier": {"type": "judge", "options": {"clamp": None}}}


def _cost(req) -> float:
    u = req.usage
    got = PriceTable().cost(req.model, Usage(u["prompt_tokens"], u["completion_tokens"]))
    assert got is not None
    return got


def _inner(server: FakeOpenAIServer, model: str) -> ChatOpenAI:
    # an async client of the test's own loop: langchain-openai's default one is shared by every loop of
    # the process, and a pooled connection of an earlier test's closed loop fails the first async call
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient())


def _judged(server: FakeOpenAIServer, ledger: InMemoryLedger) -> Router:
    server.script(model="gpt-4.1-nano", reply="STRONG")
    return Router(JUDGE, judge_complete=chat_model_judge(_inner(server, "gpt-4.1-nano")), ledger=ledger)


def _routes(server: FakeOpenAIServer, router, **kw) -> RunnableRouter:
    return RunnableRouter({"cheap": _inner(server, "gpt-4o-mini"), "strong": _inner(server, "gpt-4o")},
                          router=router, **kw)


@pytest.mark.parametrize("how", ["invoke", "ainvoke"])
async def test_the_judge_s_call_is_recorded_with_no_cost_handler(openai_server, how) -> None:
    ledger = InMemoryLedger()
    rr = _routes(openai_server, _judged(openai_server, ledger))
    if how == "invoke":
        rr.invoke("What is 2+2?")
    else:
        await rr.ainvoke("What is 2+2?")
    judge_req, tier_req = openai_server.chat_requests
    assert (judge_req.model, tier_req.model) == ("gpt-4.1-nano", "gpt-4o")
    assert ledger.summary().cost_usd == pytest.approx(_cost(judge_req) + _cost(tier_req), rel=1e-12)
    judge = next(r for r in ledger.records() if r.model == "gpt-4.1-nano")
    assert judge.cost_usd == pytest.approx(_cost(judge_req), rel=1e-12)
    assert judge.metadata["classifier_calls"][0]["model"] == "gpt-4.1-nano"


def test_a_cost_handler_on_the_chain_does_not_count_the_judge_twice(openai_server) -> None:
    ledger = InMemoryLedger()
    router = _judged(openai_server, ledger)
    rr = _routes(openai_server, router)
    rr.invoke("What is 2+2?", config={"callbacks": [CostCallbackHandler(router=router)]})
    judge_req, tier_req = openai_server.chat_requests
    assert sorted(r.model for r in ledger.records()) == ["gpt-4.1-nano", "gpt-4o"]
    assert ledger.summary().cost_usd == pytest.approx(_cost(judge_req) + _cost(tier_req), rel=1e-12)


def test_with_record_routes_off_the_caller_s_handler_records_the_judge(openai_server) -> None:
    ledger = InMemoryLedger()
    router = _judged(openai_server, ledger)
    rr = _routes(openai_server, router, record_routes=False)
    rr.invoke("What is 2+2?", config={"callbacks": [CostCallbackHandler(router=router)]})
    judge_req, tier_req = openai_server.chat_requests
    assert sorted(r.model for r in ledger.records()) == ["gpt-4.1-nano", "gpt-4o"]
    assert ledger.summary().cost_usd == pytest.approx(_cost(judge_req) + _cost(tier_req), rel=1e-12)


@pytest.mark.parametrize("mode", ["ab", "shadow"])
def test_a_variant_s_judge_is_recorded_in_the_call_s_variant(openai_server, mode) -> None:
    ledger = InMemoryLedger()
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    pair = VariantRouter(control, _judged(openai_server, ledger), names=("A", "B"), mode=mode, share=1.0)
    _routes(openai_server, pair).invoke("What is 2+2?")
    judge_req, tier_req = openai_server.chat_requests
    assert judge_req.model == "gpt-4.1-nano"
    live = "B" if mode == "ab" else "A"  # a shadow's judge is paid by the live call, the control's
    assert {r.variant for r in ledger.records()} == {live}
    assert ledger.summary().cost_usd == pytest.approx(_cost(judge_req) + _cost(tier_req), rel=1e-12)
