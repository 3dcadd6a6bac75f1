"""``RunnableRouter`` records its routes' model calls without being handed a cost handler.

A route's model calls reached the ledger only through a ``CostCallbackHandler`` the caller
passed with each call: forgetting it failed silently (a multi-process probe served 96 calls,
billed $0.68 against a $0.30 hard limit, and recorded none), and a hard limit then limited
nothing, since the router reads what was spent from the ledger. Now the router adds a cost
handler of its own to each routed call unless one for its ledger is already there (the
call's callbacks, inherited ones, or the route's own bound callbacks), so each model call is
recorded once, whoever passed what; a ``RoutedChatModel`` inside a route records itself and
is not recorded again.

Real ``ChatOpenAI`` against the loopback server; what is billed is the server's usage.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RoutedChatModel, RunnableRouter
from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger, SQLiteLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

OUT = 8
IN_PRICE, OUT_PRICE = 2.50 / 1e6, 10.00 / 1e6  # gpt-4o in the bundled price table
WORST = (10 * 2.50 + OUT * 10.00) / 1e6
MODES = ["invoke", "ainvoke", "batch", "abatch", "stream", "astream"]


def _config(cap: float | None = None, limit: float | None = None) -> RouterConfig:
    budget: dict[str, Any] = {}
    if cap is not None:
        budget["per_request_cap_usd"] = cap
    if limit is not None:
        budget["limits"] = [{"scope": "global", "period": "day", "limit_usd": limit}]
    return RouterConfig.build({
        "tiers": [{"name": "only", "model": "gpt-4o", "max_tokens": OUT}], "budget": budget,
    })


def _model(server: FakeOpenAIServer, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o", base_url=server.base_url, api_key="sk-test", max_retries=0,
                      max_tokens=OUT, stream_usage=True, http_async_client=httpx.AsyncClient(), **kw)


def _chain(model: Any) -> Any:
    return ChatPromptTemplate.from_messages([("user", "{input}")]) | model | StrOutputParser()


def _agent(model: Any, steps: int = 3) -> Any:
    """``steps`` model calls, each on the last answer (what an agent does)."""

    def run(inp: dict[str, Any], config: Any) -> str:
        text = inp["input"]
        for _ in range(steps):
            text = model.invoke(text[:40], config=config).text
        return text

    async def arun(inp: dict[str, Any], config: Any) -> str:
        text = inp["input"]
        for _ in range(steps):
            text = (await model.ainvoke(text[:40], config=config)).text
        return text

    return RunnableLambda(run, afunc=arun, name="agent")


def _run(rr: RunnableRouter, mode: str, config: Any = None, n: int = 2) -> list[Any]:
    inputs = [{"input": "hard question"}] * n
    if mode == "invoke":
        return [rr.invoke(i, config=config) for i in inputs]
    if mode == "ainvoke":
        async def seq() -> list[Any]:
            return [await rr.ainvoke(i, config=config) for i in inputs]
        return asyncio.run(seq())
    if mode == "batch":
        return rr.batch(inputs, config=config)
    if mode == "abatch":
        return asyncio.run(rr.abatch(inputs, config=config))
    if mode == "stream":
        return ["".join(str(c) for c in rr.stream(i, config=config)) for i in inputs]

    async def astream() -> list[Any]:
        outs = []
        for i in inputs:
            outs.append("".join([str(c) async for c in rr.astream(i, config=config)]))
        return outs
    return asyncio.run(astream())


def _requests(server: FakeOpenAIServer, run: str | None) -> list[Any]:
    """The server's chat requests (of one run: a cancelled request of an earlier test can reach
    the shared server after the next test began, and is no request of that test)."""
    return [r for r in server.chat_requests if run is None or r.headers.get("x-test-run") == run]


def _billed(server: FakeOpenAIServer, run: str | None = None) -> float:
    """What the server billed: every request at its reported usage (an unreported one at its
    worst: the budget it was sent); with ``run``, only the requests that carry that run's header."""
    total = 0.0
    for req in _requests(server, run):
        u = req.usage
        total += (u["prompt_tokens"] * IN_PRICE + u["completion_tokens"] * OUT_PRICE) if u else WORST
    return total


def _assert_each_call_once(rr: RunnableRouter, server: FakeOpenAIServer) -> None:
    records = rr.router.ledger.records()
    assert len(server.chat_requests) > 0
    assert [r.status for r in records] == ["ok"] * len(server.chat_requests), records
    for rec in records:
        assert (rec.tier, rec.model) == ("only", "gpt-4o")
        assert rec.cost_usd == pytest.approx(rec.input_tokens * IN_PRICE + rec.output_tokens * OUT_PRICE)
    reported = [r.usage for r in server.chat_requests if r.usage]
    if len(reported) == len(records):  # each call priced at the usage the server reported
        assert sorted((r.input_tokens, r.output_tokens) for r in records) == sorted(
            (u["prompt_tokens"], u["completion_tokens"]) for u in reported)
        assert rr.router.ledger.spend("global", 0.0) == pytest.approx(_billed(server))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", ["chain", "agent"])
