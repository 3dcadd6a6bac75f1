"""``RouteCapHandler``: a refused call is recorded once, and no cost handler keeps it open."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_router import CostCallbackHandler
from langchain_router.route_cap import RouteCapHandler, with_cap
from shared_core import Router, RouterConfig
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from shared_core.route_hold import RouteSpend


def _router() -> Router:
    return Router(RouterConfig.build({
        "tiers": [{"name": "only", "model": "gpt-4o", "max_tokens": 8}],
        "budget": {"per_request_cap_usd": 0.0001},
    }), ledger=InMemoryLedger())


def _start(handler: Any, run_id: uuid.UUID, **params: Any) -> None:
    handler.on_chat_model_start(
        {}, [[HumanMessage("hi")]], run_id=run_id,
        invocation_params={"model": "gpt-4o", **params}, metadata={"tier": "only", "router_call_id": "c1"},
    )


def test_a_call_refused_after_a_cost_handler_saw_it_start_is_dropped_from_that_handler() -> None:
    """LangChain merges callback managers through a set: the caller's handler may run first."""
    router = _router()
    peer = CostCallbackHandler(router=router)
    guard = RouteCapHandler(router, RouteSpend(0.0001, "only"))
    config = with_cap({"callbacks": [peer]}, guard)
    assert config is not None and config["callbacks"] == [guard, peer] and guard.peers == (peer,)
    run_id = uuid.uuid4()
    _start(peer, run_id, max_tokens=1000)  # up to $0.01: over the cap
    with pytest.raises(RequestCostCapError, match=r"may cost \$0.0100"):
        _start(guard, run_id, max_tokens=1000)
    assert peer._runs == {} and guard._runs == {}
    [rec] = router.ledger.records()
    assert (rec.status, rec.tier, rec.model, rec.cost_usd, rec.call_id) == (
        "refused", "only", "gpt-4o", 0.0, run_id.hex)
    assert rec.metadata["router_call_id"] == "c1" and peer.calls == 0


def test_an_admitted_call_counts_its_recorded_cost() -> None:
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, LLMResult

    router = _router()
    spend = RouteSpend(0.0001, "only")
    guard = RouteCapHandler(router, spend)
    run_id = uuid.uuid4()
    _start(guard, run_id, max_tokens=8)
    answer = AIMessage("ok", usage_metadata={"input_tokens": 10, "output_tokens": 8, "total_tokens": 18},
                       response_metadata={"model_name": "gpt-4o"})
    guard.on_llm_end(LLMResult(generations=[[ChatGeneration(message=answer)]]), run_id=run_id)
    assert spend.spent == pytest.approx((10 * 2.5 + 8 * 10.0) / 1e6)
    assert router.ledger.records() == []  # the caller's cost handlers record answers
