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
        ("t3", 3, "ok"),  # the answer returned: t3's, at no cost of its own
    ]
    assert records[-1].cost_usd == 0.0 and records[-1].baseline_cost_usd == records[1].baseline_cost_usd


def _fields(rec: object, names: tuple[str, ...]) -> dict[str, object]:
    return {n: getattr(rec, n) for n in names}


RECORD_FIELDS = (
    "tier", "model", "attempt", "status", "error_kind", "input_tokens", "output_tokens",
    "cached_input_tokens", "cost_usd", "baseline_model", "baseline_cost_usd", "escalated",
    "fallback", "classifier", "confidence", "prompt", "tags", "metadata", "user", "thread_id",
    "framework", "streamed",
)


def test_a_refusal_is_recorded_field_by_field_before_any_call() -> None:
    from shared_core.errors import RequestCostCapError

    router = router_with(default="t1", config=_ladder(budget={"per_request_cap_usd": 1e-9}))
    decision = router.decide("hi")
    request = router.request("hi", user="u1", tags=["t"], thread_id="th", metadata={"k": 1})
    with pytest.raises(RequestCostCapError):
        router.plan(decision, request, framework="langchain", streaming=True).next_attempt()
    [rec] = router.ledger.records()
    assert _fields(rec, RECORD_FIELDS) == {
        "tier": "t1", "model": "model-1", "attempt": 0, "status": "refused",
        "error_kind": "cost_cap", "input_tokens": 0, "output_tokens": 0,
        "cached_input_tokens": 0, "cost_usd": 0.0, "baseline_model": "model-4",
        "baseline_cost_usd": None, "escalated": False, "fallback": False,
        "classifier": decision.classifier, "confidence": decision.confidence, "prompt": None,
        "tags": ("t",), "metadata": {"k": 1}, "user": "u1", "thread_id": "th",
        "framework": "langchain", "streamed": True,
    }
    assert rec.call_id == decision.call_id
    assert rec.prompt_hash == router.ledger.hash_prompt(request.text)
    assert rec.latency_ms == 0.0 and rec.ts > 0
    assert rec.error is not None and rec.error.startswith("per-request cap $0.000000")


def test_answered_and_failed_attempts_are_recorded_field_by_field() -> None:
    model = ScriptedModel(replies={"t1": [FakeServerError("down")], "t3": ["x" * 40]})
    router, plan, _ = _run(model)
    execute(plan, model)
    failed, ok = router.ledger.records()
    common = {
        "baseline_model": "model-4", "classifier": plan.decision.classifier,
        "confidence": plan.decision.confidence, "prompt": None, "tags": (), "metadata": {},
        "user": None, "thread_id": None, "framework": "core", "streamed": False,
        "escalated": False, "cached_input_tokens": 0,
    }
    assert _fields(failed, RECORD_FIELDS) == {
        **common, "tier": "t1", "model": "model-1", "attempt": 0, "status": "failed",
        "error_kind": "server", "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0,
        "baseline_cost_usd": 0.0, "fallback": False,  # a 500 is not billed: a known zero
        # the call's first record keeps the classifier's tier scores (calibrate --from-ledger)
        "metadata": {"router_scores": dict(plan.decision.scores)},
    }
    # ScriptedModel: 10 input tokens, len // 4 = 10 output tokens; t3 at 8 / 32, t4 at 16 / 64
    assert _fields(ok, RECORD_FIELDS) == {
        **common, "tier": "t3", "model": "model-3", "attempt": 1, "status": "ok",
        "error_kind": None, "input_tokens": 10, "output_tokens": 10,
        "cost_usd": (10 * 8.0 + 10 * 32.0) / 1e6, "baseline_cost_usd": (10 * 16.0 + 10 * 64.0) / 1e6,
        "fallback": True,
    }
    assert failed.error == "FakeServerError: down"
    assert failed.call_id == ok.call_id == plan.decision.call_id
    assert 0.0 <= failed.latency_ms < 5_000 and 0.0 <= ok.latency_ms < 5_000


def test_metadata_of_a_call_that_fell_back_then_escalated() -> None:
    refusal = "I'm sorry, I can't help with that."
    model = ScriptedModel(replies={"t1": [FakeServerError("down")], "t3": [refusal]})
    router, plan, _ = _run(model)
    result = execute(plan, model)
    assert result.value == "ok from t4"
    d = plan.decision
    meta = plan.metadata()
    records = router.ledger.records()
    assert meta == {
        "tier": "t4", "model": "model-4", "decided_tier": "t1", "confidence": d.confidence,
        "classifier": d.classifier, "scores": dict(d.scores), "escalated": True,
        "escalation_reason": meta["escalation_reason"], "fallbacks_tried": ["t1"],
        "attempts": 3, "cost_usd": records[-1].cost_usd,
        "total_cost_usd": records[1].cost_usd + records[2].cost_usd,
        "baseline_cost_usd": records[-1].baseline_cost_usd, "call_id": d.call_id,
        "decision_latency_us": d.latency_us, "reasons": list(d.reasons),
    }
    assert "refusal" in meta["escalation_reason"]
    assert [(r.tier, r.status, r.fallback, r.escalated) for r in records] == [
        ("t1", "failed", False, False), ("t3", "rejected", True, False), ("t4", "ok", False, True),
    ]


def test_metadata_before_any_attempt_names_the_decided_tier() -> None:
    router = router_with(default="t1", config=_ladder())
    plan = router.plan(router.decide(LONG), router.request(LONG))
    meta = plan.metadata()
    assert (meta["tier"], meta["model"], meta["attempts"], meta["escalated"]) == (
        "t1", "model-1", 0, False,
    )
    assert (meta["cost_usd"], meta["total_cost_usd"], meta["fallbacks_tried"]) == (None, 0.0, [])