def test_route_calls_are_recorded_without_a_handler(
    openai_server: FakeOpenAIServer, mode: str, shape: str
) -> None:
    openai_server.script(None, "word " * 6)
    model = _model(openai_server)
    route = _chain(model) if shape == "chain" else _agent(model)
    rr = RunnableRouter({"only": route}, config=_config(), ledger=InMemoryLedger())
    _run(rr, mode)
    assert len(openai_server.chat_requests) == (2 if shape == "chain" else 6)
    _assert_each_call_once(rr, openai_server)


@pytest.mark.parametrize("mode", ["invoke", "abatch", "astream"])
@pytest.mark.parametrize("where", ["config", "route", "model"])
def test_the_callers_own_handler_does_not_record_twice(
    openai_server: FakeOpenAIServer, mode: str, where: str
) -> None:
    """The caller's ``CostCallbackHandler(router=...)`` in the call's callbacks, bound on the
    route (``.with_config``) or on the model inside it: each call recorded once, by it."""
    openai_server.script(None, "word " * 6)
    ledger = InMemoryLedger()
    handler = CostCallbackHandler(ledger)
    model = _model(openai_server, callbacks=[handler]) if where == "model" else _model(openai_server)
    route = _chain(model)
    if where == "route":
        route = route.with_config(callbacks=[handler])
    rr = RunnableRouter({"only": route}, config=_config(), ledger=ledger)
    _run(rr, mode, {"callbacks": [handler]} if where == "config" else None)
    _assert_each_call_once(rr, openai_server)
    assert handler.calls == 2  # the caller's handler recorded them, not one of the router's


def test_a_handler_for_another_ledger_leaves_the_routers_recording(
    openai_server: FakeOpenAIServer,
) -> None:
    """A handler that writes elsewhere does not keep the router's ledger (its budgets) fed."""
    openai_server.script(None, "word " * 6)
    own = CostCallbackHandler()
    rr = RunnableRouter({"only": _chain(_model(openai_server))}, config=_config(), ledger=InMemoryLedger())
    _run(rr, "invoke", {"callbacks": [own]})
    _assert_each_call_once(rr, openai_server)
    assert own.calls == 2


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize("fails", [False, True])
@pytest.mark.parametrize("caller_handler", [False, True])
def test_a_routed_chat_model_in_a_route_is_recorded_once(
    openai_server: FakeOpenAIServer, mode: str, fails: bool, caller_handler: bool
) -> None:
    """It records its own calls (answers and failures): neither the router's handler nor the
    caller's adds one (a cost handler recorded a routed model's failure a second time)."""
    if fails:
        openai_server.fail(status=400, times=None)  # not retried: one request
    else:
        openai_server.script(None, "word " * 6)
    ledger = InMemoryLedger()
    routed = RoutedChatModel(tiers={"only": _model(openai_server)}, config=_config(), ledger=ledger)
    rr = RunnableRouter({"only": _chain(routed)}, config=_config(), ledger=ledger)
    config = {"callbacks": [CostCallbackHandler(router=rr.router)]} if caller_handler else None
    if fails:
        with pytest.raises(Exception):  # noqa: B017 - the provider's error, as the model raises it
            _run(rr, mode, config, n=1)
    else:
        _run(rr, mode, config, n=1)
    records = ledger.records()
    assert len(records) == len(openai_server.chat_requests) == 1, records
    assert records[0].status == ("failed" if fails else "ok")
    assert records[0].framework == "langchain"


@pytest.mark.parametrize("mode", ["invoke", "abatch", "stream"])
@pytest.mark.parametrize("shape", ["chain", "agent"])
def test_a_hard_limit_holds_without_a_handler(
    openai_server: FakeOpenAIServer, mode: str, shape: str
) -> None:
    """Routes held at a per-request cap against a daily limit: what the server bills never
    passes the limit, and the ledger has it all (a call cancelled when its batch failed is
    recorded ``abandoned`` at its upper bound, so the ledger may hold more than was billed)."""
    openai_server.script(None, "word " * 100)
    run = uuid.uuid4().hex
    model = _model(openai_server, default_headers={"x-test-run": run})
    route = _chain(model) | RunnableLambda(lambda s: {"input": s[:40]}) | _chain(model) \
        if shape == "chain" else _agent(model, steps=2)
    cap = 2.5 * WORST
    limit = 3 * cap
    rr = RunnableRouter({"only": route}, config=_config(cap=cap, limit=limit), ledger=InMemoryLedger())
    for _ in range(4):  # 8 requests, 16 calls at most: far past the limit
        try:
            if mode == "abatch":
                asyncio.run(rr.abatch([{"input": "hard question"}] * 2, return_exceptions=False))
            else:
                _run(rr, mode)
        except BudgetExceededError:
            pass
    billed = _billed(openai_server, run)
    assert billed <= limit, f"the server billed ${billed:.7f} against a ${limit:.7f} limit"
    spend = rr.router.ledger.spend("global", 0.0)
    assert billed <= spend + 1e-12 and spend <= limit
    records = rr.router.ledger.records()
    served = len(_requests(openai_server, run))
    # every request the server saw is recorded once; a call its failed batch cancelled after it
    # started may not have reached the server yet, and is recorded ``abandoned`` all the same
    assert sum(r.status == "ok" for r in records) <= served > 0
    assert served <= sum(r.status in ("ok", "abandoned") for r in records)
    assert all(r.status in ("ok", "abandoned", "refused") for r in records)
    assert any(r.status == "refused" for r in records)


