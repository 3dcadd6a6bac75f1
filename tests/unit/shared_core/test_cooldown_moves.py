"""Cool-downs and fallback in the core: with fallback off a call on a tier cooling down is
refused before any provider is called (sync and async plans alike); with it on, the decision
says which tier the call was moved from. (Through both adapters: the integration tests.)"""

from __future__ import annotations

import asyncio

import pytest

from shared_core.dispatch import aexecute, execute
from shared_core.errors import AllTiersFailedError, TierCoolingDownError
from shared_core.testing import ScriptedModel

from .helpers import router_with, three_tiers


@pytest.mark.parametrize("use_async", [False, True])
def test_with_fallback_off_a_cooling_tier_is_refused_before_any_call(use_async: bool) -> None:
    router = router_with(default="cheap", config=three_tiers(fallback={"enabled": False}))
    router.cooldown.failure("cheap", retry_after=20)
    model = ScriptedModel()
    request = router.request("hi")
    decision = router.decide_request(request)
    assert decision.tier == "cheap" and decision.cooled_from is None
    with pytest.raises(TierCoolingDownError) as info:
        if use_async:
            asyncio.run(aexecute(asyncio.run(_aplan(router, decision, request)), model.acall))
        else:
            execute(router.plan(decision, request), model)
    assert isinstance(info.value, AllTiersFailedError) and 19 < info.value.seconds_left <= 20
    assert model.calls == []
    [rec] = router.ledger.records()
    assert (rec.tier, rec.status, rec.error_kind, rec.cost_usd) == ("cheap", "refused", "cooldown", 0.0)


async def _aplan(router, decision, request):
    return await router.aplan(decision, request)


def test_with_fallback_on_the_decision_names_the_tier_it_was_moved_from() -> None:
    router = router_with(default="cheap")
    router.cooldown.failure("cheap", retry_after=20)
    decision = router.decide("hi")
    assert (decision.tier, decision.cooled_from) == ("mid", "cheap")
    assert any(r.startswith("moved from 'cheap' to 'mid': 'cheap' is cooling down (20 s left") for r in decision.reasons)
    # a tier the classifier would not have chosen anyway moves nothing
    router = router_with(default="mid")
    router.cooldown.failure("cheap", retry_after=20)
    assert router.decide("hi").cooled_from is None
