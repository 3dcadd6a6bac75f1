"""The policy: scores per tier in, one tier out. Pure functions, no I/O.

Knob semantics (``PolicyConfig.threshold``, 0 = cheapest ... 1 = strongest), for every
rule a higher knob never picks a cheaper tier:

* ``threshold``: the cheapest eligible tier whose score is at least the knob; if none
  clears it, the strongest eligible tier.
* ``margin``: the cheapest eligible tier whose score is within ``1 - knob`` of the best
  eligible score.
* ``utility``: the eligible tier maximising ``score - lam * relative_cost`` with
  ``lam = (1 - knob) / knob``; ties go to the cheaper tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .config import RoutingRule
from .errors import ConfigError, NoEligibleTierError

if TYPE_CHECKING:
    import numpy as np


def utility_weight(knob: float) -> float:
    if knob <= 0:
        return float("inf")
    return (1.0 - knob) / knob


def select(
    scores: Sequence[float],
    knob: float,
    *,
    rule: RoutingRule = "threshold",
    eligible: Sequence[bool] | None = None,
    relative_costs: Sequence[float] | None = None,
) -> int:
    """Index of the chosen tier (tiers ordered cheapest first)."""
    n = len(scores)
    if n == 0:
        raise NoEligibleTierError("no tiers to choose from")
    if not 0.0 <= knob <= 1.0 or knob != knob:
        raise ConfigError(f"knob must be in [0, 1], got {knob!r}", field="policy.threshold", value=knob)
    idx = list(range(n)) if eligible is None else [i for i in range(n) if eligible[i]]
    if not idx:
        raise NoEligibleTierError("no tier is eligible for this request")
    if rule == "threshold":  # the default rule, on every call: no copy of the scores
        for i in idx:
            if float(scores[i]) >= knob:
                return i
        return idx[-1]
    s = [float(scores[i]) for i in range(n)]
    if rule == "margin":
        best = max(s[i] for i in idx)
        margin = 1.0 - knob
        for i in idx:
            if s[i] >= best - margin - 1e-12:
                return i
        return idx[-1]  # pragma: no cover - best itself always qualifies
    if rule == "utility":
        costs = _relative(relative_costs, n)
        lam = utility_weight(knob)
        if lam == float("inf"):
            return min(idx, key=lambda i: (costs[i], i))
        best_i, best_u = idx[0], -float("inf")
        for i in idx:
            u = s[i] - lam * costs[i]
            if u > best_u + 1e-12:
                best_i, best_u = i, u
        return best_i
    raise ConfigError(f"unknown rule {rule!r}; allowed: threshold, margin, utility", field="policy.rule", value=rule)


def select_batch(
    scores: np.ndarray,
    knob: float,
    *,
    rule: RoutingRule = "threshold",
    relative_costs: Sequence[float] | None = None,
) -> np.ndarray:
    """Vectorised :func:`select` over rows of ``scores`` (n_prompts x n_tiers), all eligible."""
    import numpy as np

    s = np.asarray(scores, dtype=float)
    n, k = s.shape
    if rule == "threshold":
        ok = s >= knob
        first = np.argmax(ok, axis=1)
        return np.where(ok.any(axis=1), first, k - 1)
    if rule == "margin":
        best = s.max(axis=1, keepdims=True)
        ok = s >= best - (1.0 - knob) - 1e-12
        return np.argmax(ok, axis=1)
    if rule == "utility":
        costs = np.asarray(_relative(relative_costs, k))
        lam = utility_weight(knob)
        if lam == float("inf"):
            return np.full(n, int(np.argmin(costs)))
        u = s - lam * costs[None, :]
        # argmax returns the first (cheapest) of ties; tolerate float noise
        umax = u.max(axis=1, keepdims=True)
        return np.argmax(u >= umax - 1e-12, axis=1)
    raise ConfigError(f"unknown rule {rule!r}", field="policy.rule", value=rule)


def _relative(costs: Sequence[float] | None, n: int) -> list[float]:
    if costs is None:
        # no prices known: treat tiers as evenly spaced on the ladder
        return [i / max(1, n - 1) for i in range(n)]
    top = max(costs) or 1.0
    return [float(c) / top for c in costs]


def task_select(
    labels: Sequence[str],
    scores: dict[str, float] | Sequence[float],
    label_to_tier: dict[str, int],
    eligible: Sequence[bool],
) -> int | None:
    """Task configs: the eligible tier serving the best-scoring label (None: no label maps)."""
    vals = [scores[lab] for lab in labels] if isinstance(scores, dict) else list(scores)
    order = sorted(range(len(labels)), key=lambda j: -vals[j])
    for j in order:
        t = label_to_tier.get(labels[j])
        if t is not None and eligible[t]:
            return t
    return None
