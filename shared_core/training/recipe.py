"""The best recipe, chosen by grouped k-fold cross-validation (``tier-router train``'s default).

``train_best(rows, models_meta)`` fits, on each fold's training rows, the logistic head
for every regularisation strength and the nearest-neighbour part (with per-prompt costs),
then scores every combination of blend weight, cost weight and rule on the fold's
held-out rows with the data README's primary metric. The recipe kept is the one with the
best mean over folds *plus half a standard deviation* (a recipe that is good on every fold
beats one that shines on one). The knob is the cheapest one whose quality, fold by fold,
stays at or above the target by a margin (mean minus one standard deviation over the folds).
The final head is refit on all rows with that recipe. When the rows carry ``task`` labels,
a task prior stacked on the chosen recipe (:mod:`.task_stack`) is cross-validated on the same
folds and kept only if it beats the plain head by the same selection score. The same
procedure makes the shipped per-source heads (``make train-default``); a fixed seed gives
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from ..classifiers.knn import KnnHead
from ..classifiers.trained import TrainedRouter
from ..errors import ConfigError, DataFormatError
from ..features import FeatureExtractor
from ..policy import select_batch
from . import cv as CV
from . import task_stack as TS
from .train import _apply, _field, _fit, estimate_costs, models_meta_dict, score_matrix

__all__ = ["CVResult", "Recipe", "fit_recipe", "train_best"]

LAMS = (1e-4, 1e-3)
"""L2 weights of the logistic head tried by ``tier-router train`` and ``make train-default``
alike, on every source (each costs a fit per fold)."""
KNN_WEIGHTS = (0.0, 0.2, 0.35, 0.5)
COST_WEIGHTS = (0.0, 0.1, 0.2, 0.4)
KNN_KS = (40,)
"""Neighbours per kNN lookup tried (one kNN fit per fold per value; the blend grid reuses
them). Wider grids (blend to 0.9, cost to 0.8, k 20-160) score better on some sources'
folds (BENCHMARKS.md, benchmarks/recipe_ablation.py) but are not the default until the
shipped heads are retrained with them: both must run the same procedure."""
RULES = ("threshold", "margin", "utility")
KNN = {"k": 40, "power": 3.0, "dim": 256}
RECIPE_DIM = 1 << 16
STABILITY = 0.5
"""Weight of the fold-to-fold standard deviation in the selection score."""
KNOBS = np.round(np.linspace(0.0, 1.0, 401), 6)


@dataclass(frozen=True)
class Recipe:
    """One combination of the choices cross-validation makes."""

    lam: float
    knn_weight: float
    cost_weight: float
    rule: str
    k: int = 40
    """Neighbours per kNN lookup."""
    task_prior: bool = False
    """A task prior stacked on the head (rows with ``task`` labels only)."""

    def text(self) -> str:
        return (
            f"rule={self.rule} l2={self.lam:g} knn_weight={self.knn_weight:g} "
            f"cost_weight={self.cost_weight:g} k={self.k}"
            + (" task_prior=on" if self.task_prior else "")
        )


@dataclass
class CVResult:
    """What cross-validation chose and what it expects on new rows."""

    recipe: Recipe
    spread: CV.Spread
    knob: float
    knob_quality: CV.Spread
    """Quality at the knob as a share of the best model's, fold by fold."""
    knob_cost: CV.Spread
    """Cost at the knob as a share of the best model's, fold by fold."""
    folds: int
    groups: int
    n_rows: int
    ranking: list[tuple[Recipe, float, float]] = field(default_factory=list)
    """The best few recipes: (recipe, mean, std) of the primary metric."""
    task_prior: dict[str, Any] | None = None
    """What the task prior scored on the folds and whether it was kept (rows with tasks)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipe": asdict(self.recipe),
            "figure": self.spread.to_dict(),
            "knob": round(self.knob, 6),
            "knob_quality_share": self.knob_quality.to_dict(),
            "knob_cost_share": self.knob_cost.to_dict(),
            "folds": self.folds,
            "groups": self.groups,
            "rows": self.n_rows,
            "runners_up": [
                {**asdict(r), "mean": round(m, 6), "std": round(s, 6)}
                for r, m, s in self.ranking[1:4]
            ],
            **({} if self.task_prior is None else {"task_prior": self.task_prior}),
        }

    def summary(self) -> str:
        q, c = self.knob_quality, self.knob_cost
        tp = self.task_prior
        prior = (
            ""
            if tp is None
            else f"task prior: not tried ({tp['skipped']})\n"
            if tp.get("skipped")
            else f"task prior ({tp['tasks']} tasks, {100 * tp['accuracy']:.1f}% recognised out of "
            f"fold): {_text(tp['with'])} with it, {_text(tp['without'])} without: "
            + ("kept\n" if tp["kept"] else "not kept\n")
        )
        return (
            f"chose {self.recipe.text()} knob={self.knob:g} by {self.folds}-fold grouped CV "
            f"({self.n_rows} rows, {self.groups} groups)\n"
            f"{prior}"
            f"cross-validated {self.spread.text()}\n"
            f"at the knob: quality {100 * q.mean:.1f}% ± {100 * q.std:.1f} of the best model's, "
            f"cost {100 * c.mean:.1f}% ± {100 * c.std:.1f} of its cost"
        )


def train_best(
    rows: Sequence[Any],
    models_meta: Any,
    *,
    seed: int = 0,
    folds: int = 5,
    dim: int = RECIPE_DIM,
    lams: Sequence[float] = LAMS,
    knn_weights: Sequence[float] = KNN_WEIGHTS,
    cost_weights: Sequence[float] = COST_WEIGHTS,
    rules: Sequence[str] = RULES,
    ks: Sequence[int] = KNN_KS,
    knn: Mapping[str, Any] | None = None,
    target: float = 0.95,
    group_by: str = "near-duplicates",
    iters: int | None = None,
    info: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    task_prior: bool = True,
) -> tuple[TrainedRouter, CVResult]:
    """Cross-validate the recipe on ``rows``, refit on all of them; returns (router, CV result).

    ``task_prior=False`` skips the task prior (it costs one task-classifier fit per fold).
    """
    models_meta = models_meta_dict(models_meta)
    models = sorted(models_meta, key=lambda m: (models_meta[m].get("tier_rank", 0), m))
    if len(models) < 2:
        raise ConfigError("routing needs at least two models", field="models", value=models)
    if group_by not in ("near-duplicates", "task"):
        raise ConfigError(
            f"group_by must be 'near-duplicates' or 'task', got {group_by!r}",
            field="group_by",
            value=group_by,
        )
    say = progress or (lambda _msg: None)
    S = score_matrix(rows, models)
    C = estimate_costs(rows, models, models_meta)
    rel = C.mean(0) / (C.mean(0).max() or 1.0)
    texts = [str(_field(r, "prompt")) for r in rows]
    tasks = [str(_field(r, "task", "") or "") for r in rows]
    groups = (
        CV.task_groups(tasks) if group_by == "task" else CV.near_duplicate_groups(texts)
    )
    n_groups = len(set(groups.tolist()))
    if n_groups < folds or len(rows) < 10 * folds:
        raise DataFormatError(
            "rows",
            f"{len(rows)} rows in {n_groups} groups are too few for {folds}-fold "
            "cross-validation: give more rows, fewer folds, or train with --fast",
        )
    fold = CV.assign_folds(groups, tasks, folds, seed)
    fx = FeatureExtractor(dim)
    X = fx.transform(texts)
    knn_opts = {**KNN, **dict(knn or {})}
    given_k = knn_opts.pop("k")
    if knn and "k" in knn and tuple(ks) == KNN_KS:  # an explicit knn={"k": ...} still holds
        ks = (int(given_k),)
    ks = sorted({int(k) for k in ks})
    recipes = [
        Recipe(float(lam), float(w), float(b), rule, k if w > 0 or b > 0 else ks[0])
        for lam in lams
        for k in ks
        for w in knn_weights
        for b in cost_weights
        for rule in rules
        if k == ks[0] or w > 0 or b > 0  # without a kNN part, k changes nothing
    ]
    losses = np.zeros((len(recipes), folds))
    figures = np.zeros((len(recipes), folds))
    kept: list[tuple[np.ndarray, dict[float, np.ndarray], dict[int, tuple[KnnHead, np.ndarray]]]] = []
    for f in range(folds):
        va, tr = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        Xtr, Xva = X.take(tr), X.take(va)
        lin: dict[float, np.ndarray] = {}
        for lam in lams:
            say(f"fold {f + 1}/{folds}: fitting the head (l2={lam:g}) on {len(tr)} rows")
            W, b = _fit(Xtr, S[tr], float(lam), "logistic", iters)
            lin[float(lam)] = _apply(Xva.dot(W) + b, "logistic")
        near: dict[int, tuple[KnnHead, np.ndarray]] = {}
        for k in ks:
            head = KnnHead.fit(Xtr, S[tr], costs=C[tr], k=k, **knn_opts)
            near[k] = (head, head._estimate_batch(Xva))
        kept.append((va, lin, near))
        for i, r in enumerate(recipes):
            P = _blend(*near[r.k], lin[r.lam], r)
            figures[i, f] = CV.fold_figure(P, S[va], C[va], r.rule, rel)
            losses[i, f] = CV.fold_loss(figures[i, f], len(models))
    score = losses.mean(1) + STABILITY * losses.std(1, ddof=1)
    order = np.argsort(score, kind="stable")
    best = recipes[int(order[0])]
    metric = "apgr" if len(models) == 2 else "cost_to_95"
    spread = CV.Spread.of(metric, figures[order[0]].tolist())
    fold_P = [(va, _blend(*near[best.k], lin[best.lam], best)) for va, lin, near in kept]
    ranking = [
        (recipes[i], float(losses[i].mean()), float(losses[i].std(ddof=1))) for i in order[:4]
    ]
    P_oof = np.zeros_like(S)
    for va, P in fold_P:
        P_oof[va] = P
    skipped = TS.why_not(tasks, task_prior, group_by)
    stack = None if skipped else TS.cross_validate(X, S, tasks, fold, P_oof, iters=iters, say=say)
    # (each row's prior comes from a classifier that never saw it)
    prior_info: dict[str, Any] | None = {"kept": False, "skipped": skipped} if skipped else None
    if stack is not None:
        prior_info, rule, with_, (m, sd) = TS.choose(
            stack, S, C, fold, rules, rel, spread, float(score[order[0]]), STABILITY
        )
        kept_prior = prior_info["kept"]
        say(
            f"task prior: {with_.text()} against {spread.text()} without: "
            + ("kept" if kept_prior else "not kept")
        )
        if kept_prior:
            best, spread = replace(best, rule=rule, task_prior=True), with_
            fold_P = [(va, stack.stacked[va]) for va, _ in fold_P]
            ranking.insert(0, (best, m, sd))
    knob, q_share, c_share = _knob(fold_P, S, C, best.rule, rel, target)
    say(f"refitting on all {len(rows)} rows")
    W, b, final_knn = _fit_all(X, S, C, best, knn_opts, iters)
    final_prior = None
    if stack is not None and best.task_prior:
        say(f"fitting the task prior on all {len(rows)} rows")
        final_prior = TS.fit_final(X, S, stack, P_oof, iters=iters)
    result = CVResult(
        recipe=best,
        spread=spread,
        knob=knob,
        knob_quality=CV.Spread.of("quality_share", q_share),
        knob_cost=CV.Spread.of("cost_share", c_share),
        folds=folds,
        groups=n_groups,
        n_rows=len(rows),
        ranking=ranking,
        task_prior=prior_info,
    )
    meta: dict[str, Any] = {
        "loss": "logistic",
        "lam": best.lam,
        "seed": seed,
        "n_rows": len(rows),
        "recipe": "cross-validated",
        "cv": result.to_dict(),
    }
    meta.update(dict(info or {}))
    router = TrainedRouter(
        models,
        W,
        b,
        features=fx.config(),
        link="sigmoid",
        rule=best.rule,
        knob=knob,
        relative_costs=rel.tolist(),
        info=meta,
        knn=final_knn,
        task_prior=final_prior,
    )
    return router, result


def _text(d: Mapping[str, Any]) -> str:
    folds = tuple(9.99 if x is None else float(x) for x in d["folds"])
    return CV.Spread(d["metric"], d["mean"], d["std"], d["low"], d["high"], folds).text()


def _fit_all(
    X: Any, S: np.ndarray, C: np.ndarray, r: Recipe, knn_opts: Mapping[str, Any], iters: int | None
) -> tuple[np.ndarray, np.ndarray, KnnHead | None]:
    W, b = _fit(X, S, r.lam, "logistic", iters)
    with_costs = r.cost_weight > 0
    head: KnnHead | None = None
    if r.knn_weight > 0 or with_costs:
        head = KnnHead.fit(
            X,
            S,
            costs=C if with_costs else None,
            weight=r.knn_weight,
            cost_weight=r.cost_weight,
            **{**knn_opts, "k": r.k},
        )
    return W, b, head


def fit_recipe(
    rows: Sequence[Any],
    models_meta: Any,
    recipe: Recipe,
    *,
    knob: float = 0.5,
    dim: int = RECIPE_DIM,
    knn: Mapping[str, Any] | None = None,
    info: Mapping[str, Any] | None = None,
) -> TrainedRouter:
    """Fit one given recipe on ``rows`` without choosing anything (e.g. to measure it on dev).

    A recipe with a task prior still fits its stacking layer on out-of-fold predictions
    (five grouped folds of ``rows``), as :func:`train_best` does.
    """
    models_meta = models_meta_dict(models_meta)
    models = sorted(models_meta, key=lambda m: (models_meta[m].get("tier_rank", 0), m))
    S = score_matrix(rows, models)
    C = estimate_costs(rows, models, models_meta)
    rel = C.mean(0) / (C.mean(0).max() or 1.0)
    fx = FeatureExtractor(dim)
    texts = [str(_field(r, "prompt")) for r in rows]
    X = fx.transform(texts)
    knn_opts = {**KNN, **dict(knn or {})}
    W, b, head = _fit_all(X, S, C, recipe, knn_opts, None)
    task_prior = None
    if recipe.task_prior:

        def predict(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
            Wf, bf, hf = _fit_all(X.take(tr), S[tr], C[tr], recipe, knn_opts, None)
            lin = _apply(X.take(va).dot(Wf) + bf, "logistic")
            return lin if hf is None else hf._blend(lin, hf._estimate_batch(X.take(va)))

        tasks = [str(_field(r, "task", "") or "") for r in rows]
        task_prior = TS.fit_outside_cv(X, S, texts, tasks, predict)
    return TrainedRouter(
        models,
        W,
        b,
        features=fx.config(),
        link="sigmoid",
        rule=recipe.rule,
        knob=knob,
        relative_costs=rel.tolist(),
        info={"recipe": asdict(recipe), "n_rows": len(rows), **dict(info or {})},
        knn=head,
        task_prior=task_prior,
    )


def _blend(head: KnnHead, est: np.ndarray, linear: np.ndarray, r: Recipe) -> np.ndarray:
    if r.knn_weight == 0 and r.cost_weight == 0:
        return linear
    head.weight, head.cost_weight = r.knn_weight, r.cost_weight
    return head._blend(linear, est)


def _knob(
    fold_P: Sequence[tuple[np.ndarray, np.ndarray]],
    S: np.ndarray,
    C: np.ndarray,
    rule: str,
    rel: np.ndarray,
    target: float,
) -> tuple[float, list[float], list[float]]:
    """The cheapest knob whose fold qualities stay >= target by one standard deviation."""
    Q = np.zeros((len(fold_P), len(KNOBS)))
    K = np.zeros_like(Q)
    for f, (va, P) in enumerate(fold_P):
        s, c = S[va], C[va]
        q_best = float(s.mean(0).max()) or 1.0
        c_best = float(c[:, int(np.argmax(s.mean(0)))].mean()) or 1.0
        rows = np.arange(len(va))
        for j, k in enumerate(KNOBS):
            ch = select_batch(P, float(k), rule=rule, relative_costs=rel)  # type: ignore[arg-type]
            Q[f, j] = s[rows, ch].mean() / q_best
            K[f, j] = c[rows, ch].mean() / c_best
    low = Q.mean(0) - Q.std(0, ddof=1)
    ok = np.flatnonzero(low >= target - 1e-9)
    j = int(ok[np.argmin(K.mean(0)[ok])]) if ok.size else int(np.argmax(low))
    return float(KNOBS[j]), Q[:, j].tolist(), K[:, j].tolist()
