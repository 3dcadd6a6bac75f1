"""Pick the knob (``policy.threshold``) for a target on an evaluated dev file.

:func:`calibrate` sweeps the router (see :mod:`.evaluate`) and :func:`pick_knob` chooses
among its real operating points, with a margin over held-out folds (see :mod:`.calibrate`
for the targets and what the margin means).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError
from . import metrics as M
from .data import Dataset
from .evaluate import EvalResult, evaluate


@dataclass(frozen=True)
class CalibrationResult:
    """The chosen knob and what it is expected to give on the calibration rows."""

    knob: float
    target: str
    met: bool
    rule: str
    quality: float
    quality_share: float
    """Quality as a share of the best single model's quality."""
    cost_per_1k: float
    """Mean USD per 1,000 requests."""
    strong_share: float
    note: str = ""
    folds: int = 0
    """Folds the margin was taken over (0: no margin)."""
    fold_bound: float | None = None
    """The bound checked at the chosen knob: the folds' quality share minus one standard
    deviation (quality target), or strong share / USD per 1k plus one (caps)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pick_knob(
    result: EvalResult,
    ds: Dataset,
    *,
    target_quality: float | None = None,
    max_strong_share: float | None = None,
    budget_per_1k: float | None = None,
    folds: int = 5,
    seed: int = 0,
) -> CalibrationResult:
    """Choose a knob on an evaluated sweep for exactly one target (with a margin over ``folds``)."""
    given = [x is not None for x in (target_quality, max_strong_share, budget_per_1k)]
    if sum(given) != 1:
        raise ConfigError(
            "give exactly one target: target_quality, max_strong_share or budget_per_1k",
            field="target",
        )
    cv = result.curve
    ref = M.Reference.of(ds.scores, ds.costs)
    q_best = float(ref.q_single[ref.best])
    q, cost, share = cv.quality, cv.cost, cv.strong_share
    idx = np.arange(len(cv))
    bound = _fold_bounds(result, ds, folds, seed)
    if bound is None:
        folds = 0
    fold_bound: float | None = None
    pooled = False
    if target_quality is not None:
        check_unit("target_quality", target_quality)
        goal = target_quality * q_best
        ok = q >= goal - 1e-9
        pooled = bool(ok.any())
        if bound is not None:
            ok &= bound[0] >= target_quality - 1e-9
        target = f"quality >= {target_quality:.3g} x best model ({goal:.4f})"
        if ok.any():
            best = _middle(idx[ok], cost[ok], -q[ok], cv.knobs[ok])
            met = True
        else:
            best = _middle(idx, -q, cost, cv.knobs)
            met = False
    elif max_strong_share is not None:
        check_unit("max_strong_share", max_strong_share)
        ok = share <= max_strong_share + 1e-9
        pooled = bool(ok.any())
        if bound is not None:
            ok &= bound[1] <= max_strong_share + 1e-9
        target = f"share of calls to the strongest model <= {max_strong_share:.3g}"
        met = bool(ok.any())
        best = (
            _middle(idx[ok], -q[ok], cost[ok], cv.knobs[ok])
            if met
            else _middle(idx, share, cost, cv.knobs)
        )
    else:
        assert budget_per_1k is not None
        if not budget_per_1k > 0:
            raise ConfigError(
                f"budget_per_1k must be > 0 USD, got {budget_per_1k!r}",
                field="budget_per_1k",
                value=budget_per_1k,
            )
        ok = cost * 1000.0 <= budget_per_1k * (1 + 1e-9)
        pooled = bool(ok.any())
        if bound is not None:
            ok &= bound[2] * 1000.0 <= budget_per_1k * (1 + 1e-9)
        target = f"cost <= ${budget_per_1k:.4g} per 1,000 requests"
        met = bool(ok.any())
        best = (
            _middle(idx[ok], -q[ok], cost[ok], cv.knobs[ok])
            if met
            else _middle(idx, cost, -q, cv.knobs)
        )
    note = "" if met else "target not reachable on these rows: the closest point was chosen"
    if not met and folds and pooled:
        note = (
            f"target not met with a margin on {folds} held-out folds: the closest point was "
            "chosen (folds=0 / --no-margin checks the pooled rows only)"
        )
    if bound is not None:
        which = 0 if target_quality is not None else 1 if max_strong_share is not None else 2
        fold_bound = float(bound[which][best]) * (1000.0 if which == 2 else 1.0)
    return CalibrationResult(
        knob=float(cv.knobs[best]),
        target=target,
        met=met,
        rule=result.rule,
        quality=float(q[best]),
        quality_share=float(q[best] / q_best) if q_best > 0 else float("nan"),
        cost_per_1k=float(cost[best] * 1000.0),
        strong_share=float(share[best]),
        note=note,
        folds=folds,
        fold_bound=fold_bound,
    )


def _fold_bounds(
    result: EvalResult, ds: Dataset, folds: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per knob point, over held-out folds: (quality share - 1 sd, strong share + 1 sd, cost + 1 sd)."""
    if folds < 2 or len(ds) < 10 * folds:
        return None
    from . import cv as CV

    groups = CV.near_duplicate_groups(ds.texts)
    if len(set(groups.tolist())) < folds:
        return None
    fold = CV.assign_folds(groups, [r.task for r in ds.rows], folds, seed)
    ch = result.choices
    k = ds.scores.shape[1]
    qs, ss, cs = [], [], []
    for f in range(folds):
        rows = np.flatnonzero(fold == f)
        s, c = ds.scores[rows], ds.costs[rows]
        q_best = float(s.mean(0).max()) or 1.0
        pick = ch[:, rows]
        qs.append(s[np.arange(len(rows))[None, :], pick].mean(1) / q_best)
        cs.append(c[np.arange(len(rows))[None, :], pick].mean(1))
        ss.append((pick == k - 1).mean(1))
    Q, Sh, Co = np.array(qs), np.array(ss), np.array(cs)
    return (
        Q.mean(0) - Q.std(0, ddof=1),
        Sh.mean(0) + Sh.std(0, ddof=1),
        Co.mean(0) + Co.std(0, ddof=1),
    )


def _middle(idx: np.ndarray, key1: np.ndarray, key2: np.ndarray, knobs: np.ndarray) -> int:
    """Index minimising (key1, key2); among exact ties, the median knob of the run."""
    order = np.lexsort((knobs, key2, key1))
    first = order[0]
    tied = [i for i in order if key1[i] == key1[first] and key2[i] == key2[first]]
    return int(idx[tied[len(tied) // 2]])


def check_unit(name: str, v: float) -> None:
    if not 0.0 <= v <= 1.0:
        raise ConfigError(f"{name} must be in [0, 1], got {v!r}", field=name, value=v)


def calibrate(
    router: Any,
    ds: Dataset,
    *,
    folds: int = 5,
    target_quality: float | None = None,
    max_strong_share: float | None = None,
    budget_per_1k: float | None = None,
) -> tuple[CalibrationResult, EvalResult]:
    """Evaluate ``router`` on ``ds`` and :func:`pick_knob` for the target (margin over ``folds``)."""
    result = evaluate(router, ds)
    cal = pick_knob(
        result,
        ds,
        target_quality=target_quality,
        max_strong_share=max_strong_share,
        budget_per_1k=budget_per_1k,
        folds=folds,
    )
    return cal, result
