"""The LLM judge's own call costs money: it is part of the call's cost in the ledger.

Before, a judge (live, in a cascade, or as a shadow candidate) asked its model on every
request it classified and nothing of that reached the ledger: totals, budgets and the savings
against the baseline left it out. Here a scripted judge of known token usage on a priced model.
"""

from __future__ import annotations

import pytest

from shared_core import Router
from shared_core.classifiers import CascadeClassifier, LLMJudgeClassifier
from shared_core.dispatch import aexecute, execute
from shared_core.errors import BudgetExceededError
from shared_core.ledger import CallRecord, InMemoryLedger
from shared_core.pricing import PriceTable, Usage
from shared_core.testing import FakeClassifier, ScriptedJudge, ScriptedModel
from shared_core.variant_stats import compare_variants
from shared_core.variants import VariantRouter

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
JUDGE = {"type": "judge", "options": {"clamp": None}}
# gpt-4o-mini: $0.15 / $0.60 per million input / output tokens
JUDGE_COST = (200 * 0.15 + 3 * 0.60) / 1e6
JUDGE_CALL = {
    "model": "gpt-4o-mini", "input_tokens": 200, "output_tokens": 3, "cached_input_tokens": 0,
    "cost_usd": JUDGE_COST,
}


def _judge(reply: str = "strong") -> ScriptedJudge:
    return ScriptedJudge(reply, model="gpt-4o-mini", usage=Usage(200, 3))


def _router(ledger, judge=None, **cfg) -> Router:
    judge = judge or _judge()
    return Router({"tiers": TIERS, "classifier": JUDGE, **cfg}, judge_complete=judge.pair(), ledger=ledger)


def _tier_cost(model: str, reply: str) -> float:
    usage = Usage(10, max(1, len(reply) // 4))  # ScriptedModel's usage
    return PriceTable().cost(model, usage)  # type: ignore[return-value]


def test_the_judge_call_is_in_the_decision_the_record_and_the_totals():
    ledger = InMemoryLedger()
    router = _router(ledger)
    d = router.decide("What is 2+2?")
    assert d.tier == "strong"
    assert d.classifier_calls == (JUDGE_CALL,)
    assert d.classifier_cost_usd == JUDGE_COST
    plan = router.plan(d, router.request("What is 2+2?"))
    execute(plan, ScriptedModel())
    (rec,) = ledger.records()
    tier_cost = _tier_cost("gpt-4o", "ok from strong")
    assert rec.cost_usd == tier_cost + JUDGE_COST
    assert rec.metadata["classifier_cost_usd"] == JUDGE_COST
    assert rec.metadata["classifier_calls"] == [JUDGE_CALL]
    meta = plan.metadata()
    assert (meta["cost_usd"], meta["total_cost_usd"]) == (tier_cost + JUDGE_COST, tier_cost + JUDGE_COST)
    assert meta["classifier_cost_usd"] == JUDGE_COST
    s = ledger.summary()
    assert s.cost_usd == tier_cost + JUDGE_COST
    assert s.savings_usd == rec.baseline_cost_usd - (tier_cost + JUDGE_COST)
    assert s.by_tier["strong"].cost_usd == tier_cost + JUDGE_COST
    # by model, the judge's part is its own model's
    assert s.by_model["gpt-4o"].cost_usd == pytest.approx(tier_cost, rel=1e-12)
    assert (s.by_model["gpt-4o-mini"].cost_usd, s.by_model["gpt-4o-mini"].calls) == (JUDGE_COST, 0)


async def test_the_async_path_counts_it_the_same():
    ledger = InMemoryLedger()
    router = _router(ledger)
    d = await router.adecide("What is 2+2?")
    await aexecute(router.plan(d, router.request("What is 2+2?")), ScriptedModel().acall)
    (rec,) = ledger.records()
    assert rec.cost_usd == _tier_cost("gpt-4o", "ok from strong") + JUDGE_COST
    assert rec.metadata["classifier_calls"] == [JUDGE_CALL]


def test_an_escalated_call_counts_the_judge_once():
    ledger = InMemoryLedger()
    router = _router(ledger, _judge("cheap"), escalation={"min_length": 20})
    d = router.decide("Explain entropy.")
    model = ScriptedModel(replies={"cheap": ["short"]}, default="a long enough answer from the model")
    execute(router.plan(d, router.request("Explain entropy.")), model)
    first, second = ledger.records()
    assert (first.tier, second.tier, second.escalated) == ("cheap", "strong", True)
    assert first.cost_usd == _tier_cost("gpt-4o-mini", "short") + JUDGE_COST
    assert second.cost_usd == _tier_cost("gpt-4o", "a long enough answer from the model from strong")
    assert "classifier_cost_usd" not in second.metadata
    assert ledger.summary().cost_usd == pytest.approx(first.cost_usd + second.cost_usd, rel=1e-12)


def test_a_refused_call_still_records_what_the_judge_cost():
    """The judge was paid before the budget refused the call: the refused record says so."""
    ledger = InMemoryLedger()
    ledger.record(CallRecord(call_id="earlier", tier="strong", model="gpt-4o", cost_usd=1.0))
    router = _router(ledger, budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.5}]})
    d = router.decide("What is 2+2?")
    with pytest.raises(BudgetExceededError):
        execute(router.plan(d, router.request("What is 2+2?")), ScriptedModel())
    _, rec = ledger.records()
    assert (rec.status, rec.cost_usd) == ("refused", JUDGE_COST)
    assert rec.metadata["classifier_calls"] == [JUDGE_CALL]


