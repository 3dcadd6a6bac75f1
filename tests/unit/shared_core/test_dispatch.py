"""The per-call engine: fallback, escalation, cost caps, deadlines, ledger records."""

from __future__ import annotations

import pytest

from shared_core import AllTiersFailedError
from shared_core.dispatch import aexecute, execute
from shared_core.errors import BudgetExceededError, RequestCostCapError
from shared_core.ledger import CallRecord
from shared_core.pricing import Usage
from shared_core.quality import Answer
from shared_core.testing import FakeRateLimitError, FakeServerError, ScriptedModel

from .helpers import router_with, three_tiers


def run(router, text, model, **kw):
    d = router.decide(text)
    plan = router.plan(d, router.request(text), **kw)
    return plan, execute(plan, model)


def test_first_attempt_answers_and_is_recorded_with_costs():
    router = router_with(default="cheap")
    plan, result = run(router, "hi", ScriptedModel(replies={"cheap": ["hello there"]}))
    assert result.value == "hello there"
    [rec] = router.ledger.records()
    assert (rec.tier, rec.status, rec.attempt) == ("cheap", "ok", 0)
    # 10 input + 2 output tokens at 0.1 / 0.4 per 1M; baseline = big at 10 / 40
    assert rec.cost_usd == pytest.approx((10 * 0.1 + 2 * 0.4) / 1e6)
    assert rec.baseline_cost_usd == pytest.approx((10 * 10 + 2 * 40) / 1e6)
    meta = plan.metadata()
    assert meta["tier"] == "cheap" and meta["escalated"] is False and meta["fallbacks_tried"] == []
    assert meta["cost_usd"] == rec.cost_usd and meta["call_id"] == rec.call_id


def test_rate_limit_falls_back_to_the_next_tier_and_both_attempts_are_recorded():
    router = router_with(default="cheap")
    model = ScriptedModel(replies={"cheap": [FakeRateLimitError("slow down")]})
    plan, result = run(router, "hi", model)
    assert result.value == "ok from mid"
    recs = router.ledger.records()
    assert [(r.tier, r.status, r.fallback) for r in recs] == [("cheap", "failed", False), ("mid", "ok", True)]
    assert recs[0].error_kind == "rate_limit"
    assert plan.metadata()["fallbacks_tried"] == ["cheap"]


def test_explicit_fallback_chain_is_followed():
    router = router_with(default="mid", config=three_tiers(fallback={"chain": ["cheap", "big"]}))
    model = ScriptedModel(replies={"mid": [FakeServerError("boom")], "cheap": [FakeServerError("boom")]})
    _, result = run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["mid", "cheap", "big"]
    assert result.value == "ok from big"


def test_non_provider_errors_are_raised_not_swallowed_but_still_recorded():
    router = router_with(default="cheap")
    with pytest.raises(ValueError, match="bad request"):
        run(router, "hi", ScriptedModel(replies={"cheap": [ValueError("bad request")]}))
    [rec] = router.ledger.records()
    assert rec.status == "failed" and "bad request" in rec.error


def test_all_tiers_failing_lists_every_error():
    router = router_with(default="cheap")
    model = ScriptedModel(replies={t: [FakeServerError(f"{t} down")] for t in ("cheap", "mid", "big")})
    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", model)
    assert [e.tier for e in err.value.errors] == ["cheap", "mid", "big"]
    assert "cheap down" in str(err.value) and "big down" in str(err.value)
    assert len(router.ledger.records(status="failed")) == 3


def test_refusal_escalates_one_tier_up():
    router = router_with(default="cheap")
    model = ScriptedModel(replies={"cheap": ["I'm sorry, but I can't help with that."]})
    plan, result = run(router, "hi", model)
    assert result.value == "ok from mid"
    recs = router.ledger.records()
    assert [(r.tier, r.status, r.escalated) for r in recs] == [("cheap", "rejected", False), ("mid", "ok", True)]
    meta = plan.metadata()
    assert meta["escalated"] is True and "refusal" in meta["escalation_reason"]
    # the rejected cheap answer is a free quality label
    assert [(f.call_id, f.score, f.source) for f in router.ledger.feedback()] == [(plan.decision.call_id, 0.0, "escalation")]


