"""Sweep a router's knob over a dense grid on a data file and compute the metrics.

A router here is anything with ``predict(texts) -> (n, n_models)`` predicted quality per
model (cheapest first), a ``rule`` and ``relative_costs`` (a
:class:`~shared_core.classifiers.trained.TrainedRouter`, or the shipped default). Only the
prompt text reaches the router: a row's ``id``, ``source`` and ``task`` never do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import DataFormatError
from ..policy import select_batch
from . import metrics as M
from .data import Dataset, ModelsMeta, relative_costs

GRID_POINTS = 101
"""Evenly spaced knob values from 0 to 1 (both included)."""
CHANGE_POINTS = 100
"""Extra knob values at quantiles of the values where decisions change."""


class ScoringRouter(Protocol):
    """What :func:`evaluate` needs from a router."""

    rule: Any
    relative_costs: Any

    def predict(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class EvalResult:
    """A swept router's curve, its metrics and the baselines on the same rows."""

    name: str
    models: list[str]
    n_rows: int
    rule: str
    curve: M.Curve
    metrics: dict[str, Any]
    baselines: dict[str, dict[str, Any]]
    choices: np.ndarray
    """(n_points, n_rows) chosen model index per knob point and row."""
    single: dict[str, dict[str, float]] = field(default_factory=dict)
    intervals: dict[str, Any] = field(default_factory=dict)
    """Bootstrap intervals per metric (:class:`.bootstrap.Interval`), when asked for."""
    edge: Any = None
    """The knife-edge check (:class:`.bootstrap.KnifeEdge`), when intervals were asked for."""

    @property
    def primary(self) -> str:
        return M.primary_metric(len(self.models))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (curve included, per-row decisions not)."""
        out = {
            "data": self.name,
            "rows": self.n_rows,
            "models": self.models,
            "rule": self.rule,
            "primary_metric": self.primary,
            "router": _clean(self.metrics),
            "baselines": {k: _clean(v) for k, v in self.baselines.items()},
            "single_models": self.single,
            "curve": {
                "knob": self.curve.knobs.round(6).tolist(),
                "quality": self.curve.quality.round(6).tolist(),
                "cost": self.curve.cost.tolist(),
                "strong_share": self.curve.strong_share.round(6).tolist(),
            },
        }
        if self.intervals:
            out["intervals"] = {k: v.to_dict() for k, v in self.intervals.items()}
        if self.edge is not None:
            out["knife_edge"] = self.edge.to_dict()
        return out


def predict_scores(
    router: ScoringRouter,
    texts: Sequence[str],
    *,
    batch: int = 256,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """``router.predict`` over ``texts`` in batches (``progress(done)`` after each)."""
    parts = []
    for start in range(0, len(texts), batch):
        chunk = list(texts[start : start + batch])
        parts.append(np.asarray(router.predict(chunk), dtype=float))
        if progress is not None:
            progress(start + len(chunk))
    return np.vstack(parts) if parts else np.zeros((0, 0))


def knob_grid(
    pred: np.ndarray,
    rule: str,
    rel_costs: Sequence[float] | None,
    *,
    points: int = GRID_POINTS,
    change_points: int = CHANGE_POINTS,
) -> np.ndarray:
    """``points`` even knob values plus ``change_points`` quantiles of where decisions flip.

    threshold: decisions change where the knob crosses a predicted score; margin: where
    ``1 - knob`` crosses a gap to the best score; utility: where the cost weight crosses
    the slope between two models' predicted scores.
    """
    grid = np.linspace(0.0, 1.0, max(2, points))
    p = np.asarray(pred, float)
    cand: np.ndarray
    if rule == "threshold":
        cand = p.ravel()
    elif rule == "margin":
        cand = 1.0 - (p.max(axis=1, keepdims=True) - p).ravel()
    elif rule == "utility":
        c = np.asarray(_norm(rel_costs, p.shape[1]))
        lams = []
        for i in range(p.shape[1]):
            for j in range(i + 1, p.shape[1]):
                dc = c[j] - c[i]
                if dc > 0:
                    lams.append((p[:, j] - p[:, i]) / dc)
        lam = np.concatenate(lams) if lams else np.zeros(0)
        lam = lam[lam > 0]
        cand = 1.0 / (1.0 + lam)
    else:
        cand = np.zeros(0)
    cand = cand[(cand > 0) & (cand < 1)]
    if change_points > 0 and cand.size:
        qs = np.quantile(cand, np.linspace(0, 1, change_points))
        # just above each change value, where the new decision holds
        grid = np.concatenate([grid, qs, np.minimum(1.0, qs + 1e-9)])
    return np.unique(np.clip(grid, 0.0, 1.0))


def _norm(costs: Sequence[float] | None, k: int) -> list[float]:
    if costs is None:
        return [i / max(1, k - 1) for i in range(k)]
    top = max(costs) or 1.0
    return [float(c) / top for c in costs]


def sweep(
    pred: np.ndarray, knobs: np.ndarray, rule: str, rel_costs: Sequence[float] | None
) -> np.ndarray:
    """Chosen model index per (knob, row) with the core policy's vectorised rule."""
    return np.stack(
        [select_batch(pred, float(k), rule=rule, relative_costs=rel_costs) for k in knobs]  # type: ignore[arg-type]
    ).astype(int)


