"""Tools bound to a RoutedChatModel whose tiers' inner models cannot call tools.

A user bound tools over ``GenericFakeChatModel`` (no ``bind_tools``) and got a bare
``NotImplementedError()`` at ``invoke`` that named no tier and no model.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_router import RoutedChatModel
from shared_core import Router, ToolsUnsupportedError
from shared_core.adapters_common import as_config
from shared_core.testing import FakeClassifier

from .conftest import StreamingEchoChat, tier_config


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


class ToolEcho(StreamingEchoChat):
    """An echo model that can bind tools (as provider chat models do)."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, Any]:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)


def no_tools() -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage("plain text")]))


def always_cheap() -> FakeClassifier:
    return FakeClassifier(lambda text: "cheap", labels=["cheap", "strong"])


def test_bind_tools_with_no_tool_capable_tier_fails_before_any_call() -> None:
    routed = RoutedChatModel(
        tiers={"cheap": no_tools(), "strong": no_tools()},
        config=tier_config(),
        classifier=always_cheap(),
    )
    with pytest.raises(ToolsUnsupportedError) as err:
        routed.bind_tools([get_weather])
    assert isinstance(err.value, NotImplementedError)  # existing except clauses still match
    msg = str(err.value)
    assert "'cheap' (GenericFakeChatModel" in msg and "'strong' (GenericFakeChatModel" in msg
    assert "bind_tools" in msg and "tool-calling chat model" in msg
    assert err.value.tiers == {"cheap": "GenericFakeChatModel", "strong": "GenericFakeChatModel"}
    assert routed.router.ledger.records() == []  # nothing was sent, nothing spent


def test_tools_passed_per_call_fail_the_same_way_before_routing() -> None:
    routed = RoutedChatModel(
        tiers={"cheap": no_tools()}, config={"tiers": [{"name": "cheap", "model": "m"}]}
    )
    with pytest.raises(ToolsUnsupportedError, match=r"'cheap' \(GenericFakeChatModel"):
        routed.invoke("weather?", tools=[convert_to_openai_tool(get_weather)])


def test_bind_tools_skips_tiers_that_cannot_call_tools() -> None:
    strong = ToolEcho(name_="strong", model_name="gpt-4o", errors=[], seen=[])
    routed = RoutedChatModel(
        tiers={"cheap": no_tools(), "strong": strong},
        config=tier_config(),
        classifier=always_cheap(),
    )
    assert [t.supports_tools for t in routed.router.config.tiers] == [False, True]
    msg = routed.bind_tools([get_weather]).invoke("weather in Paris?")
    meta = msg.response_metadata["router"]
    assert meta["tier"] == "strong"
    assert strong.seen[-1]["kwargs"]["tools"][0]["function"]["name"] == "get_weather"
    assert routed.invoke("hello").response_metadata["router"]["tier"] == "cheap"  # no tools


def test_forcing_a_tier_that_cannot_call_tools_names_it() -> None:
    strong = ToolEcho(name_="strong", model_name="gpt-4o", errors=[], seen=[])
    routed = RoutedChatModel(
        tiers={"cheap": no_tools(), "strong": strong},
        config=tier_config(),
        classifier=always_cheap(),
    )
    with pytest.raises(ToolsUnsupportedError) as err:
        routed.bind_tools([get_weather]).invoke("weather?", model="cheap")
    assert "tier 'cheap' (GenericFakeChatModel" in str(err.value)
    assert "supports_tools" in str(err.value)
    assert err.value.tiers == {"cheap": "GenericFakeChatModel"}
    assert strong.seen == []
    assert [r.status for r in routed.router.ledger.records()] == ["failed"]  # still recorded


def test_shared_router_that_sends_tools_to_an_incapable_tier_fails_at_bind_time() -> None:
    strong = ToolEcho(name_="strong", model_name="gpt-4o", errors=[], seen=[])
    router = Router(as_config(tier_config()), classifier=always_cheap())
    routed = RoutedChatModel(tiers={"cheap": no_tools(), "strong": strong}, router=router)
    with pytest.raises(ToolsUnsupportedError) as err:
        routed.bind_tools([get_weather])
    msg = str(err.value)
    assert "tier 'cheap' (GenericFakeChatModel" in msg and "supports_tools: false" in msg
    assert err.value.tiers == {"cheap": "GenericFakeChatModel"}


def test_structured_output_on_a_tier_that_cannot_give_it_names_the_tier() -> None:
    """Found by a new user: LangChain's own error named no tier and no model."""
    from pydantic import BaseModel

    class City(BaseModel):
        name: str

    routed = RoutedChatModel(
        tiers={"cheap": no_tools(), "strong": ToolEcho()},
        config=tier_config(),
        classifier=always_cheap(),
    )
    with pytest.raises(ToolsUnsupportedError) as err:
        routed.with_structured_output(City).invoke("Where is the Eiffel tower?")
    assert isinstance(err.value, NotImplementedError)
    assert err.value.tiers == {"cheap": "GenericFakeChatModel"}
    msg = str(err.value)
    assert "tier 'cheap' (GenericFakeChatModel) cannot give structured output" in msg
    assert "with_structured_output" in msg