def test_escalation_is_bounded_by_max_escalations():
    cfg = three_tiers(escalation={"min_length": 50, "max_escalations": 1})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": ["short"], "mid": ["also short"]})
    _, result = run(router, "hi", model)
    assert result.value == "also short"
    assert [a.tier.name for a in model.calls] == ["cheap", "mid"]


def test_failed_escalation_falls_back_upward_then_returns_the_earlier_answer():
    router = router_with(default="cheap", config=three_tiers(escalation={"require_json": True}))
    model = ScriptedModel(replies={"cheap": ["not json"], "mid": [FakeServerError("down")]})
    plan, result = run(router, "hi", model)
    assert result.value == "ok from big"  # the escalation's provider error falls back upward
    assert [r.status for r in router.ledger.records()] == ["rejected", "failed", "ok"]

    router = router_with(default="cheap", config=three_tiers(escalation={"require_json": True}))
    model = ScriptedModel(replies={"cheap": ["not json"], "mid": [FakeServerError("down")],
                                   "big": [FakeServerError("down")]})
    plan, result = run(router, "hi", model)
    assert result.value == "not json"  # nothing better could be had: the earlier answer stands
    assert plan.metadata()["tier"] == "cheap"
    assert [r.status for r in router.ledger.records()] == ["rejected", "failed", "failed", "ok"]
    assert [a.tier.name for a in model.calls] == ["cheap", "mid", "big"]
    _assert_kept_answer_recorded(router, plan)


def test_failed_escalation_with_a_non_provider_error_returns_the_earlier_answer():
    router = router_with(default="cheap", config=three_tiers(escalation={"require_json": True}))
    model = ScriptedModel(replies={"cheap": ["not json"], "mid": [ValueError("bad request")]})
    plan, result = run(router, "hi", model)
    assert result.value == "not json"
    assert [r.status for r in router.ledger.records()] == ["rejected", "failed", "ok"]
    _assert_kept_answer_recorded(router, plan)


def _assert_kept_answer_recorded(router, plan) -> None:
    """The answer returned after every escalation failed: an ``ok`` record on its tier, with no
    cost or tokens of its own, the baseline of that answer, and the call counted as answered."""
    recs = router.ledger.records()
    kept, served = recs[0], recs[-1]
    assert (served.tier, served.status, served.attempt) == ("cheap", "ok", len(recs) - 1)
    assert (served.cost_usd, served.input_tokens, served.output_tokens) == (0.0, 0, 0)
    assert served.baseline_cost_usd == kept.baseline_cost_usd
    assert "every escalation failed" in (served.error or "")
    assert plan.metadata()["cost_usd"] == kept.cost_usd
    summary = router.ledger.summary()
    assert summary.failure_rate == 0.0 and summary.tier_distribution == {"cheap": 1.0}
    assert summary.cost_usd == pytest.approx(sum(r.cost_usd or 0.0 for r in recs))


def test_user_checks_can_escalate():
    router = router_with(default="cheap", checks=[lambda text: "because" in text])
    model = ScriptedModel(replies={"cheap": ["yes"], "mid": ["yes, because reasons"]})
    _, result = run(router, "why?", model)
    assert result.value == "yes, because reasons"


def test_caller_max_tokens_wins_over_the_tier_budget():
    router = router_with(default="cheap")
    model = ScriptedModel()
    run(router, "hi", model, caller_max_tokens=7)
    assert model.calls[0].max_tokens == 7
    run(router, "hi", model)
    assert model.calls[1].max_tokens == 100


