"""Routing metrics against hand-computed cases and the bounds every router must respect."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from shared_core.training import metrics as M


def _curve_two(scores, costs, order):
    """Sweep sending prompts to the strong model in ``order`` (0, 1, ..., n strong)."""
    n = len(scores)
    ch = np.zeros((n + 1, n), dtype=int)
    for j in range(1, n + 1):
        ch[j:, order[j - 1]] = 1
    return M.curve_from_choices(ch, scores, costs)


def test_apgr_hand_computed():
    # weak right on 2 and 3; strong right on 0, 1, 2: q_weak = 0.5, q_strong = 0.75
    scores = np.array([[0, 1], [0, 1], [1, 1], [1, 0]], dtype=float)
    costs = np.tile([1.0, 10.0], (4, 1))
    cv = _curve_two(scores, costs, [0, 1, 2, 3])
    x, y = M.pgr_points(cv.strong_share, cv.quality, 0.5, 0.75)
    # points (0,0) (.25,1) (.5,2) (.75,2) (1,1)
    assert np.allclose(x, [0, 0.25, 0.5, 0.75, 1])
    assert np.allclose(y, [0, 1, 2, 2, 1])
    assert M.apgr(x, y) == pytest.approx(0.125 + 0.375 + 0.5 + 0.375)
    assert M.cpt(x, y, 0.5) == pytest.approx(0.125)
    assert M.cpt(x, y, 0.8) == pytest.approx(0.2)


def test_random_routing_gives_half():
    # when every prompt gains the same from the strong model, any order is "random": PGR(s) = s
    scores = np.tile([0.0, 1.0], (10, 1))
    costs = np.tile([1.0, 2.0], (10, 1))
    cv = _curve_two(scores, costs, list(np.random.default_rng(0).permutation(10)))
    x, y = M.pgr_points(cv.strong_share, cv.quality, 0.0, 1.0)
    assert M.apgr(x, y) == pytest.approx(0.5)
    assert M.cpt(x, y, 0.5) == pytest.approx(0.5)
    assert M.cpt(x, y, 0.8) == pytest.approx(0.8)
    assert M.baselines(scores, costs)["random"]["apgr"] == 0.5


def test_random_order_on_real_like_data_is_near_half():
    rng = np.random.default_rng(1)
    scores = (rng.random((4000, 2)) < [0.6, 0.8]).astype(float)
    costs = np.tile([1.0, 20.0], (4000, 1))
    cv = _curve_two(scores, costs, list(rng.permutation(4000)))
    x, y = M.pgr_points(cv.strong_share, cv.quality, *scores.mean(axis=0))
    assert M.apgr(x, y) == pytest.approx(0.5, abs=0.03)


def test_router_always_picking_one_model_equals_that_model():
    rng = np.random.default_rng(2)
    scores = rng.random((50, 3))
    costs = np.tile([1.0, 3.0, 9.0], (50, 1)) * rng.uniform(0.5, 1.5, (50, 1))
    q, c = M.single_models(scores, costs)
    for j in range(3):
        cv = M.curve_from_choices(np.full((5, 50), j), scores, costs)
        assert np.allclose(cv.quality, q[j]) and np.allclose(cv.cost, c[j])
        summ = M.summarise_curve(cv, scores, costs)
        ref = M.Reference.of(scores, costs)
        point = M.summarise_point(float(q[j]), float(c[j]), float(j == 2), ref)
        assert summ["cost_to_95"] == pytest.approx(point["cost_to_95"])
        assert summ["max_quality"] == pytest.approx(q[j])
    b = M.baselines(scores, costs)
    assert b["always_cheapest"]["quality"] == pytest.approx(q[0])
    assert b["always_best"]["cost_to_95"] == 1.0


def test_cost_to_95_and_quality_at_cstar_hand_computed():
    # models: cheap (q .5, $1), mid (q .9, $4), best (q 1.0, $10); target .95
    scores = np.array([[1, 1, 1], [0, 1, 1], [1, 1, 1], [0, 0.6, 1.0]], dtype=float)
    costs = np.tile([1.0, 4.0, 10.0], (4, 1))
    ref = M.Reference.of(scores, costs)
    assert ref.best == 2 and ref.target == pytest.approx(0.95)
    assert ref.c_star == 10.0  # mid reaches only .9
    # a router: points (q .75, $2.5) (q .95, $5.5) (q 1.0, $7)
    ch = np.array([[0, 1, 0, 1], [0, 1, 0, 2], [2, 1, 0, 2]])
    cv = M.curve_from_choices(ch, scores, costs)
    assert np.allclose(cv.cost, [2.5, 4.0, 6.25]) and np.allclose(cv.quality, [0.9, 1.0, 1.0])
    s = M.summarise_curve(cv, scores, costs)
    assert s["cost_to_95"] == pytest.approx(4.0 / 10.0)
    assert s["quality_at_cstar"] == pytest.approx(1.0)
    assert M.cost_to_reach(cv.cost, cv.quality, 1.01) == math.inf
    assert math.isnan(M.quality_within(cv.cost, cv.quality, 1.0))


def test_oracle_picks_cheapest_top_model_and_frontier_hand_computed():
    scores = np.array([[1, 1], [0, 1], [0, 0]], dtype=float)
    costs = np.array([[1, 5], [1, 5], [1, 5]], dtype=float)
    assert M.oracle_choices(scores, costs).tolist() == [0, 1, 0]
    fc, fq = M.oracle_frontier(scores, costs)
    assert np.allclose(fc, [1.0, 7 / 3]) and np.allclose(fq, [1 / 3, 2 / 3])
    b = M.baselines(scores, costs)
    assert b["oracle"]["quality"] == pytest.approx(2 / 3)
    assert b["oracle"]["cost_to_95"] == pytest.approx(M.interp_cost_at(fc, fq, 0.95 * 2 / 3) / 5)


score_mats = st.integers(2, 5).flatmap(
    lambda k: st.tuples(
        arrays(np.float64, (12, k), elements=st.floats(0, 1)),
        arrays(np.float64, (12, k), elements=st.floats(0.01, 10)),
        arrays(np.int64, (6, 12), elements=st.integers(0, k - 1)),
    )
)


@settings(max_examples=60, deadline=None)
@given(score_mats)
def test_oracle_is_never_beaten(case):
    scores, costs, choices = case
    cv = M.curve_from_choices(choices, scores, costs)
    fc, fq = M.oracle_frontier(scores, costs)
    b = M.baselines(scores, costs)
    assert (cv.quality <= b["oracle"]["quality"] + 1e-9).all()
    for c, q in zip(cv.cost, cv.quality):
        # no operating point lies above the oracle's cost-quality frontier
        assert q <= np.interp(c, fc, fq, right=fq[-1]) + 1e-9
    s = M.summarise_curve(cv, scores, costs)
    assert s["cost_to_95"] >= b["oracle"]["cost_to_95"] - 1e-9
    if scores.shape[1] == 2:
        ox, oq = M.oracle_share_curve(scores)
        for sh, q in zip(cv.strong_share, cv.quality):
            assert q <= np.interp(sh, ox, oq) + 1e-9


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (10, 2), elements=st.sampled_from([0.0, 0.5, 1.0])))
def test_apgr_of_sweeps_bounded_by_oracle(scores):
    costs = np.tile([1.0, 4.0], (10, 1))
    qw, qs = scores.mean(axis=0)
    if qs - qw < 1e-9:  # PGR is defined only when the strong model is better
        assert np.isnan(M.pgr_points(np.array([0.5]), np.array([qw]), qw, qs)[1]).all()
        return
    cv = _curve_two(scores, costs, list(range(10)))
    x, y = M.pgr_points(cv.strong_share, cv.quality, qw, qs)
    assert M.apgr(x, y) <= M.baselines(scores, costs)["oracle"]["apgr"] + 1e-9


def test_primary_metric():
    assert M.primary_metric(2) == "apgr"
    assert M.primary_metric(4) == "cost_to_95"


def test_a_best_model_that_costs_nothing_gives_shares_not_a_division_by_zero() -> None:
    """A self-hosted best model priced at $0 (allowed: prices are >= 0): `eval`, `train` and
    `calibrate` divided by its cost and crashed (a probe found it)."""
    scores = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    costs = np.array([[1.0, 0.0]] * 4)  # the best model is the free one
    base = M.baselines(scores, costs)
    assert base["always_best"]["cost_to_95"] == 0.0
    curve = M.curve_from_choices([np.array([0, 1, 0, 1]), np.array([1, 1, 1, 1])], scores, costs, [0.0, 1.0])
    out = M.summarise_curve(curve, scores, costs)
    assert out["cost_to_95"] == 0.0  # the free best model reaches 95% at no cost
    assert M.share_of(2.0, 0.0) == math.inf and M.share_of(1.0, 4.0) == 0.25
