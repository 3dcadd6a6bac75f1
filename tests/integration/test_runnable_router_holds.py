"""``RunnableRouter``'s hard limit holds: a bounded route's worst case is reserved, not checked.

The router used to *check* the limit before a route ran and reserve nothing, so every call
started while spend was under the limit went through: routes of ``ChatOpenAI`` recorded by
``CostCallbackHandler`` at a $0.0003 limit spent $0.0004 sequentially and $0.0010 under
``abatch(max_concurrency=4)`` (3.3x). A route that is one priced chat-model call with a known
output budget now has that cost reserved once decided, through the core's reservation, and
released when the route is over (its records in), also when it fails or is cancelled. A route
whose cost cannot be bounded (a chain) keeps the check and is named in a warning at build.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RunnableRouter, UnboundedRouteWarning
from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PROMPT = "hard question"
OUT = 8
PER_CALL = (5 * 2.50 + OUT * 10.00) / 1e6  # 4 + 1 prompt tokens, 8 answer tokens of gpt-4o
LIMIT = 0.0003  # three held calls fit, the fourth does not


def _config(max_tokens: int | None = OUT, limit: float = LIMIT) -> RouterConfig:
    return RouterConfig.build({
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": max_tokens,
             "input_price": 0.15, "output_price": 0.60},
            {"name": "strong", "model": "gpt-4o", "max_tokens": max_tokens,
             "input_price": 2.50, "output_price": 10.00},
        ],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": limit}]},
    })


def _model(server: FakeOpenAIServer, model: str, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient(), **kw)


def _router(server: FakeOpenAIServer, strong: Any = None, **config: Any) -> tuple[RunnableRouter, CostCallbackHandler]:
    rr = RunnableRouter(
        {"cheap": _model(server, "gpt-4o-mini"), "strong": strong or _model(server, "gpt-4o")},
        config=_config(**config),
        classifier=FakeClassifier({"hard": "strong"}, default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )
    return rr, CostCallbackHandler(router=rr.router)


def _answered(rr: RunnableRouter) -> list[Any]:
    return [r for r in rr.router.ledger.records() if r.status == "ok"]


def test_abatch_with_concurrency_never_passes_the_limit(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, "word " * 100, delay=0.3)  # calls overlap
    rr, handler = _router(openai_server)
    outs = asyncio.run(rr.abatch(
        [PROMPT] * 8, config={"callbacks": [handler], "max_concurrency": 4}, return_exceptions=True,
    ))
    spend = rr.router.ledger.spend("global", 0.0)
    assert spend <= LIMIT
    answered = _answered(rr)
    assert len(answered) == len(openai_server.chat_requests) == 3  # every call that fitted ran
    assert sum(isinstance(o, BudgetExceededError) for o in outs) == 5
    assert [r.status for r in rr.router.ledger.records()].count("refused") == 5
    assert {q.max_completion_tokens for q in openai_server.chat_requests} == {OUT}  # the tier's
    assert rr.router.ledger.held("global", 0.0) == pytest.approx(spend)  # every hold let go


def test_batch_in_threads_never_passes_the_limit(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, "word " * 100, delay=0.3)
    rr, handler = _router(openai_server)
    rr.batch([PROMPT] * 8, config={"callbacks": [handler], "max_concurrency": 4}, return_exceptions=True)
    assert rr.router.ledger.spend("global", 0.0) <= LIMIT
    assert len(_answered(rr)) == len(openai_server.chat_requests) == 3


def test_sequential_calls_stop_before_the_limit(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, "word " * 100)
    rr, handler = _router(openai_server)
    refused = 0
    for _ in range(5):
        try:
            rr.invoke(PROMPT, config={"callbacks": [handler]})
        except BudgetExceededError:
            refused += 1
    assert rr.router.ledger.spend("global", 0.0) <= LIMIT
    assert (len(_answered(rr)), refused) == (3, 2)


@pytest.mark.parametrize("wrap", ["bind", "with_config", "own_field"])
def test_a_routes_own_larger_budget_is_what_is_reserved_for(
    openai_server: FakeOpenAIServer, wrap: str
) -> None:
    """The route sends its own budget (4000 tokens, $0.04 at worst): that is held, so the
    call is refused before it is sent, and the tier's smaller budget does not hide it."""
    openai_server.script(None, "word " * 100)
    strong = {
        "bind": lambda: _model(openai_server, "gpt-4o").bind(max_completion_tokens=4000),
        "with_config": lambda: _model(openai_server, "gpt-4o", max_tokens=4000).with_config(tags=["x"]),
        "own_field": lambda: _model(openai_server, "gpt-4o", max_completion_tokens=4000),
    }[wrap]()
    rr, handler = _router(openai_server, strong=strong, limit=0.01)
    with pytest.raises(BudgetExceededError):
        rr.invoke(PROMPT, config={"callbacks": [handler]})
    assert openai_server.chat_requests == []
    [rec] = rr.router.ledger.records()
    assert (rec.status, rec.tier) == ("refused", "strong")