def test_per_request_cost_cap_stops_expensive_attempts():
    cfg = three_tiers(budget={"per_request_cap_usd": 0.002})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [FakeServerError("down")]})
    # mid would cost ~400 * 4 / 1e6 = 0.0016 -> allowed; big ~ 0.04 -> not
    _, result = run(router, "hi", model)
    assert result.value == "ok from mid"
    model2 = ScriptedModel(replies={t: [FakeServerError("down")] for t in ("cheap", "mid")})
    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", model2)
    assert any(e.kind == "cost_cap" for e in err.value.errors)


def test_a_request_over_the_cap_from_the_start_is_refused_and_recorded():
    cfg = three_tiers(budget={"per_request_cap_usd": 0.00001})
    router = router_with(default="big", config=cfg)
    with pytest.raises(RequestCostCapError):
        run(router, "hi", ScriptedModel())
    [rec] = router.ledger.records()
    assert rec.status == "refused"


def test_hard_budget_refuses_before_any_provider_call():
    # big reserves (1 + 3 input tokens) x $10/1M + 1000 output tokens x $40/1M = $0.04004
    cfg = three_tiers(budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.05}]})
    router = router_with(default="big", config=cfg)
    model = ScriptedModel()
    run(router, "hi", model)  # fits: $0.04004 held, then settled to its real cost
    assert router.ledger.reserved("global") == 0.0
    router.ledger.record(CallRecord(call_id="other", tier="big", model="m", cost_usd=0.02))
    with pytest.raises(BudgetExceededError) as err:
        run(router, "hi", model)  # 0.02 + its real cost + 0.04004 > 0.05
    assert err.value.scope == "global"
    assert len(model.calls) == 1
    assert router.ledger.records()[-1].status == "refused"


def test_a_call_whose_reservation_cannot_fit_is_refused_before_its_first_attempt():
    cfg = three_tiers(budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.000001}]})
    router = router_with(default="big", config=cfg)
    model = ScriptedModel()
    with pytest.raises(BudgetExceededError):
        run(router, "hi", model)
    assert model.calls == []
    [rec] = router.ledger.records()
    assert rec.status == "refused" and rec.cost_usd == 0.0
    assert router.ledger.reserved("global") == 0.0


def test_deadline_stops_further_attempts():
    import time

    cfg = three_tiers(fallback={"deadline_s": 0.05})
    router = router_with(default="cheap", config=cfg)

    def slow_fail(attempt):
        time.sleep(0.06)
        raise FakeServerError("down")

    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", slow_fail)
    assert err.value.errors[-1].kind == "timeout"


def test_attempt_timeout_triggers_fallback():
    import time

    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "timeout_s": 0.05, "input_price": 0, "output_price": 0},
        {"name": "mid", "model": "mid-model", "input_price": 0, "output_price": 0},
    ])
    router = router_with(default="cheap", config=cfg)
    base = ScriptedModel()

    def maybe_slow(attempt):
        if attempt.tier.name == "cheap":
            time.sleep(0.5)
        return base(attempt)

    _, result = run(router, "hi", maybe_slow)
    assert result.value == "ok from mid"
    assert router.ledger.records()[0].error_kind == "timeout"


def test_a_failing_tier_cools_down_and_is_skipped():
    cfg = three_tiers(fallback={"cooldown_failures": 2, "cooldown_s": 60})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [FakeServerError("down")]})
    for _ in range(2):
        run(router, "hi", model)
    calls_before = len(model.calls)
    d = router.decide("hi")
    assert d.tier == "mid" and "cheap" not in d.eligible
    run(router, "hi", model)
    assert [a.tier.name for a in model.calls[calls_before:]] == ["mid"]


async def test_async_executor_shares_the_plan():
    router = router_with(default="cheap")
    model = ScriptedModel(replies={"cheap": [FakeRateLimitError("429")]})
    d = await router.adecide("hi")
    plan = router.plan(d, router.request("hi"))
    result = await aexecute(plan, model.acall)
    assert result.value == "ok from mid"
    assert [r.status for r in router.ledger.records()] == ["failed", "ok"]


