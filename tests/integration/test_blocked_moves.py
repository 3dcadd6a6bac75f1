"""A fallback or an escalation that the budget or the per-request cap refuses, through both
adapters over real clients (``ChatOpenAI``, LlamaIndex ``OpenAI``) on the loopback server.

The cheap tier's worst case fits the limit / cap, the strong tier's does not. Before: the
caller got a bare ``AllTiersFailedError`` ("(2 attempts)" for one request), the ledger held
no record of the refused tier, and the WARNING claimed a fallback (or escalation) to the
strong tier that never ran. Now the error is both an ``AllTiersFailedError`` and the
budget's own error (``BudgetExceededError`` / ``RequestCostCapError``, as for a refused
first attempt), caused by the provider's failure; a ``refused`` record names the tier that
was not tried; the WARNING says the move was refused and why.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from shared_core import AllTiersFailedError
from shared_core.errors import BudgetExceededError, RequestCostCapError
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import REFUSAL, FakeOpenAIServer

pytestmark = pytest.mark.integration

# per 1M tokens: cheap's worst case (about 11 input + 100 output tokens) is about $0.21,
# strong's about $0.63
TIERS = [
    {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100, "input_price": 1000.0, "output_price": 2000.0},
    {"name": "strong", "model": "gpt-4o", "max_tokens": 100, "input_price": 3000.0, "output_price": 6000.0},
]
LIMIT = {"limits": [{"scope": "global", "period": "day", "limit_usd": 0.5}]}
CAP = {"per_request_cap_usd": 0.5}
Q = "What is the capital of France?"


def _config(budget: dict[str, Any]) -> dict[str, Any]:
    return {"tiers": TIERS, "budget": budget, "fallback": {"cooldown_s": 0}}


def _langchain(server: FakeOpenAIServer, budget: dict[str, Any]) -> tuple[Any, Any]:
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(  # an async client of its own: asyncio.run's loop is this test's
            model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
            http_async_client=httpx.AsyncClient(),
        )

    routed = RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, config=_config(budget),
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )

    def call(mode: str) -> tuple[str, dict[str, Any]]:
        if mode == "stream":
            chunks = list(routed.stream(Q))
            return "".join(str(c.content) for c in chunks), chunks[-1].response_metadata["router"]
        out = asyncio.run(routed.ainvoke(Q)) if mode == "acall" else routed.invoke(Q)
        return str(out.content), out.response_metadata["router"]

    return routed, call


def _llamaindex(server: FakeOpenAIServer, budget: dict[str, Any]) -> tuple[Any, Any]:
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def inner(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0)

    routed = RoutedLLM(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, config=_config(budget),
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )
    msgs = [ChatMessage(role="user", content=Q)]

    def call(mode: str) -> tuple[str, dict[str, Any]]:
        if mode == "stream":
            chunks = list(routed.stream_chat(msgs))
            return "".join(c.delta or "" for c in chunks), chunks[-1].additional_kwargs["router"]
        out = asyncio.run(routed.achat(msgs)) if mode == "acall" else routed.chat(msgs)
        return str(out.message.content), out.additional_kwargs["router"]

    return routed, call


BUILD = {"langchain": _langchain, "llamaindex": _llamaindex}
BLOCKS = {
    "budget": (LIMIT, BudgetExceededError, "budget", "refused by the budget"),
    "cap": (CAP, RequestCostCapError, "cost_cap", "refused by the per-request cap"),
}


def _tier_router_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tier_router" and r.levelno == logging.WARNING]


def _built_warnings(caplog: pytest.LogCaptureFixture, budget: dict[str, Any]) -> None:
    """The cap ($0.50) is below the strong tier's output worst case alone (100 x $6000/M =
    $0.60): one WARNING when the model is built says that tier is unreachable; the limit
    over bounded tiers says nothing. Cleared, so the call's own warnings are counted alone."""
    built = [r.getMessage() for r in _tier_router_warnings(caplog)]
    if budget is CAP:
        [message] = built
        assert "tier 'strong' may write up to $0.600000 of output alone" in message
    else:
        assert built == []
    caplog.clear()


