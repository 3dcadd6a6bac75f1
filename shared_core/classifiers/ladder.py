"""Difficulty estimates -> per-tier scores on a price ladder of any length.

A difficulty ``D`` lives in [0, 1]; tier ``i`` of ``n`` (0 = cheapest) is taken to
handle difficulties up to ``(i + 1) / n``, so its score is ``P(D <= (i + 1) / n)``.
Scores therefore never fall with the tier index, lie in [0, 1], and the strongest
tier always scores 1.0. With the ``threshold`` policy at knob 0.5 the chosen tier is
the one whose band holds the median difficulty.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from itertools import accumulate

__all__ = ["difficulty_to_tier_scores", "ordinal_scores"]

DEFAULT_SPREAD = 0.12
"""Width of the logistic spread around a point estimate (0 gives a hard step)."""


def difficulty_to_tier_scores(
    d_or_level_probs: float | Sequence[float],
    n_tiers: int,
    *,
    spread: float = DEFAULT_SPREAD,
) -> list[float]:
    """Scores for ``n_tiers`` tiers from a difficulty estimate.

    Args:
        d_or_level_probs: either a point estimate ``d`` in [0, 1] (clipped; NaN counts
            as 1.0, the safe side), or probabilities over ``L`` equal-width difficulty
            levels, easiest first (normalised here; level ``j`` spans ``(j/L, (j+1)/L]``
            and is uniform inside its band).
        n_tiers: number of tiers, at least 1.
        spread: for a point estimate, the scale of a logistic distribution centred on
            ``d`` and truncated to [0, 1]; ``0`` means ``D == d`` exactly.

    Returns:
        ``n_tiers`` floats in [0, 1], non-decreasing, the last one 1.0.
    """
    if n_tiers < 1:
        raise ValueError(f"n_tiers must be at least 1, got {n_tiers}")
    if isinstance(d_or_level_probs, (int, float)):
        cdf = _point_cdf(float(d_or_level_probs), spread)
    else:
        return _levels_scores([float(p) for p in d_or_level_probs], n_tiers)
    uppers = [(i + 1) / n_tiers for i in range(n_tiers)]
    out: list[float] = []
    prev = 0.0
    for x in uppers[:-1]:
        v = min(1.0, max(prev, cdf(x)))
        out.append(v)
        prev = v
    out.append(1.0)
    return out


def ordinal_scores(probs: Sequence[float]) -> list[float]:
    """Cumulative scores ``score[i] = P(label index <= i)`` for ordered labels (last = 1.0)."""
    total = sum(max(0.0, float(p)) for p in probs if p == p)
    if total <= 0:
        return [1.0 if i == len(probs) - 1 else 0.0 for i in range(len(probs))]
    acc, out = 0.0, []
    for p in probs:
        acc += max(0.0, float(p)) / total if p == p else 0.0
        out.append(min(1.0, acc))
    if out:
        out[-1] = 1.0
    return out


def _point_cdf(d: float, spread: float):  # type: ignore[no-untyped-def]
    if d != d:  # NaN: unknown difficulty, assume hard
        d = 1.0
    d = min(1.0, max(0.0, d))
    if spread <= 0:
        return lambda x: 1.0 if d <= x + 1e-12 else 0.0

    def sig(x: float) -> float:
        z = (x - d) / spread
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    lo, hi = sig(0.0), sig(1.0)
    span = hi - lo
    return lambda x: (sig(x) - lo) / span


def _levels_scores(probs: Sequence[float], n_tiers: int) -> list[float]:
    """:func:`difficulty_to_tier_scores` of level probabilities, without building a closure
    (level ``j`` of ``L`` spans ``(j/L, (j+1)/L]`` and is uniform inside it)."""
    clean = [p if (p == p and p > 0 and p != math.inf) else 0.0 for p in probs]
    total = sum(clean)
    if not clean or total <= 0:
        return [0.0] * (n_tiers - 1) + [1.0]  # nothing known: the strongest tier
    p = [c / total for c in clean]
    below = list(accumulate(p, initial=0.0))  # below[k] = sum(p[:k]), added left to right
    out: list[float] = []
    prev = 0.0
    for upto, full, part in _bands(n_tiers, len(clean)):
        prev = min(1.0, max(prev, below[upto] if part is None else below[upto] + p[full] * part))
        out.append(prev)
    out.append(1.0)
    return out


@functools.lru_cache(maxsize=64)
def _bands(n_tiers: int, n_levels: int) -> tuple[tuple[int, int, float | None], ...]:
    """Where each tier but the last ends on ``n_levels`` levels: ``(levels wholly below,
    the level it ends in, the share of that level below it)``; the same numbers
    :func:`_levels_scores` computed for every request, once per ladder shape."""
    out = []
    for i in range(n_tiers - 1):
        pos = (i + 1) / n_tiers * n_levels
        full = math.floor(pos + 1e-9)
        out.append((min(full, n_levels), full, max(0.0, pos - full) if full < n_levels else None))
    return tuple(out)
