"""The late shadow judge's record: whichever comes first, the judge's answer or the live call's
decision; a call stopped meanwhile; an unpriced judge; and what the summary makes of it.

(The end-to-end check, a real judge against the loopback server: tests/integration/
test_late_shadow_judge.py.)"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from shared_core import Router
from shared_core.dispatch import execute
from shared_core.errors import BudgetExceededError
from shared_core.ledger import CallRecord, InMemoryLedger, open_ledger
from shared_core.ledger.late_judge import LATE_JUDGE_ATTEMPT, is_late_judge
from shared_core.ledger.summary import summarize
from shared_core.pricing import Usage
from shared_core.testing import FakeClassifier, ScriptedJudge, ScriptedModel
from shared_core.variant_stats import compare_variants
from shared_core.variants import VariantRouter

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
JUDGE = {"type": "judge", "options": {"clamp": None}}
JUDGE_COST = (200 * 0.15 + 3 * 0.60) / 1e6  # gpt-4o-mini


class SlowJudge(ScriptedJudge):
    """A judge that answers after ``gate`` is set (then sets ``answered``)."""

    def __init__(self, gate: threading.Event, **kw) -> None:
        super().__init__(**kw)
        self.gate, self.answered = gate, threading.Event()

    def __call__(self, prompt: str):
        assert self.gate.wait(10)
        out = super().__call__(prompt)
        self.answered.set()
        return out


class WaitsFor(FakeClassifier):
    """The control's classifier: decides once ``event`` is set (and a little after)."""

    def __init__(self, event: threading.Event | None, fail: BaseException | None = None, **kw) -> None:
        super().__init__(**kw)
        self.event, self.fail = event, fail

    def classify(self, request):
        if self.event is not None:
            assert self.event.wait(10)
            time.sleep(0.2)  # the late record, if written now, would have no call id
        if self.fail is not None:
            raise self.fail
        return super().classify(request)


def _shadow(ledger, judge, control_cls, cfg=None):
    control = Router(cfg or {"tiers": TIERS}, classifier=control_cls, ledger=ledger)
    candidate = Router({"tiers": TIERS, "classifier": JUDGE}, ledger=ledger, judge_complete=judge.pair())
    return VariantRouter(control, candidate, mode="shadow", shadow_timeout_s=0.05)


def _late(ledger, n: int = 2) -> list[CallRecord]:
    end = time.monotonic() + 10
    while time.monotonic() < end and len(ledger.records()) < n:
        time.sleep(0.02)
    return sorted(ledger.records(), key=lambda r: r.attempt)


def test_a_judge_that_answers_before_the_control_decides_waits_for_the_call_s_id() -> None:
    gate = threading.Event()
    judge = SlowJudge(gate, reply="strong", usage=Usage(200, 3))
    ledger = InMemoryLedger()
    ctl = WaitsFor(judge.answered, default="cheap")
    shadow = _shadow(ledger, judge, ctl)
    threading.Timer(0.15, gate.set).start()  # after the bound, before the control decides
    d = shadow.decide("What is 2+2?")
    execute(shadow.plan(d, shadow.request("What is 2+2?")), ScriptedModel())
    live, late = _late(ledger)
    assert live.call_id == late.call_id == d.call_id
    assert (late.attempt, late.tier, late.model, late.variant) == (LATE_JUDGE_ATTEMPT, "cheap", "gpt-4o-mini", "control")
    assert late.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)


def test_a_judge_that_answers_after_the_call_ended_is_recorded_on_it() -> None:
    gate = threading.Event()
    judge = SlowJudge(gate, reply="strong", usage=Usage(200, 3))
    ledger = InMemoryLedger()
    shadow = _shadow(ledger, judge, FakeClassifier(default="cheap"))
    d = shadow.decide("What is 2+2?")
    execute(shadow.plan(d, shadow.request("What is 2+2?")), ScriptedModel())
    assert len(ledger.records()) == 1
    gate.set()
    live, late = _late(ledger)
    assert late.call_id == d.call_id and is_late_judge(late)
    s = ledger.summary()
    assert (s.calls, s.answered_calls, s.attempts) == (1, 1, 1)
    assert s.cost_usd == pytest.approx((live.cost_usd or 0) + JUDGE_COST, rel=1e-12)


