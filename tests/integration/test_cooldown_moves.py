"""A tier cooling down after a provider's 429 + ``Retry-After``, through both adapters over
real clients (``ChatOpenAI``, LlamaIndex ``OpenAI``) on the loopback server.

Before: every later call silently went to the 3x pricier tier, even with fallback turned off,
with no WARNING. Now, with fallback off (``enabled: false`` or ``on: []``) a call whose tier
is cooling down does not move: it is refused before any provider is called with
``TierCoolingDownError`` (an ``AllTiersFailedError``) naming the tier and the seconds left,
and recorded ``refused``. With fallback on it moves as before, and the move is a WARNING
(rate-limited: the first of each tier pair at once, then at most one every
``COOLDOWN_LOG_EVERY_S`` saying how many calls moved meanwhile), in the decision's reasons
and in the ledger record's metadata.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from shared_core import AllTiersFailedError, telemetry
from shared_core.errors import TierCoolingDownError
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

TIERS = [
    {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100, "input_price": 1.0, "output_price": 2.0},
    {"name": "strong", "model": "gpt-4o", "max_tokens": 100, "input_price": 3.0, "output_price": 6.0},
]
OFF = {"enabled-false": {"enabled": False}, "on-empty": {"on": []}}
Q = "What is the capital of France?"


def _langchain(server: FakeOpenAIServer, fallback: dict[str, Any]) -> tuple[Any, Any]:
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0)

    routed = RoutedChatModel(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config={"tiers": TIERS, "fallback": fallback},
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )
    return routed, lambda: routed.invoke(Q).response_metadata["router"]


def _llamaindex(server: FakeOpenAIServer, fallback: dict[str, Any]) -> tuple[Any, Any]:
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def inner(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0)

    routed = RoutedLLM(
        tiers={"cheap": inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config={"tiers": TIERS, "fallback": fallback},
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]), ledger=InMemoryLedger(),
    )
    msgs = [ChatMessage(role="user", content=Q)]
    return routed, lambda: routed.chat(msgs).additional_kwargs["router"]


BUILD = {"langchain": _langchain, "llamaindex": _llamaindex}


@pytest.mark.parametrize("adapter", list(BUILD))
@pytest.mark.parametrize("off", list(OFF))
def test_with_fallback_off_a_cooling_tier_fails_fast_and_does_not_move(
    openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture, adapter: str, off: str
) -> None:
    openai_server.fail("gpt-4o-mini", status=429, retry_after=30, times=1)
    routed, call = BUILD[adapter](openai_server, OFF[off])
    with pytest.raises(Exception) as first:  # the provider's own 429, as before
        call()
    assert "429" in str(first.value)
    with caplog.at_level(logging.WARNING, logger="tier_router"), pytest.raises(TierCoolingDownError) as info:
        call()
    err = info.value
    assert isinstance(err, AllTiersFailedError)
    assert err.tier == "cheap" and 25.0 < err.seconds_left <= 30.0
    assert [(e.tier, e.kind, e.attempted) for e in err.errors] == [("cheap", "cooldown", False)]
    assert str(err).startswith("tier 'cheap' (gpt-4o-mini) is cooling down for ")
    assert "fallback is off" in str(err) and "not sent to any provider" in str(err)
    assert openai_server.models == ["gpt-4o-mini"]  # nothing sent, nothing moved to 'strong'
    recs = routed.router.ledger.records()
    assert [(r.attempt, r.tier, r.status, r.error_kind, r.cost_usd) for r in recs[1:]] == [
        (0, "cheap", "refused", "cooldown", 0.0)
    ]
    reasons = routed.router.decide(Q).reasons
    assert any("cooling down" in r and "fallback is off" in r and "cheap" in r for r in reasons), reasons
    assert routed.router.decide(Q).tier == "cheap"


@pytest.mark.parametrize("adapter", list(BUILD))
def test_with_fallback_on_a_cooldown_move_is_logged_and_recorded(
    openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture, adapter: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    openai_server.fail("gpt-4o-mini", status=429, retry_after=30, times=1)
    routed, call = BUILD[adapter](openai_server, {})
    with caplog.at_level(logging.DEBUG, logger="tier_router"):
        assert call()["tier"] == "strong"  # a fallback (its own WARNING)
        metas = [call() for _ in range(3)]
        monkeypatch.setattr(telemetry, "COOLDOWN_LOG_EVERY_S", 0.0)
        metas.append(call())
    assert [m["tier"] for m in metas] == ["strong"] * 4
    assert openai_server.models == ["gpt-4o-mini"] + ["gpt-4o"] * 5
    for meta in metas:
        assert meta["fallbacks_tried"] == []
        assert any("moved from 'cheap' to 'strong'" in r and "cooling down" in r for r in meta["reasons"]), meta
    moves = [r for r in caplog.records if getattr(r, "event", None) == "cooldown_move"]
    assert [r.levelno for r in moves] == [logging.WARNING, logging.DEBUG, logging.DEBUG, logging.WARNING]
    first, *_, last = moves
    assert (first.tier, first.next_tier, first.call_id) == ("cheap", "strong", metas[0]["call_id"])
    assert 25.0 < first.cooldown_left_s <= 30.0
    assert first.getMessage().startswith(
        "cool-down moved the call from tier 'cheap' (gpt-4o-mini) to 'strong' (gpt-4o): 'cheap' is "
        "cooling down for "
    )
    assert (first.moved_unlogged, last.moved_unlogged) == (0, 2)
    assert "2 more call(s) moved from 'cheap' to 'strong' since the last such WARNING" in last.getMessage()
    recs = routed.router.ledger.records()
    assert [r.metadata.get("cooldown_moved_from") for r in recs] == [None, None, "cheap", "cheap", "cheap", "cheap"]
