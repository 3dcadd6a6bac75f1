"""``RunnableRouter``'s judge calls that fail or are cancelled are recorded, exactly once.

The router records its judge's *answered* calls itself (``tests/integration/
test_runnable_router_judge.py``); a judge call that failed or was cancelled was recorded only
when the caller had put a ``CostCallbackHandler`` on the chain. With none, the default use:
a 500 from the judge, or an ``ainvoke`` cancelled while the judge's request was in flight (sent,
so the provider may bill it), reached no record at all. Now the router's own recorder records
those runs when no handler on the call does: a failure the provider did not bill at $0
(``failed``), a cancelled request at its worst case (``abandoned``: what was sent, and the
judge's whole ``max_tokens``), as the ledger's accounting rules say; with a caller's handler,
that handler records them and the router does not, so each is one record either way.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter, chat_model_judge
from shared_core import Router
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
JUDGE = {"tiers": TIERS, "classifier": {"type": "judge", "options": {"clamp": None}}}
NANO = "gpt-4.1-nano"


def _inner(server: FakeOpenAIServer, model: str) -> ChatOpenAI:
    # a client of its own: the default one is shared across tests' event loops
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient())


def _setup(server: FakeOpenAIServer, handler: bool):
    ledger = InMemoryLedger()
    router = Router(JUDGE, judge_complete=chat_model_judge(_inner(server, NANO)), ledger=ledger)
    rr = RunnableRouter({"cheap": _inner(server, "gpt-4o-mini"), "strong": _inner(server, "gpt-4o")},
                        router=router)
    config = {"callbacks": [CostCallbackHandler(router=router)]} if handler else None
    return ledger, rr, config


@pytest.mark.parametrize("handler", [False, True], ids=["no handler", "caller's handler"])
@pytest.mark.parametrize("how", ["invoke", "ainvoke"])
async def test_a_failed_judge_call_is_one_record_at_zero(openai_server, handler, how) -> None:
    openai_server.fail(model=NANO, status=500)
    ledger, rr, config = _setup(openai_server, handler)
    if how == "invoke":
        rr.invoke("What is 2+2?", config=config)
    else:
        await rr.ainvoke("What is 2+2?", config=config)
    judge = [r for r in ledger.records() if r.model == NANO]
    assert [(r.status, r.cost_usd, r.error_kind) for r in judge] == [("failed", 0.0, "server")], judge
    assert [r.model for r in ledger.records() if r.model != NANO] == ["gpt-4o-mini"]  # the fallback tier


@pytest.mark.parametrize("handler", [False, True], ids=["no handler", "caller's handler"])
async def test_a_judge_call_cancelled_in_flight_is_one_record_at_its_worst_case(openai_server, handler) -> None:
    openai_server.script(model=NANO, reply="STRONG", delay=2.0)
    ledger, rr, config = _setup(openai_server, handler)
    task = asyncio.ensure_future(rr.ainvoke("What is 2+2?", config=config))
    await asyncio.sleep(0.5)  # the judge's request is at the server, which answers in 2 s
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    judge = [r for r in ledger.records() if r.model == NANO]
    assert [r.status for r in judge] == ["abandoned"], ledger.records()
    assert judge[0].output_tokens == 16  # the judge's max_tokens: nothing came back, all may be billed
    assert judge[0].cost_usd is not None and judge[0].cost_usd > 0
    assert [r for r in ledger.records() if r.model != NANO] == []  # no route was called