def test_a_call_stopped_while_the_control_decides_still_pays_the_late_judge() -> None:
    gate = threading.Event()
    judge = SlowJudge(gate, reply="strong", usage=Usage(200, 3))
    ledger = InMemoryLedger()
    shadow = _shadow(ledger, judge, WaitsFor(judge.answered, fail=KeyboardInterrupt(), default="cheap"))
    threading.Timer(0.15, gate.set).start()
    with pytest.raises(KeyboardInterrupt):
        shadow.decide("What is 2+2?")
    (late,) = [r for r in _late(ledger, 1) if is_late_judge(r)]
    assert late.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)
    assert ledger.spend("global", 0.0) == pytest.approx(JUDGE_COST, rel=1e-12)


def test_an_unpriced_late_judge_is_unknown_not_free() -> None:
    gate = threading.Event()
    judge = SlowJudge(gate, reply="strong", model="house-judge-xyz", usage=Usage(200, 3))
    ledger = InMemoryLedger()
    shadow = _shadow(ledger, judge, FakeClassifier(default="cheap"))
    d = shadow.decide("hi")
    execute(shadow.plan(d, shadow.request("hi")), ScriptedModel())
    gate.set()
    _, late = _late(ledger)
    assert late.cost_usd is None and late.metadata["classifier_cost_usd"] is None
    assert ledger.summary().unknown_cost_records == 1


def test_a_refused_live_call_with_a_late_judge_is_still_a_refused_call(tmp_path: Path) -> None:
    """The summary and the variant comparison read the call from its own records: a budget
    refusal stays a refusal (the judge's cost counted), never an unsent or answered call."""
    gate = threading.Event()
    judge = SlowJudge(gate, reply="strong", usage=Usage(200, 3))
    ledger = open_ledger(str(tmp_path / "l.db"))
    cfg = {"tiers": [{**t, "max_tokens": 1000} for t in TIERS],
           "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 1e-9}]}}
    shadow = _shadow(ledger, judge, FakeClassifier(default="strong"), cfg)
    d = shadow.decide("hi")
    with pytest.raises(BudgetExceededError):
        execute(shadow.plan(d, shadow.request("hi")), ScriptedModel())
    gate.set()
    recs = _late(ledger)
    assert [r.status for r in recs] == ["refused", "abandoned"] and is_late_judge(recs[1])
    s = summarize(recs)
    assert (s.calls, s.refused_calls, s.unsent_calls, s.answered_calls) == (1, 1, 0, 0)
    assert s.refused_by == {"budget": 1}
    assert s.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)
    cmp = compare_variants(recs, [])
    assert cmp.refused == {"control": 1}
    ledger.close()


def test_the_late_judge_s_cost_is_in_the_cost_metric_too() -> None:
    """``tier_router.cost`` sums what the ledger holds: the late record's cost is added."""
    from shared_core.otel import OpenTelemetry
    from tests.otel_support import captured

    cap = captured()
    gate = threading.Event()
    judge = SlowJudge(gate, reply="strong", usage=Usage(200, 3))
    ledger = InMemoryLedger()
    tel = OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider)
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger, telemetry=tel)
    candidate = Router({"tiers": TIERS, "classifier": JUDGE}, ledger=ledger, judge_complete=judge.pair())
    shadow = VariantRouter(control, candidate, mode="shadow", shadow_timeout_s=0.05)
    d = shadow.decide("hi")
    execute(shadow.plan(d, shadow.request("hi")), ScriptedModel())
    gate.set()
    recs = _late(ledger)
    want = sum(r.cost_usd or 0.0 for r in recs)
    points: list = []
    end = time.monotonic() + 5  # (the metric is added just after the record: read until it is)
    while time.monotonic() < end and sum(p.value for p in points) < want * (1 - 1e-9):
        points += cap.metrics().get("tier_router.cost", ("", []))[1]
        time.sleep(0.01)
    assert sum(p.value for p in points) == pytest.approx(want, rel=1e-12)
    assert {p.attributes["tier_router.status"] for p in points} == {"ok", "abandoned"}