def router_rule(router: Any) -> str:
    return str(getattr(router, "rule", None) or "threshold")


def router_costs(router: Any, ds: Dataset) -> list[float]:
    rc = getattr(router, "relative_costs", None)
    if rc is None or len(rc) != len(ds.models):
        return relative_costs(ds)
    return [float(x) for x in rc]


def evaluate(
    router: ScoringRouter,
    ds: Dataset,
    *,
    points: int = GRID_POINTS,
    change_points: int = CHANGE_POINTS,
    progress: Callable[[int], None] | None = None,
    resamples: int = 0,
    seed: int = 0,
) -> EvalResult:
    """Predict once, sweep the knob, compute the router's metrics and the baselines.

    ``resamples > 0`` adds bootstrap intervals for every metric and the knife-edge check.
    """
    pred = predict_scores(router, ds.texts, progress=progress)
    k = len(ds.models)
    if pred.shape != (len(ds), k):
        raise DataFormatError(
            ds.name,
            f"the router predicts {pred.shape[1] if pred.ndim == 2 else '?'} scores per prompt but the "
            f"models file has {k} models ({ds.models.names}); use a router trained on these models",
        )
    rule = router_rule(router)
    rc = router_costs(router, ds)
    knobs = knob_grid(pred, rule, rc, points=points, change_points=change_points)
    choices = sweep(pred, knobs, rule, rc)
    curve = M.curve_from_choices(choices, ds.scores, ds.costs, knobs)
    q, c = M.single_models(ds.scores, ds.costs)
    single = {
        m: {"quality": float(q[i]), "cost": float(c[i])} for i, m in enumerate(ds.models.names)
    }
    metrics = M.summarise_curve(curve, ds.scores, ds.costs)
    intervals: dict[str, Any] = {}
    edge = None
    if resamples > 0:
        from .bootstrap import bootstrap, knife_edge

        intervals = dict(
            bootstrap(choices, ds.scores, ds.costs, knobs, resamples=resamples, seed=seed)
        )
        edge = knife_edge(
            metrics["max_quality"], ds.scores, ds.costs, intervals.get("cost_to_95")
        )
    return EvalResult(
        name=ds.name,
        models=ds.models.names,
        n_rows=len(ds),
        rule=rule,
        curve=curve,
        metrics=metrics,
        baselines=M.baselines(ds.scores, ds.costs),
        choices=choices,
        single=single,
        intervals=intervals,
        edge=edge,
    )