def test_a_route_that_cannot_be_bounded_is_checked_and_named_at_build(
    openai_server: FakeOpenAIServer,
) -> None:
    openai_server.script(None, "word " * 100)
    chain = ChatPromptTemplate.from_messages([("user", "{input}")]) | _model(openai_server, "gpt-4o")
    with pytest.warns(UnboundedRouteWarning) as warned:
        rr, handler = _router(openai_server, strong=chain)
    [w] = warned
    text = str(w.message)
    assert "'strong'" in text and "checked" in text and "RunnableSequence" in text
    assert "not one chat-model call" in text  # which condition failed, and what fits it:
    assert "prompt | RunnableRouter" in text and "check-only" in text
    assert "input_price" not in text and "max_tokens" not in text
    assert w.filename == __file__  # pointed at the caller's line: filterable by module
    rr.invoke({"input": PROMPT}, config={"callbacks": [handler]})  # checked, runs
    assert len(_answered(rr)) == 1


def test_a_chat_model_route_with_no_output_budget_is_told_to_set_max_tokens(
    openai_server: FakeOpenAIServer,
) -> None:
    with pytest.warns(UnboundedRouteWarning) as warned:
        rr, _ = _router(openai_server, max_tokens=None)
    assert len(warned) == 2 and rr._runs["strong"].bound is None
    text = str(warned[1].message)
    assert "'strong'" in text and "no output budget" in text and "max_tokens" in text
    assert "prompt | RunnableRouter" not in text and "input_price" not in text


def test_the_warning_can_be_filtered_by_its_category(openai_server: FakeOpenAIServer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=UnboundedRouteWarning)
        _router(openai_server, strong=_model(openai_server, "gpt-4o").with_retry())


def test_no_warning_without_a_hard_limit(openai_server: FakeOpenAIServer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnboundedRouteWarning)
        RunnableRouter(
            {"cheap": _model(openai_server, "gpt-4o-mini"),
             "strong": ChatPromptTemplate.from_messages([("user", "{input}")]) | _model(openai_server, "gpt-4o")},
            config=RouterConfig.build({"tiers": [{"name": "cheap", "model": "gpt-4o-mini"},
                                                 {"name": "strong", "model": "gpt-4o"}]}),
        )


def test_a_failed_route_lets_its_hold_go(openai_server: FakeOpenAIServer) -> None:
    openai_server.fail(None, status=500, times=None)
    rr, handler = _router(openai_server)
    for _ in range(5):  # more than three holds' worth: none lingers
        with pytest.raises(Exception) as info:
            rr.invoke(PROMPT, config={"callbacks": [handler]})
        assert not isinstance(info.value, BudgetExceededError)
    assert rr.router.ledger.held("global", 0.0) == 0.0
    assert [r.status for r in rr.router.ledger.records()] == ["failed"] * 5


def test_a_cancelled_route_is_recorded_then_its_hold_goes(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, "word " * 100, delay=3.0)
    rr, handler = _router(openai_server)

    async def go() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(rr.ainvoke(PROMPT, config={"callbacks": [handler]}), 0.5)

    asyncio.run(go())
    [rec] = rr.router.ledger.records()
    assert rec.status == "abandoned" and rec.input_tokens > 0 and rec.cost_usd
    ledger = rr.router.ledger
    assert ledger.held("global", 0.0) == pytest.approx(ledger.spend("global", 0.0))


def test_a_bind_tools_route_gets_its_tiers_budget_sent_and_held(openai_server: FakeOpenAIServer) -> None:
    """A route with no budget of its own is sent its tier's ``max_tokens``: what is held is
    what the provider is told (through the ``bind_tools`` binding, which is kept)."""
    from langchain_core.tools import tool

    @tool
    def lookup(q: str) -> str:
        """Look something up."""
        return q

    strong = _model(openai_server, "gpt-4o").bind_tools([lookup])
    rr, handler = _router(openai_server, strong=strong)
    rr.invoke(PROMPT, config={"callbacks": [handler]})
    sent = openai_server.last
    assert sent.max_completion_tokens == OUT and sent.tools
    assert rr.routes["strong"] is strong  # the caller's route is untouched


def test_a_retried_route_is_not_bounded(openai_server: FakeOpenAIServer) -> None:
    with pytest.warns(UnboundedRouteWarning, match="'strong' is a RunnableRetry") as warned:
        _router(openai_server, strong=_model(openai_server, "gpt-4o").with_retry())
    assert "max_retries" in str(warned[0].message) and "check-only" in str(warned[0].message)


def test_a_routed_chat_model_route_holds_for_itself(openai_server: FakeOpenAIServer) -> None:
    """A ``RoutedChatModel`` route reserves for its own calls: not held twice, its per-call
    budget not overridden, and no warning."""
    from langchain_router import RoutedChatModel

    inner = RoutedChatModel(
        tiers={"cheap": _model(openai_server, "gpt-4o-mini"), "strong": _model(openai_server, "gpt-4o")},
        config=_config(), classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnboundedRouteWarning)
        rr, _ = _router(openai_server, strong=inner)
    assert rr._runs["strong"][:2] == (inner, None)
    assert rr._runs["cheap"].bound == OUT
