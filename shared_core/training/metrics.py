"""Routing metrics of the data README, computed from per-prompt decisions.

A router is swept over its knob; each knob point gives one *operating point*: mean quality
(mean score of the chosen model), mean cost (USD per prompt) and the share of calls sent to
the strongest model (the last one, models ordered cheapest first).

Interpolation, stated once:

* **APGR / CPT (two-model sources).** Operating points are sorted by strong-call share
  ``s``; at equal ``s`` the best quality is kept. The trivial policies (all weak at
  ``s = 0``, all strong at ``s = 1``) are added as endpoints when the sweep does not reach
  them. PGR between points is linear in ``s`` (what randomising between two neighbouring
  knob values achieves). APGR is the exact area of that piecewise-linear curve over
  ``s`` in [0, 1] (trapezoids), so random routing scores exactly 0.5. CPT(x) is the smallest
  ``s`` where the interpolated PGR reaches ``x``.
* **Cost to reach 95% / quality at C\\* (any number of models).** No interpolation: only
  real operating points (a knob value one can set) count. Cost to reach 95% is the lowest
  mean cost of a point whose quality is at least 95% of the best single model's, divided by
  that model's mean cost (``inf`` when never reached). Quality at C\\* is the best quality of
  a point costing at most C\\*, the mean cost of the cheapest single model that reaches 95%.
* **Baselines** on the same rows: *random* mixes always-cheapest and always-best with
  probability ``p`` (expected values, exact: a straight line; for two models PGR(s) = s);
  *always-cheapest* and *always-best* are single points; the *oracle* picks per prompt the
  cheapest model with the top score. Its curve is the exact upper bound of every router:
  for two models, sending to the strong model the prompts with the largest gain first; for
  any number, the cost-quality frontier of the per-prompt linear relaxation (so the oracle's
  cost-to-95% *is* interpolated: it is a bound, not an operating point).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

TARGET_SHARE = 0.95
_EPS = 1e-12


@dataclass(frozen=True)
class Curve:
    """Operating points of one router (one per knob value)."""

    knobs: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    """Mean USD per prompt."""
    strong_share: np.ndarray
    """Share of prompts sent to the strongest (last) model."""

    def __len__(self) -> int:
        return len(self.knobs)


def curve_from_choices(
    choices: np.ndarray, scores: np.ndarray, costs: np.ndarray, knobs: np.ndarray | None = None
) -> Curve:
    """Operating points from chosen model indices ``choices`` (n_points x n_prompts)."""
    ch = np.atleast_2d(np.asarray(choices, dtype=int))
    s = np.asarray(scores, dtype=float)
    c = np.asarray(costs, dtype=float)
    n, k = s.shape
    if ch.shape[1] != n:
        raise ValueError(f"choices cover {ch.shape[1]} prompts, scores {n}")
    rows = np.arange(n)[None, :]
    q = s[rows, ch].mean(axis=1)
    cost = c[rows, ch].mean(axis=1)
    strong = (ch == k - 1).mean(axis=1)
    kn = np.arange(len(ch), dtype=float) if knobs is None else np.asarray(knobs, dtype=float)
    return Curve(kn, q, cost, strong)


def single_models(scores: np.ndarray, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean quality and mean cost of each model used for every prompt."""
    return np.asarray(scores, float).mean(axis=0), np.asarray(costs, float).mean(axis=0)


def best_model(scores: np.ndarray, costs: np.ndarray) -> int:
    """Index of the best single model (highest mean quality; ties go to the cheaper)."""
    q, c = single_models(scores, costs)
    top = q.max()
    cands = [i for i in range(len(q)) if q[i] >= top - _EPS]
    return min(cands, key=lambda i: (c[i], i))


# -- two-model metrics -------------------------------------------------------------------


