"""The task prior: which task a prompt belongs to says which models answer it well.

A head over hashed n-grams predicts each model's quality prompt by prompt, but models'
strengths differ by task more than its n-grams capture (on MMLU-Pro one dear model beats
the other on physics and loses badly on maths). When the training rows carry a ``task``
label, :func:`~shared_core.training.task_stack.fit_task_prior` learns:

* a task classifier over the head's own hashed features (one-vs-rest logistic, one column
  per task; at decision time it reads the prompt text only, never a label);
* each task's mean score per model on the training rows, so the classifier's task
  probabilities give a *prior* score per model: ``prior = softmax-ish(p_task) @ means``;
* a stacking layer, one logistic per model over the logits of the head's scores and of the
  prior (fitted on out-of-fold predictions, so it learns how far to trust each).

:class:`TaskPrior` holds those arrays and turns the head's scores into the stacked ones.
It only reads arrays: nothing here trains. Cross-validation decides whether a router gets
one (``train_best``); routers without task labels never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError, DataFormatError
from .files import dense_rows, sparse_rows

__all__ = ["TaskPrior", "logit", "prior_scores", "stacked_scores"]

PREFIX = "task_"
EPS = 1e-4


def logit(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))`` with ``p`` clipped to ``[1e-4, 1 - 1e-4]``."""
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(p / (1.0 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def prior_scores(raw: np.ndarray, means: np.ndarray) -> np.ndarray:
    """The classifier's raw outputs ``(n, T)`` -> the prior score per model ``(n, M)``: task
    probabilities (one-vs-rest, normalised) times each task's mean scores."""
    p = _sigmoid(np.atleast_2d(raw))
    return (p / np.maximum(p.sum(1, keepdims=True), 1e-12)) @ means


def stacked_scores(
    head: np.ndarray, prior: np.ndarray, stack_W: np.ndarray, stack_b: np.ndarray
) -> np.ndarray:
    """``sigmoid([logit(head), logit(prior)] @ stack_W + stack_b)``, every model's column."""
    Z = np.hstack([logit(np.atleast_2d(head)), logit(np.atleast_2d(prior))])
    return _sigmoid(Z @ stack_W + stack_b)


class TaskPrior:
    """A task classifier, the tasks' per-model means and a stacking layer.

    ``W`` ``(dim, T)`` and ``b`` ``(T,)``: the task classifier; ``means`` ``(T, M)``: each
    task's mean score per model (all ``M`` models the head scores); ``stack_W`` ``(2M, M)``
    and ``stack_b`` ``(M,)``: ``stacked = sigmoid([logit(head), logit(prior)] @ stack_W +
    stack_b)``; ``out``: which of the ``M`` stacked columns the router reports (all of them
    unless the router was narrowed to a subset of its models).
    """

    def __init__(
        self,
        labels: Sequence[str],
        W: np.ndarray,
        b: np.ndarray,
        means: np.ndarray,
        stack_W: np.ndarray,
        stack_b: np.ndarray,
        *,
        out: Sequence[int] | None = None,
    ) -> None:
        self.labels = [str(x) for x in labels]
        self.W = np.asarray(W, dtype=np.float32)
        self.b = np.asarray(b, dtype=np.float64).reshape(-1)
        self.means = np.asarray(means, dtype=np.float64)
        self.stack_W = np.asarray(stack_W, dtype=np.float64)
        self.stack_b = np.asarray(stack_b, dtype=np.float64).reshape(-1)
        t, m = len(self.labels), self.means.shape[-1] if self.means.ndim == 2 else -1
        if (
            t < 2
            or self.W.ndim != 2
            or self.W.shape[1] != t
            or self.b.shape != (t,)
            or self.means.shape != (t, m)
            or self.stack_W.shape != (2 * m, m)
            or self.stack_b.shape != (m,)
        ):
            raise DataFormatError(
                "task_prior",
                f"inconsistent shapes: {t} tasks, W{self.W.shape}, b{self.b.shape}, "
                f"means{self.means.shape}, stack_W{self.stack_W.shape}, stack_b{self.stack_b.shape}",
            )
        self.out = np.arange(m) if out is None else np.asarray(list(out), dtype=np.int64)
        if self.out.size == 0 or self.out.min() < 0 or self.out.max() >= m:
            raise DataFormatError("task_prior", f"output columns {self.out.tolist()} outside [0, {m})")

    @property
    def n_models(self) -> int:
        """How many models the head under this prior scores (before ``out``)."""
        return int(self.means.shape[1])

    @property
    def dim(self) -> int:
        return int(self.W.shape[0])

    def check_fits(self, head: str, features: dict[str, Any], n_models: int) -> None:
        """Refuse a router this prior cannot sit on: not a linear head over hashed features of
        the classifier's dimension, or reporting another number of models."""
        if head != "linear" or features.get("kind") == "encoder":
            raise ConfigError(
                "a task prior needs a linear head over hashed features", field="task_prior", value=head
            )
        if len(self.out) != n_models:
            raise DataFormatError(
                "task_prior", f"the task prior reports {len(self.out)} models; the router has {n_models}"
            )
        if int(features.get("dim", -1)) != self.dim:
            raise DataFormatError(
                "task_prior",
                f"the task classifier has {self.dim} rows, feature dim {features.get('dim')}",
            )

    # -- prediction ---------------------------------------------------------------------
    def prior_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """The prior score per model ``(n, M)`` from the classifier's raw outputs."""
        return prior_scores(raw, self.means)

    def stack(self, head: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """The stacked scores ``(n, len(out))`` from the head's and the prior's scores."""
        return stacked_scores(head, prior, self.stack_W, self.stack_b)[:, self.out]

    def apply_sparse(self, head: np.ndarray, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        """One row: the head's ``(M,)`` scores and the row's hashed features -> ``(len(out),)``."""
        raw = values @ self.W[indices] + self.b
        return self.stack(head[None, :], self.prior_from_raw(raw[None, :]))[0]

    def apply_batch(self, head: np.ndarray, X: Any) -> np.ndarray:
        """Many rows: ``(n, M)`` head scores and their :class:`SparseBatch` -> ``(n, len(out))``."""
        raw = X.dot(self.W.astype(np.float64)) + self.b
        return self.stack(head, self.prior_from_raw(raw))

    def select(self, cols: Sequence[int]) -> TaskPrior:
        """The same prior reporting columns ``cols`` of what it reports now."""
        tp = TaskPrior.__new__(TaskPrior)
        tp.__dict__.update(self.__dict__)
        tp.out = self.out[np.asarray(list(cols), dtype=np.int64)]
        return tp

    # -- persistence --------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """Plain-data settings (stored in the router's JSON)."""
        return {"labels": list(self.labels), "out": [int(c) for c in self.out]}

    def arrays(self, precision: Any = np.float32) -> dict[str, np.ndarray]:
        """Arrays for the router's NPZ (the classifier's non-zero rows at ``precision``)."""
        out = sparse_rows(self.W, PREFIX + "W", dtype=precision)
        out.update(
            {
                PREFIX + "b": self.b.astype(np.float64),
                PREFIX + "means": self.means.astype(np.float64),
                PREFIX + "stack_W": self.stack_W.astype(np.float64),
                PREFIX + "stack_b": self.stack_b.astype(np.float64),
            }
        )
        return out

    @classmethod
    def from_arrays(cls, cfg: dict[str, Any], arrays: dict[str, np.ndarray], dim: int) -> TaskPrior:
        """Rebuild from :meth:`config` and :meth:`arrays` (as read from a file)."""
        try:
            labels = [str(x) for x in cfg["labels"]]
            return cls(
                labels,
                dense_rows(arrays, dim, len(labels), prefix=PREFIX + "W"),
                arrays[PREFIX + "b"],
                arrays[PREFIX + "means"],
                arrays[PREFIX + "stack_W"],
                arrays[PREFIX + "stack_b"],
                out=cfg.get("out"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DataFormatError):
                raise
            raise DataFormatError("task_prior", f"invalid task prior: {exc!r}") from None
