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