def test_stream_failure_after_first_token_is_raised_and_recorded():
    router = router_with(default="cheap")
    d = router.decide("hi")
    plan = router.plan(d, router.request("hi"), streaming=True)
    attempt = plan.next_attempt()
    with pytest.raises(FakeServerError):
        plan.failed(attempt, FakeServerError("cut"), after_first_token=True, received_text="x" * 400)
    [rec] = router.ledger.records()
    assert rec.status == "failed" and rec.streamed
    # generated before the cut, so billed: estimated from what was sent and received
    assert rec.output_tokens == 100 and rec.input_tokens > 0
    assert rec.cost_usd is not None and rec.cost_usd > 0
    assert "estimated" in (rec.error or "")


def test_a_failure_before_any_token_records_no_cost_and_a_timeout_its_worst_case():
    """A 503 was answered, not billed. A timed-out request was sent and may be finished and
    billed: a call records its worst case (its input and the tier's whole budget, 100
    tokens), a stream its input (a provider stops generating when the client leaves)."""
    router = router_with(default="cheap")
    for exc, streaming in (
        (FakeServerError("503"), False), (TimeoutError("read timed out"), False),
        (TimeoutError("read timed out"), True),
    ):
        plan = router.plan(router.decide("hi"), router.request("hi"), streaming=streaming)
        attempt = plan.next_attempt()
        try:
            plan.failed(attempt, exc)
        except Exception:
            pass
    refused, timed_out, stream_timed_out = [r for r in router.ledger.records() if r.attempt == 0]
    assert refused.cost_usd == 0.0 and refused.input_tokens == 0  # nothing sent to bill: a known zero
    assert timed_out.error_kind == "timeout"
    assert timed_out.input_tokens > 0 and timed_out.output_tokens == 100 and timed_out.cost_usd is not None
    assert "upper bound" in (timed_out.error or "")
    assert stream_timed_out.error_kind == "timeout"
    assert stream_timed_out.input_tokens > 0 and stream_timed_out.output_tokens == 0


def test_unchecked_stream_answers_are_not_escalated():
    router = router_with(default="cheap")
    d = router.decide("hi")
    plan = router.plan(d, router.request("hi"), streaming=True)
    attempt = plan.next_attempt()
    ok = plan.succeeded(attempt, usage=Usage(5, 5), answer=Answer("I don't know"), check=False)
    assert ok and plan.next_attempt() is None


def test_attempt_timeout_keeps_the_callers_context_variables():
    import contextvars

    var = contextvars.ContextVar("run_id", default="none")
    var.set("run-7")
    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "timeout_s": 5, "input_price": 0, "output_price": 0},
        {"name": "mid", "model": "mid-model", "input_price": 0, "output_price": 0},
    ])
    router = router_with(default="cheap", config=cfg)
    seen = []

    def call(attempt):
        seen.append(var.get())  # runs in a worker thread because of timeout_s
        return ScriptedModel()(attempt)

    run(router, "hi", call)
    assert seen == ["run-7"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Answer(""), "empty answer"),
        (Answer("partial", finish_reason="content_filter"), "content filter"),
    ],
)
def test_empty_or_filtered_answer_escalates_with_default_checks(answer, reason):
    router = router_with(default="cheap")
    base = ScriptedModel()

    def call(attempt):
        result = base(attempt)
        if attempt.tier.name == "cheap":
            return type(result)(value="", usage=result.usage, answer=answer)
        return result

    plan, result = run(router, "hi", call)
    assert result.value == "ok from mid"
    first = router.ledger.records()[0]
    assert (first.tier, first.status, first.error_kind) == ("cheap", "rejected", "quality")
    assert reason in first.error and reason in plan.metadata()["escalation_reason"]
