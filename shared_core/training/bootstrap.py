"""Bootstrap confidence intervals for an evaluated router, and the knife-edge check.

The router's decisions at every knob point are fixed (``EvalResult.choices``); a
resample draws the rows with replacement and recomputes every metric from those
decisions, so the interval says how much the figure depends on which rows were drawn.
Percentile intervals; a resample where the 95% line is not reached counts as ``inf``.

*Knife edge*: cost to reach 95% is a threshold metric. When the router's best quality
only just reaches the 95% line, a slightly different set of rows moves the figure by
tens of points or makes it "not reached": :func:`knife_edge` says so instead of letting
one number stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import metrics as M

__all__ = ["Interval", "KnifeEdge", "bootstrap", "knife_edge"]

RESAMPLES = 200
LEVEL = 0.95
EDGE_MARGIN = 0.01
"""Best quality within 1% (relative) of the 95% line counts as a knife edge."""
EDGE_MISS = 0.05
"""... as does missing the line in more than 5% of resamples."""


@dataclass(frozen=True)
class Interval:
    """A metric's bootstrap interval (``low``/``high`` may be ``inf``: not reached)."""

    metric: str
    value: float
    low: float
    high: float
    missed: float
    """Share of resamples where the metric was undefined (95% not reached)."""

    def to_dict(self) -> dict[str, Any]:
        def clean(v: float) -> float | None:
            return round(float(v), 6) if np.isfinite(v) else None

        return {
            "value": clean(self.value),
            "low": clean(self.low),
            "high": clean(self.high),
            "missed": round(self.missed, 4),
        }


@dataclass(frozen=True)
class KnifeEdge:
    """Whether the cost-to-95% figure stands on a knife edge, and why."""

    on_edge: bool
    best_share: float
    """The router's best quality as a share of the best single model's."""
    missed: float
    """Share of resamples where the router never reaches the 95% line."""
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "on_edge": self.on_edge,
            "best_quality_share": round(self.best_share, 6),
            "missed": round(self.missed, 4),
            "message": self.message,
        }


def bootstrap(
    choices: np.ndarray,
    scores: np.ndarray,
    costs: np.ndarray,
    knobs: np.ndarray,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    level: float = LEVEL,
) -> dict[str, Interval]:
    """A percentile interval for every metric of :func:`metrics.summarise_curve`."""
    S = np.asarray(scores, float)
    C = np.asarray(costs, float)
    ch = np.atleast_2d(np.asarray(choices, int))
    n = S.shape[0]
    rows = np.arange(n)[None, :]
    q_rows, c_rows = S[rows, ch], C[rows, ch]
    k = S.shape[1]
    strong_rows = (ch == k - 1).astype(float)
    point = M.summarise_curve(M.curve_from_choices(ch, S, C, knobs), S, C)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {key: [] for key in _METRICS if key in point}
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        curve = M.Curve(
            np.asarray(knobs, float),
            q_rows[:, idx].mean(1),
            c_rows[:, idx].mean(1),
            strong_rows[:, idx].mean(1),
        )
        res = M.summarise_curve(curve, S[idx], C[idx])
        for key in draws:
            draws[key].append(float(res[key]))
    alpha = (1.0 - level) / 2.0
    out: dict[str, Interval] = {}
    for key, vals in draws.items():
        v = np.asarray(vals)
        finite = np.isfinite(v)
        missed = float(1.0 - finite.mean())
        filled = np.where(finite, v, np.inf)
        lo, hi = np.quantile(filled, [alpha, 1.0 - alpha], method="lower")
        out[key] = Interval(key, float(point[key]), float(lo), float(hi), missed)
    return out


_METRICS = ("apgr", "cpt50", "cpt80", "cost_to_95", "quality_at_cstar", "max_quality")


def knife_edge(
    max_quality: float,
    scores: np.ndarray,
    costs: np.ndarray,
    cost_interval: Interval | None = None,
) -> KnifeEdge:
    """Does the router's best quality only just reach 95% of the best model's?"""
    ref = M.Reference.of(np.asarray(scores, float), np.asarray(costs, float))
    q_best = float(ref.q_single[ref.best]) or 1.0
    share = float(max_quality) / q_best
    missed = cost_interval.missed if cost_interval is not None else 0.0
    near = share < M.TARGET_SHARE * (1.0 + EDGE_MARGIN)
    on_edge = near or missed > EDGE_MISS
    if not on_edge:
        msg = ""
    elif share < M.TARGET_SHARE - 1e-9:
        msg = (
            f"the router's best quality is {100 * share:.1f}% of the best model's: it never "
            "reaches the 95% line on these rows"
        )
    else:
        msg = (
            f"knife edge: the router's best quality is {100 * share:.1f}% of the best model's, "
            f"barely above the 95% line; in {100 * missed:.0f}% of bootstrap resamples it does "
            "not reach it, so 'cost to 95%' here is not a stable figure (read the interval and "
            "quality at C* instead)"
        )
    return KnifeEdge(on_edge, share, missed, msg)
