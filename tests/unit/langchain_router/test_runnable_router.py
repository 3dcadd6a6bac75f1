"""RunnableRouter: every input form, every Runnable entry point, the decision surfaced."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda

from langchain_router import RunnableRouter
from shared_core import InputError

from .conftest import tier_config


def _routes() -> dict[str, Any]:
    return {
        "cheap": RunnableLambda(
            lambda x: f"cheap<{x if isinstance(x, str) else type(x).__name__}>"
        ),
        "strong": lambda x: f"strong<{x if isinstance(x, str) else type(x).__name__}>",
    }


@pytest.fixture
def rr(fake_classifier: Any) -> RunnableRouter:
    return RunnableRouter(_routes(), config=tier_config(), classifier=fake_classifier)


def test_input_forms(rr: RunnableRouter) -> None:
    assert rr.invoke("hello") == "cheap<hello>"
    assert rr.invoke("hard") == "strong<hard>"
    assert rr.invoke([HumanMessage("hard")]) == "strong<list>"
    assert rr.invoke([("system", "s"), ("human", "hard")]) == "strong<list>"
    prompt = ChatPromptTemplate.from_messages([("human", "{q}")]).invoke({"q": "hard"})
    assert rr.invoke(prompt) == "strong<ChatPromptValue>"
    assert rr.invoke({"question": "hard", "other": 1}) == "strong<dict>"
    assert rr.invoke({"messages": [SystemMessage("x"), HumanMessage("hi")]}) == "cheap<dict>"


def test_input_key_and_bad_input(fake_classifier: Any) -> None:
    rr = RunnableRouter(
        _routes(), config=tier_config(), classifier=fake_classifier, input_key="body"
    )
    assert rr.invoke({"body": "hard", "question": "easy"}) == "strong<dict>"
    with pytest.raises(InputError, match="input_key"):
        rr.invoke({"question": "x"})
    with pytest.raises(InputError, match="cannot classify"):
        rr.invoke(3.5)


async def test_all_entry_points(rr: RunnableRouter) -> None:
    assert rr.batch(["a", "hard"]) == ["cheap<a>", "strong<hard>"]
    assert await rr.abatch(["hard", "b"]) == ["strong<hard>", "cheap<b>"]
    assert await rr.ainvoke("hard") == "strong<hard>"
    assert "".join(rr.stream("x")) == "cheap<x>"
    assert "".join([c async for c in rr.astream("hard")]) == "strong<hard>"


def test_streams_the_route_chunk_by_chunk(fake_classifier: Any) -> None:
    def gen(x: Any) -> Any:
        yield from ["a", "b", "c"]

    rr = RunnableRouter(
        {"cheap": RunnableLambda(gen), "strong": RunnableLambda(gen)},
        config=tier_config(),
        classifier=fake_classifier,
    )
    assert list(rr.stream("hi")) == ["a", "b", "c"]


def test_decision_via_callback_event_and_hook(fake_classifier: Any) -> None:
    seen: list[Any] = []

    class Events(BaseCallbackHandler):
        def __init__(self) -> None:
            self.events: list[tuple[str, Any]] = []

        def on_custom_event(self, name: str, data: Any, **kw: Any) -> None:
            self.events.append((name, data))

    h = Events()
    rr = RunnableRouter(
        _routes(),
        config=tier_config(sticky=True),
        classifier=fake_classifier,
        on_decision=seen.append,
    )
    rr.invoke("hard", config={"callbacks": [h], "configurable": {"thread_id": "t"}})
    assert seen[-1].tier == "strong"
    assert (
        h.events and h.events[0][0] == "tier_router_decision" and h.events[0][1]["tier"] == "strong"
    )
    # sticky thread: an easy follow-up in the same thread stays on strong
    assert rr.invoke("thanks", config={"configurable": {"thread_id": "t"}}) == "strong<thanks>"
    assert rr.decide("thanks").tier == "cheap"


async def test_decision_in_astream_events(rr: RunnableRouter) -> None:
    events = [e async for e in rr.astream_events("hard", version="v2")]
    custom = [e for e in events if e["event"] == "on_custom_event"]
    assert custom and custom[0]["data"]["tier"] == "strong"
    assert any(e.get("name") == "route:strong" for e in events)


def test_routes_must_match_config(fake_classifier: Any) -> None:
    from shared_core import ConfigError

    with pytest.raises(ConfigError):
        RunnableRouter({"cheap": lambda x: x}, config=tier_config(), classifier=fake_classifier)


def test_a_runnable_router_with_no_config_does_not_warn_about_prompts():
    """It dispatches whole chains: no tier system prompt or budget applies, so none is promised."""
    import warnings

    from langchain_core.runnables import RunnableLambda

    from langchain_router import RunnableRouter
    from shared_core.tier_defaults import TierDefaultsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", TierDefaultsWarning)
        rr = RunnableRouter({"faq": RunnableLambda(lambda x: "a"), "expert": RunnableLambda(lambda x: "b")})
    assert [t.system_prompt for t in rr.router.config.tiers] == [None, None]


def test_a_runnable_router_over_plain_runnables_does_not_warn_about_prices(caplog) -> None:
    """The getting-started example (two ``RunnableLambda`` routes) logged "no known price for
    tier(s) 'simple' (simple), 'complex' (complex): their calls are recorded with cost unknown";
    RunnableRouter records nothing itself, and its routes have no model to price."""
    from langchain_core.runnables import RunnableLambda

    from langchain_router import RunnableRouter

    caplog.set_level("WARNING", logger="tier_router")
    router = RunnableRouter({
        "simple": RunnableLambda(lambda q: f"quick answer to {q!r}"),
        "complex": RunnableLambda(lambda q: f"a careful answer to {q!r}"),
    })
    assert router.invoke("hi").startswith("quick")
    assert not [r for r in caplog.records if "no known price" in r.getMessage()]