def test_record_routes_false_leaves_recording_to_the_caller(openai_server: FakeOpenAIServer) -> None:
    """The opt-out, for callers whose routes record through a handler the router cannot see
    (set inside a function or a graph node)."""
    openai_server.script(None, "word " * 6)
    rr = RunnableRouter(
        {"only": _chain(_model(openai_server))}, config=_config(), ledger=InMemoryLedger(),
        record_routes=False,
    )
    _run(rr, "invoke")
    assert rr.router.ledger.records() == []


@pytest.mark.parametrize("where", ["config", "route", "model"])
def test_the_callers_handler_on_another_ledger_object_of_the_same_file_records_once(
    openai_server: FakeOpenAIServer, tmp_path: Any, where: str
) -> None:
    """A caller's ``CostCallbackHandler(ledger=SQLiteLedger("costs.db"))`` (what recorded a
    route's calls before the router did) and the router's own ledger on that file: two
    objects, one store. Each call is one record in the file (they were written twice)."""
    openai_server.script(None, "word " * 6)
    path = str(tmp_path / "costs.db")
    handler = CostCallbackHandler(SQLiteLedger(path))
    model = _model(openai_server, callbacks=[handler]) if where == "model" else _model(openai_server)
    route = _chain(model).with_config(callbacks=[handler]) if where == "route" else _chain(model)
    rr = RunnableRouter({"only": route}, config=_config(), ledger=SQLiteLedger(path))
    _run(rr, "invoke", {"callbacks": [handler]} if where == "config" else None)
    rr.router.ledger.flush()
    handler.ledger.flush()
    records = SQLiteLedger(path).records()
    assert len(openai_server.chat_requests) == 2
    assert [r.status for r in records] == ["ok", "ok"], records
    assert handler.calls == 2


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "abatch", "stream", "astream"])
def test_a_handler_bound_on_one_model_of_a_route_leaves_the_others_recorded(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """A route of two models, the caller's handler bound on the first only: each call of
    both is recorded once (the second model's calls were recorded by nobody)."""
    openai_server.script(None, "word " * 6)
    ledger = InMemoryLedger()
    handler = CostCallbackHandler(ledger)
    route = _chain(_model(openai_server, callbacks=[handler])) \
        | RunnableLambda(lambda s: {"input": s[:40]}) | _chain(_model(openai_server))
    rr = RunnableRouter({"only": route}, config=_config(), ledger=ledger)
    _run(rr, mode)
    assert len(openai_server.chat_requests) == 4
    _assert_each_call_once(rr, openai_server)
    assert handler.calls == 2  # the first model's: its handler recorded them


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_handler_bound_on_one_side_of_fallbacks_leaves_the_other_recorded(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """``primary.with_fallbacks([backup])``, the caller's handler on the primary only: its
    failed call and the backup's answer are one record each."""
    openai_server.fail(status=500, times=1)  # the primary's request; not retried
    openai_server.script(None, "word " * 6)
    ledger = InMemoryLedger()
    handler = CostCallbackHandler(ledger)
    model = _model(openai_server, callbacks=[handler]).with_fallbacks([_model(openai_server)])
    rr = RunnableRouter({"only": _chain(model)}, config=_config(), ledger=ledger)
    _run(rr, mode, n=1)
    records = ledger.records()
    assert len(openai_server.chat_requests) == 2
    assert sorted(r.status for r in records) == ["failed", "ok"], records
    assert handler.calls == 1


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream"])
def test_a_handler_the_router_cannot_see_records_each_call_once(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """The caller's handler bound on a model an agent function calls (nothing LangChain
    exposes to the router): each call one record (the router's recorder wrote a second)."""
    openai_server.script(None, "word " * 6)
    ledger = InMemoryLedger()
    handler = CostCallbackHandler(ledger)
    rr = RunnableRouter(
        {"only": _agent(_model(openai_server, callbacks=[handler]))}, config=_config(), ledger=ledger,
    )
    _run(rr, mode)
    assert len(openai_server.chat_requests) == 6
    _assert_each_call_once(rr, openai_server)
    assert handler.calls == 6


@pytest.mark.parametrize("value", ["false", 0, None])
def test_record_routes_takes_true_or_false_only(openai_server: FakeOpenAIServer, value: object) -> None:
    """``record_routes="false"`` (a string from an environment variable) is truthy: it would
    record while the caller meant not to; it fails when the router is built instead."""
    from shared_core.errors import ConfigError

    with pytest.raises(ConfigError, match="record_routes"):
        RunnableRouter({"only": _chain(_model(openai_server))}, config=_config(),
                       record_routes=value)  # type: ignore[arg-type]
