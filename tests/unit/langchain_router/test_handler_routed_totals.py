"""A ``CostCallbackHandler`` on a routed model says what its router says about cost.

A ``FakeListChatModel`` reports no usage and has no price: the router's
``response_metadata["router"]["total_cost_usd"]`` is ``None`` (unknown), but the handler's
``total_cost_usd`` read 0.0 with ``unknown_cost_calls`` 0 and ``calls`` 0 (routed answers were
skipped, as the router records them), a known $0 where the cost is unknown.
"""

from __future__ import annotations

import warnings

from langchain_core.language_models import FakeListChatModel

from langchain_router import CostCallbackHandler, RoutedChatModel
from shared_core.testing import FakeClassifier
from tests.unit.langchain_router.conftest import EchoChat


def _routed(simple: object) -> RoutedChatModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RoutedChatModel(
            tiers={"simple": simple, "complex": EchoChat(name_="c")},  # type: ignore[dict-item]
            classifier=FakeClassifier(default="simple"),
        )


def test_an_unknown_routed_cost_is_unknown_in_the_handler_too() -> None:
    llm = _routed(FakeListChatModel(responses=["hello there"]))
    handler = CostCallbackHandler(router=llm.router)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        msg = llm.invoke("what is up", config={"callbacks": [handler]})
    assert msg.response_metadata["router"]["total_cost_usd"] is None
    assert (handler.calls, handler.unknown_cost_calls, handler.total_cost_usd) == (1, 1, 0.0)
    assert len(handler.ledger.records()) == 1  # the router's record, not a second one


def test_a_known_routed_cost_is_in_the_handlers_total() -> None:
    llm = _routed(EchoChat(model_name="gpt-4o-mini"))
    handler = CostCallbackHandler(router=llm.router)
    msg = llm.invoke("what is up", config={"callbacks": [handler]})
    cost = msg.response_metadata["router"]["total_cost_usd"]
    assert cost is not None and cost > 0
    assert (handler.calls, handler.unknown_cost_calls) == (1, 0)
    assert handler.total_cost_usd == cost