def load_router(path: str | Path | None, models: ModelsMeta, ds: Dataset | None = None) -> Any:
    """A trained router file, or (``path=None``) the shipped default for these models."""
    if path is not None:
        from ..classifiers.trained import TrainedRouter

        router = TrainedRouter.load(path)
        names = list(getattr(router, "models", None) or [])
        if names and names != models.names:
            missing = [m for m in models.names if m not in names]
            if missing and getattr(router, "head", "linear") != "ladder":
                raise DataFormatError(
                    str(path),
                    f"the router was trained for models {names}; the data's models {missing} "
                    f"are not among them: train a router on these models ({models.path})",
                )
            router = router.with_models(
                models.names, relative_costs(ds) if ds is not None else None
            )
        return router
    from ..classifiers.embedded import default_router_for

    rc = relative_costs(ds) if ds is not None else None
    return default_router_for(models.names, rc)


def write_decisions(path: str | Path, result: EvalResult, ids: Sequence[str]) -> int:
    """One JSON line per row per knob point: ``{"id", "knob", "model"}``; returns the count."""
    names = result.models
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for kn, row in zip(result.curve.knobs, result.choices):
            knob = round(float(kn), 12)
            for rid, j in zip(ids, row):
                fh.write(json.dumps({"id": rid, "knob": knob, "model": names[j]}) + "\n")
                n += 1
    return n


def plot(result: EvalResult, ds: Dataset, path: str | Path) -> Path:
    """Cost-quality curves (router, oracle frontier, random, single models) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    two = len(result.models) == 2
    fig, axes = plt.subplots(1, 2 if two else 1, figsize=(12 if two else 7, 5), squeeze=False)
    ax = axes[0][0]
    per_k = 1000.0
    cv = result.curve
    order = np.argsort(cv.cost, kind="stable")
    ax.plot(
        cv.cost[order] * per_k, cv.quality[order], "-", color="C0", label=f"router ({result.rule})"
    )
    fc, fq = M.oracle_frontier(ds.scores, ds.costs)
    ax.plot(fc * per_k, fq, ":", color="C2", label="oracle frontier")
    q, c = M.single_models(ds.scores, ds.costs)
    b = M.best_model(ds.scores, ds.costs)
    mix = np.linspace(0.0, 1.0, 101)  # a straight line in linear cost, drawn on a log axis
    ax.plot(
        (c[0] + mix * (c[b] - c[0])) * per_k,
        q[0] + mix * (q[b] - q[0]),
        "--",
        color="grey",
        label="random (cheapest↔best)",
    )
    ax.scatter(c * per_k, q, color="C3", zorder=3, label="single models")
    for i, m in enumerate(result.models):
        ax.annotate(m, (c[i] * per_k, q[i]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.axhline(M.TARGET_SHARE * q[b], color="C1", lw=0.8, alpha=0.6, label="95% of best model")
    ax.set_xscale("log")
    ax.set_xlabel("mean cost per 1,000 requests (USD, log)")
    ax.set_ylabel("mean quality")
    ax.set_title(f"{result.name}: cost vs quality ({result.n_rows} prompts)")
    ax.legend(fontsize=8, loc="best")
    if two:
        ax2 = axes[0][1]
        x, y = M.pgr_points(cv.strong_share, cv.quality, float(q[0]), float(q[1]))
        ax2.plot(
            x,
            y,
            "-",
            color="C0",
            label=f"router APGR={result.metrics.get('apgr', float('nan')):.3f}",
        )
        ox, oq = M.oracle_share_curve(ds.scores)
        ax2.plot(ox, (oq - q[0]) / (q[1] - q[0]), ":", color="C2", label="oracle")
        ax2.plot([0, 1], [0, 1], "--", color="grey", label="random (0.5)")
        ax2.set_xlabel("share of calls to the strong model")
        ax2.set_ylabel("PGR")
        ax2.set_title("performance gap recovered")
        ax2.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Floats rounded; ``inf``/``nan`` become ``None`` so the JSON is standard."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, (float, np.floating)):
            v = float(v)
            out[k] = None if not np.isfinite(v) else round(v, 6)
        else:
            out[k] = v
    return out
