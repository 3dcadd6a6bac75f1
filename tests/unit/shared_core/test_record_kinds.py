"""A record's ``error_kind`` is one word of one vocabulary (:data:`~shared_core.fault_types.RECORD_KINDS`).

``refused`` records (a budget, the per-request cap or a cool-down refusing a call, a
fallback or an escalation) carried exception class names (``BudgetExceededError``,
``RequestCostCapError``, ``TierCoolingDownError``) and a call stopped before any tier was
called ``CancelledError``, where every other record uses the router's fault kinds: a
``GROUP BY error_kind`` split one cause over several class names. They now say ``budget``,
``cost_cap``, ``cooldown`` and ``abandoned``; the class stays in ``error``.
"""

from __future__ import annotations

import asyncio

import pytest

from shared_core import AllTiersFailedError
from shared_core.dispatch import execute
from shared_core.errors import (
    BudgetExceededError,
    BudgetUnavailableError,
    FallbackOverBudgetError,
    FallbackOverCapError,
    LedgerBusyError,
    LedgerUnavailableError,
    RequestCostCapError,
    TierCoolingDownError,
)
from shared_core.fault_types import RECORD_KINDS, REFUSAL_KINDS, refusal_kind
from shared_core.testing import FakeServerError, ScriptedModel

from .helpers import router_with, three_tiers


def test_each_refusal_error_has_its_kind() -> None:
    over = BudgetExceededError("global", 1.0, 1.0, "day")
    cap = RequestCostCapError("cap")
    assert refusal_kind(over) == "budget"
    assert refusal_kind(BudgetUnavailableError("global", 1.0, "day", "down")) == "budget"
    assert refusal_kind(LedgerUnavailableError("down")) == "budget"
    assert refusal_kind(LedgerBusyError("busy")) == "budget"
    assert refusal_kind(cap) == "cost_cap"
    assert refusal_kind(TierCoolingDownError("cheap", "m", 3.0)) == "cooldown"
    assert refusal_kind(RuntimeError("?")) == "other"
    assert set(REFUSAL_KINDS) <= RECORD_KINDS and "other" in RECORD_KINDS


def test_the_fallback_errors_keep_the_kind_of_what_refused_them() -> None:
    assert refusal_kind(FallbackOverCapError.__new__(FallbackOverCapError)) == "cost_cap"
    assert refusal_kind(FallbackOverBudgetError.__new__(FallbackOverBudgetError)) == "budget"


@pytest.mark.parametrize("case", ["cap_first", "budget_fallback", "cooldown", "stopped"])
def test_every_record_s_kind_is_in_the_vocabulary(case: str) -> None:
    if case == "cap_first":  # refused before any attempt
        router = router_with(config=three_tiers(budget={"per_request_cap_usd": 1e-12}))
        with pytest.raises(RequestCostCapError):
            router.plan(router.decide("hi"), router.request("hi")).next_attempt()
        want = "cost_cap"
    elif case == "budget_fallback":  # the cheap tier fails, the budget refuses the fallback
        limit = [{"scope": "global", "period": "day", "limit_usd": 0.0002}]
        router = router_with(config=three_tiers(budget={"limits": limit}, fallback={"cooldown_s": 0}))
        model = ScriptedModel(replies={"cheap": [FakeServerError("down")]})
        plan = router.plan(router.decide("hi"), router.request("hi"))
        with pytest.raises(AllTiersFailedError):
            execute(plan, model)
        want = "budget"
    elif case == "cooldown":  # fallback off, the tier cooling down
        router = router_with(config=three_tiers(fallback={"on": [], "cooldown_failures": 1, "cooldown_s": 60}))
        model = ScriptedModel(replies={"cheap": [FakeServerError("down")]})
        with pytest.raises(FakeServerError):
            execute(router.plan(router.decide("hi"), router.request("hi")), model)
        with pytest.raises(TierCoolingDownError):
            execute(router.plan(router.decide("hi"), router.request("hi")), model)
        want = "cooldown"
    else:  # the caller stopped the call while the router decided
        router = router_with()
        router.record_refused(router.request("hi"), BudgetExceededError("global", 1.0, 1.0, "day"), "core")
        plan = router.plan(router.decide("hi"), router.request("hi"))
        plan.stopped_deciding(asyncio.CancelledError(), "stopped", unpriced=False)
        want = "abandoned"
    recs = router.ledger.records()
    kinds = [r.error_kind for r in recs if r.status != "ok"]
    assert want in kinds
    assert all(k in RECORD_KINDS for k in kinds), kinds
    assert not any(k.endswith(("Error", "Exception")) for k in kinds if k)
