"""Fitting the task prior (:class:`~shared_core.classifiers.task_prior.TaskPrior`).

``train_best`` calls :func:`cross_validate` with the chosen recipe's out-of-fold
predictions: it fits the task classifier fold by fold (so every row's prior comes from a
classifier that never saw it), fits the stacking layer on the other folds' out-of-fold
predictions and scores it on the held-out fold. Cross-validation then keeps the stack only
when it beats the plain head by the same selection score. :func:`fit_final` fits the parts
on all rows. Deterministic: the classifier is the project's full-batch Adam solver and
the stacking layer is fitted by Newton's method.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..classifiers.task_prior import TaskPrior, logit, prior_scores, stacked_scores
from ..errors import DataFormatError
from . import cv as CV
from .train import fit_logistic

__all__ = [
    "MAX_TASKS",
    "MIN_TASK_ROWS",
    "StackCV",
    "choose",
    "cross_validate",
    "fit_final",
    "fit_outside_cv",
    "task_labels",
    "why_not",
]

MAX_TASKS = 16
"""Tasks the classifier tells apart (the most frequent; the rest share one label). Each
costs a column of the classifier: on 7,400 rows, about 8 s of fitting per column."""
MIN_TASK_ROWS = 20
"""A task with fewer rows shares the ``(other)`` label: its mean would be noise."""
OTHER = "(other)"
PRIOR_L2 = 1e-6
"""L2 weight of the task classifier. At the heads' 1e-4 it recognised 75.8% of MMLU-Pro's
subjects, at 1e-6 81.5% (as scikit-learn's LinearSVC): its accuracy is what pays
(BENCHMARKS.md, "mmlupro: signals the head does not have")."""
STACK_C = 0.1
"""Inverse L2 strength of the stacking layer, as scikit-learn's ``C`` (penalty
``||w||^2 / 2 + C * sum of losses``, the intercept not penalised)."""


def task_labels(tasks: Sequence[str]) -> tuple[list[str], np.ndarray] | None:
    """The labels the classifier learns and each row's label index; ``None`` under two."""
    counts = Counter(t for t in tasks if t)
    kept = sorted(t for t, n in counts.most_common(MAX_TASKS) if n >= MIN_TASK_ROWS)
    rest = len(tasks) - sum(counts[t] for t in kept)
    labels = kept + ([OTHER] if rest >= MIN_TASK_ROWS else [])
    if len(kept) < 2 or len(labels) < 2:
        return None
    index = {t: i for i, t in enumerate(kept)}
    other = len(kept) if rest >= MIN_TASK_ROWS else -1
    y = np.array([index.get(t, other) for t in tasks], dtype=np.int64)
    return labels, y


def why_not(tasks: Sequence[str], wanted: bool, group_by: str) -> str:
    """Why ``train_best`` does not try a task prior on these rows ("" when it does)."""
    if not wanted:
        return "turned off"
    if group_by == "task":
        return "the folds hold out whole tasks (group_by task), so no fold could recognise its tasks"
    if task_labels(tasks) is None:
        n = sum(1 for c in Counter(t for t in tasks if t).values() if c >= MIN_TASK_ROWS)
        return (
            f"it needs 'task' labels on the rows, at least two tasks with {MIN_TASK_ROWS}+ rows; "
            f"{'no row has one' if not any(tasks) else f'{n} task(s) have that many'}"
        )
    return ""


def _classifier(X, y: np.ndarray, n_labels: int, iters: int | None):  # type: ignore[no-untyped-def]
    keep = y >= 0  # rows of a task too rare to have a label of its own, with no (other)
    Y = (y[keep, None] == np.arange(n_labels)[None, :]).astype(np.float64)
    return fit_logistic(X.take(np.flatnonzero(keep)), Y, PRIOR_L2, iters=iters or 200)


def _means(S: np.ndarray, y: np.ndarray, n_labels: int) -> np.ndarray:
    base = S.mean(0)
    return np.stack(
        [S[y == t].mean(0) if np.any(y == t) else base for t in range(n_labels)]
    )


def _prior(W: np.ndarray, b: np.ndarray, means: np.ndarray, X) -> np.ndarray:  # type: ignore[no-untyped-def]
    return prior_scores(X.dot(W) + b, means)