def test_a_cascade_counts_the_judge_only_when_it_asked_it():
    ledger = InMemoryLedger()
    judge = _judge()
    sure = FakeClassifier({"hello": "cheap"}, default="cheap", confidence=0.95)
    stages = [(sure, 0.9), (LLMJudgeClassifier(judge, judge.acomplete), None)]
    cascade = CascadeClassifier(stages, labels=["cheap", "strong"])
    router = Router({"tiers": TIERS}, classifier=cascade, ledger=ledger)
    confident = router.decide("hello")
    assert (confident.classifier_calls, confident.classifier_cost_usd) == ((), 0.0)
    assert judge.prompts == []
    sure.confidence = 0.5  # now the cascade falls through to the judge
    unsure = router.decide("Prove it.")
    assert unsure.classifier_calls == (JUDGE_CALL,)
    execute(router.plan(unsure, router.request("Prove it.")), ScriptedModel())
    assert ledger.records()[0].cost_usd == _tier_cost("gpt-4o", "ok from strong") + JUDGE_COST


def test_a_judge_stage_passed_over_by_the_cascade_is_still_paid_for():
    """A judge whose answer was not confident enough was asked all the same."""
    judge = _judge()
    unsure_judge = LLMJudgeClassifier(judge, judge.acomplete, confidence=0.3)
    stages = [(unsure_judge, 0.9), (FakeClassifier(default="cheap"), None)]
    cascade = CascadeClassifier(stages, labels=["cheap", "strong"])
    router = Router({"tiers": TIERS}, classifier=cascade, ledger=InMemoryLedger())
    d = router.decide("Prove it.")
    assert d.tier == "cheap"
    assert d.classifier_calls == (JUDGE_CALL,)


def test_a_judge_that_returns_plain_text_reports_no_cost():
    """A user's ``complete`` returning a str says nothing of its usage: nothing is invented."""
    ledger = InMemoryLedger()
    router = Router({"tiers": TIERS, "classifier": JUDGE}, judge_complete=lambda p: "strong", ledger=ledger)
    d = router.decide("hi")
    assert (d.classifier_calls, d.classifier_cost_usd) == ((), 0.0)
    execute(router.plan(d, router.request("hi")), ScriptedModel())
    (rec,) = ledger.records()
    assert rec.cost_usd == _tier_cost("gpt-4o", "ok from strong")
    assert "classifier_calls" not in rec.metadata


def test_a_shadow_judge_is_paid_by_the_live_call():
    """Shadow mode asks the candidate's judge on every request: the live call's record pays it."""
    ledger = InMemoryLedger()
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    shadow = VariantRouter(control, _router(ledger), mode="shadow")
    d = shadow.decide("What is 2+2?")
    assert d.classifier_cost_usd == JUDGE_COST
    assert d.shadow is not None and d.shadow["classifier_cost_usd"] == JUDGE_COST
    execute(shadow.plan(d, shadow.request("What is 2+2?")), ScriptedModel())
    (rec,) = ledger.records()
    assert (rec.variant, rec.tier) == ("control", "cheap")
    assert rec.cost_usd == _tier_cost("gpt-4o-mini", "ok from cheap") + JUDGE_COST
    assert rec.metadata["classifier_calls"] == [{**JUDGE_CALL, "variant": "candidate", "shadow": True}]


def test_an_ab_candidate_judge_is_in_its_variant_s_cost():
    ledger = InMemoryLedger()
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="strong"), ledger=ledger)
    ab = VariantRouter(control, _router(ledger), share=0.5)
    for i in range(40):
        d = ab.decide("What is 2+2?", user=f"u{i}")
        execute(ab.plan(d, ab.request("What is 2+2?", user=f"u{i}")), ScriptedModel())
    est = compare_variants(ledger.records(), []).variants
    tier_cost = _tier_cost("gpt-4o", "ok from strong")
    assert est["control"]["cost_per_call"].mean == pytest.approx(tier_cost, rel=1e-12)
    assert est["candidate"]["cost_per_call"].mean == pytest.approx(tier_cost + JUDGE_COST, rel=1e-12)


def test_a_judge_on_an_unpriced_model_makes_the_call_s_cost_unknown_not_smaller():
    """A judge on a model with no price was recorded as free: the call's cost was the tier's
    alone (``classifier_cost_usd: 0.0``), and summaries counted no unknown cost."""
    ledger = InMemoryLedger()
    router = _router(ledger, judge=ScriptedJudge("strong", model="house-judge-xyz", usage=Usage(200, 3)))
    d = router.decide("What is 2+2?")
    execute(router.plan(d, router.request("What is 2+2?")), ScriptedModel())
    (rec,) = ledger.records()
    assert rec.cost_usd is None and rec.metadata["classifier_cost_usd"] is None
    assert ledger.summary().unknown_cost_records == 1
