"""One budget per request for inner models that carry budgets outside their budget field
(``model_kwargs``) or take them nested in a call keyword (Ollama's ``options``)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field

from langchain_router import RoutedChatModel
from langchain_router.inner import with_overrides
from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.unit.langchain_router.conftest import EchoChat


class ExtraChat(EchoChat):
    """A model whose ``model_kwargs`` go into its request after its own fields."""

    model_kwargs: dict[str, Any] = Field(default_factory=dict)


def test_a_budget_in_model_kwargs_gives_way_to_the_field() -> None:
    inner = ExtraChat(model_kwargs={"max_completion_tokens": 4000, "seed": 1})
    copy, extra = with_overrides(inner, 64, None)
    assert copy.max_tokens == 64 and copy.model_kwargs == {"seed": 1} and not extra
    assert inner.model_kwargs == {"max_completion_tokens": 4000, "seed": 1}  # shared: untouched


def test_a_nested_budget_in_model_kwargs_is_set_not_dropped() -> None:
    inner = ExtraChat(model_kwargs={"options": {"num_predict": 4000, "temperature": 0}})
    copy, _ = with_overrides(inner, 64, None)
    assert copy.model_kwargs == {"options": {"num_predict": 64, "temperature": 0}}


def _routed(inner: EchoChat, limit: float) -> RoutedChatModel:
    config = RouterConfig.build({
        "tiers": [{"name": "t", "model": "m", "max_tokens": 64, "input_price": 1.0, "output_price": 1.0}],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": limit}]},
    })
    return RoutedChatModel(tiers={"t": inner}, config=config, classifier=FakeClassifier(default="t"),
                           ledger=InMemoryLedger())


def test_a_callers_nested_budget_is_reserved_for_and_sent() -> None:
    """Ollama's ``options`` replace the model's own settings: the budget in them is read as
    the caller's, reserved for, and sent there (not dropped, which would leave it unbounded)."""
    inner = ExtraChat()
    model = _routed(inner, limit=0.001)  # 64 tokens at $1/M fit, 4000 do not
    with pytest.raises(BudgetExceededError):
        model.invoke("hello", options={"num_predict": 4000})
    assert inner.seen == []
    model.invoke("hello", options={"num_predict": 100, "temperature": 0})
    [seen] = inner.seen
    assert seen["kwargs"]["options"] == {"num_predict": 100, "temperature": 0}
    assert seen["max_tokens"] == 100


def _unlimited() -> RoutedChatModel:
    config = RouterConfig.build({
        "tiers": [{"name": "t", "model": "m", "max_tokens": 64, "input_price": 1.0, "output_price": 1.0}],
    })
    return RoutedChatModel(tiers={"t": EchoChat()}, config=config, classifier=FakeClassifier(default="t"),
                           ledger=InMemoryLedger())


@pytest.mark.parametrize("value", [0, -1, True])
def test_an_invalid_output_budget_says_what_to_do(value: Any) -> None:
    """The message says to leave the budget out (or pass None) for the tier's ``max_tokens``
    and that -1 "unlimited" is not taken; it speaks of a hard limit only when one is set."""
    from shared_core import InputError

    with pytest.raises(InputError) as free:
        _unlimited().invoke("hello", max_tokens=value)
    text = str(free.value)
    assert f"max_tokens={value!r}" in text and "positive whole number" in text
    assert "leave it out or pass None" in text and "tier's max_tokens" in text
    assert "-1" in text and "every call is budgeted for" in text
    assert "hard" not in text
    with pytest.raises(InputError) as held:
        _routed(EchoChat(), limit=1.0).invoke("hello", max_tokens=value)
    assert "leave it out or pass None" in str(held.value) and "hard budget limit" in str(held.value)


def test_a_routes_invalid_budget_is_named_at_build_with_the_same_advice() -> None:
    from langchain_router import RunnableRouter
    from shared_core import InputError

    config = {"tiers": [{"name": "t", "model": "m", "max_tokens": 64}]}
    with pytest.raises(InputError, match="leave it out or pass None") as info:
        RunnableRouter({"t": EchoChat().bind(max_tokens=-1)}, config=config)
    assert "hard" not in str(info.value)