def pgr_points(
    share: np.ndarray, quality: np.ndarray, q_weak: float, q_strong: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (share, PGR) points with the trivial endpoints; equal shares keep the best."""
    gap = q_strong - q_weak
    if gap < _EPS:  # the "strong" model is not better: PGR is undefined
        return np.array([0.0, 1.0]), np.array([np.nan, np.nan])
    best: dict[float, float] = {}
    for s, q in zip(np.asarray(share, float), np.asarray(quality, float)):
        key = round(float(s), 12)
        best[key] = max(best.get(key, -np.inf), (float(q) - q_weak) / gap)
    best.setdefault(0.0, 0.0)
    best.setdefault(1.0, 1.0)
    xs = np.array(sorted(best))
    return xs, np.array([best[x] for x in xs])


def apgr(share: np.ndarray, pgr: np.ndarray) -> float:
    """Area under the piecewise-linear PGR curve over share in [0, 1]."""
    x, y = np.asarray(share, float), np.asarray(pgr, float)
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))


def cpt(share: np.ndarray, pgr: np.ndarray, level: float) -> float:
    """Smallest share where the interpolated PGR reaches ``level`` (``nan`` if never)."""
    x, y = np.asarray(share, float), np.asarray(pgr, float)
    for i in range(len(x)):
        if y[i] >= level - _EPS:
            if i == 0:
                return float(x[0])
            x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
            return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0)) if y1 != y0 else float(x1)
    return float("nan")


def oracle_share_curve(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two models: best mean quality at each strong share ``j / n`` (the upper bound)."""
    s = np.asarray(scores, float)
    n = len(s)
    gain = np.sort(s[:, 1] - s[:, 0])[::-1]
    q = s[:, 0].mean() + np.concatenate([[0.0], np.cumsum(gain)]) / n
    return np.arange(n + 1) / n, q


# -- any number of models ----------------------------------------------------------------


def cost_to_reach(cost: np.ndarray, quality: np.ndarray, target: float) -> float:
    """Lowest cost of an operating point with quality >= target (``inf`` if none)."""
    ok = np.asarray(quality, float) >= target - 1e-9
    return float(np.asarray(cost, float)[ok].min()) if ok.any() else float("inf")


def quality_within(cost: np.ndarray, quality: np.ndarray, budget: float) -> float:
    """Best quality of an operating point costing at most ``budget`` (``nan`` if none)."""
    ok = np.asarray(cost, float) <= budget * (1 + 1e-9) + _EPS
    return float(np.asarray(quality, float)[ok].max()) if ok.any() else float("nan")


def oracle_choices(scores: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Per prompt, the cheapest model with the top score."""
    s = np.asarray(scores, float)
    c = np.asarray(costs, float)
    top = s >= s.max(axis=1, keepdims=True) - _EPS
    masked = np.where(top, c, np.inf)
    return np.argmin(masked, axis=1)


def oracle_frontier(scores: np.ndarray, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact cost-quality frontier of per-prompt choices (linear relaxation), cost ascending.

    Each prompt contributes its own upper hull of (cost, score) points; merging every
    prompt's hull segments by decreasing slope gives the least mean cost for every mean
    quality. No router's operating point lies above this curve.
    """
    s = np.asarray(scores, float)
    c = np.asarray(costs, float)
    n = len(s)
    start_c, start_q = 0.0, 0.0
    seg_dc: list[float] = []
    seg_dq: list[float] = []
    for i in range(n):
        order = sorted(range(s.shape[1]), key=lambda j: (c[i, j], -s[i, j]))
        hull: list[tuple[float, float]] = []
        for j in order:
            p = (c[i, j], s[i, j])
            if hull and p[1] <= hull[-1][1] + _EPS:
                continue  # dominated: costs at least as much, scores no better
            while len(hull) >= 2 and _slope(hull[-2], hull[-1]) <= _slope(hull[-1], p) + _EPS:
                hull.pop()
            hull.append(p)
        start_c += hull[0][0]
        start_q += hull[0][1]
        for a, b in itertools.pairwise(hull):
            seg_dc.append(b[0] - a[0])
            seg_dq.append(b[1] - a[1])
    dc, dq = np.array(seg_dc), np.array(seg_dq)
    if len(dc):
        order_idx = np.argsort(-(dq / np.maximum(dc, _EPS)), kind="stable")
        dc, dq = dc[order_idx], dq[order_idx]
    cost = (start_c + np.concatenate([[0.0], np.cumsum(dc)])) / n
    qual = (start_q + np.concatenate([[0.0], np.cumsum(dq)])) / n
    return cost, qual


def _slope(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (b[1] - a[1]) / max(b[0] - a[0], _EPS)


def interp_cost_at(cost: np.ndarray, quality: np.ndarray, target: float) -> float:
    """On an increasing frontier: the interpolated cost where quality first reaches target."""
    c, q = np.asarray(cost, float), np.asarray(quality, float)
    for i in range(len(q)):
        if q[i] >= target - 1e-9:
            if i == 0:
                return float(c[0])
            return float(c[i - 1] + (target - q[i - 1]) * (c[i] - c[i - 1]) / (q[i] - q[i - 1]))
    return float("inf")


def interp_quality_at(cost: np.ndarray, quality: np.ndarray, budget: float) -> float:
    """On an increasing frontier: the interpolated quality at ``budget`` (``nan`` below it)."""
    c, q = np.asarray(cost, float), np.asarray(quality, float)
    if budget < c[0] - _EPS:
        return float("nan")
    return float(np.interp(budget, c, q))


# -- summaries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What every metric is relative to, on one set of rows."""

    q_single: np.ndarray
    c_single: np.ndarray
    best: int
    target: float
    """Quality to reach: ``TARGET_SHARE`` x the best single model's quality."""
    c_star: float
    """Mean cost of the cheapest single model that reaches ``target``."""

    @classmethod
    def of(cls, scores: np.ndarray, costs: np.ndarray, share: float = TARGET_SHARE) -> Reference:
        q, c = single_models(scores, costs)
        b = best_model(scores, costs)
        target = share * float(q[b])
        reaching = [i for i in range(len(q)) if q[i] >= target - 1e-9]
        return cls(q, c, b, target, float(min(c[i] for i in reaching)))


def share_of(cost: float, c_best: float) -> float:
    """``cost`` as a share of the best model's cost. A best model that costs nothing (a
    self-hosted one) makes every cost infinite times it: 0 when ``cost`` is 0 too, else inf."""
    if c_best > 0:
        return cost / c_best
    return 0.0 if cost <= 0 else float("inf")


def summarise_curve(curve: Curve, scores: np.ndarray, costs: np.ndarray) -> dict[str, Any]:
    """All metrics of one swept router (see the module docstring for interpolation)."""
    ref = Reference.of(scores, costs)
    k = np.asarray(scores).shape[1]
    c_best = float(ref.c_single[ref.best])
    out: dict[str, Any] = {
        "cost_to_95": share_of(cost_to_reach(curve.cost, curve.quality, ref.target), c_best),
        "quality_at_cstar": quality_within(curve.cost, curve.quality, ref.c_star),
        "max_quality": float(np.max(curve.quality)),
        "points": len(curve),
    }
    if k == 2:
        x, y = pgr_points(
            curve.strong_share, curve.quality, float(ref.q_single[0]), float(ref.q_single[1])
        )
        out.update(apgr=apgr(x, y), cpt50=cpt(x, y, 0.5), cpt80=cpt(x, y, 0.8))
    return out


def summarise_point(
    quality: float, cost: float, strong_share: float, ref: Reference
) -> dict[str, Any]:
    """Metrics of a constant router (one operating point)."""
    c_best = float(ref.c_single[ref.best])
    return {
        "cost_to_95": share_of(cost, c_best) if quality >= ref.target - 1e-9 else float("inf"),
        "quality_at_cstar": quality if cost <= ref.c_star * (1 + 1e-9) + _EPS else float("nan"),
        "max_quality": quality,
        "quality": quality,
        "cost": cost,
        "strong_share": strong_share,
    }


def baselines(scores: np.ndarray, costs: np.ndarray) -> dict[str, dict[str, Any]]:
    """random, always-cheapest, always-best and oracle on these rows."""
    s = np.asarray(scores, float)
    c = np.asarray(costs, float)
    n, k = s.shape
    ref = Reference.of(s, c)
    qs, cs = ref.q_single, ref.c_single
    b, c_best = ref.best, float(cs[ref.best])
    out: dict[str, dict[str, Any]] = {}
    # random: mix of always-cheapest and always-best with probability p (exact expectation)
    q0, c0, qb, cb = float(qs[0]), float(cs[0]), float(qs[b]), float(cs[b])
    if q0 >= ref.target - 1e-9 or qb == q0:
        c_reach = c0
    else:
        c_reach = c0 + (ref.target - q0) / (qb - q0) * (cb - c0)
    rnd: dict[str, Any] = {
        "cost_to_95": share_of(c_reach, c_best),
        "quality_at_cstar": _line_q(c0, q0, cb, qb, ref.c_star),
        "max_quality": max(q0, qb),
    }
    if k == 2:
        rnd.update(apgr=0.5, cpt50=0.5, cpt80=0.8)
    out["random"] = rnd
    out["always_cheapest"] = summarise_point(q0, c0, float(k == 1), ref)
    out["always_best"] = summarise_point(qb, cb, float(b == k - 1), ref)
    o = oracle_choices(s, c)
    q_o = float(s[np.arange(n), o].mean())
    c_o = float(c[np.arange(n), o].mean())
    orc = summarise_point(q_o, c_o, float((o == k - 1).mean()), ref)
    fc, fq = oracle_frontier(s, c)
    orc["cost_to_95"] = share_of(interp_cost_at(fc, fq, ref.target), c_best)
    orc["quality_at_cstar"] = interp_quality_at(fc, fq, ref.c_star)
    if k == 2:
        x, q = oracle_share_curve(s)
        xs, ys = pgr_points(x, q, float(qs[0]), float(qs[1]))
        orc.update(apgr=apgr(xs, ys), cpt50=cpt(xs, ys, 0.5), cpt80=cpt(xs, ys, 0.8))
    out["oracle"] = orc
    return out


def _line_q(c0: float, q0: float, c1: float, q1: float, budget: float) -> float:
    if budget < c0 - _EPS:
        return float("nan")
    if c1 <= c0 or budget >= c1:
        return max(q0, q1) if budget >= c1 else q0
    return q0 + (budget - c0) / (c1 - c0) * (q1 - q0)


def primary_metric(n_models: int) -> str:
    """``apgr`` for two-model sources (higher is better), else ``cost_to_95`` (lower is better)."""
    return "apgr" if n_models == 2 else "cost_to_95"
