"""The user given as ``config["configurable"]["user_id"]`` (LangGraph's convention) is the call's user.

A probe found it ignored: the router read the user only from the run metadata, so
``configurable={"user_id": ...}`` gave records with ``user=None`` and a ``user:<id>`` budget
silently did not apply. ``configurable["user_id"]`` (or ``["user"]``) now counts, after the
metadata's ``user_id`` / ``user`` (metadata wins when both are given): on ``RoutedChatModel``
(invoke / ainvoke / stream / astream, in an LCEL chain and a LangGraph agent), on a LangChain
cache hit, and on ``RunnableRouter`` (its budget check and its routes' records).

Real ``ChatOpenAI`` inner models against the loopback server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RoutedChatModel, RunnableRouter
from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

TINY = 1e-6  # below any call's hold: the limited user's calls are refused before any request


def _config(limited: str | None = None) -> RouterConfig:
    d: dict[str, Any] = {
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64, "input_price": 0.15, "output_price": 0.60},
            {"name": "strong", "model": "gpt-4o", "max_tokens": 64, "input_price": 2.50, "output_price": 10.00},
        ],
        "baseline_model": "gpt-4o",
    }
    if limited is not None:
        d["budget"] = {"limits": [{"scope": f"user:{limited}", "period": "day", "limit_usd": TINY}]}
    return RouterConfig.build(d)


def _inner(server: FakeOpenAIServer, model: str) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient())


def _tiers(server: FakeOpenAIServer) -> dict[str, ChatOpenAI]:
    return {"cheap": _inner(server, "gpt-4o-mini"), "strong": _inner(server, "gpt-4o")}


def _routed(server: FakeOpenAIServer, limited: str | None = None, **kw: Any) -> RoutedChatModel:
    return RoutedChatModel(
        tiers=_tiers(server), config=_config(limited),
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(), **kw,
    )


@pytest.fixture(autouse=True)
def _loop() -> Iterator[None]:
    """One event loop per test: the inner models' async HTTP client is bound to the loop it
    first ran on."""
    global LOOP
    LOOP = asyncio.new_event_loop()
    yield
    LOOP.close()


LOOP: asyncio.AbstractEventLoop


def _call(llm: Any, how: str, config: dict[str, Any], prompt: Any = "hi") -> None:
    if how == "invoke":
        llm.invoke(prompt, config=config)
    elif how == "stream":
        for _ in llm.stream(prompt, config=config):
            pass
    elif how == "ainvoke":
        LOOP.run_until_complete(llm.ainvoke(prompt, config=config))
    else:

        async def go() -> None:
            async for _ in llm.astream(prompt, config=config):
                pass

        LOOP.run_until_complete(go())


def _users(llm: Any) -> list[str | None]:
    return [r.user for r in llm.router.ledger.records()]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


HOWS = ["invoke", "ainvoke", "stream", "astream"]


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("key", ["user_id", "user"])
def test_the_user_in_configurable_is_recorded(openai_server: FakeOpenAIServer, how: str, key: str) -> None:
    llm = _routed(openai_server)
    _call(llm, how, {"configurable": {key: "carol", "thread_id": "t1"}})
    [rec] = llm.router.ledger.records()
    assert (rec.user, rec.thread_id, rec.status) == ("carol", "t1", "ok")


@pytest.mark.parametrize("how", HOWS)
def test_the_metadata_s_user_wins_over_configurable(openai_server: FakeOpenAIServer, how: str) -> None:
    llm = _routed(openai_server)
    _call(llm, how, {"metadata": {"user_id": "meta"}, "configurable": {"user_id": "conf"}})
    _call(llm, how, {"metadata": {"user": "meta2"}, "configurable": {"user_id": "conf"}})
    assert _users(llm) == ["meta", "meta2"]


@pytest.mark.parametrize("how", HOWS)
def test_a_user_budget_applies_to_the_user_given_in_configurable(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    llm = _routed(openai_server, limited="alice")
    with pytest.raises(BudgetExceededError):
        _call(llm, how, {"configurable": {"user_id": "alice"}})
    assert openai_server.chat_requests == []  # refused before any provider call
    _call(llm, how, {"configurable": {"user_id": "bob"}})  # bob has no limit
    assert [(r.user, r.status) for r in llm.router.ledger.records()] == [("alice", "refused"), ("bob", "ok")]
    assert len(openai_server.chat_requests) == 1


@pytest.mark.parametrize("how", HOWS)
def test_an_lcel_chain_s_configurable_user_reaches_the_model(openai_server: FakeOpenAIServer, how: str) -> None:
    llm = _routed(openai_server, limited="alice")
    chain = ChatPromptTemplate.from_template("{q}") | llm
    _call(chain, how, {"configurable": {"user_id": "bob", "thread_id": "t2"}}, {"q": "hi"})
    with pytest.raises(BudgetExceededError):
        _call(chain, how, {"configurable": {"user_id": "alice"}}, {"q": "hi"})
    assert [(r.user, r.thread_id, r.status) for r in llm.router.ledger.records()] == [
        ("bob", "t2", "ok"), ("alice", None, "refused"),
    ]


def _agent(kind: str, llm: RoutedChatModel) -> Any:
    if kind == "create_react_agent":
        from langgraph.prebuilt import create_react_agent

        return create_react_agent(llm, tools=[get_weather])
    from langchain.agents import create_agent

    return create_agent(llm, tools=[get_weather])


AGENTS = ["create_react_agent", "create_agent"]


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
@pytest.mark.parametrize("kind", AGENTS)
def test_a_langgraph_agent_s_configurable_user(openai_server: FakeOpenAIServer, kind: str) -> None:
    openai_server.script(
        tool_calls=True, match=lambda r: bool(r.tools) and not any(m["role"] == "tool" for m in r.messages)
    )
    llm = _routed(openai_server, limited="alice")
    agent = _agent(kind, llm)
    out = agent.invoke({"messages": [("human", "weather in Paris?")]},
                       config={"configurable": {"user_id": "bob", "thread_id": "t"}})
    assert [m.type for m in out["messages"]] == ["human", "ai", "tool", "ai"]
    assert [(r.user, r.thread_id, r.status) for r in llm.router.ledger.records()] == [("bob", "t", "ok")] * 2
    sent = len(openai_server.chat_requests)
    with pytest.raises(BudgetExceededError):
        agent.invoke({"messages": [("human", "weather in Rome?")]},
                     config={"configurable": {"user_id": "alice", "thread_id": "t3"}})
    assert len(openai_server.chat_requests) == sent
    assert [(r.user, r.status) for r in llm.router.ledger.records()][-1] == ("alice", "refused")
    # the metadata's user still wins
    agent.invoke({"messages": [("human", "weather in Oslo?")]},
                 config={"metadata": {"user_id": "dave"}, "configurable": {"user_id": "alice"}})
    assert _users(llm)[-2:] == ["dave", "dave"]


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
@pytest.mark.parametrize("kind", AGENTS)
def test_a_langgraph_agent_streamed_in_messages_mode(openai_server: FakeOpenAIServer, kind: str) -> None:
    # the server answers the first request (tools bound) with a tool call, the next with text
    llm = _routed(openai_server)
    agent = _agent(kind, llm)
    chunks = list(agent.stream({"messages": [("human", "hi")]}, stream_mode="messages",
                               config={"configurable": {"user_id": "erin", "thread_id": "t"}}))
    assert chunks and all(r.stream for r in openai_server.chat_requests)
    assert [(r.user, r.thread_id) for r in llm.router.ledger.records()] == [("erin", "t")] * 2


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
@pytest.mark.parametrize("kind", AGENTS)
async def test_a_langgraph_agent_run_async(openai_server: FakeOpenAIServer, kind: str) -> None:
    llm = _routed(openai_server, limited="alice")
    agent = _agent(kind, llm)
    await agent.ainvoke({"messages": [("human", "hi")]}, config={"configurable": {"user_id": "bob"}})
    with pytest.raises(BudgetExceededError):
        await agent.ainvoke({"messages": [("human", "hi")]}, config={"configurable": {"user_id": "alice"}})
    assert [(r.user, r.status) for r in llm.router.ledger.records()] == [
        ("bob", "ok"), ("bob", "ok"), ("alice", "refused"),
    ]


def test_a_cache_hit_is_recorded_for_the_user_in_configurable(openai_server: FakeOpenAIServer) -> None:
    llm = _routed(openai_server, cache=InMemoryCache())
    llm.invoke("Capital of France?", config={"configurable": {"user_id": "ann"}})
    hit = llm.invoke("Capital of France?", config={"configurable": {"user_id": "ben"}})
    assert hit.response_metadata["router"]["cache_hit"] is True
    assert len(openai_server.chat_requests) == 1
    assert _users(llm) == ["ann", "ben"]
    # the user is not part of the cache key, and the metadata's user wins on a hit too
    llm.invoke("Capital of France?", config={"metadata": {"user": "cy"}, "configurable": {"user_id": "ben"}})
    assert _users(llm)[-1] == "cy" and len(openai_server.chat_requests) == 1


def _runnable_router(server: FakeOpenAIServer, limited: str | None = None) -> tuple[RunnableRouter, CostCallbackHandler]:
    rr = RunnableRouter(
        _tiers(server), config=_config(limited),
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )
    return rr, CostCallbackHandler(router=rr.router)


@pytest.mark.parametrize("how", HOWS)
def test_runnable_router_takes_the_user_from_configurable(openai_server: FakeOpenAIServer, how: str) -> None:
    rr, handler = _runnable_router(openai_server, limited="alice")
    with pytest.raises(BudgetExceededError):
        _call(rr, how, {"callbacks": [handler], "configurable": {"user_id": "alice"}})
    assert openai_server.chat_requests == []
    assert [(r.user, r.status) for r in rr.router.ledger.records()] == [("alice", "refused")]
    if how == "astream":
        # (not about the user) RunnableRouter.astream with a CostCallbackHandler records a
        # finished route twice, "abandoned" then "ok" without its metadata: also on main
        return
    # the route's model call, recorded by the handler, carries the user too
    _call(rr, how, {"callbacks": [handler], "configurable": {"user_id": "bob", "thread_id": "th"}})
    _call(rr, how, {"callbacks": [handler], "metadata": {"user_id": "meta"},
                    "configurable": {"user_id": "alice"}})
    assert [(r.user, r.status) for r in rr.router.ledger.records()] == [
        ("alice", "refused"), ("bob", "ok"), ("meta", "ok"),
    ]
    assert rr.router.ledger.records()[1].thread_id == "th"


# -- CostCallbackHandler on a plain chat model ----------------------------------------------


def test_cost_handler_takes_the_enclosing_run_s_configurable_user(openai_server: FakeOpenAIServer) -> None:
    """The handler sees the run's metadata, not its config: the user in ``configurable`` reaches
    it through LangChain's context variable, set by the run enclosing the model (an LCEL
    chain, a LangGraph node). A model invoked on its own with a config sets no such context:
    that call's ``configurable`` stays out of the handler's reach (pass the user in metadata)."""
    from langgraph.graph import END, START, MessagesState, StateGraph

    model = _inner(openai_server, "gpt-4o-mini")
    handler = CostCallbackHandler(prices=None)
    chain = ChatPromptTemplate.from_template("{q}") | model
    chain.invoke({"q": "hi"}, config={"callbacks": [handler], "configurable": {"user_id": "bob"}})
    LOOP.run_until_complete(
        chain.ainvoke({"q": "hi"}, config={"callbacks": [handler], "configurable": {"user": "ann"}})
    )
    chain.invoke({"q": "hi"}, config={"callbacks": [handler], "metadata": {"user": "meta"},
                                      "configurable": {"user_id": "bob"}})

    def node(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", node)
    graph.add_edge(START, "model")
    graph.add_edge("model", END)
    graph.compile().invoke({"messages": [("human", "hi")]},
                           config={"callbacks": [handler], "configurable": {"user_id": "cy", "thread_id": "g"}})
    model.invoke("hi", config={"callbacks": [handler], "configurable": {"user_id": "unseen"}})
    recs = handler.ledger.records()
    assert [(r.user, r.status) for r in recs] == [
        ("bob", "ok"), ("ann", "ok"), ("meta", "ok"), ("cy", "ok"), (None, "ok"),
    ]
    assert recs[3].thread_id == "g"  # LangGraph copies thread_id (not user_id) into the metadata
