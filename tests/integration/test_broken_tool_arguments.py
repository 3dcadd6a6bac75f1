"""A tool call whose arguments are not valid JSON escalates under its own name, not as an
"empty answer" (real ``ChatOpenAI`` tiers on the loopback server)."""

from __future__ import annotations

import logging

import pytest
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CONFIG = {
    "tiers": [
        {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100},
        {"name": "strong", "model": "gpt-4o", "max_tokens": 100},
    ],
}


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny in {city}"


def _routed(server: FakeOpenAIServer) -> RoutedChatModel:
    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0)

    return RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, config=CONFIG,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )


@pytest.mark.parametrize("finish_reason", ["tool_calls", "length"])
def test_a_tool_call_with_broken_json_arguments_says_so(
    openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture, finish_reason: str
) -> None:
    openai_server.script(
        "gpt-4o-mini", tool_calls=[{"name": "get_weather", "arguments": '{"city": "Par'}],
        finish_reason=finish_reason, times=1,
    )
    routed = _routed(openai_server)
    with caplog.at_level(logging.WARNING, logger="tier_router"):
        out = routed.bind_tools([get_weather]).invoke("Weather in Paris?")
    assert out.tool_calls and out.tool_calls[0]["name"] == "get_weather"  # the strong tier's
    cheap, strong = routed.router.ledger.records()
    assert (cheap.status, cheap.error_kind, strong.status) == ("rejected", "quality", "ok")
    want = "tool call get_weather has arguments that are not valid JSON"
    if finish_reason == "length":
        want += " (cut at the token budget: finish reason length)"
    assert cheap.error == want
    assert out.response_metadata["router"]["escalation_reason"] == want
    [warning] = [r for r in caplog.records if getattr(r, "event", None) == "escalation"]
    assert warning.reason == want and "empty answer" not in warning.getMessage()
