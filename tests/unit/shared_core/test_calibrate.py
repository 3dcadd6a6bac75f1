"""Picking the knob for a target, writing it into a config, and re-fitting from the ledger."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.config import RouterConfig
from shared_core.errors import ConfigError, DataFormatError
from shared_core.ledger import CallRecord, InMemoryLedger
from shared_core.policy import select_batch
from shared_core.training.calibrate import (
    apply_to_config,
    isotonic,
    pick_knob,
    refit_from_ledger,
)
from shared_core.training.data import load_dataset
from shared_core.training.evaluate import evaluate

from ._training_fakes import StandInRouter, write_files

CONFIG = {
    "tiers": [
        {"name": "s", "model": "small", "input_price": 0.1, "output_price": 0.2},
        {"name": "m", "model": "medium", "input_price": 1.0, "output_price": 2.0},
        {"name": "l", "model": "large", "input_price": 10.0, "output_price": 30.0},
    ],
    "policy": {"threshold": 0.5},
}


@pytest.fixture
def swept(tmp_path):
    ds = load_dataset(*write_files(tmp_path, n=200))
    router = StandInRouter(3)
    return router, ds, evaluate(router, ds)


def _replay(router, ds, knob):
    ch = select_batch(router.predict(ds.texts), knob, rule=router.rule)
    n = np.arange(len(ds))
    return ds.scores[n, ch].mean(), ds.costs[n, ch].mean(), (ch == len(ds.models) - 1).mean()


def test_target_quality_is_met_at_the_lowest_cost(swept):
    router, ds, res = swept
    cal = pick_knob(res, ds, target_quality=0.95, folds=0)
    q_best = ds.scores.mean(axis=0).max()
    assert cal.met and cal.quality >= 0.95 * q_best - 1e-9
    # replaying the chosen knob on the rows gives what was promised
    q, c, _ = _replay(router, ds, cal.knob)
    assert q == pytest.approx(cal.quality) and c * 1000 == pytest.approx(cal.cost_per_1k)
    # no operating point reaching the target is cheaper
    ok = res.curve.quality >= 0.95 * q_best - 1e-9
    assert cal.cost_per_1k / 1000 == pytest.approx(res.curve.cost[ok].min())


def test_unreachable_quality_is_flagged(tmp_path):
    # the middle model is the best, but this router only ever picks the cheapest or the largest
    ds = load_dataset(*write_files(tmp_path, n=60))
    ds.scores[:, 1] = 1.0
    ds.scores[:, 2] = 0.5

    class Fixed(StandInRouter):
        def predict(self, texts):
            return np.full((len(texts), 3), 0.1)

    res = evaluate(Fixed(3), ds)
    cal = pick_knob(res, ds, target_quality=0.95)
    assert not cal.met and "not reachable" in cal.note
    assert cal.quality == pytest.approx(res.curve.quality.max())


@pytest.mark.parametrize("share", [0.0, 0.1, 0.3, 1.0])
def test_max_strong_share(swept, share):
    router, ds, res = swept
    cal = pick_knob(res, ds, max_strong_share=share, folds=0)
    assert cal.met and cal.strong_share <= share + 1e-9
    assert _replay(router, ds, cal.knob)[2] == pytest.approx(cal.strong_share)
    allowed = res.curve.strong_share <= share + 1e-9
    assert cal.quality == pytest.approx(res.curve.quality[allowed].max())


def test_budget_per_1k(swept):
    router, ds, res = swept
    mid = float(np.median(res.curve.cost)) * 1000
    cal = pick_knob(res, ds, budget_per_1k=mid, folds=0)
    assert cal.met and cal.cost_per_1k <= mid * (1 + 1e-9)
    assert _replay(router, ds, cal.knob)[1] * 1000 == pytest.approx(cal.cost_per_1k)
    too_low = pick_knob(res, ds, budget_per_1k=1e-9)
    assert not too_low.met


@settings(max_examples=20, deadline=None)
@given(st.floats(0.5, 1.0))
def test_higher_quality_target_never_costs_less(swept_cache, target):
    _, ds, res = swept_cache
    a = pick_knob(res, ds, target_quality=target * 0.9)
    b = pick_knob(res, ds, target_quality=target)
    if a.met and b.met:
        assert b.cost_per_1k >= a.cost_per_1k - 1e-12


@pytest.fixture(scope="module")
def swept_cache(tmp_path_factory):
    ds = load_dataset(*write_files(tmp_path_factory.mktemp("cal"), n=150))
    return None, ds, evaluate(StandInRouter(3), ds)


def test_exactly_one_target(swept):
    _, ds, res = swept
    with pytest.raises(ConfigError, match="exactly one target"):
        pick_knob(res, ds)
    with pytest.raises(ConfigError, match="exactly one target"):
        pick_knob(res, ds, target_quality=0.9, budget_per_1k=1.0)
    with pytest.raises(ConfigError, match="target_quality must be in"):
        pick_knob(res, ds, target_quality=1.5)


def test_apply_to_config_writes_threshold_and_round_trips(tmp_path):
    src = RouterConfig.build(CONFIG)
    out = tmp_path / "out.yaml"
    router_file = tmp_path / "r.json"
    new = apply_to_config(
        src, 0.37, rule="utility", router_path=router_file, output=out, n_models=3
    )
    back = RouterConfig.from_file(out)
    assert back.policy.threshold == new.policy.threshold == 0.37
    assert back.policy.rule == "utility"
    assert (
        back.classifier.type == "trained" and back.resolve_path(back.classifier.path) == router_file
    )
    assert back.tier_names == ["s", "m", "l"]


def test_apply_to_config_refuses_a_different_ladder():
    with pytest.raises(ConfigError, match=r"3 tiers .* but the calibration data has 2 models"):
        apply_to_config(RouterConfig.build(CONFIG), 0.5, n_models=2)


# -- from the ledger ---------------------------------------------------------------------


def _ledger(n=200, cut=0.6, seed=0):
    """Calls whose first tier succeeds exactly when its predicted score is >= ``cut``."""
    rng = np.random.default_rng(seed)
    led = InMemoryLedger()
    for i in range(n):
        p = float(rng.uniform(0.2, 1.0))
        tier = ["s", "m", "l"][i % 3]
        cid = f"c{i}"
        led.record(CallRecord(call_id=cid, tier=tier, model=tier, metadata={"router_scores": {tier: p}}))
        if p >= cut:
            led.record_feedback(cid, 1.0)
        elif i % 2:
            led.record_feedback(cid, 0.0, "escalation")
            led.record(CallRecord(call_id=cid, tier="l", model="l", attempt=1, escalated=True))
        else:
            led.record_feedback(cid, 0.0)
    return led


def test_refit_from_ledger_finds_where_success_starts():
    cfg = RouterConfig.build(CONFIG)
    res = refit_from_ledger(_ledger(cut=0.6), cfg, target_success=0.9)
    assert res.met and res.knob == pytest.approx(0.6, abs=0.02)
    assert res.calls == 200 and res.score_source == "scores"
    assert set(res.per_tier) == {"s", "m", "l"}
    # default target: the current threshold read as a success probability
    assert refit_from_ledger(_ledger(cut=0.7), cfg).knob == pytest.approx(0.7, abs=0.02)


def test_refit_reads_logged_scores_never_confidence():
    """``confidence`` is how sure the router was of its choice, not the tier's predicted
    success: a refit over it moved the knob the wrong way (a probe), so it is never read."""
    cfg = RouterConfig.build(CONFIG)
    led = InMemoryLedger()
    for i in range(40):
        p = i / 40
        led.record(
            CallRecord(
                call_id=f"c{i}",
                tier="s",
                model="s",
                confidence=0.99,
                metadata={"router_scores": {"s": p}},
            )
        )
        led.record_feedback(f"c{i}", 1.0 if p >= 0.5 else 0.0)
    res = refit_from_ledger(led, cfg, target_success=0.9)
    assert res.score_source == "scores" and res.knob == pytest.approx(0.5)
    only_confidence = InMemoryLedger()
    for i in range(40):
        only_confidence.record(CallRecord(call_id=f"c{i}", tier="s", model="s", confidence=i / 40))
        only_confidence.record_feedback(f"c{i}", 1.0)
    with pytest.raises(DataFormatError, match="carry no router scores"):
        refit_from_ledger(only_confidence, cfg)


def test_refit_needs_enough_outcomes():
    led = InMemoryLedger()
    led.record(CallRecord(call_id="a", tier="s", model="s", confidence=0.5))
    with pytest.raises(DataFormatError, match="only 0 calls have both an outcome"):
        refit_from_ledger(led, RouterConfig.build(CONFIG))


def test_refit_refuses_other_rules():
    cfg = RouterConfig.build({**CONFIG, "policy": {"rule": "utility"}})
    with pytest.raises(ConfigError, match="re-fits the 'threshold' rule"):
        refit_from_ledger(_ledger(), cfg)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=40))
def test_isotonic_is_monotone_and_keeps_the_mean(pairs):
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    xs, fit = isotonic(x, y)
    assert (np.diff(fit) >= -1e-12).all()
    assert fit.mean() == pytest.approx(y.mean())
    assert (np.diff(xs) >= 0).all()


def _noisy_rows(ds, seed):
    """Scores where each model is right with its own probability, so samples differ."""
    rng = np.random.default_rng(seed)
    out = ds.subset(np.arange(len(ds)))
    out.scores = (rng.random(ds.scores.shape) < np.array([0.55, 0.75, 0.9])).astype(float)
    easy = np.array(["hard" not in r.task for r in ds.rows])
    out.scores[easy, 0] = (rng.random(int(easy.sum())) < 0.85).astype(float)
    return out


def test_margin_meets_the_target_on_new_rows_where_the_exact_knob_misses(tmp_path):
    ds = load_dataset(*write_files(tmp_path, n=300))
    router = StandInRouter(3)
    misses = {0: 0, 5: 0}
    for trial in range(12):
        fit = _noisy_rows(ds, 2 * trial)
        new = _noisy_rows(ds, 2 * trial + 1)
        res = evaluate(router, fit)
        for folds in misses:
            cal = pick_knob(res, fit, target_quality=0.95, folds=folds)
            q, _, _ = _replay(router, new, cal.knob)
            if q < 0.95 * new.scores.mean(axis=0).max() - 1e-9:
                misses[folds] += 1
            if folds:
                assert cal.folds == 5 and cal.fold_bound is not None
                assert cal.met == (cal.fold_bound >= 0.95 - 1e-9)
    # the knob fitted exactly to the rows misses the target on new rows far more often
    assert misses[5] <= 2 and misses[0] >= misses[5] + 3, misses


def test_margin_never_picks_a_cheaper_knob(swept):
    _, ds, res = swept
    exact = pick_knob(res, ds, target_quality=0.9, folds=0)
    margin = pick_knob(res, ds, target_quality=0.9, folds=5)
    assert margin.cost_per_1k >= exact.cost_per_1k - 1e-12
    assert margin.quality >= exact.quality - 1e-12