@pytest.mark.parametrize("mode", ["call", "acall", "stream"])
@pytest.mark.parametrize("adapter", list(BUILD))
@pytest.mark.parametrize("block", list(BLOCKS))
def test_a_fallback_the_budget_refuses_raises_the_budget_error_caused_by_the_fault(
    openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture, block: str, adapter: str, mode: str
) -> None:
    budget, error_type, kind, words = BLOCKS[block]
    openai_server.fail("gpt-4o-mini", status=500)
    routed, call = BUILD[adapter](openai_server, budget)
    _built_warnings(caplog, budget)
    with caplog.at_level(logging.WARNING, logger="tier_router"), pytest.raises(error_type) as info:
        call(mode)
    err = info.value
    assert isinstance(err, AllTiersFailedError)  # existing `except AllTiersFailedError` still catch it
    assert [(e.tier, e.kind, e.attempted) for e in err.errors] == [
        ("cheap", "server", True), ("strong", kind, False)
    ]
    assert err.tier == "strong"
    assert isinstance(err.refusal, error_type)
    assert err.__cause__ is err.errors[0].error  # the provider's failure
    assert "500" in str(err.__cause__)
    text = str(err)
    assert "(1 attempt)" in text and "2 attempts" not in text
    assert f"fallback from tier 'cheap' to 'strong' was {words}" in text
    assert openai_server.models == ["gpt-4o-mini"]  # the strong tier was never called

    recs = routed.router.ledger.records()
    assert [(r.attempt, r.tier, r.status, r.fallback, r.cost_usd) for r in recs] == [
        (0, "cheap", "failed", False, 0.0), (1, "strong", "refused", True, 0.0)
    ]
    assert recs[1].error_kind == kind  # what refused it, as the router names it (not a class)
    assert recs[1].error == str(err.refusal)
    summary = routed.router.ledger.summary()  # a failed call of the cheap tier's, not the strong's
    assert (summary.calls, summary.refused_calls, summary.failure_rate) == (1, 0, 1.0)
    assert summary.by_tier["cheap"].calls == 1 and summary.by_tier["strong"].calls == 0

    [warning] = _tier_router_warnings(caplog)
    assert warning.event == "fallback_refused"
    assert (warning.tier, warning.next_tier, warning.fault, warning.refused_by) == ("cheap", "strong", "server", kind)
    message = warning.getMessage()
    assert f"fallback from tier 'cheap' (gpt-4o-mini) to 'strong' (gpt-4o) {words}" in message


@pytest.mark.parametrize("adapter", list(BUILD))
def test_an_escalation_the_cap_refuses_keeps_the_answer_and_says_so(
    openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture, adapter: str
) -> None:
    openai_server.refuse("gpt-4o-mini")
    routed, call = BUILD[adapter](openai_server, CAP)
    _built_warnings(caplog, CAP)
    with caplog.at_level(logging.WARNING, logger="tier_router"):
        text, meta = call("call")
    assert text == REFUSAL  # the earlier answer is kept, as when an escalation fails
    assert meta["tier"] == "cheap" and meta["escalated"] is False
    assert meta["escalation_reason"] == (
        "answer is a refusal or says it is unsure; the escalation to 'strong' was refused by the "
        "per-request cap, kept the earlier answer"
    )
    assert openai_server.models == ["gpt-4o-mini"]
    recs = routed.router.ledger.records()
    assert [(r.attempt, r.tier, r.status, r.escalated) for r in recs] == [
        (0, "cheap", "rejected", False), (1, "strong", "refused", True), (2, "cheap", "ok", False)
    ]
    assert recs[1].error_kind == "cost_cap"
    assert routed.router.ledger.summary().refused_calls == 0
    [warning] = _tier_router_warnings(caplog)
    assert (warning.event, warning.refused_by) == ("escalation_refused", "cost_cap")
    assert "escalation from tier 'cheap' (gpt-4o-mini) to 'strong' (gpt-4o) refused by the per-request cap" in (
        warning.getMessage()
    )