def fit_stacker(
    P: np.ndarray, prior: np.ndarray, S: np.ndarray, c: float = STACK_C, iters: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """One logistic per model over standardised ``[logit(P), logit(prior)]``; Newton steps.

    Returns ``(stack_W (2M, M), stack_b (M,))`` acting on the unstandardised logits.
    """
    Z = np.hstack([logit(P), logit(prior)])
    mu, sd = Z.mean(0), Z.std(0)
    sd[sd < 1e-9] = 1.0
    A = np.hstack([(Z - mu) / sd, np.ones((len(Z), 1))])
    n, d = A.shape
    reg = np.full(d, 1.0 / (c * n))
    reg[-1] = 0.0
    Wout = np.zeros((d - 1, S.shape[1]))
    bout = np.zeros(S.shape[1])
    for j in range(S.shape[1]):
        y = np.clip(S[:, j], 0.0, 1.0)
        w = np.zeros(d)
        m = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
        w[-1] = np.log(m / (1 - m))
        for _ in range(iters):
            p = 1.0 / (1.0 + np.exp(-np.clip(A @ w, -40.0, 40.0)))
            g = A.T @ (p - y) / n + reg * w
            H = (A * (p * (1 - p))[:, None]).T @ A / n + np.diag(reg) + 1e-9 * np.eye(d)
            step = np.linalg.solve(H, g)
            w -= step
            if float(np.abs(step).max()) < 1e-8:
                break
        Wout[:, j] = w[:-1] / sd
        bout[j] = w[-1] - float((w[:-1] * mu / sd).sum())
    return Wout, bout


@dataclass
class StackCV:
    """Out-of-fold figures of the stack and what the final fit needs."""

    labels: list[str]
    y: np.ndarray
    prior: np.ndarray
    """Every row's prior score per model, from a classifier that never saw the row."""
    stacked: np.ndarray
    """Every row's stacked score, from a stacking layer fitted on the other folds."""
    accuracy: float
    """Share of rows whose task the out-of-fold classifier names (labelled rows)."""


def cross_validate(
    X,  # type: ignore[no-untyped-def]
    S: np.ndarray,
    tasks: Sequence[str],
    fold: np.ndarray,
    P_oof: np.ndarray,
    *,
    iters: int | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> StackCV | None:
    """The stack's out-of-fold scores over ``fold``; ``None`` when the rows carry no tasks."""
    got = task_labels(tasks)
    if got is None:
        return None
    labels, y = got
    prior = np.zeros_like(S)
    right = 0
    for f in range(int(fold.max()) + 1):
        va, tr = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        say(f"fold {f + 1}: fitting the task classifier ({len(labels)} tasks) on {len(tr)} rows")
        W, b = _classifier(X.take(tr), y[tr], len(labels), iters)
        prior[va] = _prior(W, b, _means(S[tr], y[tr], len(labels)), X.take(va))
        raw = X.take(va).dot(W) + b
        right += int(((raw.argmax(1) == y[va]) & (y[va] >= 0)).sum())
    stacked = np.zeros_like(S)
    for f in range(int(fold.max()) + 1):
        va, tr = fold == f, fold != f
        sW, sb = fit_stacker(P_oof[tr], prior[tr], S[tr])
        stacked[va] = stacked_scores(P_oof[va], prior[va], sW, sb)
    labelled = int((y >= 0).sum()) or 1
    return StackCV(labels, y, prior, stacked, right / labelled)


def fit_final(
    X,  # type: ignore[no-untyped-def]
    S: np.ndarray,
    cv: StackCV,
    P_oof: np.ndarray,
    *,
    iters: int | None = None,
) -> TaskPrior:
    """The classifier and means on all rows; the stacking layer on the out-of-fold scores."""
    W, b = _classifier(X, cv.y, len(cv.labels), iters)
    sW, sb = fit_stacker(P_oof, cv.prior, S)
    return TaskPrior(cv.labels, W, b, _means(S, cv.y, len(cv.labels)), sW, sb)


def fit_outside_cv(
    X,  # type: ignore[no-untyped-def]
    S: np.ndarray,
    texts: Sequence[str],
    tasks: Sequence[str],
    predict: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    folds: int = 5,
    seed: int = 0,
) -> TaskPrior:
    """A task prior for a recipe fixed in advance: ``predict(train_idx, held_idx)`` gives the
    head's scores on held-out rows, fold by fold, for the stacking layer to learn from."""
    fold = CV.assign_folds(CV.near_duplicate_groups(texts), tasks, folds, seed)
    P_oof = np.zeros_like(S)
    for f in range(folds):
        va, tr = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        P_oof[va] = predict(tr, va)
    cv = cross_validate(X, S, tasks, fold, P_oof)
    if cv is None:
        raise DataFormatError(
            "rows",
            f"the recipe has a task prior, but fewer than two tasks have {MIN_TASK_ROWS} rows",
        )
    return fit_final(X, S, cv, P_oof)


def choose(
    cv: StackCV,
    S: np.ndarray,
    C: np.ndarray,
    fold: np.ndarray,
    rules: Sequence[str],
    rel: Any,
    plain: CV.Spread,
    plain_score: float,
    stability: float,
) -> tuple[dict[str, Any], str, CV.Spread, tuple[float, float]]:
    """Score the stack's out-of-fold predictions under each rule, as ``train_best`` scores a
    recipe (fold loss mean + ``stability`` x sd); kept when it beats ``plain_score``.

    Returns (the record for ``CVResult.task_prior``, its rule, its spread, its loss mean and sd).
    """
    folds = int(fold.max()) + 1
    figures = np.array(
        [
            [
                CV.fold_figure(cv.stacked[va], S[va], C[va], rule, rel)
                for va in (fold == f for f in range(folds))
            ]
            for rule in rules
        ]
    )
    loss = np.array([[CV.fold_loss(x, S.shape[1]) for x in row] for row in figures])
    score = loss.mean(1) + stability * loss.std(1, ddof=1)
    i = int(np.argmin(score))
    spread = CV.Spread.of(plain.metric, figures[i].tolist())
    info = {
        "tasks": len(cv.labels),
        "accuracy": round(cv.accuracy, 6),
        "rule": rules[i],
        "with": spread.to_dict(),
        "without": plain.to_dict(),
        "kept": bool(score[i] < plain_score),
    }
    return info, rules[i], spread, (float(loss[i].mean()), float(loss[i].std(ddof=1)))
