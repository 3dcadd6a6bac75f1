"""Grouped k-fold cross-validation: near-duplicate groups, balanced folds, fold metrics.

Rows that share a distinctive line (a question reused as another prompt's few-shot
example, the same question stem, the same prompt) are put in one *group*; a group never
straddles two folds, so a fold's held-out rows are as new to the model as a user's
traffic will be. Folds are balanced per ``task`` (every task keeps its share in every
fold), so each fold looks like the data it stands for. ``group_by="task"`` puts each
task in one group instead (leave-tasks-out: for traffic from tasks never seen).

A fold's figure is the data README's primary metric on the fold's held-out rows
(APGR for two models, cost to reach 95% for more), swept on the evaluation's knob grid.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import metrics as M
from .evaluate import knob_grid, sweep

__all__ = [
    "COST_CAP",
    "Spread",
    "assign_folds",
    "fold_figure",
    "fold_loss",
    "near_duplicate_groups",
]

COST_CAP = 1.0
"""A fold that never reaches 95% counts as costing the best model's price (100%)."""
_MIN_LINE = 30
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: int, b: int, cap: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self.size[ra] + self.size[rb] > cap:
            return
        if ra > rb:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def near_duplicate_groups(
    texts: Sequence[str], *, max_shared: int | None = None, max_group: int | None = None
) -> np.ndarray:
    """A group id per text: texts sharing a distinctive line, stem or whole text are joined.

    A line is distinctive when it has at least 30 characters and occurs in no more than
    ``max_shared`` texts (default: 0.5% of them, at least 2): an instruction repeated
    in every prompt is a template, not a duplicate. Groups are capped at ``max_group``
    rows (default: a twentieth of the rows) so that chains of few-shot examples cannot
    merge everything into one.
    """
    n = len(texts)
    shared = max_shared if max_shared is not None else max(2, int(0.005 * n))
    cap = max_group if max_group is not None else max(2, n // 20)
    keys: list[set[str]] = []
    df: Counter[str] = Counter()
    for t in texts:
        norm = _norm(t)
        ks = {"=" + norm, "^" + norm[:80]}
        ks.update("|" + _norm(line) for line in t.split("\n") if len(line.strip()) >= _MIN_LINE)
        keys.append(ks)
        df.update(ks)
    first: dict[str, int] = {}
    uf = _Union(n)
    for i, ks in enumerate(keys):
        for key in sorted(ks):
            if not 2 <= df[key] <= shared:
                continue
            j = first.setdefault(key, i)
            if j != i:
                uf.join(j, i, cap)
    roots = [uf.find(i) for i in range(n)]
    ids: dict[int, int] = {}
    return np.array([ids.setdefault(r, len(ids)) for r in roots], dtype=np.int64)


def task_groups(tasks: Sequence[str]) -> np.ndarray:
    """A group id per row from its task (leave-tasks-out folds)."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(t, len(ids)) for t in tasks], dtype=np.int64)


def assign_folds(
    groups: np.ndarray, strata: Sequence[str], k: int, seed: int = 0
) -> np.ndarray:
    """A fold in ``0..k-1`` per row: whole groups, each task's rows spread evenly.

    Groups are dealt per stratum (a group's most common task), largest first after a
    seeded shuffle, each to the fold holding the fewest rows of that stratum so far
    (ties: fewest rows overall, then the lowest fold). Deterministic for a seed.
    """
    groups = np.asarray(groups)
    if k < 2:
        raise ValueError(f"need at least 2 folds, got {k}")
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups.tolist()):
        members[g].append(i)
    if len(members) < k:
        raise ValueError(f"{len(members)} groups cannot fill {k} folds")
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for g, rows in members.items():
        label = Counter(strata[i] for i in rows).most_common(1)[0][0]
        by_stratum[label].append(g)
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(groups), dtype=np.int64)
    total = np.zeros(k, dtype=np.int64)
    for label in sorted(by_stratum):
        gs = sorted(by_stratum[label])
        order = rng.permutation(len(gs))
        gs = sorted((gs[o] for o in order), key=lambda g: -len(members[g]))
        per = np.zeros(k, dtype=np.int64)
        for g in gs:
            f = min(range(k), key=lambda j: (per[j], total[j], j))
            fold[members[g]] = f
            per[f] += len(members[g])
            total[f] += len(members[g])
    if len(set(fold.tolist())) < k:  # one huge group per stratum: fall back to sizes alone
        total[:] = 0
        for g in sorted(members, key=lambda g: (-len(members[g]), g)):
            f = int(np.argmin(total))
            fold[members[g]] = f
            total[f] += len(members[g])
    return fold


def fold_figure(
    P: np.ndarray, S: np.ndarray, C: np.ndarray, rule: str, rel: Sequence[float]
) -> float:
    """The primary metric on these rows: APGR (two models) or cost to 95% (share, may be inf)."""
    knobs = knob_grid(P, rule, rel)
    curve = M.curve_from_choices(sweep(P, knobs, rule, rel), S, C, knobs)
    if S.shape[1] == 2:
        return float(M.summarise_curve(curve, S, C)["apgr"])
    ref = M.Reference.of(S, C)
    c_best = float(ref.c_single[ref.best]) or 1.0
    return float(M.cost_to_reach(curve.cost, curve.quality, ref.target) / c_best)


def fold_loss(figure: float, n_models: int) -> float:
    """Lower is better: ``-APGR``, or the cost share capped at :data:`COST_CAP`."""
    if n_models == 2:
        return -figure
    return min(figure, COST_CAP)


@dataclass(frozen=True)
class Spread:
    """A figure over folds: mean, standard deviation, range and each fold's value."""

    metric: str
    mean: float
    std: float
    low: float
    high: float
    folds: tuple[float, ...]

    @classmethod
    def of(cls, metric: str, values: Sequence[float]) -> Spread:
        v = np.asarray([min(x, 9.99) for x in values], dtype=float)  # "not reached" stays finite
        return cls(
            metric,
            float(v.mean()),
            float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            float(v.min()),
            float(v.max()),
            tuple(float(x) for x in values),
        )

    def text(self) -> str:
        if not math.isfinite(self.mean):
            return (
                f"{'APGR' if self.metric == 'apgr' else 'cost to 95%'} not defined on these rows "
                "(no fold's strongest model does better than its cheapest: nothing to route for)"
            )
        if self.metric == "apgr":
            return (
                f"APGR {self.mean:.3f} ± {self.std:.3f} "
                f"(folds {self.low:.3f}-{self.high:.3f})"
            )
        return (
            f"cost to 95% {100 * self.mean:.1f}% ± {100 * self.std:.1f} "
            f"(folds {_pct(self.low)}-{_pct(self.high)})"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "mean": round(self.mean, 6),
            "std": round(self.std, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "folds": [round(x, 6) if np.isfinite(x) else None for x in self.folds],
        }


def _pct(v: float) -> str:
    return "not reached" if not np.isfinite(v) or v >= 9.99 else f"{100 * v:.1f}%"
