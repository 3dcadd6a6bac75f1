"""A provider's ``Retry-After`` keeps its tier out of the way, through both adapters.

The loopback server answers the cheap tier's first request with a 429 and ``Retry-After:
120``. The call falls back to the strong tier as before; what changed is the *next* call:
before, the router sent it to the cheap tier again (the cool-down counts three failures
first), so every request paid a 429 round trip until the count was reached; now the cheap
tier is skipped for the 120 s the provider asked for, and the decision says why.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CONFIG = {
    "tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
    "fallback": {"cooldown_failures": 3, "cooldown_s": 30},
}


def _models(server: FakeOpenAIServer) -> list[str]:
    return [r.model for r in server.chat_requests]


def _chat(server: FakeOpenAIServer, ledger: InMemoryLedger) -> RoutedChatModel:
    """Real ``ChatOpenAI`` tiers (no retries of their own) on the loopback server; the cheap
    tier is always chosen."""

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0)

    return RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, config=CONFIG,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=ledger,
    )


def _check(server: FakeOpenAIServer, ledger: InMemoryLedger, second: dict[str, Any]) -> None:
    assert _models(server) == ["gpt-4o-mini", "gpt-4o", "gpt-4o"]  # no second 429 round trip
    assert second["tier"] == "strong"
    assert any("cooling down" in r for r in second["reasons"]), second["reasons"]
    statuses = [(r.tier, r.status) for r in ledger.records()]
    assert statuses == [("cheap", "failed"), ("strong", "ok"), ("strong", "ok")]


def test_langchain_skips_a_tier_the_provider_asked_to_wait_for(openai_server: FakeOpenAIServer) -> None:
    openai_server.fail(model="gpt-4o-mini", status=429, retry_after=120, times=1)
    ledger = InMemoryLedger()
    chat = _chat(openai_server, ledger)
    chat.invoke("hello")
    second = chat.invoke("hello again").response_metadata["router"]
    _check(openai_server, ledger, second)
    assert 110 < chat.router.cooldown.remaining("cheap") <= 120


def test_llamaindex_skips_a_tier_the_provider_asked_to_wait_for(openai_server: FakeOpenAIServer) -> None:
    def inner(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=openai_server.base_url, api_key="sk-test", max_retries=0)

    openai_server.fail(model="gpt-4o-mini", status=429, retry_after=120, times=1)
    ledger = InMemoryLedger()
    llm = RoutedLLM(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")}, config=CONFIG,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=ledger,
    )
    llm.chat([ChatMessage(role="user", content="hello")])
    second = llm.chat([ChatMessage(role="user", content="hello again")]).additional_kwargs["router"]
    _check(openai_server, ledger, second)


def test_without_retry_after_the_count_still_decides(openai_server: FakeOpenAIServer) -> None:
    """A bare 429 (no header) is one failure of three: the next call tries the tier again."""

    openai_server.fail(model="gpt-4o-mini", status=429, times=1)
    chat = _chat(openai_server, InMemoryLedger())
    chat.invoke("hello")
    assert chat.invoke("hello again").response_metadata["router"]["tier"] == "cheap"
    assert _models(openai_server) == ["gpt-4o-mini", "gpt-4o", "gpt-4o-mini"]


@pytest.mark.parametrize(("status", "paused"), [(503, True), (500, False)])
def test_retry_after_counts_on_a_429_or_a_503_only(
    openai_server: FakeOpenAIServer, status: int, paused: bool
) -> None:
    """HTTP gives ``Retry-After`` to 429 and 503; on a 500 it is one failure of three."""

    openai_server.fail(model="gpt-4o-mini", status=status, retry_after=120, times=1)
    chat = _chat(openai_server, InMemoryLedger())
    chat.invoke("hello")
    second = chat.invoke("hello again").response_metadata["router"]["tier"]
    assert second == ("strong" if paused else "cheap")


def test_a_bad_request_with_retry_after_does_not_pause_the_tier(openai_server: FakeOpenAIServer) -> None:
    openai_server.fail(model="gpt-4o-mini", status=400, retry_after=45, times=1)
    chat = _chat(openai_server, InMemoryLedger())
    with pytest.raises(Exception):  # noqa: B017 - the client's BadRequestError reaches the caller
        chat.invoke("hello")
    assert chat.invoke("hello again").response_metadata["router"]["tier"] == "cheap"
