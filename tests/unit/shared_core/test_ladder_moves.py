"""Fallback and escalation from the middle of a ladder that has an ineligible tier (issue 14, item 8).

Earlier tests always started from the cheapest tier of a simple ladder, so a fallback that
tried cheaper tiers first, or an escalation onto a tier the context window excluded, went
unnoticed; so did ledger records that all said ``attempt=0``.

The ladder: ``t0`` < ``t1`` < ``t2`` (a 500-token context window) < ``t3`` < ``t4``. The
request is ~1,000 tokens, so ``t2`` cannot serve it; the classifier picks ``t1``.
"""

from __future__ import annotations

import pytest

from shared_core import AllTiersFailedError, RouterConfig
from shared_core.dispatch import aexecute, execute
from shared_core.testing import FakeServerError, ScriptedModel

from .helpers import router_with

LONG = "Please review this paragraph carefully. " * 100  # ~4,000 characters, ~1,000 tokens


def _ladder(**extra: object) -> RouterConfig:
    tiers = [
        {"name": f"t{i}", "model": f"model-{i}", "max_tokens": 100,
         "input_price": float(2**i), "output_price": float(4 * 2**i)}
        for i in range(5)
    ]
    tiers[2]["context_window"] = 500
    return RouterConfig.build({"tiers": tiers, "classifier": {"type": "fake"}, **extra})


def _run(model: ScriptedModel, **config: object):
    router = router_with(default="t1", config=_ladder(**config))
    decision = router.decide(LONG)
    assert decision.tier == "t1"
    assert "t2" not in decision.eligible, "the small context window must exclude t2"
    plan = router.plan(decision, router.request(LONG))
    return router, plan, model


def test_fallback_from_the_middle_goes_up_first_skipping_the_ineligible_tier() -> None:
    down = FakeServerError("down")
    model = ScriptedModel(replies={"t1": [down], "t3": [down], "t4": [down]})
    router, plan, _ = _run(model)
    result = execute(plan, model)
    assert [a.tier.name for a in model.calls] == ["t1", "t3", "t4", "t0"]
    assert result.value == "ok from t0"
    records = router.ledger.records()
    assert [(r.tier, r.attempt, r.status, r.fallback) for r in records] == [
        ("t1", 0, "failed", False),
        ("t3", 1, "failed", True),
        ("t4", 2, "failed", True),
        ("t0", 3, "ok", True),
    ]


async def test_async_fallback_takes_the_same_path() -> None:
    down = FakeServerError("down")
    model = ScriptedModel(replies={"t1": [down], "t3": [down]})
    router, plan, _ = _run(model)
    result = await aexecute(plan, model.acall)
    assert [a.tier.name for a in model.calls] == ["t1", "t3", "t4"]
    assert result.value == "ok from t4"
    assert [r.attempt for r in router.ledger.records()] == [0, 1, 2]


def test_every_tier_failing_never_tries_the_ineligible_one() -> None:
    model = ScriptedModel(replies={f"t{i}": [FakeServerError(f"t{i} down")] for i in range(5)})
    _, plan, _ = _run(model)
    with pytest.raises(AllTiersFailedError) as info:
        execute(plan, model)
    assert [e.tier for e in info.value.errors] == ["t1", "t3", "t4", "t0"]


def test_escalation_from_the_middle_skips_the_ineligible_tier() -> None:
    model = ScriptedModel(replies={"t1": ["I'm sorry, I can't help with that."]})
    router, plan, _ = _run(model)
    result = execute(plan, model)
    assert [a.tier.name for a in model.calls] == ["t1", "t3"]
    assert result.value == "ok from t3"
    records = router.ledger.records()
    assert [(r.tier, r.attempt, r.status, r.escalated) for r in records] == [
        ("t1", 0, "rejected", False),
        ("t3", 1, "ok", True),
    ]


def test_two_escalations_then_a_fallback_number_their_attempts_in_order() -> None:
    refusal = "I'm sorry, I can't help with that."
    model = ScriptedModel(replies={"t1": [refusal], "t3": [refusal], "t4": [FakeServerError("x")]})
    router, plan, _ = _run(model, escalation={"max_escalations": 2})
    result = execute(plan, model)
    # t4 failed after two rejected answers: nothing stronger is left, so the kept answer stands
    assert [a.tier.name for a in model.calls] == ["t1", "t3", "t4"]
    assert result.value == refusal
    records = router.ledger.records()
    assert [(r.tier, r.attempt, r.status) for r in records] == [
        ("t1", 0, "rejected"),
        ("t3", 1, "rejected"),
        ("t4", 2, "failed"),
    ]
