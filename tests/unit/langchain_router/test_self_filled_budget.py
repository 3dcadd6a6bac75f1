"""A budget an inner model's class fills in by itself is not the user's.

``langchain_anthropic.ChatAnthropic`` sets ``max_tokens`` in a ``model_validator(mode="before")``
(64,000 for a Sonnet 4.x model) when none is given, so it lands in pydantic's
``model_fields_set`` like a value the user passed. Taken as the user's, a ``simple`` tier
reserved for and sent 64,000 output tokens instead of the ladder's 1,024 (worst case per call
~$0.015 -> ~$0.96 at $15/1M output). ``AnthropicLike`` is a stand-in with the same kind of
validator (langchain_anthropic is not installed here).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import model_validator

from langchain_router import RoutedChatModel
from shared_core import Router
from shared_core.output_budget import ModelDefault, model_budget
from shared_core.testing import FakeClassifier
from shared_core.tier_defaults import TierDefaultsWarning
from tests.unit.langchain_router.conftest import EchoChat

LADDER = Router().config.tier("simple").max_tokens
FIELDS = ("max_tokens",)


class AnthropicLike(EchoChat):
    """Fills ``max_tokens`` by model name before validation, as ChatAnthropic does."""

    @model_validator(mode="before")
    @classmethod
    def _default_max_tokens(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("max_tokens") is None:
            values["max_tokens"] = 64_000 if "sonnet" in str(values.get("model_name", "")) else 4_096
        return values


def _routed(simple: EchoChat) -> RoutedChatModel:
    return RoutedChatModel(
        tiers={"simple": simple, "complex": EchoChat(name_="c")},
        classifier=FakeClassifier(default="simple"),
    )


def test_a_class_filled_budget_gives_way_to_the_ladders() -> None:
    inner = AnthropicLike(model_name="claude-sonnet-4-5")
    assert inner.max_tokens == 64_000 and "max_tokens" in inner.model_fields_set
    llm = _routed(inner)
    assert LADDER == 1024
    assert llm.router.config.tier("simple").max_tokens == LADDER
    d = llm.router.decide("hi")
    assert (d.tier, d.max_tokens) == ("simple", LADDER)
    llm.invoke("hi")
    assert [s["max_tokens"] for s in inner.seen] == [LADDER]  # sent, not 64,000


def test_the_users_own_budget_on_the_same_class_still_wins() -> None:
    llm = _routed(AnthropicLike(model_name="claude-sonnet-4-5", max_tokens=50))
    assert llm.router.config.tier("simple").max_tokens == 50


def test_a_class_filled_budget_is_still_what_a_tier_outside_the_ladder_reserves() -> None:
    inner = AnthropicLike(model_name="claude-sonnet-4-5")
    n = model_budget(inner, FIELDS)
    assert n == 64_000 and isinstance(n, ModelDefault)
    assert not isinstance(model_budget(AnthropicLike(model_name="x", max_tokens=64_000 - 1), FIELDS), ModelDefault)
    with pytest.warns(TierDefaultsWarning):
        llm = RoutedChatModel(tiers={"fast": inner, "smart": EchoChat(name_="s", max_tokens=10)})
    assert llm.router.config.tier("fast").max_tokens == 64_000  # what it sends anyway


def test_a_large_own_budget_on_a_ladder_tier_is_logged(caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="tier_router"):
        _routed(AnthropicLike(model_name="claude-sonnet-4-5", max_tokens=9000))
        _routed(AnthropicLike(model_name="claude-sonnet-4-5"))
    text = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("max_tokens=9000" in t and "1024" in t for t in text), text
    assert any("max_tokens=64000" in t and "class's default" in t for t in text), text
